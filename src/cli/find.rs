//! `heapsift find FILE [--class C] [--where EXPR] [--group-by PATH]`: the objects whose contents
//! pass a query, largest retained size first, or how a property's values are distributed.

use std::path::PathBuf;

use super::output::{Col, Table, line, print_doc};
use super::{CliError, CliResult, Global, load};
use crate::analysis::Snapshot;
use crate::present::find::{self, Answer, Asked, Request};
use crate::present::names;
use crate::text::{bytes, preview, thousands};

#[derive(clap::Args, Debug)]
#[command(after_help = concat!(
    "Query language: ",
    "see the README's \"Queries\" section. Examples:\n",
    "  heapsift find app.heapsnapshot --class Session --where '.userId == undefined'\n",
    "  heapsift find app.heapsnapshot --class Session --group-by .tenant\n",
    "  heapsift find app.heapsnapshot --class Map --where 'entries > 1000'\n",
    "  heapsift find app.heapsnapshot --entries @4211 --where 'key ~ /^user-/ and retained_size(value) > 1kB'",
))]
pub struct Args {
    /// The heap snapshot.
    file: PathBuf,
    /// Only objects of this class (as the Summary names it, or a minified class's original name).
    #[arg(long, value_name = "CLASS")]
    class: Option<String>,
    /// Only objects for which EXPR holds: properties (.userId, .headers.accept), attributes
    /// (class, name, id, type, self_size, retained_size, distance, edges, entries, length),
    /// == != < <= > >= ~ (substring or /regex/), and, or, not; sizes with units (1MB).
    #[arg(long = "where", value_name = "EXPR")]
    query: Option<String>,
    /// Search the entries of this Map or Set (`@123`) instead of objects; in EXPR, `key` and
    /// `value` (`value.tenant`) name each entry's two halves.
    #[arg(long, value_name = "@ID")]
    entries: Option<String>,
    /// Show how the matches are distributed over the values of a property or attribute
    /// (`.tenant`, `class`, `key`, `class(.owner)`), most frequent first.
    #[arg(long, value_name = "PATH")]
    group_by: Option<String>,
    /// Show at most N objects (and N values with --group-by).
    #[arg(long, default_value_t = 20, value_name = "N")]
    limit: usize,
    /// Skip the first N (the JSON's `next_cursor` is the offset of the next page).
    #[arg(long, default_value_t = 0, value_name = "N")]
    offset: usize,
    /// JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(a: &Args, g: &Global) -> CliResult {
    let request = Request {
        class: a.class.clone(),
        query: a.query.clone(),
        entries_of: a.entries.clone(),
        group_by: a.group_by.clone(),
    };
    // A bad expression is a usage error, found before the file is read.
    if let Some(q) = &request.query {
        crate::analysis::find::Query::parse(q).map_err(|e| CliError::Usage(format!("--where {q:?}: {e}")))?;
    }
    if let Some(b) = &request.group_by {
        crate::analysis::find::Reading::parse(b).map_err(|e| CliError::Usage(format!("--group-by {b:?}: {e}")))?;
    }
    let s = load(&a.file, g.quiet)?;
    let answer = find::run(&s, &request, &|| false)
        .map_err(|e| {
            let flag = match e.argument {
                "entries_of" => "entries",
                "group_by" => "group-by",
                other => other,
            };
            CliError::Usage(format!("{}: --{flag}: {}", a.file.display(), e.message))
        })?
        .ok_or(CliError::Cancelled)?;
    if let Some(note) = &answer.note {
        eprintln!("heapsift: note: {note}");
    }
    if a.json {
        let asked = Asked {
            note: answer.note.as_deref(),
            class: a.class.as_deref(),
            query: a.query.as_deref(),
            entries_of: answer.entries_of,
            group_by: a.group_by.as_deref(),
        };
        let mut doc = find::found_json(&s, &asked, &answer.found, answer.groups.as_deref(), a.offset, a.limit);
        doc["file"] = crate::present::report::file_name(&a.file).into();
        print_doc("find", doc);
    } else {
        print(&s, a, &answer);
    }
    Ok(())
}

