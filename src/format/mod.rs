//! The `.heapsnapshot` file format: mapping the file and parsing its sections.
//!
//! Nothing here knows about graph algorithms; the output is a [`RawSnapshot`] of flat,
//! struct-of-arrays columns that the model wraps.

pub mod build;
pub(crate) mod header;
pub mod heapprofile;
pub(crate) mod numbers;
pub mod redact;
pub(crate) mod strings;
pub mod traces;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use memmap2::Mmap;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::progress::{Phase, Progress};
pub use header::Header;
use header::{EdgeField, LocationField, NodeField};
use numbers::{SharedSlice, for_each_value, parse_array};
pub use strings::StringTable;

/// The bytes of a snapshot: a read-only mapping of the file, or memory (decompressed or
/// embedded). The input file is never written.
pub enum Bytes {
    Mapped(Mmap),
    Owned(Vec<u8>),
    Static(&'static [u8]),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
            Bytes::Static(s) => s,
        }
    }
}

impl Bytes {
    /// Opens a snapshot file: maps it, or decompresses it when it is gzip-compressed.
    pub fn open(path: &Path) -> Result<Bytes> {
        if path.is_dir() {
            return Err(Error::invalid("this is a folder, not a snapshot file"));
        }
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        if len == 0 {
            return Err(Error::invalid("the file is empty"));
        }
        // SAFETY: the mapping is read-only and we assume, as every mmap-based reader must, that
        // nobody truncates the file while it is open. Snapshots are written once, then read.
        let map = unsafe { Mmap::map(&file)? };
        if map.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&map[..])
                .read_to_end(&mut out)
                .map_err(|e| Error::invalid(format!("the gzip stream is damaged: {e}")))?;
            return Ok(Bytes::Owned(out));
        }
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Sequential);
        Ok(Bytes::Mapped(map))
    }

    /// Tells the kernel we are done with a parsed range, so the mapped pages stop counting
    /// toward our resident memory. They are reloaded from the file if touched again.
    pub(crate) fn release(&self, offset: usize, len: usize) {
        if let Bytes::Mapped(m) = self {
            release_pages(m, offset, len);
        }
    }
}

/// Drops the whole pages of `offset..offset + len` of a read-only file mapping from our resident
/// memory; they stay in the page cache and fault back in from the file when touched.
pub(crate) fn release_pages(map: &Mmap, offset: usize, len: usize) {
    #[cfg(unix)]
    {
        let page = 4096;
        let start = offset.div_ceil(page) * page;
        let end = (offset + len) / page * page;
        if end > start {
            // SAFETY: a private read-only file mapping: dropping pages loses nothing.
            let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start) };
        }
    }
    #[cfg(not(unix))]
    let _ = (map, offset, len);
}

/// The sections of a snapshot as flat columns, one entry per node or edge.
pub struct RawSnapshot {
    pub header: Header,
    pub(crate) node_type: Vec<u8>,
    pub(crate) node_name: Vec<u32>,
    pub(crate) object_id: Vec<u32>,
    /// Reduced modulo 2^32, exactly as DevTools stores it.
    pub self_size: Vec<u32>,
    pub detachedness: Vec<u8>,
    /// Edge ordinal of each node's first edge; `node_count + 1` entries.
    pub(crate) first_edge: Vec<u32>,
    pub edge_type: Vec<u8>,
    pub edge_name: Vec<u32>,
    /// Target node ordinal (the file stores ordinal × node field count).
    pub(crate) edge_to: Vec<u32>,
    pub strings: StringTable,
    /// (node ordinal, script id, line, column), sorted by ordinal, last entry per node wins.
    pub locations: Vec<[u32; 4]>,
    pub root: u32,
    /// Each node's `trace_node_id`; empty unless allocation traces were recorded.
    pub trace_node: Vec<u32>,
    pub traces: Option<traces::AllocationTraces>,
    /// An allocation timeline's samples; empty for a plain snapshot.
    pub samples: Vec<traces::TimelineSample>,
    /// Every top-level section, in file order: its key and the bytes of its value.
    pub sections: Vec<(String, std::ops::Range<usize>)>,
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn ws(&mut self) {
        while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8, context: &str) -> Result<()> {
        self.ws();
        match self.peek() {
            Some(x) if x == c => {
                self.i += 1;
                Ok(())
            }
            Some(_) => Err(Error::invalid(format!(
                "expected '{}' {context} at byte {}",
                c as char, self.i
            ))),
            None => Err(truncated(context)),
        }
    }

