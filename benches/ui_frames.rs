//! Frame-time benchmark of the real app, headless (egui_kittest steps the UI; tessellation is
//! timed too, GPU drawing is not). It opens a snapshot, waits for indexing, then plays a
//! session: idle frames, scrolling the Summary, expanding the biggest classes (one with every
//! instance shown), selecting objects (retainer trees auto-expand), the other views.
//!
//! `cargo bench --bench ui_frames -- FILE.heapsnapshot [--cache]` prints p50/p99/max per
//! scenario. With `--cache` the app uses the cache folder as the real one does
//! (HEAPSIFT_CACHE_DIR, ...): run it twice and the second run opens the saved index.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use heapsift::model::NodeId;
use heapsift::ui::{HeapsiftApp, Options, View};

type H = Harness<'static, HeapsiftApp>;

struct Frames {
    name: &'static str,
    times: Vec<Duration>,
}

fn frame(h: &mut H, out: &mut Frames) {
    let start = Instant::now();
    h.step();
    let shapes = h.output().shapes.clone();
    let ppp = h.output().pixels_per_point;
    let _ = h.ctx.tessellate(shapes, ppp);
    out.times.push(start.elapsed());
}

fn frames(h: &mut H, name: &'static str, n: usize, mut before: impl FnMut(&mut H, usize)) -> Frames {
    let mut f = Frames {
        name,
        times: Vec::with_capacity(n),
    };
    for i in 0..n {
        before(h, i);
        frame(h, &mut f);
    }
    f
}

/// Steps (timed) until the app has no background work left.
fn settle(h: &mut H, out: &mut Frames) {
    let start = Instant::now();
    loop {
        frame(h, out);
        if h.state().docs().iter().all(|d| !d.busy()) || start.elapsed() > Duration::from_secs(120) {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A wheel turn over the main table.
fn scroll(h: &H, dy: f32) {
    h.hover_at(egui::pos2(300.0, 300.0));
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, dy),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
        modifiers: egui::Modifiers::NONE,
    });
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(all: &[Frames]) {
    println!(
        "{:<44} {:>7} {:>9} {:>9} {:>9}",
        "scenario", "frames", "p50 ms", "p99 ms", "max ms"
    );
    let mut every: Vec<Duration> = Vec::new();
    for f in all {
        let mut t = f.times.clone();
        t.sort();
        every.extend(&t);
        println!(
            "{:<44} {:>7} {:>9.2} {:>9.2} {:>9.2}",
            f.name,
            t.len(),
            percentile(&t, 0.5).as_secs_f64() * 1e3,
            percentile(&t, 0.99).as_secs_f64() * 1e3,
            t.last().copied().unwrap_or_default().as_secs_f64() * 1e3
        );
    }
    every.sort();
    println!(
        "{:<44} {:>7} {:>9.2} {:>9.2} {:>9.2}",
        "all frames",
        every.len(),
        percentile(&every, 0.5).as_secs_f64() * 1e3,
        percentile(&every, 0.99).as_secs_f64() * 1e3,
        every.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
}

fn main() {
    let file = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("sample-snapshots/leak-s3.heapsnapshot"));
    println!("{}", file.display());
    if std::env::args().any(|a| a == "--cache") {
        heapsift::engine::use_cache(heapsift::engine::CachePolicy::from_env());
    }
    let mut h: H = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .allow_missing_glyphs()
        .with_accessibility_check(false)
        .build_eframe(move |cc| {
            HeapsiftApp::new(
                &cc.egui_ctx,
                None,
                Options {
                    files: vec![file],
                    ..Default::default()
                },
            )
        });
    let mut all = Vec::new();

    // Indexing: the window keeps drawing its progress card.
    let start = Instant::now();
    let mut loading = Frames {
        name: "while indexing (progress card)",
        times: Vec::new(),
    };
    while h.state().docs()[0].is_loading() {
        frame(&mut h, &mut loading);
        std::thread::sleep(Duration::from_millis(10));
    }
    let indexed = start.elapsed();
    all.push(loading);
    let mut settling = Frames {
        name: "settling after load",
        times: Vec::new(),
    };
    settle(&mut h, &mut settling);
    all.push(settling);

    all.push(frames(&mut h, "Summary, idle", 120, |_, _| {}));
    all.push(frames(&mut h, "Summary, scrolling classes", 120, |h, i| {
        scroll(h, if i < 60 { -120.0 } else { 120.0 })
    }));

    // Expand the three largest classes; show every instance of the most numerous one.
    let (biggest, most) = {
        let doc = &h.state().docs()[0];
        let s = doc.summary().unwrap();
        let most = (0..s.rows().len()).max_by_key(|&i| s.rows()[i].count).unwrap_or(0);
        (s.order().iter().take(3).copied().collect::<Vec<u32>>(), most as u32)
    };
    let mut expanding = Frames {
        name: "expanding classes (instance lists)",
        times: Vec::new(),
    };
    for class in biggest.iter().copied().chain([most]) {
        let snapshot = h.state().docs()[0].snapshot().unwrap().clone();
        let waker: heapsift::engine::task::Waker = { std::sync::Arc::new(|| {}) };
        let s = h.state_mut().docs_mut()[0].summary_mut().unwrap();
        let c = s.rows()[class as usize].class;
        let tree = s.view_mut().tree_mut();
        if !tree.is_expanded(0, class) {
            let items = heapsift::ui::tree::Items::Loading(heapsift::engine::task::Task::spawn(waker, {
                let snapshot = snapshot.clone();
                move |_| Ok(std::sync::Arc::new(snapshot.instances_of(c)))
            }));
            let level = tree.expand(0, class, items, heapsift::ui::tree::PAGE);
            if class == most {
                tree.show_more(level, true);
            }
        }
        settle(&mut h, &mut expanding);
    }
    let shown = h.state_mut().docs_mut()[0].summary_mut().unwrap().visible_rows();
    all.push(expanding);
    all.push(frames(
        &mut h,
        "Summary, scrolling through all instances",
        240,
        |h, _| scroll(h, -2400.0),
    ));

    // Select a few large objects: path to root and retainer trees fill in.
    let picks: Vec<NodeId> = {
        let s = h.state().docs()[0].snapshot().unwrap().clone();
        let root = s.graph.root();
        let mut c = s.dominated_children(root);
        c.truncate(4);
        c
    };
    let mut selecting = Frames {
        name: "selecting objects (retainers, path)",
        times: Vec::new(),
    };
    for v in picks {
        let waker: heapsift::engine::task::Waker = std::sync::Arc::new(|| {});
        h.state_mut().docs_mut()[0].select(v, &waker);
        settle(&mut h, &mut selecting);
    }
    all.push(selecting);
    all.push(frames(&mut h, "Summary with an object selected, idle", 120, |_, _| {}));

    for (view, name) in [
        (View::Retainers, "Retainers view"),
        (View::Dominators, "Dominators view"),
        (View::Statistics, "Statistics view"),
    ] {
        h.state_mut().docs_mut()[0].set_view(view);
        let mut f = Frames {
            name,
            times: Vec::new(),
        };
        settle(&mut h, &mut f);
        let idle = frames(&mut h, name, 60, |h, i| {
            scroll(h, if i % 2 == 0 { -200.0 } else { 200.0 })
        });
        f.times.extend(idle.times);
        all.push(f);
    }

    println!(
        "indexed in {:.2} s ({:?} of it in the loader; {:?}); {} rows in the Summary tree after expanding",
        indexed.as_secs_f64(),
        h.state().docs()[0].load_time().unwrap_or_default(),
        h.state().docs()[0].loaded_from(),
        shown
    );
    report(&all);
}
