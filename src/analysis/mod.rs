//! DevTools' analysis of a heap snapshot, in DevTools' order (spec §2–5). Pure algorithms on
//! the model; no I/O, no UI.

pub mod aggregates;
pub mod allocations;
pub(crate) mod bits;
pub(crate) mod classes;
pub mod collections;
pub mod detached;
pub mod diff;
pub mod distances;
pub(crate) mod dom_state;
pub(crate) mod dominators;
pub mod filters;
pub mod find;
pub mod flags;
pub(crate) mod growth;
pub mod leaks;
pub mod process;
pub mod profile;
pub mod query;
pub mod readable;
pub mod retainers;
pub(crate) mod scripts;
pub(crate) mod shallow;
pub mod sourcemaps;
pub(crate) mod stats;
pub mod timeline;

use aggregates::{AggregateInputs, ClassRow};
use classes::{Classes, InterfaceDefinition, NewStrings};
use retainers::Retainers;

use crate::error::{Error, Result};
use crate::model::{Column, Graph, NodeId};
use crate::progress::{Phase, Progress};

/// A fully indexed snapshot: the graph plus everything DevTools derives from it.
pub struct Snapshot {
    pub graph: Graph,
    pub flags: Column<u8>,
    pub retainers: Retainers,
    pub distances: Column<distances::Distance>,
    pub classes: Classes,
    pub interface_definitions: Vec<InterfaceDefinition>,
    pub dominator: Column<NodeId>,
    pub retained: dominators::RetainedSizes,
    /// Root retained size plus `extra_native_bytes`: DevTools' total for percentages.
    pub total_size: f64,
    /// Summary rows for all objects, in DevTools' order of first appearance.
    pub summary: Vec<ClassRow>,
    pub statistics: stats::Statistics,
    pub max_js_object_id: u32,
    /// Nodes reached only through weak edges, and nodes in unreachable cliques.
    pub orphans: usize,
    pub cliques: usize,
    /// Script ids resolved to their URLs and sources.
    pub scripts: scripts::Scripts,
    /// The Allocation view's data, for snapshots taken with allocation tracking on.
    pub allocations: Option<allocations::AllocationProfile>,
    /// An allocation timeline's bars, for `.heaptimeline` files.
    pub timeline: Option<timeline::Timeline>,
}

/// What is known before the slow phases finish: class counts and shallow sizes.
pub struct PartialSummary {
    pub node_count: usize,
    pub edge_count: usize,
    /// Summary rows with retained sizes 0 and distances unknown, largest shallow size first.
    pub rows: Vec<ClassRow>,
    pub total_shallow: f64,
    /// For each of the first [`PartialSummary::ROWS_WITH_INSTANCES`] rows, its largest instances
    /// by shallow size (at most [`PartialSummary::INSTANCES`], then by id); empty for the rest.
    pub largest: Vec<Vec<PartialInstance>>,
}

/// An instance listed by the partial Summary: what is known of it before dominators.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialInstance {
    pub id: u32,
    /// The node's name, cut to 100 characters.
    pub name: String,
    pub self_size: u32,
}

impl PartialSummary {
    pub const ROWS_WITH_INSTANCES: usize = 200;
    pub const INSTANCES: usize = 20;
}

