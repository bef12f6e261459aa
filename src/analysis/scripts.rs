//! Which script a location's `script_id` is, from the snapshot alone: a closure's `shared` edge
//! leads to its SharedFunctionInfo, whose `script` edge (V8 ≥ 12) or `script_or_debug_info` edge
//! (V8 11, Node 20) leads to the Script node; the Script's `name` edge holds its URL or path and
//! its `source` edge its text. Locations then read `app.js:23:15` instead of `script 82`.

use std::collections::HashMap;

use super::sourcemaps::{Original, SourceMaps};
use crate::model::{EdgeKind, Graph, Location, NodeId, NodeKind};

/// One script, found through a closure defined in it.
#[derive(Debug, Clone)]
pub struct Script {
    pub node: NodeId,
    /// Its URL or path as the snapshot has it; empty for scripts without one (`eval`, inline).
    pub url: String,
}

/// Where a closure is defined.
pub(crate) type ClosureLocation = (NodeId, Location);

#[derive(Debug, Default)]
pub struct Scripts {
    by_id: HashMap<u32, Script>,
    /// Locations of closures (node, script id, line, column), sorted by node: where a
    /// function is defined, for its source lines.
    closures: Vec<(NodeId, Location)>,
    /// The scripts' source maps, once the engine has looked for them (after loading).
    maps: std::sync::OnceLock<std::sync::Arc<SourceMaps>>,
}

/// V8 writes at most this many characters of a string into a snapshot.
const SNAPSHOT_STRING_LIMIT: usize = 1024;

/// Closures tried per script id before giving up on it: every closure of one script leads to
/// the same Script node, so a few failures mean the snapshot lacks the edges.
const TRIES_PER_SCRIPT: u8 = 4;

impl Scripts {
    /// Resolves every script id of `locations` (`[node, script_id, line, column]`, sorted by
    /// node) that some closure of that script leads to.
    pub fn build(g: &Graph, locations: &[[u32; 4]]) -> Scripts {
        let mut by_id: HashMap<u32, Script> = HashMap::new();
        let mut tries: HashMap<u32, u8> = HashMap::new();
        let mut closures = Vec::new();
        for l in locations {
            let v = NodeId::new(l[0]);
            if v.index() >= g.node_count() || g.kind(v) != NodeKind::Closure {
                continue;
            }
            let location = Location {
                script_id: l[1],
                line: l[2],
                column: l[3],
            };
            closures.push((v, location));
            if by_id.contains_key(&location.script_id) {
                continue;
            }
            let tried = tries.entry(location.script_id).or_insert(0);
            if *tried >= TRIES_PER_SCRIPT {
                continue;
            }
            *tried += 1;
            if let Some(node) = script_of_closure(g, v) {
                let text = |edge: &str| {
                    edge_to(g, node, edge)
                        .filter(|&n| g.kind(n).is_string())
                        .map(|n| g.strings().get(g.name_index(n)))
                };
                // Evaluated code has no name; V8 then takes its `//# sourceURL=` comment.
                let url = text("name")
                    .filter(|u| !u.is_empty())
                    .or_else(|| text("source").and_then(source_url_comment))
                    .unwrap_or_default()
                    .to_owned();
                by_id.insert(location.script_id, Script { node, url });
            }
        }
        closures.sort_unstable_by_key(|c| c.0);
        Scripts {
            by_id,
            closures,
            maps: Default::default(),
        }
    }

    /// The script names alone, without the closures' locations: what a report needs after its
    /// snapshot is dropped.
    pub(crate) fn names_only(&self) -> Scripts {
        Scripts {
            by_id: self.by_id.clone(),
            closures: Vec::new(),
            maps: self.maps.clone(),
        }
    }

    /// Every resolved script by id (ascending), and the closures' locations: what an index
    /// file stores.
    pub fn parts(&self) -> (Vec<(u32, &Script)>, &[ClosureLocation]) {
        let mut ids: Vec<(u32, &Script)> = self.by_id.iter().map(|(&id, s)| (id, s)).collect();
        ids.sort_unstable_by_key(|e| e.0);
        (ids, &self.closures)
    }

