//! The views of one snapshot, one module each: what it draws, its state, its tree model. Every
//! tree view draws through `treeview::TreeView`; adding one is a state, a `TreeModel` and a
//! `show` in a file of its own. A view gets its state and a [`Cx`] and returns what its frame
//! left to do (a `Frame`); the page applies that to the snapshot's tab (`doc.rs`), so views
//! never reach into the tab.

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

/// What every view of a snapshot is given besides its own state.
pub(crate) struct Cx<'a> {
    pub s: &'a Arc<Snapshot>,
    /// The selected object, highlighted wherever it appears.
    pub selected: Option<NodeId>,
    /// The view's table takes the keyboard (the retainers panel below it was not clicked last).
    pub keys: bool,
    pub waker: &'a Waker,
}
