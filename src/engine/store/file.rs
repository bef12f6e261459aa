//! Index files: everything the analysis derives from a snapshot, written once and memory-mapped
//! on later opens, so a reopen costs a checksum pass instead of a full parse and analysis.
//!
//! Layout (all integers little-endian; the writer refuses to run on a big-endian machine's
//! data being read elsewhere, see the endianness probe):
//!
//! ```text
//! 0   magic "HEAPSIFT-INDEX\r\n"   (16 bytes; "\r\n" exposes text-mode copies)
//! 16  format version u32, endianness probe u32 (0x01020304 in the writer's byte order)
//! 24  table length u64, table hash u64 (xxh3-64)
//! 40  table: one 32-byte entry per section: id u32, 0 u32, offset u64, length u64, hash u64
//! ..  sections at 64-byte aligned offsets: 0 is the metadata (counts, names, Summary rows,
//!     classes, scripts, statistics), the others are columns as raw arrays.
//! ```
//!
//! A section's hash is the xxh3-64 of its 8 MiB chunks' xxh3-64s, so both the writer and the
//! reader hash on every core. Opening checks the header, every hash and every bound an index
//! column is used with; any failure is an `Error` and the caller rebuilds from the snapshot.
//! An index never yields a wrong number or a panic, only a rebuild.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::{Origin, SourceKey};
use crate::analysis::Snapshot;
use crate::analysis::aggregates::ClassRow;
use crate::analysis::allocations::AllocationProfile;
use crate::analysis::classes::{ClassInfo, Classes, InterfaceDefinition};
use crate::analysis::distances::Distance;
use crate::analysis::dominators::RetainedSizes;
use crate::analysis::retainers::Retainers;
use crate::analysis::scripts::{Script, Scripts};
use crate::analysis::stats::Statistics;
use crate::error::{Error, Result};
use crate::format::StringTable;
use crate::format::traces::{AllocationTraces, TimelineSample, TraceFunction, TraceNode};
use crate::model::{
    Column, Columns, DETACHEDNESS_SHIFT, EdgeKind, Graph, GraphParts, Location, NODE_TYPE_MASK, NodeId, edge_target,
    edge_type_index,
};
use crate::progress::{Phase, Progress};

pub(crate) const MAGIC: &[u8; 16] = b"HEAPSIFT-INDEX\r\n";
/// Bump whenever the layout or anything the analysis computes changes: an index written by
/// another version is rebuilt, never read.
pub const VERSION: u32 = 5;
const ENDIAN_PROBE: u32 = 0x0102_0304;
const HEADER: usize = 40;
const ENTRY: usize = 32;
const ALIGN: u64 = 64;
const CHUNK: usize = 8 << 20;

/// The sections, in file order; a section's id is its position.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    Meta,
    NodeType,
    NodeName,
    ObjectId,
    SelfSize,
    FirstEdge,
    EdgeName,
    EdgeTo,
    StringData,
    StringEnds,
    Flags,
    RetainerFirst,
    RetainerNode,
    Distances,
    ClassOfNode,
    Dominator,
    Retained,
    TraceNode,
}

const SECTIONS: usize = Section::TraceNode as usize + 1;
const SECTION_ORDER: [Section; SECTIONS] = [
    Section::Meta,
    Section::NodeType,
    Section::NodeName,
    Section::ObjectId,
    Section::SelfSize,
    Section::FirstEdge,
    Section::EdgeName,
    Section::EdgeTo,
    Section::StringData,
    Section::StringEnds,
    Section::Flags,
    Section::RetainerFirst,
    Section::RetainerNode,
    Section::Distances,
    Section::ClassOfNode,
    Section::Dominator,
    Section::Retained,
    Section::TraceNode,
];

