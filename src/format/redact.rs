//! Redacted copies of snapshots, safe to share: every string value in the heap (string,
//! concatenated and sliced string nodes, which include script sources; regexp sources; heap
//! numbers' and bigints' text) becomes a placeholder that says only its length class, and URLs
//! and paths too unless kept. The graph, ids, sizes, class names, property names, function
//! names and locations stay, byte for byte where the file is not changed: so the redacted file
//! gives the same Summary and Comparison as the original, in heapsift and in DevTools.
//!
//! A string-table entry that is also used as a name (a property, a class, a function) stays as
//! that name; the string nodes that held it point to a new placeholder entry instead.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io::Write;
use std::sync::OnceLock;

use super::header::NodeField;
use super::{Bytes, RawSnapshot};
use crate::error::{Error, Result};
use crate::progress::Progress;

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Keep values that look like URLs or file paths (script names), so findings still name
    /// `app.js`.
    pub keep_urls: bool,
}

/// What a redaction changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Redacted {
    /// Distinct string values replaced.
    pub values: usize,
    /// Nodes whose value was replaced.
    pub nodes: usize,
    /// Distinct URL or path values kept (`keep_urls`).
    pub(crate) kept_urls: usize,
}

/// Node types whose name is heap content rather than a name.
pub fn holds_a_value(type_name: &str) -> bool {
    matches!(
        type_name,
        "string" | "concatenated string" | "sliced string" | "number" | "regexp" | "bigint"
    )
}

/// A URL (`https://…`, `file:///…`, `node:fs`) or a file path, as script names are.
pub fn looks_like_url_or_path(s: &str) -> bool {
    if s.is_empty() || s.len() > 4096 || s.chars().any(char::is_whitespace) {
        return false;
    }
    let b = s.as_bytes();
    let scheme = s.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'-' || c == b'.')
    });
    (scheme && (s.contains("://") || s.starts_with("node:") || s.starts_with("file:")))
        || (b[0] == b'/' && b.get(1) != Some(&b'/') && b.get(1) != Some(&b'*'))
        || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/'))
}

/// A URL without what may be secret in it: `user:password@`, the query and the fragment.
pub fn without_secrets(url: &str) -> String {
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let url = &url[..cut];
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{}{}", &url[..i + 3], &rest[at + 1..]),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

fn length_class(chars: usize) -> &'static str {
    match chars {
        0..=8 => "≤8 chars",
        9..=64 => "9–64 chars",
        65..=1024 => "65–1024 chars",
        1025..=65_536 => "1K–64K chars",
        _ => ">64K chars",
    }
}

/// The placeholder for a value: its length class and a hash keyed per process, so equal values
/// read equal within one redacted file (duplicates stay visible) but cannot be looked up.
pub fn placeholder(value: &str) -> String {
    static KEY: OnceLock<u64> = OnceLock::new();
    let key = *KEY.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(0x6865_6170_7369_6674u64));
    let h = xxhash_rust::xxh3::xxh3_64_with_seed(value.as_bytes(), key);
    format!(
        "[redacted {} #{:06x}]",
        length_class(value.chars().count()),
        h & 0xff_ffff
    )
}

