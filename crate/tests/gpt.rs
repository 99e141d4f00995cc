//! The character Transformer on the CPU backend: attention against an independent
//! implementation and a hand computation, the loss, learning, sampling and weights files.

mod common;

use burn::module::Param;
use burn::nn::attention::{MhaInput, MultiHeadAttention, MultiHeadAttentionConfig};
use burn::prelude::*;
use common::{device, parameters, values, with_rng};
use kindling::data::text::TextCorpus;
use kindling::gpt::{GptConfig, GptTrainer, GptTrainingConfig, SamplingConfig, next_token_loss};
use kindling::readback::block_on;
use kindling::rng::SplitMix64;
use kindling::transformer::causal_mask;
use kindling::weights;

/// A names list with structure to learn: every name is a consonant-vowel pattern.
fn names_text() -> String {
    let (consonants, vowels) = (["b", "d", "k", "m", "t"], ["a", "e", "o"]);
    let mut names = Vec::new();
    for (i, c) in consonants.iter().enumerate() {
        for (j, v) in vowels.iter().enumerate() {
            names.push(format!("{c}{v}{}{v}", consonants[(i + j) % 5]));
            names.push(format!("{c}{v}{c}{v}{}", consonants[(i + 2 * j + 1) % 5]));
        }
    }
    names.join("\n")
}

fn trainer(preset: &str, seed: u64) -> GptTrainer {
    let corpus = TextCorpus::names(&names_text()).unwrap();
    let model = GptConfig::preset(preset, 0).unwrap();
    let config = GptTrainingConfig::new(model)
        .with_batch_size(8)
        .with_seed(seed);
    with_rng(|| GptTrainer::new(config, corpus, &device()))
}

fn scalar(tensor: Tensor<1>) -> f32 {
    values(tensor)[0]
}

mod attention {
    use super::*;

    fn matrix(rows: usize, cols: usize, f: impl Fn(usize, usize) -> f64) -> Vec<Vec<f64>> {
        (0..rows)
            .map(|i| (0..cols).map(|j| f(i, j)).collect())
            .collect()
    }

    fn tensor2(m: &[Vec<f64>]) -> Tensor<2> {
        let flat: Vec<f32> = m.iter().flatten().map(|&v| v as f32).collect();
        Tensor::from_data(TensorData::new(flat, [m.len(), m[0].len()]), &device())
    }

    fn tensor1(v: &[f64]) -> Tensor<1> {
        let flat: Vec<f32> = v.iter().map(|&v| v as f32).collect();
        Tensor::from_data(TensorData::new(flat, [v.len()]), &device())
    }

    /// An attention layer with the given projections (burn's `Linear` computes `x·W + b`).
    fn layer(n_heads: usize, w: [&[Vec<f64>]; 4], b: [&[f64]; 4]) -> MultiHeadAttention {
        let mut mha = with_rng(|| MultiHeadAttentionConfig::new(4, n_heads).init(&device()));
        for (linear, (w, b)) in [
            &mut mha.query,
            &mut mha.key,
            &mut mha.value,
            &mut mha.output,
        ]
        .into_iter()
        .zip(w.into_iter().zip(b))
        {
            linear.weight = Param::from_tensor(tensor2(w));
            linear.bias = Some(Param::from_tensor(tensor1(b)));
        }
        mha
    }

    /// Causal multi-head attention written out in f64, independent of burn: project, split
    /// into heads, softmax(q·kᵀ/√d_k) over keys `j ≤ i`, weight the values, concatenate,
    /// project. Returns (output, weights[head][i][j]).
    fn reference(
        x: &[Vec<f64>],
        n_heads: usize,
        w: [&[Vec<f64>]; 4],
        b: [&[f64]; 4],
    ) -> (Vec<Vec<f64>>, Vec<Vec<Vec<f64>>>) {
        let project = |x: &[Vec<f64>], w: &[Vec<f64>], b: &[f64]| {
            matrix(x.len(), b.len(), |i, o| {
                b[o] + (0..x[i].len()).map(|k| x[i][k] * w[k][o]).sum::<f64>()
            })
        };
        let (q, k, v) = (
            project(x, w[0], b[0]),
            project(x, w[1], b[1]),
            project(x, w[2], b[2]),
        );
        let (n, d_k) = (x.len(), 4 / n_heads);
        let mut context = vec![vec![0.0; 4]; n];
        let mut weights = Vec::new();
        for h in 0..n_heads {
            let cols = h * d_k..(h + 1) * d_k;
            let mut head = vec![vec![0.0; n]; n];
            for i in 0..n {
                let scores: Vec<f64> = (0..=i)
                    .map(|j| {
                        cols.clone().map(|c| q[i][c] * k[j][c]).sum::<f64>() / (d_k as f64).sqrt()
                    })
                    .collect();
                let top = scores.iter().cloned().fold(f64::MIN, f64::max);
                let total: f64 = scores.iter().map(|s| (s - top).exp()).sum();
                for j in 0..=i {
                    head[i][j] = (scores[j] - top).exp() / total;
                    for c in cols.clone() {
                        context[i][c] += head[i][j] * v[j][c];
                    }
                }
            }
            weights.push(head);
        }
        (project(&context, w[3], b[3]), weights)
    }

