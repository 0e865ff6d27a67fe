//! Figure builtins (top level only): `plot`, `scatter`, `hist`, `heatmap`.
//! Each checks its arguments by their types (so that `nest check` finds
//! those errors), then reads the arrays into a [`Figure`], checking what
//! needs their values or lengths (a host loop runs only two iterations in
//! `nest check`, so lengths made by one are known only to `run`), and
//! writes it; drawing is `crate::plot`'s.

use super::{Args, Builtin};
use crate::diag::{Diagnostic, Result};
use crate::eval::exec::Evaluator;
use crate::eval::value::{Arr, Value};
use crate::plot::{Figure, Format, Kind, Options, Series, Values, SIZES};
use std::path::PathBuf;

/// The options every figure takes, after its own parameters.
macro_rules! options {
    () => {
        "title = none, xlabel = none, ylabel = none, logx = false, logy = false, width = 640, height = 480"
    };
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "plot",
        params: concat!("path, series, ", options!()),
        host_only: true,
        imp: plot,
    },
    Builtin {
        name: "scatter",
        params: concat!("path, points, ", options!()),
        host_only: true,
        imp: scatter,
    },
    Builtin {
        name: "hist",
        params: concat!("path, values, bins = 10, ", options!()),
        host_only: true,
        imp: hist,
    },
    Builtin {
        name: "heatmap",
        params: concat!("path, z, x = none, y = none, ", options!()),
        host_only: true,
        imp: heatmap,
    },
];

/// `plot(path, series, ...)`: lines through each series' points.
fn plot(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let target = target(ev, args)?;
    let leaves = leaves(args, 1, Shape::Series)?;
    let options = options(args, 2)?;
    write(ev, args, target, options, || {
        Ok(Kind::Lines(series(args, 1, &leaves)?))
    })
}

/// `scatter(path, points, ...)`: a marker at each point.
fn scatter(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let target = target(ev, args)?;
    let leaves = leaves(args, 1, Shape::Series)?;
    let options = options(args, 2)?;
    write(ev, args, target, options, || {
        Ok(Kind::Scatter(series(args, 1, &leaves)?))
    })
}

