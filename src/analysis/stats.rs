//! DevTools' Statistics view categories (`calculateStatistics`).

use serde::Serialize;

use super::retainers::Retainers;
use crate::model::{EdgeKind, Graph, NodeKind};

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Statistics {
    pub total: f64,
    pub(crate) native_total: f64,
    pub(crate) typed_arrays: f64,
    pub(crate) v8heap_total: f64,
    pub code: f64,
    pub(crate) js_arrays: f64,
    pub strings: f64,
    pub system: f64,
}

impl Statistics {
    /// The statistics once the total (root retained size plus extra native bytes) is known.
    pub fn with_total(self, total_size: f64) -> Statistics {
        Statistics {
            total: total_size,
            v8heap_total: total_size - self.native_total,
            ..self
        }
    }

    /// "Other" as DevTools' pie shows it: the V8 heap minus the named categories.
    pub fn other(&self) -> f64 {
        self.v8heap_total - self.code - self.strings - self.js_arrays - self.system
    }
}

/// The categories; `total` and `v8heap_total` wait for the root's retained size
/// ([`Statistics::with_total`]), so this can run before dominators finish.
pub fn calculate(g: &Graph, retainers: &Retainers) -> Statistics {
    let mut native = g.extra_native_bytes();
    let (mut typed, mut code, mut strings, mut arrays, mut system) = (0f64, 0f64, 0f64, 0f64, 0f64);
    for v in g.nodes() {
        let size = g.self_size(v) as f64;
        match g.kind(v) {
            NodeKind::Hidden => system += size,
            NodeKind::Native => {
                native += size;
                if g.name(v) == "system / JSArrayBufferData" {
                    typed += size;
                }
            }
            NodeKind::Code => code += size,
            NodeKind::ConsString | NodeKind::SlicedString | NodeKind::String => strings += size,
            _ if g.name(v) == "Array" => {
                let mut s = size;
                // The elements store counts with its array when nothing else holds it.
                if let Some(e) = g.edges(v).find(|&e| {
                    g.edge_kind(e) == EdgeKind::Internal && g.strings().get(g.edge_name_index(e)) == "elements"
                }) {
                    let el = g.to(e);
                    if retainers.count(el) == 1 {
                        s += g.self_size(el) as f64;
                    }
                }
                arrays += s;
            }
            _ => {}
        }
    }
    Statistics {
        total: 0.0,
        native_total: native,
        typed_arrays: typed,
        v8heap_total: -native,
        code,
        js_arrays: arrays,
        strings,
        system,
    }
}