    /// Scripts from stored parts; `None` unless the closures are sorted by node.
    pub(crate) fn from_parts(by_id: Vec<(u32, Script)>, closures: Vec<ClosureLocation>) -> Option<Scripts> {
        closures.windows(2).all(|w| w[0].0 <= w[1].0).then(|| Scripts {
            by_id: by_id.into_iter().collect(),
            closures,
            maps: Default::default(),
        })
    }

    pub fn get(&self, script_id: u32) -> Option<&Script> {
        self.by_id.get(&script_id)
    }

    /// The script's URL or path, when it has one.
    pub fn url(&self, script_id: u32) -> Option<&str> {
        self.get(script_id).map(|s| s.url.as_str()).filter(|u| !u.is_empty())
    }

    /// Where a closure is defined.
    pub(crate) fn closure_location(&self, v: NodeId) -> Option<Location> {
        self.closures
            .binary_search_by_key(&v, |c| c.0)
            .ok()
            .map(|i| self.closures[i].1)
    }

    /// Gives the scripts their source maps (once; later calls are ignored).
    pub fn set_maps(&self, maps: std::sync::Arc<SourceMaps>) {
        let _ = self.maps.set(maps);
    }

    pub fn maps(&self) -> Option<&SourceMaps> {
        self.maps.get().map(|m| &**m)
    }

    /// The maps to share with another copy of the same snapshot.
    pub fn shared_maps(&self) -> Option<std::sync::Arc<SourceMaps>> {
        self.maps.get().cloned()
    }

    /// Where a position of a script (0-based) came from, when its source map says.
    pub fn original(&self, l: Location) -> Option<Original> {
        self.maps()?.position(l.script_id, l.line, l.column)
    }

    /// The original name of the class or function `minified` declared at `l`, when a source
    /// map gives one (`TenantProfile` for esbuild's `o`).
    pub fn original_name(&self, l: Location, minified: &str) -> Option<String> {
        self.maps()?.name(l.script_id, l.line, l.column, minified)
    }

    /// `app.js:23:15` (1-based, as DevTools shows locations), or `script 82:23:15` when the
    /// script has no name; through a source map, the original file's (`profiles.ts:9:3`).
    pub fn format(&self, l: Location) -> String {
        if let Some(o) = self.original(l) {
            return format!("{}:{}:{}", short_name(&o.source), o.line + 1, o.column + 1);
        }
        self.format_generated(l)
    }

    /// The position in the script V8 ran, never mapped.
    pub fn format_generated(&self, l: Location) -> String {
        let file = match self.url(l.script_id) {
            Some(url) => short_name(url).to_owned(),
            None => format!("script {}", l.script_id),
        };
        format!("{file}:{}:{}", l.line + 1, l.column + 1)
    }

    /// The full URL with the position, for hover text and reports; through a source map, the
    /// original source's, then the generated position in brackets.
    pub(crate) fn format_full(&self, l: Location) -> String {
        let generated = match self.url(l.script_id) {
            Some(url) => format!("{url}:{}:{}", l.line + 1, l.column + 1),
            None => format!("script {}:{}:{}", l.script_id, l.line + 1, l.column + 1),
        };
        match self.original(l) {
            Some(o) => format!("{}:{}:{} (generated: {generated})", o.source, o.line + 1, o.column + 1),
            None => generated,
        }
    }

    /// The script's source text, when the snapshot holds it (Node snapshots do).
    pub fn source<'g>(&self, g: &'g Graph, script_id: u32) -> Option<&'g str> {
        let script = self.get(script_id)?;
        let s = edge_to(g, script.node, "source").filter(|&n| g.kind(n).is_string())?;
        Some(g.strings().get(g.name_index(s)))
    }

    /// Up to `context` lines either side of the location's line, numbered 1-based:
    /// `(line number, text, is the location's line)`.
    pub fn source_lines(&self, g: &Graph, l: Location, context: u32) -> Option<Vec<(u32, String, bool)>> {
        let source = self.source(g, l.script_id)?;
        let first = l.line.saturating_sub(context);
        let total = source.lines().count();
        // V8 keeps only the first 1,024 characters of a string: a last line without its end
        // is shown cut, with "…".
        let cut = !source.ends_with('\n') && source.chars().count() >= SNAPSHOT_STRING_LIMIT;
        let lines: Vec<(u32, String, bool)> = source
            .lines()
            .enumerate()
            .skip(first as usize)
            .take((l.line - first + context + 1) as usize)
            .map(|(i, text)| {
                let text = if cut && i + 1 == total {
                    format!("{text}…")
                } else {
                    text.to_owned()
                };
                (i as u32 + 1, text, i as u32 == l.line)
            })
            .collect();
        lines.iter().any(|x| x.2).then_some(lines)
    }
}

