//! Figures written by `plot`, `scatter`, `hist` and `heatmap`, read back:
//! PNG files decoded (size, and the series' colors where their data lie),
//! SVG files parsed (size, one path per piece of line, one circle per point,
//! one rectangle per bar or cell, the legend's labels).

mod common;

use common::Captured;
use nest::backend::Backend;
use nest::plot::{colormap, series_color, Rgb, COLORBAR_WIDTH};
use nest::Session;
use std::path::{Path, PathBuf};

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("plots-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("a scratch directory");
    d
}

/// Runs `source` as `dir/main.nest` (so figures are written into `dir`).
fn run_in(dir: &Path, source: &str, backend: Backend) -> Result<(), String> {
    let path = dir.join("main.nest");
    std::fs::write(&path, source).expect("the program is written");
    let mut session = Session::new(Box::new(Captured::default()));
    session.set_backend(backend);
    session.run_file(&path).map_err(|d| session.render(&d))
}

/// Runs `source` on the interpreter in a scratch directory, which it returns.
fn run(name: &str, source: &str) -> PathBuf {
    let dir = scratch(name);
    if let Err(e) = run_in(&dir, source, Backend::Interp) {
        panic!("{name}: the program failed:\n{e}");
    }
    dir
}

/// A decoded RGB image.
struct Image {
    w: usize,
    h: usize,
    rgb: Vec<u8>,
}

impl Image {
    fn read(path: &Path) -> Image {
        let bytes = std::fs::read(path).expect("the PNG file exists");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("a PNG header");
        let mut rgb = vec![0; reader.output_buffer_size().expect("a buffer size")];
        let info = reader.next_frame(&mut rgb).expect("PNG data");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        rgb.truncate(info.buffer_size());
        let (w, h) = (info.width as usize, info.height as usize);
        Image { w, h, rgb }
    }

