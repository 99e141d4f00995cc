//! Reading tensors back to the host.
//!
//! On WebGPU in a browser only asynchronous reads work (a synchronous one traps), so every read
//! in kindling goes through [`floats`]; native code drives it with [`block_on`].

use burn::prelude::*;

/// The values of `tensor`, flattened, as `f32`.
pub async fn floats<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, String> {
    let data = tensor.into_data_async().await;
    let data = data.map_err(|e| format!("reading from the device failed: {e:?}"))?;
    data.convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| format!("{e:?}"))
}

/// Run a future to completion on this thread. Native backends resolve reads at once, so a
/// waker that does nothing is enough (this is not an executor for real I/O).
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        std::thread::yield_now();
    }
}
