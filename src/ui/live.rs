//! File ▸ Connect…: a running Node process or Chromium page, its heap size charted once a
//! second, "Collect garbage" and "Take snapshot" (opened as a tab and indexed), and the
//! snapshots the leak wizard and the Growth series take by themselves.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui::{RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints};

use super::command::{AppCommand, Purpose};
use super::widgets;
use crate::capture::monitor::{Event, Monitor, Status};
use crate::capture::process::{self, NodeProcess};
use crate::capture::{Connect, Endpoint, Options};
use crate::engine::task::Waker;
use crate::text::bytes;

pub struct LiveUi {
    pub(crate) monitor: Option<Monitor>,
    pub(crate) window: bool,
    pub(crate) address: String,
    /// Which of the inspector's targets (Chromium has one per page); empty: the only one.
    pub(crate) target: String,
    pub(crate) pid: String,
    pub(crate) processes: Vec<NodeProcess>,
    pub(crate) folder: String,
    pending: HashMap<u64, Purpose>,
    /// The last failure of a snapshot or collection.
    pub(crate) message: Option<String>,
    /// Growth: a snapshot every `every` seconds while `next` is set.
    pub(crate) series_every: String,
    pub(crate) series_next: Option<Instant>,
}

impl LiveUi {
    pub fn new(folder: PathBuf) -> LiveUi {
        LiveUi {
            monitor: None,
            window: false,
            address: String::new(),
            target: String::new(),
            pid: String::new(),
            processes: Vec::new(),
            folder: folder.display().to_string(),
            pending: HashMap::new(),
            message: None,
            series_every: "30".into(),
            series_next: None,
        }
    }

    pub fn connect(&mut self, how: Connect, waker: &Waker) {
        self.monitor = Some(Monitor::connect(how, Options::default(), waker.clone()));
        self.pending.clear();
        self.message = None;
        self.series_next = None;
        self.window = false;
    }

    /// Where snapshots taken here are saved (the folder field).
    pub fn set_folder(&mut self, folder: &str) {
        self.folder = folder.to_owned();
    }

    /// The Growth series' period in seconds (its field).
    pub fn set_series_every(&mut self, seconds: &str) {
        self.series_every = seconds.to_owned();
    }

    /// Whether a timed Growth series runs.
    pub fn series_running(&self) -> bool {
        self.series_next.is_some()
    }