/// Whether `path` starts like an index file.
pub fn is_index_file(path: &Path) -> bool {
    let mut magic = [0u8; 16];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|_| &magic == MAGIC)
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Writes `s` as an index file at `dest`, atomically: a temporary file in the same folder,
/// renamed over `dest` only when complete. On any error nothing is left behind.
pub fn write(s: &Snapshot, origin: &Origin, dest: &Path) -> std::io::Result<()> {
    let meta = encode_meta(s, origin);
    let sections = section_bytes(s, &meta);
    let hashes = hash_sections(&sections);

    let mut offsets = Vec::with_capacity(SECTIONS);
    let mut at = align((HEADER + ENTRY * SECTIONS) as u64);
    for bytes in &sections {
        offsets.push(at);
        at = align(at + bytes.len() as u64);
    }
    let mut table = Vec::with_capacity(ENTRY * SECTIONS);
    for (i, bytes) in sections.iter().enumerate() {
        table.extend_from_slice(&(i as u32).to_le_bytes());
        table.extend_from_slice(&0u32.to_le_bytes());
        table.extend_from_slice(&offsets[i].to_le_bytes());
        table.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        table.extend_from_slice(&hashes[i].to_le_bytes());
    }
    let mut header = Vec::with_capacity(HEADER);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&VERSION.to_le_bytes());
    header.extend_from_slice(&ENDIAN_PROBE.to_ne_bytes());
    header.extend_from_slice(&(table.len() as u64).to_le_bytes());
    header.extend_from_slice(&xxh3_64(&table).to_le_bytes());

    let tmp = crate::atomic::Pending::new(dest, crate::atomic::Mode::Replace)?;
    // Positioned writes from every core: the kernel's side of writing (page allocation, copy)
    // is per-writer work, and two writers here finish in less than half the time of one.
    // Padding is left as holes, which read as zeros.
    tmp.file().set_len(at)?;
    let mut pieces: Vec<(u64, &[u8])> = vec![(0, &header), (HEADER as u64, &table)];
    for (i, bytes) in sections.iter().enumerate() {
        pieces.extend(
            bytes
                .chunks(CHUNK)
                .enumerate()
                .map(|(k, c)| (offsets[i] + (k * CHUNK) as u64, c)),
        );
    }
    // Copied through a shared mapping on every core: buffered writes to one file are
    // serialized by the kernel, page faults on a shared mapping are not (2.3× faster here).
    // SAFETY: the temporary file is ours alone until it is renamed into place.
    let mut out = unsafe { memmap2::MmapMut::map_mut(tmp.file())? };
    for window in windows(&pieces, 48 << 20) {
        let slices = split_at_pieces(&mut out, window);
        slices
            .into_par_iter()
            .zip(window.par_iter())
            .for_each(|(dst, &(_, src))| dst.copy_from_slice(src));
        let start = window[0].0 as usize / 4096 * 4096;
        let end = window.last().map_or(0, |&(o, b)| o as usize + b.len());
        // The copied pages stop counting as our memory; they stay in the page cache, dirty,
        // and are written back as usual (on a shared mapping nothing is lost).
        // SAFETY: a shared file mapping, see above.
        #[cfg(unix)]
        let _ = unsafe { out.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start) };
        #[cfg(not(unix))]
        let _ = (start, end);
    }
    drop(out);
    tmp.commit()
}

/// Consecutive runs of pieces of about `bytes` each.
fn windows<'a, 'b>(pieces: &'a [(u64, &'b [u8])], bytes: usize) -> Vec<&'a [(u64, &'b [u8])]> {
    let mut out = Vec::new();
    let (mut start, mut size) = (0, 0);
    for (i, p) in pieces.iter().enumerate() {
        size += p.1.len();
        if size >= bytes || i + 1 == pieces.len() {
            out.push(&pieces[start..=i]);
            (start, size) = (i + 1, 0);
        }
    }
    out
}

/// Disjoint mutable slices of `out`, one per piece (pieces sorted by offset, not overlapping).
fn split_at_pieces<'a>(out: &'a mut [u8], pieces: &[(u64, &[u8])]) -> Vec<&'a mut [u8]> {
    let mut rest = out;
    let mut at = 0usize;
    let mut slices = Vec::with_capacity(pieces.len());
    for &(offset, bytes) in pieces {
        let (_, tail) = std::mem::take(&mut rest).split_at_mut(offset as usize - at);
        let (piece, tail) = tail.split_at_mut(bytes.len());
        slices.push(piece);
        rest = tail;
        at = offset as usize + bytes.len();
    }
    slices
}

fn align(x: u64) -> u64 {
    x.div_ceil(ALIGN) * ALIGN
}

