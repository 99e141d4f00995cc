//! Next-token training with AdamW over a character corpus.
//!
//! ```
//! use burn::prelude::*;
//! use kindling::data::text::TextCorpus;
//! use kindling::gpt::{GptConfig, GptTrainer, GptTrainingConfig};
//!
//! let corpus = TextCorpus::names("anna\nemma\nolivia\nava\nmia\n").unwrap();
//! let model = GptConfig::preset("tiny", 0).unwrap(); // the trainer sets vocab_size
//! let config = GptTrainingConfig::new(model).with_batch_size(4);
//! let mut trainer = GptTrainer::new(config, corpus, &Device::flex());
//! let loss = trainer.step().into_data().try_into_vec::<f32>().unwrap()[0];
//! assert!(loss.is_finite());
//! ```

use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;

use super::model::{Gpt, GptConfig, next_token_loss};
use super::sample::{AttentionMaps, SamplingConfig, attention_maps, generate};
use crate::data::text::{TextCorpus, TokenBatch};
use crate::rng::SplitMix64;
use crate::transformer::adamw;
use crate::weights::{self, WeightsError};

/// Tokens the quick validation estimate reads (a fixed subset of the held-out set): enough for
/// a smooth curve, cheap enough to run often in a page.
const ESTIMATE_TOKENS: usize = 4096;

/// Everything that shapes a training run.
#[derive(Config, Debug)]
pub struct GptTrainingConfig {
    /// The model's sizes; `vocab_size` is replaced by the corpus's.
    pub model: GptConfig,
    #[config(default = 32)]
    pub batch_size: usize,
    #[config(default = 1e-3)]
    pub learning_rate: f64,
    /// AdamW's decoupled weight decay.
    #[config(default = 0.01)]
    pub weight_decay: f32,
    /// Gradients are rescaled to at most this norm, which keeps early steps from blowing up.
    #[config(default = 1.0)]
    pub grad_clip: f32,
    #[config(default = 42)]
    pub seed: u64,
}

/// A training run: model, optimizer, data stream.
pub struct GptTrainer {
    config: GptTrainingConfig,
    model: Gpt,
    optim: ModuleOptimizer,
    corpus: TextCorpus,
    batches: SplitMix64,
    estimate: Vec<TokenBatch>,
    device: Device,
    steps: usize,
}

impl GptTrainer {
    /// A fresh run on `device` (gradients are enabled on it here).
    pub fn new(mut config: GptTrainingConfig, corpus: TextCorpus, device: &Device) -> Self {
        config.model.vocab_size = corpus.vocab().len();
        let device = device.clone().autodiff();
        let model = crate::init::seeded(&device, config.seed, |d| config.model.init(d));
        let rows = (ESTIMATE_TOKENS / corpus.seq_len(config.model.block_size)).max(16);
        let estimate = corpus.validation(config.model.block_size, rows, rows);
        Self {
            optim: adamw(config.weight_decay, config.grad_clip),
            batches: SplitMix64::new(config.seed.wrapping_add(1)),
            model,
            corpus,
            estimate,
            device,
            steps: 0,
            config,
        }
    }

    /// The run's settings (with the corpus's vocabulary size).
    pub fn config(&self) -> &GptTrainingConfig {
        &self.config
    }

    /// The corpus.
    pub fn corpus(&self) -> &TextCorpus {
        &self.corpus
    }

