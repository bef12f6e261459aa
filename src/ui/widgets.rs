//! Small shared pieces: size cells, tree toggles, progress card, colours.

use egui::text::LayoutJob;
use egui::{Align, Color32, FontSelection, Layout, RichText, Ui};

use crate::engine::task::Task;
use crate::progress::ProgressView;
use crate::text;

pub(crate) const ROW_HEIGHT: f32 = 20.0;

/// A dialog window, opened below the menu and tabs, centred, never over the menu bar.
pub(crate) fn dialog<'a>(
    ctx: &egui::Context,
    title: impl Into<egui::WidgetText>,
    open: &'a mut bool,
) -> egui::Window<'a> {
    egui::Window::new(title)
        .open(open)
        .collapsible(false)
        .resizable(false)
        .pivot(egui::Align2::CENTER_TOP)
        .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 90.0))
}
pub(crate) const INDENT: f32 = 16.0;

/// A size with its share of the total, right-aligned: `12.3 kB  4.5%`.
pub(crate) fn size_cell(ui: &mut Ui, bytes: f64, total: f64) {
    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
        ui.add_sized(
            [44.0, ROW_HEIGHT],
            egui::Label::new(RichText::new(text::percent(bytes, total)).weak().monospace()).halign(Align::RIGHT),
        );
        ui.label(RichText::new(text::bytes(bytes)).monospace());
    });
}

/// A size whose value is not known yet.
pub(crate) fn pending_cell(ui: &mut Ui) {
    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
        ui.label(RichText::new("…").weak());
    });
}

pub(crate) fn right_text(ui: &mut Ui, text: impl Into<egui::WidgetText>) {
    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
        ui.label(text);
    });
}

/// A distance cell: the number, or "−" with why on hover.
pub(crate) fn distance_cell(ui: &mut Ui, d: crate::analysis::distances::Distance) {
    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
        let shown = ui.label(d.to_string());
        if let Some(note) = crate::present::names::distance_note(d) {
            shown.on_hover_text(note);
        }
    });
}

/// Indentation of a tree row: full steps for the first levels, half steps deeper down, so long
/// retainer chains keep room for their names.
pub(crate) fn indent(depth: u16) -> f32 {
    let d = depth as f32;
    d.min(6.0) * INDENT + (d - 6.0).max(0.0) * INDENT / 2.0
}

/// The ▶/▼ toggle of a tree row, indented by depth. Returns true when clicked.
pub(crate) fn tree_toggle(ui: &mut Ui, depth: u16, expandable: bool, expanded: bool) -> bool {
    ui.add_space(indent(depth));
    if !expandable {
        ui.add_space(INDENT);
        return false;
    }
    let icon = if expanded { "▼" } else { "▶" };
    let r = ui.add(
        egui::Button::new(RichText::new(icon).monospace().size(10.0))
            .frame(false)
            .min_size(egui::vec2(INDENT, ROW_HEIGHT - 4.0)),
    );
    r.on_hover_text(if expanded { "Collapse" } else { "Expand" }).clicked()
}

/// Object id in the DevTools style, `@1234`, dimmed.
pub(crate) fn id_text(id: crate::model::ObjectId) -> RichText {
    RichText::new(format!("@{id}")).weak()
}

pub(crate) fn accent(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(255, 170, 90)
    } else {
        Color32::from_rgb(190, 90, 0)
    }
}

pub(crate) fn class_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(130, 190, 255)
    } else {
        Color32::from_rgb(20, 90, 170)
    }
}

pub(crate) fn edge_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(200, 150, 230)
    } else {
        Color32::from_rgb(130, 50, 150)
    }
}

/// Phase, percent, elapsed and a Cancel button. Returns true when Cancel was clicked.
pub(crate) fn progress_card(ui: &mut Ui, name: &str, view: ProgressView) -> bool {
    let mut cancel = false;
    egui::Frame::group(ui.style()).inner_margin(16.0).show(ui, |ui| {
        ui.set_max_width(520.0);
        ui.heading(format!("Indexing {name}"));
        ui.add_space(6.0);
        let left = match view.remaining() {
            Some(t) => format!(" · about {} left", duration(t)),
            None => String::new(),
        };
        let step = if view.phase == crate::progress::Phase::Waiting {
            // Queued behind another load: no step has started, so no percentage to give.
            String::new()
        } else {
            format!(" ({:.0}% of this step)", view.fraction * 100.0)
        };
        ui.label(format!(
            "{}{step} · {:.1} s{left}",
            view.phase.label(),
            view.elapsed.as_secs_f32()
        ));
        ui.add(
            egui::ProgressBar::new(view.overall)
                .desired_width(480.0)
                .text(format!("{:.0}%", view.overall * 100.0)),
        );
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            cancel = ui.button("Cancel").clicked();
            ui.label(RichText::new("Counts and shallow sizes appear as soon as they are known.").weak());
        });
    });
    cancel
}

/// Appends a piece of rich text to a one-line label being built.
pub fn push(ui: &Ui, job: &mut LayoutJob, text: RichText) {
    text.append_to(job, ui.style(), FontSelection::Default, Align::Center);
}

