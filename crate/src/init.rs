//! Reproducible initialisation.
//!
//! burn initialises parameters lazily, on first use, from a process-wide generator. Seeding
//! that generator and then building a module is not enough: a draw elsewhere before the first
//! forward pass would move the stream. [`seeded`] seeds it and materialises every parameter at
//! once, so the same seed gives the same weights on a given backend.

use burn::module::{ModuleVisitor, Param};
use burn::prelude::*;

/// The module `build` makes on `device`, with weights fixed by `seed`.
pub fn seeded<M: Module>(device: &Device, seed: u64, build: impl FnOnce(&Device) -> M) -> M {
    device.seed(seed);
    let module = build(device);
    module.visit(&mut Materialise);
    module
}

struct Materialise;

impl ModuleVisitor for Materialise {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let _ = param.val();
    }
}
