//! Allocation traces: the `trace_function_infos` and `trace_tree` sections V8 writes when
//! allocation tracking was on (DevTools' "Allocation instrumentation on timeline",
//! `HeapProfiler.startTrackingHeapObjects` with `trackAllocations`, `node --track-heap-objects`).
//!
//! The tree is nested arrays, one record per call-tree node: `[id, function_info_index, count,
//! size, [children…]]` by default. It is read without recursion: recursive code makes trees far
//! deeper than a recursive parser's stack allows.

use crate::error::{Error, Result};

/// A function that allocated, as V8 recorded it. `name` and `script_name` index the snapshot's
/// strings; `line` and `column` are 1-based, 0 when unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceFunction {
    pub name: u32,
    pub script_name: u32,
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

/// One node of the top-down allocation call tree: the allocations made with exactly this stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceNode {
    /// The id objects' `trace_node_id` refer to.
    pub id: u32,
    pub function: u32,
    pub count: u64,
    pub size: u64,
    /// Position of the parent in [`AllocationTraces::nodes`]; [`TraceNode::NO_PARENT`] at the root.
    pub parent: u32,
}

impl TraceNode {
    pub const NO_PARENT: u32 = u32::MAX;
}

/// The allocation call tree, its nodes in pre-order (a parent before its children).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllocationTraces {
    pub functions: Vec<TraceFunction>,
    pub nodes: Vec<TraceNode>,
}

fn field(fields: &[String], name: &str, section: &str) -> Result<usize> {
    fields
        .iter()
        .position(|f| f == name)
        .ok_or_else(|| Error::invalid(format!("meta.{section} has no \"{name}\" field")))
}

/// Reads one unsigned integer at `b[*i..]`.
fn number(b: &[u8], i: &mut usize, what: &str) -> Result<u64> {
    let start = *i;
    let mut v: u64 = 0;
    while let Some(&c) = b.get(*i) {
        if !c.is_ascii_digit() {
            break;
        }
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add((c - b'0') as u64))
            .ok_or_else(|| Error::invalid(format!("a value in {what} is out of range")))?;
        *i += 1;
    }
    if *i == start {
        return Err(Error::invalid(format!(
            "{what} holds something that is not a whole number at byte {start} of the section"
        )));
    }
    Ok(v)
}

fn skip_ws(b: &[u8], i: &mut usize) {
    while b.get(*i).is_some_and(|c| c.is_ascii_whitespace() || *c == b',') {
        *i += 1;
    }
}

fn u32_of(v: u64, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| Error::invalid(format!("{what} is out of range ({v})")))
}

/// A flat array of whole numbers (`[1,2,3,…]`) holding records of `f` fields.
fn records(b: &[u8], f: usize, what: &str) -> Result<Vec<u64>> {
    let mut i = 0;
    skip_ws(b, &mut i);
    if b.get(i) != Some(&b'[') {
        return Err(Error::invalid(format!("the {what} section is not an array")));
    }
    i += 1;
    let mut values = Vec::new();
    loop {
        skip_ws(b, &mut i);
        match b.get(i) {
            Some(b']') => break,
            None => return Err(Error::invalid(format!("the {what} section ends unexpectedly"))),
            _ => values.push(number(b, &mut i, what)?),
        }
    }
    if values.len() % f != 0 {
        return Err(Error::invalid(format!(
            "the {what} section holds {} values, not a whole number of {f}-field records",
            values.len()
        )));
    }
    Ok(values)
}

/// An allocation timeline's samples: when (microseconds since recording started) and the last
/// object id assigned by then, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineSample {
    pub timestamp_us: u64,
    pub last_assigned_id: u32,
}

/// Parses the `samples` section of an allocation timeline (`.heaptimeline`, or the snapshot that
/// ends allocation tracking).
pub(crate) fn parse_samples(b: &[u8], fields: &[String]) -> Result<Vec<TimelineSample>> {
    const WHAT: &str = "\"samples\"";
    let time = field(fields, "timestamp_us", "sample_fields")?;
    let id = field(fields, "last_assigned_id", "sample_fields")?;
    records(b, fields.len(), WHAT)?
        .chunks_exact(fields.len())
        .map(|r| {
            Ok(TimelineSample {
                timestamp_us: r[time],
                last_assigned_id: u32_of(r[id], "a sample's last assigned id")?,
            })
        })
        .collect()
}

