//! The views of one snapshot, one module each: what it draws, its state, its tree model. Every
//! tree view draws through `treeview::TreeView`; adding one is a state, a `TreeModel` and a
//! `show` in a file of its own. A view gets its state and a [`Cx`] and returns what its frame
//! left to do (a `Frame`); the page applies that to the snapshot's tab (`doc.rs`), so views
//! never reach into the tab.

pub mod allocations;
pub mod comparison;
pub mod containment;
pub mod detached;
pub mod dominators;
pub mod duplicates;
pub mod object;
pub mod statistics;
pub mod summary;

use std::sync::Arc;

use crate::analysis::Snapshot;
use crate::engine::task::Waker;
use crate::model::NodeId;
use crate::ui::command::DocId;

/// Another open snapshot, as the views that compare with one list it.
pub struct Other {
    pub(crate) id: DocId,
    pub title: String,
    pub snapshot: Option<Arc<Snapshot>>,
}

/// The open snapshots a snapshot can be compared with: the others of its process (its set),
/// oldest first. Those of other processes are only named, so that a list can say why they
/// are not offered.
#[derive(Default)]
pub struct Peers {
    pub same: Vec<Other>,
    pub elsewhere: Vec<String>,
}

impl Peers {
    /// Greyed entries at the end of a picker for the snapshots of other processes.
    pub(crate) fn not_offered(&self, ui: &mut egui::Ui) {
        if self.elsewhere.is_empty() {
            return;
        }
        ui.separator();
        for title in &self.elsewhere {
            ui.add_enabled(
                false,
                egui::Button::selectable(false, format!("{title} (another process)")),
            )
            .on_disabled_hover_text(ANOTHER_PROCESS);
        }
    }
}

/// Why Growth charts one process at a time.
pub(crate) const ANOTHER_PROCESS_SETS: &str = "The open snapshots come from more than one process (their object \
     ids tell them apart). Growth charts one process at a time: across processes the same id names unrelated \
     objects.";

/// Why snapshots of another process are never compared with this one.
pub(crate) const ANOTHER_PROCESS: &str = "Its object ids show that it comes from another process. Ids are only \
     kept within one process, so comparing across processes pairs unrelated objects.";

/// What every view of a snapshot is given besides its own state.
pub(crate) struct Cx<'a> {
    pub s: &'a Arc<Snapshot>,
    /// The selected object, highlighted wherever it appears.
    pub selected: Option<NodeId>,
    /// The view's table takes the keyboard (the retainers panel below it was not clicked last).
    pub keys: bool,
    pub waker: &'a Waker,
}
