//! A sampling heap profile (`.heapprofile`: `node --heap-prof`, DevTools' "Allocation sampling",
//! `heapsift capture --sampling`) as DevTools shows one: bottom-up (functions by bytes allocated
//! in them), top-down (the call tree), and a chart of the call tree (width: bytes allocated
//! under a call), each with locations.

use std::path::PathBuf;
use std::sync::Arc;

use egui::{Color32, RichText, Sense, Ui};
use egui_extras::TableRow;

use super::table::{SIZE_WIDTH, header, name_cell, name_column, number_column, tree_table};
use super::tree::{Action, Item, Items, Row, Tree};
use super::treeview::{Frame, Header, TreeModel, TreeView};
use super::widgets::{self, ROW_HEIGHT, size_cell};
use crate::analysis::profile::{FunctionRow, functions};
use crate::engine::task::{Task, Waker};
use crate::format::heapprofile::{self, CallFrame, ProfileNode};
use crate::model::NodeId;
use crate::text::{bytes, preview, thousands};

/// One call of the tree, flattened: its frame, bytes sampled in it and under it, its depth.
pub struct Call {
    pub frame: u32,
    pub self_size: f64,
    pub total: f64,
    pub depth: u32,
    pub children: Vec<u32>,
}

/// A profile read and laid out, off the UI thread.
pub struct ProfileData {
    pub frames: Vec<CallFrame>,
    /// Pre-order; 0 is the root.
    pub calls: Vec<Call>,
    pub functions: Vec<FunctionRow>,
    pub total: f64,
    pub samples: usize,
    pub max_depth: u32,
}

impl ProfileData {
    pub fn read(path: &std::path::Path) -> crate::error::Result<ProfileData> {
        let bytes = crate::format::Bytes::open(path)?;
        let p = heapprofile::parse(&bytes)?;
        let (functions, total) = functions(&p);
        let mut frames = Vec::new();
        let mut calls: Vec<Call> = Vec::new();
        // Without recursion: recursive code makes deep trees.
        let mut stack: Vec<(&ProfileNode, Option<u32>, u32)> = vec![(&p.head, None, 0)];
        while let Some((n, parent, depth)) = stack.pop() {
            let k = calls.len() as u32;
            frames.push(n.call_frame.clone());
            calls.push(Call {
                frame: k,
                self_size: n.self_size,
                total: 0.0,
                depth,
                children: Vec::new(),
            });
            if let Some(p) = parent {
                calls[p as usize].children.push(k);
            }
            for c in n.children.iter().rev() {
                stack.push((c, Some(k), depth + 1));
            }
        }
        // Totals bottom-up: children come after their parent in pre-order.
        for k in (0..calls.len()).rev() {
            let under: f64 = calls[k].children.iter().map(|&c| calls[c as usize].total).sum();
            calls[k].total = calls[k].self_size + under;
        }
        // Heaviest children first, as DevTools lists them.
        let totals: Vec<f64> = calls.iter().map(|c| c.total).collect();
        for c in &mut calls {
            c.children
                .sort_by(|&a, &b| totals[b as usize].total_cmp(&totals[a as usize]));
        }
        let max_depth = calls.iter().map(|c| c.depth).max().unwrap_or(0);
        Ok(ProfileData {
            frames,
            calls,
            functions,
            total,
            samples: p.samples.len(),
            max_depth,
        })
    }
}

/// `makeRecords (app.js:12:20)`, or the name alone where the profile gives no script.
pub fn frame_label(f: &CallFrame) -> String {
    let name = if f.function_name.is_empty() {
        "(anonymous)"
    } else {
        f.function_name.as_str()
    };
    match where_of(f) {
        Some(at) => format!("{} ({at})", preview(name, 60)),
        None => preview(name, 60),
    }
}

