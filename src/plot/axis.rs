//! One axis of a figure: its data range, linear or logarithmic, as a
//! plotters coordinate with ticks at round numbers.

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use std::ops::Range;

/// An axis from `lo` to `hi` (`lo < hi`, both positive when `log`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
}

impl Axis {
    /// The axis that shows the finite `values` (positive ones on a log axis)
    /// with a margin of `pad` of its length at each end; `[0, 1]` (`[1, 10]`
    /// on a log axis) when there are none.
    pub fn fit(values: impl Iterator<Item = f64>, log: bool, pad: f64) -> Axis {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.filter(|&v| shown(v, log)) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if lo > hi {
            let (lo, hi) = if log { (1.0, 10.0) } else { (0.0, 1.0) };
            return Axis { lo, hi, log };
        }
        let (lo, hi) = if log {
            let (a, b) = widen(lo.log10(), hi.log10(), pad);
            // Clamped: a margin past 1e308 would make `hi` infinite, and the
            // ticks would then count decades up to i32::MAX.
            (
                10f64.powf(a).max(f64::MIN_POSITIVE),
                10f64.powf(b).min(f64::MAX),
            )
        } else {
            widen(lo, hi, pad)
        };
        Axis { lo, hi, log }
    }

    /// Where `v` lies along the axis: 0 at `lo`, 1 at `hi` (logarithmically on a log axis).
    pub fn fraction(&self, v: f64) -> f64 {
        if self.log {
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            // Halved so that `hi - lo` cannot overflow.
            (v / 2.0 - self.lo / 2.0) / (self.hi / 2.0 - self.lo / 2.0)
        }
    }

    /// Ticks at round numbers, at most about `max` of them: multiples of 1,
    /// 2 or 5 times a power of ten on a linear axis; on a log axis, 1, 2 and
    /// 5 times powers of ten when they are few enough, else powers of ten.
    pub fn ticks(&self, max: usize) -> Vec<f64> {
        let max = max.max(2);
        if !self.log {
            return linear_ticks(self.lo, self.hi, max);
        }
        let (a, b) = (
            self.lo.log10().ceil() as i32,
            self.hi.log10().floor() as i32,
        );
        let fine: Vec<f64> = (a - 1..=b)
            .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
            .filter(|&v| v >= self.lo && v <= self.hi)
            .collect();
        if fine.len() >= 2 && fine.len() <= max {
            return fine;
        }
        let decades: Vec<f64> = (a..=b).map(|e| 10f64.powi(e)).collect();
        if decades.len() >= 2 {
            let every = decades.len().div_ceil(max);
            return decades.into_iter().step_by(every).collect();
        }
        linear_ticks(self.lo, self.hi, max)
    }
}

/// Whether a value can be drawn on an axis (a log axis has no place for
/// zero or negative values).
pub fn shown(v: f64, log: bool) -> bool {
    v.is_finite() && (!log || v > 0.0)
}

/// `[lo, hi]` widened by `pad` of its length at each end; a single value
/// gets a range around it.
fn widen(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    if lo == hi {
        let d = if lo == 0.0 { 0.5 } else { lo.abs() * 0.1 };
        return (lo - d, hi + d);
    }
    // Halves, so that `hi - lo` cannot overflow; the ends stay finite.
    let d = (hi / 2.0 - lo / 2.0) * (2.0 * pad);
    ((lo - d).max(f64::MIN), (hi + d).min(f64::MAX))
}

