//! Step 4: the leak groups, each root group with what it keeps alive nested under it, and the
//! selected group's path to root and objects.

use super::steps::step_title;
use super::*;
pub(super) fn step_results(ui: &mut Ui, w: &mut WizardState, requests: &mut Vec<AppCommand>) {
    step_title(ui, 4, "Leak groups");
    let Some(task) = &w.result else {
        ui.label(RichText::new("Results appear here once the three snapshots are indexed.").weak());
        return;
    };
    let Some(r) = widgets::task_value(ui, task, "Comparing the snapshots…").cloned() else {
        return;
    };
    ui.label(format!(
        "{} objects were allocated between {} and {} and are still alive in {}. Grouped by class and by the path that keeps them alive, largest first:",
        thousands(r.candidates as u64),
        r.names[0],
        r.names[1],
        r.names[2]
    ));
    ui.add_space(4.0);
    ui.columns(2, |cols| {
        groups_table(&mut cols[0], w, &r);
        group_detail(&mut cols[1], w, &r, requests);
    });
}

fn groups_table(ui: &mut Ui, w: &mut WizardState, r: &LeakResult) {
    let total = r.snapshot.total_size;
    let mut clicked = None;
    let mut toggle_minor = false;
    let mut expand = None;
    // The rows change only when a root group is expanded, not per frame.
    if w.rows.as_ref().is_none_or(|(n, _)| *n != w.expanded.len()) {
        w.rows = Some((w.expanded.len(), r.rows(&w.expanded)));
    }
    let rows: &[Row] = w.rows.as_ref().map_or(&[], |(_, rows)| rows.as_slice());
    let scroll_to = w
        .scroll_to
        .take()
        .and_then(|g| rows.iter().position(|row| matches!(row, Row::Group(i, _) if *i == g)));
    // The table fills what the window shows below it (the page scrolls for the rest).
    let fill = (ui.clip_rect().bottom() - ui.cursor().top() - ROW_HEIGHT - 16.0).max(240.0);
    let mut table = tree_table(ui, "leak-groups");
    if let Some(at) = scroll_to {
        table = table.scroll_to_row(at, Some(egui::Align::Center));
    }
    table
        .column(crate::ui::table::number_column(58.0))
        .column(crate::ui::table::name_column())
        .column(crate::ui::table::number_column(72.0))
        .column(crate::ui::table::number_column(crate::ui::table::SIZE_WIDTH))
        .column(crate::ui::table::number_column(92.0))
        .min_scrolled_height(fill)
        .max_scroll_height(fill)
        .auto_shrink([false, true])
        .header(ROW_HEIGHT + 4.0, |h| {
            header(h, &["#", "Class", "Count", "Retained", "Shallow"])
        })
        .body(|body| {
            let minor = &r.listing.minor;
            let shown_minor = if w.show_minor { minor.len() } else { 0 };
            let summary_row = usize::from(!minor.is_empty());
            let n = rows.len() + summary_row + shown_minor;
            body.rows(ROW_HEIGHT, n, |mut row| {
                let k = row.index();
                if let Some(&Row::More { root, hidden }) = rows.get(k) {
                    // What a root group keeps alive beyond the rows listed, in one row.
                    row.col(|_| {});
                    row.col(|ui| {
                        ui.horizontal(|ui| {
                            // The count on the button itself, unindented: a narrow column cuts.
                            if ui
                                .small_button(format!("Show {} more", thousands(hidden as u64)))
                                .on_hover_text(format!(
                                    "{} #{} keeps alive beyond the two levels listed",
                                    crate::text::count(hidden, "group", "groups"),
                                    r.numbers[root]
                                ))
                                .clicked()
                            {
                                expand = Some(root);
                            }
                        });
                    });
                    for _ in 0..3 {
                        row.col(|_| {});
                    }
                    return;
                }
                if k == rows.len() {
                    // The single small objects, folded into one row.
                    row.col(|_| {});
                    row.col(|ui| {
                        // The button first: on a narrow window the text is what gets cut.
                        if ui.small_button(if w.show_minor { "Hide" } else { "Show" }).clicked() {
                            toggle_minor = true;
                        }
                        let job = widgets::job(
                            ui,
                            [RichText::new(format!(
                                "{}, {} in all: {}",
                                crate::text::count(minor.len(), "single object", "single objects"),
                                bytes(r.listing.minor_retained),
                                names::minor_names(&r.listing, &r.groups, 6)
                            ))
                            .weak()],
                        );
                        widgets::truncated(ui, job, None, true, egui::Sense::hover());
                    });
                    for _ in 0..3 {
                        row.col(|_| {});
                    }
                    return;
                }
                let (i, depth) = match rows.get(k) {
                    Some(&Row::Group(i, depth)) => (i, depth),
                    _ => (minor[k - rows.len() - 1], 0),
                };
                let g = &r.groups[i];
                row.set_selected(w.selected == Some(i));
                row.col(|ui| {
                    ui.label(RichText::new(&r.numbers[i]).weak());
                });
                row.col(|ui| {
                    // What a leak keeps alive is listed under it, indented.
                    let mut parts = Vec::new();
                    if depth > 0 {
                        ui.add_space(widgets::indent(depth as u16 - 1));
                        parts.push(RichText::new("↳").weak());
                    }
                    // "↳" and "counted in #k" say it is kept alive by the group above.
                    parts.push(RichText::new(preview(g.shown_class(), 80)).color(widgets::class_color(ui)));
                    // A container names the user's objects it holds.
                    if depth == 0
                        && let Some(l) = r.causes.get(i).and_then(Option::as_ref).and_then(|c| c.leaked.as_ref())
                    {
                        let made = &r.groups[l.group];
                        parts.push(
                            RichText::new(format!(
                                "holds {} ×{}",
                                preview(made.shown_class(), 40),
                                thousands(made.nodes.len() as u64)
                            ))
                            .weak(),
                        );
                    }
                    let job = widgets::job(ui, parts);
                    widgets::truncated(ui, job, None, true, egui::Sense::hover());
                });
                row.col(|ui| widgets::right_text(ui, thousands(g.nodes.len() as u64)));
                row.col(|ui| match g.part_of {
                    Some(k) => widgets::right_text(
                        ui,
                        RichText::new(format!("{} in #{}", bytes(g.keeps_alive()), r.numbers[k])).weak(),
                    ),
                    None => widgets::size_cell(ui, g.retained_size, total),
                });
                row.col(|ui| widgets::right_text(ui, bytes(g.shallow_size as f64)));
                if row.response().clicked() {
                    clicked = Some(i);
                }
            });
        });
    if let Some(i) = clicked {
        w.selected = Some(i);
    }
    if toggle_minor {
        w.show_minor = !w.show_minor;
    }
    if let Some(root) = expand {
        w.expanded.push(root);
    }
}

