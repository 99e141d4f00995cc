//! The translation tasks and the encoder–decoder Transformer on the CPU backend: the date
//! generator against an independent calendar and parser, masking, teacher forcing, decoding,
//! and learning to reverse.

mod common;

use burn::prelude::*;
use common::{device, values, with_rng};
use kindling::data::tasks::{Date, FORMATS, HELD_OUT, MONTHS, Task, TaskData, YEARS, write_date};
use kindling::readback::block_on;
use kindling::rng::SplitMix64;
use kindling::seq2seq::{PairBatch, Seq2SeqConfig, TranslateTrainer, TranslateTrainingConfig};
use kindling::weights;

fn trainer(task: Task, config: TranslateTrainingConfig) -> TranslateTrainer {
    with_rng(|| TranslateTrainer::new(config, task, &device()))
}

mod dates {
    use super::*;

    fn leap(year: i64) -> bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    fn days_in_month(year: i64, month: u32) -> u32 {
        match month {
            4 | 6 | 9 | 11 => 30,
            2 if leap(year) => 29,
            2 => 28,
            _ => 31,
        }
    }

    /// Read a written date back, by the page's rule (numeric forms day first; '50–'99 are
    /// 1950–1999, '00–'49 are 2000–2049), without using the generator's code.
    fn parse(text: &str) -> (i64, u32, u32) {
        let year = |digits: &str| -> i64 {
            let n: i64 = digits.parse().unwrap();
            match digits.len() {
                4 => n,
                2 if n >= 50 => 1900 + n,
                2 => 2000 + n,
                _ => panic!("year {digits:?} in {text:?}"),
            }
        };
        let numbers: Vec<String> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        if text.contains('年') {
            return (
                year(&numbers[0]),
                numbers[1].parse().unwrap(),
                numbers[2].parse().unwrap(),
            );
        }
        let words: Vec<String> = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|s| s.len() >= 3)
            .map(|s| s.to_lowercase())
            .collect();
        let month = MONTHS.iter().position(|m| {
            let m = m.to_lowercase();
            words.iter().any(|w| *w == m || *w == m[..3])
        });
        match month {
            // Named month: the day comes before the year in every such form.
            Some(m) => (year(&numbers[1]), m as u32 + 1, numbers[0].parse().unwrap()),
            None if numbers[0].len() == 4 => (
                year(&numbers[0]),
                numbers[1].parse().unwrap(),
                numbers[2].parse().unwrap(),
            ),
            None => (
                year(&numbers[2]),
                numbers[1].parse().unwrap(),
                numbers[0].parse().unwrap(),
            ),
        }
    }

    #[test]
    fn the_calendar_arithmetic_matches_known_days() {
        let known = [
            ((1970, 1, 1), 0, 4),
            ((2000, 2, 29), 11_016, 2),
            ((1999, 5, 3), 10_714, 1),
        ];
        for ((year, month, day), days, weekday) in known {
            let date = Date { year, month, day };
            assert_eq!((date.days(), date.weekday()), (days, weekday), "{date:?}");
            assert_eq!(Date::from_days(days), date);
        }
        assert_eq!(
            write_date(
                Date {
                    year: 1999,
                    month: 5,
                    day: 3
                },
                1
            ),
            "Monday, May 3, 1999"
        );
        assert_eq!(
            write_date(
                Date {
                    year: 1999,
                    month: 5,
                    day: 3
                },
                4
            ),
            "1999年5月3日"
        );
    }

    #[test]
    fn every_generated_date_is_real_and_its_target_means_the_same_day() {
        let data = TaskData::new(Task::Dates);
        let mut rng = SplitMix64::new(5);
        for _ in 0..5000 {
            let example = data.train_example(&mut rng);
            let parts: Vec<i64> = example
                .target
                .split('-')
                .map(|p| p.parse().unwrap())
                .collect();
            let (year, month, day) = (parts[0], parts[1] as u32, parts[2] as u32);
            assert!((YEARS.0..=YEARS.1).contains(&year), "{example:?}");
            assert!((1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day));
            assert_eq!(parse(&example.input), (year, month, day), "{example:?}");
            assert!(example.input.chars().count() <= data.max_input());
        }
    }

    #[test]
    fn every_format_reads_back_as_its_date() {
        let mut rng = SplitMix64::new(8);
        for format in 0..FORMATS {
            for _ in 0..300 {
                let year = YEARS.0 + rng.below(100) as i64;
                let month = 1 + rng.below(12) as u32;
                let day = 1 + rng.below(days_in_month(year, month) as usize) as u32;
                let text = write_date(Date { year, month, day }, format);
                assert_eq!(
                    parse(&text),
                    (year, month, day),
                    "format {format}: {text:?}"
                );
            }
        }
    }

    #[test]
    fn held_out_dates_never_appear_in_training() {
        let data = TaskData::new(Task::Dates);
        assert_eq!(data.held_out().len(), HELD_OUT);
        let held: std::collections::HashSet<&str> =
            data.held_out().iter().map(|e| e.target.as_str()).collect();
        let mut rng = SplitMix64::new(6);
        for _ in 0..20_000 {
            let example = data.train_example(&mut rng);
            assert!(!held.contains(example.target.as_str()), "{example:?}");
        }
        // The held-out set is the same every time.
        assert_eq!(TaskData::new(Task::Dates).held_out(), data.held_out());
    }

    #[test]
    fn symbol_tasks_follow_their_rules_and_keep_held_out_inputs_apart() {
        for task in [Task::Reverse, Task::Sort] {
            let data = TaskData::new(task);
            let held: std::collections::HashSet<String> =
                data.held_out().iter().map(|e| e.input.clone()).collect();
            let mut rng = SplitMix64::new(7);
            for _ in 0..5000 {
                let e = data.train_example(&mut rng);
                assert!(!held.contains(&e.input));
                let mut chars: Vec<char> = e.input.chars().collect();
                match task {
                    Task::Reverse => chars.reverse(),
                    _ => chars.sort(),
                }
                assert_eq!(e.target, chars.into_iter().collect::<String>());
            }
        }
    }
}