fn section_bytes<'a>(s: &'a Snapshot, meta: &'a [u8]) -> Vec<&'a [u8]> {
    let g = s.graph.columns();
    let (data, ends, _) = s.graph.strings().parts();
    let (retained, _) = s.retained.parts();
    let bytes = |c: &'a [u32]| -> &'a [u8] { bytemuck::cast_slice(c) };
    let v: Vec<&[u8]> = vec![
        meta,
        &g.node_type,
        bytes(&g.node_name),
        bytes(&g.object_id),
        bytes(&g.self_size),
        bytes(&g.first_edge),
        bytes(&g.edge_name),
        bytes(&g.edge_to),
        data,
        bytemuck::cast_slice(ends),
        &s.flags,
        bytes(&s.retainers.first),
        bytes(&s.retainers.slots),
        bytemuck::cast_slice(&s.distances),
        bytes(&s.classes.of_node),
        bytemuck::cast_slice(&s.dominator),
        bytes(retained),
        bytes(&g.trace_node),
    ];
    debug_assert_eq!(v.len(), SECTIONS);
    v
}

/// Each section's hash (see the module comment), computed on every core.
fn hash_sections(sections: &[&[u8]]) -> Vec<u64> {
    let lens: Vec<usize> = sections.iter().map(|s| s.len()).collect();
    let hashes: Vec<(usize, u64)> = chunk_starts(&lens)
        .par_iter()
        .map(|&(i, start)| (i, xxh3_64(&sections[i][start..(start + CHUNK).min(lens[i])])))
        .collect();
    combine(sections.len(), &hashes)
}

/// Every section's chunks as (section, first byte): at least one per section, even an empty one.
fn chunk_starts(lens: &[usize]) -> Vec<(usize, usize)> {
    lens.iter()
        .enumerate()
        .flat_map(|(i, &len)| (0..len.div_ceil(CHUNK).max(1)).map(move |k| (i, k * CHUNK)))
        .collect()
}

/// Each section's hash: the xxh3 of its chunks' hashes, in order.
fn combine(sections: usize, chunk_hashes: &[(usize, u64)]) -> Vec<u64> {
    (0..sections)
        .map(|i| {
            let list: Vec<u8> = chunk_hashes
                .iter()
                .filter(|c| c.0 == i)
                .flat_map(|c| c.1.to_le_bytes())
                .collect();
            xxh3_64(&list)
        })
        .collect()
}

fn encode_meta(s: &Snapshot, origin: &Origin) -> Vec<u8> {
    let g = &s.graph;
    let mut e = Enc::default();
    e.str(env!("CARGO_PKG_VERSION"));
    match origin.key {
        None => e.bool(false),
        Some(k) => {
            e.bool(true);
            e.u64(k.len);
            e.u64(k.mtime_secs as u64);
            e.u32(k.mtime_nanos);
            e.u64(k.head);
            e.u64(k.tail);
        }
    }
    e.str(&origin.source);
    e.strs(g.node_type_names());
    e.strs(g.edge_type_names());
    e.u32(g.root().get());
    e.f64(g.extra_native_bytes());
    e.bool(g.has_detachedness());
    // DevTools' `invisible` edge type: always the one after the file's own.
    e.u32(g.edge_type_names().len() as u32);
    let (_, _, added) = g.strings().parts();
    e.strs(added);
    e.f64(s.total_size);
    e.u32(s.max_js_object_id);
    e.u64(s.orphans as u64);
    e.u64(s.cliques as u64);
    let st = &s.statistics;
    for v in [
        st.total,
        st.native_total,
        st.typed_arrays,
        st.v8heap_total,
        st.code,
        st.js_arrays,
        st.strings,
        st.system,
    ] {
        e.f64(v);
    }
    let (_, big) = s.retained.parts();
    e.u64(big.len() as u64);
    for (v, size) in big {
        e.u32(v);
        e.u64(size);
    }
    e.u64(s.classes.info.len() as u64);
    for c in &s.classes.info {
        e.u32(c.name_index);
        e.location(c.location);
    }
    e.u64(s.interface_definitions.len() as u64);
    for d in &s.interface_definitions {
        e.str(&d.name);
        e.strs(&d.properties);
    }
    e.u64(s.summary.len() as u64);
    for r in &s.summary {
        e.u32(r.class);
        e.str(&r.name);
        e.location(r.location);
        e.u64(r.count);
        e.u64(r.shallow_size);
        e.f64(r.retained_size);
        e.u32(r.distance.0 as u32);
    }
    let (scripts, closures) = s.scripts.parts();
    e.u64(scripts.len() as u64);
    for (id, script) in scripts {
        e.u32(id);
        e.u32(script.node.get());
        e.str(&script.url);
    }
    e.u64(closures.len() as u64);
    for &(v, l) in closures {
        e.u32(v.get());
        e.location(Some(l));
    }
    match g.traces() {
        None => e.bool(false),
        Some(t) => {
            e.bool(true);
            e.u64(t.functions.len() as u64);
            for f in &t.functions {
                for v in [f.name, f.script_name, f.script_id, f.line, f.column] {
                    e.u32(v);
                }
            }
            e.u64(t.nodes.len() as u64);
            for n in &t.nodes {
                e.u32(n.id);
                e.u32(n.function);
                e.u64(n.count);
                e.u64(n.size);
                e.u32(n.parent);
            }
        }
    }
    e.u64(g.timeline_samples().len() as u64);
    for t in g.timeline_samples() {
        e.u64(t.timestamp_us);
        e.u32(t.last_assigned_id);
    }
    e.0
}

