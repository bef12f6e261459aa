//! Class names ("Constructor" in the Summary): `calculateObjectNames`, plain-object interface
//! inference and application, and DevTools' location-aware class keys (spec §2a).

use rustc_hash::FxHashMap as HashMap;
use std::cmp::Ordering;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bits::BitVec;
use crate::model::{Column, EdgeKind, Graph, Location, NodeId, NodeKind};
use crate::progress::{Cancelled, Phase, Progress, tick};

const MAX_INTERFACE_NAME_LENGTH: usize = 120;
const MIN_INTERFACE_PROPERTY_COUNT: usize = 1;
const MIN_OBJECT_COUNT_PER_INTERFACE: f64 = 2.0;
const MIN_OBJECT_PROPORTION_PER_INTERFACE: f64 = 1000.0;

/// A named shape of plain objects, e.g. `{id, name, email}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceDefinition {
    pub name: String,
    pub properties: Vec<String>,
}

/// The snapshot's strings plus the class names the analysis makes up. While class names are
/// found, the graph is shared read-only with the phases beside them (dominators, distances), so
/// new names wait here and are appended to the graph's table afterwards, at the same indices.
pub(crate) struct NewStrings<'a> {
    table: &'a crate::format::StringTable,
    added: Vec<String>,
}

impl<'a> NewStrings<'a> {
    pub(crate) fn new(g: &'a Graph) -> Self {
        NewStrings {
            table: g.strings(),
            added: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.table.len() + self.added.len()
    }

    pub(crate) fn get(&self, i: u32) -> &str {
        match (i as usize).checked_sub(self.table.len()) {
            Some(k) => self.added.get(k).map_or("", String::as_str),
            None => self.table.get(i),
        }
    }

    /// A new index for `s`, even when its text is already there (DevTools' strings are distinct).
    fn push(&mut self, s: &str) -> u32 {
        self.added.push(s.to_owned());
        (self.len() - 1) as u32
    }

    /// The strings to append to the graph's table, in order.
    pub(crate) fn into_added(self) -> Vec<String> {
        self.added
    }
}

/// Compares like JavaScript's default string comparison (UTF-16 code units).
pub(crate) fn cmp_js(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// JavaScript's `string.length`.
pub(crate) fn js_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

/// DevTools' `formatPropertyName`: names with `,'"{}` are JSON-quoted.
pub(crate) fn format_property_name(name: &str) -> std::borrow::Cow<'_, str> {
    if name.contains([',', '\'', '"', '{', '}']) {
        serde_json::to_string(name).unwrap_or_default().into()
    } else {
        name.into()
    }
}

/// A plain JS object: type `object` named `Object`.
#[inline]
pub(crate) fn is_plain_object(g: &Graph, n: NodeId) -> bool {
    g.kind(n) == NodeKind::Object && g.name(n) == "Object"
}

/// Per-node class string index, as DevTools keeps it in the upper bits of its side array.
/// Strings DevTools adds (e.g. "(system)", "<div>", interface names) are appended to
/// `g.strings` and are distinct indices even when their text already exists, as in DevTools.
pub(crate) fn calculate_object_names(
    g: &Graph,
    strings: &mut NewStrings,
    progress: &Progress,
) -> Result<Vec<u32>, Cancelled> {
    let n = g.node_count();
    progress.begin(Phase::ClassNames, n as u64 * 3);
    let mut added: HashMap<String, u32> = HashMap::default();
    let mut index_for = |strings: &mut NewStrings, s: String| -> u32 {
        if let Some(&i) = added.get(&s) {
            return i;
        }
        let i = strings.push(&s);
        added.insert(s, i);
        i
    };
    let hidden = index_for(strings, "(system)".into());
    let code = index_for(strings, "(compiled code)".into());
    let function = index_for(strings, "Function".into());
    let regexp = index_for(strings, "RegExp".into());
    // "(" + type + ")" per raw type, made lazily in DevTools' order of first use.
    let mut by_type: Vec<Option<u32>> = vec![None; g.node_type_names().len()];
    let mut out = vec![0u32; n];
    for (i, slot) in out.iter_mut().enumerate() {
        tick(progress, i, 16)?;
        let v = NodeId::at(i);
        *slot = match g.kind(v) {
            NodeKind::Hidden => hidden,
            NodeKind::Object | NodeKind::Native => {
                let name = g.name(v);
                if name.starts_with('<') {
                    match name.find(' ') {
                        Some(sp) => index_for(strings, format!("{}>", &name[..sp])),
                        None => index_for(strings, name.to_owned()),
                    }
                } else if let Some(rest) = name.strip_prefix("Detached <") {
                    match rest.find(' ') {
                        Some(sp) => index_for(strings, format!("{}>", &name[..10 + sp])),
                        None => index_for(strings, name.to_owned()),
                    }
                } else {
                    g.name_index(v)
                }
            }
            NodeKind::Code => code,
            NodeKind::Closure => function,
            NodeKind::RegExp => regexp,
            _ => {
                let t = g.type_index(v) as usize;
                match by_type[t] {
                    Some(s) => s,
                    None => {
                        let s = index_for(strings, format!("({})", g.node_type_names()[t]));
                        by_type[t] = Some(s);
                        s
                    }
                }
            }
        };
    }
    Ok(out)
}

/// Every node's class name (a string index) and the interface definitions: `calculateObjectNames`,
/// then plain-object interfaces inferred and applied. Names it makes up go to `strings`.
pub(crate) fn name_classes(
    g: &Graph,
    strings: &mut NewStrings,
    progress: &Progress,
) -> Result<(Vec<u32>, Vec<InterfaceDefinition>), Cancelled> {
    let mut class_index = calculate_object_names(g, strings, progress)?;
    let definitions = infer_interface_definitions(g, progress)?;
    apply_interface_definitions(
        g,
        strings,
        &mut class_index,
        &definitions,
        &mut Default::default(),
        progress,
    )?;
    Ok((class_index, definitions))
}

/// DevTools' `inferInterfaceDefinitions`.
pub(crate) fn infer_interface_definitions(
    g: &Graph,
    progress: &Progress,
) -> Result<Vec<InterfaceDefinition>, Cancelled> {
    let n = g.node_count();
    let mut total = 0usize;
    // Candidates keyed by their property string indices, in first-seen order.
    let mut index: HashMap<Box<[u32]>, usize> = HashMap::default();
    let mut candidates: Vec<(Box<[u32]>, usize)> = Vec::new();
    let mut formatted_len: HashMap<u32, usize> = HashMap::default();
    let mut props: Vec<u32> = Vec::new();
    for v in g.nodes() {
        tick(progress, n + v.index(), 16)?;
        if !is_plain_object(g, v) {
            continue;
        }
        total += 1;
        props.clear();
        let mut len = 1; // "{"
        for e in g.edges(v) {
            if g.edge_kind(e) != EdgeKind::Property {
                continue;
            }
            let s = g.edge_name_index(e);
            let name = g.strings().get(s);
            if name == "__proto__" {
                continue;
            }
            let flen = *formatted_len
                .entry(s)
                .or_insert_with(|| js_len(&format_property_name(name)));
            if len > MIN_INTERFACE_PROPERTY_COUNT && len + flen > MAX_INTERFACE_NAME_LENGTH {
                break;
            }
            if len != 1 {
                len += 2;
            }
            len += flen;
            props.push(s);
        }
        if props.is_empty() {
            continue;
        }
        match index.get(props.as_slice()) {
            Some(&c) => candidates[c].1 += 1,
            None => {
                index.insert(props.clone().into_boxed_slice(), candidates.len());
                candidates.push((props.clone().into_boxed_slice(), 1));
            }
        }
    }
    // Different index lists with the same text are one candidate in DevTools (keyed by name).
    let mut by_name: HashMap<String, usize> = HashMap::default();
    let mut named: Vec<(InterfaceDefinition, usize)> = Vec::new();
    for (props, count) in candidates {
        let texts: Vec<String> = props.iter().map(|&s| g.strings().get(s).to_owned()).collect();
        let name = format!(
            "{{{}}}",
            texts
                .iter()
                .map(|t| format_property_name(t))
                .collect::<Vec<_>>()
                .join(", ")
        );
        match by_name.get(&name) {
            Some(&i) => named[i].1 += count,
            None => {
                by_name.insert(name.clone(), named.len());
                named.push((
                    InterfaceDefinition {
                        name,
                        properties: texts,
                    },
                    count,
                ));
            }
        }
    }
    named.sort_by_key(|c| std::cmp::Reverse(c.1));
    let min_count = MIN_OBJECT_COUNT_PER_INTERFACE.max(total as f64 / MIN_OBJECT_PROPORTION_PER_INTERFACE);
    Ok(named
        .into_iter()
        .take_while(|(_, c)| *c as f64 >= min_count)
        .map(|(d, _)| d)
        .collect())
}

struct TrieNode {
    next: HashMap<u32, usize>,
    /// (property count, definition index)
    matched: Option<(usize, usize)>,
    greatest_next: Option<u32>,
}

/// Ranks strings in JavaScript sort order so comparisons become integer comparisons.
struct Ranks {
    of_index: HashMap<u32, u32>,
    of_text: HashMap<String, u32>,
}

/// DevTools' `applyInterfaceDefinitions`: gives every plain object the best-matching interface
/// name. `names` maps interface names to their string index and persists across calls, as
/// DevTools' `#interfaceNames` does.
pub(crate) fn apply_interface_definitions(
    g: &Graph,
    strings: &mut NewStrings,
    class_index: &mut [u32],
    definitions: &[InterfaceDefinition],
    names: &mut HashMap<String, u32>,
    progress: &Progress,
) -> Result<(), Cancelled> {
    let (plain, matches) = match_interfaces(g, definitions);
    progress.set(g.node_count() as u64 * 3)?;
    for (&v, m) in plain.iter().zip(matches) {
        class_index[v] = match m {
            NO_INTERFACE => g.name_index(v),
            di => {
                let name = &definitions[di as usize].name;
                match names.get(name) {
                    Some(&s) => s,
                    None => {
                        let s = strings.push(name);
                        names.insert(name.clone(), s);
                        s
                    }
                }
            }
        };
    }
    Ok(())
}

/// What [`match_interfaces`] gives a plain object no definition names (it stays `Object`).
pub(crate) const NO_INTERFACE: u32 = u32::MAX;

/// The plain objects of `g` and, for each, the index of the interface definition that names
/// it ([`NO_INTERFACE`]: none). Pure, so a base snapshot can be matched against another
/// snapshot's definitions for a comparison.
pub(crate) fn match_interfaces(g: &Graph, definitions: &[InterfaceDefinition]) -> (Vec<NodeId>, Vec<u32>) {
    let plain: Vec<NodeId> = g.par_nodes().filter(|&v| is_plain_object(g, v)).collect();

    // Rank every property name that can be compared: object properties and definition properties.
    // The names in use are marked in one bit per string (a list of every property edge, sorted
    // and deduplicated, took as much memory as the edges).
    let parts = (rayon::current_num_threads() * 2).max(1);
    let used = plain
        .par_chunks(plain.len().div_ceil(parts).max(1))
        .map(|chunk| {
            let mut used = BitVec::new(g.strings().len());
            for &v in chunk {
                for e in g.edges(v).filter(|&e| g.edge_kind(e) == EdgeKind::Property) {
                    used.set(g.edge_name_index(e) as usize);
                }
            }
            used
        })
        .reduce(|| BitVec::new(g.strings().len()), |a, b| a.union(&b));
    let prop_indices: Vec<u32> = (0..g.strings().len() as u32)
        .filter(|&s| used.get(s as usize))
        .collect();
    drop(used);
    let mut texts: Vec<&str> = prop_indices.iter().map(|&s| g.strings().get(s)).collect();
    for d in definitions {
        texts.extend(d.properties.iter().map(String::as_str));
    }
    texts.par_sort_unstable_by(|a, b| cmp_js(a, b));
    texts.dedup();
    let mut ranks = Ranks {
        of_index: HashMap::with_capacity_and_hasher(prop_indices.len(), Default::default()),
        of_text: HashMap::with_capacity_and_hasher(texts.len(), Default::default()),
    };
    for (r, t) in texts.iter().enumerate() {
        ranks.of_text.insert((*t).to_owned(), r as u32);
    }
    for &s in &prop_indices {
        ranks.of_index.insert(s, ranks.of_text[g.strings().get(s)]);
    }
    drop(texts);

    let mut trie = vec![TrieNode {
        next: HashMap::default(),
        matched: None,
        greatest_next: None,
    }];
    for (di, d) in definitions.iter().enumerate() {
        let mut props: Vec<u32> = d.properties.iter().map(|p| ranks.of_text[p.as_str()]).collect();
        props.sort_unstable();
        let mut cur = 0;
        for &p in &props {
            cur = match trie[cur].next.get(&p) {
                Some(&c) => c,
                None => {
                    let c = trie.len();
                    trie.push(TrieNode {
                        next: HashMap::default(),
                        matched: None,
                        greatest_next: None,
                    });
                    trie[cur].next.insert(p, c);
                    if trie[cur].greatest_next.is_none_or(|gn| gn < p) {
                        trie[cur].greatest_next = Some(p);
                    }
                    c
                }
            };
        }
        if trie[cur].matched.is_none() {
            trie[cur].matched = Some((props.len(), di));
        }
    }

    fn better(a: Option<(usize, usize)>, b: Option<(usize, usize)>) -> Option<(usize, usize)> {
        match (a, b) {
            (a, None) => a,
            (None, b) => b,
            (Some(a), Some(b)) => {
                if a.0 > b.0 {
                    Some(a)
                } else if b.0 > a.0 {
                    Some(b)
                } else if a.1 <= b.1 {
                    Some(a)
                } else {
                    Some(b)
                }
            }
        }
    }

    // Matching is independent per object; only the final name lookup touches shared state.
    let matches: Vec<u32> = plain
        .par_iter()
        .map(|&v| {
            let mut props: Vec<u32> = g
                .edges(v)
                .filter(|&e| g.edge_kind(e) == EdgeKind::Property)
                .map(|e| ranks.of_index[&g.edge_name_index(e)])
                .collect();
            props.sort_unstable();
            // An insertion-ordered set of trie states, as DevTools' `Set` behaves.
            let mut states: Vec<usize> = vec![0];
            let mut best = better(None, trie[0].matched);
            let mut snapshot: Vec<usize> = Vec::new();
            for &p in &props {
                snapshot.clear();
                snapshot.extend_from_slice(&states);
                for &s in &snapshot {
                    if trie[s].greatest_next.is_none_or(|gn| p >= gn)
                        && let Some(pos) = states.iter().position(|&x| x == s)
                    {
                        states.remove(pos);
                    }
                    if let Some(&nx) = trie[s].next.get(&p) {
                        if !states.contains(&nx) {
                            states.push(nx);
                        }
                        best = better(best, trie[nx].matched);
                    }
                }
                if states.is_empty() {
                    break;
                }
            }
            best.map_or(NO_INTERFACE, |(_, di)| di as u32)
        })
        .collect();
    (plain, matches)
}

/// What a class (a Summary row) is keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ClassInfo {
    /// String index of the class name (DevTools' class index).
    pub(crate) name_index: u32,
    pub location: Option<Location>,
}

