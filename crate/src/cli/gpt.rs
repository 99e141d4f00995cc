//! `kindling gpt`: train the writing demo's Transformer natively.

use std::path::{Path, PathBuf};
use std::time::Instant;

use kindling::data::text::TextCorpus;
use kindling::gpt::{GptConfig, GptTrainer, GptTrainingConfig, SamplingConfig};
use kindling::readback::block_on;
use kindling::weights;

use super::{Flags, device, scalar};

pub const USAGE: &str = "kindling gpt [--data names|moby-dick] [--preset tiny|small] [--steps N] \
    [--batch N] [--lr X] [--seed N] [--every N] [--out DIR] [--text FILE] [--weights FILE] \
    [--n-layer N] [--n-embd N] [--n-head N] [--block-size N] [--temperature X] [--top-k N] \
    [--device cpu|wgpu]";

const KNOWN: [&str; 17] = [
    "data",
    "preset",
    "steps",
    "batch",
    "lr",
    "seed",
    "every",
    "out",
    "text",
    "weights",
    "n-layer",
    "n-embd",
    "n-head",
    "block-size",
    "temperature",
    "top-k",
    "device",
];

/// The prepared text of `dataset` (see `tests/tools/prepare-data.mjs`).
pub fn default_text(dataset: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../www/data/{dataset}.txt"))
}

pub fn load_corpus(dataset: &str, path: &Path) -> Result<TextCorpus, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read {} ({e}); ./build.sh prepares it",
            path.display()
        )
    })?;
    TextCorpus::from_dataset(dataset, &text).map_err(|e| e.to_string())
}

/// The model sizes from `--preset`, with any size flag on top.
pub fn model_config(flags: &Flags) -> Result<GptConfig, String> {
    let preset: String = flags.get("preset", "tiny".to_string())?;
    let base = GptConfig::preset(&preset, 0)
        .ok_or_else(|| format!("unknown preset {preset:?} (tiny or small)"))?;
    Ok(base
        .clone()
        .with_n_layer(flags.get("n-layer", base.n_layer)?)
        .with_n_embd(flags.get("n-embd", base.n_embd)?)
        .with_n_head(flags.get("n-head", base.n_head)?)
        .with_block_size(flags.get("block-size", base.block_size)?))
}

pub fn run(args: &[String]) -> Result<(), String> {
    let flags = Flags::parse(args, &KNOWN)?;
    let dataset: String = flags.get("data", "names".to_string())?;
    let preset: String = flags.get("preset", "tiny".to_string())?;
    let steps: usize = flags.get("steps", 2000)?;
    let every: usize = flags.get("every", 100)?.max(1);
    let out = flags.path("out", PathBuf::from("out"));
    let corpus = load_corpus(&dataset, &flags.path("text", default_text(&dataset)))?;
    let config = GptTrainingConfig::new(model_config(&flags)?)
        .with_batch_size(flags.get("batch", 32)?)
        .with_learning_rate(flags.get("lr", 1e-3)?)
        .with_seed(flags.get("seed", 42)?);
    let sampling = SamplingConfig::new()
        .with_temperature(flags.get("temperature", 1.0)?)
        .with_top_k(flags.get("top-k", 0)?);
    let device = device(&flags.get("device", "cpu".to_string())?)?;
    let mut trainer = GptTrainer::new(config, corpus, &device);
    if let Some(path) = flags.0.get("weights") {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        trainer.load_weights(&bytes).map_err(|e| e.to_string())?;
    }
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let model = &trainer.config().model;
    println!(
        "{dataset}, {preset}: {} layers, n_embd {}, {} heads, context {}, vocab {}, {} parameters",
        model.n_layer,
        model.n_embd,
        model.n_head,
        model.block_size,
        model.vocab_size,
        model.parameters()
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
            let val = scalar(trainer.validation_loss());
            println!("iter {step}: loss {loss:.4}, val {val:.4}, time {ms:.1} ms");
            window = Instant::now();
        }
    }
    let train_secs = start.elapsed().as_secs_f64();
    let full = scalar(trainer.full_validation_loss(256));
    let (count, len) = if trainer.corpus().vocab().end().is_some() {
        (20, 32)
    } else {
        (3, 400)
    };
    let samples = block_on(trainer.samples(count, len, sampling))?;
    let name = format!("gpt-{dataset}-{preset}");
    let samples_path = out.join(format!("{name}-samples.txt"));
    let separator = if count > 3 { "\n" } else { "\n\n---\n\n" };
    let text = samples.join(separator) + "\n";
    std::fs::write(&samples_path, text).map_err(|e| e.to_string())?;
    let weights_path = out.join(format!("{name}.bpk"));
    let bytes = weights::to_bytes(trainer.model()).map_err(|e| e.to_string())?;
    std::fs::write(&weights_path, bytes).map_err(|e| e.to_string())?;
    for sample in samples.iter().take(if count > 3 { 10 } else { 1 }) {
        println!("sample: {sample}");
    }
    println!(
        "{steps} steps in {train_secs:.1} s; validation loss {full:.4} nats over the whole \
         held-out set; wrote {} and {}",
        samples_path.display(),
        weights_path.display()
    );
    Ok(())
}
