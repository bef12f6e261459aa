//! What the commands print: every write to stdout goes through [`record`] (so a failed write
//! is the command's error, see [`finish`]), JSON as the reference tool prints it, and the one
//! text-table helper every table uses.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::analysis::leaks::check_same_process;
use crate::analysis::process::Kinship;
use crate::present::report::file_name;

/// The first error writing to stdout, if any: every write goes through [`record`], and
/// [`finish`] turns it into the command's result.
static WRITE_ERROR: std::sync::Mutex<Option<std::io::Error>> = std::sync::Mutex::new(None);

/// Keeps the first write error (later writes may fail the same way; the first says why).
pub(crate) fn record(r: std::io::Result<()>) {
    if let Err(e) = r {
        let mut first = WRITE_ERROR.lock().unwrap_or_else(|p| p.into_inner());
        if first.is_none() {
            *first = Some(e);
        }
    }
}

/// Writes one line to stdout.
pub(crate) fn line(text: impl std::fmt::Display) {
    record(writeln!(std::io::stdout().lock(), "{text}"));
}

/// A warning on stderr: the command goes on, but its output may not mean what it seems to.
pub(crate) fn warn(text: impl std::fmt::Display) {
    eprintln!("heapsift: warning: {text}");
}

/// The warning for two snapshots whose object ids say they come from different processes.
pub(crate) fn process_warning(kin: Kinship, a: &Path, b: &Path, consequence: &str) {
    if let Err(e) = check_same_process(kin, &file_name(a), &file_name(b)) {
        warn(format!("{e}; {consequence}"));
    }
}

/// Flushes stdout and reports whether everything was written. A reader that went away
/// (`| head`) is not an error: the command ends quietly, as other tools do. Anything else (a
/// full disk, a closed file) is, so a short output never passes for a whole one.
pub(crate) fn finish() -> Result<(), super::CliError> {
    record(std::io::stdout().flush());
    match WRITE_ERROR.lock().unwrap_or_else(|p| p.into_inner()).take() {
        None => Ok(()),
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Some(e) => Err(super::CliError::Stdout(e)),
    }
}

/// JSON as the reference tool prints it (one-space indent), then a newline.
pub(crate) fn print_json(v: &impl Serialize) {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, serde_json::ser::PrettyFormatter::with_indent(b" "));
    if v.serialize(&mut ser).is_ok() {
        buf.push(b'\n');
        record(std::io::stdout().lock().write_all(&buf));
    }
}

/// A column of a text table.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Col {
    /// Left-aligned, as wide as its longest cell and at least `min` (`fit`), or exactly `min`
    /// (longer cells run over, as numbers do).
    Left { min: usize, fit: bool },
    /// Right-aligned to this width.
    Right(usize),
    /// Free text at the end of a line, after two spaces.
    Free,
}

impl Col {
    /// A name column: as wide as the longest name, at least as wide as its title.
    pub(crate) const fn name(min: usize) -> Col {
        Col::Left { min, fit: true }
    }
}

/// A text table: a header and rows of cells, one space between columns. Widths count
/// characters, as `format!`'s padding does.
pub(crate) struct Table {
    cols: Vec<Col>,
    rows: Vec<Vec<String>>,
}

/// How wide a fitted column is in a table with no rows.
const EMPTY_FIT: usize = 20;

impl Table {
    pub(crate) fn new(cols: &[Col], header: &[&str]) -> Table {
        assert_eq!(cols.len(), header.len(), "one title per column");
        Table {
            cols: cols.to_vec(),
            rows: vec![header.iter().map(|h| (*h).to_owned()).collect()],
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.cols.len(), "one cell per column");
        self.rows.push(cells);
    }

    /// The table as lines (the header first), without trailing newlines.
    pub(crate) fn lines(&self) -> Vec<String> {
        let widths: Vec<usize> = self
            .cols
            .iter()
            .enumerate()
            .map(|(c, col)| match *col {
                Col::Left { min, fit: true } => self.rows[1..]
                    .iter()
                    .map(|r| r[c].chars().count())
                    .max()
                    .unwrap_or(EMPTY_FIT)
                    .max(min),
                Col::Left { min, fit: false } => min,
                Col::Right(w) => w,
                Col::Free => 0,
            })
            .collect();
        self.rows
            .iter()
            .map(|cells| {
                let mut line = String::new();
                for (c, (cell, col)) in cells.iter().zip(&self.cols).enumerate() {
                    let w = widths[c];
                    match col {
                        Col::Free => line.push_str(&format!("  {cell}")),
                        _ if c > 0 => line.push(' '),
                        _ => {}
                    }
                    match col {
                        Col::Left { .. } => line.push_str(&format!("{cell:<w$}")),
                        Col::Right(_) => line.push_str(&format!("{cell:>w$}")),
                        Col::Free => {}
                    }
                }
                line
            })
            .collect()
    }

    pub(crate) fn print(&self) {
        for l in self.lines() {
            line(l);
        }
    }
}

/// A class label followed by where the class is defined: `CachedSession ×342  leak.js:14:14`.
pub(crate) fn located(
    label: &str,
    location: Option<crate::model::Location>,
    scripts: &crate::analysis::scripts::Scripts,
) -> String {
    match location {
        Some(l) => format!("{label}  {}", scripts.format(l)),
        None => label.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_as_format_pads() {
        let mut t = Table::new(&[Col::name(4), Col::Right(5), Col::Free], &["Name", "Count", "counts"]);
        t.row(vec!["ëëëëëë".into(), "12".into(), "1 → 2".into()]);
        t.row(vec!["b".into(), "1234567".into(), "".into()]);
        assert_eq!(
            t.lines(),
            ["Name   Count  counts", "ëëëëëë    12  1 → 2", "b      1234567  "]
        );
        let empty = Table::new(&[Col::name(4), Col::Right(3)], &["Name", "N"]);
        assert_eq!(empty.lines(), [format!("{:<20}   N", "Name")]);
        let fixed = Table::new(&[Col::Left { min: 3, fit: false }], &["Value"]);
        assert_eq!(fixed.lines(), ["Value"]);
    }
}