    fn key(&mut self) -> Result<&'a str> {
        self.expect(b'"', "before a section name")?;
        let start = self.i;
        let end = memchr::memchr(b'"', &self.b[start..]).ok_or_else(|| truncated("in a section name"))?;
        self.i = start + end + 1;
        std::str::from_utf8(&self.b[start..start + end])
            .map_err(|_| Error::invalid(format!("a section name at byte {start} is not valid text")))
    }

    /// Skips one JSON value of any kind, honouring strings and nesting.
    fn skip_value(&mut self, context: &str) -> Result<()> {
        self.ws();
        let b = self.b;
        let mut depth = 0usize;
        loop {
            let Some(c) = b.get(self.i).copied() else {
                return Err(truncated(context));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    loop {
                        // An escape's second byte may have been the last one: nothing left.
                        let rest = b.get(self.i..).ok_or_else(|| truncated(context))?;
                        let rel = memchr::memchr2(b'"', b'\\', rest).ok_or_else(|| truncated(context))?;
                        self.i += rel;
                        if b[self.i] == b'\\' {
                            self.i += 2;
                        } else {
                            self.i += 1;
                            break;
                        }
                    }
                }
                b'[' | b'{' => {
                    depth += 1;
                    self.i += 1;
                }
                b']' | b'}' => {
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                    self.i += 1;
                }
                b',' if depth == 0 => return Ok(()),
                _ => self.i += 1,
            }
            if depth == 0 && matches!(c, b'"' | b']' | b'}') {
                return Ok(());
            }
        }
    }

    /// Finds the bounds of a flat numeric array; returns the range inside the brackets. The
    /// scan goes window by window, releasing each scanned window of the mapping.
    fn numeric_array(&mut self, what: &str, bytes: &Bytes) -> Result<(usize, usize)> {
        self.expect(b'[', &format!("at the start of the \"{what}\" section"))?;
        let start = self.i;
        const WINDOW: usize = 64 << 20;
        let mut at = start;
        loop {
            let end = (at + WINDOW).min(self.b.len());
            if let Some(i) = memchr::memchr(b']', &self.b[at..end]) {
                self.i = at + i + 1;
                return Ok((start, at + i));
            }
            bytes.release(at, end - at);
            if end == self.b.len() {
                return Err(truncated(&format!("in the \"{what}\" section")));
            }
            at = end;
        }
    }
}

/// A section name as messages quote it: a damaged file's "name" may hold line breaks or run on
/// for megabytes, and an error is one short line.
fn section_name(key: &str) -> String {
    const MAX: usize = 40;
    match key.char_indices().nth(MAX) {
        None => format!("{key:?}"),
        Some((end, _)) => format!("{:?}…", &key[..end]),
    }
}

fn truncated(context: &str) -> Error {
    Error::invalid(format!("the file ends unexpectedly {context} (it looks truncated)"))
}