/// Writes the redacted copy of the snapshot `bytes` (parsed and checked first) to `out`.
pub fn redact(bytes: &Bytes, opts: Options, out: &mut dyn Write, progress: &Progress) -> Result<Redacted> {
    let raw = super::parse(bytes, progress)?;
    let b: &[u8] = bytes;
    let types = &raw.header.node_types;
    let strings_len = raw.strings.len();
    for (v, &s) in raw.node_name.iter().enumerate() {
        if s as usize >= strings_len {
            return Err(Error::invalid(format!(
                "node {v}'s name is string {s}, past the {strings_len} strings"
            )));
        }
    }
    let string_named: Vec<bool> = raw
        .header
        .edge_types
        .iter()
        .map(|t| !matches!(t.as_str(), "element" | "hidden"))
        .collect();
    for (e, &t) in raw.edge_type.iter().enumerate() {
        if string_named.get(t as usize).copied().unwrap_or(false) && raw.edge_name[e] as usize >= strings_len {
            return Err(Error::invalid(format!(
                "edge {e}'s name is string {}, past the {strings_len} strings",
                raw.edge_name[e]
            )));
        }
    }
    // Value nodes, and code named after its script's URL or path (V8 names Script objects so;
    // their class is "(compiled code)" whatever the name, so the Summary does not change).
    let is_value = |v: usize| match types.get(raw.node_type[v] as usize).map(String::as_str) {
        Some("code") => looks_like_url_or_path(raw.strings.get(raw.node_name[v])),
        Some(t) => holds_a_value(t),
        None => false,
    };
    // Entries that are names somewhere: they stay.
    let mut named = vec![false; strings_len];
    for v in 0..raw.node_type.len() {
        if !is_value(v) {
            named[raw.node_name[v] as usize] = true;
        }
    }
    for (e, &t) in raw.edge_type.iter().enumerate() {
        if string_named.get(t as usize).copied().unwrap_or(false) {
            named[raw.edge_name[e] as usize] = true;
        }
    }
    for i in trace_function_names(&raw, b)? {
        if let Some(slot) = named.get_mut(i as usize) {
            *slot = true;
        }
    }
    // What each value entry becomes: replaced where it is (only a value), or a new entry for
    // its nodes (also a name).
    let mut replaced: HashMap<u32, String> = HashMap::new();
    let mut moved: HashMap<u32, u32> = HashMap::new();
    let mut appended: Vec<String> = Vec::new();
    let mut node_names: HashMap<usize, u32> = HashMap::new();
    let mut kept_urls = std::collections::HashSet::new();
    let mut stats = Redacted::default();
    for v in 0..raw.node_type.len() {
        if !is_value(v) {
            continue;
        }
        let s = raw.node_name[v];
        let value = raw.strings.get(s);
        let text = if opts.keep_urls && looks_like_url_or_path(value) {
            let clean = without_secrets(value);
            if clean == value {
                kept_urls.insert(s);
                continue;
            }
            clean
        } else {
            placeholder(value)
        };
        stats.nodes += 1;
        if named[s as usize] {
            let next = (strings_len + appended.len()) as u32;
            let new = *moved.entry(s).or_insert_with(|| {
                appended.push(text);
                next
            });
            node_names.insert(v, new);
        } else {
            replaced.entry(s).or_insert(text);
        }
    }
    stats.values = replaced.len() + moved.len();
    stats.kept_urls = kept_urls.len();
    // Entries nothing names and no object holds (a producer may leave some): nothing says what
    // they are, so they go too.
    for i in (0..strings_len as u32).filter(|&i| !named[i as usize]) {
        if !kept_urls.contains(&i) {
            replaced.entry(i).or_insert_with(|| placeholder(raw.strings.get(i)));
        }
    }

    let name_field = raw
        .header
        .node_fields
        .iter()
        .position(|f| *f == NodeField::Name)
        .ok_or_else(|| Error::invalid("the nodes have no name field"))?;
    let w = |e: std::io::Error| Error::write("the redacted snapshot", e);
    out.write_all(b"{").map_err(w)?;
    for (k, (key, span)) in raw.sections.iter().enumerate() {
        if k > 0 {
            out.write_all(b",\n").map_err(w)?;
        }
        write!(out, "{}:", serde_json::to_string(key).unwrap_or_default()).map_err(w)?;
        let value = &b[span.clone()];
        match key.as_str() {
            "nodes" => write_nodes(value, raw.header.node_fields.len(), name_field, &node_names, out).map_err(w)?,
            "strings" => write_strings(value, strings_len, &replaced, &appended, out)?,
            _ => out.write_all(value).map_err(w)?,
        }
    }
    out.write_all(b"}\n").map_err(w)?;
    Ok(stats)
}

