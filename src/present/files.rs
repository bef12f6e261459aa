//! Names for files listed together: the file name, with as much of its folder as tells it apart
//! from another open file of the same name (`svc-a/baseline.heapsnapshot`,
//! `svc-b/baseline.heapsnapshot`); the same file opened twice is numbered (`… (2)`).

use std::path::{Component, Path};

/// One label per path, in order.
pub fn labels<P: AsRef<Path>>(paths: &[P]) -> Vec<String> {
    let parts: Vec<Vec<String>> = paths.iter().map(|p| components(p.as_ref())).collect();
    let mut labels: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, mine)| {
            // The shortest tail of the path that no other (different) path ends with.
            let others: Vec<&Vec<String>> = parts
                .iter()
                .enumerate()
                .filter(|&(j, theirs)| j != i && theirs != mine && theirs.last() == mine.last())
                .map(|(_, theirs)| theirs)
                .collect();
            let needed = (1..=mine.len())
                .find(|&k| others.iter().all(|theirs| tail(theirs, k) != tail(mine, k)))
                .unwrap_or(mine.len());
            tail(mine, needed).join("/")
        })
        .collect();
    // The same file more than once: the second is "name (2)", and so on.
    for i in 0..labels.len() {
        let earlier = (0..i).filter(|&j| parts[j] == parts[i]).count();
        if earlier > 0 {
            labels[i] = format!("{} ({})", labels[i], earlier + 1);
        }
    }
    labels
}

fn components(p: &Path) -> Vec<String> {
    let v: Vec<String> = p
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if v.is_empty() { vec![p.display().to_string()] } else { v }
}

fn tail(parts: &[String], k: usize) -> &[String] {
    &parts[parts.len().saturating_sub(k)..]
}

#[cfg(test)]
mod tests {
    use super::labels;

    #[test]
    fn labels_add_only_the_folders_that_tell_files_apart() {
        assert_eq!(
            labels(&[
                "/srv/svc-a/baseline.heapsnapshot",
                "/srv/svc-b/baseline.heapsnapshot",
                "/srv/svc-a/final.heapsnapshot",
                "/x/one/2024/s.heapsnapshot",
                "/y/one/2024/s.heapsnapshot",
                "/srv/svc-a/baseline.heapsnapshot",
                "leak-s1.heapsnapshot (demo)",
            ]),
            [
                "svc-a/baseline.heapsnapshot",
                "svc-b/baseline.heapsnapshot",
                "final.heapsnapshot",
                "x/one/2024/s.heapsnapshot",
                "y/one/2024/s.heapsnapshot",
                "svc-a/baseline.heapsnapshot (2)",
                "leak-s1.heapsnapshot (demo)",
            ]
        );
        // Relative and absolute spellings of the same name still differ by their folders.
        assert_eq!(labels(&["a/f", "/b/f"]), ["a/f", "b/f"]);
        assert_eq!(labels::<&str>(&[]), Vec::<String>::new());
    }
}
