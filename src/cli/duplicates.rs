//! `heapsift duplicates FILE`: DevTools' duplicated strings, by the memory they retain.

use super::output::{Col, Table, line, print_doc};
use super::{CliResult, Global, Listing, load};
use crate::analysis::filters::{Duplicates, duplicates};
use crate::present::report;
use crate::text::{bytes, preview, thousands};

pub(super) fn run(a: &Listing, g: &Global) -> CliResult {
    let s = load(&a.file, g.quiet)?;
    let found = duplicates(&s);
    let shown = &found.groups[..found.groups.len().min(a.top.unwrap_or(usize::MAX))];
    if a.json {
        print_doc("duplicates", report::duplicates_json(&s, &a.file, shown));
    } else {
        print(&a.file, &found, shown.len());
    }
    Ok(())
}

/// The first `n` groups as a table, totals over all of them.
fn print(file: &std::path::Path, found: &Duplicates, n: usize) {
    line(format!(
        "{}: {} duplicated strings in {} groups; one copy of each would save {}",
        file.display(),
        thousands(found.strings),
        thousands(found.groups.len() as u64),
        bytes(found.saving as f64)
    ));
    let mut t = Table::new(
        &[Col::name(5), Col::Right(7), Col::Right(10), Col::Right(10)],
        &["Value", "Count", "Shallow", "Retained"],
    );
    for d in &found.groups[..n] {
        t.row(vec![
            format!("\"{}\"", preview(&d.value, 58)),
            thousands(d.count as u64),
            bytes(d.total_self_size as f64),
            bytes(d.total_retained_size),
        ]);
    }
    t.print();
}