/// Copies the nodes array, replacing the name field of the nodes in `names`.
fn write_nodes(
    value: &[u8],
    fields: usize,
    name_field: usize,
    names: &HashMap<usize, u32>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if names.is_empty() {
        return out.write_all(value);
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
    let mut k = 0usize;
    let mut i = 0;
    while i < value.len() {
        let c = value[i];
        if c.is_ascii_digit() || c == b'-' {
            let start = i;
            while i < value.len() && (value[i].is_ascii_digit() || matches!(value[i], b'-' | b'.' | b'e' | b'E' | b'+'))
            {
                i += 1;
            }
            let renamed = if k % fields == name_field {
                names.get(&(k / fields))
            } else {
                None
            };
            match renamed {
                Some(new) => write!(out, "{new}")?,
                None => out.write_all(&value[start..i])?,
            }
            k += 1;
        } else {
            out.write_all(&value[i..=i])?;
            i += 1;
        }
    }
    out.flush()
}

/// The strings array: each kept entry copied as written, each redacted one replaced, the new
/// placeholders appended.
fn write_strings(
    value: &[u8],
    count: usize,
    replaced: &HashMap<u32, String>,
    appended: &[String],
    out: &mut dyn Write,
) -> Result<()> {
    let w = |e: std::io::Error| Error::write("the redacted snapshot", e);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
    out.write_all(b"[").map_err(w)?;
    let mut i = 0;
    let mut n = 0usize;
    while i < value.len() {
        if value[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < value.len() && value[i] != b'"' {
            i += if value[i] == b'\\' { 2 } else { 1 };
        }
        i += 1;
        if n > 0 {
            out.write_all(b",\n").map_err(w)?;
        }
        if let Some(text) = replaced.get(&(n as u32)) {
            out.write_all(serde_json::to_string(text).unwrap_or_default().as_bytes())
                .map_err(w)?;
        } else {
            out.write_all(&value[start..i.min(value.len())]).map_err(w)?;
        }
        n += 1;
    }
    if n != count {
        return Err(Error::invalid(format!(
            "the strings section holds {n} strings where {count} were read"
        )));
    }
    for p in appended {
        out.write_all(b",\n").map_err(w)?;
        out.write_all(serde_json::to_string(p).unwrap_or_default().as_bytes())
            .map_err(w)?;
    }
    out.write_all(b"]").map_err(w)?;
    out.flush().map_err(w)
}

/// String indices that allocation traces use as function and script names.
fn trace_function_names(raw: &RawSnapshot, b: &[u8]) -> Result<Vec<u32>> {
    let find = |key: &str| raw.sections.iter().find(|(k, _)| k == key).map(|(_, r)| &b[r.clone()]);
    let (Some(header), Some(infos)) = (find("snapshot"), find("trace_function_infos")) else {
        return Ok(Vec::new());
    };
    let header: serde_json::Value =
        serde_json::from_slice(header).map_err(|e| Error::invalid(format!("the snapshot header: {e}")))?;
    let Some(fields) = header["meta"]["trace_function_info_fields"].as_array() else {
        return Ok(Vec::new());
    };
    let wanted: Vec<usize> = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| matches!(f.as_str(), Some("name" | "script_name")))
        .map(|(i, _)| i)
        .collect();
    let values: Vec<u32> = serde_json::from_slice::<Vec<u64>>(infos)
        .map_err(|e| Error::invalid(format!("the trace_function_infos section: {e}")))?
        .into_iter()
        // Out of range is no string (not a wrapped index that would keep some other string).
        .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
        .collect();
    Ok(values
        .chunks(fields.len().max(1))
        .flat_map(|rec| wanted.iter().filter_map(|&i| rec.get(i).copied()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_nothing_uses_are_replaced_too() {
        use crate::format::build::SnapshotJson;
        let mut b = SnapshotJson::new();
        let root = b.node("synthetic", "", 1, 0);
        let obj = b.node("object", "Session", 3, 20);
        b.edge(root, "shortcut", "session", obj);
        b.string("hunter2-nothing-uses-this");
        let json = b.to_json();
        assert!(json.contains("hunter2-nothing-uses-this"));
        let mut out = Vec::new();
        let bytes = Bytes::Owned(json.into_bytes());
        redact(&bytes, Options::default(), &mut out, &Progress::new()).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains("hunter2"), "{out}");
        assert!(
            out.contains("\"Session\"") && out.contains("\"session\""),
            "names stay: {out}"
        );
    }

    #[test]
    fn urls_and_paths_but_not_sources() {
        for yes in [
            "https://shop.example/app.js",
            "file:///srv/app.js",
            "node:internal/fs",
            "/srv/app/server.js",
            "C:\\app\\x.js",
        ] {
            assert!(looks_like_url_or_path(yes), "{yes}");
        }
        for no in [
            "// comment\nfunction",
            "/* license */",
            "hello world",
            "",
            "user@example.com",
            "//x",
        ] {
            assert!(!looks_like_url_or_path(no), "{no}");
        }
    }

    #[test]
    fn kept_urls_lose_credentials_queries_and_fragments() {
        assert_eq!(
            without_secrets("https://u:pw@shop.example/a.js?token=1#x"),
            "https://shop.example/a.js"
        );
        assert_eq!(
            without_secrets("postgres://admin:hunter2@db:5432/app"),
            "postgres://db:5432/app"
        );
        assert_eq!(without_secrets("file:///srv/app.js"), "file:///srv/app.js");
        assert_eq!(without_secrets("/srv/app/server.js"), "/srv/app/server.js");
    }

    #[test]
    fn placeholders_say_the_length_class_and_keep_equal_values_equal() {
        let a = placeholder("alice@example.com");
        assert!(a.starts_with("[redacted 9–64 chars #"), "{a}");
        assert_eq!(a, placeholder("alice@example.com"));
        assert_ne!(a, placeholder("bob@example.com"));
        assert!(!a.contains("alice"));
        assert!(placeholder(&"x".repeat(70_000)).contains(">64K"));
    }
}
