//! The real app driven through its accessibility tree (egui_kittest): open, index, sort,
//! filter, expand, select, and read the path to root, as a user would.

use crate::common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use heapsift::ui::{HeapsiftApp, Options};

fn app(files: Vec<PathBuf>) -> Harness<'static, HeapsiftApp> {
    app_with(Options {
        files,
        ..Default::default()
    })
}

fn app_with(options: Options) -> Harness<'static, HeapsiftApp> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(64)
        // Snapshot strings hold CJK text that the bundled fonts lack.
        .allow_missing_glyphs()
        .build_eframe(move |cc| HeapsiftApp::new(&cc.egui_ctx, None, options))
}

/// Steps frames until `cond` holds (background work runs on other threads meanwhile).
fn wait(h: &mut Harness<'static, HeapsiftApp>, what: &str, cond: impl Fn(&HeapsiftApp) -> bool) {
    let start = Instant::now();
    // Queued clicks and keys are only processed by the next frame.
    h.step();
    while !cond(h.state()) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    // A few more frames so what just arrived is laid out and in the accessibility tree.
    for _ in 0..3 {
        h.step();
    }
}

fn ready(a: &HeapsiftApp) -> bool {
    !a.docs().is_empty() && a.docs().iter().all(|d| d.snapshot().is_some())
}

fn sample(name: &str) -> PathBuf {
    common::repo().join("sample-snapshots").join(name)
}

/// The path to root the panels show for the first doc's selected object.
fn selected_path(h: &Harness<'static, HeapsiftApp>) -> Vec<heapsift::analysis::query::Hop> {
    let obj = h.state().docs()[0].object().expect("an object is selected");
    obj.path()
        .expect("the path is found")
        .clone()
        .expect("the object has a path")
}

/// The growth sample series, oldest first.
fn growth_series() -> Vec<PathBuf> {
    (1..=5).map(|i| sample(&format!("growth-{i}.heapsnapshot"))).collect()
}

/// Doc `i`'s comparison is computed and nothing is loading.
fn compared(a: &HeapsiftApp, i: usize) -> bool {
    a.docs()[i].comparison().is_some_and(|c| c.result().is_some()) && settled(a)
}

fn settled(a: &HeapsiftApp) -> bool {
    a.docs().iter().all(|d| !d.busy())
}

#[test]
fn the_empty_window_offers_open_and_the_demo() {
    let mut h = app(Vec::new());
    h.step();
    h.get_by_label_contains("Open snapshot").hover();
    h.get_by_label_contains("How to take a heap snapshot").hover();
    h.get_by_label_contains("Try the demo").click();
    // The demo ends where the leak is: the wizard's result, its largest group selected.
    wait(&mut h, "the demo's leak groups", |a| {
        a.wizard().is_some_and(|w| w.result().is_some() && !w.busy())
    });
    h.run_steps(3);
    assert_eq!(h.state().docs().len(), 3);
    assert_eq!(h.state().page(), heapsift::ui::Page::Wizard);
    assert_eq!(h.state().wizard().unwrap().selected(), Some(0));
    assert!(
        h.query_all_by_label_contains("->sessionCache").next().is_some(),
        "the leak's path is shown"
    );
}

#[test]
fn from_summary_to_the_path_to_root_of_a_leaked_session() {
    let mut h = app(vec![sample("leak-s3.heapsnapshot")]);
    wait(&mut h, "indexing", ready);

    // Sorted by retained size, largest first; clicking the header flips the order.
    let first_before = h.state().docs()[0].summary().unwrap().order()[0];
    h.get_by_label_contains("Retained Size").click();
    h.step();
    let s = h.state().docs()[0].summary().unwrap();
    assert!(!s.sort().1);
    assert_ne!(s.order()[0], first_before);
    h.get_by_label_contains("Retained Size").click();
    h.step();
    assert_eq!(h.state().docs()[0].summary().unwrap().order()[0], first_before);

    // Filter to one class.
    let filter = h.get_by(|n| n.placeholder() == Some("Filter by class name (Ctrl+F)"));
    filter.click();
    filter.type_text("CachedSession");
    h.step();
    h.step();
    let s = h.state().docs()[0].summary().unwrap();
    assert_eq!(s.order().len(), 1, "one class matches");
    assert_eq!(s.rows()[s.order()[0] as usize].name, "CachedSession");

    // Expand it: its instances, largest retained first.
    h.get_by_label("▶").click();
    wait(&mut h, "instances", settled);
    let snapshot = h.state().docs()[0].snapshot().unwrap().clone();
    let class = snapshot.classes.of_node[snapshot.graph.find_id(heapsift::model::ObjectId(40115)).unwrap()];
    let first = snapshot.instances_of(class)[0];
    let first_id = snapshot.graph.id(first);

    // Select the first instance: the path to root appears, root first.
    h.get_by_label(&format!("@{first_id}")).click();
    wait(&mut h, "the path to root", |a| {
        a.docs()[0]
            .object()
            .is_some_and(|o| o.node() == first && o.path().is_some())
            && settled(a)
    });
    let hops = selected_path(&h);
    let ids: Vec<u32> = hops.iter().map(|x| snapshot.graph.id(x.node).0).collect();
    assert_eq!(ids[0], 1, "root first");
    assert_eq!(*ids.last().unwrap(), first_id.0);
    assert!(ids.contains(&39839), "through the sessionCache Map: {ids:?}");
    assert!(
        h.query_all_by_label_contains("->sessionCache").count() >= 1,
        "the hop through the cache is shown"
    );
    h.get_by_label_contains("Copy as text");
    h.get_by_label("Path to root");
}

#[test]
fn retainers_can_be_ignored_and_restored() {
    let mut h = app(vec![sample("leak-s3.heapsnapshot")]);
    wait(&mut h, "indexing", ready);
    let jump = h.get_by(|n| n.placeholder() == Some("@id"));
    jump.click();
    jump.type_text("@53003");
    h.get_by_label("Find object").click();
    wait(&mut h, "selection", |a| a.docs()[0].object().is_some() && settled(a));
    // The MetricSample is held by element [50] of the metricSamples array: its row in the
    // retainer tree (the bottom panel) reads `[50] :: Array`.
    let lowest = h.get_by_label_contains("[50] ::");
    lowest.click_secondary();
    h.run_steps(3);
    h.get_by_label("Ignore this retainer").click();
    wait(&mut h, "distances without the array", |a| {
        a.docs()[0].object().is_some_and(|o| !o.ignored().is_empty()) && settled(a)
    });
    let s = h.state().docs()[0].snapshot().unwrap().clone();
    let obj = h.state().docs()[0].object().unwrap();
    let ignored: Vec<heapsift::model::NodeId> = obj.ignored().iter().copied().collect();
    assert_eq!(ignored.len(), 1);
    // The path to root no longer runs through the ignored retainer.
    let hops = obj.path().unwrap().clone();
    if let Some(hops) = hops {
        assert!(
            hops.iter().all(|x| x.node != ignored[0]),
            "the path to root avoids the ignored retainer"
        );
    }
    let ignored_id = s.graph.id(ignored[0]);
    // The ignored retainer is listed and can be restored on its own.
    let chip_label = format!("@{ignored_id}  ✕");
    let chip = h
        .query_all_by_label_contains(&chip_label)
        .next()
        .expect("the ignored retainer is listed");
    chip.hover();
    h.get_by_label("Restore all");
    h.query_all_by_label_contains(&format!("@{ignored_id}  ✕"))
        .next()
        .unwrap()
        .click();
    wait(&mut h, "restored distances", |a| {
        a.docs()[0].object().is_some_and(|o| o.ignored().is_empty()) && settled(a)
    });
    let hops = selected_path(&h);
    assert!(
        hops.iter().any(|x| x.node == ignored[0]),
        "restored: the shortest path runs through the array again"
    );
}

#[test]
fn dominators_and_statistics_views() {
    let mut h = app(vec![sample("small-app.heapsnapshot")]);
    wait(&mut h, "indexing", ready);
    h.get_by_label("Dominators").click();
    // The root starts expanded: its dominated objects, largest first.
    wait(&mut h, "the root's dominated objects", settled);
    h.get_by_label("(root)");
    let rows = |h: &mut Harness<'static, HeapsiftApp>| {
        h.state_mut().docs_mut()[0]
            .dominators_mut()
            .unwrap()
            .tree_mut()
            .rows(None)
            .len()
    };
    let before = rows(&mut h);
    assert!(before > 10, "the root's children are listed ({before} rows)");
    let toggles = h.query_all_by_label("▶").count();
    assert!(toggles > 3, "children are expandable ({toggles})");
    h.query_all_by_label("▶").next().unwrap().click();
    wait(&mut h, "a child's dominated objects", settled);
    assert!(rows(&mut h) > before, "expanding a child lists what it dominates");
    h.get_by_label("Statistics").click();
    h.step();
    h.step();
    h.get_by_label("Strings");
    h.get_by_label("JS arrays");
}