/// Appends pieces separated by a space.
pub(crate) fn job(ui: &Ui, parts: impl IntoIterator<Item = RichText>) -> LayoutJob {
    let mut job = LayoutJob::default();
    for (i, p) in parts.into_iter().enumerate() {
        if i > 0 {
            push(ui, &mut job, RichText::new(" "));
        }
        push(ui, &mut job, p);
    }
    job
}

/// A label's tail laid out on one line, and the width it takes with its spacing.
fn tail_galley(ui: &Ui, tail: Option<egui::WidgetText>) -> (Option<std::sync::Arc<egui::Galley>>, f32) {
    let tail = tail.map(|t| {
        t.into_galley(
            ui,
            Some(egui::TextWrapMode::Extend),
            f32::INFINITY,
            FontSelection::Default,
        )
    });
    let reserve = tail.as_ref().map_or(0.0, |g| g.size().x + ui.spacing().item_spacing.x);
    (tail, reserve)
}

/// A one-line label that ends in "…" where it does not fit, followed by `tail`, which always
/// shows in full (an `@id`, a size). `tooltip`: the full text on hover when it was cut.
pub fn truncated(
    ui: &mut Ui,
    job: LayoutJob,
    tail: Option<egui::WidgetText>,
    tooltip: bool,
    sense: egui::Sense,
) -> egui::Response {
    let (tail, reserve) = tail_galley(ui, tail);
    // Too narrow for both: one label, cut with "…", rather than a tail cut mid-number.
    if tail.is_some() && ui.available_width() - reserve < 40.0 {
        let mut job = job;
        if let Some(t) = &tail {
            let font = egui::TextStyle::Body.resolve(ui.style());
            let format = egui::TextFormat::simple(font, ui.visuals().weak_text_color());
            job.append(&format!(" {}", t.text()), 0.0, format);
        }
        return ui.add(
            egui::Label::new(job)
                .truncate()
                .show_tooltip_when_elided(tooltip)
                .sense(sense),
        );
    }
    let width = (ui.available_width() - reserve).max(24.0);
    let resp = ui
        .allocate_ui_with_layout(
            egui::vec2(width, ui.available_height().clamp(1.0, ROW_HEIGHT)),
            Layout::left_to_right(Align::Center),
            |ui| {
                ui.add(
                    egui::Label::new(job)
                        .truncate()
                        .show_tooltip_when_elided(tooltip)
                        .sense(sense),
                )
            },
        )
        .inner;
    if let Some(g) = tail {
        ui.label(g);
    }
    resp
}

/// Text that wraps onto more lines where the room ends, then `tail` (an `@id`, a size) after
/// it on its first line: for what must be read whole in a narrow panel (a path's steps, source
/// lines), where "…" would cut off the very name the user looks for.
pub fn wrapped(ui: &mut Ui, job: LayoutJob, tail: Option<egui::WidgetText>, sense: egui::Sense) -> egui::Response {
    let (tail, reserve) = tail_galley(ui, tail);
    let width = (ui.available_width() - reserve).max(60.0);
    let resp = ui
        .allocate_ui_with_layout(egui::vec2(width, ROW_HEIGHT), Layout::left_to_right(Align::TOP), |ui| {
            ui.set_max_width(width);
            ui.add(egui::Label::new(job).wrap_mode(egui::TextWrapMode::Wrap).sense(sense))
        })
        .inner;
    if let Some(g) = tail {
        ui.label(g);
    }
    resp
}

/// A key and its value on one line of a side panel; the value is cut with "…" (full text on
/// hover) rather than widening the panel.
pub fn field(ui: &mut Ui, key: &str, value: impl Into<RichText>) -> egui::Response {
    ui.horizontal(|ui| {
        ui.allocate_ui_with_layout(
            egui::vec2(FIELD_KEY_WIDTH, ROW_HEIGHT),
            Layout::left_to_right(Align::Center),
            |ui| {
                ui.set_min_width(FIELD_KEY_WIDTH);
                ui.label(RichText::new(key).weak());
            },
        );
        let job = job(ui, [value.into()]);
        truncated(ui, job, None, true, egui::Sense::hover())
    })
    .inner
}

const FIELD_KEY_WIDTH: f32 = 96.0;

/// `4 s`, `1 min 20 s`.
pub(crate) fn duration(t: std::time::Duration) -> String {
    let s = t.as_secs_f32().round() as u64;
    if s < 60 {
        format!("{} s", s.max(1))
    } else {
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// A one-line key/value row in a two-column grid.
pub(crate) fn kv(ui: &mut Ui, key: &str, value: impl Into<egui::WidgetText>) {
    ui.label(RichText::new(key).weak());
    ui.label(value);
    ui.end_row();
}

/// A task's value once it is done; until then a spinner with `busy`, and its error if it failed.
pub(crate) fn task_value<'t, T: Send + Sync + 'static>(
    ui: &mut Ui,
    task: &'t Task<T>,
    busy: impl Into<egui::WidgetText>,
) -> Option<&'t T> {
    match task.get() {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(busy);
            });
            None
        }
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            None
        }
        Some(Ok(v)) => Some(v),
    }
}