/// Dense class ids: DevTools' internal class keys, numbered in order of first appearance.
pub struct Classes {
    pub of_node: Column<u32>,
    pub(crate) info: Vec<ClassInfo>,
}

impl Classes {
    /// Objects with a `locations` entry are keyed by (script, line, column, class name); all
    /// other nodes by their class string index (HS `classKeyInternal`).
    /// `class_index` becomes the per-node class ids in place; `locations` are the objects' (the
    /// graph's, sorted by node; others are skipped).
    pub(crate) fn build(g: &Graph, mut class_index: Vec<u32>, strings: &NewStrings, locations: &[[u32; 4]]) -> Classes {
        let mut by_index: Vec<u32> = vec![u32::MAX; strings.len()];
        let mut by_location: HashMap<(Location, String), u32> = HashMap::default();
        let mut by_location_index: HashMap<(Location, u32), u32> = HashMap::default();
        let mut info: Vec<ClassInfo> = Vec::new();
        let mut loc_i = 0;
        for (v, class) in class_index.iter_mut().enumerate() {
            let ci = *class;
            let mut location = None;
            while loc_i < locations.len() && (locations[loc_i][0] as usize) < v {
                loc_i += 1;
            }
            if loc_i < locations.len() && locations[loc_i][0] as usize == v && g.kind(NodeId::at(v)) == NodeKind::Object
            {
                let l = locations[loc_i];
                location = Some(Location {
                    script_id: l[1],
                    line: l[2],
                    column: l[3],
                });
            }
            *class = match location {
                None => {
                    let slot = &mut by_index[ci as usize];
                    if *slot == u32::MAX {
                        *slot = info.len() as u32;
                        info.push(ClassInfo {
                            name_index: ci,
                            location: None,
                        });
                    }
                    *slot
                }
                Some(loc) => *by_location_index.entry((loc, ci)).or_insert_with(|| {
                    // Keys are textual in DevTools: equal names at one location are one class.
                    let key = (loc, strings.get(ci).to_owned());
                    *by_location.entry(key).or_insert_with(|| {
                        info.push(ClassInfo {
                            name_index: ci,
                            location: Some(loc),
                        });
                        (info.len() - 1) as u32
                    })
                }),
            };
        }
        Classes {
            of_node: class_index.into(),
            info,
        }
    }

    pub fn name<'g>(&self, g: &'g Graph, class: u32) -> &'g str {
        g.strings().get(self.info[class as usize].name_index)
    }

    /// DevTools' public class key, used to match classes across snapshots.
    pub fn public_key(&self, g: &Graph, class: u32) -> String {
        self.public_key_named(g.strings().get(self.info[class as usize].name_index), class)
    }

    /// [`Classes::public_key`] given the class's name.
    pub(crate) fn public_key_named(&self, name: &str, class: u32) -> String {
        match self.info[class as usize].location {
            None => format!(",{name}"),
            Some(l) => format!("{},{},{},{name}", l.script_id, l.line, l.column),
        }
    }
}
