//! Rules about the code itself, checked as tests: which module may import which. The layers,
//! lowest first: the shared helpers (`text`, `error`, `progress`, `column`, `atomic`) →
//! `format` → `model` → `analysis` → `engine` → `present` → `ui`, `mcp` and `cli` (which starts
//! the other two). Live `capture` and `desktop` stand beside the engine on the shared helpers alone.

use std::path::{Path, PathBuf};

use crate::common;

/// The top-level modules each module may name with `crate::`; anything else is a layer above it
/// (or, for `ui` and `cli`, a sibling).
const ALLOWED: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("progress", &[]),
    ("error", &["progress"]),
    ("column", &[]),
    ("atomic", &["error"]),
    ("format", &["text", "error", "progress", "column"]),
    ("model", &["format", "text", "error", "progress", "column"]),
    ("analysis", &["model", "format", "text", "error", "progress", "column"]),
    (
        "engine",
        &[
            "analysis", "model", "format", "text", "error", "progress", "column", "atomic",
        ],
    ),
    ("capture", &["text", "error", "progress", "atomic"]),
    ("desktop", &["text", "error", "atomic"]),
    (
        "present",
        &[
            "engine", "analysis", "model", "format", "text", "error", "progress", "column", "atomic",
        ],
    ),
    // The MCP server: a front end over the same layers as the CLI and the app, and the live
    // capture they use; neither of them.
    (
        "mcp",
        &[
            "present", "engine", "analysis", "model", "format", "text", "error", "progress", "column", "atomic",
            "capture",
        ],
    ),
];

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The names that follow any of `markers` (`crate::`, `super::super::`, …) in a file, with
/// their line numbers, comments left out.
fn names_after(path: &Path, markers: &[&str]) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for marker in markers {
            let mut rest = code;
            while let Some(at) = rest.find(marker) {
                rest = &rest[at + marker.len()..];
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.push((n + 1, name));
                }
            }
        }
    }
    out
}

/// The top-level modules a file names as `crate::NAME` (or escapes to with `super::super::`).
fn imports(path: &Path) -> Vec<(usize, String)> {
    names_after(path, &["crate::", "super::super::"])
}

#[test]
fn lower_layers_never_import_the_layers_above() {
    let src = common::repo().join("src");
    let mut wrong = Vec::new();
    for &(module, allowed) in ALLOWED {
        let files = if src.join(module).is_dir() {
            rust_files(&src.join(module))
        } else {
            vec![src.join(format!("{module}.rs"))]
        };
        assert!(files.iter().all(|f| f.exists()), "{module}: no such module");
        for f in files {
            for (line, name) in imports(&f) {
                if name != module && !allowed.contains(&name.as_str()) {
                    wrong.push(format!("{}:{line}: {module} imports {name}", f.display()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that run up the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_app_and_the_command_line_do_not_import_each_other() {
    let src = common::repo().join("src");
    for (module, other) in [("ui", "cli"), ("cli", "ui")] {
        for f in rust_files(&src.join(module)) {
            for (line, name) in imports(&f) {
                assert_ne!(name, other, "{}:{line}: {module} imports {other}", f.display());
            }
        }
    }
}

/// Inside the app, the same rule: the building blocks (rows, cells, the tree table, commands)
/// and the views never import the snapshot's tab (`doc`), the pages or the shell; the views get
/// their state and a context and return what their frame left to do.
const UI_ALLOWED: &[(&str, &[&str])] = &[
    ("widgets", &[]),
    ("tree", &[]),
    ("table", &["tree", "widgets"]),
    ("treeview", &["tree", "table", "widgets"]),
    ("command", &["tree"]),
    ("views", &["tree", "table", "treeview", "widgets", "command"]),
];

/// The `ui` modules a file names: `crate::ui::NAME`, and in files directly under `src/ui/`,
/// `super::NAME` too.
fn ui_imports(path: &Path, top_level: bool) -> Vec<(usize, String)> {
    let markers: &[&str] = if top_level {
        &["crate::ui::", "super::"]
    } else {
        &["crate::ui::"]
    };
    names_after(path, markers)
}

#[test]
fn inside_the_app_the_views_never_reach_into_the_tab_or_the_shell() {
    let ui = common::repo().join("src/ui");
    let mut wrong = Vec::new();
    for &(module, allowed) in UI_ALLOWED {
        let (files, top_level) = if ui.join(module).is_dir() {
            (rust_files(&ui.join(module)), false)
        } else {
            (vec![ui.join(format!("{module}.rs"))], true)
        };
        for f in files {
            for (line, name) in ui_imports(&f, top_level) {
                if name != module && !allowed.contains(&name.as_str()) {
                    wrong.push(format!("{}:{line}: ui::{module} imports ui::{name}", f.display()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that run up the app's layers:\n{}",
        wrong.join("\n")
    );
}

/// The rule can fail: a file that imports upward is found.
#[test]
fn an_upward_import_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.rs");
    std::fs::write(
        &f,
        "use crate::model::NodeId; // crate::ui in a comment\nfn f() { crate::present::names::object_label(); }\n",
    )
    .unwrap();
    let found: Vec<String> = imports(&f).into_iter().map(|(_, n)| n).collect();
    assert_eq!(found, ["model", "present"]);
}