    /// The live connection's shared state, when connected.
    pub fn state(&self) -> Option<std::sync::MutexGuard<'_, crate::capture::monitor::Shared>> {
        self.monitor.as_ref().map(|l| l.state())
    }

    pub fn connected(&self) -> bool {
        self.monitor.as_ref().is_some_and(Monitor::is_connected)
    }

    /// A snapshot or collection is under way.
    pub fn busy(&self) -> bool {
        self.monitor.as_ref().is_some_and(|l| l.state().job.is_some()) || !self.pending.is_empty()
    }

    /// Whether a snapshot for `purpose` is queued or under way.
    pub(crate) fn taking(&self, purpose: Purpose) -> bool {
        self.pending.values().any(|p| *p == purpose)
    }

    /// Queues a snapshot (after a garbage collection) into the folder.
    pub fn snapshot(&mut self, purpose: Purpose) {
        let folder = PathBuf::from(self.folder.trim());
        if let Some(l) = &mut self.monitor {
            let tag = l.snapshot(folder, true);
            self.pending.insert(tag, purpose);
        }
    }

    /// Starts or stops recording allocation stacks; stopping takes the recording's snapshot into
    /// the folder and opens it.
    pub fn toggle_tracking(&mut self) {
        if self.tracking() {
            self.stop_tracking(Purpose::Open);
        } else {
            self.start_tracking();
        }
    }

    /// Starts or stops allocation sampling; stopping saves the profile into the folder and
    /// opens it.
    pub fn toggle_sampling(&mut self) {
        let folder = PathBuf::from(self.folder.trim());
        let Some(l) = &mut self.monitor else { return };
        if l.state().sampling_since.is_some() {
            let tag = l.stop_sampling(folder);
            self.pending.insert(tag, Purpose::Open);
        } else {
            l.start_sampling();
        }
    }

    /// Whether allocations are being sampled.
    pub fn sampling(&self) -> bool {
        self.monitor
            .as_ref()
            .is_some_and(|l| l.state().sampling_since.is_some())
    }

    /// Whether allocation stacks are being recorded.
    pub fn tracking(&self) -> bool {
        self.monitor
            .as_ref()
            .is_some_and(|l| l.state().tracking_since.is_some())
    }

    pub fn start_tracking(&mut self) {
        if let Some(l) = &self.monitor {
            l.start_tracking();
        }
    }

    /// Stops recording; the snapshot V8 takes as it stops serves `purpose`.
    pub fn stop_tracking(&mut self, purpose: Purpose) {
        let folder = PathBuf::from(self.folder.trim());
        if let Some(l) = &mut self.monitor {
            let tag = l.stop_tracking(folder);
            self.pending.insert(tag, purpose);
        }
    }

    /// Events since the last frame, as requests for the app; also runs the Growth timer.
    pub(crate) fn poll(&mut self) -> Vec<AppCommand> {
        let mut out = Vec::new();
        let Some(l) = &self.monitor else { return out };
        for ev in l.take_events() {
            match ev {
                Event::Captured { tag, path, bytes: n } => {
                    let purpose = self.pending.remove(&tag).unwrap_or(Purpose::Open);
                    out.push(AppCommand::Status(format!(
                        "Saved {} ({})",
                        path.display(),
                        bytes(n as f64)
                    )));
                    out.push(AppCommand::Captured(path, purpose));
                }
                Event::Failed { tag, message } => {
                    // Cancelling a series' snapshot stops the series.
                    if self.pending.remove(&tag) == Some(Purpose::Series) && message == "cancelled" {
                        self.series_next = None;
                    }
                    out.push(AppCommand::Status(message.clone()));
                    self.message = Some(message);
                }
                Event::Collected => out.push(AppCommand::Status("Garbage collected".into())),
                Event::Sampling => out.push(AppCommand::Status(
                    "Sampling allocations: stop to open the sampling heap profile".into(),
                )),
                Event::Tracking => out.push(AppCommand::Status(
                    "Recording allocation stacks: snapshots taken now carry them; stop to take the recording's snapshot"
                        .into(),
                )),
            }
        }
        if !self.connected() {
            self.pending.clear();
            self.series_next = None;
        }
        if let Some(next) = self.series_next
            && Instant::now() >= next
            && !self.taking(Purpose::Series)
        {
            self.snapshot(Purpose::Series);
            self.series_next = Some(Instant::now() + self.series_period());
        }
        out
    }

    fn series_period(&self) -> Duration {
        Duration::from_secs_f64(
            self.series_every
                .trim()
                .parse::<f64>()
                .unwrap_or(30.0)
                .clamp(1.0, 86_400.0),
        )
    }

    /// How soon the app must draw again without input: samples arrive by the waker, but the
    /// series timer has no one to wake it.
    pub(crate) fn repaint_after(&self) -> Option<Duration> {
        self.series_next.map(|n| n.saturating_duration_since(Instant::now()))
    }
}

/// File ▸ Connect…: an inspector's address, a PID, or one of the Node processes found here.
pub(crate) fn connect_window(ctx: &egui::Context, st: &mut LiveUi, waker: &Waker) {
    if !st.window {
        return;
    }
    let mut open = true;
    let mut chosen: Option<Connect> = None;
    let mut error = None;
    widgets::dialog(ctx, "Connect to a running process", &mut open)
        .default_width(560.0)
        .show(ctx, |ui| {
            ui.label("A Node process started with --inspect, or Chromium with --remote-debugging-port:");
            ui.horizontal(|ui| {
                let field = ui.add(
                    egui::TextEdit::singleline(&mut st.address)
                        .hint_text("127.0.0.1:9229")
                        .desired_width(220.0),
                );
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button("Connect").clicked() || enter {
                    let default = format!("127.0.0.1:{}", process::DEFAULT_INSPECTOR_PORT);
                    let address = if st.address.trim().is_empty() {
                        &default
                    } else {
                        &st.address
                    };
                    let target = Some(st.target.trim().to_owned()).filter(|t| !t.is_empty());
                    match Endpoint::parse(address) {
                        Ok(ep) => chosen = Some(Connect::Inspect(ep, target)),
                        Err(e) => error = Some(e.to_string()),
                    }
                }
            });
            ui.horizontal(|ui| {
                ui.label("Target id");
                ui.add(
                    egui::TextEdit::singleline(&mut st.target)
                        .hint_text("only when there are several (Chromium: one per page)")
                        .desired_width(360.0),
                );
            });
            ui.add_space(6.0);
            ui.label("Or a local Node process by its PID (heapsift wakes its inspector with SIGUSR1):");
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut st.pid)
                        .hint_text("PID")
                        .desired_width(100.0),
                );
                if ui.button("Attach").clicked() {
                    match st.pid.trim().parse::<u32>() {
                        Ok(pid) => chosen = Some(Connect::Pid(pid)),
                        Err(_) => error = Some(format!("{:?} is not a process id", st.pid.trim())),
                    }
                }
            });
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                ui.label(RichText::new("Node processes on this machine").strong());
                if ui.small_button("⟳ Refresh").clicked() {
                    st.processes = process::node_processes();
                }
            });
            if st.processes.is_empty() {
                ui.label(RichText::new("None found.").weak());
            }
            egui::ScrollArea::vertical().max_height(180.0).show(ui, |ui| {
                for p in &st.processes {
                    ui.horizontal(|ui| {
                        if ui.button("Attach").clicked() {
                            chosen = Some(Connect::Pid(p.pid));
                        }
                        ui.label(RichText::new(p.pid.to_string()).monospace());
                        ui.add(
                            egui::Label::new(RichText::new(crate::text::preview(&p.command_line, 70)).monospace())
                                .truncate(),
                        )
                        .on_hover_text(&p.command_line);
                    });
                }
            });
            ui.add_space(4.0);
            ui.label(
                RichText::new(
                    "Only this machine's loopback addresses are used: an inspector port runs any code it is sent.",
                )
                .weak()
                .small(),
            );
        });
    if let Some(e) = error {
        st.message = Some(e);
    }
    if let Some(how) = chosen {
        st.connect(how, waker);
        return;
    }
    st.window = open;
}

