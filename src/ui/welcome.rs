//! The empty window: how to get a snapshot, Open, the demo, recent files.

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::command::AppCommand;

/// The welcome screen; what the user chose, as a command.
pub fn show(ui: &mut Ui, recent: &[PathBuf], path_field: &mut String) -> Option<AppCommand> {
    let mut choice = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(40.0);
            ui.heading(RichText::new("heapsift").size(30.0).strong());
            ui.label(
                RichText::new("Find what holds your memory in V8 heap snapshots — with DevTools' numbers.").size(15.0),
            );
            ui.add_space(20.0);
            ui.horizontal(|ui| {
                ui.add_space((ui.available_width() - 420.0).max(0.0) / 2.0);
                if ui
                    .add(
                        egui::Button::new(RichText::new("📂  Open snapshot…").size(16.0))
                            .min_size(egui::vec2(200.0, 36.0)),
                    )
                    .on_hover_text("Ctrl+O")
                    .clicked()
                {
                    choice = Some(AppCommand::Open);
                }
                if ui
                    .add(
                        egui::Button::new(RichText::new("▶  Try the demo").size(16.0))
                            .min_size(egui::vec2(200.0, 36.0)),
                    )
                    .on_hover_text(
                        "Opens three built-in snapshots of a page that leaks sessions, listeners and metric samples, and runs the leak wizard on them",
                    )
                    .clicked()
                {
                    choice = Some(AppCommand::TryDemo);
                }
            });
            ui.add_space(6.0);
            if ui
                .button("Hunt a leak with three snapshots (wizard)")
                .on_hover_text("Baseline, target, final: what the target leaked")
                .clicked()
            {
                choice = Some(AppCommand::LeakWizard);
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                ui.add_space((ui.available_width() - 520.0).max(0.0) / 2.0);
                let field = ui.add(
                    egui::TextEdit::singleline(path_field)
                        .hint_text("…or paste a path to a .heapsnapshot file")
                        .desired_width(420.0),
                );
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if (ui.button("Open").clicked() || enter) && !path_field.trim().is_empty() {
                    choice = Some(AppCommand::OpenFile(PathBuf::from(path_field.trim())));
                }
            });
            ui.label(RichText::new("You can also drop snapshot files onto this window.").weak());
        });
        ui.add_space(24.0);
        ui.columns(2, |cols| {
            let ui = &mut cols[0];
            ui.strong("Recent files");
            if recent.is_empty() {
                ui.label(RichText::new("Nothing yet.").weak());
            }
            for p in recent {
                let label = p
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let dir = p.parent().map(|d| d.display().to_string()).unwrap_or_default();
                ui.horizontal(|ui| {
                    if ui.link(label).on_hover_text(p.display().to_string()).clicked() {
                        choice = Some(AppCommand::OpenFile(p.clone()));
                    }
                    ui.label(RichText::new(dir).weak().small());
                });
            }
            let ui = &mut cols[1];
            ui.strong("How to take a heap snapshot");
            ui.add_space(4.0);
            howto(
                ui,
                "Node.js, on demand",
                "node --heapsnapshot-signal=SIGUSR2 server.js\nkill -USR2 <pid>",
            );
            howto(ui, "Node.js, from code", "require('v8').writeHeapSnapshot()");
            howto(
                ui,
                "Node.js with DevTools",
                "node --inspect server.js   # then chrome://inspect → Memory",
            );
            ui.label("Chrome, Edge, Electron: DevTools ▸ Memory ▸ Heap snapshot ▸ Take snapshot, then Save.");
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Force a garbage collection first: the trash-can button, or").weak());
                ui.label(RichText::new("node --expose-gc").monospace());
                ui.label(RichText::new("and").weak());
                ui.label(RichText::new("gc()").monospace());
            });
        });
    });
    choice
}

fn howto(ui: &mut Ui, title: &str, code: &str) {
    ui.label(title);
    ui.horizontal(|ui| {
        ui.add(egui::Label::new(RichText::new(code).monospace()).wrap());
        if ui.small_button("📋").on_hover_text("Copy").clicked() {
            ui.ctx().copy_text(code.to_owned());
        }
    });
    ui.add_space(4.0);
}
