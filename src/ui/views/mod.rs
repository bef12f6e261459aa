//! The views of one snapshot, one module each: what it draws, its state, its tree model. Every
//! tree view draws through `treeview::TreeView`; adding one is a state, a `TreeModel` and a
//! `show` in a file of its own.

pub mod comparison;
pub mod containment;
pub mod detached;
pub mod dominators;
pub mod duplicates;
pub mod object;
pub mod statistics;
pub mod summary;