fn group_detail(ui: &mut Ui, w: &mut WizardState, r: &LeakResult, requests: &mut Vec<AppCommand>) {
    let Some(sel) = w.selected.filter(|&i| i < r.groups.len()) else {
        ui.label(RichText::new("Select a group to see what keeps it alive.").weak());
        return;
    };
    let g = &r.groups[sel];
    let s = &r.snapshot;
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!("#{} {}", r.numbers[sel], preview(g.shown_class(), 80)))
                .strong()
                .size(16.0)
                .color(widgets::class_color(ui)),
        );
        ui.label(match g.part_of {
            // What another group keeps alive is counted there.
            Some(k) => format!(
                "×{} · retains {} · kept alive by #{}, counted there",
                thousands(g.nodes.len() as u64),
                bytes(g.keeps_alive()),
                r.numbers[k]
            ),
            None => format!(
                "×{} · retains {}",
                thousands(g.nodes.len() as u64),
                bytes(g.retained_size)
            ),
        });
        if let Some(l) = s.location_of(g.nodes[0]) {
            ui.label(RichText::new(format!("defined at {}", s.scripts.format(l))).weak())
                .on_hover_text(s.scripts.format_full(l));
        }
        if ui.button("Export finding…").clicked() && w.export.is_none() {
            w.export = Some(Export::new(g.shown_class()));
        }
    });
    // Why it stays alive, and what to do: the root group's cause (for a nested group, its root's).
    let mut show = None;
    if let Some(c) = r.cause_of(sel) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            // A container's leak: the user's objects it holds, and what lies between.
            if let Some(l) = &c.leaked {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new("Held in").strong());
                    ui.label(l.held_in.as_str());
                    if l.group != sel {
                        let made = &r.groups[l.group];
                        if ui
                            .small_button(format!(
                                "Show {} (#{})",
                                preview(made.shown_class(), 40),
                                r.numbers[l.group]
                            ))
                            .clicked()
                        {
                            show = Some(l.group);
                        }
                    }
                });
            }
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Cause").strong());
                ui.label(RichText::new(c.kind.name()).strong().color(widgets::accent(ui)));
                ui.label(c.detail());
                if let Some(l) = c.location {
                    ui.label(RichText::new(format!("at {}", s.scripts.format(l))).weak())
                        .on_hover_text(s.scripts.format_full(l));
                }
            });
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Fix").strong());
                ui.label(c.fix());
            });
        });
    }
    if let Some(i) = show {
        w.selected = Some(i);
        w.scroll_to = Some(i);
    }
    // A container's row speaks of the user's objects it holds, as its headline does.
    let made = match (g.part_of, r.cause_of(sel).and_then(|c| c.leaked.as_ref())) {
        (None, Some(l)) => l.group,
        _ => sel,
    };
    if let Some(Some(by)) = r.made_by.get(made) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Allocated by").strong())
                .on_hover_text("The stack that made most of these objects (the target snapshot recorded it)");
            ui.label(RichText::new(by.as_str()).monospace());
        });
    }
    ui.label(RichText::new("Path to the root of its largest member (root first):").weak());
    for (i, h) in g.path.iter().enumerate() {
        if crate::ui::views::object::hop_line(ui, s, Some(i), h.edge, h.node, i + 1 == g.path.len())
            && let Some(u) = w.picks[2]
        {
            requests.push(AppCommand::Object {
                doc: u,
                action: crate::ui::tree::Action::Select(h.node),
            });
        }
    }
    ui.add_space(6.0);
    ui.label(
        RichText::new(format!(
            "{} objects, largest first (click one for its retainers in the final snapshot; right-click for more):",
            thousands(g.nodes.len() as u64)
        ))
        .weak(),
    );
    // The list takes the rest of the window (the page scrolls; its content height is unbounded).
    let room = (ui.ctx().content_rect().bottom() - ui.cursor().top() - 48.0).max(200.0);
    let actions = crate::ui::table::object_list(ui, "leak-objects", s, &g.nodes, None, room);
    if let Some(u) = w.picks[2] {
        requests.extend(actions.into_iter().map(|action| AppCommand::Object { doc: u, action }));
    }
}
