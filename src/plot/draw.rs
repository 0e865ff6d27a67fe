//! Drawing a [`Figure`] with `plotters`, on any of its backends.
//!
//! Data are drawn so that a file can be read back: each piece of a line is
//! one path (an SVG `<polyline>`), each scatter point one circle, each bar
//! and heatmap cell one rectangle; legend markers are rectangles, so that
//! paths and circles are data only.

use super::axis::Axis;
use super::data::{self, cell_edges, colormap, finite_range, histogram, pieces, series_color};
use super::{Figure, Kind, Options, Series, Values, COLORBAR_WIDTH, FONT};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

type Area<DB> = DrawingArea<DB, Shift>;
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;
type Result<T> = std::result::Result<T, String>;

/// A drawing failure as a message.
pub fn failed(e: impl std::fmt::Display) -> String {
    format!("cannot draw the figure: {e}")
}

pub fn figure<DB: DrawingBackend>(root: &Area<DB>, fig: &Figure) -> Result<()> {
    root.fill(&WHITE).map_err(failed)?;
    let o = &fig.options;
    match &fig.kind {
        Kind::Lines(series) => lines(root, o, series, false),
        Kind::Scatter(series) => lines(root, o, series, true),
        Kind::Hist { series, bins } => hist(root, o, series, *bins),
        Kind::Heatmap { z, x, y } => heatmap(root, o, z, x, y),
    }
}

fn rgb(c: data::Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// Axes with a light grid, tick labels, the title and the axis labels.
fn chart<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    o: &Options,
    x: Axis,
    y: Axis,
    grid: bool,
) -> Result<Chart<'a, DB>> {
    let mut b = ChartBuilder::on(area);
    b.margin(12)
        .x_label_area_size(if o.xlabel.is_some() { 48 } else { 30 })
        .y_label_area_size(if o.ylabel.is_some() { 76 } else { 56 });
    if let Some(t) = &o.title {
        b.caption(t, (FONT, 20));
    }
    let mut c = b.build_cartesian_2d(x, y).map_err(failed)?;
    let mut mesh = c.configure_mesh();
    mesh.label_style((FONT, 13))
        .axis_desc_style((FONT, 15))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .x_labels(8)
        .y_labels(10);
    if !grid {
        mesh.disable_mesh();
    }
    if let Some(l) = &o.xlabel {
        mesh.x_desc(l);
    }
    if let Some(l) = &o.ylabel {
        mesh.y_desc(l);
    }
    mesh.draw().map_err(failed)?;
    Ok(c)
}

/// The legend, when some series has a label.
fn legend<'a, DB: DrawingBackend + 'a>(c: &mut Chart<'a, DB>, labelled: bool) -> Result<()> {
    if !labelled {
        return Ok(());
    }
    c.configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, 13))
        .border_style(RGBColor(160, 160, 160))
        .background_style(WHITE.mix(0.85))
        .draw()
        .map_err(failed)
}

/// A line plot, or a scatter plot when `markers`.
fn lines<DB: DrawingBackend>(
    area: &Area<DB>,
    o: &Options,
    s: &[Series],
    markers: bool,
) -> Result<()> {
    let xs = s.iter().flat_map(|s| s.x.iter().copied());
    let ys = s.iter().flat_map(|s| s.y.iter().copied());
    let (x, y) = (Axis::fit(xs, o.logx, 0.03), Axis::fit(ys, o.logy, 0.05));
    let mut c = chart(area, o, x, y, true)?;
    for (i, series) in s.iter().enumerate() {
        let color = rgb(series_color(i));
        let runs = pieces(&series.x, &series.y, o.logx, o.logy);
        let anno = if markers {
            let points = runs.into_iter().flatten();
            c.draw_series(points.map(|p| Circle::new(p, 3, color.filled())))
        } else {
            // A piece of one point has no line: a dot shows it.
            let (single, long): (Vec<_>, Vec<_>) = runs.into_iter().partition(|r| r.len() == 1);
            let dots = single.into_iter().flatten();
            c.draw_series(dots.map(|p| Circle::new(p, 2, color.filled())))
                .map_err(failed)?;
            c.draw_series(
                long.into_iter()
                    .map(|r| PathElement::new(r, color.stroke_width(2))),
            )
        }
        .map_err(failed)?;
        if let Some(label) = &series.label {
            let (h, w) = if markers { (4, 8) } else { (1, 18) };
            anno.label(label)
                .legend(move |(x, y)| Rectangle::new([(x, y - h), (x + w, y + h)], color.filled()));
        }
    }
    legend(&mut c, s.iter().any(|s| s.label.is_some()))
}

