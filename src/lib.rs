//! heapsift: an exact, fast explorer for V8 heap snapshots.
//!
//! Layers, lowest first: [`format`] (mmap, parse) → [`model`] (graph columns) → [`analysis`]
//! (DevTools' algorithms) → [`engine`] (load jobs, progress, cancel) → [`cli`] and the app;
//! [`desktop`] installs the app for the desktop.
//! Nothing below the UI depends on egui.

// The engine-only build (no `gui` feature) leaves the parts only the app calls unused; the
// full build, which CI lints with `-D warnings`, still reports real dead code.
#![cfg_attr(not(feature = "gui"), allow(dead_code))]

pub mod analysis;
pub(crate) mod atomic;
pub mod capture;
pub mod cli;
pub(crate) mod column;
pub(crate) mod desktop;
pub mod engine;
pub mod error;
pub mod format;
pub mod mcp;
pub mod model;
pub mod present;
pub mod progress;
pub mod text;
#[cfg(feature = "gui")]
pub mod ui;
