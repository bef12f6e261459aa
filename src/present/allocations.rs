//! Allocation stacks as people read them: `make (app.js:4:14) ← handler (app.js:5:17)`, and as
//! JSON in DevTools' field names.

use serde_json::{Value, json};

use crate::analysis::Snapshot;
use crate::analysis::allocations::{AllocationProfile, Callers, Counts, Frame, Top};
use crate::analysis::scripts::short_name;
use crate::format::traces::{AllocationTraces, TraceFunction};
use crate::model::{Graph, NodeId};
use crate::text::preview;

/// The name V8 gives the allocation tree's root; it is no caller anyone wrote.
const ROOT: &str = "(root)";

pub fn function_name<'g>(g: &'g Graph, f: &TraceFunction) -> &'g str {
    match g.strings().get(f.name) {
        "" => "(anonymous)",
        name => name,
    }
}

/// `app.js:4:14` (V8 records 1-based positions), or `None` when the function has no script.
pub fn position(g: &Graph, f: &TraceFunction) -> Option<String> {
    let script = g.strings().get(f.script_name);
    if script.is_empty() {
        return None;
    }
    let file = short_name(script);
    Some(if f.line == 0 {
        file.to_owned()
    } else {
        format!("{file}:{}:{}", f.line, f.column)
    })
}

/// `make (app.js:4:14)`, or the name alone for V8's own functions.
pub fn frame_label(g: &Graph, f: &TraceFunction) -> String {
    let name = preview(function_name(g, f), 60);
    match position(g, f) {
        Some(p) => format!("{name} ({p})"),
        None => name,
    }
}

/// Whether a frame is the tree's root, which stands for no function.
pub fn is_root(g: &Graph, f: &TraceFunction) -> bool {
    g.strings().get(f.name) == ROOT && g.strings().get(f.script_name).is_empty()
}

/// A stack on one line, innermost first, at most `max` frames: `Thing (app.js:2:26) ← make
/// (app.js:4:14) ← handler (app.js:5:17)`. The root is left out.
pub fn stack_line(g: &Graph, frames: &[Frame], max: usize) -> String {
    let shown: Vec<&Frame> = frames.iter().filter(|f| !is_root(g, f.function)).collect();
    let mut out: Vec<String> = shown.iter().take(max).map(|f| frame_label(g, f.function)).collect();
    if shown.len() > max {
        out.push("…".into());
    }
    out.join(" ← ")
}

/// A stack as DevTools' `allocationStack` gives it: innermost first, root included.
pub fn stack_json(g: &Graph, frames: &[Frame]) -> Value {
    frames.iter().map(|f| function_json(g, f.function)).collect::<Vec<_>>().into()
}

fn function_json(g: &Graph, f: &TraceFunction) -> Value {
    json!({
        "function_name": g.strings().get(f.name),
        "script_name": g.strings().get(f.script_name),
        "script_id": f.script_id,
        "line": f.line,
        "column": f.column,
    })
}

/// The stack of one object as JSON, or `null` when none was recorded.
pub fn object_stack_json(s: &Snapshot, v: NodeId) -> Value {
    match &s.allocations {
        Some(p) if s.graph.trace_node_id(v) != 0 => stack_json(&s.graph, &p.stack_of(&s.graph, v)),
        _ => Value::Null,
    }
}

fn counts_json(c: &Counts) -> [(&'static str, Value); 4] {
    [
        ("count", c.count.into()),
        ("size", c.size.into()),
        ("live_count", c.live_count.into()),
        ("live_size", c.live_size.into()),
    ]
}

/// One Allocation view row in devtools-reference's schema, with its callers when given.
pub fn top_json(g: &Graph, t: &AllocationTraces, top: &Top, callers: Option<&Callers>) -> Value {
    let f = &t.functions[top.function as usize];
    let mut v = json!({
        "name": g.strings().get(f.name),
        "script_name": g.strings().get(f.script_name),
        "script_id": f.script_id,
        "line": f.line,
        "column": f.column,
        "has_callers": top.has_callers,
    });
    for (k, x) in counts_json(&top.counts) {
        v[k] = x;
    }
    if let Some(c) = callers {
        v["callers"] = c.callers.iter().map(|c| callers_json(g, t, c)).collect::<Vec<_>>().into();
    }
    v
}

fn callers_json(g: &Graph, t: &AllocationTraces, c: &Callers) -> Value {
    let mut v = function_json(g, &t.functions[c.function as usize]);
    for (k, x) in counts_json(&c.counts) {
        v[k] = x;
    }
    v["callers"] = c.callers.iter().map(|c| callers_json(g, t, c)).collect::<Vec<_>>().into();
    v
}

/// The heaviest chain of callers of a bottom-up node, outermost last: at each level the caller
/// that allocated the most.
pub fn main_callers<'c>(c: &'c Callers) -> Vec<&'c Callers> {
    let mut out = Vec::new();
    let mut at = c;
    while let Some(next) = at.callers.iter().max_by_key(|x| (x.counts.size, std::cmp::Reverse(x.function))) {
        out.push(next);
        at = next;
    }
    out
}

/// The stacks that made a group of objects, most objects first: (stack line, objects). Stacks
/// that read the same in their first `frames` frames count as one.
pub fn group_stacks(s: &Snapshot, objects: impl IntoIterator<Item = NodeId>, frames: usize, max: usize) -> Vec<(String, u64)> {
    let (Some(p), Some(t)) = (&s.allocations, s.graph.traces()) else {
        return Vec::new();
    };
    let mut lines: Vec<(String, u64)> = Vec::new();
    for (id, n) in AllocationProfile::stacks_of(&s.graph, objects) {
        let line = stack_line(&s.graph, &p.stack(t, id), frames);
        match lines.iter_mut().find(|l| l.0 == line) {
            Some(l) => l.1 += n,
            None => lines.push((line, n)),
        }
    }
    lines.sort_by(|a, b| b.1.cmp(&a.1));
    lines.truncate(max);
    lines
}
