//! Alternating GAN training: one discriminator update, then one generator update, per step.
//!
//! ```
//! use burn::prelude::*;
//! use kindling::data::mnist::Mnist;
//! use kindling::gan::{GanTrainer, GanTrainingConfig};
//!
//! # let mut bytes = b"KMN1".to_vec();
//! # bytes.extend(20u32.to_le_bytes());
//! # bytes.extend(28u16.to_le_bytes());
//! # bytes.extend(28u16.to_le_bytes());
//! # bytes.extend([1u8; 20]);
//! # bytes.extend(vec![200u8; 20 * 784]);
//! let digits = Mnist::from_bytes(&bytes).unwrap();
//! let config = GanTrainingConfig::new().with_batch_size(4);
//! let mut trainer = GanTrainer::new(config, digits, &Device::flex());
//! let losses = trainer.step().into_data().try_to_vec::<f32>().unwrap();
//! assert!(losses.iter().all(|l| l.is_finite()));
//! ```

use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;

use super::model::{Discriminator, Gan, GanConfig, Generator, discriminator_loss, generator_loss};
use crate::data::mnist::{BatchSampler, Mnist, Split};
use crate::rng::SplitMix64;
use crate::weights::{self, WeightsError};

/// Number of images in the fixed latent grid the demo draws (8×8).
pub const GRID_SAMPLES: usize = 64;

/// Everything that shapes a training run.
#[derive(Config, Debug)]
pub struct GanTrainingConfig {
    /// Network sizes.
    #[config(default = "GanConfig::new()")]
    pub model: GanConfig,
    /// Adam learning rate of both networks.
    #[config(default = 2e-4)]
    pub learning_rate: f64,
    /// Adam's first-moment decay; 0.5 rather than 0.9 steadies the two-player game (Radford et
    /// al., 2015).
    #[config(default = 0.5)]
    pub beta_1: f32,
    /// Real and fake images per discriminator update.
    #[config(default = 64)]
    pub batch_size: usize,
    /// Fixes initial weights, batch order, noise and the sample grid's latent batch.
    #[config(default = 42)]
    pub seed: u64,
}

/// A GAN mid-training, with its optimizers, data and fixed sample latents.
pub struct GanTrainer {
    config: GanTrainingConfig,
    /// Networks on the autodiff device.
    generator: Generator,
    discriminator: Discriminator,
    optim_g: ModuleOptimizer,
    optim_d: ModuleOptimizer,
    digits: Mnist,
    sampler: BatchSampler,
    noise: SplitMix64,
    /// Seeds the sample grid's latents: the same 64 every time, so the reader watches the same
    /// digits form.
    grid_seed: u64,
    /// Seeds the fakes of each held-out evaluation, so evaluating never moves the training
    /// noise stream and the same weights always get the same held-out score.
    holdout_seed: u64,
    holdout: Vec<usize>,
    device: Device,
    steps: usize,
}

impl GanTrainer {
    /// A fresh run on `device` (gradients are enabled on it here).
    pub fn new(config: GanTrainingConfig, digits: Mnist, device: &Device) -> Self {
        let device = device.clone().autodiff();
        let gan = config.model.init_seeded(&device, config.seed);
        let sampler = BatchSampler::new(digits.indices(Split::Train), config.seed);
        let holdout = digits.indices(Split::Holdout);
        Self {
            generator: gan.generator,
            discriminator: gan.discriminator,
            optim_g: adam(&config),
            optim_d: adam(&config),
            noise: SplitMix64::new(config.seed.wrapping_add(1)),
            sampler,
            grid_seed: config.seed ^ 0x6C61_7465_6E74, // "latent"
            holdout,
            holdout_seed: config.seed ^ 0x686F_6C64_6F75_74, // "holdout"
            digits,
            device,
            steps: 0,
            config,
        }
    }

    /// The run's settings.
    pub fn config(&self) -> &GanTrainingConfig {
        &self.config
    }

