//! The menu bar, the tabs under it (the pages, then one per snapshot) and the status bar. Menu
//! entries send commands; their labels and shortcuts come from `AppCommand`.

use crate::ui::doc::{DocId, shared_folder};
use egui::{RichText, Ui};

use super::{HeapsiftApp, Page, STATUS_SECONDS, Theme};
use crate::ui::command::{self, AppCommand};
use crate::ui::doc::DocState;

/// A menu entry for a command; clicked, it is queued and the menu closes.
fn item(ui: &mut Ui, sent: &mut Vec<AppCommand>, c: AppCommand, enabled: bool) {
    if command::button(ui, &c, enabled) {
        sent.push(c);
        ui.close();
    }
}

impl HeapsiftApp {
    pub(super) fn menu(&mut self, ui: &mut Ui) {
        let has_docs = !self.docs.is_empty();
        let mut sent: Vec<AppCommand> = Vec::new();
        let s = &mut sent;
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                item(ui, s, AppCommand::Open, true);
                item(ui, s, AppCommand::OpenPath, true);
                ui.menu_button("Open recent", |ui| {
                    if self.settings.recent.is_empty() {
                        ui.label(RichText::new("Nothing yet").weak());
                    }
                    for p in &self.settings.recent {
                        if ui.button(p.display().to_string()).clicked() {
                            s.push(AppCommand::OpenFile(p.clone()));
                            ui.close();
                        }
                    }
                });
                item(ui, s, AppCommand::OpenDemo, true);
                item(ui, s, AppCommand::Connect, true);
                ui.separator();
                item(ui, s, AppCommand::SaveScreenshot, has_docs);
                item(ui, s, AppCommand::CloseSnapshot, has_docs);
                item(ui, s, AppCommand::Quit, true);
            });
            ui.menu_button("Analyze", |ui| {
                item(ui, s, AppCommand::LeakWizard, true);
                item(ui, s, AppCommand::Growth, true);
            });
            ui.separator();
            for (c, enabled, hover) in [
                (AppCommand::Back, self.nav.can_back(), "Back (Alt+←)"),
                (AppCommand::Forward, self.nav.can_forward(), "Forward (Alt+→)"),
            ] {
                if ui
                    .add_enabled(enabled, egui::Button::new(c.label()))
                    .on_hover_text(hover)
                    .clicked()
                {
                    s.push(c);
                }
            }
            ui.separator();
            ui.menu_button("View", |ui| {
                let mut theme = self.settings.theme;
                ui.radio_value(&mut theme, Theme::System, "Follow the system theme");
                ui.radio_value(&mut theme, Theme::Light, "Light");
                ui.radio_value(&mut theme, Theme::Dark, "Dark");
                if theme != self.settings.theme {
                    self.settings.theme = theme;
                    self.apply_theme(ui.ctx());
                }
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let icon = if ui.visuals().dark_mode { "☀" } else { "🌙" };
                let toggle = AppCommand::ToggleTheme;
                if ui.button(icon).on_hover_text(toggle.label()).clicked() {
                    s.push(toggle);
                }
            });
        });
        for c in sent {
            self.send(c);
        }
    }

    pub(super) fn tabs(&mut self, ui: &mut Ui) {
        let mut close = None;
        let groups = self.tab_groups();
        let several = groups.iter().filter(|g| g.0.is_some()).count() > 1;
        ui.horizontal_wrapped(|ui| {
            self.page_tabs(ui);
            for (set, members) in groups {
                // A set whose files share a folder is named by it, and its tabs by file name.
                let folder = if several {
                    let ids: Vec<DocId> = members.iter().map(|&i| self.docs[i].id).collect();
                    shared_folder(&self.docs, &ids)
                } else {
                    None
                };
                if several {
                    ui.separator();
                    let (name, why) = match (set, &folder) {
                        (Some(set), folder) => (
                            folder.clone().unwrap_or_else(|| format!("process {}", set.0)),
                            format!(
                                "Process {}: these snapshots come from one process (their object ids agree), \
                                 oldest first; comparisons stay within it.",
                                set.0
                            ),
                        ),
                        (None, _) => (
                            "indexing".to_owned(),
                            "Which process these come from is known once they are indexed.".to_owned(),
                        ),
                    };
                    ui.label(RichText::new(name).weak()).on_hover_text(why);
                }
                for i in members {
                    let name = match folder {
                        Some(_) => self.docs[i].source.name(),
                        None => self.docs[i].title(),
                    };
                    if self.doc_tab(ui, i, name) {
                        close = Some(i);
                    }
                }
            }
        });
        if let Some(i) = close {
            self.close(i);
        }
    }

    /// Tabs by set (the sets in the order first seen, each oldest first), then the snapshots
    /// not indexed yet, in the order opened: (set, positions in `docs`).
    fn tab_groups(&self) -> Vec<(Option<crate::engine::sets::SetId>, Vec<usize>)> {
        let position = |id| self.docs.iter().position(|d| d.id == id);
        let mut groups: Vec<_> = self
            .sets
            .sets()
            .into_iter()
            .map(|set| {
                (
                    Some(set),
                    self.sets.members(set).into_iter().filter_map(position).collect(),
                )
            })
            .collect();
        let rest: Vec<usize> = (0..self.docs.len())
            .filter(|&i| self.sets.set_of(self.docs[i].id).is_none())
            .collect();
        if !rest.is_empty() {
            groups.push((None, rest));
        }
        groups
    }

    /// One snapshot's tab, named `name`; returns true when its close button was clicked.
    fn doc_tab(&mut self, ui: &mut Ui, i: usize, name: String) -> bool {
        let d = &self.docs[i];
        let label = match d.state {
            DocState::Loading(_) => format!("⟳ {name}"),
            DocState::Failed(_) => format!("⚠ {name}"),
            DocState::Cancelled => format!("⏸ {name}"),
            DocState::Ready(_) => name,
        };
        let active = self.page == Page::Snapshot && i == self.active;
        let mut text = RichText::new(label);
        // On the highlighted tab the theme's own text colour stays legible.
        if matches!(d.state, DocState::Failed(_)) && !active {
            text = text.color(ui.visuals().error_fg_color);
        }
        if ui.selectable_label(active, text).on_hover_text(d.full_name()).clicked() {
            self.active = i;
            self.page = Page::Snapshot;
        }
        let closed = ui.small_button("×").on_hover_text("Close").clicked();
        ui.add_space(6.0);
        closed
    }

    fn page_tabs(&mut self, ui: &mut Ui) {
        if self.growth.is_some() && self.page_tab(ui, Page::Growth, "Growth") {
            self.growth = None;
        }
        if let Some(title) = self.profile.as_ref().map(|p| format!("Profile: {}", p.title())) {
            ui.separator();
            if self.page_tab(ui, Page::Profile, &title) {
                self.profile = None;
                if self.page == Page::Profile {
                    self.page = Page::Snapshot;
                }
            }
        }
        if self.wizard.is_some() {
            ui.separator();
            if self.page_tab(ui, Page::Wizard, "Leak wizard") {
                self.wizard = None;
            }
        }
    }

    /// A tab for a page with a close button; returns true when it was closed.
    fn page_tab(&mut self, ui: &mut Ui, page: Page, label: &str) -> bool {
        if ui
            .selectable_label(self.page == page, RichText::new(label).strong())
            .clicked()
        {
            self.page = page;
        }
        let closed = ui.small_button("×").on_hover_text(format!("Close {label}")).clicked();
        if closed {
            self.page = Page::Snapshot;
        }
        closed
    }

    /// The last status message for a while, else how to open files.
    pub(super) fn status_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let age = self.status.as_ref().map(|s| s.at.elapsed());
            match (&self.status, age) {
                (Some(s), Some(age)) if age.as_secs() < STATUS_SECONDS => {
                    ui.label(RichText::new(&s.text).weak());
                    ui.ctx()
                        .request_repaint_after(std::time::Duration::from_secs(STATUS_SECONDS) - age);
                }
                _ => {
                    ui.label(RichText::new("Drop .heapsnapshot files here to open them.").weak());
                }
            }
        });
    }
}

