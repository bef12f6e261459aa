//! The windows over the page: Open a snapshot (a path field beside the native dialog), Save
//! screenshot, and the Connect and Export finding windows their pages own.

use std::path::PathBuf;

use egui::RichText;
use std::sync::Arc;

use super::{HeapsiftApp, status};
use crate::ui::{live, screenshot, widgets, wizard};

/// "Save screenshot…": the captured image and where to put it.
pub(crate) struct SaveShot {
    pub(super) image: Arc<egui::ColorImage>,
    pub(super) path: String,
    pub(super) error: Option<String>,
    /// The path field takes the keyboard focus when the window opens.
    pub(super) focus: bool,
}

const OVERWRITE: &str = "That file exists. Click Save again to replace it.";

impl HeapsiftApp {
    /// Opens the "Save screenshot" window for a captured image (the menu's path after capture).
    pub fn offer_screenshot(&mut self, image: egui::ColorImage, path: PathBuf) {
        self.save_shot = Some(SaveShot {
            image: Arc::new(image),
            path: path.display().to_string(),
            error: None,
            focus: true,
        });
    }

    /// The windows over the page: Connect, Export finding, Open a snapshot, Save screenshot.
    pub(super) fn windows(&mut self, ctx: &egui::Context) {
        live::connect_window(ctx, &mut self.live, &self.waker);
        // While the window is captured for an export, the dialog itself is not drawn.
        if let Some(w) = &mut self.wizard {
            wizard::export_window(ctx, w, &self.docs, &self.waker);
        }
        if self.open_window {
            let mut open = true;
            let mut chosen = None;
            let title = if self.open_for_wizard {
                "Open snapshots for the leak wizard"
            } else {
                "Open snapshots"
            };
            widgets::dialog(ctx, title, &mut open)
                .default_width(480.0)
                .show(ctx, |ui| {
                    if self.dialog.is_some() {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label("The file dialog is open…");
                        });
                    }
                    ui.label("Path to a .heapsnapshot (or .heapsnapshot.gz) file, or to a folder of them:");
                    let field = ui.add(
                        egui::TextEdit::singleline(&mut self.path_field)
                            .hint_text("/path/to/file.heapsnapshot")
                            .lock_focus(true)
                            .desired_width(440.0),
                    );
                    if std::mem::take(&mut self.focus_path) {
                        field.request_focus();
                    }
                    if self.completions.0 != self.path_field {
                        self.completions = (self.path_field.clone(), completions(&self.path_field));
                    }
                    // Tab completes as far as the matches agree.
                    if field.has_focus()
                        && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Tab))
                        && let Some(common) = common_prefix(&self.completions.1)
                        && common.len() > self.path_field.len()
                    {
                        self.path_field = common;
                        move_cursor_to_end(ui, field.id, &self.path_field);
                    }
                    let mut picked = None;
                    for c in self.completions.1.iter().take(8) {
                        if ui
                            .add(egui::Button::new(RichText::new(c).monospace()).frame(false))
                            .clicked()
                        {
                            picked = Some(c.clone());
                        }
                    }
                    if self.completions.1.len() > 8 {
                        ui.label(RichText::new(format!("… {} more", self.completions.1.len() - 8)).weak());
                    }
                    if let Some(c) = picked {
                        self.path_field = c;
                        field.request_focus();
                        move_cursor_to_end(ui, field.id, &self.path_field);
                    }
                    let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if (ui.button("Open").clicked() || enter) && !self.path_field.trim().is_empty() {
                        chosen = Some(PathBuf::from(self.path_field.trim()));
                    }
                });
            if let Some(p) = chosen {
                self.open_batch(vec![p], self.open_for_wizard);
                self.path_field.clear();
                open = false;
            }
            self.open_window = open;
        }
        if let Some(shot) = &mut self.save_shot {
            let mut open = true;
            let mut outcome: Option<Option<String>> = None;
            widgets::dialog(ctx, "Save screenshot", &mut open).show(ctx, |ui| {
                let [w, h] = shot.image.size;
                ui.label(format!("The window as it looked ({w} × {h}) will be saved as a PNG:"));
                let field = ui.add(egui::TextEdit::singleline(&mut shot.path).desired_width(440.0));
                if std::mem::take(&mut shot.focus) {
                    field.request_focus();
                }
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if field.changed() {
                    // A warning about the old path says nothing about the new one.
                    shot.error = None;
                }
                if let Some(e) = &shot.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() || enter {
                        let path = PathBuf::from(shot.path.trim());
                        if path.exists() && shot.error.as_deref() != Some(OVERWRITE) {
                            shot.error = Some(OVERWRITE.into());
                        } else {
                            match screenshot::save_png(&path, &shot.image) {
                                Ok(()) => outcome = Some(Some(format!("Saved {}", path.display()))),
                                Err(e) => shot.error = Some(e.to_string()),
                            }
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        outcome = Some(None);
                    }
                });
            });
            if !open && outcome.is_none() {
                outcome = Some(None);
            }
            if let Some(message) = outcome {
                self.status = status(message.unwrap_or_else(|| "Screenshot not saved".into()));
                self.save_shot = None;
            }
        }
    }
}

