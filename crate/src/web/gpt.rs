//! The writing demo's session.

use burn::prelude::*;
use js_sys::{Array, Float32Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{Shared, Trainer, check_settings, device, js, read, set};
use crate::data::text::{Split, TextCorpus};
use crate::gpt::{Gpt, GptConfig, GptTrainer, GptTrainingConfig, SamplingConfig};
use crate::weights::WeightsError;

/// The longest continuation the page asks for: generation reads back once per character.
const MAX_NEW: usize = 1000;

impl Trainer for GptTrainer {
    type Model = Gpt;
    fn model(&self) -> Gpt {
        GptTrainer::model(self)
    }
    fn fresh(&self, device: &Device) -> Gpt {
        self.fresh_model(device)
    }
    fn load(&mut self, bytes: &[u8]) -> Result<(), WeightsError> {
        self.load_weights(bytes)
    }
    fn set_learning_rate(&mut self, lr: f64) {
        GptTrainer::set_learning_rate(self, lr)
    }
    fn set_batch_size(&mut self, batch: usize) {
        GptTrainer::set_batch_size(self, batch)
    }
}

/// A writing-demo training session on one backend.
#[wasm_bindgen]
pub struct GptSession {
    inner: Shared<GptTrainer>,
    backend: String,
}

fn sampling(temperature: f64, top_k: usize) -> Result<SamplingConfig, JsValue> {
    if !(temperature.is_finite() && temperature >= 0.0) {
        return Err(js("the temperature must be 0 or more"));
    }
    Ok(SamplingConfig::new()
        .with_temperature(temperature)
        .with_top_k(top_k))
}

#[wasm_bindgen]
impl GptSession {
    /// Start a session on `dataset` ("names" or "moby-dick", whose prepared text is `text`)
    /// with model `preset` ("tiny" or "small"); a size of 0 keeps the preset's. Resolves to a
    /// `GptSession`, or rejects with a message.
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        backend: String,
        dataset: String,
        text: String,
        preset: String,
        n_layer: usize,
        n_embd: usize,
        n_head: usize,
        block_size: usize,
        batch: usize,
        lr: f64,
        seed: u64,
    ) -> Promise {
        future_to_promise(async move {
            check_settings(batch, lr)?;
            let corpus = TextCorpus::from_dataset(&dataset, &text).map_err(js)?;
            let base = GptConfig::preset(&preset, corpus.vocab().len())
                .ok_or_else(|| js(format!("unknown preset {preset:?}")))?;
            let pick = |asked: usize, preset: usize| if asked == 0 { preset } else { asked };
            let model = base
                .clone()
                .with_n_layer(pick(n_layer, base.n_layer))
                .with_n_embd(pick(n_embd, base.n_embd))
                .with_n_head(pick(n_head, base.n_head))
                .with_block_size(pick(block_size, base.block_size));
            if model.n_layer > 12 || model.n_embd > 512 || model.block_size > 256 {
                return Err(js(
                    "that model is too big to train in a page (at most 12 layers, \
                               n_embd 512, context 256)",
                ));
            }
            if !model.n_embd.is_multiple_of(model.n_head.max(1)) || model.n_head == 0 {
                return Err(js(format!(
                    "n_embd ({}) must be a multiple of the number of heads ({})",
                    model.n_embd, model.n_head
                )));
            }
            let device = device(&backend).await?;
            let config = GptTrainingConfig::new(model)
                .with_batch_size(batch)
                .with_learning_rate(lr)
                .with_seed(seed);
            let inner = Shared::new(GptTrainer::new(config, corpus, &device));
            Ok(GptSession { inner, backend }.into())
        })
    }

    /// "webgpu" or "cpu".
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.clone()
    }

    /// Steps taken so far.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> Result<usize, JsValue> {
        Ok(self.inner.borrow()?.steps())
    }

    /// Tokens one training step reads.
    #[wasm_bindgen(getter, js_name = tokensPerStep)]
    pub fn tokens_per_step(&self) -> Result<usize, JsValue> {
        Ok(self.inner.borrow()?.tokens_per_step())
    }

    /// The model's sizes and data: `{nLayer, nEmbd, nHead, blockSize, vocab, parameters,
    /// trainSize, validationSize}` (sizes of the split in names, or characters for prose).
    pub fn info(&self) -> Result<Object, JsValue> {
        let trainer = self.inner.borrow()?;
        let model = &trainer.config().model;
        let corpus = trainer.corpus();
        let vocab: String = (0..corpus.vocab().len())
            .map(|i| corpus.vocab().symbol(i))
            .collect();
        let info = Object::new();
        set(&info, "nLayer", model.n_layer as u32);
        set(&info, "nEmbd", model.n_embd as u32);
        set(&info, "nHead", model.n_head as u32);
        set(&info, "blockSize", model.block_size as u32);
        set(&info, "vocab", vocab.replace('\0', ""));
        set(&info, "parameters", model.parameters() as u32);
        set(&info, "trainSize", corpus.len(Split::Train) as u32);
        set(
            &info,
            "validationSize",
            corpus.len(Split::Validation) as u32,
        );
        Ok(info)
    }

    /// One training step. Resolves to the batch's loss (nats per character).
    pub fn step(&self) -> Promise {
        self.inner.promise(|inner| async move {
            let loss = inner.try_borrow_mut().map_err(js)?.step();
            Ok(JsValue::from_f64(read(loss).await?[0] as f64))
        })
    }

    /// Loss on a fixed part of the held-out set. Resolves to a number.
    #[wasm_bindgen(js_name = validationLoss)]
    pub fn validation_loss(&self) -> Promise {
        self.inner.promise(|inner| async move {
            let loss = inner.try_borrow().map_err(js)?.validation_loss();
            Ok(JsValue::from_f64(read(loss).await?[0] as f64))
        })
    }

    /// `n` fresh samples of up to `max_len` characters. Resolves to an array of strings.
    pub fn samples(&self, n: usize, max_len: usize, temperature: f64, top_k: usize) -> Promise {
        self.inner.promise(|inner| async move {
            let sampling = sampling(temperature, top_k)?;
            let trainer = inner.try_borrow().map_err(js)?;
            let texts = trainer.samples(n.clamp(1, 64), max_len.min(MAX_NEW), sampling);
            let texts = texts.await.map_err(js)?;
            Ok(texts
                .into_iter()
                .map(JsValue::from)
                .collect::<Array>()
                .into())
        })
    }

    /// `prompt` continued by up to `max_new` characters. Resolves to the continuation, or
    /// rejects with a message naming a character the model does not know.
    pub fn complete(
        &self,
        prompt: String,
        max_new: usize,
        temperature: f64,
        top_k: usize,
    ) -> Promise {
        self.inner.promise(|inner| async move {
            let sampling = sampling(temperature, top_k)?;
            let trainer = inner.try_borrow().map_err(js)?;
            let text = trainer
                .complete(&prompt, max_new.min(MAX_NEW), sampling)
                .await;
            Ok(text.map_err(js)?.into())
        })
    }

    /// The attention over `prompt`. Resolves to `{tokens, nLayer, nHead, len, weights}`:
    /// `tokens` the characters the rows and columns stand for, `weights` a `Float32Array`
    /// `[nLayer, nHead, len, len]` (query rows, key columns).
    pub fn attention(&self, prompt: String) -> Promise {
        self.inner.promise(|inner| async move {
            let trainer = inner.try_borrow().map_err(js)?;
            let (tokens, maps) = trainer.attention(&prompt).await.map_err(js)?;
            let out = Object::new();
            let tokens: Array = tokens
                .iter()
                .map(|c| JsValue::from(c.to_string()))
                .collect();
            set(&out, "tokens", tokens);
            set(&out, "nLayer", maps.n_layer as u32);
            set(&out, "nHead", maps.n_head as u32);
            set(&out, "len", maps.len as u32);
            set(&out, "weights", Float32Array::from(&maps.weights[..]));
            Ok(out.into())
        })
    }

    /// The weights as a burnpack file. Resolves to `Uint8Array`.
    pub fn save(&self) -> Promise {
        self.inner.save()
    }

    /// Replace the weights with a burnpack file. Throws a clear message and keeps the current
    /// weights if the file is damaged or belongs to another model, data set or preset.
    pub fn load(&self, bytes: &[u8]) -> Result<(), JsValue> {
        let hint = " (weights only fit the data set and model sizes they were trained with)";
        self.inner.load(bytes, hint)
    }

    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&self, lr: f64) -> Result<(), JsValue> {
        self.inner.set_learning_rate(lr)
    }

    #[wasm_bindgen(js_name = setBatchSize)]
    pub fn set_batch_size(&self, batch: usize) -> Result<(), JsValue> {
        self.inner.set_batch_size(batch)
    }
}
