//! Growth across N snapshots of one process: per class, the count and shallow size in each
//! snapshot, and a ranking of the classes that grow.

use std::collections::HashMap;

use super::Snapshot;
use super::classes::InterfaceDefinition;
use super::diff::class_objects;
use crate::model::Location;

/// One class across the series.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub key: String,
    pub name: String,
    pub location: Option<Location>,
    pub counts: Vec<u64>,
    pub sizes: Vec<u64>,
    /// In the last snapshot: the retained size of this class's objects that did not exist in the
    /// first snapshot and that no other new object keeps alive. Parts of another class's growth
    /// (an order's line items) score 0 here, the class that holds them scores it all.
    pub owned_growth: f64,
}

impl Series {
    /// Grew at every step: more objects in each snapshot than in the one before.
    pub fn monotonic(&self) -> bool {
        self.counts.len() >= 2
            && self.counts.windows(2).all(|w| w[1] > w[0])
            && self.sizes.windows(2).all(|w| w[1] >= w[0])
    }

    /// Unchanged across the series: nothing to rank.
    pub(crate) fn is_flat(&self) -> bool {
        self.counts.windows(2).all(|w| w[0] == w[1]) && self.sizes.windows(2).all(|w| w[0] == w[1])
    }

    pub(crate) fn count_delta(&self) -> i64 {
        *self.counts.last().unwrap_or(&0) as i64 - *self.counts.first().unwrap_or(&0) as i64
    }

    pub fn size_delta(&self) -> i64 {
        *self.sizes.last().unwrap_or(&0) as i64 - *self.sizes.first().unwrap_or(&0) as i64
    }

    /// Average size added per snapshot step.
    pub(crate) fn average_growth(&self) -> f64 {
        let steps = self.sizes.len().saturating_sub(1).max(1);
        self.size_delta() as f64 / steps as f64
    }

    /// Engine-made classes (strings, arrays, code, system objects) grow with whatever holds them;
    /// the ranking puts the classes an application defines first.
    pub(crate) fn is_internal(&self) -> bool {
        let n = self.name.as_str();
        n.starts_with("system / ")
            || matches!(
                n,
                "(string)"
                    | "(concatenated string)"
                    | "(sliced string)"
                    | "(array)"
                    | "(system)"
                    | "(compiled code)"
                    | "(number)"
                    | "(object shape)"
                    | "(symbol)"
                    | "(bigint)"
                    | "(synthetic)"
            )
    }
}

/// Accumulates snapshots one at a time, so only one is in memory at once.
pub struct Growth {
    pub names: Vec<String>,
    series: Vec<Series>,
    index: HashMap<String, usize>,
}

impl Growth {
    pub fn new() -> Growth {
        Growth {
            names: Vec::new(),
            series: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Adds the next snapshot. `definitions`: the plain-object shapes every snapshot is
    /// classified with (the last snapshot's, as DevTools' comparison does), so shapes line up.
    pub fn add(&mut self, name: String, s: &Snapshot, definitions: Option<&[InterfaceDefinition]>) {
        let k = self.names.len();
        self.names.push(name);
        for c in class_objects(s, definitions) {
            let i = *self.index.entry(c.key.clone()).or_insert_with(|| {
                self.series.push(Series {
                    key: c.key.clone(),
                    name: c.name.clone(),
                    location: c.location,
                    counts: vec![0; k],
                    sizes: vec![0; k],
                    owned_growth: 0.0,
                });
                self.series.len() - 1
            });
            let se = &mut self.series[i];
            se.counts.resize(k, 0);
            se.sizes.resize(k, 0);
            se.counts.push(c.ids.len() as u64);
            se.sizes.push(c.sizes.iter().map(|&x| x as u64).sum());
        }
        for se in &mut self.series {
            se.counts.resize(k + 1, 0);
            se.sizes.resize(k + 1, 0);
        }
    }

    /// Attributes the growth between the first snapshot (its sorted ids) and `last` (the last
    /// snapshot added) to the classes whose new objects keep it alive.
    pub(crate) fn attribute(&mut self, first_ids: &[u32], last: &Snapshot) {
        use super::leaks::{LeakOptions, candidates, is_trivial};
        let g = &last.graph;
        let opts = LeakOptions::default();
        // New objects = in the last snapshot, not in the first.
        let all_ids = super::leaks::sorted_ids(last);
        let new = candidates(first_ids, &all_ids, last, &opts);
        let mut member = super::bits::BitVec::new(g.node_count());
        for &v in &new {
            member.set(v.index());
        }
        let mut owned: HashMap<String, f64> = HashMap::new();
        for &v in &new {
            let mut d = last.dominator[v];
            let mut inside = false;
            while d != g.root() {
                if member.get(d.index()) {
                    inside = true;
                    break;
                }
                d = last.dominator[d];
            }
            if !inside && !is_trivial(last, v, &opts) {
                let key = last.classes.public_key(g, last.classes.of_node[v]);
                *owned.entry(key).or_default() += last.retained.get(v);
            }
        }
        for se in &mut self.series {
            se.owned_growth = owned.get(&se.key).copied().unwrap_or(0.0);
        }
    }

    /// Classes ranked by growth: application classes before engine ones, monotonic growth
    /// first, then by the growth they keep alive themselves, then by size added.
    pub fn ranked(&self) -> Vec<Series> {
        let mut v = self.series.clone();
        v.sort_by(|a, b| {
            a.is_internal()
                .cmp(&b.is_internal())
                .then(b.monotonic().cmp(&a.monotonic()))
                .then(b.owned_growth.total_cmp(&a.owned_growth))
                .then(b.size_delta().cmp(&a.size_delta()))
                .then_with(|| a.name.cmp(&b.name))
        });
        v
    }
}

impl Default for Growth {
    fn default() -> Self {
        Self::new()
    }
}
