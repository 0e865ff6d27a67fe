//! Linear algebra builtins (LANGUAGE.md §6 "Linear algebra").

use super::reduce::sum_of;
use super::util::{self, done};
use super::{Args, Builtin};
use crate::diag::{Diagnostic, Result};
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tracer::Tracer;
use crate::eval::value::{Arr, Value};
use crate::prims::{BinaryOp, Prim};
use crate::types::DType;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "dot",
        params: "a, b",
        host_only: false,
        imp: dot,
    },
    Builtin {
        name: "outer",
        params: "a, b",
        host_only: false,
        imp: outer,
    },
    Builtin {
        name: "trace",
        params: "x",
        host_only: false,
        imp: trace,
    },
    Builtin {
        name: "diag",
        params: "x",
        host_only: false,
        imp: diag,
    },
    Builtin {
        name: "cholesky",
        params: "x",
        host_only: false,
        imp: cholesky,
    },
    Builtin {
        name: "triangular_solve",
        params: "a, b, lower = true, left_side = true, transpose_a = false",
        host_only: false,
        imp: triangular_solve,
    },
    Builtin {
        name: "solve",
        params: "a, b",
        host_only: false,
        imp: solve,
    },
];

/// `dot(a, b)`, as NumPy: a product with a scalar; otherwise the sum over
/// the last axis of `a` and the second-to-last of `b` (its only axis for a
/// vector), the result's dims being `a`'s remaining then `b`'s remaining
/// (exactly `dot_general`'s layout).
fn dot(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, b) = (args.arr(0)?, args.arr(1)?);
    let t = &mut ev.tracer;
    if a.rank() == 0 || b.rank() == 0 {
        return done(args, ops::binary(t, BinaryOp::Mul, &a, &b));
    }
    let ka = a.rank() - 1;
    let kb = b.rank().saturating_sub(2);
    if a.shape()[ka] != b.shape()[kb] {
        return Err(args.error(
            1,
            format!(
                "`dot` of {} and {}: the contracted dimensions {} and {} differ",
                a.ty(),
                b.ty(),
                a.shape()[ka],
                b.shape()[kb]
            ),
        ));
    }
    let prim = Prim::DotGeneral {
        lhs_batch: vec![],
        rhs_batch: vec![],
        lhs_contract: vec![ka],
        rhs_contract: vec![kb],
    };
    let r = ops::coerce_dtype(t, &a, &b).and_then(|((a, b), _)| ops::apply1(t, prim, &[a, b]));
    done(args, r)
}

/// `outer(a, b)`: `a[i] * b[j]` over the flattened arguments.
fn outer(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, b) = (args.arr(0)?, args.arr(1)?);
    let (n, m) = (a.shape().iter().product(), b.shape().iter().product());
    let t = &mut ev.tracer;
    let r = ops::reshape(t, &a, &[n, 1]).and_then(|a| {
        let b = ops::reshape(t, &b, &[1, m])?;
        ops::binary(t, BinaryOp::Mul, &a, &b)
    });
    done(args, r)
}

fn matrix(args: &Args, i: usize, x: &Arr) -> Result<(usize, usize)> {
    match x.shape() {
        [n, m] => Ok((*n, *m)),
        _ => Err(args.error(
            i,
            format!("`{}` expects a matrix, got {}", args.name, x.ty()),
        )),
    }
}

/// The diagonal of an `n x m` matrix: its flattened elements from 0 with
/// stride `m + 1`, `min(n, m)` of them.
fn diagonal(t: &mut Tracer, x: &Arr, n: usize, m: usize) -> Result<Arr> {
    let k = n.min(m);
    let flat = ops::reshape(t, x, &[n * m])?;
    let limit = if k == 0 { 0 } else { (k - 1) * (m + 1) + 1 };
    util::slice(t, &flat, vec![0], vec![limit], vec![m + 1])
}

/// `trace(x)`: the sum of the diagonal of a matrix (bools count as `i32`).
fn trace(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = args.arr(0)?;
    let (n, m) = matrix(args, 0, &x)?;
    let t = &mut ev.tracer;
    let r = diagonal(t, &x, n, m).and_then(|d| sum_of(t, &d, &[0], false));
    done(args, r)
}

/// `diag(x)`, as NumPy: a vector gives the diagonal matrix, a matrix its diagonal.
fn diag(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = ops::materialize(&args.arr(0)?);
    let t = &mut ev.tracer;
    match x.shape() {
        [n] => done(args, diagonal_matrix(t, &x, *n)),
        [n, m] => done(args, diagonal(t, &x, *n, *m)),
        _ => Err(args.error(
            0,
            format!("`diag` expects a vector or a matrix, got {}", x.ty()),
        )),
    }
}

/// The `n x n` matrix with `v` on its diagonal: `v` padded with `n` zeros
/// between elements has `v[i]` at flat index `i * (n + 1)` and length `n * n`.
fn diagonal_matrix(t: &mut Tracer, v: &Arr, n: usize) -> Result<Arr> {
    let zero = util::scalar(v.dtype(), 0.0);
    if n == 0 {
        return util::fill(t, &zero, &[0, 0]);
    }
    let prim = Prim::Pad {
        lo: vec![0],
        hi: vec![0],
        interior: vec![n],
    };
    let padded = ops::apply1(t, prim, &[v.clone(), zero])?;
    ops::reshape(t, &padded, &[n, n])
}