/// `app.js:12:20` (1-based), when the profile says.
fn where_of(f: &CallFrame) -> Option<String> {
    if f.url.is_empty() {
        return None;
    }
    let file = crate::analysis::scripts::short_name(&f.url);
    Some(if f.line_number >= 0 {
        format!("{file}:{}:{}", f.line_number + 1, f.column_number.max(0) + 1)
    } else {
        file.to_owned()
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum ProfileView {
    #[default]
    BottomUp,
    TopDown,
    Chart,
}

impl ProfileView {
    pub const ALL: [ProfileView; 3] = [ProfileView::BottomUp, ProfileView::TopDown, ProfileView::Chart];

    pub fn label(self) -> &'static str {
        match self {
            ProfileView::BottomUp => "Bottom-up",
            ProfileView::TopDown => "Top-down",
            ProfileView::Chart => "Chart",
        }
    }
}

/// The open profile: its file, its reading, the view shown.
pub struct ProfileState {
    pub path: PathBuf,
    pub(crate) data: Task<Arc<ProfileData>>,
    pub view: ProfileView,
    pub(crate) filter: String,
    pub(crate) tree: TreeView,
    tree_ready: bool,
    /// The chart's zoom: the call shown as the whole width.
    pub(crate) focus: u32,
}

impl ProfileState {
    pub fn open(path: PathBuf, waker: &Waker) -> ProfileState {
        let p = path.clone();
        ProfileState {
            data: Task::spawn(waker.clone(), move |_| {
                ProfileData::read(&p)
                    .map(Arc::new)
                    .map_err(|e| crate::error::Error::invalid(format!("{}: {e}", p.display())))
            }),
            path,
            view: ProfileView::default(),
            filter: String::new(),
            tree: TreeView::new(Items::Classes(0)),
            tree_ready: false,
            focus: 0,
        }
    }

    pub fn data(&self) -> Option<&Arc<ProfileData>> {
        self.data.value()
    }

    pub fn busy(&self) -> bool {
        !self.data.is_done()
    }

    pub fn title(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// Whether a file is a sampling heap profile rather than a snapshot: by its name, or by its
/// first key.
pub fn is_heap_profile(path: &std::path::Path) -> bool {
    let name = path.to_string_lossy();
    if name.ends_with(".heapprofile") || name.ends_with(".heapprofile.gz") {
        return true;
    }
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    head[..n].trim_ascii_start().starts_with(b"{\"head\"")
}

pub fn show(ui: &mut Ui, st: &mut ProfileState) {
    let title = st.title();
    let Some(data) = widgets::task_value(ui, &st.data, format!("Reading {title}…")).cloned() else {
        return;
    };
    if !std::mem::replace(&mut st.tree_ready, true) {
        st.tree = TreeView::new(Items::Classes(data.calls[0].children.len()));
    }
    ui.horizontal(|ui| {
        ui.heading(format!("Sampling heap profile: {title}"));
    });
    ui.label(
        RichText::new(format!(
            "{} sampled in {} allocations, {} functions. Sizes are estimates from samples: about one \
             allocation per sampling interval is recorded with its stack.",
            bytes(data.total),
            thousands(data.samples as u64),
            thousands(data.functions.len() as u64)
        ))
        .weak(),
    );
    ui.horizontal(|ui| {
        for v in ProfileView::ALL {
            if ui
                .selectable_label(st.view == v, RichText::new(v.label()).strong())
                .clicked()
            {
                st.view = v;
            }
        }
    });
    ui.separator();
    match st.view {
        ProfileView::BottomUp => bottom_up(ui, st, &data),
        ProfileView::TopDown => {
            let model = TopDown { data: &data };
            let _: Frame = st.tree.show(ui, "profile-top-down", &model, None, None, true);
        }
        ProfileView::Chart => chart(ui, st, &data),
    }
}

fn bottom_up(ui: &mut Ui, st: &mut ProfileState, data: &ProfileData) {
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut st.filter)
                .hint_text("Filter by function or file")
                .desired_width(260.0),
        );
    });
    let needle = st.filter.trim().to_lowercase();
    // O(functions) per frame (a profile's functions, hundreds, not the heap's objects); the rows
    // themselves are virtualized.
    let rows: Vec<&FunctionRow> = data
        .functions
        .iter()
        .filter(|r| {
            needle.is_empty()
                || r.frame.function_name.to_lowercase().contains(&needle)
                || r.frame.url.to_lowercase().contains(&needle)
        })
        .collect();
    let total = data.total;
    tree_table(ui, "profile-bottom-up")
        .column(name_column())
        .column(number_column(SIZE_WIDTH))
        .column(number_column(SIZE_WIDTH))
        .header(ROW_HEIGHT, |h| header(h, &["Function", "Self Size", "Total Size"]))
        .body(|body| {
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let r = rows[row.index()];
                row.col(|ui| {
                    function_cell(ui, &r.frame);
                });
                row.col(|ui| size_cell(ui, r.self_size, total));
                row.col(|ui| size_cell(ui, r.total_size, total));
            });
        });
}