    fn at(&self, x: usize, y: usize) -> Rgb {
        let i = (y * self.w + x) * 3;
        (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }

    /// The pixels of exactly color `c`, left of column `right`.
    fn pixels(&self, c: Rgb, right: usize) -> Vec<(usize, usize)> {
        let mut out = vec![];
        for y in 0..self.h {
            for x in 0..right.min(self.w) {
                if self.at(x, y) == c {
                    out.push((x, y));
                }
            }
        }
        out
    }
}

/// The smallest box `(x0, y0, x1, y1)` holding the pixels.
fn bbox(p: &[(usize, usize)]) -> (usize, usize, usize, usize) {
    assert!(!p.is_empty(), "no pixel of the color");
    let x0 = p.iter().map(|q| q.0).min().unwrap_or(0);
    let x1 = p.iter().map(|q| q.0).max().unwrap_or(0);
    let y0 = p.iter().map(|q| q.1).min().unwrap_or(0);
    let y1 = p.iter().map(|q| q.1).max().unwrap_or(0);
    (x0, y0, x1, y1)
}

/// The mean row of the pixels in column `x`.
fn row_at(p: &[(usize, usize)], x: usize) -> f64 {
    let rows: Vec<f64> = p.iter().filter(|q| q.0 == x).map(|q| q.1 as f64).collect();
    assert!(!rows.is_empty(), "no pixel in column {x}");
    rows.iter().sum::<f64>() / rows.len() as f64
}

/// The runs of consecutive columns that hold pixels.
fn column_runs(p: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut cols: Vec<usize> = p.iter().map(|q| q.0).collect();
    cols.sort_unstable();
    cols.dedup();
    let mut runs: Vec<(usize, usize)> = vec![];
    for c in cols {
        match runs.last_mut() {
            Some(r) if r.1 + 1 == c => r.1 = c,
            _ => runs.push((c, c)),
        }
    }
    runs
}

fn hex(c: Rgb) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// The SVG document's elements named `tag`.
fn svg_elements(text: &str, tag: &str) -> Vec<(String, Vec<(String, String)>)> {
    let doc = roxmltree::Document::parse(text).expect("the SVG file is XML");
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .map(|n| {
            let attrs = n
                .attributes()
                .map(|a| (a.name().to_string(), a.value().to_string()))
                .collect();
            (n.text().unwrap_or("").trim().to_string(), attrs)
        })
        .collect()
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> &'a str {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

fn read_svg(path: &Path) -> String {
    std::fs::read_to_string(path).expect("the SVG file exists")
}

/// The elements `tag` whose `key` attribute is `value`.
fn count_with(svg: &str, tag: &str, key: &str, value: &str) -> usize {
    svg_elements(svg, tag)
        .iter()
        .filter(|(_, a)| attr(a, key) == value)
        .count()
}

#[test]
fn a_line_passes_through_its_points() {
    // y = x² for x = 0..10: the line spans the colored box, and at the
    // middle column (x = 5) it is a quarter of the way up.
    let dir = run(
        "square",
        "let x = linspace(0.0, 10.0, 101);\nplot(\"l.png\", (x, x * x), width = 400, height = 300);\n",
    );
    let img = Image::read(&dir.join("l.png"));
    assert_eq!((img.w, img.h), (400, 300));
    let p = img.pixels(series_color(0), img.w);
    let (x0, y0, x1, y1) = bbox(&p);
    assert!(x1 - x0 > 250 && y1 - y0 > 180, "the line spans the axes");
    let (bottom, top) = (row_at(&p, x0 + 1), row_at(&p, x1 - 1));
    assert!(bottom > top + 150.0, "y grows upwards");
    let mid = row_at(&p, (x0 + x1) / 2);
    let expected = bottom - 0.25 * (bottom - top);
    assert!(
        (mid - expected).abs() < 3.0,
        "row {mid} at x = 5, expected {expected}"
    );
}

#[test]
fn a_log_axis_maps_powers_evenly() {
    // y = 10^(x/5), x = 0..10: a straight line on a log y axis (the middle
    // column halfway up), a curve near the bottom on a linear one.
    let source = |logy: bool| {
        format!(
            "let x = linspace(0.0, 10.0, 101);\n\
             plot(\"l.png\", (x, exp(x / 5.0 * log(10.0))), logy = {logy}, width = 400, height = 300);\n"
        )
    };
    for (logy, fraction) in [(true, 0.5), (false, 9.0 / 99.0)] {
        let dir = run(&format!("log{logy}"), &source(logy));
        let img = Image::read(&dir.join("l.png"));
        let p = img.pixels(series_color(0), img.w);
        let (x0, _, x1, _) = bbox(&p);
        let (bottom, top) = (row_at(&p, x0 + 1), row_at(&p, x1 - 1));
        let mid = row_at(&p, (x0 + x1) / 2);
        let expected = bottom - fraction * (bottom - top);
        assert!(
            (mid - expected).abs() < 3.0,
            "logy = {logy}: row {mid}, expected {expected}"
        );
    }
}

#[test]
fn nan_leaves_a_gap() {
    // ones with a NaN at index 5: two pieces of line, on both formats.
    let source = "let y = where(arange(11) == 5, 0.0 / 0.0, ones([11]));\n\
                  plot(\"g.png\", y, width = 400, height = 300);\n\
                  plot(\"g.svg\", y, width = 400, height = 300);\n\
                  plot(\"whole.svg\", ones([11]));\n";
    let dir = run("gap", source);
    let img = Image::read(&dir.join("g.png"));
    let runs = column_runs(&img.pixels(series_color(0), img.w));
    assert_eq!(runs.len(), 2, "two pieces of line: {runs:?}");
    let gap = runs[1].0 - runs[0].1;
    let span = runs[1].1 - runs[0].0;
    // Points 4 and 6 are a fifth of the way apart.
    assert!((gap as f64 / span as f64 - 0.2).abs() < 0.02, "{runs:?}");
    let color = hex(series_color(0));
    let svg = read_svg(&dir.join("g.svg"));
    assert_eq!(count_with(&svg, "polyline", "stroke", &color), 2);
    let whole = read_svg(&dir.join("whole.svg"));
    assert_eq!(count_with(&whole, "polyline", "stroke", &color), 1);
}

#[test]
fn a_lone_point_between_gaps_is_a_dot() {
    let dir = run(
        "dot",
        "let y = where(arange(5) == 2, 1.0, 0.0 / 0.0);\nplot(\"d.svg\", y);\n",
    );
    let svg = read_svg(&dir.join("d.svg"));
    let color = hex(series_color(0));
    assert_eq!(count_with(&svg, "polyline", "stroke", &color), 0);
    assert_eq!(count_with(&svg, "circle", "fill", &color), 1);
}

#[test]
fn a_record_of_series_has_a_legend() {
    let source = "let t = arange(10);\n\
                  plot(\"r.svg\", {train: exp(-t), val: (t * 2.0, exp(-t / 2.0)), more: {a: t, b: t + 1.0}},\n\
                       title = \"Loss <per> round\", xlabel = \"round\", ylabel = \"loss\", logy = true,\n\
                       width = 500, height = 350);\n";
    let dir = run("legend", source);
    let svg = read_svg(&dir.join("r.svg"));
    let root = svg_elements(&svg, "svg");
    assert_eq!(attr(&root[0].1, "width"), "500");
    assert_eq!(attr(&root[0].1, "height"), "350");
    for i in 0..4 {
        let color = hex(series_color(i));
        // `more.a` starts at 0, which a log axis leaves out: still one piece.
        assert_eq!(
            count_with(&svg, "polyline", "stroke", &color),
            1,
            "series {i}"
        );
    }
    let texts: Vec<String> = svg_elements(&svg, "text")
        .into_iter()
        .map(|t| t.0)
        .collect();
    for label in [
        "train",
        "val",
        "more.a",
        "more.b",
        "Loss <per> round",
        "round",
        "loss",
    ] {
        assert!(
            texts.iter().any(|t| t == label),
            "no text {label:?} in {texts:?}"
        );
    }
}

#[test]
fn scatter_draws_a_marker_per_point() {
    // Points (0, 0), (1, 1), (2, 4), (3, 9) and one with NaN, left out.
    let source = "let x = stack([0.0, 1.0, 2.0, 3.0, 4.0]);\n\
                  let y = stack([0.0, 1.0, 4.0, 9.0, 0.0 / 0.0]);\n\
                  scatter(\"s.png\", (x, y), width = 400, height = 300);\n\
                  scatter(\"s.svg\", {a: (x, y), b: (y, x)});\n";
    let dir = run("scatter", source);
    let svg = read_svg(&dir.join("s.svg"));
    assert_eq!(count_with(&svg, "circle", "fill", &hex(series_color(0))), 4);
    assert_eq!(count_with(&svg, "circle", "fill", &hex(series_color(1))), 4);
    let texts: Vec<String> = svg_elements(&svg, "text")
        .into_iter()
        .map(|t| t.0)
        .collect();
    assert!(texts.iter().any(|t| t == "a") && texts.iter().any(|t| t == "b"));
    let img = Image::read(&dir.join("s.png"));
    let p = img.pixels(series_color(0), img.w);
    let runs = column_runs(&p);
    assert_eq!(runs.len(), 4, "four markers: {runs:?}");
    let (_, y0, _, y1) = bbox(&p);
    // Marker k's center, from the bottom of the box, is y_k / 9 of the way up.
    for (run, y) in runs.iter().zip([0.0, 1.0, 4.0, 9.0]) {
        let x = (run.0 + run.1) / 2;
        let up = (y1 as f64 - row_at(&p, x)) / (y1 - y0) as f64;
        let expected = y / 9.0;
        assert!(
            (up - expected).abs() < 0.03,
            "marker at {y}: {up} of the way up"
        );
    }
}

#[test]
fn hist_bars_are_as_high_as_their_counts() {
    // Counts [3, 2, 1], as numpy.histogram([0, 0, 0, 1, 1, 2], bins = 3).
    let source = "let v = stack([0.0, 0.0, 0.0, 1.0, 1.0, 2.0]);\n\
                  hist(\"h.png\", v, bins = 3, width = 400, height = 300);\n\
                  hist(\"h.svg\", reshape(v, [2, 3]), bins = 3);\n\
                  hist(\"two.svg\", {a: v, b: v + 5.0}, bins = 4);\n";
    let dir = run("hist", source);
    let img = Image::read(&dir.join("h.png"));
    let p = img.pixels(series_color(0), img.w);
    let runs = column_runs(&p);
    assert_eq!(runs.len(), 3, "three bars: {runs:?}");
    let (_, _, _, bottom) = bbox(&p);
    let heights: Vec<f64> = runs
        .iter()
        .map(|r| {
            let x = (r.0 + r.1) / 2;
            let top = p
                .iter()
                .filter(|q| q.0 == x)
                .map(|q| q.1)
                .min()
                .unwrap_or(0);
            (bottom - top) as f64
        })
        .collect();
    assert!(
        (heights[1] / heights[0] - 2.0 / 3.0).abs() < 0.02,
        "{heights:?}"
    );
    assert!(
        (heights[2] / heights[0] - 1.0 / 3.0).abs() < 0.02,
        "{heights:?}"
    );
    let svg = read_svg(&dir.join("h.svg"));
    assert_eq!(count_with(&svg, "rect", "fill", &hex(series_color(0))), 3);
    // Two series share 4 bins over [0, 7]: a's values fill 2 bins, b's 2;
    // each also has its legend marker.
    let two = read_svg(&dir.join("two.svg"));
    let bars = |c: Rgb| {
        svg_elements(&two, "rect")
            .iter()
            .filter(|(_, a)| attr(a, "fill") == hex(c) && attr(a, "opacity") == "0.5")
            .count()
    };
    assert_eq!(
        (bars(series_color(0)), bars(series_color(1))),
        (2 + 1, 2 + 1)
    );
}

#[test]
fn heatmap_colors_cells_by_value() {
    // z[i, j] at (x[j], y[i]): 0 bottom left, 1 bottom right, 2 top left,
    // NaN (blank) top right; x on a log axis.
    let source = "let z = stack([stack([0.0, 1.0]), stack([2.0, 0.0 / 0.0])]);\n\
                  let x = stack([0.01, 1.0]);\n\
                  heatmap(\"m.png\", z, x = x, y = stack([3.0, 4.0]), logx = true, width = 400, height = 300);\n\
                  heatmap(\"m.svg\", z, x = x, logx = true);\n";
    let dir = run("heatmap", source);
    let img = Image::read(&dir.join("m.png"));
    let left = img.w - COLORBAR_WIDTH as usize;
    let cell = |v: f64| bbox(&img.pixels(colormap(v / 2.0), left));
    let (a, b, c) = (cell(0.0), cell(1.0), cell(2.0));
    let center = |r: (usize, usize, usize, usize)| ((r.0 + r.2) / 2, (r.1 + r.3) / 2);
    let (ca, cb, cc) = (center(a), center(b), center(c));
    assert!(
        cb.0 > ca.0 + 100 && (cb.1 as i64 - ca.1 as i64).abs() < 2,
        "1 is right of 0"
    );
    assert!(
        cc.1 + 80 < ca.1 && (cc.0 as i64 - ca.0 as i64).abs() < 2,
        "2 is above 0"
    );
    // The cells are equally wide on the log axis (0.01 and 1 are two decades apart).
    assert!(
        ((a.2 - a.0) as i64 - (b.2 - b.0) as i64).abs() <= 2,
        "{a:?} {b:?}"
    );
    // The NaN cell is left blank.
    assert_eq!(img.at(cb.0, cc.1), (255, 255, 255));
    let svg = read_svg(&dir.join("m.svg"));
    let cells = svg_elements(&svg, "rect")
        .into_iter()
        .filter(|(_, a)| {
            let x: f64 = attr(a, "x").parse().unwrap_or(f64::MAX);
            x < (640 - COLORBAR_WIDTH) as f64
                && [0.0, 0.5, 1.0]
                    .iter()
                    .any(|&t| attr(a, "fill") == hex(colormap(t)))
        })
        .count();
    assert_eq!(cells, 3);
}

#[test]
fn every_kind_is_written_in_both_formats() {
    let mut source = String::from("let v = linspace(1.0, 2.0, 6);\nlet z = reshape(v, [2, 3]);\n");
    for ext in ["png", "svg", "PNG"] {
        source += &format!(
            "plot(\"p.{ext}\", v, width = 300, height = 200);\n\
             scatter(\"s.{ext}\", (v, v), width = 300, height = 200);\n\
             hist(\"h.{ext}\", v, width = 300, height = 200);\n\
             heatmap(\"m.{ext}\", z, width = 300, height = 200);\n"
        );
    }
    let dir = run("kinds", &source);
    for name in ["p", "s", "h", "m"] {
        for ext in ["png", "PNG"] {
            let img = Image::read(&dir.join(format!("{name}.{ext}")));
            assert_eq!((img.w, img.h), (300, 200), "{name}.{ext}");
        }
        let svg = read_svg(&dir.join(format!("{name}.svg")));
        let root = svg_elements(&svg, "svg");
        assert_eq!(
            (attr(&root[0].1, "width"), attr(&root[0].1, "height")),
            ("300", "200")
        );
    }
}

#[test]
fn figures_of_compiled_results_match_the_interpreter() {
    // A host loop gathering values computed by a compiled function: exact
    // numbers, so both backends draw the same pixels.
    let source = "fn f(k) { k * k - 3.0 * k }\n\
                  var h = zeros([0]);\n\
                  for k in 0..8 { h = concat([h, stack([f(cast(k, f32))])]); }\n\
                  plot(\"c.png\", {h: h});\n";
    let reference = run("compiled-interp", source);
    let Some(xla) = common::xla() else { return };
    let dir = scratch("compiled-xla");
    run_in(&dir, source, xla).expect("runs on XLA");
    let a = std::fs::read(reference.join("c.png")).expect("written");
    let b = std::fs::read(dir.join("c.png")).expect("written");
    assert!(a == b, "the two backends' figures differ");
}

#[test]
fn a_failed_figure_leaves_the_old_file() {
    let dir = scratch("keep");
    std::fs::write(dir.join("k.png"), b"old").expect("written");
    let e = run_in(
        &dir,
        "plot(\"k.png\", (ones([3]), ones([2])));\n",
        Backend::Interp,
    )
    .expect_err("lengths differ");
    assert!(e.contains("has 3 x values and 2 y values"), "{e}");
    assert_eq!(std::fs::read(dir.join("k.png")).expect("kept"), b"old");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("k.png"), dir.join("link.svg")).expect("a link");
        let e = run_in(&dir, "plot(\"link.svg\", ones([3]));\n", Backend::Interp)
            .expect_err("a link is not replaced");
        assert!(e.contains("a symbolic link"), "{e}");
        assert_eq!(std::fs::read(dir.join("k.png")).expect("kept"), b"old");
    }
}

