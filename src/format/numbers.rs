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
/// Unit tests use tiny chunks, so that records cut between chunks and windows are exercised.
const CHUNK_BYTES: usize = if cfg!(test) { 64 } else { 8 << 20 };

/// A parsed chunk: `first` is the index of its first value in the whole array.
pub(crate) struct Chunk<'a> {
    pub bytes: &'a [u8],
    pub first: usize,
    /// Byte offset of `bytes` in the file, for error messages.
    pub(crate) offset: usize,
}

/// Parses the array whose values start at `bytes[0]` (just after its `[`) and end at the first
/// `]`, which it finds itself: `bytes` may run on to the end of the file. Works window by
/// window: the window is split at commas into chunks; one parallel pass finds the end and counts
/// each chunk's values, a prefix sum gives every chunk the index of its first value, and a
/// second parallel pass hands each chunk to `parse` and its file range to `release`. Each page
/// of the file is read from memory once, while it is resident, and released right after.
///
/// Returns the position of the closing `]` in `bytes`. Fails, before writing past it, as soon as
/// the array holds more than `expected` values, and at the end when it holds fewer (`None`: any
/// count; the caller collects the values itself). Progress
/// advances by values parsed.
pub(crate) fn parse_array<P, R>(
    bytes: &[u8],
    base_offset: usize,
    expected: Option<usize>,
    what: &str,
    progress: &Progress,
    parse: P,
    release: R,
) -> Result<usize>
where
    P: Fn(&Chunk) -> Result<()> + Sync,
    R: Fn(usize, usize) + Sync,
{
    let window_chunks = rayon::current_num_threads().max(1) * 4;
    let mut at = 0usize;
    let mut first = 0usize;
    loop {
        // Chunk bounds: each chunk ends just after a comma (or at the end of the data).
        let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(window_chunks);
        let mut s = at;
        while ranges.len() < window_chunks && s < bytes.len() {
            let target = s + CHUNK_BYTES;
            let e = if target >= bytes.len() {
                bytes.len()
            } else {
                memchr::memchr(b',', &bytes[target..]).map_or(bytes.len(), |i| target + i + 1)
            };
            ranges.push((s, e));
            s = e;
        }
        if ranges.is_empty() {
            return Err(Error::invalid(format!(
                "the file ends unexpectedly in the \"{what}\" section (it looks truncated)"
            )));
        }
        // Where the array ends, if in this window, and how many values each chunk holds.
        let scanned: Vec<(usize, Option<usize>)> = ranges
            .par_iter()
            .map(|&(s, e)| {
                let slice = &bytes[s..e];
                let close = memchr::memchr(b']', slice);
                let body = &slice[..close.unwrap_or(slice.len())];
                let commas = memchr::memchr_iter(b',', body).count();
                // The array's last value has no comma after it.
                let tail = close.is_some()
                    && body
                        .iter()
                        .rev()
                        .take_while(|b| **b != b',')
                        .any(|b| !b.is_ascii_whitespace());
                (commas + tail as usize, close.map(|c| s + c))
            })
            .collect();
        let end_chunk = scanned.iter().position(|c| c.1.is_some());
        let used = end_chunk.map_or(ranges.len(), |i| i + 1);
        let mut firsts = Vec::with_capacity(used);
        for c in &scanned[..used] {
            firsts.push(first);
            first += c.0;
        }
        let close = end_chunk.and_then(|i| scanned[i].1);
        if let Some(expected) = expected.filter(|&x| first > x) {
            return Err(match close {
                Some(_) => count_mismatch(what, first, expected),
                None => Error::invalid(format!(
                    "the \"{what}\" array holds more than the {expected} values the header implies"
                )),
            });
        }
        if let Some(c) = close {
            // A comma must be followed by a value: `[1,2,]` is not an array of two.
            let before = bytes[..c].iter().rev().find(|b| !b.is_ascii_whitespace());
            if before == Some(&b',') {
                return Err(Error::invalid(format!(
                    "the \"{what}\" array ends with a comma at byte {}",
                    base_offset + c
                )));
            }
        }
        let errors: Vec<Error> = ranges[..used]
            .par_iter()
            .zip(firsts.par_iter().zip(scanned.par_iter()))
            .filter_map(|(&(s, e), (&first, &(count, _)))| {
                if progress.check().is_err() {
                    return Some(Error::Cancelled);
                }
                let e = close.filter(|&c| c < e).unwrap_or(e);
                let chunk = Chunk {
                    bytes: &bytes[s..e],
                    first,
                    offset: base_offset + s,
                };
                let r = parse(&chunk);
                release(base_offset + s, e - s);
                let _ = progress.advance(count as u64);
                r.err()
            })
            .collect();
        // Report the earliest problem in the file; a cancel wins over nothing else.
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        progress.check()?;
        if let Some(close) = close {
            if let Some(expected) = expected.filter(|&x| first != x) {
                return Err(count_mismatch(what, first, expected));
            }
            return Ok(close);
        }
        at = ranges[used - 1].1;
    }
}

fn count_mismatch(what: &str, found: usize, expected: usize) -> Error {
    Error::invalid(format!(
        "the \"{what}\" array holds {found} values but the header implies {expected}"
    ))
}

