//! Steps 1 to 3: how to take three snapshots of one process, which three (or take them now
//! when connected, with the suspect action run between), and their indexing.

use super::*;
pub(super) fn step_title(ui: &mut Ui, n: usize, title: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(format!("Step {n}: {title}")).strong().size(16.0));
    ui.add_space(2.0);
}

pub(super) fn step_method(ui: &mut Ui) {
    step_title(ui, 1, "Take three snapshots of one process");
    ui.label(
        "Objects that exist in the target snapshot but not in the baseline, and are still alive in the final one, \
         are what the action leaked: temporary allocations are gone by then.",
    );
    egui::Grid::new("method")
        .num_columns(2)
        .spacing([10.0, 4.0])
        .show(ui, |ui| {
            for (n, what) in [
                (
                    "S1",
                    "Baseline: start the app, use every feature once, force a GC, take a snapshot.",
                ),
                (
                    "S2",
                    "Target: repeat the suspect action many times (e.g. 100 requests), force a GC, take a snapshot.",
                ),
                ("S3", "Final: wait a little, force a GC, take a snapshot."),
            ] {
                ui.label(RichText::new(n).strong());
                ui.label(what);
                ui.end_row();
            }
        });
    ui.collapsing("How to take heap snapshots", |ui| {
        howto(ui, "Node.js, on a signal (force GC first: run with --expose-gc)", "node --expose-gc --heapsnapshot-signal=SIGUSR2 server.js\nkill -USR2 $(pgrep -f server.js)");
        howto(ui, "Node.js, from code", "global.gc?.(); require('v8').writeHeapSnapshot();");
        howto(ui, "Node.js with Chrome DevTools", "node --inspect server.js   # chrome://inspect → Memory → Take snapshot");
        ui.label("Chrome, Edge, Electron: DevTools ▸ Memory ▸ click the trash can (collect garbage) ▸ Heap snapshot ▸ Take snapshot; then Save each profile.");
    });
}

fn howto(ui: &mut Ui, title: &str, code: &str) {
    ui.label(RichText::new(title).weak());
    ui.horizontal(|ui| {
        ui.add(egui::Label::new(RichText::new(code).monospace()).wrap());
        if ui.small_button("📋 Copy").clicked() {
            ui.ctx().copy_text(code.to_owned());
        }
    });
}

pub(super) fn step_pick(ui: &mut Ui, w: &mut WizardState, cx: &mut WizardCx) {
    let (docs, live) = (cx.docs, cx.live);
    step_title(
        ui,
        2,
        if live.connected {
            "Take them, or choose them"
        } else {
            "Choose them"
        },
    );
    if live.connected {
        ui.label(
            "Connected: each button collects garbage in the process, takes the snapshot, saves it and picks it here.",
        );
    } else if docs.is_empty() {
        ui.label(RichText::new("Open the three snapshots first, or try the built-in demo set.").weak());
    }
    egui::Grid::new("picks")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            for (i, role) in ROLES.iter().enumerate() {
                let role_label = ui.label(*role);
                // Once one slot is filled, the others offer only snapshots of its process.
                let set = (0..3)
                    .filter(|&k| k != i)
                    .find_map(|k| w.picks[k].and_then(|p| cx.sets.set_of(p)));
                let current = doc_by_uid(docs, w.picks[i])
                    .map(|d| d.title())
                    .unwrap_or_else(|| "choose…".into());
                ui.horizontal(|ui| {
                    egui::ComboBox::from_id_salt(("pick", i))
                        .selected_text(current)
                        .width(320.0)
                        .show_ui(ui, |ui| {
                            let mut elsewhere = Vec::new();
                            for d in docs {
                                match (set, cx.sets.set_of(d.id)) {
                                    (Some(want), Some(its)) if want != its => elsewhere.push(d),
                                    _ => {
                                        ui.selectable_value(&mut w.picks[i], Some(d.id), d.title())
                                            .on_hover_text(d.full_name());
                                    }
                                }
                            }
                            if !elsewhere.is_empty() {
                                ui.separator();
                            }
                            for d in elsewhere {
                                ui.add_enabled(
                                    false,
                                    egui::Button::selectable(false, format!("{} (another process)", d.title())),
                                )
                                .on_disabled_hover_text(crate::ui::views::ANOTHER_PROCESS);
                            }
                        })
                        .response
                        .labelled_by(role_label.id);
                    if live.connected {
                        let name = ["baseline", "target", "final"][i];
                        if live.taking[i] {
                            ui.spinner();
                            ui.label(format!("taking the {name}…"));
                        } else if ui
                            // In the method's order: a target needs its baseline, a final its target.
                            .add_enabled(
                                !live.busy && !action_running(w) && (i == 0 || w.picks[i - 1].is_some()),
                                egui::Button::new(format!("📷 Take {name} now")),
                            )
                            .clicked()
                        {
                            // Recording starts before the baseline; the final is the snapshot V8
                            // takes as the recording stops.
                            if i == 0 && w.track && !live.tracking {
                                cx.commands.push(AppCommand::StartTracking);
                            }
                            if i == 2 && live.tracking {
                                cx.commands.push(AppCommand::StopTracking(Purpose::Wizard(2)));
                            } else {
                                cx.commands.push(AppCommand::Capture(Purpose::Wizard(i)));
                            }
                        }
                        if i == 0 {
                            ui.add_enabled(
                                w.picks[0].is_none() && !live.tracking,
                                egui::Checkbox::new(&mut w.track, "with allocation stacks"),
                            )
                            .on_hover_text(
                                "Record the stack that allocates each object from the baseline to the final snapshot, \
                                 so each leak group says which code made it. V8 collects garbage every 50 ms while \
                                 recording: the process runs slower, and objects the collector moves after that may \
                                 lose their stack (a process started with --track-heap-objects keeps them all).",
                            );
                        }
                    }
                });
                ui.end_row();
                if i == 0 && live.connected {
                    ui.label("");
                    action_row(ui, w, live, cx.waker);
                    ui.end_row();
                }
            }
        });
    ui.horizontal(|ui| {
        if ui
            .button("Open snapshots…")
            .on_hover_text("Choose the three files (or more) at once: they fill the slots in the order they were taken")
            .clicked()
        {
            cx.commands.push(AppCommand::OpenForWizard);
        }
        if ui
            .button("Use the demo set")
            .on_hover_text("Three built-in snapshots of a page that leaks")
            .clicked()
        {
            cx.commands.push(AppCommand::WizardDemo);
        }
        // The last three of the process opened last, in the order they were taken.
        let last_three = docs
            .iter()
            .rev()
            .find_map(|d| cx.sets.set_of(d.id))
            .map(|set| cx.sets.members(set))
            .filter(|m| m.len() >= 3)
            .map(|m| [m[m.len() - 3], m[m.len() - 2], m[m.len() - 1]]);
        if let Some(three) = last_three
            && w.picks.iter().all(Option::is_none)
            && ui
                .button("Use the last three of this process")
                .on_hover_text("The last three snapshots of the process opened last, in the order they were taken")
                .clicked()
        {
            w.picks = three.map(Some);
        }
    });
    if let Some(problem) = pick_problem(w.picks, docs, cx.sets) {
        ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {problem}"));
    }
    ui.horizontal(|ui| {
        ui.checkbox(&mut w.options.include_strings, "Include strings");
        ui.checkbox(
            &mut w.options.include_internals,
            "Include V8 internals (arrays, contexts, code)",
        );
    });
}

