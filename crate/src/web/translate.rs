//! The translation demo's session.

use burn::prelude::*;
use js_sys::{Array, Float32Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{Shared, Trainer, check_settings, device, js, read, set};
use crate::data::tasks::Task;
use crate::seq2seq::{Seq2Seq, TranslateTrainer, TranslateTrainingConfig};
use crate::weights::WeightsError;

impl Trainer for TranslateTrainer {
    type Model = Seq2Seq;
    fn model(&self) -> Seq2Seq {
        TranslateTrainer::model(self)
    }
    fn fresh(&self, device: &Device) -> Seq2Seq {
        self.fresh_model(device)
    }
    fn load(&mut self, bytes: &[u8]) -> Result<(), WeightsError> {
        self.load_weights(bytes)
    }
    fn set_learning_rate(&mut self, lr: f64) {
        TranslateTrainer::set_learning_rate(self, lr)
    }
    fn set_batch_size(&mut self, batch: usize) {
        TranslateTrainer::set_batch_size(self, batch)
    }
}

fn strings<'a>(items: impl Iterator<Item = &'a str>) -> Array {
    items.map(JsValue::from).collect()
}

/// A translation-demo training session on one backend.
#[wasm_bindgen]
pub struct TranslateSession {
    inner: Shared<TranslateTrainer>,
    backend: String,
}

#[wasm_bindgen]
impl TranslateSession {
    /// Start a session on `task` ("dates", "reverse" or "sort"); a size of 0 keeps the default
    /// (2 layers each side, n_embd 64, 4 heads). Resolves to a `TranslateSession`.
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        backend: String,
        task: String,
        n_layer: usize,
        n_embd: usize,
        n_head: usize,
        batch: usize,
        lr: f64,
        seed: u64,
    ) -> Promise {
        future_to_promise(async move {
            check_settings(batch, lr)?;
            let task =
                Task::from_name(&task).ok_or_else(|| js(format!("unknown task {task:?}")))?;
            let base = TranslateTrainingConfig::new();
            let pick = |asked: usize, default: usize| if asked == 0 { default } else { asked };
            let config = TranslateTrainingConfig::new()
                .with_n_layer(pick(n_layer, base.n_layer))
                .with_n_embd(pick(n_embd, base.n_embd))
                .with_n_head(pick(n_head, base.n_head))
                .with_batch_size(batch)
                .with_learning_rate(lr)
                .with_seed(seed);
            if config.n_layer > 8
                || config.n_embd > 512
                || !config.n_embd.is_multiple_of(config.n_head)
            {
                return Err(js(
                    "at most 8 layers and n_embd 512, a multiple of the heads",
                ));
            }
            let device = device(&backend).await?;
            let inner = Shared::new(TranslateTrainer::new(config, task, &device));
            Ok(TranslateSession { inner, backend }.into())
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

    /// `{task, maxInput, nLayer, nEmbd, nHead, heldOut}`.
    pub fn info(&self) -> Result<Object, JsValue> {
        let trainer = self.inner.borrow()?;
        let config = trainer.config();
        let info = Object::new();
        set(&info, "task", trainer.data().task().name());
        set(&info, "maxInput", trainer.data().max_input() as u32);
        set(&info, "nLayer", config.n_layer as u32);
        set(&info, "nEmbd", config.n_embd as u32);
        set(&info, "nHead", config.n_head as u32);
        set(&info, "heldOut", trainer.data().held_out().len() as u32);
        Ok(info)
    }

    /// One training step. Resolves to the batch's token loss.
    pub fn step(&self) -> Promise {
        self.inner.promise(|inner| async move {
            let loss = inner.try_borrow_mut().map_err(js)?.step();
            Ok(JsValue::from_f64(read(loss).await?[0] as f64))
        })
    }

    /// Greedy answers for the first `n` held-out examples. Resolves to
    /// `{accuracy, loss, inputs, targets, answers}`.
    #[wasm_bindgen(js_name = heldOut)]
    pub fn held_out(&self, n: usize) -> Promise {
        self.inner.promise(|inner| async move {
            let trainer = inner.try_borrow().map_err(js)?;
            let loss = read(trainer.held_out_loss(n)).await?[0];
            let (accuracy, answers) = trainer.held_out_accuracy(n).await.map_err(js)?;
            let examples = &trainer.data().held_out()[..answers.len()];
            let out = Object::new();
            set(&out, "accuracy", accuracy);
            set(&out, "loss", loss as f64);
            set(
                &out,
                "inputs",
                strings(examples.iter().map(|e| e.input.as_str())),
            );
            set(
                &out,
                "targets",
                strings(examples.iter().map(|e| e.target.as_str())),
            );
            set(&out, "answers", strings(answers.iter().map(String::as_str)));
            Ok(out.into())
        })
    }

    /// Translate `input` and resolve to `{output, input, rows, nLayer, nHead, cross, encoder}`:
    /// `input` and `rows` the characters of the maps' columns and rows (`rows` ends with `⏎`,
    /// the end token), `cross` `[nLayer, nHead, rows, input]` and `encoder`
    /// `[nLayer, nHead, input, input]` as `Float32Array`s. Rejects with a message naming a
    /// character the model does not know.
    pub fn explain(&self, input: String) -> Promise {
        self.inner.promise(|inner| async move {
            let trainer = inner.try_borrow().map_err(js)?;
            let t = trainer.explain(&input).await.map_err(js)?;
            let rows: Vec<String> = t.output.chars().chain(['⏎']).map(String::from).collect();
            let input: Vec<String> = t.input.iter().map(|c| c.to_string()).collect();
            let out = Object::new();
            set(&out, "output", t.output.as_str());
            set(&out, "input", strings(input.iter().map(String::as_str)));
            set(&out, "rows", strings(rows.iter().map(String::as_str)));
            set(&out, "nLayer", t.n_layer as u32);
            set(&out, "nHead", t.n_head as u32);
            set(&out, "cross", Float32Array::from(&t.cross[..]));
            set(&out, "encoder", Float32Array::from(&t.encoder[..]));
            Ok(out.into())
        })
    }

    /// The weights as a burnpack file. Resolves to `Uint8Array`.
    pub fn save(&self) -> Promise {
        self.inner.save()
    }

    /// Replace the weights; a damaged file or one of another task or size is refused with a
    /// message and the current weights kept.
    pub fn load(&self, bytes: &[u8]) -> Result<(), JsValue> {
        self.inner.load(
            bytes,
            " (weights only fit the task and sizes they were trained with)",
        )
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