/// Parses a whole snapshot. `bytes` must outlive the call only; the result owns its data.
pub fn parse(bytes: &Bytes, progress: &Progress) -> Result<RawSnapshot> {
    progress.begin(Phase::Reading, 1);
    let b: &[u8] = bytes;
    let mut cur = Cursor { b, i: 0 };
    cur.ws();
    match cur.peek() {
        None => return Err(Error::invalid("the file is empty")),
        Some(b'{') => cur.i += 1,
        Some(_) => {
            return Err(Error::invalid(
                "not a heap snapshot: the file does not start with a JSON object",
            ));
        }
    }

    let mut header: Option<Header> = None;
    // Columns, allocated once the header is known and found plausible for the file's size.
    let mut raw: Option<RawSnapshot> = None;
    // Where `nodes` / `edges` start (just after their `[`), when seen before the header (V8
    // writes the header first; other producers may not): parsed after the loop.
    let mut deferred_nodes: Option<usize> = None;
    let mut deferred_edges: Option<usize> = None;
    let (mut saw_nodes, mut saw_edges) = (false, false);
    let mut locations: Option<Vec<[u32; 4]>> = None;
    let mut deferred_locations: Option<usize> = None;
    let mut strings: Option<StringTable> = None;
    let mut sections = Vec::new();
    loop {
        cur.ws();
        match cur.peek() {
            Some(b'}') => break,
            None => return Err(truncated("between sections")),
            _ => {}
        }
        let key = cur.key()?;
        let name = section_name(key);
        cur.expect(b':', "after a section name")?;
        cur.ws();
        let value_start = cur.i;
        match key {
            "snapshot" => {
                let start = cur.i;
                cur.skip_value("in the snapshot header")?;
                header = Some(header::parse_header(&b[start..cur.i])?);
            }
            "nodes" | "edges" => {
                let is_nodes = key == "nodes";
                if std::mem::replace(if is_nodes { &mut saw_nodes } else { &mut saw_edges }, true) {
                    return Err(Error::invalid(format!("the {name} section appears twice")));
                }
                match &header {
                    Some(h) => {
                        cur.expect(b'[', &format!("at the start of the {name} section"))?;
                        let cols = columns(&mut raw, h, b.len() - cur.i)?;
                        let close = if is_nodes {
                            parse_nodes(bytes, cur.i, cols, progress)?
                        } else {
                            parse_edges(bytes, cur.i, cols, progress)?
                        };
                        cur.i = close + 1;
                    }
                    None => {
                        let (start, _) = cur.numeric_array(key, bytes)?;
                        *(if is_nodes {
                            &mut deferred_nodes
                        } else {
                            &mut deferred_edges
                        }) = Some(start);
                    }
                }
            }
            "locations" => match &header {
                Some(h) if strings.is_some() => {
                    cur.expect(b'[', "at the start of the \"locations\" section")?;
                    let (found, close) = parse_locations(bytes, cur.i, h, progress)?;
                    locations = Some(found);
                    cur.i = close + 1;
                }
                // Parsed beside the strings, which V8 writes next (or after the loop).
                _ => deferred_locations = Some(cur.numeric_array("locations", bytes)?.0),
            },
            "strings" => {
                if cur.peek() != Some(b'[') {
                    return Err(Error::invalid("the \"strings\" section is not an array"));
                }
                progress.begin(Phase::Strings, (b.len() - cur.i) as u64);
                let parse_strings =
                    || strings::parse_strings_releasing(&b[cur.i..], cur.i, progress, &|o, l| bytes.release(o, l));
                // The strings are read by one thread; the locations' chunks take the other core.
                let (table, used) = match (&header, deferred_locations) {
                    (Some(h), Some(at)) => {
                        let (table, found) = rayon::join(parse_strings, || {
                            progress.beside(Phase::Locations, |p| parse_locations(bytes, at, h, p))
                        });
                        let table = table?;
                        locations = Some(found?.0);
                        deferred_locations = None;
                        table
                    }
                    _ => parse_strings()?,
                };
                bytes.release(cur.i, used);
                cur.i += used;
                strings = Some(table);
            }
            _ => cur.skip_value(&format!("in the {name} section"))?,
        }
        sections.push((key.to_owned(), value_start..cur.i));
        cur.ws();
        match cur.peek() {
            Some(b',') => cur.i += 1,
            Some(b'}') => break,
            Some(_) => {
                return Err(Error::invalid(format!(
                    "expected ',' or '}}' after the {name} section at byte {}",
                    cur.i
                )));
            }
            None => return Err(truncated(&format!("after the {name} section"))),
        }
    }

    let header = header.ok_or_else(|| {
        // A sampling heap profile is the other file V8's heap profiler writes.
        if bytes.trim_ascii_start().starts_with(b"{\"head\"") {
            Error::invalid(
                "a sampling heap profile, not a heap snapshot: `heapsift profile FILE` reads it, and the app opens it",
            )
        } else {
            Error::invalid("not a heap snapshot: there is no \"snapshot\" header")
        }
    })?;
    if !saw_nodes {
        return Err(Error::invalid("not a heap snapshot: there is no \"nodes\" section"));
    }
    if !saw_edges {
        return Err(Error::invalid("not a heap snapshot: there is no \"edges\" section"));
    }
    let strings = strings.ok_or_else(|| Error::invalid("not a heap snapshot: there is no \"strings\" section"))?;
    let mut raw = match raw {
        Some(raw) => raw,
        None => {
            columns(&mut raw, &header, b.len())?;
            raw.expect("just made")
        }
    };
    if let Some(s) = deferred_nodes {
        parse_nodes(bytes, s, &mut raw, progress)?;
    }
    if let Some(s) = deferred_edges {
        parse_edges(bytes, s, &mut raw, progress)?;
    }
    raw.strings = strings;
    raw.sections = sections;
    raw.locations = match (locations, deferred_locations) {
        (Some(found), _) => found,
        (None, Some(s)) => parse_locations(bytes, s, &raw.header, progress)?.0,
        (None, None) => Vec::new(),
    };
    if !raw.trace_node.is_empty() {
        let section = |name: &str| raw.sections.iter().find(|(k, _)| k == name).map(|(_, r)| r.clone());
        raw.traces = match (section("trace_function_infos"), section("trace_tree")) {
            (Some(infos), Some(tree)) => traces::parse(
                &bytes[infos],
                &bytes[tree],
                &raw.header.trace_function_info_fields,
                &raw.header.trace_node_fields,
                raw.strings.len(),
            )?,
            _ => None,
        };
        if raw.traces.is_none() {
            raw.trace_node = Vec::new();
        }
    }
    if let Some((_, r)) = raw.sections.iter().find(|(k, _)| k == "samples") {
        raw.samples = traces::parse_samples(&bytes[r.clone()], &raw.header.sample_fields)?;
    }
    let n = raw.header.node_count;
    raw.root = match raw.header.root_index {
        None => 0,
        Some(idx) => {
            let f = raw.header.node_fields.len() as u64;
            let ord = idx / f;
            if idx % f != 0 || (ord != 0 && ord != n as u64 - 1) {
                return Err(Error::invalid(format!(
                    "the header's root_index {idx} is not the first or the last node"
                )));
            }
            ord as u32
        }
    };
    Ok(raw)
}