/// A click outside an open menu (or combo box, or context menu) only closes it: egui would also
/// hand it to the widget underneath, selecting a table row the user never meant to pick. The
/// press is taken out of the input before the frame sees it, and the menu closed here instead.
pub(super) fn swallow_closing_click(ctx: &egui::Context, raw: &mut egui::RawInput) {
    if !egui::Popup::is_any_open(ctx) {
        return;
    }
    let over_menu = |pos: egui::Pos2| ctx.layer_id_at(pos).is_some_and(|l| l.order == egui::Order::Foreground);
    let before = raw.events.len();
    raw.events
        .retain(|e| !matches!(e, egui::Event::PointerButton { pos, pressed: true, .. } if !over_menu(*pos)));
    if raw.events.len() != before {
        egui::Popup::close_all(ctx);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_click_outside_an_open_menu_only_closes_it() {
        let ctx = egui::Context::default();
        let _ = ctx.run_ui(egui::RawInput::default(), |_| {});
        let press = egui::Event::PointerButton {
            pos: egui::pos2(100.0, 300.0),
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: egui::Modifiers::NONE,
        };
        let mut raw = egui::RawInput {
            events: vec![press.clone()],
            ..Default::default()
        };
        super::swallow_closing_click(&ctx, &mut raw);
        assert_eq!(
            raw.events,
            std::slice::from_ref(&press),
            "no menu open: the click is the user's"
        );
        egui::Popup::open_id(&ctx, egui::Id::unique("file-menu"));
        let moved = egui::Event::PointerMoved(egui::pos2(100.0, 300.0));
        raw.events = vec![moved.clone(), press];
        super::swallow_closing_click(&ctx, &mut raw);
        assert_eq!(raw.events, [moved], "the press is taken, the pointer still moves");
        assert!(!egui::Popup::is_any_open(&ctx), "and the menu is closed");
    }
}