/// The largest instances (by shallow size, then id) of the classes of the first rows: one pass
/// over the nodes that mostly compares a size with the smallest kept for its class.
fn largest_instances(g: &Graph, classes: &Classes, rows: &[ClassRow]) -> Vec<Vec<PartialInstance>> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let k = PartialSummary::INSTANCES;
    let shown = rows.len().min(PartialSummary::ROWS_WITH_INSTANCES);
    let mut slot_of = vec![u32::MAX; classes.info.len()];
    for (i, r) in rows[..shown].iter().enumerate() {
        slot_of[r.class as usize] = i as u32;
    }
    // Min-heaps of (size, Reverse(id), ordinal): the root is the one to drop first.
    type Kept = BinaryHeap<Reverse<(u32, Reverse<u32>, u32)>>;
    let mut heaps: Vec<Kept> = vec![BinaryHeap::new(); shown];
    let mut floor = vec![0u32; shown];
    let sizes = g.self_sizes();
    for (v, &size) in sizes.iter().enumerate() {
        if size == 0 {
            continue;
        }
        let slot = slot_of[classes.of_node[v] as usize];
        if slot == u32::MAX || size < floor[slot as usize] {
            continue;
        }
        let heap = &mut heaps[slot as usize];
        let item = (size, Reverse(g.id(NodeId::at(v)).0), v as u32);
        if heap.len() < k {
            heap.push(Reverse(item));
        } else if heap.peek().is_some_and(|Reverse(min)| item > *min) {
            heap.pop();
            heap.push(Reverse(item));
        }
        if heap.len() == k {
            floor[slot as usize] = heap.peek().map_or(0, |Reverse(min)| min.0);
        }
    }
    heaps
        .into_iter()
        .map(|heap| {
            let mut items: Vec<_> = heap.into_iter().map(|Reverse(x)| x).collect();
            items.sort_unstable_by(|a, b| b.cmp(a));
            items
                .into_iter()
                .map(|(size, Reverse(id), v)| PartialInstance {
                    id,
                    name: crate::text::preview(g.name(NodeId::new(v)), 100),
                    self_size: size,
                })
                .collect()
        })
        .collect()
}

/// Runs every analysis phase on a freshly parsed graph.
pub(crate) fn analyze(g: Graph, progress: &Progress) -> Result<Snapshot> {
    analyze_with(g, progress, &|_| {})
}

/// Like [`analyze`], handing the Summary's counts and shallow sizes to `on_partial` as soon as
/// they are known, before dominators and retained sizes.
pub(crate) fn analyze_with(
    mut g: Graph,
    progress: &Progress,
    on_partial: &(dyn Fn(PartialSummary) + Sync),
) -> Result<Snapshot> {
    if g.root().index() >= g.node_count() {
        return Err(Error::invalid("the snapshot has no root node"));
    }
    dom_state::propagate(&mut g, progress)?;
    let mut locations = g.take_locations();
    // The shallow-size owners and the scripts only read the graph: found beside the flags, on
    // the other core. Scripts keep the closures' locations; classes need only the objects', so
    // the rest are freed before the big arrays come.
    let (flags, (owners, scripts)) = rayon::join(
        || flags::calculate(&g, progress),
        || {
            let owners = progress.beside(Phase::ShallowSizes, |p| shallow::owners(&g, p));
            let scripts = scripts::Scripts::build(&g, &locations);
            locations.retain(|l| g.kind(NodeId::new(l[0])) == crate::model::NodeKind::Object);
            locations.shrink_to_fit();
            (owners, scripts)
        },
    );
    let (flags, owners) = (flags?, owners?);
    let essential = flags::essential_edges(&g, &flags, progress)?;
    progress.begin(Phase::ShallowSizes, 1);
    if let Some(owners) = owners {
        shallow::apply(&mut g, &owners);
    }
    // The dominators' depth-first numbering reads only edges: it runs beside the retainers.
    let (retainers, numbering) = rayon::join(
        || Retainers::build(&g, &essential, progress),
        || {
            progress.beside(Phase::Dominators, |p| {
                dominators::Numbering::from_root(&g, &essential, p)
            })
        },
    );
    let (retainers, numbering) = (retainers?, numbering?);

    // From here the graph is read-only until the class names made up are appended. The dominator
    // chain reads the edges and retainers; the line beside it reads the graph and nothing of the
    // chain's, so it runs on the other core: the wall time is the longer line, not the sum
    // (ARCHITECTURE.md).
    let (doms, beside) = rayon::join(
        || dominators::calculate(&g, numbering, essential, &retainers, progress),
        || beside_dominators(&g, locations, scripts, &retainers, progress, on_partial),
    );
    let (doms, beside) = (doms?, beside?);
    let Beside {
        added,
        classes,
        interface_definitions,
        scripts,
        distances,
        mut summary,
        statistics,
        allocations,
        timeline,
    } = beside;
    for s in &added {
        g.strings_mut().push(s);
    }
    progress.begin(Phase::Aggregates, 2);
    let class_retained = aggregates::class_retained_sizes_in(&g, &classes, &doms.dominated, &doms.retained, None);
    drop(doms.dominated);
    progress.advance(1)?;
    let total_size = doms.retained.get(g.root()) + g.extra_native_bytes();
    for row in &mut summary {
        row.retained_size = class_retained[row.class as usize];
    }
    let statistics = statistics.with_total(total_size);
    let max_js_object_id = g.max_js_object_id();
    progress.check()?;
    Ok(Snapshot {
        allocations,
        timeline,
        graph: g,
        flags: flags.into(),
        retainers,
        distances: distances.into(),
        classes,
        interface_definitions,
        dominator: doms.dominator,
        retained: doms.retained,
        total_size,
        summary,
        statistics,
        max_js_object_id,
        orphans: doms.orphans,
        cliques: doms.cliques,
        scripts,
    })
}

