//! The `strings` section: one JSON array of strings, decoded into a single byte buffer.
//!
//! V8 writes non-ASCII characters as `\uXXXX` escapes holding only the low 16 bits of the code
//! point, and other producers write lone surrogates. Neither may fail the load: surrogate pairs
//! are joined, and a lone surrogate becomes U+FFFD (the one place we differ from DevTools, which
//! keeps it as an unpaired UTF-16 unit).

use crate::column::Column;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// All strings of a snapshot, plus strings added by the analysis (class names DevTools adds).
#[derive(Default, Clone)]
pub struct StringTable {
    /// Valid UTF-8, and every `ends` entry falls on a character boundary (checked wherever a
    /// table is made), so `get` can slice it without checking again.
    data: Column<u8>,
    /// `ends[i]` is the end of string `i` in `data`; string `i` starts at `ends[i-1]`.
    ends: Column<u64>,
    /// Strings added after loading (class names DevTools makes up). Kept apart so that adding
    /// one never reallocates the big buffer.
    added: Vec<String>,
}

impl StringTable {
    pub fn len(&self) -> usize {
        self.ends.len() + self.added.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The string at `i`, or "" when out of range (indices are validated at load time).
    #[inline]
    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        if i >= self.ends.len() {
            return self.added.get(i - self.ends.len()).map_or("", String::as_str);
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        // SAFETY: see `data`: whole UTF-8 text cut at character boundaries.
        unsafe { std::str::from_utf8_unchecked(&self.data[start..self.ends[i] as usize]) }
    }

    pub fn push(&mut self, s: &str) -> u32 {
        self.added.push(s.to_owned());
        (self.len() - 1) as u32
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.data.heap_bytes() + self.ends.heap_bytes() + self.added.iter().map(|s| s.capacity() + 24).sum::<usize>()
    }

    /// The parsed text, the end of each parsed string in it, and the strings added later: what
    /// an index file stores.
    pub fn parts(&self) -> (&[u8], &[u64], &[String]) {
        (&self.data, &self.ends, &self.added)
    }

    /// A table from stored parts (an index file), checked as a parse would: `data` must be
    /// UTF-8 and `ends` ascending character boundaries within it.
    pub(crate) fn from_parts(data: Column<u8>, ends: Column<u64>, added: Vec<String>) -> Result<Self> {
        let bad = || Error::invalid("the string table is damaged");
        let text = std::str::from_utf8(&data).map_err(|_| bad())?;
        let mut prev = 0u64;
        for &end in ends.iter() {
            if end < prev || end > data.len() as u64 || !text.is_char_boundary(end as usize) {
                return Err(bad());
            }
            prev = end;
        }
        Ok(StringTable { data, ends, added })
    }
}

/// Decodes the array starting at `bytes[0] == b'['`. Returns the table and the number of bytes
/// consumed (through the closing `]`). `offset` is the array's byte offset in the file.
#[cfg(test)]
pub(crate) fn parse_strings(bytes: &[u8], offset: usize, progress: &Progress) -> Result<(StringTable, usize)> {
    parse_strings_releasing(bytes, offset, progress, &|_, _| {})
}

/// Like [`parse_strings`], calling `release(file_offset, len)` for parsed ranges as it goes, so
/// a mapped input need not stay resident.
pub(crate) fn parse_strings_releasing(
    bytes: &[u8],
    offset: usize,
    progress: &Progress,
    release: &dyn Fn(usize, usize),
) -> Result<(StringTable, usize)> {
    const RELEASE_EVERY: usize = 32 << 20;
    let mut released = 0usize;
    let truncated = || Error::invalid("the file ends inside the \"strings\" section (it looks truncated)");
    // Decoded text is never longer than its JSON form; reserving up front avoids doubling copies
    // of a possibly huge buffer (untouched capacity costs no memory).
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len().min(1 << 34));
    let mut ends: Vec<u64> = Vec::new();
    let n = bytes.len();
    let mut i = 1;
    let skip_ws = |i: &mut usize| {
        while *i < n && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if i < n && bytes[i] == b']' {
        return Ok((StringTable::default(), i + 1));
    }
    loop {
        skip_ws(&mut i);
        if i >= n {
            return Err(truncated());
        }
        if bytes[i] != b'"' {
            return Err(Error::invalid(format!(
                "the \"strings\" section holds something that is not a string at byte {}",
                offset + i
            )));
        }
        i += 1;
        loop {
            let Some(rel) = memchr::memchr2(b'"', b'\\', &bytes[i..]) else {
                return Err(truncated());
            };
            push_raw(&mut out, &bytes[i..i + rel]);
            i += rel;
            if bytes[i] == b'"' {
                i += 1;
                break;
            }
            // An escape.
            if i + 1 >= n {
                return Err(truncated());
            }
            let c = bytes[i + 1];
            i += 2;
            let simple = match c {
                b'"' => Some(b'"'),
                b'\\' => Some(b'\\'),
                b'/' => Some(b'/'),
                b'b' => Some(8),
                b'f' => Some(12),
                b'n' => Some(b'\n'),
                b'r' => Some(b'\r'),
                b't' => Some(b'\t'),
                b'u' => None,
                _ => {
                    return Err(Error::invalid(format!(
                        "invalid escape \\{} in the \"strings\" section at byte {}",
                        c as char,
                        offset + i - 2
                    )));
                }
            };
            if let Some(b) = simple {
                out.push(b);
                continue;
            }
            let unit = hex4(bytes, i).ok_or_else(|| bad_unicode(offset + i - 2))?;
            i += 4;
            let ch = if (0xD800..0xDC00).contains(&unit) {
                // A high surrogate: join it with a following low surrogate if there is one.
                if i + 6 <= n && bytes[i] == b'\\' && bytes[i + 1] == b'u' {
                    match hex4(bytes, i + 2) {
                        Some(low) if (0xDC00..0xE000).contains(&low) => {
                            i += 6;
                            char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    None
                }
            } else {
                char::from_u32(unit)
            };
            let ch = ch.unwrap_or('\u{FFFD}');
            let mut buf = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        }
        ends.push(out.len() as u64);
        if ends.len() & 0xFFF == 0 {
            progress.set(i as u64)?;
        }
        if i - released >= RELEASE_EVERY {
            release(offset + released, i - released);
            released = i;
        }
        skip_ws(&mut i);
        if i >= n {
            return Err(truncated());
        }
        match bytes[i] {
            b',' => i += 1,
            b']' => {
                i += 1;
                break;
            }
            _ => {
                return Err(Error::invalid(format!(
                    "expected ',' or ']' in the \"strings\" section at byte {}",
                    offset + i
                )));
            }
        }
    }
    // `push_raw` only appends valid UTF-8 and escapes append whole chars.
    let mut data = String::from_utf8(out)
        .map_err(|_| Error::invalid("the \"strings\" section is not valid UTF-8"))?
        .into_bytes();
    data.shrink_to_fit();
    ends.shrink_to_fit();
    let table = StringTable {
        data: data.into(),
        ends: ends.into(),
        added: Vec::new(),
    };
    Ok((table, i))
}

fn bad_unicode(at: usize) -> Error {
    Error::invalid(format!("invalid \\u escape in the \"strings\" section at byte {at}"))
}

#[inline]
fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let s = b.get(i..i + 4)?;
    let mut v = 0u32;
    for &c in s {
        v = v * 16 + (c as char).to_digit(16)?;
    }
    Some(v)
}

/// Appends raw (unescaped) string bytes, replacing invalid UTF-8 so the buffer stays valid.
#[inline]
fn push_raw(out: &mut Vec<u8>, raw: &[u8]) {
    if raw.is_ascii() {
        out.extend_from_slice(raw);
    } else {
        match std::str::from_utf8(raw) {
            Ok(s) => out.extend_from_slice(s.as_bytes()),
            Err(_) => out.extend_from_slice(String::from_utf8_lossy(raw).as_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Vec<String> {
        let (t, used) = parse_strings(s.as_bytes(), 0, &Progress::new()).unwrap();
        assert_eq!(used, s.len());
        (0..t.len()).map(|i| t.get(i as u32).to_owned()).collect()
    }

    #[test]
    fn decodes_escapes_and_surrogates() {
        assert_eq!(
            parse(r#"["<dummy>","a\"b\\c\n","\u00e9\uF600"]"#),
            vec!["<dummy>", "a\"b\\c\n", "é\u{F600}"]
        );
        assert_eq!(parse(r#"["\ud83d\ude00"]"#), vec!["😀"]);
        // Lone surrogates (other producers) do not fail the load.
        assert_eq!(parse(r#"["\ud83d", "x\udc00y"]"#), vec!["\u{FFFD}", "x\u{FFFD}y"]);
        assert_eq!(parse("[]"), Vec::<String>::new());
        assert_eq!(parse("[ \"raw é\" ]"), vec!["raw é"]);
    }

    #[test]
    fn rejects_bad_input() {
        let p = Progress::new();
        assert!(parse_strings(br#"["abc"#, 0, &p).is_err());
        assert!(parse_strings(br#"["a\q"]"#, 0, &p).is_err());
        assert!(parse_strings(br#"["a\u12"]"#, 0, &p).is_err());
        assert!(parse_strings(br#"[1]"#, 0, &p).is_err());
    }
}