fn print(s: &Snapshot, a: &Args, answer: &Answer) {
    let found = &answer.found;
    let what = match answer.entries_of {
        Some(id) => format!("entries of @{id}"),
        None => match &a.class {
            Some(c) => format!("{c} objects"),
            None => "objects".into(),
        },
    };
    let filter = a.query.as_deref().map(|q| format!(" where {q}")).unwrap_or_default();
    line(format!(
        "{}: {} of {} {what} match{filter}",
        a.file.display(),
        thousands(found.subjects.len() as u64),
        thousands(found.examined as u64),
    ));
    if let Some(groups) = &answer.groups {
        let by = a.group_by.as_deref().unwrap_or_default();
        let mut t = Table::new(
            &[
                Col::name(by.chars().count().max(5)),
                Col::Right(7),
                Col::Right(10),
                Col::Right(10),
            ],
            &[by, "Count", "Shallow", "Retained"],
        );
        for grp in groups.iter().take(a.limit) {
            t.row(vec![
                find::value_label(s, &grp.value),
                thousands(grp.count as u64),
                bytes(grp.self_size),
                bytes(grp.retained_size),
            ]);
        }
        t.print();
        if groups.len() > a.limit {
            line(format!(
                "… {} more values (--limit N shows more)",
                thousands((groups.len() - a.limit) as u64)
            ));
        }
        return;
    }
    if found.subjects.is_empty() {
        return;
    }
    let from = a.offset.min(found.subjects.len());
    let page = &found.subjects[from..(from + a.limit).min(found.subjects.len())];
    let shown = from + page.len();
    match answer.entries_of {
        Some(id) => {
            // A Set's entries have no values: its table is one column.
            let set = s
                .graph
                .find_id(crate::model::ObjectId(id))
                .is_some_and(|v| s.class_name(v) == "Set");
            let side = |n: Option<crate::model::NodeId>, max: usize| match n {
                None => "(a small integer)".to_owned(),
                Some(n) => preview(&find::value_label(s, &crate::analysis::find::value_of(s, n)), max),
            };
            let retained = |n: Option<crate::model::NodeId>| n.map_or(String::new(), |v| bytes(s.retained.get(v)));
            let mut t = if set {
                Table::new(&[Col::name(5), Col::Right(10)], &["Entry", "Retained"])
            } else {
                Table::new(
                    &[Col::name(3), Col::Left { min: 30, fit: false }, Col::Right(10)],
                    &["Key", "Value", "Retained"],
                )
            };
            for sub in page {
                let crate::analysis::find::Subject::Entry(e) = sub else {
                    continue;
                };
                t.row(if set {
                    vec![side(e.key, 60), retained(e.key)]
                } else {
                    vec![side(e.key, 40), side(e.value, 30), retained(e.value)]
                });
            }
            t.print();
        }
        None => {
            let ids = page
                .iter()
                .map(|sub| match *sub {
                    crate::analysis::find::Subject::Object(v) => s.graph.id(v).0.to_string().len() + 1,
                    _ => 0,
                })
                .max()
                .unwrap_or(2);
            let mut t = Table::new(
                &[
                    Col::Right(ids.max(2)),
                    Col::name(12),
                    Col::Right(8),
                    Col::Right(8),
                    Col::Right(10),
                ],
                &["Id", "Object", "Distance", "Shallow", "Retained"],
            );
            for sub in page {
                let crate::analysis::find::Subject::Object(v) = *sub else {
                    continue;
                };
                let label = match names::own_name(s, v, 60) {
                    Some(n) => format!("{} {n}", names::display_class(s, v)),
                    None => names::display_class(s, v).to_owned(),
                };
                t.row(vec![
                    format!("@{}", s.graph.id(v).0),
                    preview(&label, 80),
                    s.distances[v].shown().map_or("−".into(), |d| d.to_string()),
                    bytes(s.graph.self_size(v) as f64),
                    bytes(s.retained.get(v)),
                ]);
            }
            t.print();
        }
    }
    if found.subjects.len() > shown {
        line(format!(
            "… {} more (--limit N shows more; --group-by .prop shows how a property's values are spread)",
            thousands((found.subjects.len() - shown) as u64)
        ));
    }
}