/// What the line beside the dominator chain finds: everything but dominators and retained sizes.
struct Beside {
    /// Class names made up, to append to the graph's strings.
    added: Vec<String>,
    classes: Classes,
    interface_definitions: Vec<InterfaceDefinition>,
    scripts: scripts::Scripts,
    distances: Vec<distances::Distance>,
    /// The Summary's rows, retained sizes still 0.
    summary: Vec<ClassRow>,
    /// Totals still 0 ([`stats::Statistics::with_total`]).
    statistics: stats::Statistics,
    allocations: Option<allocations::AllocationProfile>,
    timeline: Option<timeline::Timeline>,
}

/// Class names and the partial Summary (published at once), then distances, the Summary's rows,
/// statistics and allocations: the work that reads the graph but not the dominators.
fn beside_dominators(
    g: &Graph,
    locations: Vec<[u32; 4]>,
    scripts: scripts::Scripts,
    retainers: &Retainers,
    progress: &Progress,
    on_partial: &(dyn Fn(PartialSummary) + Sync),
) -> Result<Beside> {
    let mut strings = NewStrings::new(g);
    let (classes, interface_definitions) = progress.beside(Phase::ClassNames, |p| -> Result<_> {
        let (class_index, definitions) = classes::name_classes(g, &mut strings, p)?;
        let classes = Classes::build(g, class_index, &strings, &locations);
        // Not needed again: freed now rather than kept beside the dominators' arrays.
        drop(locations);
        Ok((classes, definitions))
    })?;
    let no_retained = vec![0.0; classes.info.len()];
    let rows = |distances| {
        let inputs = AggregateInputs {
            graph: g,
            classes: &classes,
            distances,
            class_retained: &no_retained,
            strings: Some(&strings),
        };
        aggregates::aggregate(&inputs, None)
    };
    let mut partial = rows(None);
    partial.sort_by_key(|r| std::cmp::Reverse(r.shallow_size));
    on_partial(PartialSummary {
        node_count: g.node_count(),
        edge_count: g.edge_count(),
        total_shallow: partial.iter().map(|r| r.shallow_size as f64).sum(),
        largest: largest_instances(g, &classes, &partial),
        rows: partial,
    });
    let distances = progress.beside(Phase::Distances, |p| distances::calculate(g, None, p))?;
    let summary = rows(Some(&distances));
    Ok(Beside {
        added: strings.into_added(),
        classes,
        interface_definitions,
        scripts,
        distances,
        summary,
        statistics: stats::calculate(g, retainers),
        allocations: allocations::AllocationProfile::build(g),
        timeline: timeline::Timeline::build(g),
    })
}

