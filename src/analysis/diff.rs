//! DevTools' Comparison view (spec §6): per class, objects matched by id between a base and a
//! current snapshot. The base is classified with the current snapshot's interface definitions,
//! so plain-object shapes line up.

use std::collections::HashMap;

use super::Snapshot;
use super::classes::{InterfaceDefinition, NO_INTERFACE, match_interfaces};
use crate::model::{Location, NodeId};

/// One class's objects as a comparison sees them: ids ascending, with shallow sizes and ordinals.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClassObjects {
    /// DevTools' public class key: `,Name` or `script,line,column,Name`.
    pub key: String,
    pub name: String,
    pub location: Option<Location>,
    pub ids: Vec<u32>,
    pub sizes: Vec<u32>,
    pub nodes: Vec<NodeId>,
}

/// DevTools' `aggregatesForDiff`: the objects of each class (self size > 0), keyed by public
/// class key in order of first appearance. With `definitions`, plain objects are named by those
/// (another snapshot's) interface definitions instead of this snapshot's own.
pub(crate) fn class_objects(s: &Snapshot, definitions: Option<&[InterfaceDefinition]>) -> Vec<ClassObjects> {
    let g = &s.graph;
    let n = g.node_count();
    // Internal keys: dense classes first, then (re)named plain-object classes.
    let mut names: Vec<(String, Option<Location>)> = s
        .classes
        .info
        .iter()
        .map(|c| (g.strings().get(c.name_index).to_owned(), c.location))
        .collect();
    let mut of_node: Option<Vec<u32>> = None;
    if let Some(defs) = definitions {
        let (plain, matches) = match_interfaces(g, defs);
        let mut ids = s.classes.of_node.to_vec();
        let mut extra: HashMap<(String, Option<Location>), u32> = HashMap::new();
        for (&v, m) in plain.iter().zip(matches) {
            let name = match m {
                NO_INTERFACE => g.name(v).to_owned(),
                di => defs[di as usize].name.clone(),
            };
            let loc = s.classes.info[s.classes.of_node[v] as usize].location;
            let next = names.len() as u32;
            let id = *extra.entry((name.clone(), loc)).or_insert_with(|| {
                names.push((name, loc));
                next
            });
            ids[v] = id;
        }
        of_node = Some(ids);
    }
    let of_node: &[u32] = of_node.as_deref().unwrap_or(&s.classes.of_node);

    let mut slot: Vec<u32> = vec![u32::MAX; names.len()];
    let mut out: Vec<ClassObjects> = Vec::new();
    for (v, &c) in of_node.iter().enumerate().take(n) {
        let size = g.self_sizes()[v];
        if size == 0 {
            continue;
        }
        let c = c as usize;
        if slot[c] == u32::MAX {
            slot[c] = out.len() as u32;
            let (name, location) = &names[c];
            out.push(ClassObjects {
                key: public_key(name, *location),
                name: name.clone(),
                location: *location,
                ..Default::default()
            });
        }
        let o = &mut out[slot[c] as usize];
        o.ids.push(g.object_ids()[v].0);
        o.sizes.push(size);
        o.nodes.push(NodeId::at(v));
    }
    // Internal keys that share a public key: the later replaces the earlier, as in DevTools.
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut keep = vec![true; out.len()];
    for (i, o) in out.iter().enumerate() {
        if let Some(prev) = by_key.insert(o.key.clone(), i) {
            keep[prev] = false;
        }
    }
    let mut out: Vec<ClassObjects> = out.into_iter().zip(keep).filter_map(|(o, k)| k.then_some(o)).collect();
    for o in &mut out {
        let mut order: Vec<usize> = (0..o.ids.len()).collect();
        order.sort_by_key(|&i| o.ids[i]);
        o.ids = order.iter().map(|&i| o.ids[i]).collect();
        o.sizes = order.iter().map(|&i| o.sizes[i]).collect();
        o.nodes = order.iter().map(|&i| o.nodes[i]).collect();
    }
    out
}