/// Multiples of a step of 1, 2 or 5 times a power of ten in `[lo, hi]`,
/// at most `max` of them.
fn linear_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    // Half the span and half the count, so that `hi - lo` cannot overflow.
    let (half, count) = (hi / 2.0 - lo / 2.0, max as f64 / 2.0);
    let raw = half / count;
    if !(raw.is_finite() && raw > 0.0) {
        return vec![lo, hi];
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&s| half / s <= count)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A tick label: short, without rounding noise (`0.3`, not `0.30000000000000004`),
/// in scientific notation for very large or small magnitudes (`1e-5`).
pub fn format_tick(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".into() } else { v.to_string() };
    }
    let e = v.abs().log10().floor();
    if (-3.0..5.0).contains(&e) {
        let scale = 10f64.powi(9 - e as i32);
        return ((v * scale).round() / scale).to_string();
    }
    let mantissa = ((v / 10f64.powf(e)) * 1e6).round() / 1e6;
    format!("{}e{}", mantissa, e)
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let t = self.fraction(*v);
        let p = limit.0 as f64 + t * (limit.1 - limit.0) as f64;
        // Callers map only shown values; the clamp keeps the cast defined.
        p.clamp(-1e6, 1e6).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        self.ticks(hint.max_num_points().min(10))
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, v: &f64) -> String {
        format_tick(*v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_with_padding_and_skips_what_cannot_be_shown() {
        let a = Axis::fit([0.0, 10.0, f64::NAN].into_iter(), false, 0.05);
        assert_eq!((a.lo, a.hi), (-0.5, 10.5));
        let a = Axis::fit([-1.0, 1.0, 100.0].into_iter(), true, 0.0);
        assert_eq!((a.lo, a.hi), (1.0, 100.0));
        let a = Axis::fit([f64::NAN].into_iter(), false, 0.05);
        assert_eq!((a.lo, a.hi), (0.0, 1.0));
        let a = Axis::fit([2.0, 2.0].into_iter(), false, 0.05);
        assert_eq!((a.lo, a.hi), (1.8, 2.2));
        // Near the largest f64, the range neither overflows nor collapses.
        let a = Axis::fit([-1e308, 1e308].into_iter(), false, 0.05);
        assert_eq!((a.lo, a.hi), (-1.1e308, 1.1e308));
        let a = Axis::fit([f64::MIN, f64::MAX].into_iter(), false, 0.05);
        assert_eq!((a.lo, a.hi), (f64::MIN, f64::MAX));
        assert_eq!(a.map(&0.0, (0, 100)), 50);
        assert_eq!(a.ticks(4).len(), 3);
    }

    #[test]
    fn maps_linearly_or_by_logarithm() {
        let lin = Axis {
            lo: 0.0,
            hi: 10.0,
            log: false,
        };
        assert_eq!(lin.map(&5.0, (100, 200)), 150);
        let log = Axis {
            lo: 1.0,
            hi: 100.0,
            log: true,
        };
        assert_eq!(log.map(&10.0, (100, 200)), 150);
        assert_eq!(log.map(&100.0, (300, 100)), 100);
    }

    #[test]
    fn ticks_are_round() {
        let a = Axis {
            lo: -0.05,
            hi: 1.05,
            log: false,
        };
        assert_eq!(
            a.ticks(6),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        let l = Axis {
            lo: 1e-4,
            hi: 1e2,
            log: true,
        };
        assert_eq!(l.ticks(10).len(), 7);
        let decades = Axis {
            lo: 0.008,
            hi: 6.0,
            log: true,
        };
        assert_eq!(decades.ticks(10).len(), 9);
        assert_eq!(l.ticks(3), vec![1e-4, 1e-1, 1e2]);
        let narrow = Axis {
            lo: 1.5,
            hi: 30.0,
            log: true,
        };
        assert_eq!(narrow.ticks(10), vec![2.0, 5.0, 10.0, 20.0]);
    }

    #[test]
    fn log_axes_near_the_largest_f64_stay_finite() {
        let a = Axis::fit([0.4, 7e295, 1e308].into_iter(), true, 0.05);
        assert!(a.hi.is_finite() && a.lo > 0.0);
        let ticks = a.ticks(10);
        assert!(ticks.len() >= 2 && ticks.len() <= 10, "{:?}", ticks);
        let tiny = Axis::fit([1e-320, 1.0].into_iter(), true, 0.05);
        assert!(tiny.lo > 0.0 && tiny.ticks(10).len() <= 10);
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(format_tick(0.6000000000000001), "0.6");
        assert_eq!(format_tick(-0.0), "0");
        assert_eq!(format_tick(1e-5), "1e-5");
        assert_eq!(format_tick(2.5e6), "2.5e6");
        assert_eq!(format_tick(1234.0), "1234");
        assert_eq!(format_tick(0.001), "0.001");
    }
}