/// `hist(path, values, bins = 10, ...)`: counts of the values (of any shape) in equal bins.
fn hist(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let target = target(ev, args)?;
    let leaves = leaves(args, 1, Shape::Values)?;
    let bins = args.usize(2)?;
    if !(1..=10_000).contains(&bins) {
        return Err(args.error(2, format!("`hist` draws 1 to 10000 bins, not {bins}")));
    }
    let options = options(args, 3)?;
    write(ev, args, target, options, || {
        let series = leaves
            .iter()
            .map(|l| {
                let values = floats(&l.y)?;
                Ok(Values {
                    label: l.label.clone(),
                    values,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Kind::Hist { series, bins })
    })
}

/// `heatmap(path, z, x = none, y = none, ...)`: `z[i, j]` as the color of
/// the cell centered at `(x[j], y[i])`.
fn heatmap(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let target = target(ev, args)?;
    let z = args.arr(1)?;
    real(args, 1, &z, "z")?;
    let &[rows, cols] = z.shape() else {
        return Err(args
            .error(
                1,
                format!("`heatmap` expects a 2-D array z, got {}", z.ty()),
            )
            .with_hint("z[i, j] is the value at (x[j], y[i])"));
    };
    if rows == 0 || cols == 0 {
        return Err(args.error(1, format!("`heatmap`: z is empty ({})", z.ty())));
    }
    let x = centers(args, 2, "x")?;
    let y = centers(args, 3, "y")?;
    let options = options(args, 4)?;
    let (logx, logy) = (options.logx, options.logy);
    log_centers(args, 2, "x", &x, logx)?;
    log_centers(args, 3, "y", &y, logy)?;
    write(ev, args, target, options, || {
        Ok(Kind::Heatmap {
            z: floats(&z)?,
            x: center_values(args, 2, "x", x.as_ref(), cols, logx)?,
            y: center_values(args, 3, "y", y.as_ref(), rows, logy)?,
        })
    })
}

/// The file a figure goes to, and its format.
fn target(ev: &Evaluator, args: &Args) -> Result<(PathBuf, Format)> {
    let given = args.str(0)?;
    let path = ev.resolve_path(args.span(0), &given);
    let format = Format::of_path(&path).ok_or_else(|| {
        args.error(
            0,
            format!(
                "`{}` writes `.png` or `.svg` files, not `{given}`",
                args.name
            ),
        )
        .with_hint("the file's extension chooses the format")
    })?;
    Ok((path, format))
}

/// Draws the figure that `kind` reads and writes it atomically; in `nest
/// check`, nothing is read or written.
fn write(
    ev: &Evaluator,
    args: &Args,
    (path, format): (PathBuf, Format),
    options: Options,
    kind: impl FnOnce() -> Result<Kind>,
) -> Result<Value> {
    if ev.tracer.is_checking() {
        return Ok(Value::unit());
    }
    let figure = Figure {
        kind: kind()?,
        options,
    };
    let bytes = crate::plot::render(&figure, format).map_err(|m| Diagnostic::at(args.call, m))?;
    crate::files::write_atomically(&path, &bytes).map_err(|m| args.error(0, m))?;
    Ok(Value::unit())
}

/// The options, from argument `first` on.
fn options(args: &Args, first: usize) -> Result<Options> {
    let text = |i: usize| -> Result<Option<String>> {
        if args.is_none(first + i) {
            Ok(None)
        } else {
            args.str(first + i).map(Some)
        }
    };
    let size = |i: usize| -> Result<u32> {
        let n = args.usize(first + i)?;
        u32::try_from(n)
            .ok()
            .filter(|n| SIZES.contains(n))
            .ok_or_else(|| {
                let side = if i == 5 { "width" } else { "height" };
                let (lo, hi) = (SIZES.start(), SIZES.end());
                args.error(
                    first + i,
                    format!(
                        "`{}`: a figure's {side} is {lo} to {hi}, not {n}",
                        args.name
                    ),
                )
            })
    };
    Ok(Options {
        title: text(0)?,
        xlabel: text(1)?,
        ylabel: text(2)?,
        logx: args.bool(first + 3)?,
        logy: args.bool(first + 4)?,
        width: size(5)?,
        height: size(6)?,
    })
}

/// What a leaf of the series argument may be.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// A 1-D array `y`, or an `(x, y)` tuple of them (`plot`, `scatter`).
    Series,
    /// An array of any shape (`hist`).
    Values,
}

/// One series, known by its arrays.
struct Leaf {
    label: Option<String>,
    x: Option<Arr>,
    y: Arr,
}

/// The series of argument `i`: one series, or a record of them (nested
/// records give labels joined by `.`), checked by shape.
fn leaves(args: &Args, i: usize, shape: Shape) -> Result<Vec<Leaf>> {
    let mut out = vec![];
    collect(args, i, args.get(i)?, None, shape, &mut out)?;
    if out.is_empty() {
        return Err(args
            .error(i, format!("`{}` has no series to draw", args.name))
            .with_hint("several series are a record: `{train: a, val: b}`"));
    }
    Ok(out)
}

fn collect(
    args: &Args,
    i: usize,
    v: &Value,
    label: Option<String>,
    shape: Shape,
    out: &mut Vec<Leaf>,
) -> Result<()> {
    match v {
        Value::Record(fields) => {
            for (k, v) in fields.iter() {
                let l = label.as_ref().map_or(k.clone(), |l| format!("{l}.{k}"));
                collect(args, i, v, Some(l), shape, out)?;
            }
            Ok(())
        }
        Value::Tuple(xy) if shape == Shape::Series && xy.len() == 2 => {
            let x = leaf(args, i, &xy[0], &label, shape)?;
            let y = leaf(args, i, &xy[1], &label, shape)?;
            out.push(Leaf {
                label,
                x: Some(x),
                y,
            });
            Ok(())
        }
        v => {
            let y = leaf(args, i, v, &label, shape)?;
            out.push(Leaf { label, x: None, y });
            Ok(())
        }
    }
}

/// "series `val`", or "the series" when it has no label.
fn what(label: &Option<String>) -> String {
    label
        .as_ref()
        .map_or("the series".into(), |l| format!("series `{l}`"))
}

/// One array of a series, checked: real, not empty, 1-D for `Shape::Series`.
fn leaf(args: &Args, i: usize, v: &Value, label: &Option<String>, shape: Shape) -> Result<Arr> {
    let hint = match shape {
        Shape::Series => "a series is a 1-D array `y` or a tuple `(x, y)` of them; several series are a record `{train: a, val: b}`",
        Shape::Values => "`hist` takes an array, or a record of arrays for several series",
    };
    let Value::Arr(a) = v else {
        return Err(args
            .error(
                i,
                format!(
                    "`{}`: {} is {}, not an array",
                    args.name,
                    what(label),
                    v.describe()
                ),
            )
            .with_hint(hint));
    };
    real(args, i, a, &what(label))?;
    if shape == Shape::Series && a.rank() != 1 {
        return Err(args
            .error(
                i,
                format!("`{}`: {} is {}, not 1-D", args.name, what(label), a.ty()),
            )
            .with_hint(hint));
    }
    if a.shape().iter().product::<usize>() == 0 {
        return Err(args.error(
            i,
            format!("`{}`: {} is empty ({})", args.name, what(label), a.ty()),
        ));
    }
    Ok(a.clone())
}

/// An array of real numbers (integers and bools count as numbers).
fn real(args: &Args, i: usize, a: &Arr, what: &str) -> Result<()> {
    if a.dtype().is_complex() {
        return Err(args
            .error(
                i,
                format!("`{}`: {} is complex ({})", args.name, what, a.ty()),
            )
            .with_hint("plot `real(z)`, `imag(z)` or `abs(z)`"));
    }
    Ok(())
}

/// The cell centers of argument `i`: `none` (0, 1, 2, ...) or a 1-D array of `n`.
fn centers(args: &Args, i: usize, name: &str) -> Result<Option<Arr>> {
    if args.is_none(i) {
        return Ok(None);
    }
    let a = args.arr(i)?;
    real(args, i, &a, name)?;
    if a.rank() != 1 {
        return Err(args.error(i, format!("`heatmap`: {name} is {}, not 1-D", a.ty())));
    }
    Ok(Some(a))
}

/// A log axis of a heatmap needs its cell centers given: the default ones start at 0.
fn log_centers(args: &Args, i: usize, name: &str, given: &Option<Arr>, log: bool) -> Result<()> {
    if log && given.is_none() {
        return Err(args
            .error(
                i,
                format!("`heatmap`: log{name} needs the cell centers {name}"),
            )
            .with_hint(format!("the default {name} (0, 1, 2, ...) starts at 0")));
    }
    Ok(())
}

/// The values of cell centers, which must increase (and be positive on a log axis).
fn center_values(
    args: &Args,
    i: usize,
    name: &str,
    a: Option<&Arr>,
    n: usize,
    log: bool,
) -> Result<Vec<f64>> {
    let Some(a) = a else {
        return Ok((0..n).map(|k| k as f64).collect());
    };
    let v = floats(a)?;
    if v.len() != n {
        return Err(args
            .error(
                i,
                format!(
                    "`heatmap`: {name} has {} values, but z has {n} cells along it",
                    v.len()
                ),
            )
            .with_hint(
                "z[i, j] is the value at (x[j], y[i]): x has z's column count, y its row count",
            ));
    }
    let ordered = v.iter().all(|c| c.is_finite()) && v.windows(2).all(|w| w[0] < w[1]);
    if !ordered {
        return Err(args.error(
            i,
            format!("`heatmap`: {name} must be finite and increasing"),
        ));
    }
    if log && v[0] <= 0.0 {
        return Err(args.error(
            i,
            format!("`heatmap`: log{name} needs positive {name} values"),
        ));
    }
    Ok(v)
}

/// The series of a line or scatter plot, read; x and y must have one length.
fn series(args: &Args, i: usize, leaves: &[Leaf]) -> Result<Vec<Series>> {
    leaves
        .iter()
        .map(|l| {
            let y = floats(&l.y)?;
            let x = match &l.x {
                Some(x) => floats(x)?,
                None => (0..y.len()).map(|k| k as f64).collect(),
            };
            if x.len() != y.len() {
                let (nx, ny, name) = (x.len(), y.len(), args.name);
                let what = what(&l.label);
                return Err(args.error(
                    i,
                    format!("`{name}`: {what} has {nx} x values and {ny} y values"),
                ));
            }
            Ok(Series {
                label: l.label.clone(),
                x,
                y,
            })
        })
        .collect()
}

/// The elements of a known array, as f64.
fn floats(a: &Arr) -> Result<Vec<f64>> {
    let t = a
        .concrete()
        .ok_or_else(|| Diagnostic::internal("a figure of a traced value"))?;
    Ok(t.to_f64_vec())
}