/// The columns, allocated on first use, after checking that the header's counts are possible:
/// every value takes at least two bytes ("0,"), so a small file claiming billions of nodes is
/// refused before anything is reserved for them.
fn columns<'r>(raw: &'r mut Option<RawSnapshot>, header: &Header, bytes_left: usize) -> Result<&'r mut RawSnapshot> {
    if raw.is_none() {
        let n = header.node_count;
        let e = header.edge_count;
        if n == 0 {
            return Err(Error::invalid("the snapshot has no nodes"));
        }
        if n >= (u32::MAX / 2) as usize || e >= u32::MAX as usize {
            return Err(Error::invalid(format!(
                "the snapshot is too large ({n} nodes, {e} edges); at most 2^31 nodes and 2^32 edges are supported"
            )));
        }
        let values = n as u128 * header.node_fields.len() as u128 + e as u128 * header.edge_fields.len() as u128;
        if values * 2 > bytes_left as u128 + 2 {
            return Err(Error::invalid(format!(
                "the header claims {n} nodes and {e} edges, more than the {bytes_left} bytes left in the file can hold (it looks truncated)"
            )));
        }
        *raw = Some(RawSnapshot {
            node_type: vec![0; n],
            node_name: vec![0; n],
            object_id: vec![0; n],
            self_size: vec![0; n],
            detachedness: vec![0; n],
            first_edge: vec![0; n + 1],
            edge_type: vec![0; e],
            edge_name: vec![0; e],
            edge_to: vec![0; e],
            strings: StringTable::default(),
            locations: Vec::new(),
            root: 0,
            trace_node: if header.tracked && header.node_fields.contains(&NodeField::TraceNodeId) {
                vec![0; n]
            } else {
                Vec::new()
            },
            traces: None,
            samples: Vec::new(),
            sections: Vec::new(),
            header: header.clone(),
        });
    }
    Ok(raw.as_mut().expect("made above"))
}

