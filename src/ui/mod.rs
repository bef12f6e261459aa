//! The desktop app (eframe/egui), the only part of heapsift that uses egui. It drives the
//! engine through load jobs and background tasks and draws O(visible rows) per frame.
//!
//! `app/` is the shell (state, frame, menu, tabs, windows, Back and Forward, batch runs) and
//! carries out every `AppCommand` (`command.rs`) in one place. `doc.rs` is one open snapshot;
//! `views/` its views, each with its state; `treeview.rs` the tree table they share, over
//! `tree.rs`'s lazily expanded rows and `table.rs`'s cells; `wizard/`, `growth.rs`,
//! `profile.rs` (sampling heap profiles) and `live.rs` the other pages; `widgets.rs` small shared pieces; `screenshot.rs` PNGs.

mod app;
mod command;
mod doc;
pub mod growth;
mod live;
pub mod profile;
mod screenshot;
mod table;
pub mod tree;
mod treeview;
mod views;
mod welcome;
mod widgets;
mod wizard;

pub use app::{HeapsiftApp, Location, Options, Page, Theme, run};
pub use doc::{Doc, DocId, View};
pub use growth::GrowthState;
pub use live::LiveUi;
pub use profile::ProfileState;
pub use treeview::TreeView;
pub use views::comparison::{ComparisonState, DiffColumn};
pub use views::detached::DetachedState;
pub use views::duplicates::DuplicatesState;
pub use views::object::ObjectState;
pub use views::summary::{SortBy, SummaryState};
pub use wizard::WizardState;
