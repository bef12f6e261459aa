//! A finding: one leak group written up for a post-mortem, as three files made together or not
//! at all: Markdown (what, how many, how much, where it is defined, the chain that keeps it
//! alive, the snapshots' checksums), JSON (the same for tools) and a PNG of the app's window.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::names::{display_class, edge_arrow, hop_label, says_more};
use super::report::js_number;
use crate::analysis::Snapshot;
use crate::analysis::leaks::{self, LeakGroup};
use crate::analysis::query::display_name;
use crate::engine::Source;
use crate::error::PathIoError;
use crate::model::NodeId;
use crate::text::preview;

/// What a group keeps alive, one line each: class, count, shallow size.
pub type Kept = (String, usize, u64);

/// The groups `groups[i]` keeps alive, as a finding lists them.
pub fn kept_alive(groups: &[LeakGroup], i: usize) -> Vec<Kept> {
    leaks::kept_alive_by(groups, i)
        .into_iter()
        .map(|k| {
            (
                groups[k].shown_class().to_owned(),
                groups[k].nodes.len(),
                groups[k].shallow_size,
            )
        })
        .collect()
}

/// The snapshots a finding names, by their bytes (read again: a file may be gigabytes).
pub fn identities(sources: &[Source]) -> Result<Vec<SnapshotIdentity>, PathIoError> {
    sources
        .iter()
        .map(|src| match src {
            Source::File(p) => SnapshotIdentity::of_file(p).map_err(PathIoError::at(p, "read it")),
            Source::Embedded(name, bytes) => Ok(SnapshotIdentity::of_bytes(name, bytes)),
        })
        .collect()
}

/// Whether a finding named `base` can be written into `folder`: a folder, and none of its three
/// files there yet.
pub fn check_destination(folder: &Path, base: &str) -> Result<(), ExportError> {
    if !folder.exists() {
        return Err(ExportError::NoFolder(folder.to_path_buf()));
    }
    if !folder.is_dir() {
        return Err(ExportError::NotAFolder(folder.to_path_buf()));
    }
    let existing: Vec<PathBuf> = ["md", "json", "png"]
        .iter()
        .map(|ext| folder.join(format!("{base}.{ext}")))
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() {
        return Err(ExportError::Exists(existing));
    }
    Ok(())
}

/// Why a finding was not exported, in one line for the dialog or `--export-finding`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ExportError {
    #[error("{} does not exist", .0.display())]
    NoFolder(PathBuf),
    #[error("{} is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("{} already exists; choose another name", shown(.0))]
    Exists(Vec<PathBuf>),
    #[error("no leak group to export: the three snapshots have none, or --wizard was not given three")]
    NothingToExport,
    /// A file of the finding could not be written, or a snapshot read again for its checksum.
    #[error(transparent)]
    Io(#[from] crate::error::PathIoError),
    /// Encoding the image, or a cancelled export.
    #[error(transparent)]
    Failed(#[from] crate::error::Error),
}

fn shown(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn write(
    folder: &Path,
    base: &str,
    s: &Snapshot,
    ids: &[SnapshotIdentity],
    (group, kept, cause): (&LeakGroup, &[Kept], Option<&super::causes::Cause>),
    redact: bool,
    png: &[u8],
) -> Result<String, ExportError> {
    let png_name = format!("{base}.png");
    let mut md = markdown(s, ids, group, kept, redact, Some(&png_name));
    let mut json = json(s, ids, group, kept, redact);
    if let Some(c) = cause {
        // Under the headline: why it stays alive and what to do.
        let at = md.find("\n\n").map_or(md.len(), |i| i + 2);
        md.insert_str(
            at,
            &format!(
                "{}**Cause**: {}.\n\n**Fix**: {}.\n\n",
                c.leaked
                    .as_ref()
                    .map_or(String::new(), |l| format!("**Held in**: {}.\n\n", l.held_in)),
                c.line(s),
                c.fix()
            ),
        );
        json["group"]["cause"] = c.json(s);
    }
    let mut json_text = serde_json::to_string_pretty(&json).unwrap_or_default();
    json_text.push('\n');
    let paths = [
        folder.join(&png_name),
        folder.join(format!("{base}.json")),
        folder.join(format!("{base}.md")),
    ];
    for (i, (path, bytes)) in paths.iter().zip([png, json_text.as_bytes(), md.as_bytes()]).enumerate() {
        if let Err(e) = crate::atomic::write(path, crate::atomic::Mode::NoClobber, bytes) {
            // All three or none: a finding without its Markdown is not one.
            for written in &paths[..i] {
                let _ = std::fs::remove_file(written);
            }
            return Err(PathIoError::at(path, "write it")(e).into());
        }
    }
    Ok(format!("Wrote {}", shown(&paths)))
}

/// A snapshot named in a finding: file name, size and SHA-256 of its bytes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SnapshotIdentity {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

impl SnapshotIdentity {
    /// Hashes a file (streamed: works for multi-GB files).
    pub fn of_file(path: &Path) -> std::io::Result<SnapshotIdentity> {
        use sha2::Digest;
        use std::io::Read;
        let mut f = std::fs::File::open(path)?;
        let mut hasher = sha2::Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buf[..n]);
        }
        Ok(SnapshotIdentity {
            name: super::report::file_name(path),
            size,
            sha256: format!("{:x}", hasher.finalize()),
        })
    }

    pub fn of_bytes(name: &str, bytes: &[u8]) -> SnapshotIdentity {
        use sha2::Digest;
        SnapshotIdentity {
            name: name.to_owned(),
            size: bytes.len() as u64,
            sha256: format!("{:x}", sha2::Sha256::digest(bytes)),
        }
    }
}

