//! Screenshots: `--screenshot OUT.png` (open, wait for indexing, render a view, save, exit)
//! and "Save screenshot…" from the menu. PNGs are written atomically.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use image::ImageEncoder;

use super::doc::View;

/// A screenshot the user or the command line asked for, waiting for its pixels.
#[derive(Clone, Default)]
pub(crate) struct Pending {
    pub image: Arc<Mutex<Option<Arc<egui::ColorImage>>>>,
}

impl Pending {
    pub fn request(ctx: &egui::Context) -> Pending {
        let p = Pending::default();
        let slot = p.image.clone();
        let c = ctx.clone();
        ctx.request_screenshot(move |img| {
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(img);
            c.request_repaint();
        });
        ctx.request_repaint();
        p
    }

    pub fn take(&self) -> Option<Arc<egui::ColorImage>> {
        self.image.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// The `--screenshot` run: what to show and where to save it.
pub(crate) struct Plan {
    pub out: Option<PathBuf>,
    /// Export the wizard's first leak group into this folder instead of a screenshot.
    pub export: Option<PathBuf>,
    pub view: View,
    pub select: Option<crate::model::ObjectId>,
    pub(crate) stage: Stage,
    /// Consecutive frames with no background work, before capturing.
    pub(crate) quiet_frames: u32,
}

#[derive(PartialEq, Eq, Debug)]
pub(crate) enum Stage {
    Loading,
    Settling,
    Capturing,
    Exporting,
    Done,
}

/// The image as PNG bytes.
pub(crate) fn encode_png(img: &egui::ColorImage) -> Result<Vec<u8>, image::ImageError> {
    let [w, h] = img.size;
    let mut rgba = Vec::with_capacity(w * h * 4);
    for p in &img.pixels {
        rgba.extend_from_slice(&p.to_srgba_unmultiplied());
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(
        &rgba,
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgba8,
    )?;
    Ok(out)
}

/// Writes an image as PNG via a temporary file and a rename, so a reader never sees half a file.
pub(crate) fn save_png(path: &Path, img: &egui::ColorImage) -> Result<(), crate::error::FileError> {
    let write = || -> std::io::Result<()> {
        let png = encode_png(img).map_err(std::io::Error::other)?;
        crate::atomic::write(path, crate::atomic::Mode::Replace, &png)
    };
    write().map_err(|e| crate::error::Error::write("the PNG", e).in_file(path))
}

/// Whether an image is more than one flat colour (a blank capture means rendering failed).
pub(crate) fn is_blank(img: &egui::ColorImage) -> bool {
    let first = img.pixels.first().copied();
    img.pixels.iter().all(|p| Some(*p) == first)
}
