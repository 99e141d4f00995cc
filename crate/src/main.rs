//! `kindling`: train the demos' models natively, with the same code the page runs.
//!
//! ```text
//! kindling gan [--steps N] [--out DIR] [--batch N] [--lr X] [--seed N] [--every N]
//!              [--data FILE] [--weights FILE] [--device cpu|wgpu] [--batch-norm true|false]
//! kindling gpt [--data names|moby-dick] [--preset tiny|small] [--steps N] [--batch N] [--lr X]
//!              [--seed N] [--every N] [--out DIR] [--text FILE] [--weights FILE]
//!              [--n-layer N] [--n-embd N] [--n-head N] [--block-size N]
//!              [--temperature X] [--top-k N] [--device cpu|wgpu]
//! kindling translate [--task dates|reverse|sort] [--steps N] [--batch N] [--lr X] [--seed N]
//!              [--every N] [--out DIR] [--weights FILE] [--n-layer N] [--n-embd N]
//!              [--n-head N] [--device cpu|wgpu]
//! kindling bench [--steps N]
//! ```

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    if let Err(message) = cli::run(std::env::args().skip(1).collect()) {
        eprintln!("kindling: {message}");
        std::process::exit(2);
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    mod gpt;
    mod translate;

    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::time::Instant;

    use burn::prelude::*;
    use kindling::data::mnist::Mnist;
    use kindling::gan::{GRID_SAMPLES, GanConfig, GanTrainer, GanTrainingConfig};
    use kindling::gpt::{GptConfig, GptTrainer, GptTrainingConfig};
    use kindling::{image, weights};

    const USAGE: &str = "usage: kindling gan [--steps N] [--out DIR] [--batch N] [--lr X] \
        [--seed N] [--every N] [--data FILE] [--weights FILE] [--device cpu|wgpu] \
        [--batch-norm true|false]\n       \
        kindling bench [--steps N]";

    /// `--name value` pairs after the subcommand.
    struct Flags(HashMap<String, String>);

    impl Flags {
        fn parse(args: &[String], known: &[&str]) -> Result<Self, String> {
            let mut map = HashMap::new();
            let mut it = args.iter();
            while let Some(flag) = it.next() {
                let name = flag.strip_prefix("--").filter(|n| known.contains(n));
                let name = name.ok_or_else(|| format!("unknown argument {flag:?}\n{USAGE}"))?;
                let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
                map.insert(name.to_string(), value.clone());
            }
            Ok(Self(map))
        }

        fn get<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
            match self.0.get(name) {
                None => Ok(default),
                Some(v) => v
                    .parse()
                    .map_err(|_| format!("--{name}: cannot read {v:?}")),
            }
        }

        fn path(&self, name: &str, default: PathBuf) -> PathBuf {
            self.0.get(name).map(PathBuf::from).unwrap_or(default)
        }
    }

    pub fn run(args: Vec<String>) -> Result<(), String> {
        match args.first().map(String::as_str) {
            Some("gan") => gan(&args[1..]),
            Some("gpt") => gpt::run(&args[1..]),
            Some("translate") => translate::run(&args[1..]),
            Some("bench") => bench(&args[1..]),
            _ => Err(format!(
                "{USAGE}\n       {}\n       {}",
                gpt::USAGE,
                translate::USAGE
            )),
        }
    }

    fn default_data() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/data/mnist.bin")
    }

    fn load_digits(path: &Path) -> Result<Mnist, String> {
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "cannot read {} ({e}); ./build.sh prepares it",
                path.display()
            )
        })?;
        Mnist::from_bytes(&bytes).map_err(|e| e.to_string())
    }

    fn device(name: &str) -> Result<Device, String> {
        match name {
            "cpu" => Ok(Device::flex()),
            #[cfg(feature = "wgpu")]
            "wgpu" => Ok(Device::wgpu(Default::default())),
            other => Err(format!(
                "unknown device {other:?} (cpu, or wgpu when built with it)"
            )),
        }
    }

    /// The single value of a `[1]` tensor (native reads are synchronous).
    fn scalar(tensor: Tensor<1>) -> f32 {
        tensor
            .into_data()
            .try_to_vec::<f32>()
            .expect("an f32 value")[0]
    }

    fn losses(trainer: &mut GanTrainer) -> Vec<f32> {
        trainer
            .step()
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32 losses")
    }

    fn gan(args: &[String]) -> Result<(), String> {
        let known = [
            "steps",
            "out",
            "batch",
            "lr",
            "seed",
            "every",
            "data",
            "weights",
            "device",
            "batch-norm",
        ];
        let flags = Flags::parse(args, &known)?;
        let steps: usize = flags.get("steps", 3000)?;
        let every: usize = flags.get("every", 100)?.max(1);
        let out = flags.path("out", PathBuf::from("out"));
        let model = GanConfig::new().with_batch_norm(flags.get("batch-norm", true)?);
        let config = GanTrainingConfig::new()
            .with_model(model)
            .with_batch_size(flags.get("batch", 64)?)
            .with_learning_rate(flags.get("lr", 2e-4)?)
            .with_seed(flags.get("seed", 42)?);
        let digits = load_digits(&flags.path("data", default_data()))?;
        let device = device(&flags.get("device", "cpu".to_string())?)?;
        let mut trainer = GanTrainer::new(config, digits, &device);
        if let Some(path) = flags.0.get("weights") {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            trainer.load_weights(&bytes).map_err(|e| e.to_string())?;
        }
        std::fs::create_dir_all(&out)
            .map_err(|e| format!("cannot create {}: {e}", out.display()))?;

        let start = Instant::now();
        let mut window = Instant::now();
        for step in 1..=steps {
            let [loss_d, loss_g] = losses(&mut trainer)[..] else {
                unreachable!()
            };
            if !(loss_d.is_finite() && loss_g.is_finite()) {
                return Err(format!("iter {step}: loss is not finite; try a lower --lr"));
            }
            if step % every == 0 || step == steps {
                let ms = window.elapsed().as_secs_f64() * 1e3 / every.min(step) as f64;
                let held = trainer
                    .holdout_loss()
                    .into_data()
                    .try_to_vec::<f32>()
                    .unwrap()[0];
                println!(
                    "iter {step}: loss_d {loss_d:.4}, loss_g {loss_g:.4}, \
                     holdout_d {held:.4}, time {ms:.1} ms"
                );
                window = Instant::now();
            }
        }
        let grid_path = out.join(format!("gan-samples-{steps}.png"));
        write_grid(&trainer, &grid_path)?;
        let weights_path = out.join("gan.bpk");
        let bytes = weights::to_bytes(trainer.gan()).map_err(|e| e.to_string())?;
        std::fs::write(&weights_path, bytes).map_err(|e| e.to_string())?;
        println!(
            "{} steps in {:.1} s; wrote {} and {}",
            steps,
            start.elapsed().as_secs_f64(),
            grid_path.display(),
            weights_path.display()
        );
        Ok(())
    }

    fn write_grid(trainer: &GanTrainer, path: &Path) -> Result<(), String> {
        let values = trainer
            .grid_samples()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        let (w, h, grey) = image::grid(&values, GRID_SAMPLES, 8);
        let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w as u32, h as u32);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&grey).map_err(|e| e.to_string())
    }

    /// Steps per second of the full GAN step and of the "small" Transformer's step, with the
    /// losses read back every step as the page does.
    fn bench(args: &[String]) -> Result<(), String> {
        let flags = Flags::parse(args, &["steps", "data"])?;
        let steps: usize = flags.get("steps", 20)?;
        let digits = load_digits(&flags.path("data", default_data()))?;
        for batch in [16, 64] {
            let config = GanTrainingConfig::new().with_batch_size(batch);
            let mut trainer = GanTrainer::new(config, digits.clone(), &Device::flex());
            let secs = timed(steps, || {
                losses(&mut trainer);
            });
            println!(
                "native flex, gan batch {batch}: {:.2} steps/s ({:.1} ms/step, {steps} steps)",
                steps as f64 / secs,
                secs * 1e3 / steps as f64
            );
        }
        let corpus = gpt::load_corpus("moby-dick", &gpt::default_text("moby-dick"))?;
        let model = GptConfig::preset("small", 0).expect("a preset");
        let config = GptTrainingConfig::new(model).with_batch_size(32);
        let mut trainer = GptTrainer::new(config, corpus, &Device::flex());
        let tokens = trainer.tokens_per_step();
        let secs = timed(steps, || {
            scalar(trainer.step());
        });
        println!(
            "native flex, gpt small batch 32 (moby-dick): {:.2} steps/s, {:.0} tokens/s \
             ({:.1} ms/step, {steps} steps)",
            steps as f64 / secs,
            (steps * tokens) as f64 / secs,
            secs * 1e3 / steps as f64
        );
        Ok(())
    }

    /// Seconds for `steps` calls of `step`, after one untimed call that pays one-off costs.
    fn timed(steps: usize, mut step: impl FnMut()) -> f64 {
        step();
        let start = Instant::now();
        for _ in 0..steps {
            step();
        }
        start.elapsed().as_secs_f64()
    }
}