/// The live panel: status, heap chart, actions.
pub fn panel(ui: &mut Ui, st: &mut LiveUi) {
    let Some(live) = &st.monitor else { return };
    let (mut collect, mut take, mut cancel, mut track, mut sample) = (false, false, false, false, false);
    let (status, label, samples, job, tracking, sampling) = {
        let s = live.state();
        (
            s.status.clone(),
            s.label.clone(),
            s.samples.clone(),
            s.job.as_ref().map(|(what, p)| (what.clone(), p.view())),
            s.tracking_since,
            s.sampling_since,
        )
    };
    let mut disconnect = false;
    ui.horizontal(|ui| {
        ui.heading("Live");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let text = if matches!(status, Status::Closed(_)) {
                "Close"
            } else {
                "Disconnect"
            };
            if ui.button(text).clicked() {
                disconnect = true;
            }
        });
    });
    ui.add(egui::Label::new(RichText::new(&label).monospace()).truncate())
        .on_hover_text(&label);
    match &status {
        Status::Connecting => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Connecting…");
            });
        }
        Status::Connected => {
            if let Some(last) = samples.last() {
                ui.label(format!("Heap: {} used of {}", bytes(last.used), bytes(last.total)));
                if let Some(rate) = trend_per_minute(&samples) {
                    let sign = if rate >= 0.0 { "+" } else { "−" };
                    ui.label(RichText::new(format!("used {sign}{} per minute over the last minute", bytes(rate.abs()))).weak())
                        .on_hover_text("A least-squares line through the last minute's samples; garbage collections make it noisy, a steady climb is a leak.");
                }
            } else {
                ui.label(RichText::new("Waiting for the first sample…").weak());
            }
        }
        Status::Closed(why) => {
            ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {why}"));
        }
    }
    heap_chart(ui, &samples);
    let connected = status == Status::Connected;
    ui.horizontal(|ui| {
        let idle = connected && job.is_none();
        if ui
            .add_enabled(idle, egui::Button::new("🗑 Collect garbage"))
            .on_hover_text("HeapProfiler.collectGarbage: a full GC in the target")
            .clicked()
        {
            collect = true;
        }
        if ui
            .add_enabled(idle, egui::Button::new("📷 Take snapshot"))
            .on_hover_text("Collect garbage, then take a heap snapshot into the folder below and open it")
            .clicked()
        {
            take = true;
        }
        let (text, hover) = match tracking {
            None => (
                "⏺ Record allocation stacks",
                "Record the stack that allocates each object from now on (DevTools' \"Allocation instrumentation \
                 on timeline\"), until you stop: snapshots then show what made each object, and stopping takes \
                 the recording's snapshot. V8 collects garbage every 50 ms meanwhile, so the process runs slower.",
            ),
            Some(_) => (
                "⏹ Stop recording",
                "Stop recording allocation stacks and open the snapshot V8 takes as it stops",
            ),
        };
        if ui
            .add_enabled(idle, egui::Button::new(text))
            .on_hover_text(hover)
            .clicked()
        {
            track = true;
        }
    });
    ui.horizontal(|ui| {
        let idle = connected && job.is_none();
        let (text, hover) = match sampling {
            None => (
                "⏺ Record allocation sampling",
                "DevTools' \"Allocation sampling\": about one allocation per 32 kB is recorded with its stack, \
                 cheaply enough for production; stopping opens the profile (bottom-up, top-down, chart)",
            ),
            Some(_) => ("⏹ Stop sampling", "Stop sampling and open the sampling heap profile"),
        };
        if ui
            .add_enabled(idle, egui::Button::new(text))
            .on_hover_text(hover)
            .clicked()
        {
            sample = true;
        }
    });
    if let (Some(since), Some(last)) = (tracking, samples.last()) {
        ui.label(
            RichText::new(format!(
                "Recording allocation stacks for {:.0} s; the process runs slower meanwhile",
                (last.t - since).max(0.0)
            ))
            .color(widgets::accent(ui)),
        );
    }
    if let Some((what, view)) = job {
        ui.horizontal(|ui| {
            ui.add(
                egui::ProgressBar::new(view.fraction)
                    .desired_width(ui.available_width() - 70.0)
                    .text(format!("{what}… {:.0}%", view.fraction * 100.0)),
            );
            if ui.button("Cancel").clicked() {
                cancel = true;
            }
        });
    }
    ui.horizontal(|ui| {
        ui.label("Save snapshots in");
        ui.add(egui::TextEdit::singleline(&mut st.folder).desired_width(ui.available_width()));
    });
    if let Some(m) = &st.message {
        ui.colored_label(ui.visuals().warn_fg_color, m);
    }
    if collect {
        live.collect_garbage();
    }
    if cancel {
        live.cancel_job();
    }
    if take {
        st.snapshot(Purpose::Open);
    }
    if track {
        st.toggle_tracking();
    }
    if sample {
        st.toggle_sampling();
    }
    if disconnect {
        st.monitor = None;
        st.pending.clear();
        st.series_next = None;
    }
}

