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

/// Writes text for people to stdout, wrapped to the terminal's width (see [`wrap`]).
pub(crate) fn line(text: impl std::fmt::Display) {
    let text = text.to_string();
    let mut out = std::io::stdout().lock();
    for l in text.split('\n') {
        for part in wrap(l, width()) {
            record(writeln!(out, "{part}"));
        }
    }
}

/// Writes one line to stdout as it is (machine-read output: annotations, Markdown).
pub(crate) fn raw_line(text: impl std::fmt::Display) {
    record(writeln!(std::io::stdout().lock(), "{text}"));
}

/// The width output is laid out for: `$COLUMNS` when set, else the terminal's, else 80 (a
/// pipe or a CI log).
pub(crate) fn width() -> usize {
    static WIDTH: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *WIDTH.get_or_init(|| {
        if let Some(n) = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            && n >= 20
        {
            return n;
        }
        terminal_width().unwrap_or(80)
    })
}

fn terminal_width() -> Option<usize> {
    // SAFETY: TIOCGWINSZ only fills the winsize it is given.
    unsafe {
        if libc::isatty(libc::STDOUT_FILENO) != 1 {
            return None;
        }
        let mut ws: libc::winsize = std::mem::zeroed();
        (libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) == 0 && ws.ws_col >= 20)
            .then_some(ws.ws_col as usize)
    }
}

/// Breaks a line longer than `w` characters at spaces; the lines after the first are indented
/// two more than it, so a wrapped line reads as one.
pub(crate) fn wrap(text: &str, w: usize) -> Vec<String> {
    if text.chars().count() <= w {
        return vec![text.to_owned()];
    }
    let indent = text.chars().take_while(|c| *c == ' ').count();
    let hang = " ".repeat((indent + 2).min(w / 2));
    let mut out = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    let mut first = true;
    loop {
        let prefix: Vec<char> = if first { Vec::new() } else { hang.chars().collect() };
        let room = w - prefix.len();
        if rest.len() <= room {
            out.push(prefix.iter().chain(&rest).collect());
            return out;
        }
        // The last space that leaves the line within the width, past the indent.
        let skip = if first { indent } else { 0 };
        let cut = (skip + 1..=room).rev().find(|&i| rest[i] == ' ');
        let (head, tail) = match cut {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (&rest[..room], &rest[room..]),
        };
        out.push(
            prefix
                .iter()
                .chain(head.iter())
                .collect::<String>()
                .trim_end()
                .to_owned(),
        );
        rest = tail.iter().copied().skip_while(|c| *c == ' ').collect();
        first = false;
        if rest.is_empty() {
            return out;
        }
    }
}

