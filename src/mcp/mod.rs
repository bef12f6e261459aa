//! `heapsift mcp`: a Model Context Protocol server on stdin and stdout, so that a coding agent
//! can hunt leaks with the same engine as the CLI and the app. Each tool is thin: it opens its
//! snapshots through the [`store`], runs the engine and presentation functions the CLI runs,
//! and answers with a short text summary plus the CLI's JSON, paged and bounded so that one
//! answer stays at a few thousand tokens.
//!
//! Tools run on blocking threads; a call that takes longer than half a second reports progress
//! when the client asked for it, and a cancelled call stops its work. A bad argument is a tool
//! error (one line) and the server keeps serving.

mod store;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, ProgressNotificationParam, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::analysis::query;
use crate::capture::{self, Connect};
use crate::engine::workflows;
use crate::model::NodeId;
use crate::present::{find, names, report};
use crate::progress::Progress;
use crate::text::{bytes, preview, thousands};
use store::{Open, Shared, Store};

/// How the server was started.
#[derive(Debug, Clone)]
pub struct Options {
    /// Live tools may connect to inspectors on other hosts.
    pub allow_remote: bool,
    /// `hunt` may run shell commands (`exec`, `action`).
    pub allow_exec: bool,
    /// Bytes of analysed snapshots kept in memory.
    pub memory: u64,
}

/// Serves until the client closes stdin.
pub fn serve(opts: Options) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    rt.block_on(async move {
        let server = Server::new(opts);
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| format!("the MCP client did not start a session: {e}"))?;
        running
            .waiting()
            .await
            .map_err(|e| format!("the MCP session ended: {e}"))?;
        Ok(())
    })
}

/// A tool's answer: one line or a few for a person or an agent skimming, and the JSON.
struct Answer {
    summary: String,
    json: Value,
}

type Work = Box<dyn FnOnce(&Inner, &Progress) -> Result<Answer, ToolError> + Send>;

struct Inner {
    store: Store,
    opts: Options,
}

impl Inner {
    fn open(&self, path: &str, progress: &Progress) -> Result<Arc<Open>, String> {
        self.store.get(path, progress)
    }
}

#[derive(Clone)]
pub struct Server {
    inner: Arc<Inner>,
}

// ---- arguments ----

/// An object id as answers give it (a number) or as people write it (`"@123"`, `"123"`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Id {
    Number(u64),
    Text(String),
}

impl Id {
    fn text(&self) -> String {
        match self {
            Id::Number(n) => n.to_string(),
            Id::Text(t) => t.clone(),
        }
    }
}