#[test]
fn a_broken_file_shows_its_error_and_the_rest_keeps_working() {
    let dir = std::env::temp_dir().join(format!("heapsift-ui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("broken.heapsnapshot");
    std::fs::write(&bad, b"{\"snapshot\": {\"meta\": ").unwrap();
    let mut h = app(vec![bad.clone(), sample("small-app.heapsnapshot")]);
    wait(&mut h, "both loads", |a| a.docs().iter().all(|d| !d.is_loading()));
    h.state_mut().show_tab(0);
    h.step();
    h.step();
    h.get_by_label("This snapshot could not be opened");
    h.get_by_label_contains("broken.heapsnapshot: the file ends unexpectedly");
    h.state_mut().show_tab(1);
    h.step();
    h.step();
    h.get_by_label("Summary");
}

#[test]
fn keyboard_moves_through_rows_and_expands() {
    let mut h = app(vec![sample("small-app.heapsnapshot")]);
    wait(&mut h, "indexing", ready);
    h.key_press(egui::Key::ArrowDown);
    h.step();
    assert_eq!(h.state().docs()[0].summary().unwrap().view().cursor(), Some(0));
    h.key_press(egui::Key::ArrowDown);
    h.step();
    h.key_press(egui::Key::Enter);
    wait(&mut h, "instances of the second class", settled);
    let s = h.state().docs()[0].summary().unwrap();
    assert_eq!(s.view().cursor(), Some(1));
    assert!(s.view().tree().is_expanded(0, s.order()[1]));
}

#[test]
fn the_leak_wizard_finds_the_planted_leaks_end_to_end() {
    let mut h = app(Vec::new());
    h.step();
    h.get_by_label("Hunt a leak with three snapshots (wizard)").click();
    h.step();
    h.step();
    h.get_by_label_contains("Take three snapshots of one process");
    h.get_by_label("Use the demo set").click();
    wait(&mut h, "the three snapshots and the comparison", |a| {
        a.wizard().is_some_and(|w| w.result().is_some() && !w.busy())
    });
    let w = h.state().wizard().unwrap();
    let r = w.result().unwrap();
    let top: Vec<(String, usize)> = r
        .groups
        .iter()
        .take(3)
        .map(|g| (g.class.clone(), g.nodes.len()))
        .collect();
    assert_eq!(
        top,
        vec![
            ("CachedSession".into(), 300),
            ("EventListener".into(), 200),
            ("MetricSample".into(), 150)
        ]
    );
    // Select the second group: its path runs through the long-lived EventTarget. Its row names
    // the page's own objects the listeners hold.
    h.query_all_by_label("EventListener holds RequestContext ×200")
        .next()
        .unwrap()
        .click();
    h.step();
    h.step();
    assert_eq!(h.state().wizard().unwrap().selected(), Some(1));
    assert!(h.query_all_by_label_contains("->appEvents").next().is_some());
    // Its cause and the fix, above the path.
    h.get_by_label("listeners");
    h.get_by_label_contains("listeners of appEvents (EventTarget in script scope of leak.js)");
    h.get_by_label_contains("remove the listener");
    h.get_by_label_contains(
        "EventListener ×200 → V8EventListener ×200 → Function (leak.js:84:67) ×200 → RequestContext",
    );
    // An object of the group opens in the final snapshot with its retainers.
    let w = h.state().wizard().unwrap();
    let r = w.result().unwrap();
    let member = r.snapshot.graph.id(r.groups[1].nodes[0]);
    h.get_by_label(&format!("@{member}")).click();
    wait(&mut h, "the object in the final snapshot", |a| {
        a.page() == heapsift::ui::Page::Snapshot && a.docs()[a.active()].object().is_some() && settled(a)
    });
    assert_eq!(
        h.state().docs()[h.state().active()].title(),
        "leak-s3.heapsnapshot (demo)"
    );
    // The export dialog refuses to overwrite.
    h.get_by_label("Leak wizard").click();
    h.step();
    h.get_by_label("Export finding…").click();
    h.step();
    h.step();
    h.get_by_label("Export finding");
    // A folder that does not exist yet is offered to be created.
    let folder = std::env::temp_dir().join(format!("heapsift-export-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    h.get_by_label("Folder")
        .set_text_value_accesskit(&folder.join("findings").display().to_string());
    h.run_steps(2);
    h.get_by_label("Export").click();
    h.run_steps(2);
    h.get_by_label_contains("does not exist");
    h.get_by_label("Create the folder and export").click();
    h.run_steps(2);
    assert!(folder.join("findings").is_dir(), "the folder is created");
    let _ = std::fs::remove_dir_all(&folder);
}

#[test]
fn comparison_view_matches_devtools_counts() {
    let mut h = app(vec![sample("leak-s1.heapsnapshot"), sample("leak-s3.heapsnapshot")]);
    wait(&mut h, "indexing", ready);
    h.state_mut().show_tab(1);
    h.step();
    view_tab(&mut h, "Comparison");
    wait(&mut h, "the comparison", |a| compared(a, 1));
    let c = h.state().docs()[1].comparison().unwrap();
    let rows = &c.result().unwrap().rows;
    let session = rows.iter().find(|r| r.name == "CachedSession").unwrap();
    assert_eq!((session.new_count, session.deleted_count), (330, 0));
    h.get_by_label_contains("Base snapshot");
    h.get_by_label_contains("# New").click();
    h.step();
    h.step();
    assert_eq!(
        h.state().docs()[1].comparison().unwrap().sort().0,
        heapsift::ui::DiffColumn::New
    );
    // Filter to one class and expand it: its new objects are listed and marked.
    let filter = h.get_by(|n| n.placeholder() == Some("Filter by class name"));
    filter.click();
    filter.type_text("MetricSample");
    h.step();
    h.step();
    assert_eq!(h.state().docs()[1].comparison().unwrap().order().len(), 1);
    h.get_by_label("▶").click();
    h.step();
    h.step();
    h.step();
    assert!(
        h.query_all_by_label_contains("new ").count() > 0,
        "new objects are marked"
    );
}

#[test]
fn growth_view_charts_the_series_and_ranks_growing_classes_first() {
    let mut h = app(growth_series());
    wait(&mut h, "indexing", ready);
    h.get_by_label("Analyze").click();
    h.run_steps(3);
    h.get_by_label("Growth across snapshots…").click();
    wait(&mut h, "the growth series", |a| {
        a.growth().is_some_and(|g| g.result().is_some() && !g.busy())
    });
    let g = h.state().growth().unwrap();
    let r = g.result().unwrap();
    assert_eq!(r.names.len(), 5);
    let top: Vec<&str> = r.ranked.iter().take(2).map(|c| c.name.as_str()).collect();
    assert_eq!(top, vec!["Order", "AuditLogEntry"]);
    assert!(g.charted().contains(&r.ranked[0].key), "the top class is charted");
    h.get_by_label("Growth across snapshots");
    // The arrays that hold them, followed by id: the page's own orders.length in each snapshot.
    h.get_by_label_contains("Collections that grew (2)");
    h.get_by_label("orders (Array in script scope of script 5)");
    h.get_by_label("entries 200 → 400 → 600 → 800 → 1,000");
    h.get_by_label("entries 100 → 200 → 300 → 400 → 500");
    // Click-through: the orders that are new in the last snapshot.
    h.query_all_by_label_contains("↑ Order ").next().unwrap().click();
    wait(&mut h, "new orders", |a| {
        a.growth().as_ref().is_some_and(|g| g.new_objects().is_some())
    });
    let g = h.state().growth().unwrap();
    assert_eq!(
        g.new_objects().unwrap().len(),
        800,
        "1,000 orders at the end, 200 at the start"
    );
}

#[test]
fn summary_filter_objects_allocated_between_two_snapshots() {
    let mut h = app(vec![
        sample("leak-s1.heapsnapshot"),
        sample("leak-s2.heapsnapshot"),
        sample("leak-s3.heapsnapshot"),
    ]);
    wait(&mut h, "indexing", ready);
    h.state_mut().show_tab(2);
    h.run_steps(2);
    h.get_by_role(egui::accesskit::Role::ComboBox).click();
    h.run_steps(3);
    h.get_by_label("Objects allocated between leak-s1.heapsnapshot and leak-s2.heapsnapshot")
        .click();
    wait(&mut h, "the filtered summary", |a| {
        a.docs()[2].summary().is_some_and(|s| s.limited() && !s.filtering()) && settled(a)
    });
    let s = h.state().docs()[2].summary().unwrap();
    let count = |name: &str| s.rows().iter().find(|r| r.name == name).map(|r| r.count);
    assert_eq!(count("CachedSession"), Some(300));
    assert_eq!(count("RequestContext"), Some(200));
    assert_eq!(count("MetricSample"), Some(150));
    assert_eq!(count("TempBuffer"), None, "transient garbage is gone");
}

/// Clicks a view tab (the inspector has a "Retainers" field too: the tab is the topmost).
fn view_tab(h: &mut Harness<'static, HeapsiftApp>, name: &str) {
    let tab = h
        .query_all_by_label(name)
        .min_by(|a, b| a.rect().min.y.total_cmp(&b.rect().min.y));
    if tab.is_none() {
        let labels: Vec<String> = h
            .query_all_by_label_contains("")
            .filter_map(|n| n.accesskit_node().label())
            .take(80)
            .collect();
        panic!("no {name:?} tab among {labels:?}");
    }
    tab.unwrap().click();
    h.run_steps(3);
}

/// The right edge of what the user sees of the central view: the window's, or the left edge of
/// the side panel (found by its "Dominator chain" title) when one is open.
fn visible_right(h: &Harness<'static, HeapsiftApp>, width: f32) -> f32 {
    h.query_all_by_label("Dominator chain")
        .map(|n| n.rect().min.x - 8.0)
        .fold(width, f32::min)
}

/// Some node labelled exactly `text` lies fully left of `right` (and on screen).
fn shown(h: &Harness<'static, HeapsiftApp>, text: &str, right: f32) -> bool {
    let ok = h.query_all_by_label(text).any(|n| {
        let r = n.rect();
        r.min.x >= 0.0 && r.max.x <= right + 0.5 && r.width() > 1.0
    });
    if !ok {
        let found: Vec<_> = h.query_all_by_label(text).map(|n| n.rect()).collect();
        eprintln!("{text:?} not left of {right}: found at {found:?}");
    }
    ok
}

fn shown_contains(h: &Harness<'static, HeapsiftApp>, text: &str, right: f32) -> bool {
    let ok = h.query_all_by_label_contains(text).any(|n| {
        let r = n.rect();
        r.min.x >= 0.0 && r.max.x <= right + 0.5 && r.width() > 1.0
    });
    if !ok {
        let found: Vec<_> = h.query_all_by_label_contains(text).map(|n| n.rect()).collect();
        eprintln!("{text:?} not left of {right}: found at {found:?}");
    }
    ok
}

fn resize(h: &mut Harness<'static, HeapsiftApp>, width: f32) {
    h.set_size(egui::vec2(width, 800.0));
    h.run_steps(4);
}

fn select_by_id(h: &mut Harness<'static, HeapsiftApp>, id: u32) {
    // The field is found by its hint, which shows only while it is empty.
    let active = h.state().active();
    h.state_mut().docs_mut()[active].clear_jump();
    h.run_steps(2);
    let jump = h.get_by(|n| n.placeholder() == Some("@id"));
    jump.click();
    jump.type_text(&format!("@{id}"));
    h.get_by_label("Find object").click();
    wait(h, "the selection", |a| {
        a.docs()[a.active()].object().is_some() && settled(a)
    });
}

#[test]
fn number_columns_stay_visible_at_every_width_with_and_without_the_side_panel() {
    let mut h = app(vec![sample("leak-s1.heapsnapshot"), sample("leak-s3.heapsnapshot")]);
    wait(&mut h, "indexing", ready);
    h.state_mut().show_tab(1);
    h.run_steps(3);
    let s = h.state().docs()[1].snapshot().unwrap().clone();
    let session = s.summary.iter().find(|r| r.name == "CachedSession").unwrap();
    let session_retained = heapsift::text::bytes(session.retained_size);
    let widths = [900.0, 1280.0, 1920.0];

    // Summary without the side panel.
    for w in widths {
        resize(&mut h, w);
        assert!(shown_contains(&h, "Retained Size", w), "Summary header at {w} px");
        assert!(
            shown(&h, &session_retained, w),
            "CachedSession's retained size at {w} px"
        );
    }

    // With an object selected: the side panel and the retainers panel open.
    select_by_id(&mut h, 40115);
    let array = s.graph.find_id(heapsift::model::ObjectId(52941)).unwrap();
    let array_retained = heapsift::text::bytes(s.retained.get(array));
    // The Summary scrolls to the selected instance; its row shows its own retained size.
    let instance_retained = heapsift::text::bytes(
        s.retained
            .get(s.graph.find_id(heapsift::model::ObjectId(40115)).unwrap()),
    );
    for w in widths {
        resize(&mut h, w);
        let right = visible_right(&h, w);
        assert!(right < w - 150.0, "the side panel is open at {w} px");
        assert!(
            shown_contains(&h, "Retained Size", right),
            "Summary header at {w} px with the panel"
        );
        assert!(
            shown(&h, &instance_retained, right),
            "instance row's size at {w} px with the panel"
        );
        assert!(
            shown(&h, &array_retained, right),
            "retainer's size in the bottom panel at {w} px"
        );
    }

    // Zoomed in (Ctrl+=) on the narrowest window: fewer points, the numbers still show.
    h.ctx.set_zoom_factor(1.3);
    resize(&mut h, 900.0);
    // Rects are in zoomed units here: the side panel's edge is the limit.
    assert!(
        h.query_all_by_label("Dominator chain").next().is_some(),
        "the side panel is open"
    );
    let right = visible_right(&h, f32::INFINITY);
    assert!(shown_contains(&h, "Retained Size", right), "Summary header zoomed");
    assert!(shown(&h, &instance_retained, right), "instance row's size zoomed");
    h.ctx.set_zoom_factor(1.0);

    // Retainers view: the path panel is always open.
    view_tab(&mut h, "Retainers");
    for w in widths {
        resize(&mut h, w);
        let right = visible_right(&h, w);
        assert!(shown_contains(&h, "Retained Size", right), "Retainers header at {w} px");
        assert!(shown(&h, &array_retained, right), "first retainer's size at {w} px");
    }

    // Comparison, with and without the side panel.
    view_tab(&mut h, "Comparison");
    wait(&mut h, "the comparison", |a| compared(a, 1));
    let rows = h.state().docs()[1].comparison().unwrap().result().unwrap().rows.clone();
    let metric = rows.iter().find(|r| r.name == "CachedSession").unwrap();
    let delta = format!("+{}", heapsift::text::bytes(metric.size_delta as f64));
    for with_panel in [true, false] {
        if !with_panel {
            h.key_press(egui::Key::Escape);
            h.run_steps(3);
            assert!(h.state().docs()[1].object().is_none());
        }
        for w in widths {
            resize(&mut h, w);
            let right = visible_right(&h, w);
            assert_eq!(right < w - 150.0, with_panel, "side panel open: {with_panel} at {w} px");
            assert!(
                shown_contains(&h, "Size Delta", right),
                "Comparison header at {w} px, panel {with_panel}"
            );
            assert!(
                shown(&h, &delta, right),
                "CachedSession's size delta at {w} px, panel {with_panel}"
            );
        }
    }
}

#[test]
fn growth_numbers_stay_visible_at_every_width_and_sort_by_header() {
    let mut h = app(growth_series());
    wait(&mut h, "indexing", ready);
    h.state_mut().open_growth();
    wait(&mut h, "the growth series", |a| {
        a.growth().is_some_and(|g| g.result().is_some() && !g.busy())
    });
    let r = h.state().growth().unwrap().result().unwrap().clone();
    let order = r.ranked.iter().find(|c| c.name == "Order").unwrap();
    let keeps = heapsift::text::bytes(order.owned_growth);
    for focus in [false, true] {
        if focus {
            h.query_all_by_label_contains("↑ Order ").next().unwrap().click();
            wait(&mut h, "new orders", |a| a.growth().is_some_and(|g| !g.busy()));
        }
        for w in [900.0, 1280.0, 1920.0] {
            resize(&mut h, w);
            // Side by side, the ranking is the left half of the page; narrower, it is above.
            let right = if w >= 1100.0 { w / 2.0 } else { w };
            assert!(shown_contains(&h, "Keeps alive", right), "Growth header at {w} px");
            assert!(shown(&h, &keeps, right), "Order's 'keeps alive' at {w} px");
            if focus {
                assert!(shown_contains(&h, "Retained Size", w), "new objects' sizes at {w} px");
            }
        }
    }
    // Sorting by a header: Δ count, largest first.
    h.get_by_label_contains("Δ count").click();
    h.run_steps(3);
    let g = h.state().growth().unwrap();
    assert_eq!(g.sort(), Some((heapsift::ui::growth::RankColumn::Count, true)));
}

#[test]
fn back_and_forward_restore_the_previous_selection_and_view() {
    let mut h = app(vec![sample("leak-s3.heapsnapshot")]);
    wait(&mut h, "indexing", ready);
    let s = h.state().docs()[0].snapshot().unwrap().clone();
    let (a, b) = (
        s.graph.find_id(heapsift::model::ObjectId(40115)).unwrap(),
        s.graph.find_id(heapsift::model::ObjectId(53003)).unwrap(),
    );
    select_by_id(&mut h, 40115);
    view_tab(&mut h, "Retainers");
    view_tab(&mut h, "Summary");
    select_by_id(&mut h, 53003);
    assert_eq!(h.state().docs()[0].object().unwrap().node(), b);
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowLeft);
    h.run_steps(3);
    assert_eq!(
        h.state().docs()[0].object().unwrap().node(),
        a,
        "Back: the previous selection"
    );
    assert_eq!(h.state().docs()[0].view(), heapsift::ui::View::Summary);
    h.get_by_label("⬅").click();
    h.run_steps(3);
    assert_eq!(
        h.state().docs()[0].view(),
        heapsift::ui::View::Retainers,
        "Back: the previous view"
    );
    assert_eq!(h.state().docs()[0].object().unwrap().node(), a);
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowRight);
    h.run_steps(3);
    h.get_by_label("➡").click();
    h.run_steps(3);
    assert_eq!(
        h.state().docs()[0].object().unwrap().node(),
        b,
        "Forward: back to the last selection"
    );
}

#[test]
fn keys_move_only_the_table_clicked_last() {
    let mut h = app(vec![sample("leak-s3.heapsnapshot")]);
    wait(&mut h, "indexing", ready);
    select_by_id(&mut h, 40115);
    // The Summary was used last (the instance row was revealed there): End moves its cursor only.
    h.state_mut().docs_mut()[0].keys_to_view();
    h.key_press(egui::Key::End);
    h.run_steps(3);
    let d = &h.state().docs()[0];
    let last = d.summary().unwrap().view().cursor();
    assert!(
        last.is_some_and(|c| c > 0),
        "the Summary's cursor went to the end: {last:?}"
    );
    assert_eq!(
        d.object().unwrap().retainers().cursor(),
        None,
        "the retainers below did not move"
    );
    // After a click in the retainers panel, keys go there.
    // The retainer row (`{table} :: Map`), not the path panel's hop (`{table} → (array)`).
    h.get_by_label_contains("{table} ::").click();
    h.run_steps(3);
    assert!(h.state().docs()[0].keys_to_panel());
    h.key_press(egui::Key::Home);
    h.run_steps(3);
    let d = &h.state().docs()[0];
    assert_eq!(
        d.object().unwrap().retainers().cursor(),
        Some(0),
        "Home in the retainers"
    );
    assert_eq!(
        d.summary().unwrap().view().cursor(),
        last,
        "the Summary kept its cursor"
    );
}

#[test]
fn a_cancelled_load_offers_reopen() {
    let mut h = app(vec![sample("leak-s3.heapsnapshot")]);
    h.state().docs()[0].cancel();
    wait(&mut h, "the cancelled load", |a| !a.docs()[0].is_loading());
    h.get_by_label("Cancelled");
    assert!(h.query_all_by_label_contains("could not be opened").next().is_none());
    h.get_by_label("Reopen").click();
    wait(&mut h, "indexing again", ready);
    h.get_by_label("Summary");
}

#[test]
fn a_failed_file_offers_retry_and_close() {
    let dir = std::env::temp_dir().join(format!("heapsift-ui-retry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("later.heapsnapshot");
    let _ = std::fs::remove_file(&path);
    let mut h = app(vec![path.clone(), sample("small-app.heapsnapshot")]);
    wait(&mut h, "both loads", |a| a.docs().iter().all(|d| !d.is_loading()));
    h.state_mut().show_tab(0);
    h.run_steps(2);
    h.get_by_label("This snapshot could not be opened");
    // The user fixes the problem (here: the file appears) and retries.
    std::fs::copy(sample("small-app.heapsnapshot"), &path).unwrap();
    h.get_by_label("Retry").click();
    wait(&mut h, "the retried load", ready);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_cancelled_screenshot_save_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("heapsift-ui-shot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("shot.png");
    let _ = std::fs::remove_file(&out);
    let mut h = app(vec![sample("small-app.heapsnapshot")]);
    wait(&mut h, "indexing", ready);
    let image = egui::ColorImage::new([8, 8], vec![egui::Color32::RED; 64]);
    h.state_mut().offer_screenshot(image.clone(), out.clone());
    h.run_steps(2);
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(!out.exists(), "Cancel wrote nothing");
    h.get_by_label("Screenshot not saved");
    // Saving for real writes the file and says so.
    h.state_mut().offer_screenshot(image, out.clone());
    h.run_steps(2);
    h.get_by_label("Save").click();
    h.run_steps(2);
    assert!(out.exists());
    h.get_by_label_contains("Saved");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_path_panel_reads_as_the_cause_and_offers_devtools_shortest() {
    let mut h = app(vec![sample("node-cache.heapsnapshot.gz")]);
    wait(&mut h, "indexing", ready);
    select_by_id(&mut h, 61963);
    let labels = |h: &Harness<'static, HeapsiftApp>| -> Vec<String> {
        let s = h.state().docs()[0].snapshot().unwrap().clone();
        let hops = selected_path(h);
        hops.iter()
            .filter_map(|x| x.edge)
            .map(|e| heapsift::analysis::query::edge_label(&s.graph, e))
            .collect()
    };
    let readable = labels(&h);
    assert!(readable.iter().any(|l| l == "->sessionCache"), "{readable:?}");
    assert!(
        !readable.iter().any(|l| l == ".__proto__" || l == ".metricsReports"),
        "{readable:?}"
    );
    // The script and its source show in the inspector.
    assert!(h.query_all_by_label_contains("app.js:6:14").next().is_some());
    assert!(h.query_all_by_label_contains("constructor(id) {").next().is_some());
    h.get_by_label("Shortest, as DevTools").click();
    wait(&mut h, "the shortest path", settled);
    let shortest = labels(&h);
    assert!(
        shortest.iter().any(|l| l == ".__proto__"),
        "DevTools' shortest: {shortest:?}"
    );
    h.get_by_label("Readable").click();
    wait(&mut h, "the readable path again", settled);
    assert_eq!(labels(&h), readable);
}

#[test]
fn summary_named_filters_match_devtools() {
    let mut h = app(vec![sample("leak-s3.heapsnapshot")]);
    wait(&mut h, "indexing", ready);
    h.get_by_role(egui::accesskit::Role::ComboBox).click();
    h.run_steps(3);
    h.get_by_label("Objects retained by event handlers").click();
    wait(&mut h, "the filtered summary", |a| {
        a.docs()[0].summary().is_some_and(|s| s.limited() && !s.filtering()) && settled(a)
    });
    // DevTools' numbers (tests/golden/filters/leak-s3.filter.objectsRetainedByEventHandlers.json).
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            common::repo().join("tests/golden/filters/leak-s3.filter.objectsRetainedByEventHandlers.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let s = h.state().docs()[0].summary().unwrap();
    for w in want["classes"].as_array().unwrap() {
        let row = s.rows().iter().find(|r| r.name == w["name"].as_str().unwrap()).unwrap();
        assert_eq!(row.count, w["count"].as_u64().unwrap(), "{}", row.name);
        assert_eq!(row.shallow_size, w["shallow_size"].as_u64().unwrap(), "{}", row.name);
    }
    assert_eq!(s.rows().len(), want["classes"].as_array().unwrap().len());
    // Expanding a class lists only the objects the filter keeps.
    let filter = h.get_by(|n| n.placeholder() == Some("Filter by class name (Ctrl+F)"));
    filter.click();
    filter.type_text("RequestContext");
    h.run_steps(3);
    h.get_by_label("▶").click();
    wait(&mut h, "the filtered instances", settled);
    let rows = h.state_mut().docs_mut()[0]
        .summary_mut()
        .unwrap()
        .view_mut()
        .tree_mut()
        .rows(None)
        .len();
    assert_eq!(
        rows,
        1 + 100 + 1,
        "the class, a page of its 228 kept instances, and 'show more'"
    );
}

#[test]
fn duplicated_strings_view_lists_devtools_groups_and_their_strings() {
    let mut h = app(vec![sample("leak-s3.heapsnapshot")]);
    wait(&mut h, "indexing", ready);
    view_tab(&mut h, "Duplicated strings");
    wait(&mut h, "the duplicated strings", |a| {
        a.docs()[0].duplicates().is_some_and(|d| d.groups().is_some()) && settled(a)
    });
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("tests/golden/filters/leak-s3.duplicates.json")).unwrap(),
    )
    .unwrap();
    let groups = h.state().docs()[0]
        .duplicates()
        .unwrap()
        .groups()
        .unwrap()
        .groups
        .clone();
    assert_eq!(groups.len(), want["groups"].as_array().unwrap().len());
    let first = &want["groups"][0];
    assert_eq!(groups[0].value, first["value"].as_str().unwrap());
    assert_eq!(groups[0].count as u64, first["count"].as_u64().unwrap());
    // Expand the first group and select one of its strings: its retainers appear.
    h.query_all_by_label("▶").next().unwrap().click();
    wait(&mut h, "the group's strings", settled);
    let s = h.state().docs()[0].snapshot().unwrap().clone();
    let id = s.graph.id(groups[0].nodes[0]);
    h.get_by_label(&format!("@{id}")).click();
    wait(&mut h, "the string's retainers", |a| {
        a.docs()[0].object().is_some() && settled(a)
    });
    assert_eq!(h.state().docs()[0].object().unwrap().node(), groups[0].nodes[0]);
    h.get_by_label_contains("Retainers of");
}

#[test]
fn detached_dom_and_containment_views() {
    let mut h = app(vec![sample("small-app.heapsnapshot")]);
    wait(&mut h, "indexing", ready);
    view_tab(&mut h, "Detached DOM");
    wait(&mut h, "the detached trees", |a| {
        a.docs()[0].detached().is_some_and(|d| d.trees().is_some()) && settled(a)
    });
    let trees = h.state().docs()[0].detached().unwrap().trees().unwrap().trees.clone();
    assert_eq!(trees.len(), 1, "the page keeps one detached panel");
    let s = h.state().docs()[0].snapshot().unwrap().clone();
    assert_eq!(s.class_name(trees[0].root), "Detached <div>");
    // What holds it is named: the page's detachedPanel variable.
    assert!(
        h.query_all_by_label_contains("held by ->detachedPanel")
            .next()
            .is_some()
    );
    h.get_by_label_contains("Detached <div>").click();
    wait(&mut h, "its retainers", |a| {
        a.docs()[0].object().is_some() && settled(a)
    });
    assert_eq!(h.state().docs()[0].object().unwrap().node(), trees[0].root);

    view_tab(&mut h, "Containment");
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    // From the root: the GC roots and the page's native contexts, each expandable.
    h.get_by_label_contains("(GC roots)");
    let before = h.state_mut().docs_mut()[0]
        .containment_mut()
        .unwrap()
        .tree_mut()
        .rows(None)
        .len();
    h.query_all_by_label("▶").nth(1).unwrap().click();
    wait(&mut h, "a global's references", settled);
    let after = h.state_mut().docs_mut()[0]
        .containment_mut()
        .unwrap()
        .tree_mut()
        .rows(None)
        .len();
    assert!(
        after > before + 10,
        "the native context lists its references ({before} → {after})"
    );
}

/// With the cache on, the app saves each snapshot's index after showing it, then swaps in the
/// same snapshot read from that index (freeing the analysis's arrays); a second open of the
/// file reads the index and says so.
#[test]
fn the_app_saves_the_index_swaps_to_it_and_reads_it_next_time() {
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("leak-s2.heapsnapshot");
    std::fs::copy(sample("leak-s2.heapsnapshot"), &file).unwrap();
    let policy = common::cache_policy_lock();
    heapsift::engine::use_cache(heapsift::engine::CachePolicy::Dir(cache.path().to_path_buf()));
    let mut h = app(vec![file.clone(), file.clone()]);
    wait(&mut h, "both tabs to load and settle", |a| {
        ready(a) && a.docs().iter().all(|d| d.settled_snapshot().is_some())
    });
    heapsift::engine::use_cache(heapsift::engine::CachePolicy::Off);
    drop(policy);
    let from: Vec<_> = h
        .state()
        .docs()
        .iter()
        .map(|d| d.loaded_from().cloned().unwrap())
        .collect();
    // One load at a time: the first analyses and saves, the second finds the saved index.
    assert_eq!(from[0], heapsift::engine::LoadedFrom::Snapshot, "{from:?}");
    assert!(matches!(from[1], heapsift::engine::LoadedFrom::Cache(_)), "{from:?}");
    for d in h.state().docs() {
        let s = d.snapshot().unwrap();
        assert!(s.graph.is_mapped(), "the analysed snapshot was swapped for its index");
        assert_eq!(s.summary, h.state().docs()[0].snapshot().unwrap().summary);
    }
    // The view line says where the numbers came from.
    h.state_mut().show_tab(1);
    h.run();
    h.get_by_label_contains("saved index read in");
}

/// File ▸ Connect to a real Node service: the live panel charts its heap, "Take snapshot" opens
/// a tab, and the wizard takes baseline, target and final itself, with the action run between,
/// and finds the planted leak with its exact count.
#[test]
fn connect_to_a_node_service_and_let_the_wizard_take_the_snapshots() {
    use crate::common::node::{Server, node};
    let Some(node) = node("connect_to_a_node_service_and_let_the_wizard_take_the_snapshots") else {
        return;
    };
    let server = Server::start(&node, true, 0);
    let folder = tempfile::tempdir().unwrap();
    let mut h = app(Vec::new());
    h.get_by_label("File").click();
    h.run_steps(3);
    h.get_by_label("Connect to a process…").click();
    h.run_steps(3);
    let field = h.get_by(|n| n.placeholder() == Some("127.0.0.1:9229"));
    field.click();
    field.type_text(&server.inspector());
    h.step();
    h.get_by_label("Connect").click();
    wait(&mut h, "two heap samples", |a| {
        a.live().state().is_some_and(|s| s.samples.len() >= 2)
    });
    h.get_by_label_contains("Heap: ");
    let dir = folder.path().to_string_lossy().into_owned();
    h.state_mut().live_mut().set_folder(&dir);

    h.get_by_label("📷 Take snapshot").click();
    wait(&mut h, "the snapshot's tab", ready);
    assert_eq!(h.state().docs().len(), 1);

    h.get_by_label("Analyze").click();
    h.run_steps(3);
    h.get_by_label("Leak wizard (three snapshots)…").click();
    h.run_steps(3);
    // In the method's order: no target before a baseline.
    assert!(h.get_by_label("📷 Take target now").accesskit_node().is_disabled());
    h.get_by_label("📷 Take baseline now").click();
    wait(&mut h, "the baseline", |a| a.wizard().unwrap().picks()[0].is_some());
    let action = format!(
        "node -e \"require('http').get('http://127.0.0.1:{}/checkout', r => r.resume())\"",
        server.http_port
    );
    let cmd = h.get_by(|n| n.placeholder() == Some("curl -s localhost:3000/checkout"));
    cmd.click();
    cmd.type_text(&action);
    let times = h.get_by(|n| n.placeholder() == Some("100"));
    times.click();
    times.type_text("12");
    h.step();
    h.get_by_label("▶ Run").click();
    wait(&mut h, "the action's runs", |a| a.wizard().unwrap().action_ran());
    h.get_by_label_contains("The action ran");
    h.get_by_label("📷 Take target now").click();
    wait(&mut h, "the target", |a| a.wizard().unwrap().picks()[1].is_some());
    h.get_by_label("📷 Take final now").click();
    wait(&mut h, "the result", |a| a.wizard().unwrap().result().is_some());
    let r = h.state().wizard().unwrap().result().unwrap().clone();
    let leak = r
        .groups
        .iter()
        .find(|g| g.class == "LeakedCheckout")
        .expect("the planted leak");
    assert_eq!(leak.nodes.len(), 12);
    let files = std::fs::read_dir(folder.path()).unwrap().count();
    assert_eq!(files, 4, "four snapshots saved in {dir}");

    // Growth: a timed series joins the open snapshots.
    h.state_mut().open_growth();
    h.state_mut().live_mut().set_series_every("1");
    h.run_steps(3);
    h.get_by_label("Start").click();
    wait(&mut h, "two timed snapshots", |a| a.docs().len() >= 6 && ready(a));
    h.get_by_label("Stop the series").click();
    h.run_steps(3);
    assert!(!h.state().live().series_running());
    assert!(
        h.state().growth().unwrap().order().len() >= 6,
        "the series has every snapshot"
    );
    // Allocation stacks: recording, then the snapshot V8 takes as it stops, with its
    // Allocation view.
    let open = h.state().docs().len();
    h.get_by_label("⏺ Record allocation stacks").click();
    wait(&mut h, "the recording", |a| a.live().tracking());
    h.get_by_label_contains("Recording allocation stacks for");
    h.get_by_label("⏹ Stop recording").click();
    wait(&mut h, "the recording's snapshot", |a| {
        a.docs().len() > open && ready(a) && !a.live().tracking()
    });
    let last = h.state().docs().last().unwrap().snapshot().unwrap().clone();
    assert!(
        last.allocations.is_some(),
        "the recording's snapshot has allocation stacks"
    );
    // Allocation sampling: the profile opens on its own page.
    h.get_by_label("⏺ Record allocation sampling").click();
    wait(&mut h, "sampling", |a| a.live().sampling());
    server.get("/checkout");
    h.get_by_label("⏹ Stop sampling").click();
    wait(&mut h, "the sampling heap profile", |a| {
        !a.live().sampling() && a.profile().is_some_and(|p| !p.busy())
    });
    let profile = h.state().profile().unwrap();
    assert!(profile.data().is_some(), "the profile was read");
    assert_eq!(h.state().page(), heapsift::ui::Page::Profile);
    drop(server);
    wait(&mut h, "the panel to notice the process is gone", |a| {
        !a.live().connected()
    });
}

/// Two processes' three-snapshot sets in folders `a/` and `b/`, each file named `baseline`,
/// `target` and `final`: a/ is the leak page, b/ the growth page. Opened interleaved.
fn two_sets(test: &str) -> (PathBuf, Vec<PathBuf>) {
    let dir = std::env::temp_dir().join(format!("heapsift-{test}-{}", std::process::id()));
    let mut files = Vec::new();
    for (role, (a, b)) in ["baseline", "target", "final"].iter().zip([
        ("leak-s1", "growth-1"),
        ("leak-s2", "growth-2"),
        ("leak-s3", "growth-3"),
    ]) {
        for (folder, from) in [("a", a), ("b", b)] {
            let to = dir.join(folder).join(format!("{role}.heapsnapshot"));
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(sample(&format!("{from}.heapsnapshot")), &to).unwrap();
            files.push(to);
        }
    }
    (dir, files)
}

fn titles(a: &HeapsiftApp, ids: &[heapsift::ui::DocId]) -> Vec<String> {
    ids.iter()
        .map(|&id| a.docs().iter().find(|d| d.doc_id() == id).unwrap().title())
        .collect()
}

#[test]
fn two_processes_open_at_once_never_mix() {
    let (dir, files) = two_sets("two-processes");
    let mut h = app(files);
    wait(&mut h, "indexing", ready);
    // Same-named files are told apart by their folders; each process is one set, in order.
    let a = h.state();
    assert_eq!(a.docs()[0].title(), "a/baseline.heapsnapshot");
    assert_eq!(a.docs()[1].title(), "b/baseline.heapsnapshot");
    let sets = a.sets().sets();
    assert_eq!(sets.len(), 2, "two processes");
    let members: Vec<Vec<String>> = sets.iter().map(|&s| titles(a, &a.sets().members(s))).collect();
    assert_eq!(
        members,
        [
            [
                "a/baseline.heapsnapshot",
                "a/target.heapsnapshot",
                "a/final.heapsnapshot"
            ],
            [
                "b/baseline.heapsnapshot",
                "b/target.heapsnapshot",
                "b/final.heapsnapshot"
            ],
        ]
    );
    // Tabs are grouped by process, each group named by its folder.
    h.get_by_label("a/");
    h.get_by_label("b/");

    // a/final's "allocated between" offers only a/'s intervals, and b/'s files as not offered.
    h.state_mut().show_tab(4);
    h.run_steps(2);
    h.get_by_role(egui::accesskit::Role::ComboBox).click();
    h.run_steps(3);
    assert!(h.query_by_label_contains("between b/").is_none());
    assert!(h.query_by_label_contains("between a/final").is_none(), "in order only");
    h.get_by_label("b/baseline.heapsnapshot (another process)");
    h.get_by_label("Objects allocated between a/baseline.heapsnapshot and a/target.heapsnapshot")
        .click();
    wait(&mut h, "the filtered summary", |a| {
        a.docs()[4].summary().is_some_and(|s| s.limited() && !s.filtering()) && settled(a)
    });
    let s = h.state().docs()[4].summary().unwrap();
    let count = |name: &str| s.rows().iter().find(|r| r.name == name).map(|r| r.count);
    assert_eq!(count("CachedSession"), Some(300), "exactly the planted sessions");
    assert_eq!(count("RequestContext"), Some(200));

    // The Comparison's base list: a/'s snapshots, b/'s greyed.
    view_tab(&mut h, "Comparison");
    wait(&mut h, "the comparison", |a| compared(a, 4));
    let c = h.state().docs()[4].comparison().unwrap();
    let base = c.base().expect("a base is picked");
    assert_eq!(titles(h.state(), &[base]), ["a/target.heapsnapshot"]);

    // Growth charts one process, oldest first, and switches with the picker.
    h.state_mut().open_growth();
    wait(&mut h, "the growth series", |a| {
        a.growth().is_some_and(|g| g.result().is_some() && !g.busy())
    });
    let order = h.state().growth().unwrap().order().to_vec();
    assert_eq!(
        titles(h.state(), &order),
        [
            "a/baseline.heapsnapshot",
            "a/target.heapsnapshot",
            "a/final.heapsnapshot"
        ]
    );
    h.get_by_label("Process").click();
    h.run_steps(3);
    h.get_by_label("b/ · 3 snapshots").click();
    wait(&mut h, "the other process's growth", |a| {
        a.growth()
            .is_some_and(|g| g.result().is_some_and(|r| r.names[0] == "b/baseline.heapsnapshot") && !g.busy())
    });
    let r = h.state().growth().unwrap().result().unwrap().clone();
    assert_eq!(
        r.names,
        [
            "b/baseline.heapsnapshot",
            "b/target.heapsnapshot",
            "b/final.heapsnapshot"
        ]
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_wizard_refuses_the_same_snapshot_twice() {
    let leak = sample("leak-s1.heapsnapshot");
    let mut h = app_with(Options {
        files: vec![leak.clone(), leak, sample("leak-s3.heapsnapshot")],
        wizard: true,
        ..Default::default()
    });
    wait(&mut h, "indexing", ready);
    h.run_steps(5);
    h.get_by_label_contains("Baseline (S1) and Target (S2) are the same snapshot (leak-s1.heapsnapshot (2))");
    assert!(
        h.state().wizard().unwrap().result().is_none(),
        "no result for refused picks"
    );
}

/// Three snapshots of one process opened together (here out of order) offer the wizard; one
/// click runs it on them in the order they were taken.
#[test]
fn three_snapshots_of_one_process_offer_the_wizard_in_one_click() {
    let mut h = app(vec![
        sample("leak-s3.heapsnapshot"),
        sample("leak-s1.heapsnapshot"),
        sample("leak-s2.heapsnapshot"),
    ]);
    wait(&mut h, "indexing", |a| ready(a) && a.wizard_offer().is_some());
    h.get_by_label_contains("Three snapshots of one process, in the order taken: leak-s1.heapsnapshot → leak-s2");
    h.get_by_label("Find leaks in them (leak wizard)").click();
    wait(&mut h, "the wizard's result", |a| {
        a.wizard().is_some_and(|w| w.result().is_some() && !w.busy())
    });
    let r = h.state().wizard().unwrap().result().unwrap().clone();
    assert_eq!(
        r.names,
        ["leak-s1.heapsnapshot", "leak-s2.heapsnapshot", "leak-s3.heapsnapshot"]
    );
    assert_eq!(
        (r.groups[0].class.as_str(), r.groups[0].nodes.len()),
        ("CachedSession", 300)
    );
    assert!(h.state().wizard_offer().is_none(), "the offer is taken");
}

/// A file or folder dropped on the window, as the windowing integration hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// A folder dropped on the wizard fills its slots, in the order the snapshots were taken.
#[test]
fn a_folder_dropped_on_the_wizard_fills_its_slots() {
    let (dir, _) = two_sets("dropped-folder");
    let mut h = app_with(Options {
        wizard: true,
        ..Default::default()
    });
    h.run_steps(2);
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(dir.join("b"))));
    wait(&mut h, "the wizard's result", |a| {
        ready(a) && a.wizard().is_some_and(|w| w.result().is_some() && !w.busy())
    });
    let a = h.state();
    let picks: Vec<_> = a.wizard().unwrap().picks().iter().map(|p| p.unwrap()).collect();
    assert_eq!(
        titles(a, &picks),
        ["baseline.heapsnapshot", "target.heapsnapshot", "final.heapsnapshot"]
    );
    assert!(a.wizard_offer().is_none(), "the wizard asked for them: no offer");
    let _ = std::fs::remove_dir_all(dir);
}

/// DevTools prints "−" for distances it does not count; hovering one says why.
#[test]
fn a_dash_for_a_distance_explains_itself() {
    let mut h = app(vec![sample("node-cache.heapsnapshot.gz")]);
    wait(&mut h, "indexing", ready);
    let filter = h.get_by(|n| n.placeholder() == Some("Filter by class name (Ctrl+F)"));
    filter.click();
    filter.type_text("IsolateData");
    wait(&mut h, "the filtered summary", |a| {
        a.docs()[0].summary().is_some_and(|s| s.order().len() == 1)
    });
    h.query_all_by_label("−")
        .next()
        .expect("a class DevTools shows without a distance")
        .hover();
    h.run_steps(8);
    h.get_by_label_contains("only the engine's own roots reach this object");
    // A Node process has no DOM: the Detached DOM view says so instead of listing its bindings.
    view_tab(&mut h, "Detached DOM");
    wait(&mut h, "the detached trees", |a| {
        a.docs()[0].detached().is_some_and(|d| d.trees().is_some())
    });
    h.get_by_label_contains("This snapshot has no DOM");
    let trees = h.state().docs()[0].detached().unwrap().trees().unwrap().clone();
    assert!(trees.trees.is_empty() && !trees.has_dom);
}

/// A file that fails to open leaves File ▸ Open recent; one that opens stays.
#[test]
fn recent_keeps_what_opened_and_drops_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.heapsnapshot");
    std::fs::write(&broken, b"{\"snapshot\": {\"meta\": ").unwrap();
    let good = sample("leak-s1.heapsnapshot");
    let mut h = app(vec![broken.clone(), good.clone()]);
    wait(&mut h, "both loads to end", |a| {
        a.docs().len() == 2 && a.docs().iter().all(|d| !d.is_loading())
    });
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open recent").click();
    h.run();
    let good = std::fs::canonicalize(&good).unwrap().display().to_string();
    let broken = std::fs::canonicalize(&broken).unwrap().display().to_string();
    assert!(
        h.query_by_label(&good).is_some(),
        "the snapshot that opened is in Recent"
    );
    assert!(h.query_by_label(&broken).is_none(), "the broken file is not");
}

/// A container's group (an emitter's listener array) headlines the user's objects it holds: its
/// row says so, the detail shows what holds them and brings them into view in one click, and the
/// table lists two levels and the chain to them, folding the rest into a row that expands.
#[test]
fn the_wizard_headlines_what_a_container_holds_and_folds_the_rest() {
    let set: Vec<PathBuf> = ["baseline", "target", "final"]
        .iter()
        .map(|s| sample(&format!("kinds/listeners-{s}.heapsnapshot.gz")))
        .collect();
    let mut h = app_with(Options {
        files: set,
        wizard: true,
        ..Default::default()
    });
    wait(&mut h, "the leak groups", |a| {
        a.wizard().is_some_and(|w| w.result().is_some() && !w.busy())
    });
    h.run_steps(3);
    h.get_by_label("Array holds Subscription ×60");
    h.get_by_label_contains("Array ×1 → Function (kinds.js:115:29) ×60 → Subscription (kinds.js:36:14) ×60");
    assert!(
        h.query_by_label("↳ ServerResponse").is_none(),
        "deeper groups are folded"
    );
    h.get_by_label("Show Subscription (#1.1.2)").click();
    h.run_steps(3);
    let w = h.state().wizard().unwrap();
    let r = w.result().unwrap();
    assert_eq!(w.selected().map(|i| r.groups[i].class.as_str()), Some("Subscription"));
    h.get_by_label("Show 44 more").click();
    h.run_steps(3);
    h.get_by_label("↳ ServerResponse");
}

/// A snapshot taken with allocation tracking on offers DevTools' Allocation view: its functions
/// filter by name or file, a function expands into its callers, and its context menu shows the
/// live objects it made in the Summary. The inspector shows a selected object's stack. A
/// snapshot taken without tracking has no such tab.
#[test]
fn the_allocation_view_names_the_code_that_made_the_objects() {
    let tracked = sample("kinds/tracked-listeners-final.heapsnapshot.gz");
    let mut h = app(vec![tracked]);
    wait(&mut h, "the snapshot", ready);
    h.get_by_label("Allocations").click();
    wait(&mut h, "the allocation tree", |a| {
        a.docs()[0].allocations().is_some_and(|v| !v.busy())
    });
    h.run();
    h.get_by_label("(V8 API)");
    let field = h.get_by(|n| n.placeholder() == Some("Filter by function or file"));
    field.click();
    field.type_text("kinds.js");
    h.run();
    h.get_by_label("Your code only").click();
    h.run();
    // The service's own functions, each with where V8 says it is.
    let action = "action kinds.js:108:16";
    h.get_by_label(action);
    assert!(
        h.query_by_label("(V8 API)").is_none(),
        "the filter hides V8's own functions"
    );
    // The handler that called action, one level down.
    let toggles: Vec<_> = h.query_all_by_label("▶").collect();
    assert!(!toggles.is_empty());
    let caller = "(anonymous) kinds.js:173:34";
    let before = h.query_all_by_label(caller).count();
    let row_toggle = h
        .query_all_by_label("▶")
        .find(|t| {
            let y = t.accesskit_node().bounding_box().unwrap().y0;
            let a = h.get_by_label(action).accesskit_node().bounding_box().unwrap();
            (y - a.y0).abs() < 4.0
        })
        .expect("action's row expands");
    row_toggle.click();
    h.run();
    assert!(
        h.query_all_by_label(caller).count() > before,
        "expanding action lists the (anonymous) request handler that called it"
    );
    // Its live objects in the Summary: the Subscriptions (and closures) it made.
    h.get_by_label(action).click_secondary();
    h.run();
    h.get_by_label("Show its live objects in the Summary").click();
    wait(&mut h, "the Summary limited to action's objects", |a| {
        a.docs()[0].summary().is_some_and(|s| !s.filtering() && s.limited())
    });
    h.run();
    // The Show menu names the choice.
    h.get_by_role(egui::accesskit::Role::ComboBox).click();
    h.run_steps(3);
    h.get_by_label("Objects allocated by action (kinds.js:108:16)");
    h.key_press(egui::Key::Escape);
    h.run();
    let summary = h.state().docs()[0].summary().unwrap();
    let classes: Vec<&str> = summary.rows().iter().map(|r| r.name.as_str()).collect();
    assert!(classes.contains(&"Subscription"), "{classes:?}");
    let subs = summary.rows().iter().find(|r| r.name == "Subscription").unwrap();
    // Tracking ran from the process's start: the warm-up run's Subscription too.
    assert_eq!(subs.count, 61, "every live Subscription, all made by action");

    // The inspector: a selected object's allocation stack.
    let field = h.get_by(|n| n.placeholder() == Some("@id"));
    field.click();
    field.type_text("@95849");
    h.run();
    h.get_by_label("Find object").click();
    wait(&mut h, "the object selected", |a| a.docs()[0].object().is_some());
    h.run();
    h.get_by_label("Allocation stack");
    h.get_by_label("action (kinds.js:108:16)");
    h.get_by_label("(anonymous) (kinds.js:173:34)");
    // The hover preview of its row says the same in one line.
    let ids = h.query_all(egui_kittest::kittest::by().value("@95849")).count();
    let preview = "Allocated by action (kinds.js:108:16) ← (anonymous) (kinds.js:173:34)";
    let mut seen = false;
    for k in 0..ids {
        h.query_all(egui_kittest::kittest::by().value("@95849"))
            .nth(k)
            .unwrap()
            .hover();
        h.run_steps(20);
        seen |= h.query_by_label_contains(preview).is_some();
    }
    assert!(seen, "hovering the object's row previews its allocation stack");

    let mut h = app(vec![sample("leak-s1.heapsnapshot")]);
    wait(&mut h, "an untracked snapshot", ready);
    assert!(
        h.query_by_label("Allocations").is_none(),
        "no Allocation view without traces"
    );
}

/// The wizard on a minified TypeScript service's set, its maps found under --source-maps: the
/// leak, its Allocated by line, the Summary and the exported finding read as the code was
/// written (TenantProfile in profiles.ts), not as esbuild renamed it (`o` in server.js).
#[test]
fn a_minified_leak_reads_its_typescript_names_in_the_app_and_the_finding() {
    let set: Vec<PathBuf> = ["baseline", "target", "final"]
        .iter()
        .map(|s| sample(&format!("kinds/ts-{s}.heapsnapshot.gz")))
        .collect();
    // Only a map beside a copy of the very script the snapshot ran is used, so other tests'
    // scripts named server.js are not affected.
    heapsift::engine::use_source_map_dirs(vec![common::repo().join("tests/live/ts-service/dist")]);
    let mut h = app_with(Options {
        files: set,
        wizard: true,
        ..Default::default()
    });
    wait(&mut h, "the leak groups", |a| {
        a.wizard().is_some_and(|w| w.result().is_some() && !w.busy())
    });
    h.run_steps(3);
    assert!(
        h.query_all_by_label("TenantProfile").count() >= 1,
        "the row names the class"
    );
    h.get_by_label_contains("profiles.ts:9:3");
    h.get_by_label("remember (profiles.ts:17:17) ← handler (server.ts:7:10) ← …");
    let r = h.state().wizard().unwrap().result().unwrap().clone();
    let g = r.groups.iter().find(|g| g.class == "o").expect("the minified class");
    assert_eq!(g.shown_class(), "TenantProfile");
    let s = h.state().docs()[2].snapshot().unwrap().clone();
    let ids = heapsift::present::finding::identities(&[]).unwrap();
    let md = heapsift::present::finding::markdown(&s, &ids, g, &[], false, None);
    assert!(md.starts_with("# Leak: `TenantProfile` ×60"), "{md}");
    assert!(
        md.contains("`TenantProfile` is defined at `../src/profiles.ts:9:3 (generated: "),
        "{md}"
    );
    assert!(
        md.contains("Allocated by: `remember (profiles.ts:17:17) ← handler (server.ts:7:10) ← …`"),
        "{md}"
    );
    let finding = heapsift::present::finding::json(&s, &ids, g, &[], false);
    assert_eq!(finding["group"]["original_class"], "TenantProfile");
    // The final snapshot's Summary: the class filter finds the class by its TypeScript name.
    h.state_mut().show_tab(2);
    h.run_steps(3);
    let field = h.get_by(|n| n.placeholder() == Some("Filter by class name (Ctrl+F)"));
    field.click();
    field.type_text("Tenant");
    h.run_steps(3);
    let summary = h.state().docs()[2].summary().unwrap();
    let names: Vec<&str> = summary
        .order()
        .iter()
        .map(|&i| summary.rows()[i as usize].name.as_str())
        .collect();
    assert_eq!(names, ["o"], "the minified class, found by its original name");
    h.get_by_label_contains("TenantProfile ×61");
    heapsift::engine::use_source_map_dirs(Vec::new());
}

/// A sampling heap profile opens on its own page: bottom-up by self size (summing to the
/// profile's total), the top-down tree expanding into callees, and the chart.
#[test]
fn a_sampling_heap_profile_opens_with_bottom_up_top_down_and_chart() {
    let mut h = app(vec![sample("node-alloc.heapprofile")]);
    wait(&mut h, "the profile", |a| a.profile().is_some_and(|p| !p.busy()));
    h.run_steps(3);
    h.get_by_label("Sampling heap profile: node-alloc.heapprofile");
    h.get_by_label("Profile: node-alloc.heapprofile");
    let data = h.state().profile().unwrap().data().unwrap().clone();
    let sum: f64 = data.functions.iter().map(|f| f.self_size).sum();
    assert_eq!(sum, data.total, "self sizes sum to the profile's");
    assert_eq!(data.calls[0].total, data.total, "the tree's root holds every byte");
    // Bottom-up: the heaviest function first.
    let first = &data.functions[0].frame;
    h.get_by_label_contains(&first.function_name);
    h.get_by_label("Top-down").click();
    h.run_steps(3);
    let before = h.query_all_by_label("▶").count();
    assert!(before > 0, "the root's callees expand");
    h.query_all_by_label("▶").next().unwrap().click();
    h.run_steps(3);
    assert!(h.query_all_by_label("▶").count() + h.query_all_by_label("▼").count() > before);
    h.get_by_label("Chart").click();
    h.run_steps(3);
    h.get_by_label_contains("Width: bytes allocated in a call");
    assert!(
        h.get_by_label("⟲ Whole profile").accesskit_node().is_disabled(),
        "not zoomed yet"
    );
}

/// An allocation timeline (`capture --track-allocations` writes one; DevTools saves them as
/// .heaptimeline): bars above the Summary, and dragging across them limits the Summary to the
/// objects allocated then and still alive, with DevTools' id range.
#[test]
fn dragging_across_the_allocation_timeline_limits_the_summary() {
    let mut h = app(vec![sample("kinds/recording.heaptimeline.gz")]);
    wait(&mut h, "the timeline", ready);
    h.run_steps(3);
    let s = h.state().docs()[0].snapshot().unwrap().clone();
    let t = s.timeline.as_ref().expect("the recording's samples");
    assert!(t.sizes.len() > 10, "{} samples", t.sizes.len());
    let label = h.get_by_label("Allocation timeline").rect();
    let y = label.bottom() + 30.0;
    let (x0, x1) = (60.0, 185.0);
    let button = |pos: egui::Pos2, pressed: bool| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: Default::default(),
    };
    h.event(egui::Event::PointerMoved(egui::pos2(x0, y)));
    h.step();
    h.event(button(egui::pos2(x0, y), true));
    h.step();
    for x in [80.0, 120.0, 160.0, x1] {
        h.event(egui::Event::PointerMoved(egui::pos2(x, y)));
        h.step();
    }
    h.event(button(egui::pos2(x1, y), false));
    wait(&mut h, "the Summary of the interval", |a| {
        a.docs()[0].summary().is_some_and(|s| s.limited() && !s.filtering())
    });
    h.run_steps(2);
    h.get_by_role(egui::accesskit::Role::ComboBox).click();
    h.run_steps(3);
    assert!(h.query_all_by_label_contains("Objects allocated from ").count() >= 1);
    h.key_press(egui::Key::Escape);
    let summary = h.state().docs()[0].summary().unwrap();
    let kept: u64 = summary.rows().iter().map(|r| r.count).sum();
    let all: u64 = s.summary.iter().map(|r| r.count).sum();
    assert!(kept > 0 && kept < all / 10, "an interval's objects: {kept} of {all}");
    h.get_by_label("Whole recording").click();
    wait(&mut h, "all objects again", |a| {
        a.docs()[0].summary().is_some_and(|s| !s.limited() && !s.filtering())
    });
}

/// The Query field above the Summary: an expression over objects' properties limits the rows
/// and the instances; a mistake points at its column; Clear shows all objects again.
#[test]
fn the_query_field_limits_the_summary_to_the_objects_it_keeps() {
    let mut h = app(vec![sample("kinds/cache-final.heapsnapshot.gz")]);
    wait(&mut h, "the snapshot", ready);
    let all = h.state().docs()[0].summary().unwrap().rows().len();
    let field = h.get_by(|n| n.placeholder() == Some(".userId == undefined and retained_size > 1kB"));
    field.click();
    field.type_text(".name = 'user 1'");
    h.run_steps(2);
    h.get_by_label("Apply").click();
    h.run_steps(3);
    assert_eq!(
        h.state().docs()[0].summary().unwrap().query_error(),
        Some("column 7: a single '=': write '==' to compare")
    );
    h.get_by_label_contains("Query: column 7:");

    let field =
        h.get_by(|n| n.role() == egui::accesskit::Role::TextInput && n.value().as_deref() == Some(".name = 'user 1'"));
    field.click();
    h.run_steps(1);
    for _ in 0..20 {
        h.key_press(egui::Key::Backspace);
        h.key_press(egui::Key::Delete);
    }
    h.run_steps(2);
    let field = h.get_by(|n| n.placeholder() == Some(".userId == undefined and retained_size > 1kB"));
    field.type_text(".name ~ /^user 4\\d$/");
    h.run_steps(1);
    h.get_by_label("Apply").click();
    wait(&mut h, "the query's rows", |a| {
        a.docs()[0]
            .summary()
            .is_some_and(|s| !s.filtering() && s.query().is_some())
    });
    let summary = h.state().docs()[0].summary().unwrap();
    assert_eq!(summary.query_error(), None);
    let names: Vec<(&str, u64)> = summary
        .order()
        .iter()
        .map(|&i| {
            let r = &summary.rows()[i as usize];
            (r.name.as_str(), r.count)
        })
        .collect();
    assert_eq!(names, [("UserProfile", 10)], "user 40 … user 49");
    assert_eq!(summary.query(), Some(".name ~ /^user 4\\d$/"));
    // Its instances are the ten objects, not all 61.
    h.get_by_label_contains("UserProfile").click();
    h.run_steps(1);
    h.key_press(egui::Key::ArrowRight);
    wait(&mut h, "the instances", |a| !a.docs()[0].busy());
    assert_eq!(h.state_mut().docs_mut()[0].summary_mut().unwrap().visible_rows(), 11);

    h.get_by_label("Clear").click();
    wait(&mut h, "all objects", |a| {
        a.docs()[0].summary().is_some_and(|s| !s.filtering() && !s.limited())
    });
    assert_eq!(h.state().docs()[0].summary().unwrap().rows().len(), all);
}
