//! # kindling
//!
//! Tiny neural nets that learn in your browser. The same Rust code trains natively (the
//! `kindling` command) and in a web page (compiled to WebAssembly, on WebGPU or on burn's `flex`
//! CPU backend). Models are backend-free burn modules: a [`burn::prelude::Device`] picks where
//! they run.
//!
//! - [`gan`]: a GAN that learns to draw MNIST digits.
//! - [`gpt`]: a character Transformer that learns to write names or prose.
//! - [`seq2seq`]: an encoder–decoder Transformer that learns to translate dates and more.
//! - [`transformer`]: the attention blocks the Transformers share.
//! - [`data`]: the data sets, in the compact forms the build prepares.
//! - [`weights`]: saving and loading weights in burn's record format (burnpack), including
//!   from WebGPU, where reads must be asynchronous.
//! - [`image`]: sample grids as pixels.
//! - `web` (wasm only): the JavaScript bindings the page's worker calls.

pub mod data;
pub mod gan;
pub mod gpt;
pub mod image;
pub mod init;
pub mod readback;
pub mod rng;
pub mod seq2seq;
pub mod transformer;
pub mod weights;

#[cfg(target_arch = "wasm32")]
pub mod web;