/// Default rows per page: enough to act on, a few thousand tokens at most.
const PAGE: usize = 25;
/// The most rows a caller may ask for in one page.
const MAX_PAGE: usize = 100;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryArgs {
    /// The heap snapshot (.heapsnapshot, .heapsnapshot.gz, .heaptimeline or a saved index).
    pub path: String,
    /// One of DevTools' Summary filters: objectsRetainedByDetachedDomNodes,
    /// objectsRetainedByConsole, objectsRetainedByEventHandlers, objectsRetainedByContexts,
    /// duplicatedStrings.
    pub filter: Option<String>,
    /// Only classes whose name contains this text (case-insensitive), as DevTools' class filter.
    pub class: Option<String>,
    /// Rows per page (default 25, at most 100).
    pub top: Option<usize>,
    /// Where to continue: the `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindArgs {
    pub path: String,
    /// A query over each object, e.g. `.userId == undefined and retained_size > 1MB`.
    /// Properties: .name, .a.b, ["odd key"], [0] (strings, numbers, true/false, null; undefined
    /// when missing or a small integer, which snapshots do not hold; any other object compares
    /// with a word as its class). Attributes: class, name, id, type, self_size, retained_size,
    /// distance, edges, entries, length, or of a property: retained_size(.cache). Operators:
    /// == != < <= > >= ~ (substring or /regex/i) !~, and, or, not, ( ). Sizes: 1kB 2MB 1GiB.
    #[serde(rename = "where")]
    #[schemars(rename = "where")]
    pub query: Option<String>,
    /// Only objects of this class (exact, or a minified class's original name).
    pub class: Option<String>,
    /// Search the entries of this Map or Set (`@123`); in `where`, `key` and `value`
    /// (`value.tenant`) name each entry's two halves.
    pub entries_of: Option<Id>,
    /// Instead of listing, count the matches per value of this property or attribute
    /// (`.tenant`, `class`, `key`, `class(.owner)`), most frequent first.
    pub group_by: Option<String>,
    /// Objects (or values) per page (default 25, at most 100).
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectArgs {
    pub path: String,
    /// The object's id: a number as answers give it, or `"@123"`.
    pub id: Id,
    /// Properties per page (default 25, at most 100).
    pub limit: Option<usize>,
    /// Where the properties continue: the previous answer's `properties_next_cursor`.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathArgs {
    pub path: String,
    pub id: Id,
    /// DevTools' shortest path instead of the readable one (which avoids __proto__,
    /// constructor and V8-internal hops where another path exists).
    pub shortest: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetainersArgs {
    pub path: String,
    pub id: Id,
    /// Levels of retainers of retainers (default 2, at most 6).
    pub depth: Option<usize>,
    /// Retainers listed per object (default 10, at most 50), nearest to a root first.
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DominatorsArgs {
    pub path: String,
    /// The object whose dominator chain and dominated objects to show; without it, what the
    /// root dominates directly, largest first.
    pub id: Option<Id>,
    /// Dominated objects per page (default 25, at most 100).
    pub top: Option<usize>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListArgs {
    pub path: String,
    /// Rows per page (default 25, at most 100).
    pub top: Option<usize>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffArgs {
    /// The earlier snapshot.
    pub base: String,
    /// The later snapshot, of the same process.
    pub current: String,
    pub top: Option<usize>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaksArgs {
    /// Snapshot 1, before the suspect action.
    pub baseline: String,
    /// Snapshot 2, after the action ran several times.
    pub target: String,
    /// Snapshot 3, a little later.
    pub r#final: String,
    /// Leak groups to show (default 5, at most 50).
    pub top: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrowthArgs {
    /// Two or more snapshots of one process, oldest first.
    pub paths: Vec<String>,
    /// Growing classes to show (default 20, at most 100).
    pub top: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureArgs {
    /// The inspector's address (`node --inspect`, or Chromium's remote debugging port), e.g.
    /// 127.0.0.1:9229.
    pub inspect: Option<String>,
    /// A local Node process by PID (its inspector is woken with SIGUSR1).
    pub pid: Option<u32>,
    /// Which of the inspector's targets, when it has several.
    pub target: Option<String>,
    /// Where to write the snapshot: a new file (an existing one is refused).
    pub out: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HuntArgs {
    /// A shell command that starts the service (needs the server's --allow-exec), e.g.
    /// `node server.js`; it is stopped at the end.
    pub exec: Option<String>,
    pub inspect: Option<String>,
    pub pid: Option<u32>,
    /// The suspect action, a shell command (needs --allow-exec), e.g. `curl -sf localhost:3000/x`.
    pub action: String,
    /// Runs of the action between baseline and target (default 10).
    pub repeat: Option<usize>,
    /// Seconds between target and final (default 1).
    pub wait: Option<f64>,
    /// Keep the three snapshots in this folder (default: deleted at the end).
    pub keep: Option<String>,
    /// Leak groups to show (default 5).
    pub top: Option<usize>,
}

/// Lists inside an answer's rows (a group's ids, a path's hops) beyond this many items are cut,
/// with `<field>_total` beside them saying how many there were.
const NESTED_ITEMS: usize = 20;
/// Strings longer than this are cut, with `<field>_length` beside them.
const LONG_STRING: usize = 300;

/// Bounds an answer: the top level's lists are pages already; lists and strings below it are
/// cut, with their full lengths kept.
fn bound(doc: &mut Value) {
    fn walk(v: &mut Value, depth: usize) {
        match v {
            Value::Object(map) => {
                let mut extra = Vec::new();
                for (k, field) in map.iter_mut() {
                    match field {
                        Value::Array(items)
                            if depth > 0 && items.len() > NESTED_ITEMS && !k.ends_with("path_to_root") =>
                        {
                            extra.push((format!("{k}_total"), json!(items.len())));
                            items.truncate(NESTED_ITEMS);
                        }
                        Value::String(t) if t.chars().count() > LONG_STRING => {
                            extra.push((format!("{k}_length"), json!(t.chars().count())));
                            *t = t.chars().take(LONG_STRING - 1).chain(['…']).collect();
                        }
                        _ => {}
                    }
                    walk(field, depth + 1);
                }
                for (k, v) in extra {
                    map.entry(k).or_insert(v);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, depth + 1)),
            _ => {}
        }
    }
    walk(doc, 0);
}

/// Page bounds from a cursor and a size: `(offset, size)`.
fn page(cursor: Option<&str>, size: Option<usize>, default: usize) -> Result<(usize, usize), String> {
    let offset = match cursor {
        None | Some("") => 0,
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| format!("cursor: {c:?} is not a cursor this server gave"))?,
    };
    match size {
        Some(0) => Err("limit: 0 rows is no page; ask for 1 to 100".into()),
        size => Ok((offset, size.unwrap_or(default).min(MAX_PAGE))),
    }
}

fn next_cursor(offset: usize, shown: usize, total: usize) -> Value {
    let end = offset + shown;
    if end < total {
        json!(end.to_string())
    } else {
        Value::Null
    }
}

/// Says which page an answer is: the whole list's length (as `total_field`), where the page
/// starts and where the next one does.
fn set_page(json: &mut Value, total_field: &str, total: usize, offset: usize, shown: usize) {
    json[total_field] = total.into();
    json["offset"] = offset.into();
    json["next_cursor"] = next_cursor(offset, shown, total);
}

fn object_id(s: &Open, text: &str, path: &str) -> Result<NodeId, String> {
    let id = crate::model::parse_object_id(text)
        .ok_or_else(|| format!("id: {text:?} is not an object id (expected @123 or 123)"))?;
    s.graph
        .find_id(id)
        .ok_or_else(|| format!("{path}: there is no object with id @{id}"))
}

fn node_brief(s: &Open, v: NodeId) -> Value {
    json!({
        "id": s.graph.id(v).0,
        "class": s.class_name(v),
        "name": names::own_name(s, v, 80),
        "self_size": s.graph.self_size(v),
        "retained_size": report::js_number(s.retained.get(v).round()),
        "distance": s.distances[v].shown(),
    })
}

fn label(s: &Open, v: NodeId) -> String {
    format!("{} @{}", names::display_class(s, v), s.graph.id(v).0)
}

fn file(path: &str) -> PathBuf {
    PathBuf::from(path)
}

// ---- the tools ----

#[tool_router]
impl Server {
    pub fn new(opts: Options) -> Server {
        Server {
            inner: Arc::new(Inner {
                store: Store::new(opts.memory),
                opts,
            }),
        }
    }

    /// DevTools' Summary: one row per constructor (count, shallow and retained size, distance),
    /// largest retained size first, exactly as Chrome DevTools shows it; optionally under one
    /// of DevTools' named filters or limited to class names containing `class`.
    #[tool]
    async fn summary(
        &self,
        Parameters(a): Parameters<SummaryArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let filter = match a.filter.as_deref() {
                    None => None,
                    Some(f) => Some(crate::analysis::filters::NamedFilter::parse(f).ok_or_else(|| {
                        format!(
                            "filter: {f:?} is not one of DevTools' filters: {}",
                            crate::analysis::filters::NamedFilter::ALL
                                .iter()
                                .map(|f| f.name())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })?),
                };
                let (offset, size) = page(a.cursor.as_deref(), a.top, PAGE)?;
                let s = inner.open(&a.path, progress)?;
                let rows = match filter {
                    None => s.summary.clone(),
                    Some(f) => {
                        let members = f.members(&s, progress).map_err(|_| "cancelled".to_owned())?;
                        s.summary_filtered(&|v| members.get(v.index()))
                    }
                };
                let mut rows = report::sorted(rows, None);
                if let Some(c) = a.class.as_deref().map(str::to_lowercase) {
                    rows.retain(|r| r.name.to_lowercase().contains(&c));
                }
                let total = rows.len();
                let shown: Vec<_> = rows.into_iter().skip(offset).take(size).collect();
                let summary = format!(
                    "{}: {} nodes, total size {}; {} classes{}{}; largest retained: {}",
                    a.path,
                    thousands(s.graph.node_count() as u64),
                    bytes(s.total_size),
                    thousands(total as u64),
                    filter.map(|f| format!(" ({})", f.label())).unwrap_or_default(),
                    a.class
                        .as_deref()
                        .map(|c| format!(" matching {c:?}"))
                        .unwrap_or_default(),
                    shown
                        .iter()
                        .take(5)
                        .map(|r| format!(
                            "{} ×{} {}",
                            preview(&r.name, 40),
                            thousands(r.count),
                            bytes(r.retained_size)
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let n = shown.len();
                let mut json = report::summary_rows_json(&s, &file(&a.path), shown, filter.map(|f| f.name()));
                set_page(&mut json, "total_classes", total, offset, n);
                Ok(Answer {
                    summary,
                    json: report::doc("summary", json),
                })
            }),
        )
        .await
    }

    /// Objects by their contents: a class, a query over properties and sizes, a Map's or Set's
    /// entries, or how a property's values are spread (group_by). Matches come largest retained
    /// size first, with ids for `object`, `path_to_root` and `retainers`.
    #[tool]
    async fn find_objects(
        &self,
        Parameters(a): Parameters<FindArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let (offset, size) = page(a.cursor.as_deref(), a.limit, PAGE)?;
                let request = find::Request {
                    class: a.class.clone(),
                    query: a.query.clone(),
                    entries_of: a.entries_of.as_ref().map(Id::text),
                    group_by: a.group_by.clone(),
                };
                // A bad expression is said before a big file is opened.
                if let Some(q) = &request.query {
                    crate::analysis::find::Query::parse(q).map_err(|e| format!("where: {e}"))?;
                }
                if let Some(b) = &request.group_by {
                    crate::analysis::find::Reading::parse(b).map_err(|e| format!("group_by: {e}"))?;
                }
                let s = inner.open(&a.path, progress)?;
                let answer = find::run(&s, &request, &|| progress.check().is_err())
                    .map_err(|e| e.to_string())?
                    .ok_or("cancelled")?;
                let asked = find::Asked {
                    note: answer.note.as_deref(),
                    class: a.class.as_deref(),
                    query: a.query.as_deref(),
                    entries_of: answer.entries_of,
                    group_by: a.group_by.as_deref(),
                };
                let mut json = find::found_json(&s, &asked, &answer.found, answer.groups.as_deref(), offset, size);
                json["file"] = report::file_name(&file(&a.path)).into();
                let found = &answer.found;
                let mut summary = match &answer.groups {
                    Some(g) => format!(
                        "{} of {} match; {} distinct values of {}; most frequent: {}",
                        thousands(found.subjects.len() as u64),
                        thousands(found.examined as u64),
                        thousands(g.len() as u64),
                        a.group_by.as_deref().unwrap_or_default(),
                        g.iter()
                            .take(5)
                            .map(|g| format!("{} ×{}", find::value_label(&s, &g.value), thousands(g.count as u64)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    None => format!(
                        "{} of {} match{}",
                        thousands(found.subjects.len() as u64),
                        thousands(found.examined as u64),
                        match found.subjects.first() {
                            Some(crate::analysis::find::Subject::Object(v)) =>
                                format!("; largest: {} retaining {}", label(&s, *v), bytes(s.retained.get(*v))),
                            _ => String::new(),
                        }
                    ),
                };
                if let Some(note) = &answer.note {
                    summary.push_str(&format!("\nnote: {note}"));
                }
                Ok(Answer {
                    summary,
                    json: report::doc("find", json),
                })
            }),
        )
        .await
    }

    /// One object: class, name, sizes, distance, dominator, where its class is defined, its
    /// readable path to a GC root, its allocation stack when recorded, and its properties with
    /// their values.
    #[tool]
    async fn object(
        &self,
        Parameters(a): Parameters<ObjectArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let (offset, size) = page(a.cursor.as_deref(), a.limit, PAGE)?;
                let s = inner.open(&a.path, progress)?;
                let v = object_id(&s, &a.id.text(), &a.path)?;
                let readable = s.readable(progress).ok_or("cancelled")?.path(&s, v);
                let mut json = report::object_json(&s, v, readable.as_deref());
                json["file"] = report::file_name(&file(&a.path)).into();
                let g = &s.graph;
                let shown = find::add_properties(&s, v, &mut json, offset, size);
                let total = query::edges(g, v).count();
                json["properties_next_cursor"] = next_cursor(offset, shown, total);
                let summary = format!(
                    "{} ({}), retains {} (shallow {}), distance {}{}",
                    label(&s, v),
                    g.type_name(v),
                    bytes(s.retained.get(v)),
                    bytes(g.self_size(v) as f64),
                    s.distances[v].shown().map_or("−".into(), |d| d.to_string()),
                    readable
                        .as_deref()
                        .map(|hops| format!("; held by: {}", names::path_text(&s, hops)))
                        .unwrap_or_default()
                );
                Ok(Answer {
                    summary,
                    json: report::doc("object", json),
                })
            }),
        )
        .await
    }

    /// The path from a GC root to an object, hop by hop: the readable one (no __proto__ or
    /// V8-internal hops where another path exists) or DevTools' shortest.
    #[tool]
    async fn path_to_root(
        &self,
        Parameters(a): Parameters<PathArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let s = inner.open(&a.path, progress)?;
                let v = object_id(&s, &a.id.text(), &a.path)?;
                let shortest = a.shortest.unwrap_or(false);
                let hops = if shortest {
                    query::path_to_root(&s, v)
                } else {
                    s.readable(progress)
                        .ok_or("cancelled")?
                        .path(&s, v)
                        .or_else(|| query::path_to_root(&s, v))
                };
                let Some(hops) = hops else {
                    return Ok(Answer {
                        summary: format!("{} is not reachable from a GC root", label(&s, v)),
                        json: report::doc("path_to_root", json!({"id": s.graph.id(v).0, "path_to_root": null})),
                    });
                };
                let summary = format!("{}: {}", label(&s, v), names::path_text(&s, &hops));
                let json = json!({
                    "file": report::file_name(&file(&a.path)),
                    "id": s.graph.id(v).0,
                    "shortest": shortest,
                    "path_to_root": report::path_json(&s, &hops),
                });
                Ok(Answer {
                    summary,
                    json: report::doc("path_to_root", json),
                })
            }),
        )
        .await
    }

    /// What holds an object: its retainers (edge and retaining object), nearest to a GC root
    /// first, and theirs, `depth` levels deep, as DevTools' Retainers view.
    #[tool]
    async fn retainers(
        &self,
        Parameters(a): Parameters<RetainersArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let s = inner.open(&a.path, progress)?;
                let v = object_id(&s, &a.id.text(), &a.path)?;
                let depth = a.depth.unwrap_or(2).clamp(1, 6);
                let width = a.limit.unwrap_or(10).clamp(1, 50);
                let mut chain = vec![v];
                let tree = retainer_tree(&s, v, depth, width, &mut chain);
                let first = query::retainers(&s, v, None);
                let summary = format!(
                    "{}: {} retainers{}",
                    label(&s, v),
                    first.len(),
                    if first.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; nearest: {}",
                            first
                                .iter()
                                .take(3)
                                .map(|r| format!("{} {}", label(&s, r.from), query::edge_label(&s.graph, r.edge)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                );
                let json = json!({
                    "file": report::file_name(&file(&a.path)),
                    "object": node_brief(&s, v),
                    "retainers": tree,
                });
                Ok(Answer {
                    summary,
                    json: report::doc("retainers", json),
                })
            }),
        )
        .await
    }

    /// The dominator tree: for an object, its dominator chain up to the root (what must let go
    /// of it for it to be freed) and the objects it alone keeps alive, largest first; without
    /// an id, the largest objects the root dominates.
    #[tool]
    async fn dominators(
        &self,
        Parameters(a): Parameters<DominatorsArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let (offset, size) = page(a.cursor.as_deref(), a.top, PAGE)?;
                let s = inner.open(&a.path, progress)?;
                let v = match &a.id {
                    Some(id) => object_id(&s, &id.text(), &a.path)?,
                    None => s.graph.root(),
                };
                let children = s.dominated_children(v);
                let chain: Vec<Value> = query::dominator_chain(&s, v)
                    .into_iter()
                    .skip(1)
                    .take(30)
                    .map(|d| node_brief(&s, d))
                    .collect();
                let shown: Vec<Value> = children
                    .iter()
                    .skip(offset)
                    .take(size)
                    .map(|&c| node_brief(&s, c))
                    .collect();
                let summary = format!(
                    "{} dominates {} objects directly; largest: {}",
                    if a.id.is_some() {
                        label(&s, v)
                    } else {
                        "the root".into()
                    },
                    thousands(children.len() as u64),
                    children
                        .iter()
                        .take(5)
                        .map(|&c| format!("{} {}", label(&s, c), bytes(s.retained.get(c))))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let n = shown.len();
                let mut json = json!({
                    "file": report::file_name(&file(&a.path)),
                    "object": node_brief(&s, v),
                    "dominator_chain": chain,
                    "dominated": shown,
                });
                set_page(&mut json, "dominated_total", children.len(), offset, n);
                Ok(Answer {
                    summary,
                    json: report::doc("dominators", json),
                })
            }),
        )
        .await
    }

    /// DevTools' duplicated strings: string values held more than once, by what they retain.
    #[tool]
    async fn duplicates(
        &self,
        Parameters(a): Parameters<ListArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let (offset, size) = page(a.cursor.as_deref(), a.top, PAGE)?;
                let s = inner.open(&a.path, progress)?;
                let found = crate::analysis::filters::duplicates(&s);
                let total = found.groups.len();
                let shown = &found.groups[offset.min(total)..(offset + size).min(total)];
                let mut json = report::duplicates_json(&s, &file(&a.path), shown);
                set_page(&mut json, "total_groups", total, offset, shown.len());
                let summary = format!(
                    "{} duplicated strings in {} groups; one copy of each would save {}",
                    thousands(found.strings),
                    thousands(total as u64),
                    bytes(found.saving as f64)
                );
                Ok(Answer {
                    summary,
                    json: report::doc("duplicates", json),
                })
            }),
        )
        .await
    }

    /// Detached DOM trees (browser snapshots): each by its root node, the detached nodes it
    /// holds, what it retains and what keeps it alive.
    #[tool]
    async fn detached(
        &self,
        Parameters(a): Parameters<ListArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let (offset, size) = page(a.cursor.as_deref(), a.top, PAGE)?;
                let s = inner.open(&a.path, progress)?;
                let mut dom = crate::analysis::detached::DetachedDom::of(&s);
                let total = dom.trees.len();
                let summary = if !dom.has_dom {
                    "no DOM in this snapshot (not a web page's); detached DOM trees exist only in page snapshots".into()
                } else if total == 0 {
                    "no detached DOM nodes".into()
                } else {
                    names::detached_count(&dom)
                };
                dom.trees.drain(..offset.min(total));
                let mut json = report::detached_doc(&s, &file(&a.path), &dom, size);
                set_page(&mut json, "total_trees", total, offset, dom.trees.len().min(size));
                Ok(Answer {
                    summary,
                    json: report::doc("detached", json),
                })
            }),
        )
        .await
    }

    /// DevTools' Comparison of `current` against `base`: per class, objects new and deleted and
    /// the size delta, largest change first.
    #[tool]
    async fn diff(
        &self,
        Parameters(a): Parameters<DiffArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let (offset, size) = page(a.cursor.as_deref(), a.top, PAGE)?;
                let mut cmp = workflows::comparison(progress, |side| match side {
                    workflows::Side::Current => inner.open(&a.current, progress).map(Shared).map_err(ToolError),
                    workflows::Side::Base => inner.open(&a.base, progress).map(Shared).map_err(ToolError),
                })?;
                let total = cmp.rows.len();
                cmp.rows.drain(..offset.min(total));
                let mut json = report::comparison_json(&file(&a.base), &file(&a.current), &cmp, size);
                set_page(&mut json, "total_classes", total, offset, cmp.rows.len().min(size));
                let summary = format!(
                    "{} classes changed{}; largest: {}",
                    thousands(total as u64),
                    if json["same_process"] == json!(false) {
                        " (the two snapshots are not of one process: the Comparison pairs unrelated objects)"
                    } else {
                        ""
                    },
                    cmp.rows
                        .iter()
                        .take(5)
                        .map(|r| format!("{} {:+} ({:+} B)", preview(&r.name, 40), r.count_delta, r.size_delta))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                Ok(Answer {
                    summary,
                    json: report::doc("diff", json),
                })
            }),
        )
        .await
    }

    /// The three-snapshot leak method: objects allocated between baseline and target and still
    /// alive in final, grouped by class and retaining path, largest first, each with its cause,
    /// the fix, and the path to a GC root.
    #[tool]
    async fn leaks(
        &self,
        Parameters(a): Parameters<LeaksArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let top = a.top.unwrap_or(5).clamp(1, 50);
                let paths = [a.baseline.as_str(), a.target.as_str(), a.r#final.as_str()];
                leaks_answer(inner, paths, top, None, progress)
            }),
        )
        .await
    }

    /// Per-class counts and sizes across snapshots of one process, growing classes first, and
    /// the collections that gained entries, followed by object id.
    #[tool]
    async fn growth(
        &self,
        Parameters(a): Parameters<GrowthArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let top = a.top.unwrap_or(20).clamp(1, MAX_PAGE);
                if a.paths.len() < 2 {
                    return Err("paths: growth needs at least two snapshots, oldest first".into());
                }
                let names: Vec<String> = a.paths.iter().map(|p| report::file_name(&file(p))).collect();
                let r = workflows::growth(&names, progress, |i| {
                    inner.open(&a.paths[i], progress).map(Shared).map_err(ToolError)
                })?;
                let json = report::growth_report_json(&r, top).map_err(|_| "cancelled".to_owned())?;
                let classes = json["classes"].as_array().map_or(0, Vec::len);
                let summary = format!(
                    "{} snapshots; {} growing classes{}{}",
                    names.len(),
                    json["total_classes"],
                    json["classes"]
                        .as_array()
                        .filter(|_| classes > 0)
                        .map(|c| format!(
                            "; largest: {}",
                            c.iter()
                                .take(5)
                                .map(|c| format!("{} {:+}", c["class"].as_str().unwrap_or("?"), c["count_delta"]))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .unwrap_or_default(),
                    if r.strangers.is_empty() {
                        ""
                    } else {
                        " (not all of one process)"
                    }
                );
                Ok(Answer {
                    summary,
                    json: report::doc("growth", json),
                })
            }),
        )
        .await
    }

    /// Takes a heap snapshot of a running Node process or Chromium page, after a garbage
    /// collection, into `out` (written atomically; never over an existing file).
    #[tool]
    async fn capture(
        &self,
        Parameters(a): Parameters<CaptureArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(
            ctx,
            Box::new(move |inner, progress| {
                let connect = Connect::one_of(a.inspect.as_deref(), a.pid, None, a.target.as_deref())
                    .ok_or("give inspect (HOST:PORT) or pid, one of them")?
                    .map_err(|e| format!("inspect: {e}"))?;
                let out = PathBuf::from(&a.out);
                if out.is_dir() {
                    return Err(format!("out: {}: is a folder; give a file name", a.out).into());
                }
                if out.exists() {
                    return Err(format!("out: {}: already exists; not overwriting it", a.out).into());
                }
                let opts = inner.live_options();
                let c = capture::Connection::open(&connect, &opts, progress)
                    .and_then(|mut c| c.session.gc_and_snapshot(&out, true, progress))
                    .map_err(|e| e.to_string())?;
                let summary = format!(
                    "{}: {} captured in {:.1} s",
                    c.path.display(),
                    bytes(c.bytes as f64),
                    c.seconds
                );
                let json = json!({"path": c.path, "bytes": c.bytes, "seconds": c.seconds});
                Ok(Answer {
                    summary,
                    json: report::doc("capture", json),
                })
            }),
        )
        .await
    }

    /// The three-snapshot method against a live Node process in one call: warm-up, baseline,
    /// the action `repeat` times, target, a pause, final, then the `leaks` analysis. Runs shell
    /// commands, so the server must be started with --allow-exec.
    #[tool]
    async fn hunt(
        &self,
        Parameters(a): Parameters<HuntArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.run(ctx, Box::new(move |inner, progress| {
            if !inner.opts.allow_exec {
                return Err("hunt runs shell commands (action, exec); start the server with `heapsift mcp --allow-exec` to allow it".into());
            }
            let connect = Connect::one_of(a.inspect.as_deref(), a.pid, a.exec.as_deref(), None)
                .ok_or("give one of exec (a command), inspect (HOST:PORT) or pid")?
                .map_err(|e| format!("inspect: {e}"))?;
            let repeat = a.repeat.unwrap_or(10);
            if repeat == 0 {
                return Err("repeat: must be at least 1".into());
            }
            let wait = a.wait.unwrap_or(1.0);
            if !(wait.is_finite() && wait >= 0.0) {
                return Err(format!("wait: {wait} is not a number of seconds").into());
            }
            let (dir, _scratch) = match &a.keep {
                Some(d) => {
                    std::fs::create_dir_all(d).map_err(|e| format!("keep: {d}: {e}"))?;
                    (PathBuf::from(d), None)
                }
                None => {
                    let t = tempfile::Builder::new()
                        .prefix("heapsift-hunt-")
                        .tempdir()
                        .map_err(|e| format!("cannot make a scratch folder: {e}"))?;
                    (t.path().to_path_buf(), Some(t))
                }
            };
            let plan = capture::Hunt {
                connect,
                action: a.action.clone(),
                repeat,
                warmup: 1,
                wait: Duration::from_secs_f64(wait),
                dir,
                track_allocations: false,
            };
            let paths = capture::hunt(&plan, &inner.live_options(), progress, &|_| {}).map_err(|e| e.to_string())?;
            let strs: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            let mut answer = leaks_answer(inner, [&strs[0], &strs[1], &strs[2]], a.top.unwrap_or(5).clamp(1, 50), Some(repeat), progress)?;
            if a.keep.is_some() {
                answer.json["snapshots"] = json!(strs);
            }
            Ok(answer)
        }))
        .await
    }
}

