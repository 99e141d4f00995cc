//! `kindling translate`: train the translation demo's encoder–decoder natively.

use std::path::PathBuf;
use std::time::Instant;

use kindling::data::tasks::Task;
use kindling::readback::block_on;
use kindling::seq2seq::{TranslateTrainer, TranslateTrainingConfig};
use kindling::weights;

use super::{Flags, device, scalar};

pub const USAGE: &str = "kindling translate [--task dates|reverse|sort] [--steps N] [--batch N] \
    [--lr X] [--seed N] [--every N] [--out DIR] [--weights FILE] [--n-layer N] [--n-embd N] \
    [--n-head N] [--device cpu|wgpu]";

const KNOWN: [&str; 12] = [
    "task", "steps", "batch", "lr", "seed", "every", "out", "weights", "n-layer", "n-embd",
    "n-head", "device",
];

/// Held-out examples scored at each progress line (all of them at the end).
const PROGRESS_EXAMPLES: usize = 100;

pub fn run(args: &[String]) -> Result<(), String> {
    let flags = Flags::parse(args, &KNOWN)?;
    let name: String = flags.get("task", "dates".to_string())?;
    let task = Task::from_name(&name)
        .ok_or_else(|| format!("unknown task {name:?} (dates, reverse or sort)"))?;
    let steps: usize = flags.get("steps", 3000)?;
    let every: usize = flags.get("every", 250)?.max(1);
    let out = flags.path("out", PathBuf::from("out"));
    let base = TranslateTrainingConfig::new();
    let config = TranslateTrainingConfig::new()
        .with_n_layer(flags.get("n-layer", base.n_layer)?)
        .with_n_embd(flags.get("n-embd", base.n_embd)?)
        .with_n_head(flags.get("n-head", base.n_head)?)
        .with_batch_size(flags.get("batch", base.batch_size)?)
        .with_learning_rate(flags.get("lr", base.learning_rate)?)
        .with_seed(flags.get("seed", base.seed)?);
    let device = device(&flags.get("device", "cpu".to_string())?)?;
    let mut trainer = TranslateTrainer::new(config, task, &device);
    if let Some(path) = flags.0.get("weights") {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        trainer.load_weights(&bytes).map_err(|e| e.to_string())?;
    }
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let m = trainer.model_config();
    println!(
        "{name}: {} + {} layers, n_embd {}, {} heads, vocab {} → {}",
        m.n_layer, m.n_layer, m.n_embd, m.n_head, m.src_vocab, m.tgt_vocab
    );

    let start = Instant::now();
    let mut window = Instant::now();
    for step in 1..=steps {
        let loss = scalar(trainer.step());
        if !loss.is_finite() {
            return Err(format!("iter {step}: loss is not finite; try a lower --lr"));
        }
        if step % every == 0 || step == steps {
            let ms = window.elapsed().as_secs_f64() * 1e3 / every.min(step) as f64;
            let (exact, _) = block_on(trainer.held_out_accuracy(PROGRESS_EXAMPLES))?;
            println!(
                "iter {step}: loss {loss:.4}, exact {:.1}%, time {ms:.1} ms",
                exact * 100.0
            );
            window = Instant::now();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let held = trainer.data().held_out().len();
    let (exact, answers) = block_on(trainer.held_out_accuracy(held))?;
    for (example, answer) in trainer.data().held_out().iter().zip(&answers).take(8) {
        let mark = if *answer == example.target {
            "right"
        } else {
            "wrong"
        };
        println!("{:>30} → {answer:<12} ({mark})", example.input);
    }
    let path = out.join(format!("translate-{name}.bpk"));
    let bytes = weights::to_bytes(trainer.model()).map_err(|e| e.to_string())?;
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    println!(
        "{steps} steps in {secs:.1} s; held-out exact match {:.1}% of {held}; wrote {}",
        exact * 100.0,
        path.display()
    );
    Ok(())
}