/// Parses the `nodes` array starting at `s` (just after its `[`); returns where its `]` is.
fn parse_nodes(bytes: &Bytes, s: usize, raw: &mut RawSnapshot, progress: &Progress) -> Result<usize> {
    progress.begin(
        Phase::Nodes,
        (raw.header.node_count * raw.header.node_fields.len()) as u64,
    );
    let fields = raw.header.node_fields.clone();
    let f = fields.len();
    let type_count = raw.header.node_types.len() as u64;
    let n = raw.header.node_count;
    let ty = SharedSlice::new(&mut raw.node_type);
    let name = SharedSlice::new(&mut raw.node_name);
    let id = SharedSlice::new(&mut raw.object_id);
    let size = SharedSlice::new(&mut raw.self_size);
    let det = SharedSlice::new(&mut raw.detachedness);
    let traced = !raw.trace_node.is_empty();
    let trace = SharedSlice::new(&mut raw.trace_node);
    // Edge counts go into first_edge[ordinal + 1]; a prefix sum turns them into offsets.
    let counts = SharedSlice::new(&mut raw.first_edge);
    let close = parse_array(
        &bytes[s..],
        s,
        Some(n * f),
        "nodes",
        progress,
        |chunk| {
            let mut rec = chunk.first / f;
            let mut field = chunk.first % f;
            for_each_value(chunk, "nodes", |_, v| {
                // SAFETY: every (record, field) pair is produced by exactly one chunk.
                unsafe {
                    match fields[field] {
                        NodeField::Type => {
                            if v >= type_count {
                                return Err(Error::invalid(format!(
                                    "node {rec} has type index {v}, but meta.node_types lists only {type_count} types"
                                )));
                            }
                            ty.write(rec, v as u8)
                        }
                        NodeField::Name => name.write(rec, checked_u32(v, "a node name index")?),
                        NodeField::Id => id.write(rec, v as u32),
                        NodeField::SelfSize => size.write(rec, v as u32),
                        NodeField::EdgeCount => counts.write(rec + 1, checked_u32(v, "a node's edge count")?),
                        NodeField::Detachedness => det.write(rec, (v & 3) as u8),
                        NodeField::TraceNodeId if traced => trace.write(rec, checked_u32(v, "a trace node id")?),
                        NodeField::TraceNodeId | NodeField::Ignored => {}
                    }
                }
                field += 1;
                if field == f {
                    field = 0;
                    rec += 1;
                }
                Ok(())
            })
        },
        |o, l| bytes.release(o, l),
    )?;
    let mut acc: u64 = 0;
    for slot in raw.first_edge.iter_mut() {
        acc += *slot as u64;
        *slot = acc.min(u32::MAX as u64) as u32;
    }
    check_edge_counts(raw)?;
    Ok(s + close)
}

/// The nodes' edge counts must add up to the header's edge count.
fn check_edge_counts(raw: &RawSnapshot) -> Result<()> {
    let total = raw.first_edge.last().copied().unwrap_or(0) as u64;
    let sum_is_exact = raw.first_edge.len() < 2 || total < u32::MAX as u64;
    if !sum_is_exact || total != raw.header.edge_count as u64 {
        return Err(Error::invalid(format!(
            "the nodes' edge counts add up to {}, but the header's edge_count is {}",
            if sum_is_exact {
                total.to_string()
            } else {
                "more than 2^32".into()
            },
            raw.header.edge_count
        )));
    }
    Ok(())
}

fn checked_u32(v: u64, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| Error::invalid(format!("{what} is out of range ({v})")))
}

