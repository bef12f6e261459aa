//! Sets: which open snapshots come from one process, and their order. Everything that compares
//! snapshots (objects allocated between two, the Comparison's base, Growth, the three-snapshot
//! method) only means something within one set, and in the set's order.
//!
//! A snapshot joins the first set that has a member of the same process (by their
//! [`Fingerprint`]s), or starts a set of its own. Snapshots too small to tell apart join the
//! first set none of whose members is known to be another process, as all snapshots were one
//! series before sets existed. Within a set, the order is by newest object id: V8 hands out
//! ids in increasing order, so that is the order the snapshots were taken in.

use std::sync::Arc;

use crate::analysis::process::{Fingerprint, Kinship};

/// A set's number, from 1 in the order sets were first seen.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct SetId(pub u32);

struct Member<K> {
    key: K,
    set: SetId,
    print: Arc<Fingerprint>,
    /// When it was added, to order equal newest ids (the same snapshot opened twice).
    seq: u64,
}

/// The sets of the snapshots added so far, each snapshot by its key (the app's tab id).
pub struct Sets<K> {
    members: Vec<Member<K>>,
    next_set: u32,
    next_seq: u64,
}

impl<K> Default for Sets<K> {
    fn default() -> Self {
        Sets {
            members: Vec::new(),
            next_set: 1,
            next_seq: 0,
        }
    }
}

impl<K: Copy + PartialEq> Sets<K> {
    /// Adds a snapshot (again, if its key is known: a reload may have changed it) and returns
    /// its set.
    pub fn add(&mut self, key: K, print: Arc<Fingerprint>) -> SetId {
        self.remove(key);
        let set = self.set_for(&print).unwrap_or_else(|| {
            self.next_set += 1;
            SetId(self.next_set - 1)
        });
        self.next_seq += 1;
        self.members.push(Member {
            key,
            set,
            print,
            seq: self.next_seq,
        });
        set
    }

    fn set_for(&self, print: &Fingerprint) -> Option<SetId> {
        let mut sets: Vec<SetId> = self.members.iter().map(|m| m.set).collect();
        sets.sort_unstable();
        sets.dedup();
        let kin = |set: SetId| self.in_set(set).map(move |m| m.print.kinship(print));
        sets.iter()
            .copied()
            .find(|&s| kin(s).any(|k| k == Kinship::Same))
            .or_else(|| sets.iter().copied().find(|&s| kin(s).all(|k| k == Kinship::Unclear)))
    }

    fn in_set(&self, set: SetId) -> impl Iterator<Item = &Member<K>> {
        self.members.iter().filter(move |m| m.set == set)
    }

    pub fn remove(&mut self, key: K) {
        self.members.retain(|m| m.key != key);
    }

    /// Keeps only the snapshots `keep` says are still there.
    pub fn retain(&mut self, keep: impl Fn(K) -> bool) {
        self.members.retain(|m| keep(m.key));
    }

    pub fn set_of(&self, key: K) -> Option<SetId> {
        self.member(key).map(|m| m.set)
    }

    fn member(&self, key: K) -> Option<&Member<K>> {
        self.members.iter().find(|m| m.key == key)
    }

    /// The fingerprint the snapshot was added with.
    pub fn print(&self, key: K) -> Option<&Arc<Fingerprint>> {
        self.member(key).map(|m| &m.print)
    }

    /// A set's snapshots, oldest first.
    pub fn members(&self, set: SetId) -> Vec<K> {
        let mut v: Vec<&Member<K>> = self.in_set(set).collect();
        v.sort_by_key(|m| (m.print.newest(), m.seq));
        v.into_iter().map(|m| m.key).collect()
    }

    /// The sets that have members, in the order they were first seen.
    pub fn sets(&self) -> Vec<SetId> {
        let mut v: Vec<SetId> = self.members.iter().map(|m| m.set).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Whether two snapshots are the same one (opened twice, or a copy).
    pub fn same_snapshot(&self, a: K, b: K) -> bool {
        a == b
            || match (self.member(a), self.member(b)) {
                (Some(x), Some(y)) => x.print.same_snapshot(&y.print),
                _ => false,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::build::SnapshotJson;

    /// A snapshot of "process" `p` after `steps` steps: objects 1..=n named by the process
    /// that made them, with ids growing as in V8.
    fn print(p: u32, objects: u32) -> Arc<Fingerprint> {
        let mut b = SnapshotJson::new();
        let root = b.node("synthetic", "", 1, 0);
        for i in 1..=objects {
            let n = b.node("object", &format!("P{p}-{i}"), 1 + 2 * i, 8);
            b.edge(root, "element", &i.to_string(), n);
        }
        let bytes = crate::format::Bytes::Owned(b.to_json().into_bytes());
        let s = crate::engine::load_bytes(bytes, &crate::progress::Progress::new()).unwrap();
        Arc::new(Fingerprint::of(&s))
    }

    #[test]
    fn snapshots_group_by_process_and_order_by_their_newest_object() {
        let mut sets = Sets::default();
        // Process 1, opened out of order; process 2 in between.
        let a3 = sets.add("a3", print(1, 6000));
        let b1 = sets.add("b1", print(2, 4000));
        let a1 = sets.add("a1", print(1, 4000));
        let a2 = sets.add("a2", print(1, 5000));
        assert_eq!((a3, a1, a2), (SetId(1), SetId(1), SetId(1)));
        assert_eq!(b1, SetId(2));
        assert_eq!(sets.members(SetId(1)), ["a1", "a2", "a3"]);
        assert_eq!(sets.sets(), [SetId(1), SetId(2)]);
        // The same snapshot opened twice: one set, both listed, and known to be one snapshot.
        sets.add("a2 again", print(1, 5000));
        assert_eq!(sets.members(SetId(1)), ["a1", "a2", "a2 again", "a3"]);
        assert!(sets.same_snapshot("a2", "a2 again"));
        assert!(!sets.same_snapshot("a1", "a2"));
        sets.remove("b1");
        assert_eq!(sets.sets(), [SetId(1)]);
        assert_eq!(sets.set_of("b1"), None);
        // Tiny snapshots cannot be told apart: they join the first set not known to differ.
        let mut tiny = Sets::default();
        assert_eq!(tiny.add(1, print(1, 10)), SetId(1));
        assert_eq!(tiny.add(2, print(2, 10)), SetId(1));
    }
}
