//! The engine: everything between the analysis and the interfaces, without egui. Loading
//! (`load`: open, parse, analyse, on a background thread for the app), the saved-index store
//! (`store`), background tasks with progress and cancel (`task`), the workflows over several
//! snapshots (`workflows`), which open snapshots belong to one process (`sets`) and what
//! benchmarks measure (`measure`).

pub mod load;
pub mod measure;
pub mod sets;
pub mod sourcemaps;
pub mod store;
pub mod task;
pub mod workflows;

pub use load::{LoadJob, Loaded, LoadedFrom, Opened, Saved, Source, load, load_bytes, load_with, open, snapshot_files};
pub use sourcemaps::use_source_map_dirs;
pub(crate) use store::cache_policy;
pub use store::{CachePolicy, SaveIndex, use_cache};