#[derive(Default)]
struct Enc(Vec<u8>);

impl Enc {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    fn bool(&mut self, v: bool) {
        self.0.push(v as u8);
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn strs(&mut self, list: &[String]) {
        self.u64(list.len() as u64);
        for s in list {
            self.str(s);
        }
    }
    fn location(&mut self, l: Option<Location>) {
        match l {
            None => self.bool(false),
            Some(l) => {
                self.bool(true);
                self.u32(l.script_id);
                self.u32(l.line);
                self.u32(l.column);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

fn damaged(what: &str) -> Error {
    Error::invalid(format!("the index is damaged ({what})"))
}

/// Reads the metadata's recorded origin without checking the columns: enough to decide whether
/// an index in the cache belongs to a snapshot file as it is now.
pub fn read_origin(path: &Path) -> Result<Origin> {
    let (map, table) = open_table(path)?;
    Ok(meta(&map, &table)?.1)
}

/// Maps an index file and checks it whole: header, every checksum, every count and bound. The
/// columns are checked chunk by chunk and their pages released as they go, so what stays
/// resident afterwards is only what is used later.
pub fn open(path: &Path, progress: &Progress) -> Result<(Snapshot, Origin)> {
    let (map, table) = open_table(path)?;
    progress.begin(Phase::ReadingIndex, table.iter().map(|t| t.1 as u64).sum());
    let (mut rest, origin) = meta(&map, &table)?;
    let snapshot = assemble(&map, &table, &mut rest)?;
    verify(&map, &table, &snapshot, progress)?;
    Ok((snapshot, origin))
}

/// The checked metadata: its origin, and a decoder at what follows.
fn meta<'a>(map: &'a Mmap, table: &Table) -> Result<(Dec<'a>, Origin)> {
    let (offset, len, hash) = table[Section::Meta as usize];
    let meta = &map[offset..offset + len];
    if hashed(meta) != hash {
        return Err(damaged("metadata checksum"));
    }
    let mut d = Dec::new(meta);
    version_of(&mut d)?;
    let origin = origin_of(&mut d)?;
    Ok((d, origin))
}

type Table = Vec<(usize, usize, u64)>;

fn open_table(path: &Path) -> Result<(Arc<Mmap>, Table)> {
    let file = File::open(path)?;
    // SAFETY: index files are written once, atomically, and never modified in place; as for
    // snapshots, we assume nobody truncates the file while it is mapped.
    let map = Arc::new(unsafe { Mmap::map(&file)? });
    if map.len() < HEADER || &map[..16] != MAGIC {
        return Err(damaged("not a heapsift index"));
    }
    let word = |at: usize| u32::from_le_bytes(map[at..at + 4].try_into().unwrap());
    let long = |at: usize| u64::from_le_bytes(map[at..at + 8].try_into().unwrap());
    if word(16) != VERSION {
        return Err(Error::invalid(format!(
            "the index is format version {}, this heapsift reads version {VERSION}",
            word(16)
        )));
    }
    if u32::from_ne_bytes(map[20..24].try_into().unwrap()) != ENDIAN_PROBE {
        return Err(Error::invalid(
            "the index was written on a machine of the other byte order",
        ));
    }
    let table_len = long(24) as usize;
    if table_len != ENTRY * SECTIONS || map.len() < HEADER + table_len {
        return Err(damaged("section table"));
    }
    let table_bytes = &map[HEADER..HEADER + table_len];
    if xxh3_64(table_bytes) != long(32) {
        return Err(damaged("section table checksum"));
    }
    let mut table = Vec::with_capacity(SECTIONS);
    for i in 0..SECTIONS {
        let at = HEADER + i * ENTRY;
        let (id, offset, len, hash) = (word(at), long(at + 8), long(at + 16), long(at + 24));
        let end = offset.checked_add(len);
        if id as usize != i || offset % ALIGN != 0 || end.is_none_or(|end| end > map.len() as u64) {
            return Err(damaged("truncated or out of bounds"));
        }
        table.push((offset as usize, len as usize, hash));
    }
    // The writer pads the file to the aligned end of its last section: any other length means
    // a cut or an append.
    let end = table.last().map_or(0, |&(o, l, _)| align((o + l) as u64));
    if end != map.len() as u64 {
        return Err(damaged("truncated or out of bounds"));
    }
    Ok((map, table))
}

fn hashed(bytes: &[u8]) -> u64 {
    hash_sections(&[bytes])[0]
}

/// One pass over every section on every core: each 8 MiB chunk is hashed, its values checked
/// against the bounds they are used with, and its pages released.
fn verify(map: &Mmap, table: &Table, s: &Snapshot, progress: &Progress) -> Result<()> {
    let bounds = Bounds::of(s);
    let lens: Vec<usize> = table.iter().map(|t| t.1).collect();
    let results: Vec<(usize, u64, bool)> = chunk_starts(&lens)
        .par_iter()
        .map(|&(i, start)| {
            let (offset, len, _) = table[i];
            let end = (start + CHUNK).min(len);
            let bytes = &map[offset + start..offset + end];
            let h = xxh3_64(bytes);
            let ok = bounds.chunk_ok(s, SECTION_ORDER[i], start, bytes);
            crate::format::release_pages(map, offset + start, end - start);
            if SECTION_ORDER[i] == Section::EdgeName {
                // The check read these edges' targets (their types ride there): released too.
                let to = table[Section::EdgeTo as usize].0;
                crate::format::release_pages(map, to + start, end - start);
            }
            let _ = progress.advance((end - start) as u64);
            (i, h, ok)
        })
        .collect();
    progress.check()?;
    let hashes: Vec<(usize, u64)> = results.iter().map(|r| (r.0, r.1)).collect();
    let found = combine(table.len(), &hashes);
    if let Some(i) = (0..table.len()).find(|&i| found[i] != table[i].2) {
        return Err(damaged(&format!("checksum of section {i}")));
    }
    if let Some(&(i, _, _)) = results.iter().find(|c| !c.2) {
        return Err(damaged(&format!("values out of range in section {i}")));
    }
    Ok(())
}

/// What each index column's values must stay below.
struct Bounds {
    nodes: u64,
    edges: u64,
    strings: u64,
    classes: u64,
    node_kinds: u64,
    string_named: Vec<bool>,
}

impl Bounds {
    fn of(s: &Snapshot) -> Bounds {
        Bounds {
            nodes: s.graph.node_count() as u64,
            edges: s.graph.edge_count() as u64,
            strings: s.graph.strings().len() as u64,
            classes: s.classes.info.len() as u64,
            node_kinds: s.graph.node_type_names().len() as u64,
            string_named: (s.graph.edge_type_names().iter())
                .map(|t| EdgeKind::from_name(t).has_string_name())
                .collect(),
        }
    }

    /// Whether the chunk of `section` starting at byte `start` holds only values in range.
    /// Offsets columns must ascend, also across the chunk's start.
    fn chunk_ok(&self, s: &Snapshot, section: Section, start: usize, bytes: &[u8]) -> bool {
        let words = || -> &[u32] { bytemuck::cast_slice(bytes) };
        let below = |bound: u64| words().iter().all(|&x| (x as u64) < bound);
        let ascending = |column: &[u32]| {
            let first = start / 4;
            let w = words();
            w.windows(2).all(|p| p[0] <= p[1])
                && w.iter().all(|&x| x as u64 <= self.edges)
                && (first == 0 || w.first().is_none_or(|&x| column[first - 1] <= x))
        };
        match section {
            Section::NodeType => bytes
                .iter()
                .all(|&t| ((t & NODE_TYPE_MASK) as u64) < self.node_kinds && t >> DETACHEDNESS_SHIFT < 3),
            Section::NodeName => below(self.strings),
            Section::FirstEdge => ascending(&s.graph.columns().first_edge),
            Section::RetainerFirst => ascending(&s.retainers.first),
            Section::EdgeTo => words().iter().all(|&x| {
                (edge_target(x) as u64) < self.nodes && (edge_type_index(x) as usize) < self.string_named.len()
            }),
            Section::RetainerNode => words()
                .iter()
                .all(|&x| ((x & !Retainers::ESSENTIAL) as u64) < self.nodes),
            Section::Dominator => below(self.nodes),
            Section::ClassOfNode => below(self.classes),
            Section::EdgeName => {
                let to = &s.graph.columns().edge_to[start / 4..start / 4 + bytes.len() / 4];
                to.iter().zip(words()).all(|(&to, &name)| {
                    self.string_named
                        .get(edge_type_index(to) as usize)
                        .is_some_and(|&named| !named || (name as u64) < self.strings)
                })
            }
            _ => true,
        }
    }
}

fn version_of(d: &mut Dec) -> Result<()> {
    let v = d.str()?;
    if v != env!("CARGO_PKG_VERSION") {
        return Err(Error::invalid(format!(
            "the index was written by heapsift {v}, this is {}",
            env!("CARGO_PKG_VERSION")
        )));
    }
    Ok(())
}

fn origin_of(d: &mut Dec) -> Result<Origin> {
    let key = if d.bool()? {
        Some(SourceKey {
            len: d.u64()?,
            mtime_secs: d.u64()? as i64,
            mtime_nanos: d.u32()?,
            head: d.u64()?,
            tail: d.u64()?,
        })
    } else {
        None
    };
    Ok(Origin { key, source: d.str()? })
}

fn assemble(map: &Arc<Mmap>, table: &Table, d: &mut Dec) -> Result<Snapshot> {
    fn column<T: bytemuck::Pod>(map: &Arc<Mmap>, table: &Table, s: Section) -> Result<Column<T>> {
        let (offset, len, _) = table[s as usize];
        let size = std::mem::size_of::<T>();
        if len % size != 0 {
            return Err(damaged(&format!("length of section {}", s as usize)));
        }
        Column::mapped(map, offset, len / size).ok_or_else(|| damaged(&format!("bounds of section {}", s as usize)))
    }

    let node_type_names = d.strs()?;
    let edge_type_names = d.strs()?;
    let root = d.u32()?;
    let extra_native_bytes = d.f64()?;
    let has_detachedness = d.bool()?;
    let invisible_edge_type = d.u32()?;
    let added = d.strs()?;
    let strings = StringTable::from_parts(
        column(map, table, Section::StringData)?,
        column(map, table, Section::StringEnds)?,
        added,
    )?;
    if node_type_names.len() > 256
        || edge_type_names.len() > 255
        || invisible_edge_type as usize != edge_type_names.len()
    {
        return Err(damaged("type names"));
    }
    let graph = Graph::from_parts(GraphParts {
        node_type_names,
        edge_type_names,
        columns: Columns {
            node_type: column(map, table, Section::NodeType)?,
            node_name: column(map, table, Section::NodeName)?,
            object_id: column(map, table, Section::ObjectId)?,
            self_size: column(map, table, Section::SelfSize)?,
            first_edge: column(map, table, Section::FirstEdge)?,
            edge_name: column(map, table, Section::EdgeName)?,
            edge_to: column(map, table, Section::EdgeTo)?,
            trace_node: column(map, table, Section::TraceNode)?,
        },
        traces: None,
        samples: Vec::new(),
        strings,
        locations: Vec::new(),
        root: NodeId::new(root),
        extra_native_bytes,
        has_detachedness,
    });
    let retainers = Retainers {
        first: column(map, table, Section::RetainerFirst)?,
        slots: column(map, table, Section::RetainerNode)?,
    };
    let total_size = d.f64()?;
    let max_js_object_id = d.u32()?;
    let orphans = d.u64()? as usize;
    let cliques = d.u64()? as usize;
    let statistics = Statistics {
        total: d.f64()?,
        native_total: d.f64()?,
        typed_arrays: d.f64()?,
        v8heap_total: d.f64()?,
        code: d.f64()?,
        js_arrays: d.f64()?,
        strings: d.f64()?,
        system: d.f64()?,
    };
    let big = d.list(|d| Ok((d.u32()?, d.u64()?)))?;
    let retained = RetainedSizes::from_parts(column(map, table, Section::Retained)?, big)
        .ok_or_else(|| damaged("retained sizes"))?;
    let info = d.list(|d| {
        Ok(ClassInfo {
            name_index: d.u32()?,
            location: d.location()?,
        })
    })?;
    let classes = Classes {
        of_node: column(map, table, Section::ClassOfNode)?,
        info,
    };
    let interface_definitions = d.list(|d| {
        Ok(InterfaceDefinition {
            name: d.str()?,
            properties: d.strs()?,
        })
    })?;
    let summary = d.list(|d| {
        Ok(ClassRow {
            class: d.u32()?,
            name: d.str()?,
            location: d.location()?,
            count: d.u64()?,
            shallow_size: d.u64()?,
            retained_size: d.f64()?,
            distance: Distance(d.u32()? as i32),
        })
    })?;
    let by_id = d.list(|d| {
        let id = d.u32()?;
        let node = NodeId::new(d.u32()?);
        Ok((id, Script { node, url: d.str()? }))
    })?;
    let closures = d.list(|d| {
        Ok((
            NodeId::new(d.u32()?),
            d.location()?.ok_or_else(|| damaged("closure location"))?,
        ))
    })?;
    let scripts = Scripts::from_parts(by_id, closures).ok_or_else(|| damaged("scripts"))?;
    let traces = if d.bool()? {
        let functions = d.list(|d| {
            Ok(TraceFunction {
                name: d.u32()?,
                script_name: d.u32()?,
                script_id: d.u32()?,
                line: d.u32()?,
                column: d.u32()?,
            })
        })?;
        let nodes = d.list(|d| {
            Ok(TraceNode {
                id: d.u32()?,
                function: d.u32()?,
                count: d.u64()?,
                size: d.u64()?,
                parent: d.u32()?,
            })
        })?;
        Some(AllocationTraces { functions, nodes })
    } else {
        None
    };
    let samples = d.list(|d| {
        Ok(TimelineSample {
            timestamp_us: d.u64()?,
            last_assigned_id: d.u32()?,
        })
    })?;
    let mut graph = graph;
    graph.set_traces(traces);
    graph.set_timeline_samples(samples);
    if !d.at_end() {
        return Err(damaged("metadata length"));
    }
    let mut s = Snapshot {
        allocations: None,
        timeline: None,
        graph,
        flags: column(map, table, Section::Flags)?,
        retainers,
        distances: column(map, table, Section::Distances)?,
        classes,
        interface_definitions,
        dominator: column(map, table, Section::Dominator)?,
        retained,
        total_size,
        summary,
        statistics,
        max_js_object_id,
        orphans,
        cliques,
        scripts,
    };
    check_bounds(&s)?;
    s.allocations = AllocationProfile::build(&s.graph);
    s.timeline = crate::analysis::timeline::Timeline::build(&s.graph);
    Ok(s)
}

/// Every count the columns must agree on, and the references the small tables hold. The
/// columns' values are checked by `verify`, chunk by chunk.
fn check_bounds(s: &Snapshot) -> Result<()> {
    let g = s.graph.columns();
    let n = g.object_id.len();
    let e = g.edge_to.len();
    let lengths_ok = n > 0
        && e < u32::MAX as usize
        && s.graph.root().index() < n
        && [
            g.node_type.len(),
            g.node_name.len(),
            g.self_size.len(),
            s.flags.len(),
            s.distances.len(),
            s.classes.of_node.len(),
            s.dominator.len(),
            s.retained.len(),
        ]
        .iter()
        .all(|&l| l == n)
        && g.first_edge.len() == n + 1
        && s.retainers.first.len() == n + 1
        && g.edge_name.len() == e
        && s.retainers.slots.len() == e;
    if !lengths_ok {
        return Err(damaged("column lengths"));
    }
    let offsets_ok = |c: &[u32]| c.first() == Some(&0) && c.last() == Some(&(e as u32));
    if !offsets_ok(&g.first_edge) || !offsets_ok(&s.retainers.first) {
        return Err(damaged("edge offsets"));
    }
    let strings = s.graph.strings().len() as u64;
    let classes = s.classes.info.len() as u32;
    let (scripts, closures) = s.scripts.parts();
    let small_ok = s.classes.info.iter().all(|c| (c.name_index as u64) < strings)
        && s.summary.iter().all(|r| r.class < classes)
        && scripts.iter().all(|(_, script)| script.node.index() < n)
        && closures.iter().all(|&(v, _)| v.index() < n);
    if !small_ok {
        return Err(damaged("class and script references"));
    }
    let traces_ok = match s.graph.traces() {
        None => g.trace_node.is_empty(),
        Some(t) => {
            g.trace_node.len() == n
                && !t.nodes.is_empty()
                && t.functions
                    .iter()
                    .all(|f| (f.name as u64) < strings && (f.script_name as u64) < strings)
                && t.nodes.iter().enumerate().all(|(k, x)| {
                    (x.function as usize) < t.functions.len()
                        && (if k == 0 {
                            x.parent == TraceNode::NO_PARENT
                        } else {
                            (x.parent as usize) < k
                        })
                })
        }
    };
    if !traces_ok {
        return Err(damaged("allocation traces"));
    }
    Ok(())
}

struct Dec<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Dec<'a> {
    fn new(b: &'a [u8]) -> Self {
        Dec { b, at: 0 }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.b.len());
        let end = end.ok_or_else(|| damaged("metadata ends early"))?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_bits(self.u64()?))
    }
    fn bool(&mut self) -> Result<bool> {
        match self.take(1)?[0] {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(damaged("metadata flag")),
        }
    }
    fn str(&mut self) -> Result<String> {
        let len = self.u64()?;
        let bytes = self.take(usize::try_from(len).map_err(|_| damaged("metadata length"))?)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| damaged("metadata text"))
    }
    fn strs(&mut self) -> Result<Vec<String>> {
        self.list(|d| d.str())
    }
    /// A length-prefixed list; the length is checked against the bytes left (every item takes
    /// at least one byte), so a damaged length cannot make us reserve huge amounts.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let len = self.u64()?;
        if len > (self.b.len() - self.at) as u64 {
            return Err(damaged("metadata list length"));
        }
        (0..len).map(|_| item(self)).collect()
    }
    fn location(&mut self) -> Result<Option<Location>> {
        Ok(if self.bool()? {
            Some(Location {
                script_id: self.u32()?,
                line: self.u32()?,
                column: self.u32()?,
            })
        } else {
            None
        })
    }
    fn at_end(&self) -> bool {
        self.at == self.b.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EdgeId;

    /// An index with valid checksums but values out of range (written by something else, or by
    /// a bug) is still refused: every column is checked against the bounds it is used with.
    /// Here rather than in `tests/`: forging needs the graph's private columns.
    #[test]
    fn forged_values_are_refused_even_with_valid_checksums() {
        let dir = tempfile::tempdir().unwrap();
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-snapshots/leak-s1.heapsnapshot");
        let origin = Origin {
            key: None,
            source: "test".into(),
        };
        let forge = |what: &str, f: &dyn Fn(&mut Snapshot)| {
            let mut s = crate::engine::load(&sample, &Progress::new()).unwrap();
            f(&mut s);
            let path = dir.path().join("x.hsidx");
            write(&s, &origin, &path).unwrap();
            let e = open(&path, &Progress::new())
                .err()
                .unwrap_or_else(|| panic!("{what}: accepted"));
            assert!(e.to_string().contains("damaged"), "{what}: {e}");
        };
        let n = |s: &Snapshot| s.graph.node_count() as u32;
        forge("edge target", &|s| {
            let last = s.graph.edge_count() - 1;
            let past_the_end = n(s);
            let to = &mut s.graph.columns_mut().edge_to[last];
            *to = past_the_end | (*to & !((1 << crate::model::EDGE_TYPE_SHIFT) - 1));
        });
        forge("edge type", &|s| {
            let to = &mut s.graph.columns_mut().edge_to[2];
            *to |= 15 << crate::model::EDGE_TYPE_SHIFT;
        });
        forge("retainer", &|s| s.retainers.slots[3] = n(s) + 7);
        forge("dominator", &|s| {
            let v = NodeId::new(n(s) - 1);
            s.dominator[v] = NodeId::new(u32::MAX);
        });
        forge("node name", &|s| {
            let past_the_end = s.graph.strings().len() as u32;
            s.graph.columns_mut().node_name[5] = past_the_end;
        });
        forge("node type", &|s| s.graph.columns_mut().node_type[2] = 200);
        forge("class", &|s| s.classes.of_node[9] = s.classes.info.len() as u32);
        forge("edge offsets", &|s| {
            let first_edge = &mut s.graph.columns_mut().first_edge;
            first_edge.swap(10, 11);
            if first_edge[10] == first_edge[11] {
                first_edge[10] += 1;
            }
        });
        forge("edge name", &|s| {
            let e = (0..s.graph.edge_count())
                .find(|&e| s.graph.edge_kind(EdgeId::at(e)).has_string_name())
                .unwrap();
            s.graph.columns_mut().edge_name[e] = u32::MAX;
        });
    }
}
