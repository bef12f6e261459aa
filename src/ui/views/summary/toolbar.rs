//! Above the Summary: the class-name filter, the `@id` search, and the Show menu (DevTools'
//! "Objects allocated before / between" over the open snapshots of this process, and its
//! named filters).

use egui::{RichText, Ui};

use super::{Choice, Jump, SummaryState};
use crate::analysis::filters::NamedFilter;
use crate::ui::views::{Cx, Peers};

/// The Query field: an expression over each object (`heapsift find --where`'s language),
/// applied with Enter; it limits the Summary's rows and instances as a Show choice does.
pub(super) fn query_bar(ui: &mut Ui, summary: &mut SummaryState, cx: &Cx) {
    ui.horizontal(|ui| {
        let label = ui.label("Query");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut summary.query.text)
                    .hint_text(".userId == undefined and retained_size > 1kB")
                    .desired_width((ui.available_width() - 150.0).max(160.0)),
            )
            .labelled_by(label.id)
            .on_hover_text(crate::analysis::find::SYNTAX);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let apply = ui
            .button("Apply")
            .on_hover_text("Limit the Summary to the objects for which the query holds");
        let active = summary.range == Choice::Query;
        let clear = active && ui.button("Clear").on_hover_text("Show all objects again").clicked();
        if enter || apply.clicked() {
            let text = summary.query.text.clone();
            summary.apply_query(cx.s, &text, cx.waker);
        }
        if clear {
            summary.query.text.clear();
            summary.query.error = None;
            summary.set_range(cx.s, Choice::All, "All objects".into(), cx.waker);
        }
    });
    if let Some(e) = &summary.query.error {
        ui.colored_label(ui.visuals().error_fg_color, format!("Query: {e}"));
    }
}

pub(super) fn toolbar(ui: &mut Ui, summary: &mut SummaryState, jump: &mut Jump, cx: &Cx, focus_filter: bool) {
    // Wraps rather than widening the view: a row wider than the panel would widen the table too.
    ui.horizontal_wrapped(|ui| {
        let filter = ui.add(
            egui::TextEdit::singleline(&mut summary.filter)
                .hint_text("Filter by class name (Ctrl+F)")
                .desired_width(260.0_f32.min(ui.available_width() * 0.45)),
        );
        if focus_filter {
            filter.request_focus();
        }
        // Rows replaced under a filter (another Show choice) match original names too.
        let stale = !summary.filter.is_empty() && summary.originals.is_none() && cx.s.scripts.maps().is_some();
        if filter.changed() || stale {
            summary.find_originals(cx.s);
            summary.reorder();
        }
        if filter.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            summary.filter.clear();
            summary.reorder();
        }
        ui.label(RichText::new(format!("{} of {} classes", summary.order.len(), summary.rows.len())).weak());
        ui.separator();
        let field = ui.add(
            egui::TextEdit::singleline(&mut jump.text)
                .hint_text("@id")
                .desired_width(100.0),
        );
        let go = ui.button("Find object").on_hover_text("Select the object with this id");
        if go.clicked() || (field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
            jump.start(cx.s, cx.waker);
        }
        if jump.task.is_some() {
            ui.spinner();
        }
        if let Some(e) = &jump.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    });
}

/// The "Show" menu: DevTools' "Objects allocated before S1 / between S(k-1) and Sk" from the
/// open snapshots of this process (ordered by their newest object id; those of other
/// processes greyed), and its named filters.
pub(super) fn range_picker(ui: &mut Ui, summary: &mut SummaryState, cx: &Cx, title: String, peers: &Peers) {
    let snapshot = cx.s;
    let mut series: Vec<(String, u32)> = peers
        .same
        .iter()
        .filter_map(|c| c.snapshot.as_ref().map(|s| (c.title.clone(), s.max_js_object_id)))
        .filter(|&(_, m)| m <= snapshot.max_js_object_id)
        .collect();
    series.push((title, snapshot.max_js_object_id));
    series.sort_by_key(|x| x.1);
    series.dedup_by_key(|x| x.1);
    let mut choices: Vec<(Choice, String)> = vec![(Choice::All, "All objects".into())];
    if series.len() >= 2 {
        choices.push((
            Choice::Range(0, series[0].1),
            format!("Objects allocated before {}", series[0].0),
        ));
        for w in series.windows(2) {
            choices.push((
                Choice::Range(w[0].1, w[1].1),
                format!("Objects allocated between {} and {}", w[0].0, w[1].0),
            ));
        }
    }
    // DevTools' named filters.
    for f in NamedFilter::ALL {
        choices.push((Choice::Named(f), f.label().to_owned()));
    }
    // A choice made elsewhere (a function of the Allocation view, an interval of the timeline)
    // stays listed while shown.
    if !choices.iter().any(|c| c.0 == summary.range) {
        choices.push((summary.range, summary.range_label.clone()));
    }
    let mut picked = None;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Show");
        egui::ComboBox::from_id_salt("range")
            .selected_text(summary.range_label.clone())
            .truncate()
            .width(420.0_f32.min(ui.available_width() - 40.0).max(120.0))
            .show_ui(ui, |ui| {
                for (i, (range, label)) in choices.iter().enumerate() {
                    if i > 0 && matches!(range, Choice::Named(_)) && !matches!(choices[i - 1].0, Choice::Named(_)) {
                        peers.not_offered(ui);
                        ui.separator();
                    }
                    if ui.selectable_label(summary.range == *range, label).clicked() {
                        picked = Some((*range, label.clone()));
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if summary.range_task.is_some() {
            ui.spinner();
        }
    });
    if let Some((range, label)) = picked {
        summary.set_range(snapshot, range, label, cx.waker);
    }
}
