//! Which snapshots come from one process, and in which order.
//!
//! V8 gives an object its id when a snapshot first sees it and keeps it for the life of the
//! process, so within one process an id always names the same object, and newer objects have
//! higher ids. Two processes started alike hand out the same ids to different objects. A
//! [`Fingerprint`] keeps a small sample of (id, what the object is) pairs; comparing two
//! samples tells snapshots of one process from those of another without keeping either
//! snapshot.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use super::Snapshot;
use crate::model::NodeId;

/// One id in this many is sampled: about 3% of the objects.
const EVERY: u32 = 31;
/// Below this many shared samples, two snapshots are too small to tell apart.
const ENOUGH: usize = 50;

/// A snapshot's sampled (id, type and name) pairs, sorted by id, and its newest object id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    sample: Vec<(u32, u64)>,
    newest: u32,
    nodes: usize,
}

/// What two fingerprints say about their snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kinship {
    /// The same objects under the same ids: one process.
    Same,
    /// `differ` of the `seen` objects both have under one id are different objects.
    Different { seen: usize, differ: usize },
    /// Too few shared objects to tell (hand-made or tiny snapshots).
    Unclear,
}

impl Fingerprint {
    pub fn of(s: &Snapshot) -> Fingerprint {
        let g = &s.graph;
        let mut sample: Vec<(u32, u64)> = g
            .par_nodes()
            .filter(|&n| g.id(n).0 % EVERY == 1)
            .map(|n| (g.id(n).0, name_hash(s, n)))
            .collect();
        sample.par_sort_unstable();
        Fingerprint {
            sample,
            newest: s.max_js_object_id,
            nodes: g.node_count(),
        }
    }

    /// The newest JS object id: a later snapshot of the same process has a higher one.
    pub fn newest(&self) -> u32 {
        self.newest
    }

    /// (objects in both samples, those of them whose type or name differ).
    fn compare(&self, other: &Fingerprint) -> (usize, usize) {
        let (a, b) = (&self.sample, &other.sample);
        let (mut i, mut j, mut seen, mut differ) = (0, 0, 0, 0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    seen += 1;
                    differ += usize::from(a[i].1 != b[j].1);
                    i += 1;
                    j += 1;
                }
            }
        }
        (seen, differ)
    }

    pub fn kinship(&self, other: &Fingerprint) -> Kinship {
        kinship(self.compare(other))
    }

    /// The same snapshot (or a copy of it): the same objects, and no newer one.
    pub fn same_snapshot(&self, other: &Fingerprint) -> bool {
        self == other
    }
}

/// Reads a (seen, differ) comparison: more than one in twenty differing is another process.
pub(crate) fn kinship((seen, differ): (usize, usize)) -> Kinship {
    if seen < ENOUGH {
        Kinship::Unclear
    } else if differ * 20 > seen {
        Kinship::Different { seen, differ }
    } else {
        Kinship::Same
    }
}

/// Compares a fingerprint with a snapshot without fingerprinting all of it.
pub(crate) fn compare_with(print: &Fingerprint, s: &Snapshot) -> (usize, usize) {
    let g = &s.graph;
    let (mut seen, mut differ) = (0, 0);
    for n in g.nodes() {
        let id = g.id(n).0;
        if id % EVERY != 1 {
            continue;
        }
        if let Ok(i) = print.sample.binary_search_by_key(&id, |x| x.0) {
            seen += 1;
            differ += usize::from(print.sample[i].1 != name_hash(s, n));
        }
    }
    (seen, differ)
}

fn name_hash(s: &Snapshot, n: NodeId) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.graph.type_index(n).hash(&mut h);
    s.graph.name(n).hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(sample: &[(u32, u64)], newest: u32) -> Fingerprint {
        Fingerprint {
            sample: sample.to_vec(),
            newest,
            nodes: sample.len(),
        }
    }

    #[test]
    fn samples_tell_processes_apart_only_when_there_are_enough() {
        let a: Vec<(u32, u64)> = (0..100).map(|i| (i * 31 + 1, i as u64)).collect();
        // One process, later: the same objects, some gone, some new.
        let mut later: Vec<(u32, u64)> = a[10..].to_vec();
        later.extend((100..120).map(|i| (i * 31 + 1, 7000 + i as u64)));
        assert_eq!(print(&a, 100).kinship(&print(&later, 200)), Kinship::Same);
        // Another process: the same ids, a tenth of them other objects.
        let mut other = a.clone();
        for x in other.iter_mut().step_by(10) {
            x.1 += 1_000_000;
        }
        assert_eq!(
            print(&a, 100).kinship(&print(&other, 100)),
            Kinship::Different { seen: 100, differ: 10 }
        );
        // One in twenty differing is still one process: the margin the method has always had.
        let mut close = a.clone();
        for x in close.iter_mut().step_by(20) {
            x.1 += 1;
        }
        assert_eq!(print(&a, 100).kinship(&print(&close, 100)), Kinship::Same);
        assert_eq!(print(&a[..49], 1).kinship(&print(&other[..49], 1)), Kinship::Unclear);
        assert!(print(&a, 100).same_snapshot(&print(&a, 100)));
        assert!(!print(&a, 100).same_snapshot(&print(&a, 101)));
    }
}