mod model {
    use super::*;

    #[test]
    fn cross_attention_has_output_by_input_shape_and_ignores_padding() {
        let model = with_rng(|| Seq2SeqConfig::new(8, 6).with_max_src(7).init(&device()));
        // Row 0: 4 real tokens then padding (id 0); row 1: no padding.
        let src = vec![3, 4, 5, 6, 0, 0, 0, 2, 3, 4, 5, 6, 7, 2];
        let src = Tensor::<2, Int>::from_data(TensorData::new(src, [2, 7]), &device());
        let tgt =
            Tensor::<2, Int>::from_data(TensorData::new(vec![1, 2, 3, 1, 3, 2], [2, 3]), &device());
        let out = model.forward(src, tgt, 0);
        assert_eq!(out.logits.dims(), [2, 3, 6]);
        for (cross, encoder) in out.cross_attention.into_iter().zip(out.encoder_attention) {
            assert_eq!(cross.dims(), [2, 4, 3, 7]);
            let cross = values(cross);
            for (r, row) in cross.chunks(7).enumerate() {
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
                if r < 4 * 3 {
                    assert_eq!(&row[4..], &[0.0; 3], "a padded input got weight");
                } else {
                    assert!(row.iter().all(|&w| w > 0.0));
                }
            }
            let encoder = values(encoder);
            for row in encoder.chunks(7).take(4 * 7) {
                assert_eq!(&row[4..], &[0.0; 3]);
            }
        }
    }

    #[test]
    fn teacher_forcing_feeds_the_target_shifted_by_one() {
        let data = TaskData::new(Task::Reverse);
        let example = kindling::data::tasks::Example {
            input: "abc".into(),
            target: "cba".into(),
        };
        let batch = PairBatch::new(&data, &[example]).unwrap();
        let v = data.target_vocab();
        let id = |c: &str| v.encode(c).unwrap()[0];
        let (end, pad) = (v.end().unwrap(), v.pad().unwrap());
        assert_eq!(batch.tgt_len, data.max_target() + 1);
        assert_eq!(&batch.tgt_in[..5], &[end, id("c"), id("b"), id("a"), pad]);
        assert_eq!(&batch.tgt_out[..5], &[id("c"), id("b"), id("a"), end, pad]);
        assert_eq!(batch.tgt_in[1..4], batch.tgt_out[..3]);
        assert_eq!(batch.src.len(), data.max_input());
    }

