//! Writing with a trained model, and looking at what it attends to.
//!
//! Sampling happens on the host: each new token needs the logits read back anyway, and a host
//! random stream makes the same seed give the same text on every backend.

use burn::prelude::*;

use super::model::Gpt;
use crate::data::text::Vocab;
use crate::readback;
use crate::rng::SplitMix64;

/// How the next token is drawn from the model's distribution.
#[derive(Config, Debug, Copy)]
pub struct SamplingConfig {
    /// Logits are divided by it: below 1 the text is safer, above 1 wilder; 0 always takes the
    /// most likely token.
    #[config(default = 1.0)]
    pub temperature: f64,
    /// Draw only among the `top_k` most likely tokens (0: among all).
    #[config(default = 0)]
    pub top_k: usize,
}

impl SamplingConfig {
    /// Pick a token from one row of logits. `pad` is never picked.
    pub fn pick(&self, logits: &[f32], pad: Option<usize>, rng: &mut SplitMix64) -> usize {
        let mut order: Vec<usize> = (0..logits.len()).filter(|&i| Some(i) != pad).collect();
        order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]));
        if self.temperature <= 0.0 {
            return order[0];
        }
        if self.top_k > 0 {
            order.truncate(self.top_k);
        }
        let top = logits[order[0]] as f64;
        let weights: Vec<f64> = order
            .iter()
            .map(|&i| ((logits[i] as f64 - top) / self.temperature).exp())
            .collect();
        let mut u = rng.next_f64() * weights.iter().sum::<f64>();
        for (&i, w) in order.iter().zip(&weights) {
            if u < *w {
                return i;
            }
            u -= w;
        }
        *order.last().unwrap()
    }
}

/// Continue each of `prompts` (token ids, all the same length, at least one token) by up to
/// `max_new` tokens. A row stops early at the vocabulary's end token, which is left out of the
/// result. Returns the new tokens of each row.
pub async fn generate(
    model: &Gpt,
    vocab: &Vocab,
    prompts: &[Vec<usize>],
    max_new: usize,
    sampling: SamplingConfig,
    rng: &mut SplitMix64,
) -> Result<Vec<Vec<usize>>, String> {
    let rows = prompts.len();
    let Some(first) = prompts.first() else {
        return Ok(Vec::new());
    };
    if first.is_empty() || prompts.iter().any(|p| p.len() != first.len()) {
        return Err("prompts must be non-empty and of one length".into());
    }
    let device = model.wte.weight.device();
    let block_size = model.block_size();
    let mut context: Vec<Vec<usize>> = prompts.to_vec();
    let mut written = vec![Vec::new(); rows];
    let mut done = vec![false; rows];
    for _ in 0..max_new {
        let len = context[0].len().min(block_size);
        let window: Vec<i32> = context
            .iter()
            .flat_map(|row| row[row.len() - len..].iter().map(|&t| t as i32))
            .collect();
        let tokens = Tensor::<2, Int>::from_data(TensorData::new(window, [rows, len]), &device);
        let logits = model.forward(tokens).logits;
        let vocab_size = logits.dims()[2];
        let last = logits.slice([0..rows, len - 1..len, 0..vocab_size]);
        let values = readback::floats(last).await?;
        for r in 0..rows {
            let token = sampling.pick(
                &values[r * vocab_size..(r + 1) * vocab_size],
                vocab.pad(),
                rng,
            );
            context[r].push(token);
            if done[r] {
                continue;
            }
            if Some(token) == vocab.end() {
                done[r] = true;
            } else {
                written[r].push(token);
            }
        }
        if done.iter().all(|&d| d) {
            break;
        }
    }
    Ok(written)
}

/// Every layer's and head's attention weights over one sequence, on the host.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionMaps {
    pub n_layer: usize,
    pub n_head: usize,
    /// Tokens in the sequence (the map is `len × len`: query rows, key columns).
    pub len: usize,
    /// `[n_layer, n_head, len, len]`, row-major.
    pub weights: Vec<f32>,
}

impl AttentionMaps {
    /// Weight of query `i` on key `j` in `layer`, `head`.
    pub fn get(&self, layer: usize, head: usize, i: usize, j: usize) -> f32 {
        self.weights[((layer * self.n_head + head) * self.len + i) * self.len + j]
    }
}

/// The attention maps of `tokens` (its last `block_size` tokens if longer).
pub async fn attention_maps(model: &Gpt, tokens: &[usize]) -> Result<AttentionMaps, String> {
    let len = tokens.len().min(model.block_size());
    if len == 0 {
        return Err("there is no text to attend over".into());
    }
    let window: Vec<i32> = tokens[tokens.len() - len..]
        .iter()
        .map(|&t| t as i32)
        .collect();
    let device = model.wte.weight.device();
    let tokens = Tensor::<2, Int>::from_data(TensorData::new(window, [1, len]), &device);
    let layers = model.forward(tokens).attention;
    let (n_layer, n_head) = (layers.len(), layers[0].dims()[1]);
    let weights = readback::floats(Tensor::cat(layers, 0)).await?;
    Ok(AttentionMaps {
        n_layer,
        n_head,
        len,
        weights,
    })
}
