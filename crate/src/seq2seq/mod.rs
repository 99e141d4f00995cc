//! An encoder–decoder Transformer that learns a translation task (dates → ISO 8601, or
//! reversing and sorting symbol strings), with its attention maps for drawing.
//!
//! [`model`] is the network, [`training`] teacher-forced AdamW training, greedy decoding and
//! exact-match scoring over a [`crate::data::tasks`] task.

pub mod model;
pub mod training;

pub use model::{Decoder, Encoder, Memory, Seq2Seq, Seq2SeqConfig, Seq2SeqOutput};
pub use training::{PairBatch, TranslateTrainer, TranslateTrainingConfig, Translation};
