//! A decoder-only character Transformer, after GPT-2 and nanoGPT.
//!
//! Token and learned position embeddings, `n_layer` pre-LayerNorm [`Block`]s with causal
//! self-attention, a final LayerNorm and a linear head onto the vocabulary.
//!
//! ```
//! use burn::prelude::*;
//! use kindling::gpt::GptConfig;
//!
//! let device = Device::flex();
//! let model = GptConfig::preset("tiny", 30).unwrap().init(&device);
//! let tokens = Tensor::<2, Int>::zeros([3, 10], &device);
//! let out = model.forward(tokens);
//! assert_eq!(out.logits.dims(), [3, 10, 30]);
//! assert_eq!(out.attention.len(), 2); // one [3, 4, 10, 10] map per layer
//! ```

use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;

use crate::transformer::{Block, BlockConfig, causal_mask, embed};

/// The model's sizes. Names follow GPT-2: `n_embd` is d_model, `block_size` the context.
#[derive(Config, Debug)]
pub struct GptConfig {
    /// Tokens in the vocabulary (set from the data).
    pub vocab_size: usize,
    /// The longest sequence the model reads.
    #[config(default = 32)]
    pub block_size: usize,
    #[config(default = 2)]
    pub n_layer: usize,
    #[config(default = 64)]
    pub n_embd: usize,
    #[config(default = 4)]
    pub n_head: usize,
    #[config(default = 0.0)]
    pub dropout: f64,
}

/// The presets the page offers.
pub const PRESETS: [&str; 2] = ["tiny", "small"];

impl GptConfig {
    /// "tiny": 2 layers, d_model 64, 4 heads, context 32. "small": 4 layers, d_model 128,
    /// 4 heads, context 64.
    pub fn preset(name: &str, vocab_size: usize) -> Option<Self> {
        let config = Self::new(vocab_size);
        match name {
            "tiny" => Some(config),
            "small" => Some(config.with_n_layer(4).with_n_embd(128).with_block_size(64)),
            _ => None,
        }
    }

    /// A freshly initialised model on `device`.
    pub fn init(&self, device: &Device) -> Gpt {
        let block = BlockConfig::new(self.n_embd, self.n_head).with_dropout(self.dropout);
        Gpt {
            wte: EmbeddingConfig::new(self.vocab_size, self.n_embd).init(device),
            wpe: EmbeddingConfig::new(self.block_size, self.n_embd).init(device),
            blocks: (0..self.n_layer).map(|_| block.init(device)).collect(),
            ln_f: LayerNormConfig::new(self.n_embd).init(device),
            lm_head: LinearConfig::new(self.n_embd, self.vocab_size).init(device),
        }
    }

    /// Number of trainable values.
    pub fn parameters(&self) -> usize {
        let (v, c, d, l) = (self.vocab_size, self.block_size, self.n_embd, self.n_layer);
        let block = 2 * 2 * d + 4 * (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d);
        v * d + c * d + l * block + 2 * d + (d * v + v)
    }
}

/// What a forward pass gives: next-token logits and every layer's attention weights.
#[derive(Debug, Clone)]
pub struct GptOutput {
    /// `[batch, seq, vocab_size]`.
    pub logits: Tensor<3>,
    /// One `[batch, n_head, seq, seq]` tensor per layer; row `i` sums to 1 over keys `≤ i`.
    pub attention: Vec<Tensor<4>>,
}

/// The Transformer.
#[derive(Module, Debug)]
pub struct Gpt {
    pub wte: Embedding,
    pub wpe: Embedding,
    pub blocks: Vec<Block>,
    pub ln_f: LayerNorm,
    pub lm_head: Linear,
}

impl Gpt {
    /// The context length (positions the model has embeddings for).
    pub fn block_size(&self) -> usize {
        self.wpe.weight.dims()[0]
    }

    /// `tokens` is `[batch, seq]` with `seq ≤ block_size`.
    pub fn forward(&self, tokens: Tensor<2, Int>) -> GptOutput {
        let [batch, seq] = tokens.dims();
        let device = tokens.device();
        let mut x = embed(&self.wte, &self.wpe, tokens);
        let mask = causal_mask(batch, seq, &device);
        let mut attention = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            let (next, weights) = block.forward(x, Some(mask.clone()), None);
            x = next;
            attention.push(weights);
        }
        let logits = self.lm_head.forward(self.ln_f.forward(x));
        GptOutput { logits, attention }
    }
}

/// Mean next-token cross-entropy (nats) of `logits` `[batch, seq, vocab]` against `targets`
/// `[batch, seq]`, not counting targets equal to `pad`.
pub fn next_token_loss(
    logits: Tensor<3>,
    targets: Tensor<2, Int>,
    pad: Option<usize>,
) -> Tensor<1> {
    let [batch, seq, vocab] = logits.dims();
    let loss = CrossEntropyLossConfig::new()
        .with_pad_tokens(pad.map(|p| vec![p]))
        .init(&logits.device());
    loss.forward(
        logits.reshape([batch * seq, vocab]),
        targets.reshape([batch * seq]),
    )
}