/// Parses the `edges` array starting at `s` (just after its `[`); returns where its `]` is.
fn parse_edges(bytes: &Bytes, s: usize, raw: &mut RawSnapshot, progress: &Progress) -> Result<usize> {
    progress.begin(
        Phase::Edges,
        (raw.header.edge_count * raw.header.edge_fields.len()) as u64,
    );
    let fields = raw.header.edge_fields.clone();
    let f = fields.len();
    let nf = raw.header.node_fields.len() as u64;
    let by_nf = numbers::Divisor::for_count(nf);
    let node_count = raw.header.node_count as u64;
    let type_count = raw.header.edge_types.len() as u64;
    let ty = SharedSlice::new(&mut raw.edge_type);
    let name = SharedSlice::new(&mut raw.edge_name);
    let to = SharedSlice::new(&mut raw.edge_to);
    let close = parse_array(
        &bytes[s..],
        s,
        Some(raw.header.edge_count * f),
        "edges",
        progress,
        |chunk| {
            let mut rec = chunk.first / f;
            let mut field = chunk.first % f;
            for_each_value(chunk, "edges", |_, v| {
                // SAFETY: every (record, field) pair is produced by exactly one chunk.
                unsafe {
                    match fields[field] {
                        EdgeField::Type => {
                            if v >= type_count {
                                return Err(Error::invalid(format!(
                                    "edge {rec} has type index {v}, but meta.edge_types lists only {type_count} types"
                                )));
                            }
                            ty.write(rec, v as u8)
                        }
                        EdgeField::NameOrIndex => name.write(rec, v as u32),
                        EdgeField::ToNode => {
                            if v >= nf * node_count {
                                return Err(Error::invalid(format!(
                                    "edge {rec} points to node index {v}, outside the nodes array ({node_count} nodes)"
                                )));
                            }
                            let (ord, rem) = by_nf.div_rem(v);
                            if rem != 0 {
                                return Err(Error::invalid(format!(
                                    "edge {rec} points to node index {v}, which is not a multiple of the node field count {nf}"
                                )));
                            }
                            to.write(rec, ord as u32)
                        }
                        EdgeField::Ignored => {}
                    }
                }
                field += 1;
                if field == f {
                    field = 0;
                    rec += 1;
                }
                Ok(())
            })
        },
        |o, l| bytes.release(o, l),
    )?;
    Ok(s + close)
}

