//! Dominators and retained sizes: a literal port of DevTools' Lengauer–Tarjan
//! (`calculateDominatorsAndRetainedSizes`, spec §4), including its handling of nodes that only
//! weak edges reach (orphans) and of unreachable cliques, and its iteration orders.

use super::bits::BitVec;
use super::retainers::Retainers;
use crate::model::Graph;
use crate::progress::{Cancelled, Phase, Progress};

pub struct Dominators {
    /// Immediate dominator ordinal of each node; the root dominates itself.
    pub dominator: Vec<u32>,
    /// Retained size of each node (f64 sums, as DevTools' `Float64Array`).
    pub retained: Vec<f64>,
    /// How many nodes were only weakly reachable, and how many sat in unreachable cliques.
    pub orphans: usize,
    pub cliques: usize,
}

pub fn calculate(
    g: &Graph,
    essential: &BitVec,
    retainers: &Retainers,
    progress: &Progress,
) -> Result<Dominators, Cancelled> {
    let node_count = g.node_count();
    progress.begin(Phase::Dominators, node_count as u64 * 2);
    // Vertices are numbered 1..=n (ordinal + 1); 0 means "none", as in the paper.
    let len = node_count + 1;
    let mut parent = vec![0u32; len];
    let mut ancestor = vec![0u32; len];
    let mut vertex = vec![0u32; len];
    let mut label = vec![0u32; len];
    let mut semi = vec![0u32; len];
    let mut n: u32 = 0;
    let mut next_edge = vec![0u32; len];
    let first_edge = &g.first_edge;
    let edge_to = &g.edge_to;

    let mut dfs = |root: u32,
                   n: &mut u32,
                   semi: &mut [u32],
                   vertex: &mut [u32],
                   label: &mut [u32],
                   parent: &mut [u32]|
     -> Result<(), Cancelled> {
        let root_ord = (root - 1) as usize;
        next_edge[root_ord] = first_edge[root_ord];
        let mut v = root;
        while v != 0 {
            if semi[v as usize] == 0 {
                *n += 1;
                semi[v as usize] = *n;
                vertex[*n as usize] = v;
                label[v as usize] = v;
                if *n & 0xFFFF == 0 {
                    progress.set(*n as u64)?;
                }
            }
            let mut v_next = parent[v as usize];
            let v_ord = (v - 1) as usize;
            let end = first_edge[v_ord + 1];
            while next_edge[v_ord] < end {
                let e = next_edge[v_ord] as usize;
                if essential.get(e) {
                    let w_ord = edge_to[e] as usize;
                    let w = w_ord as u32 + 1;
                    if semi[w as usize] == 0 {
                        parent[w as usize] = v;
                        next_edge[w_ord] = first_edge[w_ord];
                        v_next = w;
                        break;
                    }
                }
                next_edge[v_ord] += 1;
            }
            v = v_next;
        }
        Ok(())
    };

    let r = g.root + 1;
    dfs(r, &mut n, &mut semi, &mut vertex, &mut label, &mut parent)?;

    let mut orphans = 0;
    if (n as usize) < node_count {
        for v in 1..=node_count as u32 {
            let v_ord = v - 1;
            if semi[v as usize] == 0
                && !retainers
                    .of(v_ord)
                    .any(|slot| retainers.essential.get(slot))
            {
                orphans += 1;
                parent[v as usize] = r;
                dfs(v, &mut n, &mut semi, &mut vertex, &mut label, &mut parent)?;
            }
        }
    }
    let mut cliques = 0;
    if (n as usize) < node_count {
        for v in 1..=node_count as u32 {
            if semi[v as usize] == 0 {
                cliques += 1;
                parent[v as usize] = r;
                n += 1;
                semi[v as usize] = n;
                vertex[n as usize] = v;
                label[v as usize] = v;
            }
        }
    }

    // The DFS cursor array is reused as the path compression stack.
    let mut stack = next_edge;
    let compress =
        |v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32], stack: &mut [u32]| {
            let mut sp = 0usize;
            let mut v = v;
            while ancestor[ancestor[v as usize] as usize] != 0 {
                sp += 1;
                stack[sp] = v;
                v = ancestor[v as usize];
            }
            while sp > 0 {
                let w = stack[sp] as usize;
                sp -= 1;
                let a = ancestor[w] as usize;
                if semi[label[a] as usize] < semi[label[w] as usize] {
                    label[w] = label[a];
                }
                ancestor[w] = ancestor[a];
            }
        };
    let evaluate =
        |v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32], stack: &mut [u32]| -> u32 {
            if ancestor[v as usize] == 0 {
                return v;
            }
            compress(v, ancestor, label, semi, stack);
            label[v as usize]
        };

    // Buckets are insertion-ordered sets, as DevTools' `Set`s: circular lists threaded through
    // `bucket_next`, `bucket_last[b]` pointing at the newest member (whose next is the oldest).
    // A vertex sits in at most one bucket, so two arrays suffice.
    let mut bucket_last = vec![0u32; len];
    let mut bucket_next = vec![0u32; len];
    let mut dom = vec![0u32; len];

    let mut i = n;
    while i >= 2 {
        if i & 0xFFFF == 0 {
            progress.set(node_count as u64 + (n - i) as u64)?;
        }
        let w = vertex[i as usize];
        let w_ord = w - 1;
        let mut is_orphan = true;
        for slot in retainers.of(w_ord) {
            if !retainers.essential.get(slot) {
                continue;
            }
            is_orphan = false;
            let v = retainers.node[slot] + 1;
            let u = evaluate(v, &mut ancestor, &mut label, &semi, &mut stack);
            if semi[u as usize] < semi[w as usize] {
                semi[w as usize] = semi[u as usize];
            }
        }
        if is_orphan {
            semi[w as usize] = semi[r as usize];
        }

        let b = vertex[semi[w as usize] as usize] as usize;
        let last = bucket_last[b];
        if last == 0 {
            bucket_next[w as usize] = w;
        } else {
            bucket_next[w as usize] = bucket_next[last as usize];
            bucket_next[last as usize] = w;
        }
        bucket_last[b] = w;

        let p = parent[w as usize];
        ancestor[w as usize] = p; // link(parent[w], w)

        let last = bucket_last[p as usize];
        if last != 0 {
            let mut v = bucket_next[last as usize];
            loop {
                let u = evaluate(v, &mut ancestor, &mut label, &semi, &mut stack);
                dom[v as usize] = if semi[u as usize] < semi[v as usize] { u } else { p };
                if v == last {
                    break;
                }
                v = bucket_next[v as usize];
            }
            bucket_last[p as usize] = 0;
        }
        i -= 1;
    }
    drop((bucket_last, bucket_next, ancestor, label, stack, parent));

    dom[0] = r;
    dom[r as usize] = r;
    for i in 2..=n {
        let w = vertex[i as usize] as usize;
        if dom[w] != vertex[semi[w] as usize] {
            dom[w] = dom[dom[w] as usize];
        }
    }
    drop(semi);

    progress.begin(Phase::RetainedSizes, n as u64);
    let mut dominator = vec![0u32; node_count];
    let mut retained = vec![0f64; node_count];
    for ord in 0..node_count {
        dominator[ord] = dom[ord + 1].wrapping_sub(1);
        retained[ord] = g.self_size[ord] as f64;
    }
    drop(dom);
    let mut i = n;
    while i > 1 {
        let ord = (vertex[i as usize] - 1) as usize;
        let d = dominator[ord] as usize;
        retained[d] += retained[ord];
        i -= 1;
    }
    Ok(Dominators {
        dominator,
        retained,
        orphans,
        cliques,
    })
}