/// Parses both sections (their JSON values, brackets included). `string_count` bounds the name
/// indices. `None` when the tree is empty: nothing was recorded.
pub(crate) fn parse(
    infos: &[u8],
    tree: &[u8],
    info_fields: &[String],
    node_fields: &[String],
    string_count: usize,
) -> Result<Option<AllocationTraces>> {
    let functions = parse_functions(infos, info_fields, string_count)?;
    let nodes = parse_tree(tree, node_fields, functions.len())?;
    Ok((!nodes.is_empty()).then_some(AllocationTraces { functions, nodes }))
}

fn parse_functions(b: &[u8], fields: &[String], string_count: usize) -> Result<Vec<TraceFunction>> {
    const WHAT: &str = "\"trace_function_infos\"";
    let sec = "trace_function_info_fields";
    let (name, script_name, script_id, line, column) = (
        field(fields, "name", sec)?,
        field(fields, "script_name", sec)?,
        field(fields, "script_id", sec)?,
        field(fields, "line", sec)?,
        field(fields, "column", sec)?,
    );
    records(b, fields.len(), WHAT)?
        .chunks_exact(fields.len())
        .enumerate()
        .map(|(k, r)| {
            let string = |v: u64| -> Result<u32> {
                if v >= string_count as u64 {
                    return Err(Error::invalid(format!(
                        "allocation function {k} has name index {v}, but there are only {string_count} strings"
                    )));
                }
                Ok(v as u32)
            };
            Ok(TraceFunction {
                name: string(r[name])?,
                script_name: string(r[script_name])?,
                script_id: u32_of(r[script_id], "a trace function's script id")?,
                line: u32_of(r[line], "a trace function's line")?,
                column: u32_of(r[column], "a trace function's column")?,
            })
        })
        .collect()
}

