//! JavaScript bindings, called from the page's Web Worker (`www/js/worker.js`): one session
//! class per demo ([`gan::GanSession`], [`gpt::GptSession`]).
//!
//! Every method that reads from the device returns a `Promise`: on WebGPU in a browser only
//! asynchronous reads work. A session holds its trainer behind a `RefCell`; the worker runs one
//! call at a time, and an overlapping call gets an error rather than a panic.

use std::cell::RefCell;

use burn::prelude::*;
use burn::tensor::wgpu::WgpuBackend;
use wasm_bindgen::prelude::*;

pub mod gan;
pub mod gpt;

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

fn js<E: std::fmt::Display>(error: E) -> JsValue {
    JsError::new(&error.to_string()).into()
}
