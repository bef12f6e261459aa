//! Above the Summary of an allocation timeline: bars of the live objects allocated in each
//! sample interval; dragging across them limits the Summary to the objects allocated then and
//! still alive, as DevTools' timeline overview does.

use egui::{Color32, RichText, Sense, Ui};

use super::{Choice, SummaryState};
use crate::analysis::timeline::Timeline;
use crate::text::bytes;
use crate::ui::views::Cx;
use crate::ui::widgets;

/// Height of the bar chart.
const HEIGHT: f32 = 64.0;

/// The drag under way, in fractions of the chart's width.
#[derive(Default, Clone, Copy)]
pub struct Drag {
    pub(crate) from: Option<f32>,
    pub(crate) to: f32,
    /// The interval the Summary shows, kept shaded.
    pub(crate) chosen: Option<(f32, f32)>,
}

pub(super) fn strip(ui: &mut Ui, summary: &mut SummaryState, t: &Timeline, cx: &Cx) {
    let duration = t.duration_ms().max(1.0);
    let start = t.timestamps_ms.first().copied().unwrap_or(0.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Allocation timeline").strong());
        // The first sample stands for everything allocated before the recording.
        let during: f64 = t.sizes.iter().skip(1).sum();
        ui.label(
            RichText::new(format!(
                "{:.1} s recorded; bars: live objects allocated in each interval ({} during the recording, {} \
                 from before it). Drag across bars to list the objects allocated then.",
                duration / 1000.0,
                bytes(during),
                bytes(t.sizes.first().copied().unwrap_or(0.0))
            ))
            .weak(),
        );
        if matches!(summary.range, Choice::Range(..))
            && summary.range_label.starts_with("Objects allocated from ")
            && ui.small_button("Whole recording").clicked()
        {
            summary.drag.chosen = None;
            summary.set_range(cx.s, Choice::All, "All objects".into(), cx.waker);
        }
    });
    let width = ui.available_width().max(100.0);
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(width, HEIGHT), Sense::click_and_drag());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    let max = t.sizes.iter().skip(1).copied().fold(0.0, f64::max).max(1.0);
    let x_of = |ms: f64| rect.left() + ((ms - start) / duration) as f32 * rect.width();
    let bar = (rect.width() / t.sizes.len().max(1) as f32).clamp(1.0, 12.0);
    let colour = widgets::accent(ui);
    for (i, &size) in t.sizes.iter().enumerate().skip(1) {
        if size <= 0.0 {
            continue;
        }
        let h = (size / max) as f32 * (HEIGHT - 4.0);
        let x = x_of(t.timestamps_ms[i]);
        painter.rect_filled(
            egui::Rect::from_min_max(egui::pos2(x - bar, rect.bottom() - h), egui::pos2(x, rect.bottom())),
            0.0,
            colour,
        );
    }
    let frac = |x: f32| ((x - rect.left()) / rect.width()).clamp(0.0, 1.0);
    // From where the button went down, not where the drag was recognised.
    if resp.drag_started()
        && let Some(p) = ui.input(|i| i.pointer.press_origin()).or(resp.interact_pointer_pos())
    {
        summary.drag.from = Some(frac(p.x));
        summary.drag.to = frac(p.x);
    }
    if (resp.dragged() || resp.drag_stopped())
        && let Some(p) = ui.input(|i| i.pointer.latest_pos())
    {
        summary.drag.to = frac(p.x);
    }
    let shown =
        matches!(summary.range, Choice::Range(..)) && summary.range_label.starts_with("Objects allocated from ");
    if let (Some((a, b)), true, None) = (summary.drag.chosen, shown, summary.drag.from) {
        let shade = egui::Rect::from_min_max(
            egui::pos2(rect.left() + a * rect.width(), rect.top()),
            egui::pos2(rect.left() + b * rect.width(), rect.bottom()),
        );
        mark(&painter, shade, ui);
    }
    if let Some(from) = summary.drag.from {
        let (a, b) = (from.min(summary.drag.to), from.max(summary.drag.to));
        let shade = egui::Rect::from_min_max(
            egui::pos2(rect.left() + a * rect.width(), rect.top()),
            egui::pos2(rect.left() + b * rect.width(), rect.bottom()),
        );
        mark(&painter, shade, ui);
        if resp.drag_stopped() {
            summary.drag.from = None;
            summary.drag.chosen = Some((a, b));
            let (from_ms, to_ms) = (start + a as f64 * duration, start + b as f64 * duration);
            let sel = t.select(from_ms, to_ms);
            let label = format!(
                "Objects allocated from {:.2} s to {:.2} s ({} live)",
                (from_ms - start) / 1000.0,
                (to_ms - start) / 1000.0,
                bytes(sel.size)
            );
            summary.set_range(cx.s, Choice::Range(sel.min_id, sel.max_id), label, cx.waker);
        }
    }
    if let Some(p) = resp.hover_pos() {
        let ms = start + frac(p.x) as f64 * duration;
        let i = t.timestamps_ms.partition_point(|&x| x < ms).min(t.sizes.len() - 1);
        resp.on_hover_text_at_pointer(format!(
            "{:.2} s: {} allocated in this interval still alive",
            (t.timestamps_ms[i] - start) / 1000.0,
            bytes(t.sizes[i])
        ));
    }
}

/// The chosen interval: shaded and outlined.
fn mark(painter: &egui::Painter, r: egui::Rect, ui: &Ui) {
    painter.rect(
        r,
        0.0,
        Color32::from_white_alpha(40),
        egui::Stroke::new(1.5, ui.visuals().strong_text_color()),
        egui::StrokeKind::Inside,
    );
}