    /// Steps taken so far.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Tokens in one training batch.
    pub fn tokens_per_step(&self) -> usize {
        self.config.batch_size * self.corpus.seq_len(self.config.model.block_size)
    }

    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        self.config.learning_rate = learning_rate;
    }

    pub fn set_batch_size(&mut self, batch_size: usize) {
        self.config.batch_size = batch_size;
    }

    /// One AdamW update on a fresh random batch. Returns the batch's loss before the update
    /// (detached, `[1]`), for the caller to read back when it suits it.
    pub fn step(&mut self) -> Tensor<1> {
        let block_size = self.config.model.block_size;
        let batch = self
            .corpus
            .train_batch(&mut self.batches, self.config.batch_size, block_size);
        self.step_on(&batch)
    }

    /// One AdamW update on `batch`. Returns its loss before the update (detached, `[1]`).
    pub fn step_on(&mut self, batch: &TokenBatch) -> Tensor<1> {
        let loss = self.loss_on(&self.model, batch);
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        self.model = self
            .optim
            .step(self.config.learning_rate, self.model.clone(), grads);
        self.steps += 1;
        loss.detach()
    }

    /// The mean loss on `batch` with `model`.
    fn loss_on(&self, model: &Gpt, batch: &TokenBatch) -> Tensor<1> {
        let device = model.wte.weight.device();
        let (inputs, targets) = batch.to_device(&device);
        next_token_loss(
            model.forward(inputs).logits,
            targets,
            self.corpus.vocab().pad(),
        )
    }

    /// Loss on a fixed part of the held-out set (about 4,096 tokens). `[1]`.
    pub fn validation_loss(&self) -> Tensor<1> {
        self.mean_loss(&self.estimate)
    }

    /// Loss on the whole held-out set, in batches of `chunk` sequences. `[1]`.
    pub fn full_validation_loss(&self, chunk: usize) -> Tensor<1> {
        let batches = self
            .corpus
            .validation(self.config.model.block_size, usize::MAX, chunk);
        self.mean_loss(&batches)
    }

    /// Token-weighted mean loss over `batches`, without gradients.
    fn mean_loss(&self, batches: &[TokenBatch]) -> Tensor<1> {
        let model = self.model.valid();
        let pad = self.corpus.vocab().pad();
        let total: usize = batches.iter().map(|b| b.counted(pad)).sum();
        let parts: Vec<Tensor<1>> = batches
            .iter()
            .map(|b| {
                self.loss_on(&model, b)
                    .mul_scalar(b.counted(pad) as f64 / total as f64)
            })
            .collect();
        Tensor::cat(parts, 0).sum()
    }

    /// `n` fresh samples of up to `max_len` characters, from the start of a name (names) or a
    /// line (prose). The draws are fixed by the run's seed, so the same weights always write
    /// the same samples.
    pub async fn samples(
        &self,
        n: usize,
        max_len: usize,
        sampling: SamplingConfig,
    ) -> Result<Vec<String>, String> {
        let vocab = self.corpus.vocab();
        let start = match vocab.end() {
            Some(end) => end,
            None => vocab.encode("\n").map_err(|e| e.0)?[0],
        };
        let mut rng = SplitMix64::new(self.config.seed ^ 0x7361_6D70_6C65); // "sample"
        let model = self.model.valid();
        let prompts = vec![vec![start]; n];
        let rows = generate(&model, vocab, &prompts, max_len, sampling, &mut rng).await?;
        Ok(rows.iter().map(|r| vocab.decode(r)).collect())
    }

    /// The prompt's tokens as the model reads them: names start with the end token, which
    /// marks the start of a name.
    pub fn prompt_tokens(&self, prompt: &str) -> Result<Vec<usize>, String> {
        let vocab = self.corpus.vocab();
        let text = if vocab.end().is_some() {
            prompt.to_lowercase()
        } else {
            prompt.to_string()
        };
        let mut tokens: Vec<usize> = vocab.end().into_iter().collect();
        tokens.extend(vocab.encode(&text).map_err(|e| e.0)?);
        if tokens.is_empty() {
            return Err("type some text first".into());
        }
        Ok(tokens)
    }

    /// `prompt` continued by up to `max_new` characters (names stop at their end). The draws
    /// are fixed by the run's seed.
    pub async fn complete(
        &self,
        prompt: &str,
        max_new: usize,
        sampling: SamplingConfig,
    ) -> Result<String, String> {
        let tokens = self.prompt_tokens(prompt)?;
        let mut rng = SplitMix64::new(self.config.seed ^ 0x7072_6F6D_7074); // "prompt"
        let model = self.model.valid();
        let vocab = self.corpus.vocab();
        let rows = generate(&model, vocab, &[tokens], max_new, sampling, &mut rng).await?;
        Ok(vocab.decode(&rows[0]))
    }

    /// The attention maps over `prompt` as the model reads it, and the characters of the
    /// sequence they cover (`⏎` for the end token that starts a name; the last `block_size`).
    pub async fn attention(&self, prompt: &str) -> Result<(Vec<char>, AttentionMaps), String> {
        let tokens = self.prompt_tokens(prompt)?;
        let maps = attention_maps(&self.model.valid(), &tokens).await?;
        let vocab = self.corpus.vocab();
        let shown = tokens[tokens.len() - maps.len..]
            .iter()
            .map(|&t| vocab.symbol(t))
            .collect();
        Ok((shown, maps))
    }

    /// The model for inference (no gradients).
    pub fn model(&self) -> Gpt {
        self.model.valid()
    }

    /// A newly built, untrained model of this run's sizes on `device`: the target for loading
    /// weights and for host copies (see [`crate::weights`]).
    pub fn fresh_model(&self, device: &Device) -> Gpt {
        self.config.model.init(device)
    }

    /// Load a weights file. On error the running model is untouched.
    pub fn load_weights(&mut self, bytes: &[u8]) -> Result<(), WeightsError> {
        self.model = weights::load(self.fresh_model(&self.device), bytes)?;
        // The moments belong to the old weights.
        self.optim = adamw(self.config.weight_decay, self.config.grad_clip);
        Ok(())
    }
}
