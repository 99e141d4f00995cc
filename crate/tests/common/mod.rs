//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test file uses its own subset

use burn::module::{ModuleVisitor, Param};
use burn::prelude::*;

pub fn device() -> Device {
    Device::flex()
}

pub fn values<const D: usize>(tensor: Tensor<D>) -> Vec<f32> {
    tensor.into_data().try_to_vec::<f32>().unwrap()
}

/// burn's random generator is process-wide, and the test harness runs tests on several threads:
/// everything that draws from it (weight init, `Tensor::random`) holds this lock, or a seeded
/// run could be interleaved with another test's draws.
static RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn with_rng<T>(f: impl FnOnce() -> T) -> T {
    let _guard = RNG.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    f()
}

/// Every parameter value in visit order. Unlike the weights file, this leaves out parameter
/// ids, which are unique per module instance.
pub fn parameters<M: Module>(module: &M) -> Vec<f32> {
    struct Values(Vec<f32>);
    impl ModuleVisitor for Values {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.extend(param.val().into_data().iter::<f32>());
        }
    }
    let mut values = Values(Vec::new());
    module.visit(&mut values);
    values.0
}