fn action_running(w: &WizardState) -> bool {
    w.action_run.as_ref().is_some_and(|t| !t.is_done())
}

/// Between baseline and target: run the suspect action N times (a shell command).
fn action_row(ui: &mut Ui, w: &mut WizardState, live: LiveInfo, waker: &Waker) {
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.label("Then run");
            ui.add(
                egui::TextEdit::singleline(&mut w.action)
                    .hint_text("curl -s localhost:3000/checkout")
                    .desired_width(280.0)
                    .font(egui::TextStyle::Monospace),
            );
            ui.add(
                egui::TextEdit::singleline(&mut w.action_times)
                    .hint_text("100")
                    .desired_width(40.0),
            );
            ui.label("times");
            let times = match w.action_times.trim() {
                "" => Some(100),
                t => t.parse::<usize>().ok().filter(|n| *n > 0),
            };
            if action_running(w) {
                if ui.button("Stop").clicked()
                    && let Some(t) = &w.action_run
                {
                    t.cancel();
                }
            } else if ui
                // Not while a snapshot is taken: the action's objects would land in it.
                .add_enabled(
                    !w.action.trim().is_empty() && times.is_some() && !live.busy,
                    egui::Button::new("▶ Run"),
                )
                .on_hover_text("Runs the command through the shell, one run after another; stops at the first failure")
                .clicked()
            {
                let (cmd, n) = (w.action.trim().to_owned(), times.unwrap_or(1));
                w.action_run = Some(Task::spawn_thread(waker.clone(), move |p| {
                    crate::capture::process::run_action(
                        &cmd,
                        n,
                        crate::capture::process::Runs::all(n),
                        std::time::Duration::from_secs(600),
                        p,
                    )
                    .map_err(|e| match e {
                        crate::capture::CaptureError::Cancelled => crate::error::Error::Cancelled,
                        e => crate::error::Error::invalid(e.to_string()),
                    })
                }));
            }
        });
        if let Some(t) = &w.action_run {
            match t.get() {
                None => {
                    let v = t.progress.view();
                    ui.add(
                        egui::ProgressBar::new(v.fraction)
                            .desired_width(360.0)
                            .text(format!("{:.0}% of the runs", v.fraction * 100.0)),
                    );
                    ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
                }
                Some(Ok(())) => {
                    ui.label(RichText::new("✔ The action ran; now take the target.").weak());
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                }
            }
        }
    });
}

pub(super) fn step_index(ui: &mut Ui, w: &WizardState, docs: &[Doc]) {
    step_title(ui, 3, "Index them");
    for (i, uid) in w.picks.iter().enumerate() {
        let Some(d) = doc_by_uid(docs, *uid) else { continue };
        ui.horizontal(|ui| {
            ui.label(format!("S{}", i + 1));
            match &d.state {
                DocState::Loading(job) => {
                    let v = job.progress.view();
                    ui.add(egui::ProgressBar::new(v.overall).desired_width(260.0).text(format!(
                        "{:.0}% · {}",
                        v.overall * 100.0,
                        v.phase.label()
                    )));
                }
                DocState::Ready(s) => {
                    ui.label(RichText::new("✔").color(egui::Color32::from_rgb(90, 170, 90)));
                    ui.label(format!(
                        "{}: {} objects, newest id @{}",
                        d.title(),
                        thousands(s.graph.node_count() as u64),
                        s.max_js_object_id
                    ));
                }
                DocState::Failed(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                DocState::Cancelled => {
                    ui.label(RichText::new("cancelled: reopen it from its tab").weak());
                }
            }
        });
    }
}
