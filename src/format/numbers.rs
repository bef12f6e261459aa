//! Parallel parsing of the big flat integer arrays (`nodes`, `edges`, `locations`).
//!
//! The byte range of an array is split at commas into chunks; a first parallel pass counts the
//! values in each chunk, a prefix sum gives every chunk the index of its first value, and a
//! second parallel pass parses each chunk and writes its values straight into their final
//! place. No JSON tree is ever built.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::progress::Progress;

/// Target chunk size: big enough to amortise scheduling, small enough for smooth progress and
/// for releasing parsed pages of the mapping early.
const CHUNK_BYTES: usize = 8 << 20;

/// A parsed chunk: `first` is the index of its first value in the whole array.
pub struct Chunk<'a> {
    pub bytes: &'a [u8],
    pub first: usize,
    /// Byte offset of `bytes` in the file, for error messages.
    pub offset: usize,
}

/// Splits `bytes` (the inside of a `[...]`, without brackets) into chunks ending after a comma,
/// counts the values, checks the total against `expected` and hands each chunk to `parse`.
/// `release` is called with each chunk's file range once it is parsed.
pub fn parse_array<P, R>(
    bytes: &[u8],
    base_offset: usize,
    expected: usize,
    what: &str,
    progress: &Progress,
    parse: P,
    release: R,
) -> Result<()>
where
    P: Fn(&Chunk) -> Result<()> + Sync,
    R: Fn(usize, usize) + Sync,
{
    let mut bounds = vec![0usize];
    let mut at = 0;
    while at < bytes.len() {
        let target = at + CHUNK_BYTES;
        if target >= bytes.len() {
            break;
        }
        match memchr::memchr(b',', &bytes[target..]) {
            Some(i) => {
                at = target + i + 1;
                bounds.push(at);
            }
            None => break,
        }
    }
    bounds.push(bytes.len());
    let ranges: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();

    let counts: Vec<usize> = ranges
        .par_iter()
        .enumerate()
        .map(|(i, &(s, e))| {
            let slice = &bytes[s..e];
            let commas = memchr::memchr_iter(b',', slice).count();
            let last = i + 1 == ranges.len();
            let tail = last && slice.iter().any(|b| !b.is_ascii_whitespace());
            release(base_offset + s, e - s);
            commas + tail as usize
        })
        .collect();
    let total: usize = counts.iter().sum();
    if total != expected {
        return Err(Error::invalid(format!(
            "the \"{what}\" array holds {total} values but the header implies {expected}"
        )));
    }
    let mut firsts = Vec::with_capacity(counts.len());
    let mut acc = 0;
    for c in &counts {
        firsts.push(acc);
        acc += c;
    }

    let errors: Vec<Error> = ranges
        .par_iter()
        .zip(firsts.par_iter())
        .filter_map(|(&(s, e), &first)| {
            if progress.check().is_err() {
                return Some(Error::Cancelled);
            }
            let chunk = Chunk {
                bytes: &bytes[s..e],
                first,
                offset: base_offset + s,
            };
            let r = parse(&chunk);
            release(base_offset + s, e - s);
            let _ = progress.advance((e - s) as u64);
            r.err()
        })
        .collect();
    // Report the earliest problem in the file; a cancel wins over nothing else.
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => progress.check().map_err(Error::from),
    }
}

/// Iterates the unsigned integers of a chunk, calling `f(index_in_chunk, value)`.
#[inline]
pub fn for_each_value(chunk: &Chunk, what: &str, mut f: impl FnMut(usize, u64) -> Result<()>) -> Result<()> {
    let b = chunk.bytes;
    let n = b.len();
    let mut i = 0;
    let mut k = 0;
    loop {
        while i < n && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == n {
            return Ok(());
        }
        let start = i;
        let mut v: u64 = 0;
        while i < n {
            let d = b[i].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            // Cannot overflow within 19 digits; longer numbers are rejected below.
            v = v.wrapping_mul(10).wrapping_add(d as u64);
            i += 1;
        }
        if i == start || i - start > 19 {
            return Err(bad_number(chunk, start, what));
        }
        while i < n && b[i].is_ascii_whitespace() {
            i += 1;
        }
        f(k, v)?;
        k += 1;
        if i == n {
            return Ok(());
        }
        if b[i] != b',' {
            return Err(bad_number(chunk, i, what));
        }
        i += 1;
    }
}

fn bad_number(chunk: &Chunk, at: usize, what: &str) -> Error {
    let b = chunk.bytes;
    let end = (at + 16).min(b.len());
    let snippet = String::from_utf8_lossy(&b[at..end]);
    Error::invalid(format!(
        "the \"{what}\" array holds something that is not an unsigned integer at byte {}: {snippet:?}",
        chunk.offset + at
    ))
}

/// A raw pointer that several threads may write through at disjoint indices.
#[derive(Clone, Copy)]
pub struct SharedSlice<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: callers only write disjoint indices from different threads (each value index of an
// array belongs to exactly one chunk), and nobody reads until all writers have joined.
unsafe impl<T: Send> Send for SharedSlice<T> {}
unsafe impl<T: Send> Sync for SharedSlice<T> {}

impl<T> SharedSlice<T> {
    pub fn new(v: &mut [T]) -> Self {
        Self {
            ptr: v.as_mut_ptr(),
            len: v.len(),
        }
    }

    /// # Safety
    /// No other thread may access index `i` concurrently.
    #[inline]
    pub unsafe fn write(&self, i: usize, value: T) {
        assert!(i < self.len);
        // SAFETY: in bounds (checked above) and exclusive per the caller's contract.
        unsafe { self.ptr.add(i).write(value) }
    }
}
