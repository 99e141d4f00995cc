//! The GAN demo's session.

use burn::prelude::*;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{Shared, Trainer, check_settings, device, js, read};
use crate::data::mnist::Mnist;
use crate::gan::{GRID_SAMPLES, Gan, GanTrainer, GanTrainingConfig};
use crate::image;
use crate::weights::WeightsError;

impl Trainer for GanTrainer {
    type Model = Gan;
    fn model(&self) -> Gan {
        self.gan()
    }
    fn fresh(&self, device: &Device) -> Gan {
        self.fresh_gan(device)
    }
    fn load(&mut self, bytes: &[u8]) -> Result<(), WeightsError> {
        self.load_weights(bytes)
    }
    fn set_learning_rate(&mut self, lr: f64) {
        GanTrainer::set_learning_rate(self, lr)
    }
    fn set_batch_size(&mut self, batch: usize) {
        GanTrainer::set_batch_size(self, batch)
    }
}

/// A GAN training session on one backend.
#[wasm_bindgen]
pub struct GanSession {
    inner: Shared<GanTrainer>,
    backend: String,
}

#[wasm_bindgen]
impl GanSession {
    /// Start a session. `digits` is the `mnist.bin` file the build prepares. Resolves to a
    /// `GanSession`, or rejects with a message (WebGPU unavailable, bad digits file).
    pub fn create(backend: String, digits: Vec<u8>, batch: usize, lr: f64, seed: u64) -> Promise {
        future_to_promise(async move {
            let digits = Mnist::from_bytes(&digits).map_err(js)?;
            check_settings(batch, lr)?;
            let device = device(&backend).await?;
            let config = GanTrainingConfig::new()
                .with_batch_size(batch)
                .with_learning_rate(lr)
                .with_seed(seed);
            let inner = Shared::new(GanTrainer::new(config, digits, &device));
            Ok(GanSession { inner, backend }.into())
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

    /// One training step. Resolves to `Float32Array [loss_d, loss_g]`.
    pub fn step(&self) -> Promise {
        self.inner.promise(|inner| async move {
            let losses = inner.try_borrow_mut().map_err(js)?.step();
            let values = read(losses).await?;
            Ok(js_sys::Float32Array::from(&values[..]).into())
        })
    }

    /// `L_D` on held-out digits. Resolves to a number.
    #[wasm_bindgen(js_name = holdoutLoss)]
    pub fn holdout_loss(&self) -> Promise {
        self.inner.promise(|inner| async move {
            let loss = inner.try_borrow().map_err(js)?.holdout_loss();
            Ok(JsValue::from_f64(read(loss).await?[0] as f64))
        })
    }

    /// The 8×8 sample grid of the fixed latent batch. Resolves to grey `Uint8Array` pixels,
    /// `gridSide()` pixels square.
    pub fn grid(&self) -> Promise {
        self.inner.promise(|inner| async move {
            let samples = inner.try_borrow().map_err(js)?.grid_samples();
            let values = read(samples.flatten::<1>(0, 3)).await?;
            let (_, _, grey) = image::grid(&values, GRID_SAMPLES, 8);
            Ok(js_sys::Uint8Array::from(&grey[..]).into())
        })
    }

    /// Side in pixels of the image `grid()` returns.
    #[wasm_bindgen(js_name = gridSide)]
    pub fn grid_side() -> usize {
        image::grid(&[], GRID_SAMPLES, 8).0
    }

    /// The weights as a burnpack file. Resolves to `Uint8Array`.
    pub fn save(&self) -> Promise {
        self.inner.save()
    }

    /// Replace the weights with a burnpack file. Throws a clear message and keeps the current
    /// weights if the file is damaged or belongs to another model.
    pub fn load(&self, bytes: &[u8]) -> Result<(), JsValue> {
        self.inner.load(bytes, "")
    }

    /// Change the learning rate of both optimizers.
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&self, lr: f64) -> Result<(), JsValue> {
        self.inner.set_learning_rate(lr)
    }

    /// Change the batch size.
    #[wasm_bindgen(js_name = setBatchSize)]
    pub fn set_batch_size(&self, batch: usize) -> Result<(), JsValue> {
        self.inner.set_batch_size(batch)
    }
}
