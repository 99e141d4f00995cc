//! Teacher-forced training with AdamW, greedy decoding and exact-match scoring.
//!
//! ```
//! use burn::prelude::*;
//! use kindling::data::tasks::Task;
//! use kindling::seq2seq::{TranslateTrainer, TranslateTrainingConfig};
//!
//! let config = TranslateTrainingConfig::new().with_batch_size(4);
//! let mut trainer = TranslateTrainer::new(config, Task::Reverse, &Device::flex());
//! let loss = trainer.step().into_data().try_into_vec::<f32>().unwrap()[0];
//! assert!(loss.is_finite());
//! ```

use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;

use super::model::{Seq2Seq, Seq2SeqConfig};
use crate::data::tasks::{Example, Task, TaskData};
use crate::data::text::{Vocab, id_tensor};
use crate::gpt::{SamplingConfig, next_token_loss};
use crate::readback;
use crate::rng::SplitMix64;
use crate::transformer::adamw;
use crate::weights::{self, WeightsError};

/// Everything that shapes a run, besides the task (which fixes the vocabularies and lengths).
#[derive(Config, Debug)]
pub struct TranslateTrainingConfig {
    #[config(default = 2)]
    pub n_layer: usize,
    #[config(default = 64)]
    pub n_embd: usize,
    #[config(default = 4)]
    pub n_head: usize,
    #[config(default = 64)]
    pub batch_size: usize,
    #[config(default = 2e-3)]
    pub learning_rate: f64,
    #[config(default = 0.01)]
    pub weight_decay: f32,
    #[config(default = 42)]
    pub seed: u64,
}

/// A batch on the host: padded inputs, decoder inputs (start token, then the target) and
/// labels (the target, then the end token), each padded to the task's fixed lengths.
#[derive(Debug, Clone, PartialEq)]
pub struct PairBatch {
    pub src: Vec<usize>,
    pub tgt_in: Vec<usize>,
    pub tgt_out: Vec<usize>,
    pub rows: usize,
    pub src_len: usize,
    pub tgt_len: usize,
}

/// Token ids of `text`, or the message naming an unknown character.
pub fn encode(vocab: &Vocab, text: &str) -> Result<Vec<usize>, String> {
    vocab.encode(text).map_err(|e| e.0)
}

impl PairBatch {
    /// Pad `examples` for `data`'s task (inputs longer than the task allows are cut).
    pub fn new(data: &TaskData, examples: &[Example]) -> Result<Self, String> {
        let (src_len, tgt_len) = (data.max_input(), data.max_target() + 1);
        let (sv, tv) = (data.source_vocab(), data.target_vocab());
        let (pad, end) = (tv.pad().unwrap(), tv.end().unwrap());
        let mut batch = Self {
            src: Vec::new(),
            tgt_in: Vec::new(),
            tgt_out: Vec::new(),
            rows: examples.len(),
            src_len,
            tgt_len,
        };
        let fill = |out: &mut Vec<usize>, ids: Vec<usize>, len| {
            out.extend(ids.into_iter().chain(std::iter::repeat(pad)).take(len))
        };
        for example in examples {
            let src = encode(sv, &example.input)?;
            let tgt = encode(tv, &example.target)?;
            fill(&mut batch.src, src, src_len);
            fill(
                &mut batch.tgt_in,
                std::iter::once(end).chain(tgt.clone()).collect(),
                tgt_len,
            );
            fill(
                &mut batch.tgt_out,
                tgt.into_iter().chain([end]).collect(),
                tgt_len,
            );
        }
        Ok(batch)
    }

    fn tensor(ids: &[usize], rows: usize, cols: usize, device: &Device) -> Tensor<2, Int> {
        id_tensor(ids, rows, cols, device)
    }
}

/// What greedy decoding wrote for one input, with the attention that wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    pub output: String,
    /// The input characters (the map's columns).
    pub input: Vec<char>,
    /// `[n_layer, n_head, rows, input.len()]` cross-attention, one row per output character and
    /// a last one for the end token.
    pub cross: Vec<f32>,
    /// `[n_layer, n_head, input.len(), input.len()]` encoder self-attention.
    pub encoder: Vec<f32>,
    pub n_layer: usize,
    pub n_head: usize,
}

