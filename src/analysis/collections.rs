//! How many entries a collection holds, read from the graph: a Map's or Set's table, an Array's
//! elements, an object used as a dictionary. Followed by object id across snapshots of one
//! process, these counts show the collection that grows (the three-snapshot method's `counts`,
//! Growth's collections).
//!
//! What the snapshot cannot show is not counted: an entry whose key and value are both small
//! integers (V8 stores them unboxed, with no edge) and an array element that is a small integer.

use rayon::prelude::*;

use super::Snapshot;
use crate::model::{EdgeKind, EdgeName, NodeId, NodeKind};

/// Whether `v` is V8's hole (a deleted entry's key and value).
fn is_hole(s: &Snapshot, v: NodeId) -> bool {
    let g = &s.graph;
    g.name(v) == "system / Oddball"
        && g.edges(v)
            .find(|&e| g.edge_kind(e) == EdgeKind::Hidden)
            .is_some_and(|e| g.name(g.to(e)) == "hole")
}

/// The entries of a Map or Set whose table is `table` (an `OrderedHashMap` / `OrderedHashSet`:
/// a header, bucket heads, then entries of `entry` slots: key, value for a Map, chain), as
/// (key, value) pairs; a Set's have no value. Only heap objects have edges, named by their
/// slot: the header, bucket heads and chains are small integers and never show. So a Set's key
/// edges are its entries, and a Map's key and value edges fall in two of the three slot
/// positions: the pair that sits side by side is an entry. A deleted entry holds the hole, and a
/// small-integer key or value has no edge (`None`). `None` when the edges fit no such layout.
fn table_entries(s: &Snapshot, table: NodeId, entry: u32) -> Option<Vec<Entry>> {
    let g = &s.graph;
    let mut slots: Vec<(u32, NodeId)> = g
        .edges(table)
        .filter(|&e| !is_hole(s, g.to(e)))
        .filter_map(|e| {
            match g.edge_name(e) {
                EdgeName::Str(n) => n.parse::<u32>().ok(),
                EdgeName::Index(i) => Some(i),
            }
            .map(|i| (i, g.to(e)))
        })
        .collect();
    slots.sort_unstable_by_key(|&(i, _)| i);
    slots.dedup_by_key(|&mut (i, _)| i);
    let alone = |slots: Vec<(u32, NodeId)>| {
        slots
            .into_iter()
            .map(|(_, v)| Entry {
                key: Some(v),
                value: None,
            })
            .collect()
    };
    if entry < 3 {
        return Some(alone(slots));
    }
    let mut present = [false; 3];
    for &(i, _) in &slots {
        present[(i % 3) as usize] = true;
    }
    // The key's position: the present one whose next position is present too (the chain's,
    // the third, never is); with one position present, each edge is an entry of its own.
    let key = match present.iter().filter(|&&p| p).count() {
        0 | 1 => return Some(alone(slots)),
        2 => (0..3u32).find(|&r| present[r as usize] && present[((r + 1) % 3) as usize])?,
        _ => return None,
    };
    let mut out: Vec<(u32, Entry)> = Vec::new();
    for (i, v) in slots {
        let n = (i + 3 - key) / 3;
        if out.last().is_none_or(|&(m, _)| m != n) {
            out.push((n, Entry { key: None, value: None }));
        }
        let e = &mut out.last_mut().expect("pushed").1;
        if i % 3 == key {
            e.key = Some(v);
        } else {
            e.value = Some(v);
        }
    }
    Some(out.into_iter().map(|(_, e)| e).collect())
}

/// One entry of a Map or Set: its key and value objects (`None`: a small integer, which the
/// snapshot does not hold, or a Set's missing value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub key: Option<NodeId>,
    pub value: Option<NodeId>,
}

/// The entries of a Map or Set, read from its table; `None` for anything else.
pub fn map_entries(s: &Snapshot, v: NodeId) -> Option<Vec<Entry>> {
    let g = &s.graph;
    let entry = match s.class_name(v) {
        "Map" => 3,
        "Set" => 2,
        _ => return None,
    };
    if g.kind(v) != NodeKind::Object {
        return None;
    }
    let e = g
        .edges(v)
        .find(|&e| g.edge_kind(e) == EdgeKind::Internal && matches!(g.edge_name(e), EdgeName::Str("table")))?;
    table_entries(s, g.to(e), entry)
}

