//! The CI gate of `leaks` and `hunt`: which groups fail it (`--fail-above`, `--baseline`), the
//! closing line that says why, and GitHub's workflow annotations (`--format github`).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{CliError, CliResult};
use crate::analysis::Snapshot;
use crate::analysis::leaks::{self, LeakGroup};
use crate::present::causes::Cause;
use crate::present::report::{self, SCHEMA_VERSION};
use crate::text::{bytes, preview, thousands};

/// A root group of an earlier run's JSON, as `--baseline` matches it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Previous {
    class: String,
    location: Value,
    path_shape: Value,
    count: u64,
    retained_size: f64,
}

/// An earlier `leaks --json` or `hunt --json` output.
#[derive(Debug)]
pub(super) struct Baseline {
    pub path: PathBuf,
    groups: Vec<Previous>,
}

/// Retained sizes vary a little between runs of one build; counts do not.
const SIZE_SLACK: f64 = 1.10;

impl Baseline {
    pub(super) fn read(path: &Path) -> CliResult<Baseline> {
        let bad = |why: String| CliError::Usage(format!("{}: {why} (given as --baseline)", path.display()));
        let text = std::fs::read_to_string(path).map_err(crate::error::PathIoError::at(path, "read it"))?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not JSON ({e})")))?;
        let command = doc["command"].as_str().unwrap_or_default();
        if doc["schema_version"] != SCHEMA_VERSION || !matches!(command, "leaks" | "hunt") {
            return Err(bad(format!(
                "not the JSON of heapsift leaks or hunt (schema_version {SCHEMA_VERSION})"
            )));
        }
        let groups = doc["groups"]
            .as_array()
            .ok_or_else(|| bad("has no groups".into()))?
            .iter()
            .map(|g| Previous {
                class: g["class"].as_str().unwrap_or_default().to_owned(),
                location: g["location"].clone(),
                path_shape: g["path_shape"].clone(),
                count: g["count"].as_u64().unwrap_or(0),
                retained_size: g["retained_size"].as_f64().unwrap_or(0.0),
            })
            .collect();
        Ok(Baseline {
            path: path.to_path_buf(),
            groups,
        })
    }

    /// The earlier group this one is: the same class, location and path shape, else the only
    /// earlier group of that class and location (a path can change while the leak stays).
    fn find(&self, now: &Previous) -> Option<&Previous> {
        let same = |p: &&Previous| p.class == now.class && p.location == now.location;
        self.groups
            .iter()
            .find(|p| same(p) && p.path_shape == now.path_shape)
            .or_else(|| {
                let mut it = self.groups.iter().filter(same);
                match (it.next(), it.next()) {
                    (Some(one), None) => Some(one),
                    _ => None,
                }
            })
    }

    /// Why a group fails against the baseline: new, or grown; None when it did not change.
    fn change(&self, now: &Previous) -> Option<String> {
        match self.find(now) {
            None => Some("is new since the baseline".into()),
            Some(p) if now.count > p.count => Some(format!(
                "grew since the baseline from ×{} to ×{}",
                thousands(p.count),
                thousands(now.count)
            )),
            Some(p) if now.retained_size > p.retained_size * SIZE_SLACK => Some(format!(
                "grew since the baseline from {} to {}",
                bytes(p.retained_size),
                bytes(now.retained_size)
            )),
            Some(_) => None,
        }
    }
}

/// What the gate was asked to check.
pub(super) struct Rules<'a> {
    /// `--fail-above`: its text as given and its bytes.
    pub limit: Option<(&'a str, u64)>,
    pub baseline: Option<&'a Baseline>,
    /// How many times the action ran, when known: a group that grows by less than one object
    /// per run is not held against --fail-above.
    pub runs: Option<usize>,
}

/// A group that fails the gate, and why.
pub(super) struct Failing {
    pub group: usize,
    pub why: String,
}

/// The gate's verdict over the root groups a report lists (minor single objects never fail it).
pub(super) struct Verdict {
    pub failing: Vec<Failing>,
    /// The closing line: "Gate passed: …" or "Gate failed: …".
    pub summary: String,
}