/// A training run on one task.
pub struct TranslateTrainer {
    config: TranslateTrainingConfig,
    model_config: Seq2SeqConfig,
    data: TaskData,
    model: Seq2Seq,
    optim: ModuleOptimizer,
    examples: SplitMix64,
    device: Device,
    steps: usize,
}

impl TranslateTrainer {
    pub fn new(config: TranslateTrainingConfig, task: Task, device: &Device) -> Self {
        let data = TaskData::new(task);
        let model_config = Seq2SeqConfig::new(data.source_vocab().len(), data.target_vocab().len())
            .with_max_src(data.max_input())
            .with_max_tgt(data.max_target() + 1)
            .with_n_layer(config.n_layer)
            .with_n_embd(config.n_embd)
            .with_n_head(config.n_head);
        let device = device.clone().autodiff();
        let model = crate::init::seeded(&device, config.seed, |d| model_config.init(d));
        Self {
            optim: adamw(config.weight_decay, 1.0),
            examples: SplitMix64::new(config.seed.wrapping_add(1)),
            model_config,
            data,
            model,
            device,
            steps: 0,
            config,
        }
    }

    pub fn config(&self) -> &TranslateTrainingConfig {
        &self.config
    }

    pub fn model_config(&self) -> &Seq2SeqConfig {
        &self.model_config
    }

    pub fn data(&self) -> &TaskData {
        &self.data
    }

