//! Allocation stacks as people read them: `make (app.js:4:14) ← handler (app.js:5:17)`, and as
//! JSON in DevTools' field names.

use serde_json::{Value, json};

use crate::analysis::Snapshot;
use crate::analysis::allocations::{AllocationProfile, Callers, Counts, Frame, Top};
use crate::analysis::leaks::LeakGroup;
use crate::analysis::scripts::short_name;
use crate::analysis::sourcemaps::Original;
use crate::format::traces::{AllocationTraces, TraceFunction};
use crate::model::{Graph, NodeId};
use crate::text::preview;

/// The name V8 gives the allocation tree's root; it is no caller anyone wrote.
const ROOT: &str = "(root)";

/// The function's name: through a source map, the original one of a minified name.
pub fn function_name(s: &Snapshot, f: &TraceFunction) -> String {
    let name = s.graph.strings().get(f.name);
    if let Some(original) = original_of(s, f)
        .and_then(|_| (s.scripts.maps()?).name(f.script_id, f.line.saturating_sub(1), f.column.saturating_sub(1), name))
    {
        return original;
    }
    match name {
        "" => "(anonymous)".to_owned(),
        name => name.to_owned(),
    }
}

/// Where the function came from, when its script has a source map.
fn original_of(s: &Snapshot, f: &TraceFunction) -> Option<Original> {
    if f.line == 0 {
        return None;
    }
    s.scripts
        .maps()?
        .position(f.script_id, f.line - 1, f.column.saturating_sub(1))
}

/// `app.js:4:14` (V8 records 1-based positions), through a source map the original file's
/// (`profiles.ts:17:17`), or `None` when the function has no script.
pub fn position(s: &Snapshot, f: &TraceFunction) -> Option<String> {
    if let Some(o) = original_of(s, f) {
        return Some(format!("{}:{}:{}", short_name(&o.source), o.line + 1, o.column + 1));
    }
    let script = s.graph.strings().get(f.script_name);
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
pub fn frame_label(s: &Snapshot, f: &TraceFunction) -> String {
    let name = preview(&function_name(s, f), 60);
    match position(s, f) {
        Some(p) => format!("{name} ({p})"),
        None => name,
    }
}

/// Whether a frame is the tree's root, which stands for no function.
pub fn is_root(g: &Graph, f: &TraceFunction) -> bool {
    g.strings().get(f.name) == ROOT && g.strings().get(f.script_name).is_empty()
}

/// Whether a frame is in code someone wrote or installed (not Node's own `node:` modules, not
/// V8's builtins, which have no script).
fn is_users(g: &Graph, f: &TraceFunction) -> bool {
    let script = g.strings().get(f.script_name);
    !script.is_empty() && !script.starts_with("node:")
}

/// The frames of a stack worth reading, innermost first: up to `max`, and once the user's code
/// has been reached, none of the runtime that called it. The root is left out; `true` when
/// frames were cut.
pub fn readable_frames<'t>(g: &Graph, frames: &[Frame<'t>], max: usize) -> (Vec<Frame<'t>>, bool) {
    let mut out = Vec::new();
    let mut seen_users = false;
    for f in frames.iter().filter(|f| !is_root(g, f.function)) {
        let users = is_users(g, f.function);
        if out.len() == max || (seen_users && !users) {
            return (out, true);
        }
        seen_users |= users;
        out.push(*f);
    }
    (out, false)
}

/// A stack on one line: `make (app.js:4:14) ← handler (app.js:5:17) ← …`.
pub fn stack_line(s: &Snapshot, frames: &[Frame], max: usize) -> String {
    let (shown, cut) = readable_frames(&s.graph, frames, max);
    let mut out: Vec<String> = shown.iter().map(|f| frame_label(s, f.function)).collect();
    if cut {
        out.push("…".into());
    }
    out.join(" ← ")
}

/// A stack as DevTools' `allocationStack` gives it: innermost first, root included; a frame
/// whose script has a source map also gives its `original` position and name.
pub fn stack_json(s: &Snapshot, frames: &[Frame]) -> Value {
    frames
        .iter()
        .map(|f| function_json(s, f.function))
        .collect::<Vec<_>>()
        .into()
}

fn function_json(s: &Snapshot, f: &TraceFunction) -> Value {
    let g = &s.graph;
    let mut v = json!({
        "function_name": g.strings().get(f.name),
        "script_name": g.strings().get(f.script_name),
        "script_id": f.script_id,
        "line": f.line,
        "column": f.column,
    });
    if let Some(o) = original_json(s, f) {
        v["original"] = o;
    }
    v
}

/// Where a frame's function came from, through its script's source map, with its original name.
fn original_json(s: &Snapshot, f: &TraceFunction) -> Option<Value> {
    let o = original_of(s, f)?;
    Some(json!({
        "source": o.source,
        "line": o.line + 1,
        "column": o.column + 1,
        "name": function_name(s, f),
    }))
}