/// How many entries `v` holds, when it is a collection: a Map or Set (its table), an Array (its
/// elements), or any other JS object (its named properties, as a dictionary's keys). `None`
/// for what is not a JS object.
pub fn entries(s: &Snapshot, v: NodeId) -> Option<u32> {
    let g = &s.graph;
    if g.kind(v) != NodeKind::Object {
        return None;
    }
    let table = |entry: u32| {
        g.edges(v)
            .find(|&e| g.edge_kind(e) == EdgeKind::Internal && matches!(g.edge_name(e), EdgeName::Str("table")))
            .and_then(|e| table_entries(s, g.to(e), entry))
            .map(|entries| entries.len() as u32)
    };
    match s.class_name(v) {
        "Map" => table(3),
        "Set" => table(2),
        "Array" => Some(
            g.edges(v)
                .filter(|&e| g.edge_kind(e) == EdgeKind::Element && !is_hole(s, g.to(e)))
                .count() as u32,
        ),
        _ => Some(
            g.edges(v)
                .filter(|&e| {
                    g.edge_kind(e) == EdgeKind::Property
                        && !matches!(g.edge_name(e), EdgeName::Str("__proto__" | "constructor"))
                })
                .count() as u32,
        ),
    }
}

/// Entries of every collection of one snapshot by object id, kept of an earlier snapshot to
/// follow its collections into later ones (8 bytes per JS object with entries).
#[derive(Debug, Clone, Default)]
pub struct EntriesById {
    ids: Vec<u32>,
    counts: Vec<u32>,
}

impl EntriesById {
    pub fn of(s: &Snapshot) -> EntriesById {
        let g = &s.graph;
        let ids = g.object_ids();
        let mut pairs: Vec<(u32, u32)> = g
            .par_nodes()
            .filter_map(|v| entries(s, v).filter(|&n| n > 0).map(|n| (ids[v].0, n)))
            .collect();
        pairs.par_sort_unstable();
        let (ids, counts) = pairs.into_iter().unzip();
        EntriesById { ids, counts }
    }

    /// The entries of the object with `id`, given the snapshot's sorted ids: `None` when it did
    /// not exist in this snapshot.
    pub fn get(&self, id: u32, all_ids: &[u32]) -> Option<u32> {
        match self.ids.binary_search(&id) {
            Ok(i) => Some(self.counts[i]),
            Err(_) => all_ids.binary_search(&id).is_ok().then_some(0),
        }
    }
}

/// Entries a collection of the last snapshot must hold to be followed through a series: a
/// collection that grows across several snapshots has more than a handful by the last one.
const FOLLOWED_FROM: u32 = 8;

/// The collections of the last snapshot of a series, followed back through every snapshot by
/// object id: the Map that grows, not just its class.
#[derive(Debug, Clone, Default)]
pub struct Following {
    /// Sorted object ids of the last snapshot's collections.
    ids: Vec<u32>,
    /// Per snapshot added, each followed collection's entries (`None`: it did not exist).
    entries: Vec<Vec<Option<u32>>>,
}

/// One followed collection that grew.
#[derive(Debug, Clone, PartialEq)]
pub struct Grown {
    pub id: u32,
    /// Entries per snapshot of the series, oldest first.
    pub entries: Vec<Option<u32>>,
}

impl Grown {
    /// Entries added from the first snapshot it was in to the last.
    pub fn added(&self) -> i64 {
        let first = self.entries.iter().flatten().next().copied().unwrap_or(0);
        let last = self.entries.last().copied().flatten().unwrap_or(0);
        last as i64 - first as i64
    }

    /// Never fewer entries than in the snapshot before, once it exists.
    pub fn monotonic(&self) -> bool {
        self.entries
            .iter()
            .flatten()
            .collect::<Vec<_>>()
            .windows(2)
            .all(|w| w[1] >= w[0])
    }
}

impl Following {
    /// The collections of the series' last snapshot to follow.
    pub fn of_last(s: &Snapshot) -> Following {
        let g = &s.graph;
        let mut ids: Vec<u32> = g
            .par_nodes()
            .filter(|&v| entries(s, v).is_some_and(|n| n >= FOLLOWED_FROM))
            .map(|v| g.id(v).0)
            .collect();
        ids.par_sort_unstable();
        Following {
            ids,
            entries: Vec::new(),
        }
    }

    /// The next snapshot of the series, oldest first.
    pub fn add(&mut self, s: &Snapshot) {
        let g = &s.graph;
        let found: Vec<(usize, u32)> = g
            .par_nodes()
            .filter_map(|v| {
                let at = self.ids.binary_search(&g.id(v).0).ok()?;
                Some((at, entries(s, v).unwrap_or(0)))
            })
            .collect();
        let mut now = vec![None; self.ids.len()];
        for (at, n) in found {
            now[at] = Some(n);
        }
        self.entries.push(now);
    }

    /// The followed collections that gained entries over the series, those that never shrank
    /// first, then by entries added; at most `top`.
    pub fn grown(&self, top: usize) -> Vec<Grown> {
        let mut out: Vec<Grown> = (0..self.ids.len())
            .map(|k| Grown {
                id: self.ids[k],
                entries: self.entries.iter().map(|e| e[k]).collect(),
            })
            .filter(|c| c.added() > 0)
            .collect();
        out.sort_by(|a, b| {
            b.monotonic()
                .cmp(&a.monotonic())
                .then(b.added().cmp(&a.added()))
                .then(a.id.cmp(&b.id))
        });
        out.truncate(top);
        out
    }
}
