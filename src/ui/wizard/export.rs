//! "Export finding…": the selected group as Markdown, JSON and a PNG of the window, all three
//! or none; the window that asks where, the capture, and the writing off the UI thread.

use super::*;
pub struct Export {
    folder: String,
    base: String,
    redact: bool,
    /// What was written, or why not.
    message: Option<Result<String, ExportError>>,
    stage: ExportStage,
}

impl Export {
    /// The dialog for a group, proposing the current folder and a name after its class.
    pub(super) fn new(class: &str) -> Export {
        let dir = std::env::current_dir().unwrap_or_default();
        let safe: String = class.chars().filter(|c| c.is_ascii_alphanumeric()).take(40).collect();
        Export {
            folder: dir.display().to_string(),
            base: format!("leak-{}", if safe.is_empty() { "group".into() } else { safe }),
            redact: false,
            message: None,
            stage: ExportStage::Editing,
        }
    }

    /// Capturing or writing.
    pub(super) fn busy(&self) -> bool {
        !matches!(self.stage, ExportStage::Editing)
    }
}

enum ExportStage {
    Editing,
    Capturing(screenshot::Pending),
    Writing(Task<Result<String, ExportError>>),
}

/// The export window; drives capture and writing. Call every frame.
pub(crate) fn export_window(ctx: &egui::Context, w: &mut WizardState, docs: &[Doc], waker: &Waker) {
    let Some(ex) = &mut w.export else { return };
    let Some(r) = w.result.as_ref().and_then(|t| t.value()).cloned() else {
        w.export = None;
        return;
    };
    let Some(selected) = w.selected.filter(|&i| i < r.groups.len()) else {
        w.export = None;
        return;
    };
    let group = &r.groups[selected];
    match &mut ex.stage {
        ExportStage::Capturing(p) => {
            if let Some(img) = p.take() {
                // Once per export, not per frame: the group and what it keeps alive.
                let group = group.clone();
                let kept = finding::kept_alive(&r.groups, selected);
                let cause = r.cause_of(selected).cloned();
                let png = screenshot::encode_png(&img);
                let sources: Vec<Source> = w
                    .picks
                    .iter()
                    .filter_map(|&u| doc_by_uid(docs, u).map(|d| d.source.clone()))
                    .collect();
                let (folder, base, redact) = (PathBuf::from(ex.folder.trim()), ex.base.trim().to_owned(), ex.redact);
                let snapshot = r.snapshot.clone();
                let export = move || -> Result<String, ExportError> {
                    let png_path = folder.join(format!("{base}.png"));
                    let png = png.map_err(|e| PathIoError::at(&png_path, "encode it")(std::io::Error::other(e)))?;
                    let ids = finding::identities(&sources)?;
                    finding::write(
                        &folder,
                        &base,
                        &snapshot,
                        &ids,
                        (&group, &kept, cause.as_ref()),
                        redact,
                        &png,
                    )
                };
                ex.stage = ExportStage::Writing(Task::spawn(waker.clone(), move |_| Ok(export())));
            }
            return;
        }
        ExportStage::Writing(t) => {
            if let Some(res) = t.get() {
                ex.message = Some(res.clone().unwrap_or_else(|e| Err(e.into())));
                ex.stage = ExportStage::Editing;
            }
        }
        ExportStage::Editing => {}
    }
    let mut open = true;
    let mut go = false;
    widgets::dialog(ctx, "Export finding", &mut open).show(ctx, |ui| {
        ui.label(format!(
            "{} ×{}: a Markdown report, a JSON file and a PNG of the window.",
            group.class,
            group.nodes.len()
        ));
        egui::Grid::new("export").num_columns(2).show(ui, |ui| {
            let label = ui.label("Folder");
            ui.add(egui::TextEdit::singleline(&mut ex.folder).desired_width(360.0))
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Name");
            ui.add(egui::TextEdit::singleline(&mut ex.base).desired_width(200.0))
                .labelled_by(label.id);
            ui.end_row();
        });
        ui.checkbox(&mut ex.redact, "Redact string values");
        ui.horizontal(|ui| {
            go = ui.button("Export").clicked();
            if matches!(ex.stage, ExportStage::Writing(_)) {
                ui.spinner();
                ui.label("Hashing the snapshots and writing…");
            }
        });
        match &ex.message {
            Some(Ok(m)) => {
                ui.label(RichText::new(m).color(egui::Color32::from_rgb(90, 170, 90)));
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                if let ExportError::NoFolder(dir) = e
                    && ui.button("Create the folder and export").clicked()
                {
                    match std::fs::create_dir_all(dir) {
                        Ok(()) => go = true,
                        Err(err) => ex.message = Some(Err(PathIoError::at(dir, "create it")(err).into())),
                    }
                }
            }
            None => {}
        }
    });
    if go {
        ex.message = start(ex, ctx).err().map(Err);
    }
    if !open {
        w.export = None;
    }
}

/// Checks the target and starts the capture; the rest runs in `export_window`.
fn start(ex: &mut Export, ctx: &egui::Context) -> Result<(), ExportError> {
    finding::check_destination(&PathBuf::from(ex.folder.trim()), ex.base.trim())?;
    // The dialog is not drawn during the capture, so the PNG shows the finding, not this dialog.
    ex.stage = ExportStage::Capturing(screenshot::Pending::request(ctx));
    Ok(())
}

impl WizardState {
    /// Exports the selected group without the dialog (command line `--export-finding`).
    pub(crate) fn export_now(
        &mut self,
        ctx: &egui::Context,
        folder: &std::path::Path,
        base: &str,
    ) -> Result<(), ExportError> {
        let mut ex = Export {
            folder: folder.display().to_string(),
            base: base.to_owned(),
            redact: false,
            message: None,
            stage: ExportStage::Editing,
        };
        start(&mut ex, ctx)?;
        self.export = Some(ex);
        Ok(())
    }

    /// The outcome of the last export, once it is written.
    pub(crate) fn export_result(&self) -> Option<&Result<String, ExportError>> {
        self.export.as_ref().and_then(|e| e.message.as_ref())
    }
}
