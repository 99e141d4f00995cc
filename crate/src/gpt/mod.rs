//! A character Transformer that learns to write.
//!
//! [`model`] is the network, [`training`] the AdamW loop over a [`crate::data::text`] corpus,
//! [`sample`] generation (temperature, top-k) and attention maps for a prompt.

pub mod model;
pub mod sample;
pub mod training;

pub use model::{Gpt, GptConfig, GptOutput, PRESETS, next_token_loss};
pub use sample::{AttentionMaps, SamplingConfig, attention_maps, generate};
pub use training::{GptTrainer, GptTrainingConfig};