/// A node's name for a finding: string values hidden when redacting.
fn finding_name(s: &Snapshot, v: NodeId, redact: bool) -> String {
    let g = &s.graph;
    let name = display_name(g, v);
    let type_name = g.type_name(v);
    if redact && crate::format::redact::holds_a_value(type_name) {
        crate::format::redact::placeholder(g.name(v))
    } else {
        preview(&name, 200)
    }
}

/// One leak group written up: what, how many, how much, and the chain that keeps it alive.
/// `kept`: what the group keeps alive (other groups): class, count, shallow size.
pub fn json(
    s: &Snapshot,
    snapshots: &[SnapshotIdentity],
    group: &crate::analysis::leaks::LeakGroup,
    kept: &[Kept],
    redact: bool,
) -> Value {
    let g = &s.graph;
    // The hops of every other path in the JSON, with string values hidden when redacting.
    let mut path = super::report::path_json(s, &group.path);
    for (hop, h) in path.as_array_mut().into_iter().flatten().zip(&group.path) {
        hop["class"] = json!(display_class(s, h.node));
        hop["name"] = json!(finding_name(s, h.node, redact));
    }
    json!({
        "schema_version": super::report::SCHEMA_VERSION,
        "command": "finding",
        "tool": format!("heapsift {}", env!("CARGO_PKG_VERSION")),
        "method": "three-snapshot: objects allocated between the baseline and the target, still alive in the final snapshot",
        "snapshots": snapshots,
        "group": {
            "class": group.class,
            "original_class": group.original_class,
            "location": super::report::location_json(s.location_of(group.nodes[0]), Some(&s.scripts)),
            "count": group.nodes.len(),
            "shallow_size": group.shallow_size,
            "retained_size": js_number(group.keeps_alive()),
            "ids": group.nodes.iter().take(100).map(|&v| g.id(v)).collect::<Vec<_>>(),
            "path_shape": group.signature,
            "allocated_by": super::allocations::made_by_group(s, group)
                .map(|m| m.iter().take(5).map(|m| m.json(s)).collect::<Vec<_>>()),
            "kept_alive": kept.iter().map(|(c, n, sh)| json!({"class": c, "count": n, "shallow_size": sh})).collect::<Vec<Value>>(),
        },
        "path_to_root": path,
        "strings_redacted": redact,
    })
}