fn heap_chart(ui: &mut Ui, samples: &[crate::capture::monitor::Sample]) {
    let used: PlotPoints = samples.iter().map(|s| [s.t, s.used]).collect();
    let total: PlotPoints = samples.iter().map(|s| [s.t, s.total]).collect();
    Plot::new("live-heap")
        .height(180.0)
        .legend(Legend::default().position(egui_plot::Corner::LeftBottom))
        .allow_scroll(false)
        .include_y(0.0)
        .x_grid_spacer(|g| round_marks(g, 4, 1.0))
        .y_grid_spacer(|g| {
            // Round in the unit the labels use (kB, MB, GB of 1000), so they read 5 MB, 10 MB.
            let unit = match g.bounds.1.abs() {
                v if v >= 2e9 => 1e9,
                v if v >= 2e6 => 1e6,
                _ => 1e3,
            };
            round_marks(g, 5, unit)
        })
        .x_axis_formatter(|m, _| format!("{:.0} s", m.value))
        .y_axis_formatter(|m, _| bytes(m.value))
        .y_axis_min_width(52.0)
        .show(ui, |plot| {
            plot.line(Line::new("heap total", total).width(1.5));
            plot.line(Line::new("heap used", used).width(2.0));
        });
}

/// About `n` grid lines at round values (1, 2 or 5 × 10^k of `unit`): the default spacer only
/// uses powers of ten, which leaves a small chart with one labelled line or none.
fn round_marks(g: egui_plot::GridInput, n: usize, unit: f64) -> Vec<egui_plot::GridMark> {
    let (lo, hi) = (g.bounds.0 / unit, g.bounds.1 / unit);
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return Vec::new();
    }
    let raw = span / n as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|k| egui_plot::GridMark {
            value: k as f64 * step * unit,
            step_size: step * unit,
        })
        .collect()
}

/// The trend of the heap's used size over the last minute, per minute (least squares), once
/// there are enough samples for it to mean something.
fn trend_per_minute(samples: &[crate::capture::monitor::Sample]) -> Option<f64> {
    let last = samples.last()?.t;
    let recent: Vec<_> = samples.iter().filter(|s| s.t >= last - 60.0).collect();
    if recent.len() < 10 {
        return None;
    }
    let n = recent.len() as f64;
    let mt = recent.iter().map(|s| s.t).sum::<f64>() / n;
    let mu = recent.iter().map(|s| s.used).sum::<f64>() / n;
    let cov: f64 = recent.iter().map(|s| (s.t - mt) * (s.used - mu)).sum();
    let var: f64 = recent.iter().map(|s| (s.t - mt).powi(2)).sum();
    (var > 0.0).then(|| cov / var * 60.0)
}

/// The Growth page's timer: a snapshot every N seconds while connected.
pub(crate) fn series_bar(ui: &mut Ui, st: &mut LiveUi) {
    if !st.connected() {
        return;
    }
    ui.horizontal(|ui| {
        ui.label(RichText::new("Live:").strong());
        if st.series_next.is_some() {
            let left = st.repaint_after().unwrap_or_default().as_secs();
            ui.label(if st.taking(Purpose::Series) {
                "taking a snapshot…".to_owned()
            } else {
                format!("next snapshot in {left} s")
            });
            if ui.button("Stop the series").clicked() {
                st.series_next = None;
            }
        } else {
            ui.label("Take a snapshot every");
            ui.add(egui::TextEdit::singleline(&mut st.series_every).desired_width(40.0));
            ui.label("seconds");
            if ui.button("Start").clicked() {
                st.series_next = Some(Instant::now());
            }
        }
    });
}