/// Cuts text to `w` characters, ending in "…" when it was longer.
pub(crate) fn fit(text: &str, w: usize) -> String {
    if text.chars().count() <= w {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(w.saturating_sub(1)).collect();
    s.push('…');
    s
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

/// A command's JSON document: its fields with `schema_version` and `command` added (the
/// schema is `docs/heapsift.schema.json`).
pub(crate) fn print_doc(command: &str, v: serde_json::Value) {
    print_json(&crate::present::report::doc(command, v));
}

/// JSON with a one-space indent, then a newline.
pub(crate) fn print_json(v: &impl Serialize) {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, serde_json::ser::PrettyFormatter::with_indent(b" "));
    if v.serialize(&mut ser).is_ok() {
        buf.push(b'\n');
        record(std::io::stdout().lock().write_all(&buf));
    }
}

/// The one line under a table of sizes that says what its columns mean.
pub(crate) const LEGEND_SIZES: &str = "Shallow: own size · Retained: freed with it · Distance: hops from a GC root";

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

    /// The table as lines (the header first), without trailing newlines, at most `total`
    /// characters wide: the first fitted column gives up what the others need, its cells cut
    /// with "…", and free text at the end loses its start.
    pub(crate) fn lines(&self, total: usize) -> Vec<String> {
        let mut widths: Vec<usize> = self
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
        // Free text keeps room for its start (up to 16 characters) when the name column shrinks.
        let free: usize = self
            .cols
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c, Col::Free))
            .map(|(c, _)| {
                2 + self.rows[1..]
                    .iter()
                    .map(|r| r[c].chars().count())
                    .max()
                    .unwrap_or(0)
                    .min(16)
            })
            .sum();
        let used: usize = widths.iter().sum::<usize>() + self.cols.len().saturating_sub(1) + free;
        if used > total
            && let Some(c) = self.cols.iter().position(|c| matches!(c, Col::Left { fit: true, .. }))
        {
            let title = self.rows[0][c].chars().count();
            widths[c] = widths[c].saturating_sub(used - total).max(title).max(8);
        }
        let shrunk = |c: usize, cell: &str| match self.cols[c] {
            Col::Left { fit: true, .. } => fit(cell, widths[c]),
            _ => cell.to_owned(),
        };
        self.rows
            .iter()
            .map(|cells| {
                let mut line = String::new();
                for (c, (cell, col)) in cells.iter().zip(&self.cols).enumerate() {
                    let w = widths[c];
                    let cell = &shrunk(c, cell);
                    match col {
                        Col::Free => {
                            // Free text (a series) keeps its end, the latest values.
                            let room = total.saturating_sub(line.chars().count() + 2);
                            let n = cell.chars().count();
                            let cell = if n <= room {
                                cell.clone()
                            } else {
                                let tail: String = cell.chars().skip(n + 1 - room.max(1)).collect();
                                // Whole words only: no number cut in two.
                                let tail = match tail.find(' ') {
                                    Some(i) if !tail.starts_with(' ') => &tail[i..],
                                    _ => &tail[..],
                                };
                                format!("…{tail}")
                            };
                            line.push_str(&format!("  {cell}"))
                        }
                        _ if c > 0 => line.push(' '),
                        _ => {}
                    }
                    match col {
                        Col::Left { .. } => line.push_str(&format!("{cell:<w$}")),
                        Col::Right(_) => line.push_str(&format!("{cell:>w$}")),
                        Col::Free => {}
                    }
                }
                fit(line.trim_end(), total)
            })
            .collect()
    }

    pub(crate) fn print(&self) {
        for l in self.lines(width()) {
            raw_line(l);
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
            t.lines(80),
            ["Name   Count  counts", "ëëëëëë    12  1 → 2", "b      1234567"]
        );
        let empty = Table::new(&[Col::name(4), Col::Right(3)], &["Name", "N"]);
        assert_eq!(empty.lines(80), [format!("{:<20}   N", "Name")]);
        let fixed = Table::new(&[Col::Left { min: 3, fit: false }], &["Value"]);
        assert_eq!(fixed.lines(80), ["Value"]);
    }

    #[test]
    fn tables_fit_the_width() {
        let mut t = Table::new(&[Col::name(4), Col::Right(5), Col::Free], &["Name", "Count", "counts"]);
        t.row(vec![
            "AVeryLongConstructorName".into(),
            "12".into(),
            "1 → 2 → 3 → 4".into(),
        ]);
        let lines = t.lines(24);
        assert_eq!(lines[1], "AVeryLo…    12  … 3 → 4");
        assert!(lines.iter().all(|l| l.chars().count() <= 24), "{lines:?}");
    }

    #[test]
    fn long_lines_wrap_at_spaces_with_a_hanging_indent() {
        assert_eq!(wrap("short", 10), ["short"]);
        assert_eq!(wrap("  one two three four", 10), ["  one two", "    three", "    four"]);
        assert_eq!(wrap("abcdefghijkl", 5), ["abcde", "  fgh", "  ijk", "  l"]);
        assert_eq!(fit("abcdef", 4), "abc…");
    }
}
