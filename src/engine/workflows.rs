//! The workflows over several snapshots, one engine call each, so the CLI, the app and (later)
//! an agent run the same steps with the same checks: the three-snapshot method, the Comparison
//! and Growth.
//!
//! Each takes its snapshots from the caller one at a time, by position, through a closure: the
//! CLI opens the file then (and drops it when the workflow lets go of it), the app hands over
//! the snapshot it has open. The workflow asks for each once, in the order that keeps the
//! least in memory, and keeps of each only what it needs: three big snapshots never share
//! memory in the CLI. Each checks `progress` for a cancel between snapshots.

use std::ops::Deref;

use crate::analysis::Snapshot;
use crate::analysis::classes::InterfaceDefinition;
use crate::analysis::collections::{self, EntriesById};
use crate::analysis::diff::{self, DiffRow};
use crate::analysis::growth::Growth;
use crate::analysis::leaks::{self, LeakGroup, LeakOptions};
use crate::analysis::process::{self, Fingerprint, Kinship};
use crate::analysis::scripts::Scripts;
use crate::error::Error;
use crate::progress::Progress;

/// What the method keeps of an earlier snapshot: sorted ids, newest id, an id fingerprint, and
/// its collections' entries.
struct Kept {
    name: String,
    ids: Vec<u32>,
    max_id: u32,
    print: Fingerprint,
    entries: EntriesById,
    /// (id, allocation trace node) of the objects newer than `after` that have a recorded stack,
    /// sorted by id; empty for an untracked snapshot.
    traces: Vec<(u32, u32)>,
}

impl Kept {
    fn of(name: &str, s: &Snapshot) -> Kept {
        Kept {
            name: name.to_owned(),
            ids: leaks::sorted_ids(s),
            max_id: s.max_js_object_id,
            print: Fingerprint::of(s),
            entries: EntriesById::of(s),
            traces: Vec::new(),
        }
    }

    /// Keeps the allocation stacks of the objects newer than id `after`.
    fn with_traces(mut self, s: &Snapshot, after: u32) -> Kept {
        if s.allocations.is_some() {
            let g = &s.graph;
            self.traces = (0..g.node_count())
                .map(crate::model::NodeId::at)
                .filter(|&v| g.id(v).0 > after && g.trace_node_id(v) != 0)
                .map(|v| (g.id(v).0, g.trace_node_id(v)))
                .collect();
            self.traces.sort_unstable();
        }
        self
    }

    fn trace_of(&self, id: u32) -> Option<u32> {
        self.traces
            .binary_search_by_key(&id, |t| t.0)
            .ok()
            .map(|i| self.traces[i].1)
    }

    fn entries(&self, id: u32) -> Option<u32> {
        self.entries.get(id, &self.ids)
    }

    /// Refused when `s` is not of the same process as `self`.
    fn check_next(&self, name: &str, s: &Snapshot) -> Result<(), Error> {
        leaks::check_same_process(
            process::kinship(process::compare_with(&self.print, s)),
            &self.name,
            name,
        )
        .map_err(Error::from)
    }
}

/// The method's result: candidates and their groups, in the final snapshot (kept, since the
/// groups' nodes are its nodes).
pub struct LeakReport<S> {
    pub candidates: usize,
    pub groups: Vec<LeakGroup>,
    pub last: S,
}

/// The three-snapshot method: objects allocated between the baseline (`snapshot(0)`) and the
/// target (`snapshot(1)`) that are still alive in the final snapshot (`snapshot(2)`), grouped.
/// Checks that the three are of one process and in order; `names` say which is which in its
/// messages.
pub fn three_snapshot<S: Deref<Target = Snapshot>, E: From<Error>>(
    names: [&str; 3],
    opts: &LeakOptions,
    progress: &Progress,
    mut snapshot: impl FnMut(usize) -> Result<S, E>,
) -> Result<LeakReport<S>, E> {
    let baseline = Kept::of(names[0], &*snapshot(0)?);
    progress.check().map_err(Error::from)?;
    let target = {
        let s2 = snapshot(1)?;
        baseline.check_next(names[1], &s2)?;
        Kept::of(names[1], &s2).with_traces(&s2, baseline.max_id)
    };
    progress.check().map_err(Error::from)?;
    let last = snapshot(2)?;
    target.check_next(names[2], &last)?;
    let ids3 = leaks::sorted_ids(&last);
    leaks::check_sequence(
        [&baseline.ids, &target.ids, &ids3],
        [baseline.max_id, target.max_id, last.max_js_object_id],
        names,
    )
    .map_err(Error::from)?;
    drop(ids3);
    let candidates = leaks::candidates(&baseline.ids, &target.ids, &last, opts);
    let groups = leaks::group(&last, &candidates, progress).map_err(Error::from)?;
    let mut groups = leaks::without_engine_held(&last, groups, opts);
    // The collections on each group's path, followed back into the baseline and the target.
    let traces = last.allocations.as_ref().filter(|_| !target.traces.is_empty());
    for grp in &mut groups {
        // Each member's stack as the target recorded it, where the final's tree knows it.
        if let Some(p) = traces {
            grp.trace_nodes = (grp.nodes.iter())
                .map(|&v| {
                    (target.trace_of(last.graph.id(v).0))
                        .filter(|&t| p.node_of_id(t).is_some())
                        .unwrap_or_else(|| last.graph.trace_node_id(v))
                })
                .collect();
        }
        grp.hop_entries = grp
            .path
            .iter()
            .map(|h| {
                let id = last.graph.id(h.node).0;
                match collections::entries(&last, h.node) {
                    None => [None; 3],
                    now => [baseline.entries(id), target.entries(id), now],
                }
            })
            .collect();
    }
    Ok(LeakReport {
        candidates: candidates.len(),
        groups,
        last,
    })
}