impl Rules<'_> {
    pub(super) fn active(&self) -> bool {
        self.limit.is_some() || self.baseline.is_some()
    }

    pub(super) fn judge(&self, s: &Snapshot, groups: &[LeakGroup]) -> Verdict {
        let numbers = leaks::numbers(groups);
        let causes = crate::present::causes::of_groups(s, groups);
        let largest = leaks::largest_retained(groups);
        let per = self.runs.map(|r| leaks::per_action(groups, r));
        let mut failing = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            if g.part_of.is_some() || leaks::is_minor(g, largest) {
                continue;
            }
            let mut why = Vec::new();
            if let Some((text, l)) = self.limit {
                let bounded = per.as_ref().is_some_and(|p| p[i] < leaks::GROWING_PER_ACTION);
                if g.retained_size <= l as f64 || bounded {
                    continue;
                }
                why.push(format!(
                    "retains {}, more than --fail-above {text}",
                    bytes(g.retained_size)
                ));
            }
            if let Some(b) = self.baseline {
                match b.change(&previous(s, g)) {
                    None => continue,
                    Some(change) => why.push(change),
                }
            }
            failing.push(Failing {
                group: i,
                why: why.join(" and "),
            });
        }
        let rule = match (self.limit, self.baseline) {
            (Some((t, _)), None) => format!("retains more than {t}"),
            (None, Some(b)) => format!("is new or grew since {}", report::file_name(&b.path)),
            (Some((t, _)), Some(b)) => format!(
                "retains more than {t} and is new or grew since {}",
                report::file_name(&b.path)
            ),
            (None, None) => String::new(),
        };
        let summary = if failing.is_empty() {
            let largest = groups
                .iter()
                .enumerate()
                .filter(|(_, g)| g.part_of.is_none())
                .max_by(|a, b| a.1.retained_size.total_cmp(&b.1.retained_size));
            let note = match largest {
                Some((i, g)) => format!(
                    " (the largest, {}, retains {})",
                    label(groups, &numbers, i, 40, &causes),
                    bytes(g.retained_size)
                ),
                None => String::new(),
            };
            format!("Gate passed: no leak group {rule}{note}.")
        } else {
            let named: Vec<String> = failing
                .iter()
                .map(|f| label(groups, &numbers, f.group, 40, &causes))
                .collect();
            format!(
                "Gate failed: {} {rule}: {}.",
                crate::text::count(failing.len(), "leak group", "leak groups"),
                named.join(", ")
            )
        };
        Verdict { failing, summary }
    }
}

/// `#1 CachedSession ×300`: a group as the gate's lines name it, its class cut at `width`.
/// `#1 CachedSession ×300`; a container by the user's objects it holds: `#1 Subscription ×60 (in
/// Array ×1)`.
pub(super) fn label(
    groups: &[LeakGroup],
    numbers: &[String],
    i: usize,
    width: usize,
    causes: &[Option<Cause>],
) -> String {
    let g = &groups[i];
    let named = |g: &LeakGroup| format!("{} ×{}", preview(&g.class, width), thousands(g.nodes.len() as u64));
    match causes.get(i).and_then(Option::as_ref).and_then(|c| c.leaked.as_ref()) {
        Some(l) => format!("#{} {} (in {})", numbers[i], named(&groups[l.group]), named(g)),
        None => format!("#{} {}", numbers[i], named(g)),
    }
}

/// A group as `--baseline` compares it, in the JSON's terms.
fn previous(s: &Snapshot, g: &LeakGroup) -> Previous {
    Previous {
        class: g.class.clone(),
        location: report::location_json(s.location_of(g.nodes[0]), Some(&s.scripts)),
        path_shape: serde_json::json!(g.signature),
        count: g.nodes.len() as u64,
        retained_size: g.keeps_alive(),
    }
}

/// The verdict as JSON (`gate`).
pub(super) fn verdict_json(rules: &Rules, verdict: &Verdict, groups: &[LeakGroup]) -> Value {
    let numbers = leaks::numbers(groups);
    serde_json::json!({
        "passed": verdict.failing.is_empty(),
        "fail_above": rules.limit.map(|(_, l)| l),
        "baseline": rules.baseline.map(|b| b.path.display().to_string()),
        "failing": verdict.failing.iter().map(|f| serde_json::json!({
            "number": numbers[f.group],
            "why": f.why,
        })).collect::<Vec<Value>>(),
        "summary": verdict.summary,
    })
}