fn move_cursor_to_end(ui: &egui::Ui, id: egui::Id, text: &str) {
    if let Some(mut state) = egui::TextEdit::load_state(ui.ctx(), id) {
        let end = egui::text::CCursor::new(text.chars().count());
        state.cursor.set_char_range(Some(egui::text::CCursorRange::one(end)));
        state.store(ui.ctx(), id);
    }
}

/// What a typed path may go on to: the folders (with a slash) and snapshot files in its folder
/// whose names start with what follows the last slash, folders first. Hidden entries only when
/// the name typed starts with a dot.
pub(super) fn completions(typed: &str) -> Vec<String> {
    if typed.is_empty() {
        return Vec::new();
    }
    let (dir, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let Ok(entries) = std::fs::read_dir(if dir.is_empty() { "." } else { dir }) else {
        return Vec::new();
    };
    let mut found: Vec<(bool, String)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.path().is_dir();
            let lower = name.to_lowercase();
            let snapshot = [
                ".heapsnapshot",
                ".heapsnapshot.gz",
                ".heaptimeline",
                ".heapprofile",
                ".heapprofile.gz",
            ]
            .iter()
            .any(|x| lower.ends_with(x));
            (is_dir || snapshot).then(|| (!is_dir, format!("{dir}{name}{}", if is_dir { "/" } else { "" })))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, s)| s).collect()
}

/// The longest start all of them share.
fn common_prefix(all: &[String]) -> Option<String> {
    let first = all.first()?;
    let mut end = first.len();
    for s in &all[1..] {
        end = first
            .char_indices()
            .zip(s.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(end);
    }
    Some(first[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::{common_prefix, completions};

    #[test]
    fn typed_paths_complete_to_folders_and_snapshots() {
        let dir = std::env::temp_dir().join(format!("heapsift-complete-{}", std::process::id()));
        for d in ["svc-a", "svc-b", ".hidden"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        for f in [
            "svc-a/baseline.heapsnapshot",
            "svc-a/target.heapsnapshot.gz",
            "svc-a/notes.txt",
            "svc.heapsnapshot",
        ] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        let base = format!("{}/", dir.display());
        let got = completions(&format!("{base}svc"));
        assert_eq!(
            got,
            [
                format!("{base}svc-a/"),
                format!("{base}svc-b/"),
                format!("{base}svc.heapsnapshot")
            ]
        );
        assert_eq!(common_prefix(&got), Some(format!("{base}svc")));
        let inside = completions(&format!("{base}svc-a/"));
        assert_eq!(
            inside,
            [
                format!("{base}svc-a/baseline.heapsnapshot"),
                format!("{base}svc-a/target.heapsnapshot.gz")
            ],
            "snapshots only, no text files"
        );
        assert_eq!(common_prefix(&inside[..1]), Some(inside[0].clone()));
        assert!(completions(&format!("{base}.h")).contains(&format!("{base}.hidden/")));
        assert!(completions(&base).iter().all(|c| !c.contains(".hidden")));
        let _ = std::fs::remove_dir_all(dir);
    }
}
