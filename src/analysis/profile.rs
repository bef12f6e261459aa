//! A sampling heap profile by function: the bytes each function allocated itself and with what
//! it called, as DevTools' bottom-up view of "Allocation sampling" sums them.

use std::collections::HashMap;

use crate::format::heapprofile::{CallFrame, HeapProfile, ProfileNode};

/// One function of the profile: every frame with its name, script and position.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionRow {
    pub frame: CallFrame,
    /// Bytes sampled in the function itself.
    pub self_size: f64,
    /// Bytes sampled in it and in what it called, each allocation once (a recursive function's
    /// inner calls are not counted again).
    pub total_size: f64,
}

/// The profile's functions, by self size (then total size, then name), and the total sampled.
pub fn functions(p: &HeapProfile) -> (Vec<FunctionRow>, f64) {
    let mut index: HashMap<&CallFrame, usize> = HashMap::new();
    let mut rows: Vec<FunctionRow> = Vec::new();
    // Depth first, keeping how often each function is on the stack above a node: a node adds
    // its subtree's bytes to its function's total only as the topmost frame of that function.
    let mut on_stack: HashMap<&CallFrame, usize> = HashMap::new();
    let total = visit(&p.head, &mut index, &mut rows, &mut on_stack);
    rows.sort_by(|a, b| {
        b.self_size
            .total_cmp(&a.self_size)
            .then(b.total_size.total_cmp(&a.total_size))
            .then_with(|| a.frame.function_name.cmp(&b.frame.function_name))
    });
    (rows, total)
}

/// Adds `n`'s subtree to the rows; returns its bytes.
fn visit<'a>(
    n: &'a ProfileNode,
    index: &mut HashMap<&'a CallFrame, usize>,
    rows: &mut Vec<FunctionRow>,
    on_stack: &mut HashMap<&'a CallFrame, usize>,
) -> f64 {
    let at = *index.entry(&n.call_frame).or_insert_with(|| {
        rows.push(FunctionRow {
            frame: n.call_frame.clone(),
            self_size: 0.0,
            total_size: 0.0,
        });
        rows.len() - 1
    });
    rows[at].self_size += n.self_size;
    let outermost = on_stack.get(&n.call_frame).copied().unwrap_or(0) == 0;
    *on_stack.entry(&n.call_frame).or_default() += 1;
    let mut subtree = n.self_size;
    for c in &n.children {
        subtree += visit(c, index, rows, on_stack);
    }
    if let Some(k) = on_stack.get_mut(&n.call_frame) {
        *k -= 1;
    }
    if outermost {
        rows[at].total_size += subtree;
    }
    subtree
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::heapprofile::parse;

    #[test]
    fn recursion_counts_once_and_self_sizes_sum_to_the_total() {
        // (root) → main 10 → walk 5 → walk 7 → leaf 3; main → leaf 1
        let p = parse(
            br#"{"head":{"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1},"selfSize":0,"children":[
              {"callFrame":{"functionName":"main","url":"a.js","lineNumber":0,"columnNumber":0},"selfSize":10,"children":[
                {"callFrame":{"functionName":"walk","url":"a.js","lineNumber":4,"columnNumber":2},"selfSize":5,"children":[
                  {"callFrame":{"functionName":"walk","url":"a.js","lineNumber":4,"columnNumber":2},"selfSize":7,"children":[
                    {"callFrame":{"functionName":"leaf","url":"a.js","lineNumber":9,"columnNumber":0},"selfSize":3,"children":[]}]}]},
                {"callFrame":{"functionName":"leaf","url":"a.js","lineNumber":9,"columnNumber":0},"selfSize":1,"children":[]}]}]},
              "samples":[]}"#,
        )
        .unwrap();
        let (rows, total) = functions(&p);
        let got: Vec<(&str, f64, f64)> = rows
            .iter()
            .map(|r| (r.frame.function_name.as_str(), r.self_size, r.total_size))
            .collect();
        assert_eq!(
            got,
            vec![
                ("walk", 12.0, 15.0),
                ("main", 10.0, 26.0),
                ("leaf", 4.0, 4.0),
                ("(root)", 0.0, 26.0)
            ]
        );
        assert_eq!(total, 26.0);
        assert_eq!(rows.iter().map(|r| r.self_size).sum::<f64>(), total);
    }
}