pub(crate) fn public_key(name: &str, location: Option<Location>) -> String {
    match location {
        None => format!(",{name}"),
        Some(l) => format!("{},{},{},{name}", l.script_id, l.line, l.column),
    }
}

/// One Comparison row.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    pub key: String,
    pub name: String,
    pub location: Option<Location>,
    /// # New, # Deleted, # Delta.
    pub new_count: u64,
    pub deleted_count: u64,
    pub(crate) count_delta: i64,
    /// Alloc. Size, Freed Size, Size Delta.
    pub(crate) alloc_size: u64,
    pub(crate) freed_size: u64,
    pub size_delta: i64,
    /// New objects (ordinals in the current snapshot) and deleted ones (ordinals in the base).
    pub(crate) added: Vec<NodeId>,
    pub deleted: Vec<NodeId>,
}

/// DevTools' `calculateSnapshotDiff`: base classes first (in their order), then classes only the
/// current snapshot has. Objects present in both (same id) are ignored even if they changed size;
/// classes with nothing new and nothing deleted are left out.
pub(crate) fn diff(base: &[ClassObjects], current: &[ClassObjects]) -> Vec<DiffRow> {
    let current_by_key: HashMap<&str, &ClassObjects> = current.iter().map(|c| (c.key.as_str(), c)).collect();
    let base_keys: std::collections::HashSet<&str> = base.iter().map(|c| c.key.as_str()).collect();
    let empty = ClassObjects::default();
    let mut rows = Vec::new();
    for b in base {
        let cur = current_by_key.get(b.key.as_str()).copied();
        if let Some(r) = diff_class(b, cur.unwrap_or(&empty), cur.is_some()) {
            rows.push(r);
        }
    }
    for c in current {
        if !base_keys.contains(c.key.as_str())
            && let Some(r) = diff_class(
                &ClassObjects {
                    key: c.key.clone(),
                    ..Default::default()
                },
                c,
                true,
            )
        {
            rows.push(r);
        }
    }
    rows
}

fn diff_class(base: &ClassObjects, cur: &ClassObjects, cur_exists: bool) -> Option<DiffRow> {
    let (mut i, mut j) = (0, 0);
    let mut row = DiffRow {
        key: base.key.clone(),
        name: if cur_exists {
            cur.name.clone()
        } else {
            base.name.clone()
        },
        location: if cur_exists { cur.location } else { base.location },
        new_count: 0,
        deleted_count: 0,
        count_delta: 0,
        alloc_size: 0,
        freed_size: 0,
        size_delta: 0,
        added: Vec::new(),
        deleted: Vec::new(),
    };
    while i < base.ids.len() && j < cur.ids.len() {
        match base.ids[i].cmp(&cur.ids[j]) {
            std::cmp::Ordering::Less => {
                row.deleted_count += 1;
                row.freed_size += base.sizes[i] as u64;
                row.deleted.push(base.nodes[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                row.new_count += 1;
                row.alloc_size += cur.sizes[j] as u64;
                row.added.push(cur.nodes[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    for k in i..base.ids.len() {
        row.deleted_count += 1;
        row.freed_size += base.sizes[k] as u64;
        row.deleted.push(base.nodes[k]);
    }
    for k in j..cur.ids.len() {
        row.new_count += 1;
        row.alloc_size += cur.sizes[k] as u64;
        row.added.push(cur.nodes[k]);
    }
    row.count_delta = row.new_count as i64 - row.deleted_count as i64;
    row.size_delta = row.alloc_size as i64 - row.freed_size as i64;
    (row.new_count > 0 || row.deleted_count > 0).then_some(row)
}

/// Rows as the reference tool prints them: size delta descending, then name.
pub(crate) fn sort_rows(rows: &mut [DiffRow]) {
    rows.sort_by(|a, b| {
        b.size_delta
            .cmp(&a.size_delta)
            .then_with(|| super::classes::cmp_js(&a.name, &b.name))
    });
}
