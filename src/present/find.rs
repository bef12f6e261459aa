//! Query results as text and JSON, shared by `heapsift find`, the MCP server's `find_objects`
//! and the app's Query field.

use serde_json::{Value as Json, json};

use super::report::{js_number, location_json};
use crate::analysis::Snapshot;
use crate::analysis::find::{Found, Group, Subject, Value, number_text};
use crate::analysis::query::display_name;
use crate::model::NodeId;
use crate::text::preview;

/// The value as a line of text: strings quoted, objects as `Class @id`.
pub fn value_label(s: &Snapshot, v: &Value) -> String {
    match v {
        Value::Str(t) => format!("{:?}", preview(t, 80)),
        Value::Num(n) => number_text(*n),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Undefined => "undefined".into(),
        Value::Object(o) => format!("{} @{}", super::names::display_class(s, *o), s.graph.id(*o).0),
    }
}

/// The value as JSON: strings cut to `max` characters with their length kept.
pub fn value_json(s: &Snapshot, v: &Value, max: usize) -> Json {
    match v {
        Value::Str(t) => {
            let len = t.chars().count();
            if len > max {
                json!({"type": "string", "value": preview(t, max), "length": len})
            } else {
                json!({"type": "string", "value": t})
            }
        }
        Value::Num(n) => json!({"type": "number", "value": js_number(*n)}),
        Value::Bool(b) => json!({"type": "boolean", "value": b}),
        Value::Null => json!({"type": "null"}),
        Value::Undefined => json!({"type": "undefined"}),
        Value::Object(o) => json!({"type": "object", "id": s.graph.id(*o).0, "class": s.class_name(*o)}),
    }
}

/// One object, compactly: what a list of results needs to pick the next call.
pub fn object_json(s: &Snapshot, v: NodeId) -> Json {
    let g = &s.graph;
    let name = super::names::oddball(g, v).unwrap_or_else(|| display_name(g, v));
    let mut o = json!({
        "id": g.id(v).0,
        "class": s.class_name(v),
        "name": preview(&name, 120),
        "self_size": g.self_size(v),
        "retained_size": js_number(s.retained.get(v).round()),
        "distance": s.distances[v].shown(),
    });
    if name.chars().count() > 120 {
        o["name_length"] = name.chars().count().into();
    }
    if let Some(original) = s.original_class(v) {
        o["original_class"] = original.into();
    }
    if let Some(l) = s.location_of(v) {
        o["location"] = location_json(Some(l), Some(&s.scripts));
    }
    o
}

/// Adds an object's references to its JSON document as `properties[{edge, edge_type, value}]`
/// (from `offset`, at most `limit`) and `properties_total`, as the Containment view lists them;
/// returns how many were added.
pub fn add_properties(s: &Snapshot, v: NodeId, doc: &mut Json, offset: usize, limit: usize) -> usize {
    let g = &s.graph;
    let edges: Vec<_> = crate::analysis::query::edges(g, v).collect();
    let page: Vec<Json> = edges
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&e| {
            json!({
                "edge": crate::analysis::query::edge_label(g, e),
                "edge_type": g.edge_type_name(e),
                "value": value_json(s, &crate::analysis::find::value_of(s, g.to(e)), 120),
            })
        })
        .collect();
    let shown = page.len();
    doc["properties"] = page.into();
    doc["properties_total"] = edges.len().into();
    shown
}

/// A subject of a search: an object, or a Map's or Set's entry with its key and value.
pub fn subject_json(s: &Snapshot, sub: Subject) -> Json {
    match sub {
        Subject::Object(v) => object_json(s, v),
        Subject::Entry(e) => {
            let side = |n: Option<NodeId>| match n {
                None => json!({"type": "unknown", "note": "a small integer, which the snapshot does not hold"}),
                Some(n) => {
                    let mut j = value_json(s, &crate::analysis::find::value_of(s, n), 200);
                    if let Json::Object(m) = &mut j
                        && m.get("type").and_then(Json::as_str) == Some("object")
                    {
                        m.insert("retained_size".into(), js_number(s.retained.get(n).round()));
                    }
                    j
                }
            };
            let mut o = json!({"key": side(e.key)});
            if e.value.is_some() || e.key.is_none() {
                o["value"] = side(e.value);
            }
            o
        }
    }
}

/// One row of `--group-by`.
pub fn group_json(s: &Snapshot, g: &Group) -> Json {
    json!({
        "value": value_json(s, &g.value, 200),
        "count": g.count,
        "self_size": js_number(g.self_size),
        "retained_size": js_number(g.retained_size.round()),
    })
}

/// What a search asked for, for the JSON answer.
pub struct Asked<'a> {
    pub note: Option<&'a str>,
    pub class: Option<&'a str>,
    pub query: Option<&'a str>,
    pub entries_of: Option<u32>,
    pub group_by: Option<&'a str>,
}

