//! The presentation layer: what heapsift shows people and tools, without egui. How objects,
//! hops and scopes are named (`names`), files listed together (`files`), the JSON and Markdown results (`report`, in
//! `devtools-reference`'s schemas where DevTools has one) and findings (`finding`). The app, the
//! CLI and any later interface (an agent's) call these, so the same object reads the same in
//! each. It sits above the engine and below `ui` and `cli`: nothing under it (format, model,
//! analysis, engine, capture) imports it, and `tests/tidy.rs` checks that.

pub mod allocations;
pub mod causes;
pub mod files;
pub mod find;
pub mod finding;
pub mod names;
pub mod report;

/// DevTools' titles for the Comparison's columns, for its table in the app and the CLI.
pub const COMPARISON_TITLES: [&str; 7] = [
    "Constructor",
    "# New",
    "# Deleted",
    "# Delta",
    "Alloc. Size",
    "Freed Size",
    "Size Delta",
];
