//! A fixed-size bit vector (per-node flags, filter members), whose words can live in a
//! memory-mapped index.

/// A fixed-size bit vector.
#[derive(Clone, Default)]
pub struct BitVec {
    words: crate::model::Column<u64>,
    len: usize,
}

impl BitVec {
    pub fn new(len: usize) -> Self {
        Self {
            words: crate::column::written_zeros(len.div_ceil(64)).into(),
            len,
        }
    }

    pub(crate) fn from_words(words: Vec<u64>, len: usize) -> Self {
        debug_assert_eq!(words.len(), len.div_ceil(64));
        Self {
            words: words.into(),
            len,
        }
    }

    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.words[i >> 6] & (1 << (i & 63)) != 0
    }

    #[inline]
    pub fn set(&mut self, i: usize) {
        self.words[i >> 6] |= 1 << (i & 63);
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn words_mut(&mut self) -> &mut [u64] {
        &mut self.words
    }

    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// A vector over stored words; `None` unless there are exactly enough of them.
    pub(crate) fn from_column(words: crate::model::Column<u64>, len: usize) -> Option<Self> {
        (words.len() == len.div_ceil(64)).then_some(Self { words, len })
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.words.heap_bytes()
    }
}
