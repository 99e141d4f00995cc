//! The GAN's two networks and its losses.
//!
//! The generator maps noise `z` to a 28×28 image in `[-1, 1]`; the discriminator maps an image
//! to one logit, the log-odds that the image is a real digit. The losses are those of
//! Goodfellow et al. (2014), written with logits for numerical stability:
//!
//! - `L_D = −[log D(x) + log(1 − D(G(z)))]`
//! - `L_G = −log D(G(z))` (the non-saturating generator loss)
//!
//! ```
//! use burn::prelude::*;
//! use kindling::gan::GanConfig;
//!
//! let device = Device::flex();
//! let gan = GanConfig::new().init(&device);
//! let z = Tensor::<2>::zeros([2, 100], &device);
//! let images = gan.generator.forward(z);
//! assert_eq!(images.dims(), [2, 1, 28, 28]);
//! assert_eq!(gan.discriminator.forward(images).dims(), [2, 1]);
//! ```

use burn::nn::conv::{ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::loss::{BinaryCrossEntropyLoss, BinaryCrossEntropyLossConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, relu, tanh};

/// Side length of an MNIST image.
pub const IMAGE_SIDE: usize = 28;
/// Pixels in one image.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;

/// Sizes of both networks.
#[derive(Config, Debug)]
pub struct GanConfig {
    /// Length of the noise vector `z`.
    #[config(default = 100)]
    pub z_dim: usize,
    /// Channels of the generator's 7×7 seed feature map.
    #[config(default = 128)]
    pub g_channels: usize,
    /// Width of the discriminator's first hidden layer (the second is half of it).
    #[config(default = 512)]
    pub d_hidden: usize,
    /// Negative slope of the discriminator's LeakyReLU.
    #[config(default = 0.2)]
    pub leaky_slope: f64,
    /// Batch normalisation in the generator, after the projection and the first upsampling
    /// (Radford et al., 2015).
    #[config(default = true)]
    pub batch_norm: bool,
}

impl GanConfig {
    /// Both networks, freshly initialised on `device`.
    pub fn init(&self, device: &Device) -> Gan {
        Gan {
            generator: Generator::new(self, device),
            discriminator: Discriminator::new(self, device),
        }
    }

    /// Both networks with weights fixed by `seed` (for one backend); see [`crate::init`].
    pub fn init_seeded(&self, device: &Device, seed: u64) -> Gan {
        crate::init::seeded(device, seed, |d| self.init(d))
    }
}

/// Generator and discriminator together: one module, so one weights file holds both.
#[derive(Module, Debug)]
pub struct Gan {
    /// Noise to image.
    pub generator: Generator,
    /// Image to real/fake logit.
    pub discriminator: Discriminator,
}

/// Noise `[batch, z_dim]` → image `[batch, 1, 28, 28]`, upsampling 7 → 14 → 28.
#[derive(Module, Debug)]
pub struct Generator {
    project: Linear,
    norm0: Option<BatchNorm>,
    up1: ConvTranspose2d,
    norm1: Option<BatchNorm>,
    up2: ConvTranspose2d,
    g_channels: usize,
}

impl Generator {
    fn new(config: &GanConfig, device: &Device) -> Self {
        let c = config.g_channels;
        // kernel 4, stride 2, padding 1 doubles the side exactly: (n − 1)·2 − 2 + 4 = 2n.
        let up = |from: usize, to: usize| {
            ConvTranspose2dConfig::new([from, to], [4, 4])
                .with_stride([2, 2])
                .with_padding([1, 1])
                .init(device)
        };
        let norm = |features: usize| {
            config
                .batch_norm
                .then(|| BatchNormConfig::new(features).init(device))
        };
        Self {
            project: LinearConfig::new(config.z_dim, 7 * 7 * c).init(device),
            norm0: norm(c),
            up1: up(c, c / 2),
            norm1: norm(c / 2),
            up2: up(c / 2, 1),
            g_channels: c,
        }
    }

    /// Images in `[-1, 1]` for a batch of noise vectors.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<4> {
        let [batch, _] = z.dims();
        let normed = |norm: &Option<BatchNorm>, x: Tensor<4>| match norm {
            Some(norm) => norm.forward(x),
            None => x,
        };
        let x = self
            .project
            .forward(z)
            .reshape([batch, self.g_channels, 7, 7]);
        let x = relu(normed(&self.norm0, x));
        let x = relu(normed(&self.norm1, self.up1.forward(x)));
        tanh(self.up2.forward(x))
    }
}

/// Image `[batch, 1, 28, 28]` → logit `[batch, 1]`.
#[derive(Module, Debug)]
pub struct Discriminator {
    hidden1: Linear,
    hidden2: Linear,
    output: Linear,
    leaky_slope: f64,
}

impl Discriminator {
    fn new(config: &GanConfig, device: &Device) -> Self {
        let h = config.d_hidden;
        Self {
            hidden1: LinearConfig::new(IMAGE_PIXELS, h).init(device),
            hidden2: LinearConfig::new(h, h / 2).init(device),
            output: LinearConfig::new(h / 2, 1).init(device),
            leaky_slope: config.leaky_slope,
        }
    }

    /// The logit that each image is real.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let x: Tensor<2> = images.flatten(1, 3);
        let x = leaky_relu(self.hidden1.forward(x), self.leaky_slope);
        let x = leaky_relu(self.hidden2.forward(x), self.leaky_slope);
        self.output.forward(x)
    }
}

/// Binary cross-entropy of logits against a constant label, averaged over the batch.
fn bce_against(bce: &BinaryCrossEntropyLoss, logits: Tensor<2>, label: i64) -> Tensor<1> {
    let targets = Tensor::<2, Int>::full(logits.dims(), label, &logits.device());
    bce.forward(logits, targets)
}

fn logit_bce(device: &Device) -> BinaryCrossEntropyLoss {
    BinaryCrossEntropyLossConfig::new()
        .with_logits(true)
        .init(device)
}

/// `L_D = −[log D(x) + log(1 − D(G(z)))]`, each term a batch mean; shape `[1]`.
pub fn discriminator_loss(real_logits: Tensor<2>, fake_logits: Tensor<2>) -> Tensor<1> {
    let bce = logit_bce(&real_logits.device());
    bce_against(&bce, real_logits, 1) + bce_against(&bce, fake_logits, 0)
}

/// `L_G = −log D(G(z))`, a batch mean; shape `[1]`.
pub fn generator_loss(fake_logits: Tensor<2>) -> Tensor<1> {
    let bce = logit_bce(&fake_logits.device());
    bce_against(&bce, fake_logits, 1)
}
