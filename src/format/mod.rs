//! The `.heapsnapshot` file format: mapping the file and parsing its sections.
//!
//! Nothing here knows about graph algorithms; the output is a [`RawSnapshot`] of flat,
//! struct-of-arrays columns that the model wraps.

pub mod header;
pub mod numbers;
pub mod strings;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use memmap2::Mmap;

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
    pub fn release(&self, offset: usize, len: usize) {
        if let Bytes::Mapped(m) = self {
            release_pages(m, offset, len);
        }
    }
}

/// Drops the whole pages of `offset..offset + len` of a read-only file mapping from our resident
/// memory; they stay in the page cache and fault back in from the file when touched.
pub fn release_pages(map: &Mmap, offset: usize, len: usize) {
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
    pub node_type: Vec<u8>,
    pub node_name: Vec<u32>,
    pub node_id: Vec<u32>,
    /// Reduced modulo 2^32, exactly as DevTools stores it.
    pub self_size: Vec<u32>,
    pub detachedness: Vec<u8>,
    /// Edge ordinal of each node's first edge; `node_count + 1` entries.
    pub first_edge: Vec<u32>,
    pub edge_type: Vec<u8>,
    pub edge_name: Vec<u32>,
    /// Target node ordinal (the file stores ordinal × node field count).
    pub edge_to: Vec<u32>,
    pub strings: StringTable,
    /// (node ordinal, script id, line, column), sorted by ordinal, last entry per node wins.
    pub locations: Vec<[u32; 4]>,
    pub root: u32,
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
                        let rel = memchr::memchr2(b'"', b'\\', &b[self.i..]).ok_or_else(|| truncated(context))?;
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
    let mut nodes: Option<(usize, usize)> = None;
    let mut edges: Option<(usize, usize)> = None;
    let mut locations: Option<(usize, usize)> = None;
    let mut strings: Option<StringTable> = None;
    loop {
        cur.ws();
        match cur.peek() {
            Some(b'}') => break,
            None => return Err(truncated("between sections")),
            _ => {}
        }
        let key = cur.key()?;
        cur.expect(b':', "after a section name")?;
        cur.ws();
        match key {
            "snapshot" => {
                let start = cur.i;
                cur.skip_value("in the snapshot header")?;
                header = Some(header::parse_header(&b[start..cur.i])?);
            }
            "nodes" => nodes = Some(cur.numeric_array("nodes", bytes)?),
            "edges" => edges = Some(cur.numeric_array("edges", bytes)?),
            "locations" => locations = Some(cur.numeric_array("locations", bytes)?),
            "strings" => {
                if cur.peek() != Some(b'[') {
                    return Err(Error::invalid("the \"strings\" section is not an array"));
                }
                progress.begin(Phase::Strings, (b.len() - cur.i) as u64);
                let (table, used) =
                    strings::parse_strings_releasing(&b[cur.i..], cur.i, progress, &|o, l| bytes.release(o, l))?;
                bytes.release(cur.i, used);
                cur.i += used;
                strings = Some(table);
            }
            _ => cur.skip_value(&format!("in the \"{key}\" section"))?,
        }
        cur.ws();
        match cur.peek() {
            Some(b',') => cur.i += 1,
            Some(b'}') => break,
            Some(_) => {
                return Err(Error::invalid(format!(
                    "expected ',' or '}}' after the \"{key}\" section at byte {}",
                    cur.i
                )));
            }
            None => return Err(truncated(&format!("after the \"{key}\" section"))),
        }
    }

    let header = header.ok_or_else(|| Error::invalid("not a heap snapshot: there is no \"snapshot\" header"))?;
    let nodes = nodes.ok_or_else(|| Error::invalid("not a heap snapshot: there is no \"nodes\" section"))?;
    let edges = edges.ok_or_else(|| Error::invalid("not a heap snapshot: there is no \"edges\" section"))?;
    let strings = strings.ok_or_else(|| Error::invalid("not a heap snapshot: there is no \"strings\" section"))?;

    let n = header.node_count;
    if n == 0 {
        return Err(Error::invalid("the snapshot has no nodes"));
    }
    if n >= (u32::MAX / 2) as usize || header.edge_count >= u32::MAX as usize {
        return Err(Error::invalid(format!(
            "the snapshot is too large ({} nodes, {} edges); at most 2^31 nodes and 2^32 edges are supported",
            n, header.edge_count
        )));
    }

    let mut raw = RawSnapshot {
        node_type: vec![0; n],
        node_name: vec![0; n],
        node_id: vec![0; n],
        self_size: vec![0; n],
        detachedness: vec![0; n],
        first_edge: vec![0; n + 1],
        edge_type: vec![0; header.edge_count],
        edge_name: vec![0; header.edge_count],
        edge_to: vec![0; header.edge_count],
        strings,
        locations: Vec::new(),
        root: 0,
        header,
    };
    parse_nodes(bytes, nodes, &mut raw, progress)?;
    parse_edges(bytes, edges, &mut raw, progress)?;
    if let Some(range) = locations {
        raw.locations = parse_locations(bytes, range, &raw.header, progress)?;
    }
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

fn parse_nodes(bytes: &Bytes, (s, e): (usize, usize), raw: &mut RawSnapshot, progress: &Progress) -> Result<()> {
    progress.begin(Phase::Nodes, (e - s) as u64);
    let fields = raw.header.node_fields.clone();
    let f = fields.len();
    let type_count = raw.header.node_types.len() as u64;
    let n = raw.header.node_count;
    let ty = SharedSlice::new(&mut raw.node_type);
    let name = SharedSlice::new(&mut raw.node_name);
    let id = SharedSlice::new(&mut raw.node_id);
    let size = SharedSlice::new(&mut raw.self_size);
    let det = SharedSlice::new(&mut raw.detachedness);
    // Edge counts go into first_edge[ordinal + 1]; a prefix sum turns them into offsets.
    let counts = SharedSlice::new(&mut raw.first_edge);
    parse_array(
        &bytes[s..e],
        s,
        n * f,
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
                        NodeField::Ignored => {}
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
    if acc != raw.header.edge_count as u64 {
        return Err(Error::invalid(format!(
            "the nodes' edge counts add up to {acc}, but the header's edge_count is {}",
            raw.header.edge_count
        )));
    }
    Ok(())
}

fn checked_u32(v: u64, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| Error::invalid(format!("{what} is out of range ({v})")))
}

fn parse_edges(bytes: &Bytes, (s, e): (usize, usize), raw: &mut RawSnapshot, progress: &Progress) -> Result<()> {
    progress.begin(Phase::Edges, (e - s) as u64);
    let fields = raw.header.edge_fields.clone();
    let f = fields.len();
    let nf = raw.header.node_fields.len() as u64;
    let node_count = raw.header.node_count as u64;
    let type_count = raw.header.edge_types.len() as u64;
    let ty = SharedSlice::new(&mut raw.edge_type);
    let name = SharedSlice::new(&mut raw.edge_name);
    let to = SharedSlice::new(&mut raw.edge_to);
    parse_array(
        &bytes[s..e],
        s,
        raw.header.edge_count * f,
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
                            // Constant divisors let the compiler avoid a real division.
                            let (ord, rem) = match nf {
                                6 => (v / 6, v % 6),
                                7 => (v / 7, v % 7),
                                _ => (v / nf, v % nf),
                            };
                            if rem != 0 {
                                return Err(Error::invalid(format!(
                                    "edge {rec} points to node index {v}, which is not a multiple of the node field count {nf}"
                                )));
                            }
                            if ord >= node_count {
                                return Err(Error::invalid(format!(
                                    "edge {rec} points to node index {v}, outside the nodes array ({node_count} nodes)"
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
    )
}

fn parse_locations(
    bytes: &Bytes,
    (s, e): (usize, usize),
    header: &Header,
    progress: &Progress,
) -> Result<Vec<[u32; 4]>> {
    let fields = &header.location_fields;
    let f = fields.len();
    if f == 0 {
        return Ok(Vec::new());
    }
    let body = &bytes[s..e];
    let count = if body.iter().all(|c| c.is_ascii_whitespace()) {
        0
    } else {
        memchr::memchr_iter(b',', body).count() + 1
    };
    if count % f != 0 {
        return Err(Error::invalid(format!(
            "the \"locations\" array holds {count} values, not a multiple of its {f} fields"
        )));
    }
    let mut flat = vec![0u32; count];
    let out = SharedSlice::new(&mut flat);
    parse_array(
        body,
        s,
        count,
        "locations",
        progress,
        |chunk| {
            for_each_value(chunk, "locations", |k, v| {
                // SAFETY: each value index belongs to exactly one chunk.
                unsafe { out.write(chunk.first + k, v as u32) };
                Ok(())
            })
        },
        |_, _| {},
    )?;
    let nf = header.node_fields.len() as u32;
    let pos = |want: LocationField| fields.iter().position(|x| *x == want);
    let (Some(oi), Some(si), Some(li), Some(ci)) = (
        pos(LocationField::ObjectIndex),
        pos(LocationField::ScriptId),
        pos(LocationField::Line),
        pos(LocationField::Column),
    ) else {
        return Ok(Vec::new());
    };
    let mut locs: Vec<[u32; 4]> = flat
        .chunks_exact(f)
        .filter(|r| r[oi] % nf == 0 && ((r[oi] / nf) as usize) < header.node_count)
        .map(|r| [r[oi] / nf, r[si], r[li], r[ci]])
        .collect();
    // DevTools keeps the last location given for a node.
    locs.reverse();
    locs.sort_by_key(|l| l[0]);
    locs.dedup_by_key(|l| l[0]);
    Ok(locs)
}