/// The file name of a path or URL (`https://x.test/js/app.js?v=3` → `app.js`); names without
/// a path (`node:events`, `extensions::SafeBuiltins`) stay whole.
pub(crate) fn short_name(url: &str) -> &str {
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let trimmed = without_query.trim_end_matches('/');
    match trimmed.rfind(['/', '\\']) {
        Some(i) if i + 1 < trimmed.len() && !url.starts_with("node:") => &trimmed[i + 1..],
        _ => url,
    }
}

/// The URL a `//# sourceURL=…` (or the older `//@ sourceURL=…`) comment gives a script. Only
/// the end of the source is searched: the comment must be the script's last line or near it.
pub(crate) fn source_url_comment(source: &str) -> Option<&str> {
    let mut start = source.len().saturating_sub(4096);
    while !source.is_char_boundary(start) {
        start += 1;
    }
    let tail = &source[start..];
    let at = tail.rfind("sourceURL=")?;
    let before = tail[..at].trim_end_matches(' ');
    if !(before.ends_with("//#") || before.ends_with("//@")) {
        return None;
    }
    let url = tail[at + "sourceURL=".len()..].split(char::is_whitespace).next()?;
    (!url.is_empty()).then_some(url)
}

/// The target of `v`'s first edge named `name` (property, internal or other named edges).
pub(crate) fn edge_to(g: &Graph, v: NodeId, name: &str) -> Option<NodeId> {
    g.edges(v)
        .find(|&e| {
            !matches!(g.edge_kind(e), EdgeKind::Element | EdgeKind::Hidden)
                && g.strings().get(g.edge_name_index(e)) == name
        })
        .map(|e| g.to(e))
}

/// closure —shared→ SharedFunctionInfo —script / script_or_debug_info→ Script.
fn script_of_closure(g: &Graph, v: NodeId) -> Option<NodeId> {
    let shared = edge_to(g, v, "shared")?;
    let script = edge_to(g, shared, "script").or_else(|| edge_to(g, shared, "script_or_debug_info"))?;
    // A SharedFunctionInfo with debug info points at a DebugInfo, whose own `script` is the Script.
    if g.strings().get(g.name_index(script)).contains("DebugInfo") {
        return edge_to(g, script, "script");
    }
    Some(script)
}

#[cfg(test)]
mod tests {
    use super::{short_name, source_url_comment};

    #[test]
    fn source_url_comments() {
        assert_eq!(source_url_comment("f();\n//# sourceURL=leak.js\n"), Some("leak.js"));
        assert_eq!(
            source_url_comment("f();\n//@ sourceURL=http://x/a.js"),
            Some("http://x/a.js")
        );
        assert_eq!(source_url_comment("let sourceURL=1;"), None);
        assert_eq!(source_url_comment("f()"), None);
    }

    #[test]
    fn short_names() {
        assert_eq!(short_name("/srv/app/src/app.js"), "app.js");
        assert_eq!(short_name("file:///srv/app/app.js"), "app.js");
        assert_eq!(short_name("https://x.test/js/app.js?v=3#x"), "app.js");
        assert_eq!(short_name("node:internal/util/debuglog"), "node:internal/util/debuglog");
        assert_eq!(short_name("extensions::SafeBuiltins"), "extensions::SafeBuiltins");
        assert_eq!(short_name("C:\\app\\server.js"), "server.js");
        assert_eq!(short_name("https://x.test/"), "x.test");
    }
}
