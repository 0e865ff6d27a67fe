//! The numbers behind a figure: pieces of a line between gaps, histogram
//! bins, heatmap cell edges, and the colors series and cells are drawn in.

use super::axis::shown;

/// The runs of consecutive points that can be drawn (finite, and positive
/// on a log axis): a line is drawn through each run, with a gap between runs.
pub fn pieces(x: &[f64], y: &[f64], logx: bool, logy: bool) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![];
    let mut run = vec![];
    for (&a, &b) in x.iter().zip(y) {
        if shown(a, logx) && shown(b, logy) {
            run.push((a, b));
        } else if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// Histogram bins: `edges` has one more entry than each series' `counts`.
pub struct Bins {
    pub edges: Vec<f64>,
    pub counts: Vec<Vec<usize>>,
}

/// `bins` equal bins (equal in logarithm when `log`) over the range of the
/// values of every series that can be drawn; values that cannot are not
/// counted. As NumPy's `histogram`, the last bin includes its right edge.
pub fn histogram(series: &[Vec<f64>], bins: usize, log: bool) -> Bins {
    let bins = bins.max(1);
    let shownv = || series.iter().flatten().copied().filter(|&v| shown(v, log));
    let t = |v: f64| if log { v.log10() } else { v };
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in shownv() {
        lo = lo.min(t(v));
        hi = hi.max(t(v));
    }
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    } else if lo == hi {
        (lo, hi) = (lo - 0.5, hi + 0.5);
    }
    // A bin's width, and where v falls in units of it, without computing
    // `hi - lo` or `v - lo` (which may overflow).
    let width = hi / bins as f64 - lo / bins as f64;
    let bin = |v: f64| ((t(v) / 2.0 - lo / 2.0) / (width / 2.0)).floor();
    let edges = (0..=bins)
        .map(|i| lo + width * i as f64)
        .map(|e| if log { 10f64.powf(e) } else { e })
        .collect();
    let counts = series
        .iter()
        .map(|s| {
            let mut c = vec![0; bins];
            for v in s.iter().copied().filter(|&v| shown(v, log)) {
                c[(bin(v).max(0.0) as usize).min(bins - 1)] += 1;
            }
            c
        })
        .collect();
    Bins { edges, counts }
}

/// The edges of heatmap cells centered at the increasing `centers`: halfway
/// between neighbours (in logarithm on a log axis), and as far out at the
/// ends as the neighbouring half-cell; one cell spans its center ± 0.5
/// (× or ÷ √10 on a log axis).
pub fn cell_edges(centers: &[f64], log: bool) -> Vec<f64> {
    let t: Vec<f64> = centers
        .iter()
        .map(|&c| if log { c.log10() } else { c })
        .collect();
    let n = t.len();
    let mut e = Vec::with_capacity(n + 1);
    // Halves of differences, so that no difference overflows; ends clamped
    // to finite values.
    let half = |a: f64, b: f64| b / 2.0 - a / 2.0;
    if n == 1 {
        e.extend([t[0] - 0.5, t[0] + 0.5]);
    } else {
        e.push((t[0] - half(t[0], t[1])).max(f64::MIN));
        e.extend(t.windows(2).map(|w| w[0] / 2.0 + w[1] / 2.0));
        e.push((t[n - 1] + half(t[n - 2], t[n - 1])).min(f64::MAX));
    }
    if log {
        e.iter().map(|v| 10f64.powf(*v)).collect()
    } else {
        e
    }
}

/// An RGB color.
pub type Rgb = (u8, u8, u8);

/// The color of series `i`: a qualitative palette of ten, repeated
/// (matplotlib's `tab10`).
pub fn series_color(i: usize) -> Rgb {
    const TAB10: [Rgb; 10] = [
        (31, 119, 180),
        (255, 127, 14),
        (44, 160, 44),
        (214, 39, 40),
        (148, 103, 189),
        (140, 86, 75),
        (227, 119, 194),
        (127, 127, 127),
        (188, 189, 34),
        (23, 190, 207),
    ];
    TAB10[i % TAB10.len()]
}

/// The color of `t` in `[0, 1]` on a perceptually uniform scale from dark
/// blue to yellow (viridis, linear between nine of its colors).
pub fn colormap(t: f64) -> Rgb {
    const VIRIDIS: [Rgb; 9] = [
        (68, 1, 84),
        (71, 45, 123),
        (59, 82, 139),
        (44, 114, 142),
        (33, 145, 140),
        (40, 174, 128),
        (94, 201, 98),
        (173, 220, 48),
        (253, 231, 37),
    ];
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let s = t * (VIRIDIS.len() - 1) as f64;
    let k = (s.floor() as usize).min(VIRIDIS.len() - 2);
    let f = s - k as f64;
    let (a, b) = (VIRIDIS[k], VIRIDIS[k + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The range of the finite values, `(0, 1)` when there are none.
pub fn finite_range(values: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in values.iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        (0.0, 1.0)
    } else {
        (lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_split_a_line() {
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [1.0, f64::NAN, 2.0, 3.0, f64::INFINITY, -1.0];
        let p = pieces(&x, &y, false, false);
        assert_eq!(
            p,
            vec![
                vec![(0.0, 1.0)],
                vec![(2.0, 2.0), (3.0, 3.0)],
                vec![(5.0, -1.0)]
            ]
        );
        // On a log y axis, -1 is a gap too.
        assert_eq!(pieces(&x, &y, false, true).len(), 2);
    }

    #[test]
    fn histogram_counts_as_numpy() {
        // numpy.histogram([0, 0, 0, 1, 1, 2, nan->dropped], bins=3): [3, 2, 1].
        let b = histogram(&[vec![0.0, 0.0, 0.0, 1.0, 1.0, 2.0, f64::NAN]], 3, false);
        assert_eq!(b.counts, vec![vec![3, 2, 1]]);
        assert_eq!(b.edges.len(), 4);
        assert!((b.edges[1] - 2.0 / 3.0).abs() < 1e-12);
        let one = histogram(&[vec![5.0, 5.0]], 2, false);
        assert_eq!((one.edges[0], one.edges[2]), (4.5, 5.5));
        assert_eq!(one.counts, vec![vec![0, 2]]);
        let log = histogram(&[vec![1.0, 10.0, 100.0, 0.0]], 2, true);
        assert_eq!(log.counts, vec![vec![1, 2]]);
        assert!((log.edges[1] - 10.0).abs() < 1e-9);
    }

    #[test]
    fn cells_are_centered() {
        assert_eq!(
            cell_edges(&[0.0, 1.0, 3.0], false),
            vec![-0.5, 0.5, 2.0, 4.0]
        );
        assert_eq!(cell_edges(&[2.0], false), vec![1.5, 2.5]);
        let wide = cell_edges(&[-1e308, 1e308], false);
        assert_eq!(wide, vec![f64::MIN, 0.0, f64::MAX]);
        let b = histogram(&[vec![-1e308, 1e308, 0.0]], 2, false);
        assert_eq!(b.counts, vec![vec![1, 2]]);
        let e = cell_edges(&[1.0, 100.0], true);
        assert!((e[1] - 10.0).abs() < 1e-9 && (e[2] - 1000.0).abs() < 1e-6);
    }

    #[test]
    fn colormap_ends() {
        assert_eq!(colormap(0.0), (68, 1, 84));
        assert_eq!(colormap(1.0), (253, 231, 37));
        assert_eq!(colormap(0.5), (33, 145, 140));
        assert_eq!(colormap(f64::NAN), colormap(0.0));
    }
}