/// Reads the first root record of the tree and everything under it, as DevTools does.
fn parse_tree(b: &[u8], fields: &[String], function_count: usize) -> Result<Vec<TraceNode>> {
    const WHAT: &str = "\"trace_tree\"";
    let sec = "trace_node_fields";
    let (id, function, count, size, children) = (
        field(fields, "id", sec)?,
        field(fields, "function_info_index", sec)?,
        field(fields, "count", sec)?,
        field(fields, "size", sec)?,
        field(fields, "children", sec)?,
    );
    let f = fields.len();
    if children != f - 1 {
        return Err(Error::invalid(format!(
            "meta.{sec} puts \"children\" before other fields; only V8's layout (children last) is read"
        )));
    }
    struct Level {
        parent: u32,
        field: usize,
        values: Vec<u64>,
    }
    let mut nodes: Vec<TraceNode> = Vec::new();
    let mut stack: Vec<Level> = Vec::new();
    let mut i = 0;
    skip_ws(b, &mut i);
    if b.get(i) != Some(&b'[') {
        return Err(Error::invalid(format!("the {WHAT} section is not an array")));
    }
    i += 1;
    stack.push(Level {
        parent: TraceNode::NO_PARENT,
        field: 0,
        values: vec![0; f],
    });
    loop {
        skip_ws(b, &mut i);
        let Some(level) = stack.last_mut() else { break };
        match b.get(i) {
            None => return Err(Error::invalid(format!("the {WHAT} section ends unexpectedly"))),
            Some(b']') => {
                if level.field != 0 {
                    return Err(Error::invalid(format!(
                        "a node of the {WHAT} section at byte {i} has too few fields"
                    )));
                }
                i += 1;
                stack.pop();
                match stack.last_mut() {
                    Some(up) => up.field = 0,
                    // The root's own list closed: the whole tree is read.
                    None => break,
                }
                if stack.len() == 1 {
                    // The first root record is complete; DevTools reads no other.
                    break;
                }
            }
            Some(b'[') if level.field == children => {
                i += 1;
                let v = &level.values;
                let fi = v[function];
                if fi >= function_count as u64 {
                    return Err(Error::invalid(format!(
                        "allocation trace node {} has function index {fi}, but \"trace_function_infos\" lists only {function_count} functions",
                        v[id]
                    )));
                }
                if nodes.len() >= u32::MAX as usize - 1 {
                    return Err(Error::invalid(format!("the {WHAT} section has too many nodes")));
                }
                nodes.push(TraceNode {
                    id: u32_of(v[id], "a trace node id")?,
                    function: fi as u32,
                    count: v[count],
                    size: v[size],
                    parent: level.parent,
                });
                level.field = f;
                let parent = (nodes.len() - 1) as u32;
                stack.push(Level {
                    parent,
                    field: 0,
                    values: vec![0; f],
                });
            }
            Some(b'[') => {
                return Err(Error::invalid(format!(
                    "a node of the {WHAT} section at byte {i} is not [id, function, count, size, [children]]"
                )));
            }
            Some(_) if level.field < children => {
                let v = number(b, &mut i, WHAT)?;
                level.values[level.field] = v;
                level.field += 1;
            }
            Some(_) => {
                return Err(Error::invalid(format!(
                    "a node of the {WHAT} section at byte {i} is not [id, function, count, size, [children]]"
                )));
            }
        }
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v8(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn parsed(infos: &str, tree: &str) -> Result<Option<AllocationTraces>> {
        parse(
            infos.as_bytes(),
            tree.as_bytes(),
            &v8(&["function_id", "name", "script_name", "script_id", "line", "column"]),
            &v8(&["id", "function_info_index", "count", "size", "children"]),
            10,
        )
    }

    #[test]
    fn a_tree_is_read_in_pre_order_with_parents() {
        let t = parsed(
            "[0,1,0,0,0,0, 7,2,3,5,4,14]",
            "[1,0,0,0,[2,1,3,96,[4,1,1,8,[]],3,1,2,16,[]]]",
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.functions.len(), 2);
        assert_eq!(t.functions[1].line, 4);
        let ids: Vec<u32> = t.nodes.iter().map(|n| n.id).collect();
        assert_eq!(ids, [1, 2, 4, 3]);
        let parents: Vec<u32> = t.nodes.iter().map(|n| n.parent).collect();
        assert_eq!(parents, [TraceNode::NO_PARENT, 0, 1, 0]);
        assert_eq!((t.nodes[1].count, t.nodes[1].size), (3, 96));
    }

    #[test]
    fn a_deep_tree_does_not_overflow_the_stack() {
        let depth = 200_000;
        let mut tree = String::from("[");
        for k in 0..depth {
            tree.push_str(&format!("{},0,1,8,[", k + 1));
        }
        tree.push_str(&"]".repeat(depth + 1));
        let t = parsed("[0,1,0,0,0,0]", &tree).unwrap().unwrap();
        assert_eq!(t.nodes.len(), depth);
        assert_eq!(t.nodes[depth - 1].parent, depth as u32 - 2);
    }

    #[test]
    fn bad_traces_are_refused_with_the_reason() {
        let e = parsed("[0,1,0,0,0,0]", "[1,5,0,0,[]]").unwrap_err().to_string();
        assert!(e.contains("function index 5"), "{e}");
        let e = parsed("[0,99,0,0,0,0]", "[1,0,0,0,[]]").unwrap_err().to_string();
        assert!(e.contains("name index 99"), "{e}");
        let e = parsed("[0,1,0,0,0,0]", "[1,0,0,0,[2,0").unwrap_err().to_string();
        assert!(e.contains("ends unexpectedly"), "{e}");
        let e = parsed("[0,1,0,0,0,0]", "[1,0,[]]").unwrap_err().to_string();
        assert!(e.contains("not [id"), "{e}");
        assert_eq!(parsed("[]", "[]").unwrap(), None);
    }
}
