//! An allocation timeline (DevTools' "Allocation instrumentation on timeline", saved as
//! `.heaptimeline`; also the snapshot that ends allocation tracking): per sample interval, the
//! size of the objects allocated in it that are still alive, and the id range an interval
//! selection limits the Summary to. DevTools' `buildSamples` and its overview's selection, ported.

use crate::model::Graph;

/// The timeline's bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Milliseconds since recording started, per sample.
    pub timestamps_ms: Vec<f64>,
    /// The last object id assigned by each sample: interval `i` holds ids in
    /// `(ids[i - 1], ids[i]]`.
    pub ids: Vec<u32>,
    /// Self sizes of the live JavaScript objects (odd ids) allocated in each interval.
    pub sizes: Vec<f64>,
}

impl Timeline {
    pub fn build(g: &Graph) -> Option<Timeline> {
        let samples = g.timeline_samples();
        if samples.is_empty() {
            return None;
        }
        let timestamps_ms: Vec<f64> = samples.iter().map(|s| s.timestamp_us as f64 / 1000.0).collect();
        let ids: Vec<u32> = samples.iter().map(|s| s.last_assigned_id).collect();
        let mut sizes = vec![0.0; ids.len()];
        let objects = g.object_ids();
        for (i, id) in objects.iter().enumerate() {
            // Native objects have even ids.
            if id.0 % 2 == 0 {
                continue;
            }
            let at = ids.partition_point(|&x| x < id.0);
            // Allocated while the snapshot was being taken: after the last sample.
            if at < sizes.len() {
                sizes[at] += g.self_size(crate::model::NodeId::at(i)) as f64;
            }
        }
        Some(Timeline {
            timestamps_ms,
            ids,
            sizes,
        })
    }

    /// The samples from `from_ms` to `to_ms` (DevTools' window: from the first sample at or after
    /// the start to the last at or before the end), their size, and the ids the Summary keeps:
    /// `(min, max]`, exactly as DevTools' overview sets them (`max` is the next sample's id).
    pub fn select(&self, from_ms: f64, to_ms: f64) -> Selection {
        let min_index = self.timestamps_ms.partition_point(|&t| t < from_ms);
        let max_index = self.timestamps_ms.partition_point(|&t| t <= to_ms);
        let size = self.sizes[min_index..max_index.max(min_index)].iter().sum();
        Selection {
            samples: min_index..max_index.max(min_index),
            size,
            min_id: if min_index > 0 { self.ids[min_index - 1] } else { 0 },
            max_id: self.ids.get(max_index).copied().unwrap_or(u32::MAX),
        }
    }

    /// Milliseconds from the first sample to the last.
    pub fn duration_ms(&self) -> f64 {
        match (self.timestamps_ms.first(), self.timestamps_ms.last()) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        }
    }
}

/// An interval of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub samples: std::ops::Range<usize>,
    pub size: f64,
    pub min_id: u32,
    pub max_id: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_follow_devtools_overview() {
        let t = Timeline {
            timestamps_ms: vec![0.0, 50.0, 100.0, 150.0],
            ids: vec![10, 20, 30, 40],
            sizes: vec![1.0, 2.0, 4.0, 8.0],
        };
        let s = t.select(40.0, 110.0);
        assert_eq!(s.samples, 1..3);
        assert_eq!(s.size, 6.0);
        // DevTools keeps (ids[min - 1], ids[max]]: one interval past the last bar selected.
        assert_eq!((s.min_id, s.max_id), (10, 40));
        let all = t.select(0.0, 150.0);
        assert_eq!((all.min_id, all.max_id, all.size), (0, u32::MAX, 15.0));
    }
}