/// GitHub's workflow commands: one annotation per listed root group at the line that defines
/// its class (`error` when it fails the gate, else `warning`), then the verdict.
pub(super) fn github(s: &Snapshot, groups: &[LeakGroup], top: usize, verdict: Option<&Verdict>) -> Vec<String> {
    let numbers = leaks::numbers(groups);
    let listing = leaks::listing(groups, top, None);
    let root = std::env::var("GITHUB_WORKSPACE")
        .map(PathBuf::from)
        .or_else(|_| std::env::current_dir())
        .ok();
    let causes = crate::present::causes::of_groups(s, groups);
    let mut out = Vec::new();
    for &(i, depth) in &listing.rows {
        if depth > 0 {
            continue;
        }
        let g = &groups[i];
        // A container's annotation goes to the class of the user's objects it holds.
        let made = causes[i]
            .as_ref()
            .and_then(|c| c.leaked.as_ref())
            .map_or(g, |l| &groups[l.group]);
        let fails = verdict.is_some_and(|v| v.failing.iter().any(|f| f.group == i));
        let mut props = vec![format!(
            "title={}",
            property(&format!(
                "Leak group #{}: {} ×{}",
                numbers[i],
                preview(&made.class, 60),
                made.nodes.len()
            ))
        )];
        if let Some(l) = s.location_of(made.nodes[0])
            && let Some(url) = s.scripts.url(l.script_id)
        {
            props.insert(0, format!("file={}", property(&workspace_path(url, root.as_deref()))));
            props.insert(1, format!("line={}", l.line + 1));
            props.insert(2, format!("col={}", l.column + 1));
        }
        let holder = crate::present::names::path_lines(s, &g.path);
        let mut message = format!(
            "{} objects allocated between the baseline and the target are still alive; together they keep {} alive.",
            thousands(g.nodes.len() as u64),
            bytes(g.retained_size)
        );
        if let Some(f) = verdict.and_then(|v| v.failing.iter().find(|f| f.group == i)) {
            message.push_str(&format!(" It fails the gate: it {}.", f.why));
        }
        message.push_str("\nPath to the root:\n");
        message.push_str(&holder.join("\n"));
        out.push(format!(
            "::{} {}::{}",
            if fails { "error" } else { "warning" },
            props.join(","),
            data(&message)
        ));
    }
    if let Some(v) = verdict {
        let level = if v.failing.is_empty() { "notice" } else { "error" };
        out.push(format!("::{level} title=heapsift::{}", data(&v.summary)));
    }
    out
}

/// A script's name as a path in the repository: `file://` dropped, relative to the workspace
/// when it lies inside it, a URL's path without its host (GitHub places annotations by
/// repository path).
fn workspace_path(url: &str, root: Option<&Path>) -> String {
    // A page's script: its path on the server is the best guess at its path in the repository.
    for scheme in ["https://", "http://"] {
        if let Some(rest) = url.strip_prefix(scheme) {
            let path = rest.split_once('/').map_or("", |(_, p)| p);
            return path.split(['?', '#']).next().unwrap_or_default().to_owned();
        }
    }
    let path = url.strip_prefix("file://").unwrap_or(url);
    match root.and_then(|r| Path::new(path).strip_prefix(r).ok()) {
        Some(rel) => rel.display().to_string(),
        None => path.to_owned(),
    }
}

/// Escapes a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_and_place_files_in_the_workspace() {
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a: b, c"), "a%3A b%2C c");
        let root = Path::new("/home/runner/work/app");
        assert_eq!(
            workspace_path("file:///home/runner/work/app/src/server.js", Some(root)),
            "src/server.js"
        );
        assert_eq!(workspace_path("/elsewhere/x.js", Some(root)), "/elsewhere/x.js");
        assert_eq!(
            workspace_path("node:internal/errors", Some(root)),
            "node:internal/errors"
        );
        assert_eq!(
            workspace_path("https://shop.example.test/js/dom.js?v=2", Some(root)),
            "js/dom.js"
        );
    }

    #[test]
    fn a_baseline_matches_groups_and_finds_growth() {
        let g = |class: &str, shape: &str, count, size| Previous {
            class: class.into(),
            location: serde_json::json!({"line": 3}),
            path_shape: serde_json::json!(shape),
            count,
            retained_size: size,
        };
        let b = Baseline {
            path: "prev.json".into(),
            groups: vec![g("A", "x", 10, 1000.0), g("B", "y", 5, 500.0), g("B", "z", 5, 500.0)],
        };
        assert_eq!(
            b.change(&g("A", "x", 10, 1050.0)),
            None,
            "a little size noise is no growth"
        );
        assert_eq!(
            b.change(&g("A", "other path", 10, 1000.0)),
            None,
            "one A: the same leak"
        );
        assert!(b.change(&g("A", "x", 11, 1000.0)).unwrap().contains("×10 to ×11"));
        assert!(b.change(&g("A", "x", 10, 2000.0)).unwrap().contains("grew"));
        assert!(
            b.change(&g("B", "w", 5, 500.0)).unwrap().contains("new"),
            "two Bs: the shape decides"
        );
        assert!(b.change(&g("C", "x", 1, 1.0)).unwrap().contains("new"));
    }
}