    fn run(mha: &MultiHeadAttention, x: &[Vec<f64>]) -> (Vec<f32>, Vec<f32>) {
        let input = tensor2(x).reshape([1, x.len(), 4]);
        let out =
            mha.forward(MhaInput::self_attn(input).mask_attn(causal_mask(1, x.len(), &device())));
        (values(out.context), values(out.weights))
    }

    /// Four tokens, d_model 4.
    fn tokens() -> Vec<Vec<f64>> {
        vec![
            vec![1.0, 0.0, 1.0, 0.0],
            vec![0.0, 2.0, 0.0, 2.0],
            vec![1.0, 1.0, 1.0, 1.0],
            vec![0.5, 0.0, 0.5, 0.0],
        ]
    }

    #[test]
    fn four_tokens_with_identity_projections_match_a_hand_computation() {
        let eye = matrix(4, 4, |i, j| (i == j) as u8 as f64);
        let zero = [0.0; 4];
        let mha = layer(1, [&eye, &eye, &eye, &eye], [&zero; 4]);
        let (out, weights) = run(&mha, &tokens());
        // Row 0 sees only itself: its output is token 0.
        assert_eq!(&weights[0..4], &[1.0, 0.0, 0.0, 0.0]);
        for c in 0..4 {
            assert!((out[c] - [1.0, 0.0, 1.0, 0.0][c]).abs() < 1e-6);
        }
        // Row 1: scores x1·x0/√4 = 0 and x1·x1/√4 = 8/2 = 4, so the weights are
        // 1/(1+e⁴) = 0.0179862 and e⁴/(1+e⁴) = 0.9820138, and the output is their mix.
        let (w10, w11) = (1.0 / (1.0 + 4f64.exp()), 4f64.exp() / (1.0 + 4f64.exp()));
        assert!((weights[4] as f64 - 0.0179862).abs() < 1e-6);
        assert!((weights[5] as f64 - 0.9820138).abs() < 1e-6);
        assert_eq!(&weights[6..8], &[0.0, 0.0]);
        let row1 = [w10, 2.0 * w11, w10, 2.0 * w11];
        for c in 0..4 {
            assert!(
                (out[4 + c] as f64 - row1[c]).abs() < 1e-5,
                "{:?}",
                &out[4..8]
            );
        }
    }

