//! Workflows that span several snapshots, as one engine function each, so the CLI and the app
//! run the same steps with the same checks.
//!
//! The three-snapshot method: of the baseline (S1) and the target (S2) only a [`Kept`] summary
//! stays in memory (sorted ids, newest id, an id fingerprint), so the CLI can load and drop
//! them one at a time; the app, which has all three open, makes the same summaries.

use crate::analysis::Snapshot;
use crate::analysis::leaks::{self, Fingerprint, LeakGroup, LeakOptions};
use crate::error::Error;
use crate::progress::Progress;

/// What the method keeps of an earlier snapshot.
pub struct Kept {
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
        leaks::check_same_process(self.print.compare(s), &self.name, name).map_err(Error::Invalid)?;
        Ok(Kept::first(name, s))
    }
}

/// The method's result: candidates and their groups, in the final snapshot.
pub struct LeakReport {
    /// Baseline, target, final.
    pub names: [String; 3],
    pub candidates: usize,
    pub groups: Vec<LeakGroup>,
}

/// Objects allocated between the baseline and the target that are still alive in the final
/// snapshot, grouped. Checks that the three are of one process and in order.
pub fn three_snapshot(
    baseline: &Kept,
    target: &Kept,
    final_name: &str,
    s3: &Snapshot,
    opts: &LeakOptions,
    progress: &Progress,
) -> Result<LeakReport, Error> {
    leaks::check_same_process(target.print.compare(s3), &target.name, final_name).map_err(Error::Invalid)?;
    let ids3 = leaks::sorted_ids(s3);
    leaks::check_sequence(
        [&baseline.ids, &target.ids, &ids3],
        [baseline.max_id, target.max_id, s3.max_js_object_id],
        [&baseline.name, &target.name, final_name],
    )
    .map_err(Error::Invalid)?;
    drop(ids3);
    let candidates = leaks::candidates(&baseline.ids, &target.ids, s3, opts);
    let groups = leaks::group(s3, &candidates, progress)?;
    Ok(LeakReport {
        names: [baseline.name.clone(), target.name.clone(), final_name.to_owned()],
        candidates: candidates.len(),
        groups,
    })
}