fn function_cell(ui: &mut Ui, f: &CallFrame) {
    let name = if f.function_name.is_empty() {
        "(anonymous)"
    } else {
        f.function_name.as_str()
    };
    let mut parts = vec![RichText::new(preview(name, 80))];
    if let Some(at) = where_of(f) {
        parts.push(RichText::new(at).weak());
    }
    let job = widgets::job(ui, parts);
    let full = if f.url.is_empty() {
        name.to_owned()
    } else {
        format!("{name}\n{}", f.url)
    };
    widgets::truncated(ui, job, None, false, Sense::hover()).on_hover_text(full);
}

struct TopDown<'a> {
    data: &'a ProfileData,
}

impl TopDown<'_> {
    fn call(&self, tree: &Tree, level: u32, index: u32) -> Option<u32> {
        let mut c = 0u32;
        for i in tree.index_path(level, index) {
            c = *self.data.calls[c as usize].children.get(i as usize)?;
        }
        Some(c)
    }
}

impl TreeModel for TopDown<'_> {
    fn numbers(&self) -> &[f32] {
        &[SIZE_WIDTH, SIZE_WIDTH]
    }

    fn header(&self) -> Header<'_> {
        Header::Plain(&["Function", "Self Size", "Total Size"])
    }

    fn node(&self, _: &Tree, _: Row) -> Option<NodeId> {
        None
    }

    fn click_selects(&self) -> bool {
        false
    }

    fn item(&self, row: &mut TableRow<'_, '_>, tree: &Tree, item: Item, actions: &mut Vec<Action>) {
        let Some(k) = self.call(tree, item.level, item.index) else {
            return;
        };
        let c = &self.data.calls[k as usize];
        let f = &self.data.frames[c.frame as usize];
        name_cell(row, tree, item, !c.children.is_empty(), actions, |ui| {
            function_cell(ui, f)
        });
        row.col(|ui| size_cell(ui, c.self_size, self.data.total));
        row.col(|ui| size_cell(ui, c.total, self.data.total));
    }

    fn children(&self, tree: &Tree, level: u32, index: u32) -> Option<Items> {
        let k = self.call(tree, level, index)?;
        let n = self.data.calls[k as usize].children.len();
        (n > 0).then_some(Items::Classes(n))
    }
}

/// Height of one row of the chart.
const BAR: f32 = 18.0;

fn is_users(f: &CallFrame) -> bool {
    !f.url.is_empty() && !f.url.starts_with("node:")
}

/// A colour per script, stable between frames: the user's code warm, Node's and V8's grey.
fn colour(ui: &Ui, f: &CallFrame) -> Color32 {
    if !is_users(f) {
        return if ui.visuals().dark_mode {
            Color32::from_gray(80)
        } else {
            Color32::from_gray(200)
        };
    }
    let h = f
        .url
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
    let hue = 0.02 + (h % 100) as f32 / 100.0 * 0.14;
    let (s, v) = if ui.visuals().dark_mode {
        (0.6, 0.75)
    } else {
        (0.55, 0.95)
    };
    egui::ecolor::Hsva::new(hue, s, v, 1.0).into()
}