/// Parses the `locations` array starting at `s` (just after its `[`): the last location given
/// for each node, sorted by node. Returns them and where the array's `]` is.
fn parse_locations(bytes: &Bytes, s: usize, header: &Header, progress: &Progress) -> Result<(Vec<[u32; 4]>, usize)> {
    let fields = &header.location_fields;
    let f = fields.len();
    progress.begin(Phase::Locations, (bytes.len() - s) as u64 / 6);
    let nf = header.node_fields.len() as u32;
    let pos = |want: LocationField| fields.iter().position(|x| *x == want);
    let columns = match (
        pos(LocationField::ObjectIndex),
        pos(LocationField::ScriptId),
        pos(LocationField::Line),
        pos(LocationField::Column),
    ) {
        (Some(oi), Some(si), Some(li), Some(ci)) if f > 0 => Some([oi, si, li, ci]),
        _ => None,
    };
    let by_nf = numbers::Divisor::for_count(nf as u64);
    let record = |values: &[u32]| -> Option<[u32; 4]> {
        let [oi, si, li, ci] = columns?;
        let (ord, rem) = by_nf.div_rem(values[oi] as u64);
        (rem == 0 && (ord as usize) < header.node_count).then(|| [ord as u32, values[si], values[li], values[ci]])
    };
    // The count is not in the header. Each chunk turns its whole records into locations itself,
    // in parallel, and keeps the values of the records it shares with its neighbours (`head`
    // ends one begun before it, `tail` begins one it does not finish) for a short join in order.
    struct Part {
        first: usize,
        head: Vec<u32>,
        records: Vec<[u32; 4]>,
        tail: Vec<u32>,
        count: usize,
    }
    let parts: std::sync::Mutex<Vec<Part>> = Default::default();
    let parse = |chunk: &numbers::Chunk| {
        let mut part = Part {
            first: chunk.first,
            head: Vec::new(),
            records: Vec::with_capacity(chunk.bytes.len() / 16),
            tail: Vec::new(),
            count: 0,
        };
        let head_len = if f == 0 { 0 } else { (f - chunk.first % f) % f };
        // The record being read; what is left of it at the end is the chunk's tail.
        let mut values: Vec<u32> = Vec::with_capacity(f);
        for_each_value(chunk, "locations", |i, v| {
            part.count += 1;
            if i < head_len || f == 0 {
                part.head.push(v as u32);
                return Ok(());
            }
            values.push(v as u32);
            if values.len() == f {
                part.records.extend(record(&values));
                values.clear();
            }
            Ok(())
        })?;
        part.tail = values;
        parts.lock().unwrap_or_else(|e| e.into_inner()).push(part);
        Ok(())
    };
    let close = s + parse_array(&bytes[s..], s, None, "locations", progress, parse, |o, l| {
        bytes.release(o, l)
    })?;
    let mut parts = parts.into_inner().unwrap_or_else(|e| e.into_inner());
    parts.sort_unstable_by_key(|p| p.first);
    let count: usize = parts.iter().map(|p| p.count).sum();
    if f == 0 {
        return Ok((Vec::new(), close));
    }
    if !count.is_multiple_of(f) {
        return Err(Error::invalid(format!(
            "the \"locations\" array holds {count} values, not a multiple of its {f} fields"
        )));
    }
    if columns.is_none() {
        return Ok((Vec::new(), close));
    }
    // Records in file order: each chunk's own, after the one its head completes.
    let mut locs: Vec<[u32; 4]> = Vec::with_capacity(parts.iter().map(|p| p.records.len() + 1).sum());
    let mut carry: Vec<u32> = Vec::with_capacity(f);
    for part in &parts {
        for &v in &part.head {
            carry.push(v);
            if carry.len() == f {
                locs.extend(record(&carry));
                carry.clear();
            }
        }
        locs.extend_from_slice(&part.records);
        carry.extend_from_slice(&part.tail);
    }
    drop(parts);
    // DevTools keeps the last location given for a node. V8 lists them in node order, so
    // usually keeping the last of each run is enough; otherwise sort (stably) first.
    if locs.par_windows(2).any(|w| w[0][0] > w[1][0]) {
        locs.reverse();
        locs.par_sort_by_key(|l| l[0]);
        locs.dedup_by_key(|l| l[0]);
    } else {
        let mut kept = 0;
        for i in 0..locs.len() {
            if kept > 0 && locs[kept - 1][0] == locs[i][0] {
                locs[kept - 1] = locs[i];
            } else {
                locs[kept] = locs[i];
                kept += 1;
            }
        }
        locs.truncate(kept);
    }
    Ok((locs, close))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With 64-byte chunks (unit tests), most records straddle chunks: every node, edge and
    /// location still lands in its place, and the last location given for a node wins.
    #[test]
    fn records_cut_between_chunks_parse_whole() {
        let mut b = build::SnapshotJson::new();
        let root = b.node("synthetic", "", 1, 0);
        let mut expected = Vec::new();
        for k in 1..400usize {
            let v = b.node("object", &format!("C{}", k % 7), 2 * k as u32 + 1, 10 + k as u64 * 1000);
            b.edge(root, "element", &k.to_string(), v);
            b.location(v, 3, 999 + k as u32, 123_456);
            if k % 5 == 0 {
                b.location(v, 4, k as u32, 7);
            }
            expected.push([
                v as u32,
                if k % 5 == 0 { 4 } else { 3 },
                if k % 5 == 0 { k as u32 } else { 999 + k as u32 },
                if k % 5 == 0 { 7 } else { 123_456 },
            ]);
        }
        let bytes = Bytes::Owned(b.to_json().into_bytes());
        let raw = parse(&bytes, &Progress::new()).unwrap();
        assert_eq!(raw.locations, expected);
        for k in 1..400usize {
            assert_eq!(raw.object_id[k], 2 * k as u32 + 1);
            assert_eq!(raw.self_size[k], 10 + k as u32 * 1000);
            assert_eq!(raw.edge_to[k - 1], k as u32);
            assert_eq!(raw.edge_name[k - 1], k as u32);
        }
    }
}
