//! Finding the source maps of a snapshot's scripts on disk: a script with a local path is read
//! (V8 keeps only its first 1,024 characters in the snapshot) for its `//# sourceMappingURL`
//! comment, an inline `data:` URL or a file beside it; failing that, `<script>.map` under the
//! folders given with `--source-maps`. What is found is attached to the snapshot's scripts, so
//! every location shown afterwards reads the original file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::analysis::Snapshot;
use crate::analysis::sourcemaps::SourceMaps;

static DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Folders searched for `<script file name>.map` when a script names no map it has.
pub fn use_source_map_dirs(dirs: Vec<PathBuf>) {
    *DIRS.lock().unwrap_or_else(|e| e.into_inner()) = dirs;
}

/// Scripts and maps larger than this are not read.
const MAX_FILE: u64 = 256 << 20;
/// A line this long in a script without a map says it was minified.
const MINIFIED_LINE: usize = 500;
/// How deep `--source-maps` folders are searched.
const MAX_DEPTH: usize = 6;

/// A script's path on this machine, from the URL the snapshot gives it.
fn local_path(url: &str) -> Option<PathBuf> {
    let path = if let Some(rest) = url.strip_prefix("file://") {
        PathBuf::from(percent_decode(rest))
    } else if url.starts_with('/') {
        PathBuf::from(url)
    } else {
        return None;
    };
    path.is_file().then_some(path)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn read_text(path: &Path) -> Option<String> {
    let len = std::fs::metadata(path).ok()?.len();
    if len > MAX_FILE {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The `sourceMappingURL` a script's last lines give.
fn mapping_url(source: &str) -> Option<&str> {
    let mut start = source.len().saturating_sub(8192);
    while !source.is_char_boundary(start) {
        start += 1;
    }
    let tail = &source[start..];
    let at = tail.rfind("sourceMappingURL=")?;
    let before = tail[..at].trim_end_matches(' ');
    if !(before.ends_with("//#") || before.ends_with("//@") || before.ends_with("/*#")) {
        return None;
    }
    let url = tail[at + "sourceMappingURL=".len()..]
        .split(char::is_whitespace)
        .next()?;
    let url = url.trim_end_matches("*/");
    (!url.is_empty()).then_some(url)
}

/// The map's JSON for a `sourceMappingURL`: decoded from a `data:` URL, or read from a path
/// relative to the script.
fn map_json(url: &str, script: &Path) -> Result<Vec<u8>, String> {
    if let Some(data) = url.strip_prefix("data:") {
        let (meta, payload) = data.split_once(',').ok_or("a data: URL without data")?;
        return if meta.ends_with(";base64") {
            decode_base64(payload).ok_or_else(|| "its inline map is not valid base64".to_owned())
        } else {
            Ok(percent_decode(payload).into_bytes())
        };
    }
    if url.contains("://") && !url.starts_with("file://") {
        return Err(format!("its map {url} is not a local file"));
    }
    let rel = url
        .strip_prefix("file://")
        .map(percent_decode)
        .unwrap_or_else(|| percent_decode(url));
    let path = script.parent().unwrap_or(Path::new(".")).join(rel);
    let len = std::fs::metadata(&path)
        .map_err(|_| format!("its map {} was not found", path.display()))?
        .len();
    if len > MAX_FILE {
        return Err(format!("its map {} is too large", path.display()));
    }
    std::fs::read(&path).map_err(|e| format!("its map {} cannot be read: {e}", path.display()))
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    data_encoding::BASE64.decode(s.trim().as_bytes()).ok()
}

/// Every `*.map` under `dir`, by file name.
fn maps_under(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() && depth < MAX_DEPTH && e.file_name() != "node_modules" {
            maps_under(&p, depth + 1, out);
        } else if kind.is_file() && p.extension().is_some_and(|x| x == "map") {
            out.push(p);
        }
    }
}

/// Looks for the maps of `s`'s scripts and attaches what it finds; returns notes for the user:
/// a map named but not usable, or a minified script with none.
pub fn attach(s: &Snapshot) -> Vec<String> {
    let dirs = DIRS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut extra: Vec<PathBuf> = Vec::new();
    for d in &dirs {
        maps_under(d, 0, &mut extra);
    }
    let mut maps = SourceMaps::default();
    let mut notes = Vec::new();
    let mut minified: Vec<&str> = Vec::new();
    let (scripts, _) = s.scripts.parts();
    for (id, script) in scripts {
        let url = script.url.as_str();
        if url.is_empty() || url.starts_with("node:") {
            continue;
        }
        let file_name = url.rsplit(['/', '\\']).next().unwrap_or(url);
        // The start of the script as V8 ran it (the snapshot keeps its first 1,024 characters):
        // a file on disk is only this script if it starts the same way.
        let ran = s.scripts.source(&s.graph, id).filter(|r| !r.is_empty());
        let same = |text: &str| ran.is_none_or(|r| text.starts_with(r));
        // A map under --source-maps, beside a copy of the script (its name without `.map`).
        let beside: Option<(&PathBuf, String)> = extra
            .iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy() == format!("{file_name}.map"))
            })
            .find_map(|p| read_text(&p.with_extension("")).filter(|t| same(t)).map(|t| (p, t)));
        let short = crate::analysis::scripts::short_name(url);
        let path = local_path(url);
        let on_disk = path.as_deref().and_then(read_text);
        let (path, text) = match (path, on_disk) {
            (Some(p), Some(t)) if same(&t) => (Some(p), Some(t)),
            (Some(_), Some(_)) if beside.is_none() => {
                notes.push(format!(
                    "{short} changed on disk since the snapshot was taken; its source map is not used"
                ));
                continue;
            }
            _ => (None, beside.as_ref().map(|b| b.1.clone())),
        };
        let beside = beside.map(|b| b.0);
        let found: Result<Option<Vec<u8>>, String> = match (&path, &text) {
            (Some(p), Some(t)) => match mapping_url(t) {
                Some(u) => match (map_json(u, p), beside) {
                    (Ok(j), _) => Ok(Some(j)),
                    (Err(_), Some(b)) => std::fs::read(b).map(Some).map_err(|e| e.to_string()),
                    (Err(e), None) => Err(e),
                },
                None => Ok(beside.and_then(|b| std::fs::read(b).ok())),
            },
            _ => Ok(beside.and_then(|b| std::fs::read(b).ok())),
        };
        match found {
            Ok(Some(json)) => {
                // Without the script on disk, names cannot be found; positions still map.
                let generated = text.as_deref().unwrap_or("");
                if let Err(e) = maps.add(id, &json, generated) {
                    notes.push(format!("{short}: its source map cannot be read ({e})"));
                }
            }
            Ok(None) => {
                // Without the file, the start the snapshot keeps tells a minified script.
                let seen = text.as_deref().or(ran);
                if seen.is_some_and(|t| t.lines().any(|l| l.len() > MINIFIED_LINE)) {
                    minified.push(short);
                }
            }
            Err(e) => notes.push(format!("{short}: {e}; locations stay in the generated code")),
        }
    }
    match minified.as_slice() {
        [] => {}
        [one] => notes.push(format!(
            "{one} looks minified and no source map was found for it (give its folder with --source-maps DIR)"
        )),
        many => notes.push(format!(
            "{} scripts look minified and no source map was found for them: {}{} (give their folder with --source-maps DIR)",
            many.len(),
            many.iter().take(3).copied().collect::<Vec<_>>().join(", "),
            if many.len() > 3 { ", …" } else { "" }
        )),
    }
    if !maps.is_empty() {
        s.scripts.set_maps(Arc::new(maps));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_urls_are_read_from_the_end_of_a_script() {
        assert_eq!(
            mapping_url("x()\n//# sourceMappingURL=app.js.map\n"),
            Some("app.js.map")
        );
        assert_eq!(mapping_url("x()\n/*# sourceMappingURL=a.map */"), Some("a.map"));
        assert_eq!(mapping_url("let s = 'sourceMappingURL=nope'"), None);
        let inline = "data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozfQ==";
        assert_eq!(map_json(inline, Path::new("/x.js")).unwrap(), b"{\"version\":3}");
        let e = map_json("missing.map", Path::new("/nowhere/x.js")).unwrap_err();
        assert!(e.contains("was not found"), "{e}");
        assert_eq!(percent_decode("/a%20b/c.js"), "/a b/c.js");
    }
}