/// The call tree as an icicle chart: a call's width is the bytes allocated under it, its
/// callees below it; a click zooms into a call.
fn chart(ui: &mut Ui, st: &mut ProfileState, data: &ProfileData) {
    let focus = st.focus.min(data.calls.len() as u32 - 1);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(focus != 0, egui::Button::new("⟲ Whole profile"))
            .clicked()
        {
            st.focus = 0;
        }
        let f = &data.frames[data.calls[focus as usize].frame as usize];
        ui.label(
            RichText::new(if focus == 0 {
                "Width: bytes allocated in a call and what it called. Click a call to zoom into it.".to_owned()
            } else {
                format!(
                    "Zoomed into {} ({})",
                    frame_label(f),
                    bytes(data.calls[focus as usize].total)
                )
            })
            .weak(),
        );
    });
    let base = data.calls[focus as usize].depth;
    let height = (data.max_depth - base + 1) as f32 * BAR;
    egui::ScrollArea::both().auto_shrink([false, false]).show(ui, |ui| {
        let width = ui.available_width().max(200.0);
        let (rect, resp) = ui.allocate_exact_size(egui::vec2(width, height), Sense::click());
        let painter = ui.painter_at(rect);
        let whole = data.calls[focus as usize].total.max(1.0);
        let scale = width as f64 / whole;
        let pointer = resp.hover_pos();
        let mut hovered: Option<u32> = None;
        let text = egui::TextStyle::Small.resolve(ui.style());
        let ink = ui.visuals().strong_text_color();
        let clip = ui.clip_rect();
        // (call, left edge)
        let mut stack: Vec<(u32, f64)> = vec![(focus, 0.0)];
        while let Some((k, x)) = stack.pop() {
            let c = &data.calls[k as usize];
            let w = c.total * scale;
            if w < 0.5 {
                continue;
            }
            let top = rect.top() + (c.depth - base) as f32 * BAR;
            let r = egui::Rect::from_min_size(
                egui::pos2(rect.left() + x as f32, top),
                egui::vec2((w as f32 - 1.0).max(0.5), BAR - 1.0),
            );
            if r.intersects(clip) {
                let f = &data.frames[c.frame as usize];
                let fill = colour(ui, f);
                painter.rect_filled(r, 2.0, fill);
                if r.width() > 36.0 {
                    // Dark text on the user's warm bars, the theme's on grey ones.
                    let ink = if is_users(f) { Color32::from_gray(20) } else { ink };
                    let galley = ui.painter().layout_no_wrap(frame_label(f), text.clone(), ink);
                    painter.with_clip_rect(r.shrink2(egui::vec2(3.0, 0.0))).galley(
                        r.min + egui::vec2(3.0, 2.0),
                        galley,
                        ink,
                    );
                }
                if pointer.is_some_and(|p| r.contains(p)) {
                    hovered = Some(k);
                }
            }
            let mut cx = x;
            for &ch in &c.children {
                stack.push((ch, cx));
                cx += data.calls[ch as usize].total * scale;
            }
        }
        if let Some(k) = hovered {
            let c = &data.calls[k as usize];
            let f = &data.frames[c.frame as usize];
            let tip = format!(
                "{}\n{}Self: {}  ·  Total: {} ({})",
                frame_label(f),
                if f.url.is_empty() {
                    String::new()
                } else {
                    format!("{}\n", f.url)
                },
                bytes(c.self_size),
                bytes(c.total),
                crate::text::percent(c.total, data.total)
            );
            let resp = resp.on_hover_text_at_pointer(tip);
            if resp.clicked() {
                st.focus = k;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_tree_sums_every_call_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.heapprofile");
        let f = |name: &str| {
            format!(
                r#"{{"functionName":"{name}","scriptId":"1","url":"file:///a.js","lineNumber":1,"columnNumber":2}}"#
            )
        };
        let text = format!(
            r#"{{"head":{{"callFrame":{},"selfSize":0,"children":[{{"callFrame":{},"selfSize":10,"children":[{{"callFrame":{},"selfSize":5,"children":[]}}]}},{{"callFrame":{},"selfSize":30,"children":[]}}]}},"samples":[]}}"#,
            f("(root)"),
            f("a"),
            f("b"),
            f("c")
        );
        std::fs::write(&path, text).unwrap();
        let d = ProfileData::read(&path).unwrap();
        assert_eq!(d.calls[0].total, 45.0);
        // Heaviest first: c (30) before a (15).
        let first = d.calls[0].children[0] as usize;
        assert_eq!(d.frames[d.calls[first].frame as usize].function_name, "c");
        assert_eq!(d.max_depth, 2);
        assert_eq!(frame_label(&d.frames[1]), "a (a.js:2:3)");
    }
}