    pub fn steps(&self) -> usize {
        self.steps
    }

    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        self.config.learning_rate = learning_rate;
    }

    pub fn set_batch_size(&mut self, batch_size: usize) {
        self.config.batch_size = batch_size;
    }

    /// One AdamW update on fresh training examples; returns their loss before it (`[1]`).
    pub fn step(&mut self) -> Tensor<1> {
        let examples: Vec<Example> = (0..self.config.batch_size)
            .map(|_| self.data.train_example(&mut self.examples))
            .collect();
        let batch =
            PairBatch::new(&self.data, &examples).expect("generated text fits the vocabulary");
        let loss = self.loss_on(&self.model, &batch);
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        self.model = self
            .optim
            .step(self.config.learning_rate, self.model.clone(), grads);
        self.steps += 1;
        loss.detach()
    }

    fn loss_on(&self, model: &Seq2Seq, batch: &PairBatch) -> Tensor<1> {
        let device = model.decoder.head.weight.device();
        let (rows, s, t) = (batch.rows, batch.src_len, batch.tgt_len);
        let src = PairBatch::tensor(&batch.src, rows, s, &device);
        let tgt_in = PairBatch::tensor(&batch.tgt_in, rows, t, &device);
        let tgt_out = PairBatch::tensor(&batch.tgt_out, rows, t, &device);
        let pad = self.data.target_vocab().pad();
        let logits = model
            .forward(src, tgt_in, self.data.source_vocab().pad().unwrap())
            .logits;
        next_token_loss(logits, tgt_out, pad)
    }

    /// Token loss on the first `n` held-out examples (`[1]`).
    pub fn held_out_loss(&self, n: usize) -> Tensor<1> {
        let examples = &self.data.held_out()[..n.min(self.data.held_out().len())];
        let batch = PairBatch::new(&self.data, examples).expect("held-out text fits");
        self.loss_on(&self.model.valid(), &batch)
    }

    /// Greedy translations of `inputs`, decoded together; each stops at the end token.
    pub async fn translate(&self, inputs: &[String]) -> Result<Vec<String>, String> {
        let (outputs, _) = self.greedy(inputs).await?;
        let vocab = self.data.target_vocab();
        Ok(outputs.iter().map(|ids| vocab.decode(ids)).collect())
    }

    /// Exact-match accuracy on the first `n` held-out examples, and the model's answers.
    pub async fn held_out_accuracy(&self, n: usize) -> Result<(f64, Vec<String>), String> {
        let examples = &self.data.held_out()[..n.min(self.data.held_out().len())];
        let inputs: Vec<String> = examples.iter().map(|e| e.input.clone()).collect();
        let answers = self.translate(&inputs).await?;
        let right = answers
            .iter()
            .zip(examples)
            .filter(|(a, e)| **a == e.target)
            .count();
        Ok((right as f64 / examples.len().max(1) as f64, answers))
    }

    /// Translate one typed input and return the attention maps that produced it.
    pub async fn explain(&self, input: &str) -> Result<Translation, String> {
        let chars: Vec<char> = input.chars().collect();
        if chars.is_empty() || chars.len() > self.data.max_input() {
            return Err(format!("type 1 to {} characters", self.data.max_input()));
        }
        let (outputs, model) = self.greedy(&[input.to_string()]).await?;
        let (sv, tv) = (self.data.source_vocab(), self.data.target_vocab());
        let end = tv.end().unwrap();
        let tgt: Vec<usize> = std::iter::once(end)
            .chain(outputs[0].iter().copied())
            .collect();
        let device = model.decoder.head.weight.device();
        // No padding here, so the maps cover exactly the typed characters.
        let src = PairBatch::tensor(&encode(sv, input)?, 1, chars.len(), &device);
        let tgt_t = PairBatch::tensor(&tgt, 1, tgt.len(), &device);
        let out = model.forward(src, tgt_t, sv.pad().unwrap());
        let n_layer = out.cross_attention.len();
        let n_head = out.cross_attention[0].dims()[1];
        let cross = readback::floats(Tensor::cat(out.cross_attention, 0)).await?;
        let encoder = readback::floats(Tensor::cat(out.encoder_attention, 0)).await?;
        Ok(Translation {
            output: tv.decode(&outputs[0]),
            input: chars,
            cross,
            encoder,
            n_layer,
            n_head,
        })
    }

    /// Greedy decoding of `inputs` on the inference model, which it also returns.
    async fn greedy(&self, inputs: &[String]) -> Result<(Vec<Vec<usize>>, Seq2Seq), String> {
        let model = self.model.valid();
        let device = model.decoder.head.weight.device();
        let (sv, tv) = (self.data.source_vocab(), self.data.target_vocab());
        let (pad, end) = (sv.pad().unwrap(), tv.end().unwrap());
        let rows = inputs.len();
        let src_len = inputs
            .iter()
            .map(|i| i.chars().count())
            .max()
            .unwrap_or(0)
            .max(1);
        if src_len > self.data.max_input() {
            return Err(format!(
                "inputs are at most {} characters",
                self.data.max_input()
            ));
        }
        let mut src = Vec::with_capacity(rows * src_len);
        for input in inputs {
            let ids = encode(sv, input)?;
            src.extend(
                ids.iter()
                    .copied()
                    .chain(std::iter::repeat(pad))
                    .take(src_len),
            );
        }
        let memory = model.encode(PairBatch::tensor(&src, rows, src_len, &device), pad);
        let greedy = SamplingConfig::new().with_temperature(0.0);
        let mut rng = SplitMix64::new(0); // greedy decoding draws nothing
        let mut tgt = vec![vec![end]; rows];
        let mut done = vec![false; rows];
        let mut outputs = vec![Vec::new(); rows];
        for _ in 0..self.data.max_target() {
            let len = tgt[0].len();
            let flat: Vec<usize> = tgt.iter().flatten().copied().collect();
            let (logits, _, _) =
                model.decode(PairBatch::tensor(&flat, rows, len, &device), &memory);
            let vocab = logits.dims()[2];
            let last = readback::floats(logits.slice([0..rows, len - 1..len, 0..vocab])).await?;
            for r in 0..rows {
                let token = greedy.pick(&last[r * vocab..(r + 1) * vocab], tv.pad(), &mut rng);
                tgt[r].push(token);
                if !done[r] {
                    if token == end {
                        done[r] = true
                    } else {
                        outputs[r].push(token);
                        // An output that never ends is cut at the task's longest, so that it
                        // and its start token still fit the decoder's positions.
                        done[r] = outputs[r].len() == self.data.max_target();
                    }
                }
            }
            if done.iter().all(|&d| d) {
                break;
            }
        }
        Ok((outputs, model))
    }

    /// The model for inference.
    pub fn model(&self) -> Seq2Seq {
        self.model.valid()
    }

    /// A newly built model of this run's sizes on `device` (for loading and host copies).
    pub fn fresh_model(&self, device: &Device) -> Seq2Seq {
        self.model_config.init(device)
    }

    /// Load a weights file. On error the running model is untouched.
    pub fn load_weights(&mut self, bytes: &[u8]) -> Result<(), WeightsError> {
        self.model = weights::load(self.fresh_model(&self.device), bytes)?;
        self.optim = adamw(self.config.weight_decay, 1.0);
        Ok(())
    }
}