    /// A trainer whose model always writes `favourite` (`None`: the end token).
    fn always_writing(task: Task, favourite: Option<&str>) -> TranslateTrainer {
        let mut t = trainer(task, TranslateTrainingConfig::new());
        let mut model = t.fresh_model(&device());
        let target = t.data().target_vocab();
        let id = favourite.map_or(target.end().unwrap(), |c| target.encode(c).unwrap()[0]);
        let vocab = t.data().target_vocab().len();
        let bias: Vec<f32> = (0..vocab)
            .map(|i| if i == id { 50.0 } else { 0.0 })
            .collect();
        model.decoder.head.bias = Some(burn::module::Param::from_tensor(Tensor::from_floats(
            bias.as_slice(),
            &device(),
        )));
        t.load_weights(&weights::to_bytes(model).unwrap()).unwrap();
        t
    }

    #[test]
    fn an_output_that_never_ends_is_cut_at_the_longest_target() {
        let t = always_writing(Task::Dates, Some("7"));
        let typed = "Wednesday, September 30, 1999";
        let e = block_on(t.explain(typed)).unwrap();
        assert_eq!(e.output, "7".repeat(t.data().max_target()));
        let rows = t.data().max_target() + 1;
        assert_eq!(e.cross.len(), e.n_layer * e.n_head * rows * typed.len());
    }

    #[test]
    fn greedy_decoding_stops_at_the_end_token() {
        let t = always_writing(Task::Reverse, None);
        let out = block_on(t.translate(&["abc".into(), "ba".into()])).unwrap();
        assert_eq!(out, vec![String::new(), String::new()]);
    }
}

mod training {
    use super::*;

    #[test]
    fn reverse_reaches_95_percent_exact_match_on_held_out_strings() {
        let config = TranslateTrainingConfig::new()
            .with_learning_rate(3e-3)
            .with_seed(1);
        let mut t = trainer(Task::Reverse, config);
        let mut accuracy = 0.0;
        for round in 1..=12 {
            for _ in 0..100 {
                t.step();
            }
            accuracy = block_on(t.held_out_accuracy(200)).unwrap().0;
            println!(
                "reverse, {} steps: held-out exact match {accuracy:.3}",
                round * 100
            );
            if accuracy >= 0.95 {
                break;
            }
        }
        assert!(
            accuracy >= 0.95,
            "exact match {accuracy} after {} steps",
            t.steps()
        );
    }

    #[test]
    fn the_held_out_loss_on_dates_falls_and_explain_gives_maps_for_the_typed_input() {
        let mut t = trainer(
            Task::Dates,
            TranslateTrainingConfig::new().with_batch_size(16),
        );
        let before = values(t.held_out_loss(64))[0];
        for _ in 0..40 {
            t.step();
        }
        let after = values(t.held_out_loss(64))[0];
        assert!(after < before - 0.5, "held-out loss {before} → {after}");
        let typed = "3 May 1999";
        let e = block_on(t.explain(typed)).unwrap();
        let rows = e.output.chars().count() + 1;
        assert_eq!(e.input.len(), typed.len());
        assert_eq!(e.cross.len(), e.n_layer * e.n_head * rows * typed.len());
        assert_eq!(
            e.encoder.len(),
            e.n_layer * e.n_head * typed.len() * typed.len()
        );
        for row in e.cross.chunks(typed.len()) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        }
        assert!(
            e.output.chars().all(|c| "0123456789-".contains(c)),
            "{:?}",
            e.output
        );
        assert!(
            block_on(t.explain("3 May 1999 ¤"))
                .unwrap_err()
                .contains('¤')
        );
    }
}