/// The stack of one object as JSON: `[]` when none was recorded for it, `null` when the
/// snapshot was taken without allocation tracking.
pub fn object_stack_json(s: &Snapshot, v: NodeId) -> Value {
    match &s.allocations {
        Some(p) => stack_json(s, &p.stack_of(&s.graph, v)),
        None => Value::Null,
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
pub fn top_json(s: &Snapshot, t: &AllocationTraces, top: &Top, callers: Option<&Callers>) -> Value {
    let g = &s.graph;
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
        v["callers"] = c
            .callers
            .iter()
            .map(|c| callers_json(s, t, c))
            .collect::<Vec<_>>()
            .into();
    }
    if let Some(o) = original_json(s, f) {
        v["original"] = o;
    }
    v
}

fn callers_json(s: &Snapshot, t: &AllocationTraces, c: &Callers) -> Value {
    let mut v = function_json(s, &t.functions[c.function as usize]);
    for (k, x) in counts_json(&c.counts) {
        v[k] = x;
    }
    v["callers"] = c
        .callers
        .iter()
        .map(|c| callers_json(s, t, c))
        .collect::<Vec<_>>()
        .into();
    v
}

/// The heaviest chain of callers of a bottom-up node, outermost last: at each level the caller
/// that allocated the most.
pub fn main_callers(c: &Callers) -> Vec<&Callers> {
    let mut out = Vec::new();
    let mut at = c;
    while let Some(next) = at
        .callers
        .iter()
        .max_by_key(|x| (x.counts.size, std::cmp::Reverse(x.function)))
    {
        out.push(next);
        at = next;
    }
    out
}

/// A stack that made some of a group's objects, as read ([`readable_frames`]).
#[derive(Debug, Clone)]
pub struct MadeBy<'t> {
    pub frames: Vec<Frame<'t>>,
    pub cut: bool,
    pub count: u64,
}

impl MadeBy<'_> {
    pub fn line(&self, s: &Snapshot) -> String {
        let mut out: Vec<String> = self.frames.iter().map(|f| frame_label(s, f.function)).collect();
        if self.cut {
            out.push("…".into());
        }
        out.join(" ← ")
    }

    pub fn json(&self, s: &Snapshot) -> Value {
        json!({"count": self.count, "frames": stack_json(s, &self.frames), "more_frames": self.cut})
    }
}

/// How many frames a group's stack shows at most.
pub const GROUP_FRAMES: usize = 4;

/// The stacks that made a group of objects, most objects first. Stacks that read the same
/// count as one. `None` for an untracked snapshot.
pub fn made_by<'t>(s: &'t Snapshot, objects: impl IntoIterator<Item = NodeId>) -> Option<Vec<MadeBy<'t>>> {
    let g = &s.graph;
    made_by_traces(s, objects.into_iter().map(|v| g.trace_node_id(v)))
}

/// The stacks of a leak group's members, from the target snapshot where the method read them.
pub fn made_by_group<'t>(s: &'t Snapshot, grp: &LeakGroup) -> Option<Vec<MadeBy<'t>>> {
    if grp.trace_nodes.is_empty() {
        made_by(s, grp.nodes.iter().copied())
    } else {
        made_by_traces(s, grp.trace_nodes.iter().copied())
    }
}

fn made_by_traces<'t>(s: &'t Snapshot, trace_nodes: impl IntoIterator<Item = u32>) -> Option<Vec<MadeBy<'t>>> {
    let (Some(p), Some(t)) = (&s.allocations, s.graph.traces()) else {
        return None;
    };
    let mut out: Vec<MadeBy> = Vec::new();
    for (id, n) in AllocationProfile::count_traces(trace_nodes) {
        let (frames, cut) = readable_frames(&s.graph, &p.stack(t, id), GROUP_FRAMES);
        match out.iter_mut().find(|m| m.frames == frames) {
            Some(m) => m.count += n,
            None => out.push(MadeBy { frames, cut, count: n }),
        }
    }
    out.sort_by_key(|m| std::cmp::Reverse(m.count));
    Some(out)
}

/// `make (app.js:4:14) ← handler (app.js:5:17) (50 of 60)`, and a second stack when one made a
/// sizeable share; `None` for an untracked snapshot.
pub fn made_by_text(s: &Snapshot, grp: &LeakGroup) -> Option<String> {
    let found = made_by_group(s, grp)?;
    let total = grp.nodes.len() as u64;
    let Some(first) = found.first() else {
        return Some("not recorded: made before allocation tracking started".into());
    };
    let share = |m: &MadeBy| {
        if m.count == total {
            String::new()
        } else {
            format!(" ({} of {total})", m.count)
        }
    };
    let mut text = format!("{}{}", first.line(s), share(first));
    if let Some(second) = found.get(1).filter(|m| m.count * 5 >= total) {
        text.push_str(&format!("; {}{}", second.line(s), share(second)));
    }
    Some(text)
}