    /// Steps taken so far.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The device training runs on (with autodiff).
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Change the learning rate from the next step on; Adam's moments are kept.
    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        self.config.learning_rate = learning_rate;
    }

    /// Change the batch size from the next step on.
    pub fn set_batch_size(&mut self, batch_size: usize) {
        assert!(batch_size > 0, "batch size must be positive");
        self.config.batch_size = batch_size;
    }

    /// One discriminator update and one generator update. Returns `[L_D, L_G]` (detached),
    /// computed before each update, for the caller to read back when it suits it.
    pub fn step(&mut self) -> Tensor<1> {
        let batch = self.config.batch_size;
        let lr = self.config.learning_rate;
        let real = self
            .digits
            .batch(&self.sampler.next_indices(batch), &self.device);
        let z = latents(
            &mut self.noise,
            batch,
            self.config.model.z_dim,
            &self.device,
        );
        let fake = self.generator.forward(z);

        // D sees a detached fake, so its backward pass stops at the generator's output.
        let loss_d = discriminator_loss(
            self.discriminator.forward(real),
            self.discriminator.forward(fake.clone().detach()),
        );
        let grads = GradientsParams::from_grads(loss_d.backward(), &self.discriminator);
        self.discriminator = self.optim_d.step(lr, self.discriminator.clone(), grads);

        // G is scored by the updated D, reusing the fake batch's graph through G.
        let loss_g = generator_loss(self.discriminator.forward(fake));
        let grads = GradientsParams::from_grads(loss_g.backward(), &self.generator);
        self.generator = self.optim_g.step(lr, self.generator.clone(), grads);

        self.steps += 1;
        Tensor::cat(vec![loss_d.detach(), loss_g.detach()], 0)
    }

    /// The 64 images of the fixed latent grid, `[64, 1, 28, 28]` in `[-1, 1]`.
    pub fn grid_samples(&self) -> Tensor<4> {
        let generator = self.generator.valid();
        let device = self.device.clone().without_autodiff();
        let z_dim = self.config.model.z_dim;
        generator.forward(latents(
            &mut SplitMix64::new(self.grid_seed),
            GRID_SAMPLES,
            z_dim,
            &device,
        ))
    }

    /// `L_D` on up to 256 held-out real digits against as many fakes (the same latents every
    /// time), without updating anything: when it climbs above the training `L_D`, D is
    /// memorising the training set.
    pub fn holdout_loss(&self) -> Tensor<1> {
        let n = self.holdout.len().min(256);
        let device = self.device.clone().without_autodiff();
        let (generator, discriminator) = (self.generator.valid(), self.discriminator.valid());
        let real = self.digits.batch(&self.holdout[..n], &device);
        let z_dim = self.config.model.z_dim;
        let z = latents(&mut SplitMix64::new(self.holdout_seed), n, z_dim, &device);
        let fake = generator.forward(z);
        discriminator_loss(discriminator.forward(real), discriminator.forward(fake))
    }

    /// Both networks as one module, for saving.
    pub fn gan(&self) -> Gan {
        Gan {
            generator: self.generator.clone(),
            discriminator: self.discriminator.clone(),
        }
    }

    /// A newly built, untrained pair of networks of this run's sizes on `device`: the target
    /// for loading weights and for host copies (see [`crate::weights`]).
    pub fn fresh_gan(&self, device: &Device) -> Gan {
        self.config.model.init(device)
    }

    /// Load a weights file. On error the running model is untouched.
    pub fn load_weights(&mut self, bytes: &[u8]) -> Result<(), WeightsError> {
        let gan = weights::load(self.fresh_gan(&self.device), bytes)?;
        self.set_gan(gan);
        Ok(())
    }

    /// Replace both networks and restart both optimizers, whose moments belong to the old
    /// weights. Private: a clone of the live model would share its batch-norm statistics, so
    /// new weights only come in through `load_weights`, which builds a fresh module.
    fn set_gan(&mut self, gan: Gan) {
        self.generator = gan.generator;
        self.discriminator = gan.discriminator;
        self.optim_g = adam(&self.config);
        self.optim_d = adam(&self.config);
    }
}

/// `n` standard-normal latent vectors, drawn on the host so every backend sees the same ones.
fn latents(rng: &mut SplitMix64, n: usize, z_dim: usize, device: &Device) -> Tensor<2> {
    let values: Vec<f32> = (0..n * z_dim).map(|_| rng.normal()).collect();
    Tensor::from_data(TensorData::new(values, [n, z_dim]), device)
}

fn adam(config: &GanTrainingConfig) -> ModuleOptimizer {
    AdamConfig::new().with_beta_1(config.beta_1).init()
}