/// Iterates the unsigned integers of a chunk, calling `f(index_in_chunk, value)`.
#[inline]
pub(crate) fn for_each_value(chunk: &Chunk, what: &str, mut f: impl FnMut(usize, u64) -> Result<()>) -> Result<()> {
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
        if i + 8 <= n {
            // Eight bytes at once: how many leading digits, and up to eight of them converted
            // without a loop (the rest, for longer numbers, by the loop below).
            let word = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
            let (digits, value) = leading_digits(word);
            v = value;
            i += digits;
        }
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

/// The number of leading ASCII digits in the eight bytes of `word` (first byte lowest) and
/// their value (SWAR: a bytewise range test, then pairwise multiply-adds).
#[inline]
fn leading_digits(word: u64) -> (usize, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let d = word.wrapping_sub(ONES * b'0' as u64);
    // A byte is a digit when it neither borrowed below '0' (top bit set) nor is above '9'.
    // Borrows and carries only travel to later bytes, so the first non-digit is found exactly.
    let not_digit = (d | d.wrapping_add(ONES * 0x76)) & (ONES * 0x80);
    let count = (not_digit.trailing_zeros() / 8) as usize;
    if count == 0 {
        return (0, 0);
    }
    // Left-align the digits so the missing leading ones read as zeros, then combine.
    let mut x = d << (8 * (8 - count));
    x = (x & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(10 * 256 + 1) >> 8;
    x = (x & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 * 65536 + 1) >> 16;
    x = (x & 0x0000_FFFF_0000_FFFF).wrapping_mul(10000 * (1 << 32) + 1) >> 32;
    (count, x)
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

/// Division by a divisor fixed at run time (the node field count), as a multiplication: a
/// hardware division per edge was a tenth of the edge parse, and LLVM folds a `match` over the
/// usual counts back into one.
#[derive(Clone, Copy)]
pub(crate) struct Divisor {
    d: u64,
    /// floor(2^64 / d) + 1: exact for every dividend below 2^64 / d (the error of `v * m / 2^64`
    /// is below v / 2^64, less than the 1/d that would change the floor).
    m: u64,
}

impl Divisor {
    /// Dividing by a field count `d` (at least 1; files may claim anything).
    pub(crate) fn for_count(d: u64) -> Divisor {
        let d = d.max(1);
        // m = 0 marks a divisor the multiplication does not serve (1, or above 256).
        let m = if (2..=256).contains(&d) { u64::MAX / d + 1 } else { 0 };
        Divisor { d, m }
    }

    /// `(v / d, v % d)`; by multiplication for `v` below 2^56.
    #[inline]
    pub(crate) fn div_rem(self, v: u64) -> (u64, u64) {
        if self.m == 0 || v >= 1 << 56 {
            return (v / self.d, v % self.d);
        }
        let q = ((v as u128 * self.m as u128) >> 64) as u64;
        (q, v - q * self.d)
    }
}

/// A raw pointer that several threads may write through at disjoint indices.
#[derive(Clone, Copy)]
pub(crate) struct SharedSlice<T> {
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

#[cfg(test)]
mod tests {
    use super::{Divisor, leading_digits};

    #[test]
    fn a_divisor_divides_exactly() {
        for d in [1u64, 2, 3, 5, 6, 7, 8, 9, 10, 13, 255, 256, 257, 1000] {
            let div = Divisor::for_count(d);
            let edges = [
                0,
                1,
                d - 1,
                d,
                d + 1,
                u32::MAX as u64,
                (1 << 56) - 1,
                (1 << 56) / d * d - 1,
                u64::MAX,
            ];
            let stride = u64::MAX / 100_003;
            for v in edges.into_iter().chain((0..100_003u64).map(|k| k * stride + k % d)) {
                assert_eq!(div.div_rem(v), (v / d, v % d), "{v} / {d}");
            }
        }
    }

    #[test]
    fn leading_digits_match_a_plain_parse() {
        let cases: &[&[u8; 8]] = &[
            b"12345678",
            b"1234567,",
            b"0,1,2,3,",
            b",1234567",
            b"9\n,8,7,6",
            b"42]     ",
            b"00000001",
            b"99999999",
            b"7 ,     ",
            b"3:::::::",
            b"5/......",
            b"\xff1234567",
            b"1\x7f\x80abcde",
            b"12/45678",
            b"123:5678",
        ];
        for &bytes in cases {
            let word = u64::from_le_bytes(*bytes);
            let count = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            let value = bytes[..count].iter().fold(0u64, |v, b| v * 10 + (b - b'0') as u64);
            assert_eq!(
                leading_digits(word),
                (count, value),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        // Every single byte after a digit.
        for next in 0..=255u8 {
            let bytes = [b'7', next, b'1', b'2', b'3', b'4', b'5', b'6'];
            let count = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            let value = bytes[..count].iter().fold(0u64, |v, b| v * 10 + (b - b'0') as u64);
            assert_eq!(
                leading_digits(u64::from_le_bytes(bytes)),
                (count, value),
                "7 then {next}"
            );
        }
    }
}
