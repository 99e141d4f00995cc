//! JavaScript bindings, called from the page's Web Worker (`www/js/worker.js`): one session
//! class per demo ([`gan::GanSession`], [`gpt::GptSession`]).
//!
//! Every method that reads from the device returns a `Promise`: on WebGPU in a browser only
//! asynchronous reads work. A session holds its trainer behind a `RefCell`; the worker runs one
//! call at a time, and an overlapping call gets an error rather than a panic.

use std::cell::RefCell;
use std::rc::Rc;

use burn::prelude::*;
use burn::tensor::wgpu::WgpuBackend;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

pub mod gan;
pub mod gpt;
pub mod translate;

/// The largest batch the page accepts: beyond it a step takes too long to watch.
const MAX_BATCH: usize = 512;

/// A clear message for a batch size or learning rate the page should not have sent.
fn check_settings(batch: usize, lr: f64) -> Result<(), JsValue> {
    if !(1..=MAX_BATCH).contains(&batch) {
        return Err(js(format!("the batch size must be 1 to {MAX_BATCH}")));
    }
    if !(lr.is_finite() && lr > 0.0) {
        return Err(js("the learning rate must be a positive number"));
    }
    Ok(())
}

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

thread_local! {
    /// WebGPU can be initialised once per worker; later sessions reuse the device.
    static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

/// The device for `backend` ("webgpu" or "cpu").
pub(crate) async fn device(backend: &str) -> Result<Device, JsError> {
    match backend {
        "cpu" => Ok(Device::flex()),
        "webgpu" => {
            if let Some(device) = WEBGPU.with_borrow(|d| d.clone()) {
                return Ok(device);
            }
            let device = Device::wgpu_options()
                .graphics_api(WgpuBackend::WebGpu)
                .init_async()
                .await
                .map_err(|e| JsError::new(&format!("WebGPU could not start: {e}")))?;
            WEBGPU.with_borrow_mut(|d| *d = Some(device.clone()));
            Ok(device)
        }
        other => Err(JsError::new(&format!("unknown backend {other:?}"))),
    }
}

async fn read<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, JsValue> {
    crate::readback::floats(tensor).await.map_err(js)
}

/// Set `key` on a plain JS object the session builds.
fn set(object: &js_sys::Object, key: &str, value: impl Into<JsValue>) {
    js_sys::Reflect::set(object, &key.into(), &value.into())
        .expect("setting a field of a plain object");
}

fn js<E: std::fmt::Display>(error: E) -> JsValue {
    JsError::new(&error.to_string()).into()
}

/// What every session asks of its trainer, so that saving, loading and the settings are
/// written once for all demos.
trait Trainer: 'static {
    type Model: Module + 'static;
    /// The live model (a cheap handle).
    fn model(&self) -> Self::Model;
    /// A newly built model of the same sizes on `device`.
    fn fresh(&self, device: &Device) -> Self::Model;
    fn load(&mut self, bytes: &[u8]) -> Result<(), crate::weights::WeightsError>;
    fn set_learning_rate(&mut self, lr: f64);
    fn set_batch_size(&mut self, batch: usize);
}

/// A session's trainer, shared with the futures its methods return.
struct Shared<T>(Rc<RefCell<T>>);

impl<T: Trainer> Shared<T> {
    fn new(trainer: T) -> Self {
        Self(Rc::new(RefCell::new(trainer)))
    }

    /// Run `work` on the trainer inside a `Promise`; an overlapping call gets an error.
    fn promise<F, Fut>(&self, work: F) -> Promise
    where
        F: FnOnce(Rc<RefCell<T>>) -> Fut,
        Fut: std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
    {
        future_to_promise(work(self.0.clone()))
    }

    fn borrow(&self) -> Result<std::cell::Ref<'_, T>, JsValue> {
        self.0.try_borrow().map_err(js)
    }

    fn borrow_mut(&self) -> Result<std::cell::RefMut<'_, T>, JsValue> {
        self.0.try_borrow_mut().map_err(js)
    }

    /// The weights as a burnpack file: resolves to `Uint8Array`.
    fn save(&self) -> Promise {
        self.promise(|inner| async move {
            let (model, host) = {
                let trainer = inner.try_borrow().map_err(js)?;
                (trainer.model(), trainer.fresh(&Device::flex()))
            };
            let bytes = crate::weights::to_bytes_async(&model, host)
                .await
                .map_err(js)?;
            Ok(js_sys::Uint8Array::from(&bytes[..]).into())
        })
    }

    /// Replace the weights; on error (`hint` is added to the message) the old ones stay.
    fn load(&self, bytes: &[u8], hint: &str) -> Result<(), JsValue> {
        let loaded = self.borrow_mut()?.load(bytes);
        loaded.map_err(|e| js(format!("{e}{hint}")))
    }

    fn set_learning_rate(&self, lr: f64) -> Result<(), JsValue> {
        check_settings(1, lr)?;
        self.borrow_mut()?.set_learning_rate(lr);
        Ok(())
    }

    fn set_batch_size(&self, batch: usize) -> Result<(), JsValue> {
        check_settings(batch, 1.0)?;
        self.borrow_mut()?.set_batch_size(batch);
        Ok(())
    }
}