/// Checks `[.., n, n]` and converts to a real float dtype.
fn square(args: &Args, i: usize, t: &mut Tracer, x: &Arr) -> Result<Arr> {
    let r = x.rank();
    if r < 2 || x.shape()[r - 1] != x.shape()[r - 2] {
        return Err(args.error(
            i,
            format!(
                "`{}` expects square matrices ([.., n, n]), got {}",
                args.name,
                x.ty()
            ),
        ));
    }
    util::to_real_float(args, i, t, &ops::materialize(x))
}

/// `cholesky(x)`: the lower factor `L` with `x = L Lᵀ`, for symmetric positive
/// definite `x` (NaN where it is not), batched over leading dims.
fn cholesky(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = args.arr(0)?;
    let t = &mut ev.tracer;
    let x = square(args, 0, t, &x)?;
    done(args, ops::apply1(t, Prim::Cholesky, &[x]))
}

/// The options of a triangular solve.
#[derive(Clone, Copy)]
struct Tri {
    lower: bool,
    left_side: bool,
    transpose_a: bool,
}

/// `b` as a matrix: a vector `[n]` becomes a column `[n, 1]` (left side)
/// or a row `[1, n]`. Checks that its solved dimension is `n`.
fn as_matrix(t: &mut Tracer, a: &Arr, b: &Arr, left_side: bool) -> Result<Arr> {
    let n = a.shape()[a.rank() - 1];
    let b2 = match (b.shape(), left_side) {
        ([m], true) => ops::reshape(t, b, &[*m, 1])?,
        ([m], false) => ops::reshape(t, b, &[1, *m])?,
        ([], _) => {
            return Err(Diagnostic::new(format!(
                "cannot solve for a scalar {}",
                b.ty()
            )))
        }
        _ => ops::materialize(b),
    };
    let (rows, cols) = (b2.shape()[b2.rank() - 2], b2.shape()[b2.rank() - 1]);
    let (what, bn) = match left_side {
        true => ("rows of b", rows),
        false => ("columns of b", cols),
    };
    if bn != n {
        return Err(Diagnostic::new(format!(
            "cannot solve with {} for {}: the {} must number {}, not {}",
            a.ty(),
            b.ty(),
            what,
            n,
            bn
        )));
    }
    Ok(b2)
}

/// Solves `op(a) x = b` (left side) or `x op(a) = b` for a triangular `a:
/// [.., n, n]` (already checked square and float). `b` is `[.., n, k]`
/// (`[.., k, n]` on the right), or a vector `[n]`; batch dims broadcast.
fn tri_solve(t: &mut Tracer, a: &Arr, b: &Arr, o: Tri) -> Result<Arr> {
    let n = a.shape()[a.rank() - 1];
    let b2 = as_matrix(t, a, b, o.left_side)?;
    let rb = b2.rank();
    let batch = ops::broadcast_shapes(&a.shape()[..a.rank() - 2], &b2.shape()[..rb - 2])?;
    let dtype = match util::result_dtype(&[a.clone(), b2.clone()]) {
        DType::F64 => DType::F64,
        _ => DType::F32,
    };
    let a = ops::cast(t, a, dtype)?;
    let a = ops::broadcast_to(t, &a, &[batch.clone(), vec![n, n]].concat())?;
    let b2 = ops::cast(t, &b2, dtype)?;
    let b2 = ops::broadcast_to(
        t,
        &b2,
        &[batch.clone(), b2.shape()[rb - 2..].to_vec()].concat(),
    )?;
    let prim = Prim::TriangularSolve {
        left_side: o.left_side,
        lower: o.lower,
        transpose_a: o.transpose_a,
        unit_diagonal: false,
    };
    let x = ops::apply1(t, prim, &[a, b2])?;
    match b.rank() {
        1 => ops::reshape(t, &x, &[batch, vec![n]].concat()),
        _ => Ok(x),
    }
}

/// `triangular_solve(a, b, lower = true, left_side = true, transpose_a = false)`:
/// `x` with `op(a) x = b` (or `x op(a) = b` when `left_side` is false),
/// `op(a) = aᵀ` if `transpose_a`, reading only the lower (upper) triangle of `a`.
fn triangular_solve(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, b) = (args.arr(0)?, args.arr(1)?);
    let o = Tri {
        lower: args.bool(2)?,
        left_side: args.bool(3)?,
        transpose_a: args.bool(4)?,
    };
    let t = &mut ev.tracer;
    let a = square(args, 0, t, &a)?;
    let b = util::to_real_float(args, 1, t, &b)?;
    done(args, tri_solve(t, &a, &b, o))
}

/// `solve(a, b)` for symmetric positive definite `a`: with `a = L Lᵀ`
/// (Cholesky), solve `L y = b` then `Lᵀ x = y`. `b` is a vector or a matrix.
fn solve(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, b) = (args.arr(0)?, args.arr(1)?);
    let t = &mut ev.tracer;
    let a = square(args, 0, t, &a)?;
    let b = util::to_real_float(args, 1, t, &b)?;
    let lower = Tri {
        lower: true,
        left_side: true,
        transpose_a: false,
    };
    let upper = Tri {
        transpose_a: true,
        ..lower
    };
    let r = ops::apply1(t, Prim::Cholesky, &[a]).and_then(|l| {
        let y = tri_solve(t, &l, &b, lower)?;
        tri_solve(t, &l, &y, upper)
    });
    done(args, r)
}