impl Snapshot {
    /// Where the object's constructor (or, for a closure, the function) is defined.
    pub fn location_of(&self, v: NodeId) -> Option<crate::model::Location> {
        if self.graph.kind(v) == crate::model::NodeKind::Closure {
            return self.scripts.closure_location(v);
        }
        self.classes.info[self.classes.of_node[v] as usize].location
    }

    /// Summary rows for the objects `filter` accepts, as DevTools' filtered Summary shows them.
    pub fn summary_filtered(&self, filter: &(dyn Fn(NodeId) -> bool + Sync)) -> Vec<ClassRow> {
        let class_retained = aggregates::class_retained_sizes(
            &self.graph,
            &self.classes,
            &self.dominator,
            &self.retained,
            Some(filter),
        );
        aggregates::aggregate(
            &AggregateInputs {
                graph: &self.graph,
                classes: &self.classes,
                distances: Some(&self.distances),
                class_retained: &class_retained,
                strings: None,
            },
            Some(filter),
        )
    }

    /// Summary rows for objects whose id is in `(min_id, max_id]` ("allocated between").
    pub fn summary_between(&self, min_id: u32, max_id: u32) -> Vec<ClassRow> {
        let ids = self.graph.object_ids();
        self.summary_filtered(&move |v: NodeId| {
            let id = ids[v].0;
            id > min_id && id <= max_id
        })
    }

    /// The instances of a class that the Summary counts (self size > 0), largest retained
    /// size first, then by id (a scan of all nodes: call it off the UI thread).
    pub fn instances_of(&self, class: u32) -> Vec<NodeId> {
        use rayon::prelude::*;
        let g = &self.graph;
        let mut out: Vec<NodeId> = self
            .classes
            .of_node
            .par_iter()
            .enumerate()
            .filter(|&(v, &c)| c == class && g.self_sizes()[v] > 0)
            .map(|(v, _)| NodeId::at(v))
            .collect();
        out.par_sort_by(|&a, &b| {
            self.retained
                .get(b)
                .total_cmp(&self.retained.get(a))
                .then(g.id(a).cmp(&g.id(b)))
        });
        out
    }

    /// Children of `v` in the dominator tree, largest retained size first (a scan of the
    /// dominator array: call it off the UI thread on big snapshots).
    pub fn dominated_children(&self, v: NodeId) -> Vec<NodeId> {
        use rayon::prelude::*;
        let root = self.graph.root();
        let mut out: Vec<NodeId> = self
            .dominator
            .par_iter()
            .enumerate()
            .filter(|&(c, &d)| d == v && NodeId::at(c) != root)
            .map(|(c, _)| NodeId::at(c))
            .collect();
        out.sort_by(|&a, &b| self.retained.get(b).total_cmp(&self.retained.get(a)).then(a.cmp(&b)));
        out
    }

    /// The name a minified class has in the source, when its script's source map gives one.
    pub fn original_class(&self, v: NodeId) -> Option<String> {
        self.original_name_at(self.location_of(v)?, self.class_name(v))
    }

    /// [`Snapshot::original_class`] of a class, by its index.
    pub fn original_class_of(&self, class: u32) -> Option<String> {
        let l = self.classes.info[class as usize].location?;
        self.original_name_at(l, self.classes.name(&self.graph, class))
    }

    fn original_name_at(&self, l: crate::model::Location, name: &str) -> Option<String> {
        if !self.scripts.maps()?.has(l.script_id) {
            return None;
        }
        self.scripts.original_name(l, name)
    }

    pub fn class_name(&self, v: NodeId) -> &str {
        self.classes.name(&self.graph, self.classes.of_node[v])
    }

    /// Bytes held by the index, for benchmarks.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.graph.heap_bytes()
            + self.flags.heap_bytes()
            + self.retainers.heap_bytes()
            + self.distances.heap_bytes()
            + self.classes.of_node.heap_bytes()
            + self.dominator.heap_bytes()
            + self.retained.heap_bytes()
    }
}