    #[test]
    fn multi_head_attention_matches_an_independent_implementation() {
        let w: Vec<Vec<Vec<f64>>> = (0..4)
            .map(|m| {
                matrix(4, 4, |i, j| {
                    ((i * 7 + j * 3 + m * 5) % 9) as f64 / 8.0 - 0.5
                })
            })
            .collect();
        let b: Vec<Vec<f64>> = (0..4)
            .map(|m| (0..4).map(|o| (o + m) as f64 * 0.1 - 0.2).collect())
            .collect();
        let w = [&w[0][..], &w[1][..], &w[2][..], &w[3][..]];
        let b = [&b[0][..], &b[1][..], &b[2][..], &b[3][..]];
        for n_heads in [1, 2, 4] {
            let (out, weights) = run(&layer(n_heads, w, b), &tokens());
            let (want_out, want_weights) = reference(&tokens(), n_heads, w, b);
            for (got, want) in out.iter().zip(want_out.iter().flatten()) {
                assert!(
                    (*got as f64 - want).abs() < 1e-5,
                    "{n_heads} heads: {got} vs {want}"
                );
            }
            let want_weights: Vec<f64> = want_weights.into_iter().flatten().flatten().collect();
            for (got, want) in weights.iter().zip(&want_weights) {
                assert!(
                    (*got as f64 - want).abs() < 1e-5,
                    "{n_heads} heads: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn model_attention_rows_sum_to_one_and_never_look_ahead() {
        let model = with_rng(|| GptConfig::preset("tiny", 11).unwrap().init(&device()));
        let ids: Vec<i32> = (0..2 * 9).map(|i| (i * 5 % 11) as i32).collect();
        let tokens = Tensor::<2, Int>::from_data(TensorData::new(ids, [2, 9]), &device());
        let out = model.forward(tokens);
        assert_eq!(out.attention.len(), 2);
        for layer in out.attention {
            assert_eq!(layer.dims(), [2, 4, 9, 9]);
            let w = values(layer);
            for row in w.chunks(9).enumerate() {
                let (i, row) = (row.0 % 9, row.1);
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
                assert!(
                    row[i + 1..].iter().all(|&v| v == 0.0),
                    "query {i} sees ahead: {row:?}"
                );
            }
        }
    }

    #[test]
    fn changing_a_later_token_leaves_earlier_logits_alone() {
        let model = with_rng(|| GptConfig::preset("tiny", 11).unwrap().init(&device()));
        let logits = |last: i32| {
            let ids = vec![1, 4, 2, 7, 3, last];
            let tokens = Tensor::<2, Int>::from_data(TensorData::new(ids, [1, 6]), &device());
            values(model.forward(tokens).logits)
        };
        let (a, b) = (logits(5), logits(9));
        assert_eq!(&a[..5 * 11], &b[..5 * 11]);
        assert_ne!(&a[5 * 11..], &b[5 * 11..]);
    }
}

mod loss {
    use super::*;

    #[test]
    fn next_token_loss_is_the_mean_negative_log_likelihood_of_unpadded_targets() {
        let raw = [
            0.5f32, -1.0, 2.0, 0.0, 1.5, 0.25, -0.5, 3.0, 0.0, 0.0, 1.0, -2.0,
        ];
        let logits = Tensor::<1>::from_floats(raw, &device()).reshape([1, 3, 4]);
        let targets =
            Tensor::<2, Int>::from_data(TensorData::new(vec![2, 0, 3], [1, 3]), &device());
        // Target 3 is padding here, so only the first two places count.
        let got = scalar(next_token_loss(logits.clone(), targets.clone(), Some(3)));
        let nll = |row: &[f32], t: usize| {
            let total: f64 = row.iter().map(|&v| (v as f64).exp()).sum();
            total.ln() - row[t] as f64
        };
        let want = (nll(&raw[0..4], 2) + nll(&raw[4..8], 0)) / 2.0;
        assert!((got as f64 - want).abs() < 1e-5, "{got} vs {want}");
        let all = scalar(next_token_loss(logits, targets, None));
        let want_all = (nll(&raw[0..4], 2) + nll(&raw[4..8], 0) + nll(&raw[8..12], 3)) / 3.0;
        assert!((all as f64 - want_all).abs() < 1e-5, "{all} vs {want_all}");
    }

    #[test]
    fn an_untrained_model_starts_near_the_uniform_loss() {
        let t = trainer("tiny", 3);
        let uniform = (t.config().model.vocab_size as f32).ln();
        let start = scalar(t.validation_loss());
        assert!(
            (start - uniform).abs() < 0.5,
            "{start} vs ln(V) = {uniform}"
        );
    }
}

mod training {
    use super::*;

    #[test]
    fn loss_on_a_fixed_batch_falls_within_a_few_steps() {
        let mut t = trainer("tiny", 5);
        let batch = t.corpus().train_batch(&mut SplitMix64::new(1), 16, 32);
        let first = scalar(t.step_on(&batch));
        let mut last = first;
        for _ in 0..15 {
            last = scalar(t.step_on(&batch));
        }
        assert!(last < 0.6 * first, "loss went from {first} to {last}");
    }

    #[test]
    fn validation_loss_falls_with_training() {
        let mut t = trainer("tiny", 6);
        let before = scalar(t.validation_loss());
        for _ in 0..60 {
            t.step();
        }
        let after = scalar(t.validation_loss());
        assert!(
            after < before - 0.8,
            "validation loss went from {before} to {after}"
        );
    }

    #[test]
    fn the_full_validation_loss_weights_batches_by_their_tokens() {
        let mut t = trainer("tiny", 12);
        for _ in 0..10 {
            t.step();
        }
        let one_batch = scalar(t.full_validation_loss(1000));
        let per_name = scalar(t.full_validation_loss(1));
        assert!(
            (one_batch - per_name).abs() < 1e-5,
            "{one_batch} vs {per_name}"
        );
        // This held-out set is smaller than the estimate's budget, so both read all of it.
        assert!((scalar(t.validation_loss()) - one_batch).abs() < 1e-5);
    }

    #[test]
    fn the_same_seed_gives_the_same_samples() {
        let sampling = SamplingConfig::new();
        let run = |seed| {
            let mut t = trainer("tiny", seed);
            for _ in 0..5 {
                t.step();
            }
            block_on(t.samples(6, 12, sampling)).unwrap()
        };
        let (a, b, c) = (run(7), run(7), run(8));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn generation_writes_only_vocabulary_characters_and_stops_at_the_end_token() {
        let mut t = trainer("tiny", 9);
        for _ in 0..80 {
            t.step();
        }
        let letters: String = names_text().replace('\n', "");
        let samples = block_on(t.samples(20, 15, SamplingConfig::new())).unwrap();
        for s in &samples {
            assert!(s.chars().all(|c| letters.contains(c)), "{s:?}");
            assert!(s.chars().count() <= 15);
        }
        // Trained names are 4–5 letters, so most samples end well before the limit.
        let ended = samples.iter().filter(|s| s.chars().count() < 15).count();
        assert!(ended >= 15, "{samples:?}");
        let more = block_on(t.complete("ba", 10, SamplingConfig::new().with_temperature(0.0)));
        assert!(more.unwrap().chars().all(|c| letters.contains(c)));
    }

    #[test]
    fn sampling_follows_temperature_and_top_k() {
        let logits = [0.0f32, (3.0f32).ln(), -1.0, 0.5];
        let mut rng = SplitMix64::new(4);
        let greedy = SamplingConfig::new().with_temperature(0.0);
        assert_eq!(greedy.pick(&logits, None, &mut rng), 1);
        // The padding token is never picked, even when it is the most likely.
        assert_eq!(greedy.pick(&logits, Some(1), &mut rng), 3);
        // Top-2 of [1, 3, e⁻¹, e^0.5] are tokens 1 and 3: p = 3 / (3 + e^0.5) = 0.6453.
        let top2 = SamplingConfig::new().with_top_k(2);
        let draws: Vec<usize> = (0..4000)
            .map(|_| top2.pick(&logits, None, &mut rng))
            .collect();
        assert!(draws.iter().all(|&d| d == 1 || d == 3));
        let p1 = draws.iter().filter(|&&d| d == 1).count() as f64 / 4000.0;
        let want = 3.0 / (3.0 + 0.5f64.exp());
        assert!((p1 - want).abs() < 0.03, "{p1} vs {want}");
    }

    #[test]
    fn attention_for_a_prompt_is_sized_to_it() {
        let t = trainer("tiny", 10);
        let (tokens, maps) = block_on(t.attention("Bake")).unwrap();
        assert_eq!(tokens, vec!['⏎', 'b', 'a', 'k', 'e']);
        assert_eq!((maps.n_layer, maps.n_head, maps.len), (2, 4, 5));
        assert_eq!(maps.weights.len(), 2 * 4 * 5 * 5);
        assert_eq!(maps.get(1, 3, 0, 0), 1.0);
        let err = block_on(t.attention("bz")).unwrap_err();
        assert!(err.contains("'z'"), "{err}");
    }

    #[test]
    fn the_parameter_count_matches_the_module() {
        for preset in ["tiny", "small"] {
            let config = GptConfig::preset(preset, 29).unwrap();
            let model = with_rng(|| config.init(&device()));
            assert_eq!(config.parameters(), model.num_params(), "{preset}");
        }
    }
}

mod weights_files {
    use super::*;

    #[test]
    fn saved_weights_load_into_another_run_and_write_the_same() {
        let mut a = trainer("tiny", 20);
        for _ in 0..5 {
            a.step();
        }
        let bytes = weights::to_bytes(a.model()).unwrap();
        let via_host = block_on(weights::to_bytes_async(
            &a.model(),
            a.fresh_model(&device()),
        ));
        assert_eq!(via_host.unwrap().len(), bytes.len());
        let mut b = trainer("tiny", 20);
        b.load_weights(&bytes).unwrap();
        assert_eq!(parameters(&b.model()), parameters(&a.model()));
        let sampling = SamplingConfig::new();
        assert_eq!(
            block_on(b.samples(5, 10, sampling)),
            block_on(a.samples(5, 10, sampling))
        );
    }

    #[test]
    fn weights_of_another_size_or_a_damaged_file_are_refused_and_the_model_kept() {
        let small = trainer("small", 21);
        let mut tiny = trainer("tiny", 22);
        let before = parameters(&tiny.model());
        let err = tiny
            .load_weights(&weights::to_bytes(small.model()).unwrap())
            .unwrap_err();
        assert!(!err.to_string().is_empty());
        let mut good = weights::to_bytes(tiny.model()).unwrap();
        good.truncate(good.len() / 2);
        assert!(tiny.load_weights(&good).is_err());
        assert!(tiny.load_weights(b"not a weights file").is_err());
        assert_eq!(parameters(&tiny.model()), before);
    }
}
