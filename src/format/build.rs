//! Snapshot files written by hand, node by node: the JSON text of a small heap snapshot in V8's
//! format, for tests and examples (it is parsed like any file).

use std::fmt::Write;

/// The JSON text of a small snapshot in V8's format, built node by node. Nodes are added in order (the first is the root);
/// edges may be added in any order and are grouped by source when written.
#[derive(Default, Clone)]
pub struct SnapshotJson {
    strings: Vec<String>,
    nodes: Vec<(&'static str, u32, u32, u64, u8)>,
    edges: Vec<(usize, &'static str, u32, usize)>,
    locations: Vec<(usize, u32, u32, u32)>,
    with_detachedness: bool,
    /// Allocation traces: function names, and (id, function, count, size, parent position).
    trace_functions: Vec<String>,
    trace_tree: Vec<TraceRecord>,
    trace_ids: Vec<(usize, u32)>,
}

/// A trace tree node for [`SnapshotJson::traces`]: id, function index, count, size and the
/// position of its parent (`None` for the root, which comes first).
pub type TraceRecord = (u32, u32, u64, u64, Option<usize>);

pub(crate) const NODE_TYPES: [&str; 15] = [
    "hidden",
    "array",
    "string",
    "object",
    "code",
    "closure",
    "regexp",
    "number",
    "native",
    "synthetic",
    "concatenated string",
    "sliced string",
    "symbol",
    "bigint",
    "object shape",
];
pub const EDGE_TYPES: [&str; 7] = [
    "context", "element", "property", "internal", "hidden", "shortcut", "weak",
];

impl SnapshotJson {
    pub fn new() -> Self {
        let mut b = SnapshotJson {
            with_detachedness: true,
            ..Default::default()
        };
        b.string("<dummy>");
        b
    }

    pub fn without_detachedness(mut self) -> Self {
        self.with_detachedness = false;
        self
    }

    pub fn string(&mut self, s: &str) -> u32 {
        if let Some(i) = self.strings.iter().position(|x| x == s) {
            return i as u32;
        }
        self.strings.push(s.to_owned());
        (self.strings.len() - 1) as u32
    }

    /// Adds a node and returns its ordinal.
    pub fn node(&mut self, ty: &'static str, name: &str, id: u32, self_size: u64) -> usize {
        self.node_detached(ty, name, id, self_size, 0)
    }

    pub fn node_detached(&mut self, ty: &'static str, name: &str, id: u32, self_size: u64, detachedness: u8) -> usize {
        assert!(NODE_TYPES.contains(&ty), "unknown node type {ty}");
        let name = self.string(name);
        self.nodes.push((ty, name, id, self_size, detachedness));
        self.nodes.len() - 1
    }

    /// Adds an edge; `name` is a property name, or a decimal index for element/hidden edges.
    pub fn edge(&mut self, from: usize, ty: &'static str, name: &str, to: usize) {
        assert!(EDGE_TYPES.contains(&ty), "unknown edge type {ty}");
        let name = if ty == "element" || ty == "hidden" {
            name.parse().expect("element and hidden edges take numeric names")
        } else {
            self.string(name)
        };
        self.edges.push((from, ty, name, to));
    }

    pub fn location(&mut self, node: usize, script: u32, line: u32, column: u32) {
        self.locations.push((node, script, line, column));
    }

    /// Makes the snapshot a tracked one: functions (script `app.js`, function k on line k + 1)
    /// and the allocation tree, parents before children.
    pub fn traces(&mut self, functions: &[&str], tree: &[TraceRecord]) {
        self.trace_functions = functions.iter().map(|s| s.to_string()).collect();
        self.trace_tree = tree.to_vec();
    }

    /// Sets the trace node id that allocated `node`.
    pub fn trace_node(&mut self, node: usize, id: u32) {
        self.trace_ids.push((node, id));
    }

    fn trace_sections(&mut self) -> String {
        if self.trace_tree.is_empty() {
            return String::new();
        }
        let script = self.string("app.js");
        let functions = self.trace_functions.clone();
        let infos: Vec<String> = (functions.iter().enumerate())
            .map(|(k, name)| format!("{k},{},{script},1,{},1", self.string(name), k + 1))
            .collect();
        fn write_node(tree: &[TraceRecord], k: usize, out: &mut String) {
            let (id, f, count, size, _) = tree[k];
            write!(out, "{id},{f},{count},{size},[").unwrap();
            let children: Vec<usize> = (0..tree.len()).filter(|&c| tree[c].4 == Some(k)).collect();
            for (i, c) in children.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_node(tree, c, out);
            }
            out.push(']');
        }
        let mut tree = String::new();
        write_node(&self.trace_tree, 0, &mut tree);
        format!(
            "\"trace_function_infos\":[{}],\"trace_tree\":[{tree}],",
            infos.join(",")
        )
    }

    pub fn to_json(&self) -> String {
        let mut this = self.clone();
        // Trace function names join the strings, which are written last.
        let traces = this.trace_sections();
        this.write_json(&traces)
    }

    fn write_json(&self, traces: &str) -> String {
        let nf = if self.with_detachedness { 7 } else { 6 };
        let mut out = String::new();
        let node_fields = if self.with_detachedness {
            r#"["type","name","id","self_size","edge_count","trace_node_id","detachedness"]"#
        } else {
            r#"["type","name","id","self_size","edge_count","trace_node_id"]"#
        };
        let types = NODE_TYPES
            .iter()
            .map(|t| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(",");
        let etypes = EDGE_TYPES
            .iter()
            .map(|t| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(",");
        write!(
            out,
            r#"{{"snapshot":{{"meta":{{"node_fields":{node_fields},"node_types":[[{types}],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[[{etypes}],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"],"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],"trace_node_fields":["id","function_info_index","count","size","children"]}},"node_count":{},"edge_count":{},"trace_function_count":{}}},"#,
            self.nodes.len(),
            self.edges.len(),
            self.trace_functions.len()
        )
        .unwrap();
        let mut by_source: Vec<Vec<&(usize, &str, u32, usize)>> = vec![Vec::new(); self.nodes.len()];
        for e in &self.edges {
            by_source[e.0].push(e);
        }
        let mut vals: Vec<String> = Vec::new();
        for (i, (ty, name, id, size, det)) in self.nodes.iter().enumerate() {
            let t = NODE_TYPES.iter().position(|x| x == ty).unwrap();
            let trace = self.trace_ids.iter().rfind(|x| x.0 == i).map_or(0, |x| x.1);
            let mut rec = format!("{t},{name},{id},{size},{},{trace}", by_source[i].len());
            if self.with_detachedness {
                write!(rec, ",{det}").unwrap();
            }
            vals.push(rec);
        }
        write!(out, "\"nodes\":[{}],", vals.join(",")).unwrap();
        let mut evals: Vec<String> = Vec::new();
        for list in &by_source {
            for (_, ty, name, to) in list {
                let t = EDGE_TYPES.iter().position(|x| x == ty).unwrap();
                evals.push(format!("{t},{name},{}", to * nf));
            }
        }
        write!(out, "\"edges\":[{}],", evals.join(",")).unwrap();
        let locs: Vec<String> = self
            .locations
            .iter()
            .map(|(n, s, l, c)| format!("{},{s},{l},{c}", n * nf))
            .collect();
        write!(out, "\"locations\":[{}],", locs.join(",")).unwrap();
        out.push_str(traces);
        let strings: Vec<String> = self.strings.iter().map(|s| serde_json::to_string(s).unwrap()).collect();
        write!(out, "\"strings\":[{}]}}", strings.join(",")).unwrap();
        out
    }
}
