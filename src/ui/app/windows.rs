//! The windows over the page: Open a snapshot (a path field beside the native dialog), Save
//! screenshot, and the Connect and Export finding windows their pages own.

use std::path::PathBuf;
use std::sync::Arc;

use super::{HeapsiftApp, status};
use crate::ui::{live, screenshot, wizard};

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
            egui::Window::new("Open a snapshot")
                .open(&mut open)
                .collapsible(false)
                .resizable(false)
                .default_width(480.0)
                .show(ctx, |ui| {
                    if self.dialog.is_some() {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label("The file dialog is open…");
                        });
                    }
                    ui.label("Path to a .heapsnapshot (or .heapsnapshot.gz) file:");
                    let field = ui.add(
                        egui::TextEdit::singleline(&mut self.path_field)
                            .hint_text("/path/to/file.heapsnapshot")
                            .desired_width(440.0),
                    );
                    if std::mem::take(&mut self.focus_path) {
                        field.request_focus();
                    }
                    let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if (ui.button("Open").clicked() || enter) && !self.path_field.trim().is_empty() {
                        chosen = Some(PathBuf::from(self.path_field.trim()));
                    }
                });
            if let Some(p) = chosen {
                self.open(crate::engine::Source::File(p));
                self.path_field.clear();
                open = false;
            }
            self.open_window = open;
        }
        if let Some(shot) = &mut self.save_shot {
            let mut open = true;
            let mut outcome: Option<Option<String>> = None;
            egui::Window::new("Save screenshot")
                .open(&mut open)
                .collapsible(false)
                .resizable(false)
                .show(ctx, |ui| {
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
