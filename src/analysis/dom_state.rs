//! DevTools' `initDetachednessAndClassIndex` and `propagateDOMState` (spec §2 steps 2–3).

use std::collections::HashMap;

use crate::model::{EdgeKind, Graph, NodeKind};
use crate::progress::{Cancelled, Phase, Progress, tick};

pub const UNKNOWN: u8 = 0;
pub const ATTACHED: u8 = 1;
pub const DETACHED: u8 = 2;

/// Seeds and propagates attached/detached state through native nodes, renaming each detached
/// node to "Detached <name>" exactly as DevTools does.
pub fn propagate(g: &mut Graph, progress: &Progress) -> Result<(), Cancelled> {
    let n = g.node_count();
    progress.begin(Phase::DomState, n as u64);
    if !g.has_detachedness {
        // Old snapshots: native nodes already named "Detached ..." are the detached ones.
        for i in 0..n {
            if g.kind(i as u32) == NodeKind::Native && g.name(i as u32).starts_with("Detached ") {
                g.detachedness[i] = DETACHED;
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
    for i in 0..n {
        tick(progress, i, 16)?;
        let s = g.detachedness[i];
        if s != UNKNOWN {
            state.process(g, i as u32, s);
        }
    }
    while let Some(v) = state.attached.pop() {
        state.propagate_from(g, v, ATTACHED);
    }
    while let Some(v) = state.detached.pop() {
        if g.detachedness[v as usize] == ATTACHED {
            continue;
        }
        state.propagate_from(g, v, DETACHED);
    }
    Ok(())
}

struct State {
    visited: Vec<bool>,
    attached: Vec<u32>,
    detached: Vec<u32>,
    renamed: HashMap<u32, u32>,
}

impl State {
    fn process(&mut self, g: &mut Graph, v: u32, new_state: u8) {
        let i = v as usize;
        if self.visited[i] {
            return;
        }
        // State never flows through JavaScript objects: every entry point into embedder code is
        // a native node that knows its own state.
        if g.kind(v) != NodeKind::Native {
            self.visited[i] = true;
            return;
        }
        g.detachedness[i] = new_state;
        if new_state == ATTACHED {
            self.attached.push(v);
        } else if new_state == DETACHED {
            let old = g.node_name[i];
            let new = match self.renamed.get(&old) {
                Some(&s) => s,
                None => {
                    let s = g.strings.push(&format!("Detached {}", g.strings.get(old)));
                    self.renamed.insert(old, s);
                    s
                }
            };
            g.node_name[i] = new;
            self.detached.push(v);
        }
        self.visited[i] = true;
    }

    fn propagate_from(&mut self, g: &mut Graph, v: u32, new_state: u8) {
        for e in g.edges(v) {
            match g.edge_kind(e) {
                EdgeKind::Hidden | EdgeKind::Weak => continue,
                _ if g.edge_type[e] == g.invisible_edge_type => continue,
                _ => {}
            }
            let to = g.to(e);
            self.process(g, to, new_state);
        }
    }
}