/// Which snapshot of a Comparison the caller is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The snapshot being viewed, asked for first.
    Current,
    /// The earlier one it is compared with.
    Base,
}

/// A Comparison: rows in DevTools' order, the current snapshot's script names for rows'
/// locations, and whether the two look like snapshots of one process.
pub struct Comparison {
    pub rows: Vec<DiffRow>,
    pub scripts: Scripts,
    /// Of the base against the current snapshot. DevTools compares any two snapshots; its
    /// numbers only mean something within one process, so callers say when they are not.
    pub kinship: Kinship,
}

/// DevTools' Comparison of the current snapshot against a base: per class, new and deleted
/// objects and their sizes, in DevTools' order (size delta, then name). Of the current
/// snapshot only its objects per class and its plain-object shapes (which the base is
/// classified with) are kept while the base is asked for.
pub fn comparison<S: Deref<Target = Snapshot>, E: From<Error>>(
    progress: &Progress,
    mut snapshot: impl FnMut(Side) -> Result<S, E>,
) -> Result<Comparison, E> {
    let (current, definitions, scripts, print): (_, Vec<InterfaceDefinition>, _, _) = {
        let cur = snapshot(Side::Current)?;
        (
            diff::class_objects(&cur, None),
            cur.interface_definitions.clone(),
            cur.scripts.names_only(),
            Fingerprint::of(&cur),
        )
    };
    progress.check().map_err(Error::from)?;
    let base = snapshot(Side::Base)?;
    let kinship = process::kinship(process::compare_with(&print, &base));
    let mut rows = diff::diff(&diff::class_objects(&base, Some(&definitions)), &current);
    diff::sort_rows(&mut rows);
    Ok(Comparison { rows, scripts, kinship })
}

/// Growth across snapshots, oldest first: per class, counts and sizes in each, and what each
/// class's new objects keep alive in the last.
pub struct GrowthReport<S> {
    pub growth: Growth,
    /// The last snapshot, which the growth is attributed in.
    pub last: S,
    /// The first snapshot's object ids, sorted: what "new" is measured against.
    pub(crate) first_ids: Vec<u32>,
    /// The snapshots (by position) that do not look like the last one's process, and why.
    pub strangers: Vec<(usize, Kinship)>,
    /// The snapshots (by position) with newer objects than the one after them.
    pub out_of_order: Vec<usize>,
    /// The last snapshot's collections that gained entries, followed by id through the series.
    pub collections: Vec<collections::Grown>,
}

/// Growth over `names.len()` snapshots, asking `snapshot(i)` for each one once (the last first,
/// since every other is classified with its plain-object shapes).
/// Fewer than two snapshots is the caller's mistake, reported as an [`Error`].
pub fn growth<S: Deref<Target = Snapshot>, E: From<Error>>(
    names: &[String],
    progress: &Progress,
    mut snapshot: impl FnMut(usize) -> Result<S, E>,
) -> Result<GrowthReport<S>, E> {
    let n = names.len();
    if n < 2 {
        return Err(Error::invalid("growth needs at least two snapshots").into());
    }
    let last = snapshot(n - 1)?;
    let definitions = last.interface_definitions.clone();
    let print = Fingerprint::of(&last);
    let mut following = collections::Following::of_last(&last);
    let mut growth = Growth::new();
    let mut first_ids = Vec::new();
    let (mut strangers, mut newest) = (Vec::new(), Vec::with_capacity(n));
    for (i, name) in names.iter().enumerate() {
        progress.check().map_err(Error::from)?;
        if i + 1 == n {
            growth.add(name.clone(), &last, None);
            following.add(&last);
            newest.push(last.max_js_object_id);
        } else {
            let s = snapshot(i)?;
            growth.add(name.clone(), &s, Some(&definitions));
            following.add(&s);
            newest.push(s.max_js_object_id);
            let kin = process::kinship(process::compare_with(&print, &s));
            if matches!(kin, Kinship::Different { .. }) {
                strangers.push((i, kin));
            }
            if i == 0 {
                first_ids = leaks::sorted_ids(&s);
            }
        }
    }
    growth.attribute(&first_ids, &last);
    let out_of_order = (0..n - 1).filter(|&i| newest[i] > newest[i + 1]).collect();
    Ok(GrowthReport {
        growth,
        last,
        first_ids,
        strangers,
        out_of_order,
        collections: following.grown(GROWN_SHOWN),
    })
}

/// How many growing collections a Growth report follows.
const GROWN_SHOWN: usize = 10;