impl Inner {
    fn live_options(&self) -> capture::Options {
        capture::Options {
            allow_remote: self.opts.allow_remote,
            ..capture::Options::default()
        }
    }
}

/// The `leaks` answer for three snapshot files (also `hunt`'s).
fn leaks_answer(
    inner: &Inner,
    paths: [&str; 3],
    top: usize,
    runs: Option<usize>,
    progress: &Progress,
) -> Result<Answer, ToolError> {
    let names: Vec<String> = paths.iter().map(|p| report::file_name(Path::new(p))).collect();
    let r = workflows::three_snapshot([&names[0], &names[1], &names[2]], &Default::default(), progress, |i| {
        inner.open(paths[i], progress).map(Shared).map_err(ToolError)
    })?;
    let json = report::leaks_json(&r.last, &names, r.candidates, &r.groups, top, runs);
    let groups = json["groups"].as_array().cloned().unwrap_or_default();
    let mut summary = format!(
        "{} objects new in {} and still alive in {}, in {} groups",
        thousands(r.candidates as u64),
        names[1],
        names[2],
        thousands(r.groups.len() as u64)
    );
    if let Some(runs) = runs {
        let growing = groups.iter().filter(|g| g["grows_per_action"] == json!(true)).count();
        summary.push_str(&match growing {
            0 => format!("\nNothing grows with every action: no group gains an object per run over {runs} runs."),
            n => format!("\n{n} group(s) grow with every action (at least one object per run over {runs} runs)."),
        });
    }
    let roots = groups.iter().filter(|g| g["minor"] != json!(true)).take(top);
    let s = &r.last;
    for g in roots {
        let first = g["ids"][0].as_u64().unwrap_or(0);
        let grp = r
            .groups
            .iter()
            .find(|grp| grp.nodes.iter().any(|&n| u64::from(s.graph.id(n).0) == first));
        // A container that only holds the leak (an emitter's listener array, the timer list) is
        // headlined by the objects of the user's code it holds, as the CLI's text does.
        let headline = match &g["leaked"] {
            Value::Object(l) => format!(
                "{}{} ×{} held in {} ×{}",
                l["class"].as_str().unwrap_or("?"),
                json_location(&l["location"]),
                l["count"],
                g["class"].as_str().unwrap_or("?"),
                g["count"]
            ),
            _ => format!(
                "{}{} ×{}",
                g["class"].as_str().unwrap_or("?"),
                grp.and_then(|grp| grp.nodes.first())
                    .map(|&v| names::defined_at_suffix(s, v))
                    .unwrap_or_default(),
                g["count"]
            ),
        };
        summary.push_str(&format!(
            "\n#{} {headline} retains {}{}",
            g["number"].as_str().unwrap_or("?"),
            bytes(g["retained_size"].as_f64().unwrap_or(0.0)),
            match (g["cause"]["kind"].as_str(), g["cause"]["holder"].as_str()) {
                (Some(kind), Some(holder)) => format!(
                    "; cause: {kind}: {holder}{}",
                    g["cause"]["evidence"]
                        .as_str()
                        .map(|e| format!("; {e}"))
                        .unwrap_or_default()
                ),
                _ => String::new(),
            }
        ));
        // The end of its path to the root: what holds it, on one line.
        if let Some(grp) = grp {
            let lines = names::path_lines(s, &grp.path);
            let tail: Vec<&str> = lines.iter().rev().take(4).rev().map(|l| l.trim()).collect();
            summary.push_str(&format!(
                "\n   held by: {}{}",
                if lines.len() > 4 { "… " } else { "" },
                tail.join("  ")
            ));
        }
        if let Some(fix) = g["cause"]["fix"].as_str() {
            summary.push_str(&format!("\n   fix: {fix}"));
        }
    }
    Ok(Answer {
        summary,
        json: report::doc(if runs.is_some() { "hunt" } else { "leaks" }, json),
    })
}

