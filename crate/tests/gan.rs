//! The GAN on the CPU backend: shapes, losses against hand computation, learning, determinism,
//! and weights files.

mod common;

use burn::prelude::*;
use common::{device, parameters, values, with_rng};
use kindling::data::mnist::Mnist;
use kindling::gan::{
    Gan, GanConfig, GanTrainer, GanTrainingConfig, discriminator_loss, generator_loss,
};
use kindling::readback::block_on;
use kindling::weights::{self, WeightsError};

/// A small synthetic digits file: "ones" are a vertical bar, other digits a horizontal one, so
/// the images are structured enough for D to learn within a few steps.
fn digits(count: usize) -> Mnist {
    let mut bytes = b"KMN1".to_vec();
    bytes.extend((count as u32).to_le_bytes());
    bytes.extend(28u16.to_le_bytes());
    bytes.extend(28u16.to_le_bytes());
    bytes.extend((0..count).map(|i| (i % 10) as u8));
    for i in 0..count {
        for p in 0..784 {
            let (row, col) = (p / 28, p % 28);
            let on = if i % 10 == 1 {
                (12..16).contains(&col)
            } else {
                (12..16).contains(&row)
            };
            bytes.push(if on { 255 } else { 0 });
        }
    }
    Mnist::from_bytes(&bytes).unwrap()
}

fn trainer(seed: u64) -> GanTrainer {
    let config = GanTrainingConfig::new().with_batch_size(8).with_seed(seed);
    with_rng(|| GanTrainer::new(config, digits(40), &device()))
}

fn fresh_gan(config: GanConfig) -> Gan {
    with_rng(|| config.init(&device()))
}

mod shapes {
    use super::*;

    #[test]
    fn generator_upsamples_noise_to_28_by_28_in_tanh_range() {
        let gan = fresh_gan(GanConfig::new());
        let normal = burn::tensor::Distribution::Normal(0.0, 3.0);
        let z = with_rng(|| Tensor::<2>::random([3, 100], normal, &device()));
        let images = gan.generator.forward(z);
        assert_eq!(images.dims(), [3, 1, 28, 28]);
        assert!(values(images).iter().all(|v| (-1.0..=1.0).contains(v)));
    }

    #[test]
    fn discriminator_gives_one_logit_per_image() {
        let gan = fresh_gan(GanConfig::new());
        let images = Tensor::<4>::zeros([5, 1, 28, 28], &device());
        assert_eq!(gan.discriminator.forward(images).dims(), [5, 1]);
    }

    #[test]
    fn grid_samples_are_the_fixed_64() {
        let t = trainer(1);
        assert_eq!(t.grid_samples().dims(), [64, 1, 28, 28]);
    }
}

mod losses {
    use super::*;

    fn logits(v: &[f32]) -> Tensor<2> {
        Tensor::<1>::from_floats(v, &device()).reshape([v.len(), 1])
    }

    fn sigmoid(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    #[test]
    fn discriminator_loss_matches_the_formula_by_hand() {
        let (real, fake) = ([2.0, -0.5, 0.3], [-1.0, 0.7, 0.0]);
        // L_D = −[mean log σ(r) + mean log(1 − σ(f))], in f64 from the definition.
        let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
        let real_term = mean(&real.map(|r| sigmoid(r).ln()));
        let fake_term = mean(&fake.map(|f| (1.0 - sigmoid(f)).ln()));
        let expected = -(real_term + fake_term);
        let real = real.map(|x| x as f32);
        let fake = fake.map(|x| x as f32);
        let got = values(discriminator_loss(logits(&real), logits(&fake)))[0] as f64;
        assert!(
            (got - expected).abs() < 1e-5,
            "got {got}, expected {expected}"
        );
    }

    #[test]
    fn generator_loss_matches_the_formula_by_hand() {
        let fake = [-1.0, 0.7, 0.0, 4.0];
        let expected = -fake.map(|f: f64| sigmoid(f).ln()).iter().sum::<f64>() / 4.0;
        let got = values(generator_loss(logits(&fake.map(|x| x as f32))))[0] as f64;
        assert!(
            (got - expected).abs() < 1e-5,
            "got {got}, expected {expected}"
        );
    }

    #[test]
    fn a_perfectly_unsure_discriminator_scores_2_ln_2() {
        // D(x) = 1/2 everywhere: L_D = 2 ln 2 and L_G = ln 2, the GAN's equilibrium values.
        let zero = logits(&[0.0, 0.0]);
        let l_d = values(discriminator_loss(zero.clone(), zero.clone()))[0];
        let l_g = values(generator_loss(zero))[0];
        assert!((l_d - 2.0 * std::f32::consts::LN_2).abs() < 1e-6);
        assert!((l_g - std::f32::consts::LN_2).abs() < 1e-6);
    }
}

mod training {
    use super::*;