pub fn markdown(
    s: &Snapshot,
    snapshots: &[SnapshotIdentity],
    group: &crate::analysis::leaks::LeakGroup,
    kept: &[Kept],
    redact: bool,
    png_name: Option<&str>,
) -> String {
    use crate::text::{bytes, thousands};
    let g = &s.graph;
    let mut md = format!(
        "# Leak: `{}` ×{} retains {}\n\n",
        preview(group.shown_class(), 80),
        thousands(group.nodes.len() as u64),
        bytes(group.keeps_alive())
    );
    md.push_str(&format!(
        "{} objects of class `{}` were allocated between the baseline and the target snapshot and are still alive in the final one. Together they keep {} alive (shallow {}).\n\n",
        thousands(group.nodes.len() as u64),
        preview(group.shown_class(), 80),
        bytes(group.keeps_alive()),
        bytes(group.shallow_size as f64)
    ));
    if let Some(l) = s.location_of(group.nodes[0]) {
        md.push_str(&format!(
            "`{}` is defined at `{}`",
            preview(group.shown_class(), 80),
            s.scripts.format_full(l)
        ));
        // Source text is heap content too: a redacted finding leaves it out.
        match s.scripts.source_lines(g, l, 3).filter(|_| !redact) {
            Some(lines) => {
                md.push_str(":\n\n```js\n");
                for (n, text, here) in lines {
                    md.push_str(&format!("{} {n:>5} | {text}\n", if here { ">" } else { " " }));
                }
                md.push_str("```\n\n");
            }
            None => md.push_str(".\n\n"),
        }
    }
    if let Some(by) = super::allocations::made_by_text(s, group) {
        md.push_str(&format!("Allocated by: `{by}`.\n\n"));
    }
    if !kept.is_empty() {
        md.push_str("They keep alive, counted in that size:\n\n");
        for (class, count, shallow) in kept {
            md.push_str(&format!(
                "- `{}` ×{} (shallow {})\n",
                preview(class, 80),
                thousands(*count as u64),
                bytes(*shallow as f64)
            ));
        }
        md.push('\n');
    }
    md.push_str("| Snapshot | Role | Size | SHA-256 |\n|---|---|---:|---|\n");
    for (snap, role) in snapshots.iter().zip(["baseline (S1)", "target (S2)", "final (S3)"]) {
        md.push_str(&format!(
            "| `{}` | {role} | {} | `{}` |\n",
            snap.name,
            bytes(snap.size as f64),
            snap.sha256
        ));
    }
    md.push_str(&format!(
        "\n## What keeps them alive\n\nPath from the GC root to @{} (one of the {}), in the final snapshot:\n\n```\n",
        g.id(group.nodes[0]),
        thousands(group.nodes.len() as u64)
    ));
    for h in &group.path {
        let edge = edge_arrow(g, h.edge);
        let class = hop_label(s, h.node);
        let name = finding_name(s, h.node, redact);
        let name = if says_more(s, h.node, &name) {
            format!(" “{name}”")
        } else {
            String::new()
        };
        md.push_str(&format!(
            "{edge}{class} @{}{name}  (retains {})\n",
            g.id(h.node),
            bytes(s.retained.get(h.node))
        ));
    }
    md.push_str("```\n");
    let ids: Vec<String> = group.nodes.iter().take(20).map(|&v| format!("@{}", g.id(v))).collect();
    md.push_str(&format!(
        "\nSome of the objects: {}{}\n",
        ids.join(", "),
        if group.nodes.len() > 20 { ", …" } else { "" }
    ));
    if redact {
        md.push_str("\nString values are redacted.\n");
    }
    if let Some(png) = png_name {
        md.push_str(&format!("\n![heapsift view of this finding]({png})\n"));
    }
    md.push_str(&format!("\n_Made with heapsift {}._\n", env!("CARGO_PKG_VERSION")));
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::leaks;
    use crate::progress::Progress;

    /// A finding is its three files or nothing: when one cannot be written, the ones written
    /// before it are removed, and the error names the file that failed.
    #[test]
    fn a_failed_export_leaves_no_part_of_the_finding() {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-snapshots/leak-s3.heapsnapshot");
        let s = crate::engine::load(&file, &Progress::new()).unwrap();
        let members: Vec<_> = s
            .graph
            .nodes()
            .filter(|&v| s.class_name(v) == "CachedSession")
            .collect();
        let groups = leaks::group(&s, &members, &Progress::new()).unwrap();
        let ids = [SnapshotIdentity::of_bytes("leak-s3.heapsnapshot", b"{}")];
        let dir = tempfile::tempdir().unwrap();
        // The Markdown, written last, cannot be: a file of that name is in the way.
        std::fs::write(dir.path().join("x.md"), "mine").unwrap();
        let e = write(dir.path(), "x", &s, &ids, (&groups[0], &[], None), false, b"png").unwrap_err();
        assert!(
            matches!(&e, ExportError::Io(io) if io.path.ends_with("x.md") && io.what == "write it"),
            "{e}"
        );
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["x.md"], "the PNG and JSON are removed, the other file kept");
        assert_eq!(std::fs::read_to_string(dir.path().join("x.md")).unwrap(), "mine");
        // With the way clear, all three are written.
        std::fs::remove_file(dir.path().join("x.md")).unwrap();
        let wrote = write(dir.path(), "x", &s, &ids, (&groups[0], &[], None), false, b"png").unwrap();
        assert!(wrote.starts_with("Wrote "), "{wrote}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }
}