/// Bars of counts per bin, one color per series (translucent when several overlap).
fn hist<DB: DrawingBackend>(area: &Area<DB>, o: &Options, s: &[Values], bins: usize) -> Result<()> {
    let values: Vec<Vec<f64>> = s.iter().map(|v| v.values.clone()).collect();
    let b = histogram(&values, bins, o.logx);
    let most = b.counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let (first, last) = (b.edges[0], b.edges[b.edges.len() - 1]);
    let x = Axis::fit([first, last].into_iter(), o.logx, 0.03);
    let y = if o.logy {
        Axis {
            lo: 0.5,
            hi: most * 2.0,
            log: true,
        }
    } else {
        Axis {
            lo: 0.0,
            hi: most * 1.05,
            log: false,
        }
    };
    let mut c = chart(area, o, x, y, true)?;
    let alpha = if s.len() > 1 { 0.5 } else { 1.0 };
    for (i, (series, counts)) in s.iter().zip(&b.counts).enumerate() {
        let color = rgb(series_color(i));
        let bars = counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(k, &n)| {
                let (l, r) = inset(b.edges[k], b.edges[k + 1], o.logx);
                Rectangle::new([(l, y.lo), (r, n as f64)], color.mix(alpha).filled())
            });
        let anno = c.draw_series(bars).map_err(failed)?;
        if let Some(label) = &series.label {
            anno.label(label).legend(move |(x, y)| {
                Rectangle::new([(x, y - 4), (x + 8, y + 4)], color.mix(alpha).filled())
            });
        }
    }
    legend(&mut c, s.iter().any(|v| v.label.is_some()))
}

/// A bar from `l` to `r` with a small gap on each side, so that neighbours
/// stay apart (by 2% of the bin, in logarithm on a log axis).
fn inset(l: f64, r: f64, log: bool) -> (f64, f64) {
    if log {
        let d = (r / l).powf(0.02);
        (l * d, r / d)
    } else {
        let d = (r - l) * 0.02;
        (l + d, r - d)
    }
}

/// Cells colored by value, with a color scale at the right.
fn heatmap<DB: DrawingBackend>(
    area: &Area<DB>,
    o: &Options,
    z: &[f64],
    xc: &[f64],
    yc: &[f64],
) -> Result<()> {
    let (ex, ey) = (cell_edges(xc, o.logx), cell_edges(yc, o.logy));
    let (w, h) = area.dim_in_pixel();
    let (main, bar) = area.split_horizontally(w.saturating_sub(COLORBAR_WIDTH));
    let mut c = chart(
        &main,
        o,
        spanning(&ex, o.logx),
        spanning(&ey, o.logy),
        false,
    )?;
    let (lo, hi) = finite_range(z);
    let n = xc.len();
    let cells = z
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(k, &v)| {
            let (i, j) = (k / n, k % n);
            let color = rgb(colormap(unit(v, lo, hi)));
            Rectangle::new([(ex[j], ey[i]), (ex[j + 1], ey[i + 1])], color.filled())
        });
    c.draw_series(cells).map_err(failed)?;
    let (_, rows) = c.plotting_area().get_pixel_range();
    colorbar(&bar, rows, h, (lo, hi))
}

/// The axis from the first to the last of `edges`.
fn spanning(edges: &[f64], log: bool) -> Axis {
    Axis {
        lo: edges[0],
        hi: edges[edges.len() - 1],
        log,
    }
}

/// Where `v` lies from `lo` to `hi`, from 0 to 1 (½ when they are equal),
/// computed in halves so that `hi - lo` cannot overflow.
fn unit(v: f64, lo: f64, hi: f64) -> f64 {
    if hi > lo {
        (v / 2.0 - lo / 2.0) / (hi / 2.0 - lo / 2.0)
    } else {
        0.5
    }
}

/// A vertical color scale from `lo` to `hi`, its ends level with the cells
/// (pixel rows `rows` of a figure `height` high).
fn colorbar<DB: DrawingBackend>(
    area: &Area<DB>,
    rows: std::ops::Range<i32>,
    height: u32,
    (lo, hi): (f64, f64),
) -> Result<()> {
    // Equal values are shown at the middle of a scale one wide.
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let mut c = ChartBuilder::on(area)
        .margin_top(rows.start.max(0))
        .margin_bottom((height as i32 - rows.end).max(0))
        .margin_left(14)
        .set_label_area_size(LabelAreaPosition::Right, 60)
        .build_cartesian_2d(RangedCoordf64::from(0.0..1.0), Axis { lo, hi, log: false })
        .map_err(failed)?;
    c.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .label_style((FONT, 13))
        .y_labels(6)
        .draw()
        .map_err(failed)?;
    strips(&c.plotting_area().strip_coord_spec())
}

/// The colors of the scale, bottom (0) to top (1), in horizontal strips
/// laid out in pixels.
fn strips<DB: DrawingBackend>(area: &Area<DB>) -> Result<()> {
    const STEPS: i32 = 64;
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    for k in 0..STEPS {
        let (top, bottom) = (h * k / STEPS, h * (k + 1) / STEPS);
        let t = 1.0 - (k as f64 + 0.5) / STEPS as f64;
        let strip = Rectangle::new([(0, top), (w, bottom)], rgb(colormap(t)).filled());
        area.draw(&strip).map_err(failed)?;
    }
    Ok(())
}
