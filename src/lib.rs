//! heapsift: an exact, fast explorer for V8 heap snapshots.
//!
//! Layers, lowest first: [`format`] (mmap, parse) → [`model`] (graph columns) → [`analysis`]
//! (DevTools' algorithms) → [`engine`] (load jobs, progress, cancel) → [`cli`] and the app;
//! [`desktop`] installs the app for the desktop.
//! Nothing below the UI depends on egui.

pub mod analysis;
pub mod cli;
pub mod column;
pub mod desktop;
pub mod engine;
pub mod error;
pub mod format;
pub mod model;
pub mod progress;
pub mod report;
#[cfg(feature = "gui")]
pub mod ui;
pub mod units;