#[test]
fn check_finds_shape_errors_and_writes_nothing() {
    let dir = scratch("check");
    let path = dir.join("main.nest");
    let mut session = Session::new(Box::new(Captured::default()));
    std::fs::write(&path, "plot(\"ok.png\", ones([3]));\n").expect("written");
    session.check_file(&path).expect("checks");
    assert!(!dir.join("ok.png").exists(), "check writes no figure");
    // A history gathered in a host loop has two entries in `check`, not 10:
    // lengths are left to `run`.
    let history = "var h = zeros([0]);\nfor i in 0..10 { h = concat([h, stack([cast(i, f32)])]); }\n\
                   plot(\"h.png\", (arange(10), h));\nheatmap(\"m.png\", ones([2, 5]), x = h[:5] + 1.0);\n";
    std::fs::write(&path, history).expect("written");
    let mut session = Session::new(Box::new(Captured::default()));
    session
        .check_file(&path)
        .map_err(|d| session.render(&d))
        .expect("checks");
    std::fs::write(&path, "heatmap(\"bad.png\", ones([3]));\n").expect("written");
    let mut session = Session::new(Box::new(Captured::default()));
    let e = session.check_file(&path).expect_err("z is not 2-D");
    assert!(session.render(&e).contains("expects a 2-D array z"));
}

#[test]
fn main_may_write_figures() {
    let dir = run(
        "main",
        "fn losses() { exp(-arange(5)) }\nfn main() { plot(\"m.svg\", {loss: losses()}); }\n",
    );
    let svg = read_svg(&dir.join("m.svg"));
    assert_eq!(
        count_with(&svg, "polyline", "stroke", &hex(series_color(0))),
        1
    );
}

#[test]
fn the_examples_that_draw_pass_check() {
    // `nest check` of an example whose curve is gathered in a host loop.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for name in ["quickstart", "mlp", "ift_weight_decay"] {
        let mut session = Session::new(Box::new(Captured::default()));
        if let Err(d) = session.check_file(&dir.join(format!("{name}.nest"))) {
            panic!("{name}: {}", session.render(&d));
        }
    }
}
