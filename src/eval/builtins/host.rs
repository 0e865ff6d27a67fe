//! Host I/O builtins (top level only): `save`, `load`, `assert_close`,
//! `time`; and `print`, which inside a function prints when the compiled
//! program runs (as `jax.debug.print`).

use super::{Args, Builtin};
use crate::diag::{Diagnostic, Result};
use crate::eval::display::{display, display_traced};
use crate::eval::exec::Evaluator;
use crate::eval::tree::flatten;
use crate::eval::value::{Arr, Value};
use crate::prims::Prim;
use crate::prims::Print;
use crate::tensor::npy;
use crate::tensor::Tensor;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "print",
        params: "...",
        host_only: false,
        imp: print,
    },
    Builtin {
        name: "time",
        params: "",
        host_only: true,
        imp: time,
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

/// `print(a, b, ...)`: the values separated by spaces, then a newline
/// (nothing in `nest check`). Inside a trace, a `print` equation whose
/// operands are the traced arrays, printed when the program runs.
fn print(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    if ev.tracer.is_tracing() {
        let (pieces, operands) = display_traced(&args.values);
        let prim = Prim::new(Print {
            pieces,
            batch: 0,
            span: Some(args.call),
        });
        ev.tracer
            .apply(prim, &operands)
            .map_err(|m| Diagnostic::at(args.call, m))?;
        return Ok(Value::unit());
    }
    if ev.tracer.is_checking() {
        return Ok(Value::unit());
    }
    // A device array that cannot be read is an error, never printed as
    // something else.
    for v in &args.values {
        for a in flatten(v).0 {
            if let Arr::Device(d) = a {
                d.to_host().map_err(|m| {
                    Diagnostic::at(
                        args.call,
                        format!("cannot read a value from the device: {m}"),
                    )
                })?;
            }
        }
    }
    let parts: Vec<String> = args.values.iter().map(display).collect();
    ev.write_out(&format!("{}\n", parts.join(" ")))?;
    Ok(Value::unit())
}

/// `time()`: the host's wall clock in seconds since 1970, as an `f64`
/// scalar, for timing host code (`time() - t0`).
fn time(_: &mut Evaluator, _: &Args) -> Result<Value> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| Diagnostic::new(format!("the system clock is before 1970: {}", e)))?;
    Ok(Value::tensor(Tensor::scalar_f64(now.as_secs_f64())))
}

/// `save(path, x)`: writes `.npy` to a temporary file, then renames it, so a
/// failure never leaves a partial file.
fn save(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let path = ev.resolve_path(args.span(0), &args.str(0)?);
    if ev.tracer.is_checking() {
        // Not written: a later `load` of the path gets the array back.
        let a = args.arr(1)?;
        ev.checked_saves.insert(path, a);
        return Ok(Value::unit());
    }
    let t = args
        .arr(1)?
        .concrete()
        .ok_or_else(|| Diagnostic::internal("save of a traced value"))?;
    let bytes = npy::write_npy(&t).map_err(|m| args.error(1, m))?;
    crate::files::write_atomically(&path, &bytes).map_err(|m| args.error(0, m))?;
    Ok(Value::unit())
}

/// `load(path)`: reads a `.npy` file. Its header is read first, so that an
/// array the host cannot hold is an error before the data is read; in
/// `nest check`, only the header of a large file is read (the array is known
/// by type), and a file the program saved is the array it saved.
fn load(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let path = ev.resolve_path(args.span(0), &args.str(0)?);
    if let Some(a) = ev.checked_saves.get(&path) {
        return Ok(Value::Arr(a.clone()));
    }
    let cannot_read =
        |e: std::io::Error| args.error(0, format!("cannot read `{}`: {}", path.display(), e));
    let invalid = |m: String| {
        args.error(
            0,
            format!("`{}` is not a valid .npy file: {}", path.display(), m),
        )
    };
    let ty = read_npy_type(&path)
        .map_err(cannot_read)?
        .map_err(invalid)?;
    if ev.tracer.is_checking() && ty.size().saturating_mul(ty.dtype.size()) > CHECK_READS {
        return Ok(Value::Arr(ev.tracer.abstract_value(ty)?));
    }
    // The file's bytes and the array decoded from them.
    crate::tensor::alloc::check(&[ty.clone(), ty]).map_err(|m| args.error(0, m))?;
    let bytes = std::fs::read(&path).map_err(cannot_read)?;
    let t = npy::read_npy(&bytes).map_err(invalid)?;
    Ok(Value::tensor(t))
}

/// `nest check` reads files up to this size (sizes and labels derived from
/// them stay known); larger ones are known by type.
const CHECK_READS: usize = 16 << 20;

/// The type of the array in the `.npy` file at `path`, from its header.
fn read_npy_type(
    path: &std::path::Path,
) -> std::io::Result<std::result::Result<crate::types::TensorType, String>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let mut prefix = Vec::new();
    file.take(npy::HEADER_PREFIX as u64)
        .read_to_end(&mut prefix)?;
    Ok(npy::read_type(&prefix, len))
}

/// `assert_close(a, b, rtol, atol)`: `|a - b| <= atol + rtol * |b|` leaf by leaf.
fn assert_close(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (la, da) = flatten(args.get(0)?);
    let (lb, db) = flatten(args.get(1)?);
    if la.len() != lb.len() || !crate::eval::tree::same_structure(&da, &db) {
        return Err(Diagnostic::at(
            args.call,
            "assert_close: the two values have different structures",
        ));
    }
    if ev.tracer.is_checking() {
        // `nest check` compares no values (they may be known by type only):
        // the shapes must broadcast.
        for (x, y) in la.iter().zip(&lb) {
            crate::eval::ops::broadcast_shapes(x.shape(), y.shape())
                .map_err(|d| d.with_span(args.call))?;
        }
        return Ok(Value::unit());
    }
    let (rtol, atol) = (args.float(2)?, args.float(3)?);
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