    fn weights_of(t: &GanTrainer) -> Vec<f32> {
        parameters(&t.gan())
    }

    #[test]
    fn a_step_changes_both_networks_and_gives_finite_losses() {
        let mut t = trainer(3);
        let gan_before = t.gan();
        let g_before = weights::to_bytes(gan_before.generator).unwrap();
        let d_before = weights::to_bytes(gan_before.discriminator).unwrap();
        let losses = values(t.step());
        assert_eq!(losses.len(), 2);
        assert!(losses.iter().all(|l| l.is_finite()));
        assert_ne!(weights::to_bytes(t.gan().generator).unwrap(), g_before);
        assert_ne!(weights::to_bytes(t.gan().discriminator).unwrap(), d_before);
        assert_eq!(t.steps(), 1);
    }

    #[test]
    fn discriminator_updates_lower_its_loss_on_a_fixed_batch() {
        // Hold one real batch and one fake batch fixed; a few of the trainer's D updates must
        // lower L_D on exactly those images.
        let mut t = trainer(4);
        let dev = device();
        let real = digits(40).batch(&[0, 1, 2, 3, 11, 21, 5, 7], &dev);
        let fake = t.grid_samples().slice(0..8);
        let score = |t: &GanTrainer| {
            let d = t.gan().discriminator.valid();
            values(discriminator_loss(
                d.forward(real.clone()),
                d.forward(fake.clone()),
            ))[0]
        };
        let before = score(&t);
        for _ in 0..5 {
            t.step();
        }
        let after = score(&t);
        assert!(
            after < before - 0.05,
            "L_D on the fixed batch went {before} → {after}"
        );
    }

    #[test]
    fn same_seed_gives_same_weights_and_samples_and_other_seed_differs() {
        let (mut a, mut b, mut c) = (trainer(7), trainer(7), trainer(8));
        assert_eq!(weights_of(&a), weights_of(&b));
        assert_ne!(weights_of(&a), weights_of(&c));
        for _ in 0..3 {
            assert_eq!(values(a.step()), values(b.step()));
            c.step();
        }
        assert_eq!(values(a.grid_samples()), values(b.grid_samples()));
        assert_ne!(values(a.grid_samples()), values(c.grid_samples()));
    }

    #[test]
    fn holdout_loss_is_repeatable_and_leaves_the_run_alone() {
        let (mut watched, mut plain) = (trainer(5), trainer(5));
        let before = weights_of(&watched);
        let loss = values(watched.holdout_loss())[0];
        assert!(loss.is_finite() && loss > 0.0);
        assert_eq!(
            values(watched.holdout_loss())[0],
            loss,
            "same weights, same score"
        );
        assert_eq!(weights_of(&watched), before);
        // Evaluating between steps must not change what training does next.
        for _ in 0..3 {
            watched.holdout_loss();
            assert_eq!(values(watched.step()), values(plain.step()));
        }
    }
}

mod weights_files {
    use super::*;

