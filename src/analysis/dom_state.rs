//! DevTools' `initDetachednessAndClassIndex` and `propagateDOMState` (spec §2 steps 2–3).

use std::collections::HashMap;

use crate::model::{EdgeKind, Graph, NodeId, NodeKind};
use crate::progress::{Cancelled, Phase, Progress, tick};

pub(crate) const UNKNOWN: u8 = 0;
pub(crate) const ATTACHED: u8 = 1;
pub(crate) const DETACHED: u8 = 2;

/// Seeds and propagates attached/detached state through native nodes, renaming each detached
/// node to "Detached <name>" exactly as DevTools does.
pub(crate) fn propagate(g: &mut Graph, progress: &Progress) -> Result<(), Cancelled> {
    let n = g.node_count();
    progress.begin(Phase::DomState, n as u64);
    if !g.has_detachedness() {
        // Old snapshots: native nodes already named "Detached ..." are the detached ones.
        for v in g.nodes() {
            if g.kind(v) == NodeKind::Native && g.name(v).starts_with("Detached ") {
                g.set_detachedness(v, DETACHED);
            }
        }
        return Ok(());
    }

    let mut state = State {
        visited: vec![false; n],
        attached: Vec::new(),
        detached: Vec::new(),
        renamed: HashMap::new(),
    };
    for v in g.nodes() {
        tick(progress, v.index(), 16)?;
        let s = g.detachedness(v);
        if s != UNKNOWN {
            state.process(g, v, s);
        }
    }
    while let Some(v) = state.attached.pop() {
        state.propagate_from(g, v, ATTACHED);
    }
    while let Some(v) = state.detached.pop() {
        if g.detachedness(v) == ATTACHED {
            continue;
        }
        state.propagate_from(g, v, DETACHED);
    }
    Ok(())
}

struct State {
    visited: Vec<bool>,
    attached: Vec<NodeId>,
    detached: Vec<NodeId>,
    renamed: HashMap<u32, u32>,
}

impl State {
    fn process(&mut self, g: &mut Graph, v: NodeId, new_state: u8) {
        let i = v.index();
        if self.visited[i] {
            return;
        }
        // State never flows through JavaScript objects: every entry point into embedder code is
        // a native node that knows its own state.
        if g.kind(v) != NodeKind::Native {
            self.visited[i] = true;
            return;
        }
        g.set_detachedness(v, new_state);
        if new_state == ATTACHED {
            self.attached.push(v);
        } else if new_state == DETACHED {
            let old = g.name_index(v);
            let new = match self.renamed.get(&old) {
                Some(&s) => s,
                None => {
                    let renamed = format!("Detached {}", g.strings().get(old));
                    let s = g.strings_mut().push(&renamed);
                    self.renamed.insert(old, s);
                    s
                }
            };
            g.set_name_index(v, new);
            self.detached.push(v);
        }
        self.visited[i] = true;
    }

    fn propagate_from(&mut self, g: &mut Graph, v: NodeId, new_state: u8) {
        for e in g.edges(v) {
            match g.edge_kind(e) {
                EdgeKind::Hidden | EdgeKind::Weak => continue,
                _ if g.is_invisible(e) => continue,
                _ => {}
            }
            let to = g.to(e);
            self.process(g, to, new_state);
        }
    }
}