/// ` (kinds.js:36:14)` from a JSON location, or nothing.
fn json_location(l: &Value) -> String {
    match (l["url"].as_str(), l["line"].as_u64(), l["column"].as_u64()) {
        (Some(url), Some(line), Some(column)) => {
            format!(" ({}:{line}:{column})", url.rsplit('/').next().unwrap_or(url))
        }
        _ => String::new(),
    }
}

/// Retainers of `v`, nearest a root first, `depth` levels deep and `width` wide, skipping
/// objects already on the chain.
fn retainer_tree(s: &Open, v: NodeId, depth: usize, width: usize, chain: &mut Vec<NodeId>) -> Value {
    let g = &s.graph;
    let mut all = query::retainers(s, v, None);
    all.sort_by_key(|r| (s.distances[r.from].shown().unwrap_or(i32::MAX), g.id(r.from).0));
    let total = all.len();
    let next: Vec<_> = all
        .into_iter()
        .filter(|r| !chain.contains(&r.from))
        .take(width)
        .collect();
    let items: Vec<Value> = next
        .into_iter()
        .map(|r| {
            let mut item = json!({
                "edge": query::edge_label(g, r.edge),
                "edge_type": g.edge_type_name(r.edge),
                "from": node_brief(s, r.from),
            });
            if depth > 1 {
                chain.push(r.from);
                item["retainers"] = retainer_tree(s, r.from, depth - 1, width.min(5), chain);
                chain.pop();
            }
            item
        })
        .collect();
    let more = total.saturating_sub(items.len());
    json!({"total": total, "more": more, "items": items})
}