    #[test]
    fn save_then_load_round_trips_exactly() {
        let mut t = trainer(9);
        t.step();
        let bytes = weights::to_bytes(t.gan()).unwrap();
        let fresh = trainer(10);
        let loaded = weights::load(fresh.fresh_gan(&device()), &bytes).unwrap();
        // Values, running statistics included; burn gives loaded running statistics new ids,
        // so the files differ in those ids only.
        assert_eq!(parameters(&loaded), parameters(&t.gan()));
        assert_ne!(parameters(&loaded), parameters(&fresh.gan()));
        // Inference reads the running statistics from their last sync, which the saved model
        // has not had since its step; so compare the loaded model with a reload of itself.
        let z = Tensor::<2>::ones([2, 100], &device());
        let resaved = weights::to_bytes(loaded.clone()).unwrap();
        let reloaded = weights::load(fresh.fresh_gan(&device()), &resaved).unwrap();
        assert_eq!(
            values(loaded.generator.valid().forward(z.clone())),
            values(reloaded.generator.valid().forward(z))
        );
    }

    #[test]
    fn async_host_copy_records_the_same_values_as_the_direct_path() {
        let mut t = trainer(11);
        t.step();
        let direct = weights::to_bytes(t.gan()).unwrap();
        let host = t.fresh_gan(&device());
        let via_host = block_on(weights::to_bytes_async(&t.gan(), host)).unwrap();
        assert_eq!(via_host.len(), direct.len());
        let load =
            |bytes: &[u8]| parameters(&weights::load(t.fresh_gan(&device()), bytes).unwrap());
        assert_eq!(load(&via_host), load(&direct));
        assert_eq!(load(&direct), parameters(&t.gan()));
    }

    #[test]
    fn corrupt_files_are_rejected_with_a_message_and_the_model_kept() {
        let t = trainer(12);
        let good = weights::to_bytes(t.gan()).unwrap();
        for bad in [
            vec![],
            b"not weights at all".to_vec(),
            good[..good.len() / 2].to_vec(),
        ] {
            match weights::load(t.fresh_gan(&device()), &bad) {
                Err(WeightsError::Unreadable(why)) => assert!(!why.is_empty()),
                other => panic!("expected Unreadable, got {:?}", other.map(|_| ())),
            }
        }
        assert_eq!(weights::to_bytes(t.gan()).unwrap(), good, "model untouched");
    }

    #[test]
    fn weights_of_another_model_size_are_a_mismatch() {
        let small = fresh_gan(GanConfig::new().with_g_channels(32));
        let bytes = weights::to_bytes(small).unwrap();
        let t = trainer(13);
        let err = weights::load(t.fresh_gan(&device()), &bytes).unwrap_err();
        assert!(matches!(err, WeightsError::Mismatch(_)), "{err:?}");
        assert!(err.to_string().contains("another model"));
        // Only the generator's weights: the discriminator's are missing.
        let generator_only = weights::to_bytes(t.gan().generator).unwrap();
        assert!(matches!(
            weights::load(t.fresh_gan(&device()), &generator_only),
            Err(WeightsError::Mismatch(_))
        ));
    }

    #[test]
    fn loading_into_a_trainer_reproduces_the_saved_samples_and_training_goes_on() {
        let mut t = trainer(14);
        t.step();
        let samples = values(t.grid_samples());
        let bytes = weights::to_bytes(t.gan()).unwrap();
        // Same seed, so the same grid latents; its own step leaves batch-norm statistics
        // pending, which must not leak into the loaded model.
        let mut other = trainer(14);
        other.step();
        other.step();
        other.load_weights(&bytes).unwrap();
        assert_eq!(values(other.grid_samples()), samples);
        t.load_weights(&bytes).unwrap();
        assert_eq!(
            values(t.grid_samples()),
            samples,
            "reloading its own file changed the model"
        );
        let before = parameters(&other.gan());
        assert!(values(other.step()).iter().all(|l| l.is_finite()));
        assert_ne!(
            parameters(&other.gan()),
            before,
            "loaded weights must still train"
        );
    }

    #[test]
    fn a_mismatched_file_leaves_the_running_model_exactly_as_it_was() {
        let mut t = trainer(16);
        t.step();
        let samples = values(t.grid_samples());
        let before = parameters(&t.gan());
        let small = fresh_gan(GanConfig::new().with_g_channels(32));
        assert!(t.load_weights(&weights::to_bytes(small).unwrap()).is_err());
        assert_eq!(parameters(&t.gan()), before);
        assert_eq!(values(t.grid_samples()), samples);
    }
}
