//! Figures: line plots, scatter plots, histograms and heatmaps, rendered to
//! PNG or SVG bytes (the builtins in `eval::builtins::plot` write them).
//!
//! Drawing is done by `plotters` with a font built into the binary (DejaVu
//! Sans), so rendering needs nothing installed: no system font library, no
//! Python.

mod axis;
mod data;
mod draw;

pub use axis::{format_tick, Axis};
pub use data::{colormap, series_color, Rgb};

use plotters::prelude::*;
use std::path::Path;

/// One series of a line or scatter plot: points `(x[i], y[i])`.
#[derive(Clone, Debug)]
pub struct Series {
    /// Shown in the legend; the legend is drawn when any series has one.
    pub label: Option<String>,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// The values of one series of a histogram.
#[derive(Clone, Debug)]
pub struct Values {
    pub label: Option<String>,
    pub values: Vec<f64>,
}

/// What a figure shows.
#[derive(Clone, Debug)]
pub enum Kind {
    Lines(Vec<Series>),
    Scatter(Vec<Series>),
    Hist {
        series: Vec<Values>,
        bins: usize,
    },
    /// `z` row by row: `z[i * x.len() + j]` is the cell at `(x[j], y[i])`;
    /// `x` and `y` are increasing cell centers.
    Heatmap {
        z: Vec<f64>,
        x: Vec<f64>,
        y: Vec<f64>,
    },
}

/// Options every kind of figure takes.
#[derive(Clone, Debug)]
pub struct Options {
    pub title: Option<String>,
    pub xlabel: Option<String>,
    pub ylabel: Option<String>,
    pub logx: bool,
    pub logy: bool,
    /// In pixels (PNG) or user units (SVG), within [`SIZES`].
    pub width: u32,
    pub height: u32,
}

/// The widths and heights a figure may have.
pub const SIZES: std::ops::RangeInclusive<u32> = 32..=4096;

/// The width of the color scale drawn right of a heatmap.
pub const COLORBAR_WIDTH: u32 = 90;

#[derive(Clone, Debug)]
pub struct Figure {
    pub kind: Kind,
    pub options: Options,
}

/// The file formats, chosen by a path's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// The format a path's extension names (`.png` or `.svg`, in any case).
    pub fn of_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "png" => Some(Format::Png),
            "svg" => Some(Format::Svg),
            _ => None,
        }
    }
}

/// The figure as the bytes of a file in `format`.
pub fn render(fig: &Figure, format: Format) -> Result<Vec<u8>, String> {
    register_font()?;
    let (w, h) = (fig.options.width, fig.options.height);
    if !SIZES.contains(&w) || !SIZES.contains(&h) {
        return Err(format!("a figure of {w}×{h} is outside the sizes drawn"));
    }
    match format {
        Format::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
                draw::figure(&root, fig)?;
                root.present().map_err(draw::failed)?;
            }
            Ok(text.into_bytes())
        }
        Format::Png => {
            let mut rgb = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
                draw::figure(&root, fig)?;
                root.present().map_err(draw::failed)?;
            }
            encode_png(&rgb, w, h)
        }
    }
}

/// The family name every text of a figure is drawn in.
const FONT: &str = "sans-serif";

/// Makes the built-in font the one `plotters` draws [`FONT`] with (once).
fn register_font() -> Result<(), String> {
    static DONE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| "the built-in font cannot be read".to_string())
    })
    .clone()
}

/// An 8-bit RGB image as a PNG file.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let fail = |e: png::EncodingError| format!("cannot encode the PNG image: {e}");
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(rgb).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}
