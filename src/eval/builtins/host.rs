//! Host I/O builtins (top level only): `print`, `save`, `load`, `assert_close`.

use super::{Args, Builtin};
use crate::diag::{Diagnostic, Result};
use crate::eval::display::display;
use crate::eval::exec::Evaluator;
use crate::eval::tree::flatten;
use crate::eval::value::Value;
use crate::tensor::npy;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "print",
        params: "...",
        host_only: true,
        imp: print,
    },
    Builtin {
        name: "save",
        params: "path, x",
        host_only: true,
        imp: save,
    },
    Builtin {
        name: "load",
        params: "path",
        host_only: true,
        imp: load,
    },
    Builtin {
        name: "assert_close",
        params: "a, b, rtol = 1e-5, atol = 1e-6",
        host_only: true,
        imp: assert_close,
    },
];

/// `print(a, b, ...)`: the values separated by spaces, then a newline.
fn print(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let parts: Vec<String> = args.values.iter().map(display).collect();
    ev.write_out(&format!("{}\n", parts.join(" ")))?;
    Ok(Value::unit())
}

/// `save(path, x)`: writes `.npy` to a temporary file, then renames it, so a
/// failure never leaves a partial file.
fn save(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let path = ev.resolve_path(args.span(0), &args.str(0)?);
    let t = args
        .arr(1)?
        .concrete()
        .ok_or_else(|| Diagnostic::internal("save of a traced value"))?;
    let bytes = npy::write_npy(&t).map_err(|m| args.error(1, m))?;
    crate::files::write_atomically(&path, &bytes).map_err(|m| args.error(0, m))?;
    Ok(Value::unit())
}

/// `load(path)`: reads a `.npy` file.
fn load(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let path = ev.resolve_path(args.span(0), &args.str(0)?);
    let bytes = std::fs::read(&path)
        .map_err(|e| args.error(0, format!("cannot read `{}`: {}", path.display(), e)))?;
    let t = npy::read_npy(&bytes).map_err(|m| {
        args.error(
            0,
            format!("`{}` is not a valid .npy file: {}", path.display(), m),
        )
    })?;
    Ok(Value::tensor(t))
}

/// `assert_close(a, b, rtol, atol)`: `|a - b| <= atol + rtol * |b|` leaf by leaf.
fn assert_close(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (rtol, atol) = (args.float(2)?, args.float(3)?);
    let (la, da) = flatten(args.get(0)?);
    let (lb, db) = flatten(args.get(1)?);
    if la.len() != lb.len() || !crate::eval::tree::same_structure(&da, &db) {
        return Err(Diagnostic::at(
            args.call,
            "assert_close: the two values have different structures",
        ));
    }
    for (x, y) in la.iter().zip(&lb) {
        let (Some(tx), Some(ty)) = (x.concrete(), y.concrete()) else {
            return Err(Diagnostic::internal("assert_close of traced values"));
        };
        let shape = crate::eval::ops::broadcast_shapes(tx.shape(), ty.shape())
            .map_err(|d| d.with_span(args.call))?;
        let (vx, vy) = (tx.to_c64_vec(), ty.to_c64_vec());
        let n: usize = shape.iter().product();
        for i in 0..n {
            let (a, b) = (
                vx[broadcast_index(i, &shape, tx.shape())],
                vy[broadcast_index(i, &shape, ty.shape())],
            );
            let err = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
            let tol = atol + rtol * (b.0 * b.0 + b.1 * b.1).sqrt();
            if err > tol || err.is_nan() {
                return Err(Diagnostic::at(args.call, format!(
                    "assert_close failed at flat index {}: {} vs {} (difference {:.3e}, tolerance {:.3e})",
                    i, fmt_c(a), fmt_c(b), err, tol
                )));
            }
        }
    }
    Ok(Value::unit())
}

fn fmt_c(c: (f64, f64)) -> String {
    if c.1 == 0.0 {
        format!("{}", c.0)
    } else {
        format!("{}{:+}j", c.0, c.1)
    }
}

/// The flat index into an array of `shape` that broadcasting maps output element `i` to.
fn broadcast_index(mut i: usize, out: &[usize], shape: &[usize]) -> usize {
    let mut idx = 0;
    let mut stride = 1;
    for k in (0..out.len()).rev() {
        let coord = i % out[k];
        i /= out[k];
        let j = k as isize - (out.len() - shape.len()) as isize;
        if j >= 0 {
            let d = shape[j as usize];
            idx += if d == 1 { 0 } else { coord * stride };
            stride *= d;
        }
    }
    idx
}
