//! The batch runs of the app (`--screenshot`, `--export-finding`): wait for every load, apply
//! the view and selection, let the background work settle, then capture or export, and exit
//! with a code that says how it went.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use super::{HeapsiftApp, Page};
use crate::ui::doc::DocState;
use crate::ui::screenshot;

impl HeapsiftApp {
    /// Advances a `--screenshot` run: wait for every load, apply view and selection, wait for
    /// the background work to settle, capture.
    pub(super) fn drive_plan(&mut self, ctx: &egui::Context) {
        let Some(plan) = &mut self.plan else { return };
        ctx.request_repaint();
        match plan.stage {
            screenshot::Stage::Loading => {
                if self.docs.iter().any(|d| d.is_loading()) {
                    return;
                }
                if let Some(e) = self.docs.iter().find_map(|d| match &d.state {
                    DocState::Failed(e) => Some(e.clone()),
                    _ => None,
                }) {
                    eprintln!("heapsift: {e}");
                    self.exit_code.store(2, Ordering::Relaxed);
                    plan.stage = screenshot::Stage::Done;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    return;
                }
                let (view, select) = (plan.view, plan.select);
                plan.stage = screenshot::Stage::Settling;
                if let Some(d) = self.docs.get_mut(self.active) {
                    d.view = view;
                    if let Some(id) = select {
                        d.jump_to(id, &self.waker);
                    }
                }
            }
            screenshot::Stage::Settling => {
                let mut busy = self.docs.get(self.active).is_some_and(|d| d.busy());
                if self.page == Page::Growth
                    && let Some(g) = &self.growth
                {
                    busy |= g.busy() || g.result().is_none();
                }
                if self.page == Page::Wizard
                    && let Some(w) = &mut self.wizard
                {
                    busy |= w.busy() || w.result.is_none();
                    if !busy && w.selected.is_none() && w.result().is_some_and(|r| !r.groups.is_empty()) {
                        w.selected = Some(0);
                        busy = true;
                    }
                }
                if let Some(d) = self.docs.get(self.active)
                    && let Some(e) = &d.jump.error
                {
                    eprintln!("heapsift: {e}");
                    self.exit_code.store(2, Ordering::Relaxed);
                    plan.stage = screenshot::Stage::Done;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    return;
                }
                plan.quiet_frames = if busy { 0 } else { plan.quiet_frames + 1 };
                if plan.quiet_frames >= 4 {
                    if let Some(dir) = plan.export.clone() {
                        plan.stage = screenshot::Stage::Exporting;
                        let started = match &mut self.wizard {
                            Some(w) if w.selected.is_some() => w.export_now(ctx, &dir, "finding"),
                            _ => Err(crate::present::finding::ExportError::NothingToExport),
                        };
                        if let Err(e) = started {
                            eprintln!("heapsift: {e}");
                            self.exit_code.store(2, Ordering::Relaxed);
                            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                        }
                    } else {
                        plan.stage = screenshot::Stage::Capturing;
                        self.pending_shot = Some(screenshot::Pending::request(ctx));
                    }
                }
            }
            screenshot::Stage::Exporting => {
                if let Some(r) = self.wizard.as_ref().and_then(|w| w.export_result()) {
                    match r {
                        Ok(m) => println!("{m}"),
                        Err(e) => {
                            eprintln!("heapsift: {e}");
                            self.exit_code.store(2, Ordering::Relaxed);
                        }
                    }
                    plan.stage = screenshot::Stage::Done;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            screenshot::Stage::Capturing | screenshot::Stage::Done => {}
        }
    }

    pub(super) fn finish_plan(&mut self, ctx: &egui::Context, img: &egui::ColorImage) {
        let Some(plan) = &mut self.plan else { return };
        plan.stage = screenshot::Stage::Done;
        let code = if screenshot::is_blank(img) {
            eprintln!("heapsift: the captured window is blank (no rendering?)");
            1
        } else {
            let out = plan.out.clone().unwrap_or_else(|| PathBuf::from("heapsift.png"));
            match screenshot::save_png(&out, img) {
                Ok(()) => {
                    println!("{}", out.display());
                    0
                }
                Err(e) => {
                    eprintln!("heapsift: {e}");
                    2
                }
            }
        };
        self.exit_code.store(code, Ordering::Relaxed);
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}
