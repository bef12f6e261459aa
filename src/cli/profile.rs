//! `heapsift profile FILE.heapprofile`: a sampling heap profile (`node --heap-prof`, DevTools'
//! "Allocation sampling") by function, most bytes allocated in the function itself first.

use std::path::PathBuf;

use serde_json::json;

use super::output::{Col, Table, line, print_doc};
use super::{CliResult, Global};
use crate::analysis::profile::{FunctionRow, functions};
use crate::format::heapprofile::{self, CallFrame};
use crate::present::report::{self, js_number};
use crate::text::{bytes, preview, thousands};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The sampling heap profile (.heapprofile, or .heapprofile.gz).
    file: PathBuf,
    /// Only the first N functions.
    #[arg(long, default_value_t = 25)]
    top: usize,
    /// JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(a: &Args, _g: &Global) -> CliResult {
    let read = || -> crate::error::Result<heapprofile::HeapProfile> {
        heapprofile::parse(&crate::format::Bytes::open(&a.file)?)
    };
    let profile = read().map_err(|e| e.in_file(&a.file))?;
    let (rows, total) = functions(&profile);
    let shown = &rows[..rows.len().min(a.top)];
    if a.json {
        print_doc(
            "profile",
            json!({
                "file": report::file_name(&a.file),
                "total_size": js_number(total),
                "sample_count": profile.samples.len(),
                "function_count": rows.len(),
                "functions": shown.iter().map(function_json).collect::<Vec<_>>(),
            }),
        );
        return Ok(());
    }
    line(format!(
        "{}: {} sampled in {} allocations, {} functions",
        a.file.display(),
        bytes(total),
        thousands(profile.samples.len() as u64),
        thousands(rows.len() as u64)
    ));
    let mut t = Table::new(
        &[
            Col::name(8),
            Col::Right(10),
            Col::Right(6),
            Col::Right(10),
            Col::Right(6),
        ],
        &["Function", "Self", "%", "Total", "%"],
    );
    let share = |v: f64| {
        if total > 0.0 {
            format!("{:.1}", v * 100.0 / total)
        } else {
            "–".into()
        }
    };
    for r in shown {
        t.row(vec![
            label(&r.frame),
            bytes(r.self_size),
            share(r.self_size),
            bytes(r.total_size),
            share(r.total_size),
        ]);
    }
    t.print();
    if rows.len() > shown.len() {
        line(format!(
            "{} more functions (--top {} lists them all)",
            thousands((rows.len() - shown.len()) as u64),
            rows.len()
        ));
    }
    line("Self: bytes sampled in the function itself · Total: with what it called");
    Ok(())
}

/// `makeRecords (app.js:12:20)`, `(anonymous) (app.js:3:1)`, or a name alone where the profile
/// gives no script.
fn label(f: &CallFrame) -> String {
    let name = if f.function_name.is_empty() {
        "(anonymous)"
    } else {
        f.function_name.as_str()
    };
    match (short_url(&f.url), position(f)) {
        (Some(url), Some((l, c))) => format!("{} ({url}:{l}:{c})", preview(name, 60)),
        (Some(url), None) => format!("{} ({url})", preview(name, 60)),
        _ => preview(name, 60),
    }
}

/// The file name, as every location heapsift prints reads (`node:` modules whole).
fn short_url(url: &str) -> Option<&str> {
    (!url.is_empty()).then(|| crate::analysis::scripts::short_name(url))
}

/// 1-based line and column, as editors count, when the profile knows them.
fn position(f: &CallFrame) -> Option<(i64, i64)> {
    (f.line_number >= 0).then(|| (f.line_number + 1, f.column_number.max(0) + 1))
}

fn function_json(r: &FunctionRow) -> serde_json::Value {
    let f = &r.frame;
    let (line, column) = position(f).map_or((None, None), |(l, c)| (Some(l), Some(c)));
    json!({
        "name": f.function_name,
        "script_id": f.script_id.0,
        "url": f.url,
        "line": line,
        "column": column,
        "self_size": js_number(r.self_size),
        "total_size": js_number(r.total_size),
    })
}
