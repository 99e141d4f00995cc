//! Transformer building blocks shared by the demos.
//!
//! Attention is burn's [`MultiHeadAttention`]: softmax(QKᵀ/√d_k)·V per head, with the weights
//! returned beside the output, which is what the page draws. A [`Block`] is the pre-LayerNorm
//! arrangement of GPT-2: `x + attn(ln(x))`, then `x + mlp(ln(x))`; a [`DecoderBlock`] adds
//! attention over an encoder's output between the two (Decoder-Attention(Y, X) =
//! Attention(Y, X, X)), as in the encoder–decoder Transformer of Vaswani et al.
//!
//! ```
//! use burn::prelude::*;
//! use kindling::transformer::{BlockConfig, causal_mask};
//!
//! let device = Device::flex();
//! let block = BlockConfig::new(16, 4).init(&device);
//! let x = Tensor::<3>::zeros([2, 5, 16], &device);
//! let (y, weights) = block.forward(x, Some(causal_mask(2, 5, &device)), None);
//! assert_eq!((y.dims(), weights.dims()), ([2, 5, 16], [2, 4, 5, 5]));
//! ```

use burn::grad_clipping::GradientClippingConfig;
use burn::nn::attention::{
    MhaInput, MultiHeadAttention, MultiHeadAttentionConfig, generate_autoregressive_mask,
};
use burn::nn::transformer::{PositionWiseFeedForward, PositionWiseFeedForwardConfig};
use burn::nn::{Embedding, LayerNorm, LayerNormConfig};
use burn::optim::{AdamWConfig, ModuleOptimizer};
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
    /// `x` is `[batch, seq, n_embd]`; `mask` marks pairs (query, key) that may not attend,
    /// `pad` (`[batch, seq]`) keys that are padding. Returns the new stream and the attention
    /// weights `[batch, n_head, seq, seq]`.
    pub fn forward(
        &self,
        x: Tensor<3>,
        mask: Option<Tensor<3, Bool>>,
        pad: Option<Tensor<2, Bool>>,
    ) -> (Tensor<3>, Tensor<4>) {
        let input = masked(MhaInput::self_attn(self.ln_1.forward(x.clone())), mask, pad);
        let attended = self.attn.forward(input);
        let x = x + attended.context;
        let x = x.clone() + self.mlp.forward(self.ln_2.forward(x));
        (x, attended.weights)
    }
}

impl BlockConfig {
    /// A freshly initialised decoder block on `device`.
    pub fn init_decoder(&self, device: &Device) -> DecoderBlock {
        let Block {
            ln_1,
            attn,
            ln_2,
            mlp,
        } = self.init(device);
        DecoderBlock {
            ln_1,
            self_attn: attn,
            ln_2,
            cross_attn: self.attention().init(device),
            ln_3: LayerNormConfig::new(self.n_embd).init(device),
            mlp,
        }
    }
}

/// Causal self-attention, attention over the encoder's output, then an MLP, each behind a
/// LayerNorm and a residual connection.
#[derive(Module, Debug)]
pub struct DecoderBlock {
    pub ln_1: LayerNorm,
    pub self_attn: MultiHeadAttention,
    pub ln_2: LayerNorm,
    pub cross_attn: MultiHeadAttention,
    pub ln_3: LayerNorm,
    pub mlp: PositionWiseFeedForward,
}

/// What a decoder block gives: the new stream and both attentions' weights.
#[derive(Debug, Clone)]
pub struct DecoderBlockOutput {
    pub x: Tensor<3>,
    /// `[batch, n_head, tgt, tgt]`.
    pub self_attention: Tensor<4>,
    /// `[batch, n_head, tgt, src]`: how much each output place reads each input place.
    pub cross_attention: Tensor<4>,
}

impl DecoderBlock {
    /// `x` is the decoder stream `[batch, tgt, n_embd]`, `memory` the encoder's output
    /// `[batch, src, n_embd]` and `memory_pad` its padding (`[batch, src]`, `true` = padding).
    pub fn forward(
        &self,
        x: Tensor<3>,
        memory: Tensor<3>,
        memory_pad: Option<Tensor<2, Bool>>,
    ) -> DecoderBlockOutput {
        let [batch, tgt, _] = x.dims();
        let causal = causal_mask(batch, tgt, &x.device());
        let input = MhaInput::self_attn(self.ln_1.forward(x.clone())).mask_attn(causal);
        let attended = self.self_attn.forward(input);
        let x = x + attended.context;
        let query = self.ln_2.forward(x.clone());
        let input = masked(
            MhaInput::new(query, memory.clone(), memory),
            None,
            memory_pad,
        );
        let crossed = self.cross_attn.forward(input);
        let x = x + crossed.context;
        let x = x.clone() + self.mlp.forward(self.ln_3.forward(x));
        DecoderBlockOutput {
            x,
            self_attention: attended.weights,
            cross_attention: crossed.weights,
        }
    }
}

fn masked(
    input: MhaInput,
    mask: Option<Tensor<3, Bool>>,
    pad: Option<Tensor<2, Bool>>,
) -> MhaInput {
    let input = match mask {
        Some(mask) => input.mask_attn(mask),
        None => input,
    };
    match pad {
        Some(pad) => input.mask_pad(pad),
        None => input,
    }
}

/// The optimizer both Transformers train with: AdamW (β2 0.99, as is usual for small
/// Transformers) with decoupled `weight_decay`, gradients rescaled to at most norm `grad_clip`
/// so that early steps cannot blow up.
pub fn adamw(weight_decay: f32, grad_clip: f32) -> ModuleOptimizer {
    AdamWConfig::new()
        .with_beta_2(0.99)
        .with_weight_decay(weight_decay)
        .with_grad_clipping(Some(GradientClippingConfig::Norm(grad_clip)))
        .init()
}

/// Token embeddings plus learned position embeddings of `tokens` (`[batch, seq]`, with `seq`
/// at most the positions `wpe` has).
pub fn embed(wte: &Embedding, wpe: &Embedding, tokens: Tensor<2, Int>) -> Tensor<3> {
    let [batch, seq] = tokens.dims();
    let positions = wpe.weight.dims()[0];
    assert!(
        seq <= positions,
        "a sequence of {seq} tokens is longer than the context ({positions})"
    );
    let device = tokens.device();
    let tok = wte.forward(tokens);
    let [_, _, n_embd] = tok.dims();
    let places = Tensor::<1, Int>::arange(0..seq as i64, &device).reshape([1, seq]);
    tok + wpe.forward(places).expand([batch, seq, n_embd])
}

/// The causal mask for `seq` positions: `true` where a query would see a later key.
pub fn causal_mask(batch: usize, seq: usize, device: &Device) -> Tensor<3, Bool> {
    generate_autoregressive_mask(batch, seq, device)
}