/// The graph of a snapshot's JSON text, for tests.
#[cfg(test)]
pub(crate) fn graph_of(json: Vec<u8>) -> Graph {
    let p = Progress::new();
    let bytes = crate::format::Bytes::Owned(json);
    Graph::from_raw(crate::format::parse(&bytes, &p).unwrap(), &p).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The partial Summary lists each of its first rows' largest instances, by shallow size
    /// then id, as a sort of all instances would.
    #[test]
    fn the_partial_summary_lists_the_largest_instances_of_its_rows() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-snapshots/leak-s3.heapsnapshot");
        let p = Progress::new();
        let g = graph_of(std::fs::read(path).unwrap());
        let partial = std::sync::Mutex::new(None);
        let s = analyze_with(g, &p, &|x| *partial.lock().unwrap() = Some(x)).unwrap();
        let partial = partial.into_inner().unwrap().expect("published");
        let g = &s.graph;
        let shown = partial.rows.len().min(PartialSummary::ROWS_WITH_INSTANCES);
        assert_eq!(partial.largest.len(), shown);
        assert!(shown > 10);
        for (row, listed) in partial.rows.iter().zip(&partial.largest) {
            let mut all: Vec<(u32, u32)> = g
                .nodes()
                .filter(|&v| s.classes.of_node[v] == row.class && g.self_size(v) > 0)
                .map(|v| (g.self_size(v), g.id(v).0))
                .collect();
            all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            all.truncate(PartialSummary::INSTANCES);
            let got: Vec<(u32, u32)> = listed.iter().map(|o| (o.self_size, o.id)).collect();
            assert_eq!(got, all, "{}", row.name);
        }
    }

    /// `analyze` runs the dominator chain and the distance BFS side by side; each alone, in
    /// either order, gives the same arrays.
    #[test]
    fn side_by_side_phases_give_the_arrays_of_either_order() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-snapshots");
        for name in ["leak-s3.heapsnapshot", "dom.heapsnapshot", "small-app.heapsnapshot"] {
            let p = Progress::new();
            let g = graph_of(std::fs::read(root.join(name)).unwrap());
            let s = analyze(g, &p).unwrap();
            let g = &s.graph;
            let essential = flags::essential_edges(g, &s.flags, &p).unwrap();
            let check = |doms: &dominators::Dominators, dist: &[distances::Distance]| {
                for v in g.nodes() {
                    assert_eq!(doms.dominator[v], s.dominator[v], "{name}: dominator of {v:?}");
                    assert_eq!(
                        doms.retained.get(v),
                        s.retained.get(v),
                        "{name}: retained size of {v:?}"
                    );
                    assert_eq!(dist[v.index()], s.distances[v], "{name}: distance of {v:?}");
                }
            };
            // Dominators first, then distances.
            let numbering = dominators::Numbering::from_root(g, &essential, &p).unwrap();
            let doms = dominators::calculate(g, numbering, essential.clone(), &s.retainers, &p).unwrap();
            let dist = distances::calculate(g, None, &p).unwrap();
            check(&doms, &dist);
            // Distances first, then dominators.
            let dist = distances::calculate(g, None, &p).unwrap();
            let numbering = dominators::Numbering::from_root(g, &essential, &p).unwrap();
            let doms = dominators::calculate(g, numbering, essential.clone(), &s.retainers, &p).unwrap();
            check(&doms, &dist);
            // Class names found alone, after the rest, name every node as those found beside the
            // dominator chain did.
            let mut strings = NewStrings::new(g);
            let (index, definitions) = classes::name_classes(g, &mut strings, &p).unwrap();
            assert_eq!(definitions, s.interface_definitions, "{name}: interface definitions");
            for v in g.nodes() {
                let alone = strings.get(index[v.index()]);
                assert_eq!(alone, s.class_name(v), "{name}: class of {v:?}");
            }
        }
    }
}
