//! An encoder–decoder Transformer (Vaswani et al., 2017) over characters.
//!
//! The encoder reads the input with unmasked self-attention (padding keys masked); the decoder
//! writes the output with causal self-attention and attention over the encoder's output. Both
//! are stacks of the pre-LayerNorm blocks in [`crate::transformer`].
//!
//! ```
//! use burn::prelude::*;
//! use kindling::seq2seq::Seq2SeqConfig;
//!
//! let device = Device::flex();
//! let model = Seq2SeqConfig::new(20, 12).init(&device);
//! let src = Tensor::<2, Int>::zeros([3, 9], &device);
//! let tgt = Tensor::<2, Int>::zeros([3, 5], &device);
//! let out = model.forward(src, tgt, 0);
//! assert_eq!(out.logits.dims(), [3, 5, 12]);
//! assert_eq!(out.cross_attention[0].dims(), [3, 4, 5, 9]); // heads × outputs × inputs
//! ```

use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;

use crate::transformer::{Block, BlockConfig, DecoderBlock, embed};

/// The model's sizes.
#[derive(Config, Debug)]
pub struct Seq2SeqConfig {
    /// Input tokens.
    pub src_vocab: usize,
    /// Output tokens.
    pub tgt_vocab: usize,
    /// The longest input.
    #[config(default = 32)]
    pub max_src: usize,
    /// The longest decoder input (the output plus its start token).
    #[config(default = 16)]
    pub max_tgt: usize,
    /// Blocks in the encoder, and in the decoder.
    #[config(default = 2)]
    pub n_layer: usize,
    #[config(default = 64)]
    pub n_embd: usize,
    #[config(default = 4)]
    pub n_head: usize,
    #[config(default = 0.0)]
    pub dropout: f64,
}

impl Seq2SeqConfig {
    /// A freshly initialised model on `device`.
    pub fn init(&self, device: &Device) -> Seq2Seq {
        let block = BlockConfig::new(self.n_embd, self.n_head).with_dropout(self.dropout);
        let embedding = |n| EmbeddingConfig::new(n, self.n_embd).init(device);
        Seq2Seq {
            encoder: Encoder {
                wte: embedding(self.src_vocab),
                wpe: embedding(self.max_src),
                blocks: (0..self.n_layer).map(|_| block.init(device)).collect(),
                ln_f: LayerNormConfig::new(self.n_embd).init(device),
            },
            decoder: Decoder {
                wte: embedding(self.tgt_vocab),
                wpe: embedding(self.max_tgt),
                blocks: (0..self.n_layer)
                    .map(|_| block.init_decoder(device))
                    .collect(),
                ln_f: LayerNormConfig::new(self.n_embd).init(device),
                head: LinearConfig::new(self.n_embd, self.tgt_vocab).init(device),
            },
        }
    }
}

/// Reads the input.
#[derive(Module, Debug)]
pub struct Encoder {
    pub wte: Embedding,
    pub wpe: Embedding,
    pub blocks: Vec<Block>,
    pub ln_f: LayerNorm,
}

/// Writes the output, one token per place.
#[derive(Module, Debug)]
pub struct Decoder {
    pub wte: Embedding,
    pub wpe: Embedding,
    pub blocks: Vec<DecoderBlock>,
    pub ln_f: LayerNorm,
    pub head: Linear,
}

/// The encoder and the decoder.
#[derive(Module, Debug)]
pub struct Seq2Seq {
    pub encoder: Encoder,
    pub decoder: Decoder,
}

/// The encoder's reading of a batch of inputs.
#[derive(Debug, Clone)]
pub struct Memory {
    /// `[batch, src, n_embd]`.
    pub states: Tensor<3>,
    /// `[batch, src]`, `true` at padding.
    pub pad: Tensor<2, Bool>,
    /// One `[batch, n_head, src, src]` map per encoder layer.
    pub attention: Vec<Tensor<4>>,
}

/// What a forward pass gives: logits and every attention map.
#[derive(Debug, Clone)]
pub struct Seq2SeqOutput {
    /// `[batch, tgt, tgt_vocab]`.
    pub logits: Tensor<3>,
    /// Per encoder layer, `[batch, n_head, src, src]`.
    pub encoder_attention: Vec<Tensor<4>>,
    /// Per decoder layer, `[batch, n_head, tgt, tgt]`.
    pub self_attention: Vec<Tensor<4>>,
    /// Per decoder layer, `[batch, n_head, tgt, src]`.
    pub cross_attention: Vec<Tensor<4>>,
}

impl Seq2Seq {
    /// Encode `src` (`[batch, src]`); tokens equal to `pad` are masked out as keys.
    pub fn encode(&self, src: Tensor<2, Int>, pad: usize) -> Memory {
        let mask = src.clone().equal_scalar(pad as i64);
        let mut x = embed(&self.encoder.wte, &self.encoder.wpe, src);
        let mut attention = Vec::with_capacity(self.encoder.blocks.len());
        for block in &self.encoder.blocks {
            let (next, weights) = block.forward(x, None, Some(mask.clone()));
            x = next;
            attention.push(weights);
        }
        Memory {
            states: self.encoder.ln_f.forward(x),
            pad: mask,
            attention,
        }
    }

    /// Decode `tgt` (`[batch, tgt]`, the start token then the output so far) against
    /// `memory`. Returns logits and the decoder's self- and cross-attention per layer.
    pub fn decode(
        &self,
        tgt: Tensor<2, Int>,
        memory: &Memory,
    ) -> (Tensor<3>, Vec<Tensor<4>>, Vec<Tensor<4>>) {
        let mut x = embed(&self.decoder.wte, &self.decoder.wpe, tgt);
        let (mut selfs, mut crosses) = (Vec::new(), Vec::new());
        for block in &self.decoder.blocks {
            let out = block.forward(x, memory.states.clone(), Some(memory.pad.clone()));
            x = out.x;
            selfs.push(out.self_attention);
            crosses.push(out.cross_attention);
        }
        (
            self.decoder.head.forward(self.decoder.ln_f.forward(x)),
            selfs,
            crosses,
        )
    }

    /// Teacher forcing: `tgt` is the shifted target (start token first).
    pub fn forward(&self, src: Tensor<2, Int>, tgt: Tensor<2, Int>, pad: usize) -> Seq2SeqOutput {
        let memory = self.encode(src, pad);
        let (logits, self_attention, cross_attention) = self.decode(tgt, &memory);
        Seq2SeqOutput {
            logits,
            encoder_attention: memory.attention,
            self_attention,
            cross_attention,
        }
    }
}