/// The whole answer: `total` matches and a page of them from `offset` (at most `limit`); when
/// grouped, a page of the distribution instead (most frequent value first) and no objects.
pub fn found_json(
    s: &Snapshot,
    asked: &Asked,
    found: &Found,
    groups: Option<&[Group]>,
    offset: usize,
    limit: usize,
) -> Json {
    let (page, listed): (Vec<Json>, usize) = match groups {
        Some(g) => (
            g.iter().skip(offset).take(limit).map(|g| group_json(s, g)).collect(),
            g.len(),
        ),
        None => (
            found
                .subjects
                .iter()
                .skip(offset)
                .take(limit)
                .map(|&sub| subject_json(s, sub))
                .collect(),
            found.subjects.len(),
        ),
    };
    let end = offset + page.len();
    let mut doc = json!({
        "class": asked.class,
        "where": asked.query,
        "examined": found.examined,
        "total": found.subjects.len(),
        "offset": offset,
        "next_cursor": (end < listed).then(|| end.to_string()),
    });
    if let Some(id) = asked.entries_of {
        doc["entries_of"] = id.into();
    }
    if let Some(note) = asked.note {
        doc["note"] = note.into();
    }
    match (asked.group_by, groups) {
        (Some(by), Some(groups)) => {
            doc["group_by"] = by.into();
            doc["distinct_values"] = groups.len().into();
            doc["groups"] = page.into();
            doc["objects"] = json!([]);
        }
        _ => doc["objects"] = page.into(),
    }
    doc
}

/// A search as the CLI, the MCP server and the app ask for it, in their own words.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub class: Option<String>,
    pub query: Option<String>,
    /// `@123` or `123`: search this Map's or Set's entries.
    pub entries_of: Option<String>,
    pub group_by: Option<String>,
}

/// What a request got wrong, naming the argument (`where`, `group_by`, `entries_of`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    pub argument: &'static str,
    pub message: String,
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.argument, self.message)
    }
}

/// The answer to a [`Request`].
pub struct Answer<'s> {
    pub found: Found,
    pub groups: Option<Vec<Group<'s>>>,
    pub entries_of: Option<u32>,
    /// What the snapshot cannot say about this query (numbers it does not record).
    pub note: Option<String>,
}

/// Why a comparison with a number finds nothing in most snapshots.
pub const NUMBERS_NOTE: &str = "this snapshot does not record numbers' values (V8 writes them only when asked to \
expose them, and never small integers), so a property compared with a number matches nothing";

/// Parses and runs a request; `None` when `cancelled` said so.
pub fn run<'s>(
    s: &'s Snapshot,
    r: &Request,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Answer<'s>>, RequestError> {
    use crate::analysis::find::{Query, Reading, Search, search};
    let bad = |argument, e: crate::analysis::find::QueryError| RequestError {
        argument,
        message: e.to_string(),
    };
    let query = match r.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        None => None,
        Some(q) => Some(Query::parse(q).map_err(|e| bad("where", e))?),
    };
    let by = match r.group_by.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        None => None,
        Some(b) => Some(Reading::parse(b).map_err(|e| bad("group_by", e))?),
    };
    let entries_of = match r.entries_of.as_deref() {
        None => None,
        Some(text) => {
            let err = |message: String| RequestError {
                argument: "entries_of",
                message,
            };
            let id = crate::model::parse_object_id(text)
                .ok_or_else(|| err(format!("{text:?} is not an object id (expected @123 or 123)")))?;
            let v = s
                .graph
                .find_id(id)
                .ok_or_else(|| err(format!("there is no object with id @{id}")))?;
            if crate::analysis::collections::map_entries(s, v).is_none() {
                return Err(err(format!(
                    "@{id} is a {}, not a Map or Set",
                    super::names::display_class(s, v)
                )));
            }
            Some(v)
        }
    };
    let entries_note = "key and value name a Map's or Set's entries: give the Map or Set whose entries to search";
    if entries_of.is_none() {
        if query.as_ref().is_some_and(|q| q.reads_entries()) {
            return Err(RequestError {
                argument: "where",
                message: entries_note.into(),
            });
        }
        if by.as_ref().is_some_and(|b| b.reads_entries()) {
            return Err(RequestError {
                argument: "group_by",
                message: entries_note.into(),
            });
        }
    }
    if let Some(name) = r.class.as_deref() {
        let g = &s.graph;
        let classes = s.classes.info.len() as u32;
        let known =
            (0..classes).any(|c| s.classes.name(g, c) == name || s.original_class_of(c).as_deref() == Some(name));
        if !known {
            let like = (0..classes)
                .map(|c| s.classes.name(g, c))
                .find(|c| c.eq_ignore_ascii_case(name))
                .map(|c| format!("; did you mean {c}?"))
                .unwrap_or_default();
            return Err(RequestError {
                argument: "class",
                message: format!("no class named {name:?} in this snapshot (names are the Summary's, exact){like}"),
            });
        }
    }
    let what = Search {
        class: r.class.as_deref(),
        query: query.as_ref(),
        entries_of,
    };
    let Some(found) = search(s, &what, cancelled) else {
        return Ok(None);
    };
    let groups = by.map(|by| crate::analysis::find::group(s, &found.subjects, &by));
    let note = (query.as_ref().is_some_and(|q| q.compares_numbers()) && !crate::analysis::find::numbers_recorded(s))
        .then(|| NUMBERS_NOTE.to_owned());
    Ok(Some(Answer {
        found,
        groups,
        entries_of: entries_of.map(|v| s.graph.id(v).0),
        note,
    }))
}
