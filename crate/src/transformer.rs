//! Transformer building blocks shared by the demos.
//!
//! Attention is burn's [`MultiHeadAttention`]: softmax(QKᵀ/√d_k)·V per head, with the weights
//! returned beside the output, which is what the page draws. A [`Block`] is the pre-LayerNorm
//! arrangement of GPT-2: `x + attn(ln(x))`, then `x + mlp(ln(x))`.
//!
//! ```
//! use burn::prelude::*;
//! use kindling::transformer::{BlockConfig, causal_mask};
//!
//! let device = Device::flex();
//! let block = BlockConfig::new(16, 4).init(&device);
//! let x = Tensor::<3>::zeros([2, 5, 16], &device);
//! let (y, weights) = block.forward(x, Some(causal_mask(2, 5, &device)));
//! assert_eq!((y.dims(), weights.dims()), ([2, 5, 16], [2, 4, 5, 5]));
//! ```

use burn::nn::attention::{
    MhaInput, MultiHeadAttention, MultiHeadAttentionConfig, generate_autoregressive_mask,
};
use burn::nn::transformer::{PositionWiseFeedForward, PositionWiseFeedForwardConfig};
use burn::nn::{LayerNorm, LayerNormConfig};
use burn::prelude::*;

/// Sizes of one block.
#[derive(Config, Debug)]
pub struct BlockConfig {
    /// Width of the residual stream (d_model).
    pub n_embd: usize,
    /// Attention heads; `n_embd` must be a multiple of it.
    pub n_head: usize,
    /// Hidden width of the MLP, as a multiple of `n_embd`.
    #[config(default = 4)]
    pub mlp_ratio: usize,
    /// Dropout on attention weights and in the MLP (0 for the demos' tiny data-rich runs).
    #[config(default = 0.0)]
    pub dropout: f64,
}

impl BlockConfig {
    /// A freshly initialised block on `device`.
    pub fn init(&self, device: &Device) -> Block {
        assert!(
            self.n_head > 0 && self.n_embd.is_multiple_of(self.n_head),
            "n_embd ({}) must be a multiple of n_head ({})",
            self.n_embd,
            self.n_head
        );
        Block {
            ln_1: LayerNormConfig::new(self.n_embd).init(device),
            attn: self.attention().init(device),
            ln_2: LayerNormConfig::new(self.n_embd).init(device),
            mlp: PositionWiseFeedForwardConfig::new(self.n_embd, self.mlp_ratio * self.n_embd)
                .with_dropout(self.dropout)
                .init(device),
        }
    }

    /// The attention layer of this block's sizes.
    pub fn attention(&self) -> MultiHeadAttentionConfig {
        MultiHeadAttentionConfig::new(self.n_embd, self.n_head).with_dropout(self.dropout)
    }
}

/// Self-attention then an MLP (GELU), each behind a LayerNorm and a residual connection.
#[derive(Module, Debug)]
pub struct Block {
    pub ln_1: LayerNorm,
    pub attn: MultiHeadAttention,
    pub ln_2: LayerNorm,
    pub mlp: PositionWiseFeedForward,
}

impl Block {
    /// `x` is `[batch, seq, n_embd]`; `mask` marks pairs (query, key) that may not attend.
    /// Returns the new stream and the attention weights `[batch, n_head, seq, seq]`.
    pub fn forward(&self, x: Tensor<3>, mask: Option<Tensor<3, Bool>>) -> (Tensor<3>, Tensor<4>) {
        let input = MhaInput::self_attn(self.ln_1.forward(x.clone()));
        let input = match mask {
            Some(mask) => input.mask_attn(mask),
            None => input,
        };
        let attended = self.attn.forward(input);
        let x = x + attended.context;
        let x = x.clone() + self.mlp.forward(self.ln_2.forward(x));
        (x, attended.weights)
    }
}

/// The causal mask for `seq` positions: `true` where a query would see a later key.
pub fn causal_mask(batch: usize, seq: usize, device: &Device) -> Tensor<3, Bool> {
    generate_autoregressive_mask(batch, seq, device)
}
