//! A GAN that learns to draw handwritten digits.
//!
//! [`model`] holds the two networks and the losses; [`training`] the alternating updates.

pub mod model;
pub mod training;

pub use model::{
    Discriminator, Gan, GanConfig, Generator, IMAGE_PIXELS, IMAGE_SIDE, discriminator_loss,
    generator_loss,
};
pub use training::{GRID_SAMPLES, GanTrainer, GanTrainingConfig};
