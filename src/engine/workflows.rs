//! Workflows that span several snapshots, as one engine function each, so the CLI, the app and
//! the tests run the same steps with the same checks: the three-snapshot method, the
//! Comparison and Growth.
//!
//! The three-snapshot method: of the baseline (S1) and the target (S2) only a [`Kept`] summary
//! stays in memory (sorted ids, newest id, an id fingerprint), so the CLI can load and drop
//! them one at a time; the app, which has all three open, makes the same summaries.

use crate::analysis::Snapshot;
use crate::analysis::classes::InterfaceDefinition;
use crate::analysis::diff;
use crate::analysis::growth::Growth;
use crate::analysis::leaks::{self, Fingerprint, LeakGroup, LeakOptions};
use crate::error::Error;
use crate::progress::Progress;

/// What the method keeps of an earlier snapshot.
pub(crate) struct Kept {
    pub name: String,
    ids: Vec<u32>,
    max_id: u32,
    print: Fingerprint,
}

impl Kept {
    /// The baseline.
    pub fn first(name: &str, s: &Snapshot) -> Kept {
        Kept {
            name: name.to_owned(),
            ids: leaks::sorted_ids(s),
            max_id: s.max_js_object_id,
            print: Fingerprint::of(s),
        }
    }

    /// The snapshot after `self`: refused when it is not of the same process.
    pub fn next(&self, name: &str, s: &Snapshot) -> Result<Kept, Error> {
        leaks::check_same_process(self.print.compare(s), &self.name, name)?;
        Ok(Kept::first(name, s))
    }
}

/// The method's result: candidates and their groups, in the final snapshot.
pub(crate) struct LeakReport {
    pub(crate) candidates: usize,
    pub groups: Vec<LeakGroup>,
}

/// Objects allocated between the baseline and the target that are still alive in the final
/// snapshot, grouped. Checks that the three are of one process and in order.
pub(crate) fn three_snapshot(
    baseline: &Kept,
    target: &Kept,
    final_name: &str,
    s3: &Snapshot,
    opts: &LeakOptions,
    progress: &Progress,
) -> Result<LeakReport, Error> {
    leaks::check_same_process(target.print.compare(s3), &target.name, final_name)?;
    let ids3 = leaks::sorted_ids(s3);
    leaks::check_sequence(
        [&baseline.ids, &target.ids, &ids3],
        [baseline.max_id, target.max_id, s3.max_js_object_id],
        [&baseline.name, &target.name, final_name],
    )?;
    drop(ids3);
    let candidates = leaks::candidates(&baseline.ids, &target.ids, s3, opts);
    let groups = leaks::group(s3, &candidates, progress)?;
    Ok(LeakReport {
        candidates: candidates.len(),
        groups,
    })
}

/// What DevTools' Comparison keeps of the current snapshot: its objects per class, and the
/// plain-object shapes the base snapshot is classified with. The CLI makes it, drops the
/// current snapshot and only then loads the base, so two big snapshots are never in memory.
pub struct CurrentClasses {
    classes: Vec<diff::ClassObjects>,
    definitions: Vec<InterfaceDefinition>,
}

impl CurrentClasses {
    pub fn of(current: &Snapshot) -> CurrentClasses {
        CurrentClasses {
            classes: diff::class_objects(current, None),
            definitions: current.interface_definitions.clone(),
        }
    }
}

/// The Comparison from `base` to the current snapshot: per class, new, deleted and changed
/// objects and sizes, in DevTools' order (size delta, then name).
pub fn comparison(current: &CurrentClasses, base: &Snapshot) -> Vec<diff::DiffRow> {
    let mut rows = diff::diff(&diff::class_objects(base, Some(&current.definitions)), &current.classes);
    diff::sort_rows(&mut rows);
    rows
}

/// Growth across snapshots, oldest first: per class, counts and sizes in each, and what each
/// class's new objects keep alive in the last.
pub struct GrowthReport<S> {
    pub growth: Growth,
    /// The last snapshot, which the growth is attributed in.
    pub last: S,
    /// The first snapshot's object ids, sorted: what "new" is measured against.
    pub(crate) first_ids: Vec<u32>,
}

/// Growth over `names.len()` snapshots, asking `snapshot(i)` for each one once (the last first,
/// since every other is classified with its plain-object shapes): the CLI loads and drops them
/// one at a time, the app hands over the ones it has open.
/// Fewer than two snapshots is the caller's mistake, reported as an [`Error`].
pub fn growth<S: std::ops::Deref<Target = Snapshot>, E: From<Error>>(
    names: &[String],
    mut snapshot: impl FnMut(usize) -> Result<S, E>,
) -> Result<GrowthReport<S>, E> {
    let n = names.len();
    if n < 2 {
        return Err(Error::invalid("growth needs at least two snapshots").into());
    }
    let last = snapshot(n - 1)?;
    let definitions = last.interface_definitions.clone();
    let mut growth = Growth::new();
    let mut first_ids = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if i + 1 == n {
            growth.add(name.clone(), &last, None);
        } else {
            let s = snapshot(i)?;
            growth.add(name.clone(), &s, Some(&definitions));
            if i == 0 {
                first_ids = leaks::sorted_ids(&s);
            }
        }
    }
    growth.attribute(&first_ids, &last);
    Ok(GrowthReport {
        growth,
        last,
        first_ids,
    })
}