/// Why a tool call failed: one line for the agent.
struct ToolError(String);

impl From<String> for ToolError {
    fn from(line: String) -> Self {
        ToolError(line)
    }
}

impl From<&str> for ToolError {
    fn from(line: &str) -> Self {
        ToolError(line.to_owned())
    }
}

impl From<crate::error::Error> for ToolError {
    fn from(e: crate::error::Error) -> Self {
        ToolError(e.to_string())
    }
}

impl Server {
    /// Runs `work` on a blocking thread, reporting progress while it runs (when the client gave
    /// a progress token) and cancelling it when the client cancels the call.
    async fn run(&self, ctx: RequestContext<RoleServer>, work: Work) -> Result<CallToolResult, McpError> {
        let progress = Progress::new();
        let inner = self.inner.clone();
        let p = progress.clone();
        let mut job = tokio::task::spawn_blocking(move || work(&inner, &p));
        let token = ctx.meta.get_progress_token();
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.tick().await;
        let mut step = 0.0;
        let result = loop {
            tokio::select! {
                r = &mut job => break r,
                _ = ctx.ct.cancelled() => {
                    progress.cancel();
                    break (&mut job).await;
                }
                _ = tick.tick() => {
                    if let Some(token) = &token {
                        let view = progress.view();
                        step = (step + 1.0f64).max(view.overall as f64 * 100.0);
                        let note = ProgressNotificationParam::new(token.clone(), step)
                            .with_message(view.phase.label().to_string());
                        let _ = ctx.peer.notify_progress(note).await;
                    }
                }
            }
        };
        Ok(match result {
            Ok(Ok(mut answer)) => {
                bound(&mut answer.json);
                let mut r = CallToolResult::structured(answer.json.clone());
                r.content = vec![
                    ContentBlock::text(answer.summary),
                    ContentBlock::text(answer.json.to_string()),
                ];
                r
            }
            Ok(Err(ToolError(line))) => CallToolResult::error(vec![ContentBlock::text(line)]),
            Err(e) => CallToolResult::error(vec![ContentBlock::text(format!(
                "heapsift failed on this call ({e}); the server keeps serving"
            ))]),
        })
    }
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("heapsift", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "heapsift analyses V8 heap snapshots (Node.js, Chrome, Electron) with Chrome DevTools' exact numbers. \
                 To find a leak: take three snapshots (before, after repeating the suspect action, a little later) with \
                 `capture`, or let `hunt` do it; call `leaks` on them; then `object`, `path_to_root` or `retainers` on \
                 an id from its answer; `find_objects` asks about objects' contents. Paths are files on this machine; \
                 the first call on a big file takes seconds (it is indexed once and reopens in well under a second).",
            )
    }
}
