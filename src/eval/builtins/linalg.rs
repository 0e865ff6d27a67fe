//! Linear algebra builtins (LANGUAGE.md §6 "Linear algebra").

use super::reduce::sum_of;
use super::util::{self, done};
use super::{Args, Builtin};
use crate::diag::{Diagnostic, Result};
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tracer::Tracer;
use crate::eval::tree::map_arrays;
use crate::eval::value::{Arr, Value};
use crate::eval::vmap::Axes;
use crate::prims::{BinaryOp, Prim};
use crate::prims::{Cholesky, DotGeneral, Pad, TriangularSolve};
use crate::span::Span;
use crate::types::DType;
use std::rc::Rc;

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
        params: "a, b, assume = none",
        host_only: false,
        imp: solve,
    },
    Builtin {
        name: "lu",
        params: "a",
        host_only: false,
        imp: lu,
    },
    Builtin {
        name: "inv",
        params: "a",
        host_only: false,
        imp: inv,
    },
    Builtin {
        name: "det",
        params: "a",
        host_only: false,
        imp: det,
    },
    Builtin {
        name: "slogdet",
        params: "a",
        host_only: false,
        imp: slogdet,
    },
    Builtin {
        name: "eigh",
        params: "a",
        host_only: false,
        imp: eigh,
    },
    Builtin {
        name: "eigvals",
        params: "a",
        host_only: false,
        imp: eigvals,
    },
    Builtin {
        name: "eig",
        params: "a",
        host_only: false,
        imp: eig,
    },
    Builtin {
        name: "svd",
        params: "a, full_matrices = true, compute_uv = true",
        host_only: false,
        imp: svd,
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
    let prim = Prim::new(DotGeneral {
        lhs_batch: vec![],
        rhs_batch: vec![],
        lhs_contract: vec![ka],
        rhs_contract: vec![kb],
    });
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
    let prim = Prim::new(Pad {
        lo: vec![0],
        hi: vec![0],
        interior: vec![n],
    });
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
    done(args, ops::apply1(t, Prim::new(Cholesky), &[x]))
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
    let prim = Prim::new(TriangularSolve {
        left_side: o.left_side,
        lower: o.lower,
        transpose_a: o.transpose_a,
        unit_diagonal: false,
    });
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

/// `solve(a, b, assume = none)`: `x` with `a x = b` for a square `a`, by LU
/// with partial pivoting (`assume = "gen"`, the default) or, for a symmetric
/// positive definite `a`, by Cholesky (`assume = "pos"`). `b` is a vector
/// `[n]` or a batch of matrices `[.., n, k]` (NumPy 2's rule); batch dims
/// broadcast.
fn solve(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    if assumes_positive(args)? {
        return cholesky_solve(ev, args);
    }
    let (a, b) = (args.arr(0)?, args.arr(1)?);
    let (n, _) = matrices(args, 0, &a, true)?;
    let t = &mut ev.tracer;
    let dtype = inexact(util::result_dtype(&[a.clone(), b.clone()]));
    let a = util::to_float(t, &a)?;
    let a = ops::cast(t, &a, dtype)?;
    let b = util::to_float(t, &b)?;
    let b = ops::cast(t, &b, dtype)?;
    let b2 = as_matrix(t, &a, &b, true).map_err(|e| e.or_span(args.span(1)))?;
    let rb = b2.rank();
    let batch = ops::broadcast_shapes(&a.shape()[..a.rank() - 2], &b2.shape()[..rb - 2])
        .map_err(|e| e.or_span(args.call))?;
    let a = ops::broadcast_to(t, &a, &[batch.clone(), vec![n, n]].concat())?;
    let b2 = ops::broadcast_to(
        t,
        &b2,
        &[batch.clone(), b2.shape()[rb - 2..].to_vec()].concat(),
    )?;
    let name = if dtype.is_complex() {
        "solve_complex"
    } else {
        "solve"
    };
    let x = call_batched(ev, name, vec![a, b2], &batch, args.call)?;
    match (x, b.rank()) {
        (Value::Arr(x), 1) => done(
            args,
            ops::reshape(&mut ev.tracer, &x, &[batch, vec![n]].concat()),
        ),
        (x, _) => Ok(x),
    }
}

/// Whether `solve`'s `assume` (argument 2) is `"pos"`; `none` and `"gen"`
/// mean a general matrix.
fn assumes_positive(args: &Args) -> Result<bool> {
    match args.get(2)? {
        Value::None => Ok(false),
        Value::Str(s) if &**s == "gen" => Ok(false),
        Value::Str(s) if &**s == "pos" => Ok(true),
        other => {
            let got = match other {
                Value::Str(s) => format!("\"{}\"", s),
                v => v.describe(),
            };
            Err(args
                .error(2, format!("`assume` must be \"gen\" or \"pos\", got {}", got))
                .with_hint(
                    "\"gen\" (the default) solves any square system by LU; \"pos\" a symmetric positive definite one by Cholesky",
                ))
        }
    }
}

/// `solve(a, b, assume = "pos")`: with `a = L Lᵀ` (Cholesky), solve `L y = b`
/// then `Lᵀ x = y`; NaN if `a` is not positive definite.
fn cholesky_solve(ev: &mut Evaluator, args: &Args) -> Result<Value> {
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
    let r = ops::apply1(t, Prim::new(Cholesky), &[a]).and_then(|l| {
        let y = tri_solve(t, &l, &b, lower)?;
        tri_solve(t, &l, &y, upper)
    });
    done(args, r)
}

/// `lu(a) -> (p, l, u)` with `a = p @ l @ u`, as `jax.scipy.linalg.lu`, for
/// `a` `[.., m, n]`: `p` `[.., m, m]`, `l` `[.., m, k]`, `u` `[.., k, n]`.
fn lu(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, batch) = decomposed(ev, args, false, true)?;
    call_batched(ev, "lu", vec![a], &batch, args.call)
}

/// `inv(a)`: the inverse of a square matrix, by LU (NaN if it is singular).
fn inv(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, batch) = decomposed(ev, args, true, true)?;
    let name = if a.dtype().is_complex() {
        "inv_complex"
    } else {
        "inv"
    };
    call_batched(ev, name, vec![a], &batch, args.call)
}

/// `det(a)`: the determinant of a square matrix, from its LU factors.
fn det(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, batch) = decomposed(ev, args, true, true)?;
    call_batched(ev, "det", vec![a], &batch, args.call)
}

/// `slogdet(a) -> (sign, logabsdet)`, as NumPy.
fn slogdet(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, batch) = decomposed(ev, args, true, true)?;
    call_batched(ev, "slogdet", vec![a], &batch, args.call)
}

/// `eigh(a) -> (w, v)` for a real symmetric matrix: eigenvalues ascending.
fn eigh(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, batch) = decomposed(ev, args, true, false)?;
    call_batched(ev, "eigh", vec![a], &batch, args.call)
}

/// `eigvals(a)`: the (complex) eigenvalues of a square matrix.
fn eigvals(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, batch) = general_eigen(ev, args)?;
    call_batched(ev, "eigvals", vec![a], &batch, args.call)
}

/// `eig(a) -> (w, v)`: complex eigenvalues and unit eigenvectors, as
/// `numpy.linalg.eig`.
fn eig(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, batch) = general_eigen(ev, args)?;
    call_batched(ev, "eig", vec![a], &batch, args.call)
}

/// `svd(a, full_matrices = true, compute_uv = true)`: `(u, s, vh)` with
/// `a = u[.., :, :k] * s @ vh[.., :k, :]`, `s` descending, as
/// `numpy.linalg.svd`; just `s` when `compute_uv` is false.
fn svd(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (full, compute_uv) = (args.bool(1)?, args.bool(2)?);
    let (a, batch) = decomposed(ev, args, false, false)?;
    let (m, n) = (a.shape()[a.rank() - 2], a.shape()[a.rank() - 1]);
    if !compute_uv {
        return call_batched(ev, "svd_values", vec![a], &batch, args.call);
    }
    let out = call_batched(ev, "svd", vec![a], &batch, args.call)?;
    let Value::Tuple(parts) = &out else {
        return Err(Diagnostic::internal("`svd` did not return a tuple"));
    };
    let [u, s, vh] = parts.as_slice() else {
        return Err(Diagnostic::internal("`svd` did not return three values"));
    };
    if full {
        return Ok(out.clone());
    }
    let k = m.min(n);
    let t = &mut ev.tracer;
    let u = leading(t, u, &batch, &[m, k])?;
    let vh = leading(t, vh, &batch, &[k, n])?;
    Ok(Value::Tuple(Rc::new(vec![u, s.clone(), vh])))
}

/// The leading `[.., size[0], size[1]]` block of a batch of matrices.
fn leading(t: &mut Tracer, x: &Value, batch: &[usize], size: &[usize]) -> Result<Value> {
    let Value::Arr(x) = x else {
        return Err(Diagnostic::internal("expected an array"));
    };
    let start = vec![0; x.rank()];
    let limit = [batch, size].concat();
    let stride = vec![1; x.rank()];
    util::slice(t, x, start, limit, stride).map(Value::Arr)
}

/// The float dtype an array of `d` is computed in (integers and bools as `f32`).
fn inexact(d: DType) -> DType {
    if d.is_inexact() {
        d
    } else {
        DType::F32
    }
}

/// Checks that argument `i` is a batch of matrices `[.., m, n]` (square if
/// asked); returns `(m, n)`.
fn matrices(args: &Args, i: usize, x: &Arr, square: bool) -> Result<(usize, usize)> {
    let r = x.rank();
    if r < 2 || (square && x.shape()[r - 1] != x.shape()[r - 2]) {
        let what = if square {
            "square matrices ([.., n, n])"
        } else {
            "matrices ([.., m, n])"
        };
        return Err(args.error(
            i,
            format!("`{}` expects {}, got {}", args.name, what, x.ty()),
        ));
    }
    Ok((x.shape()[r - 2], x.shape()[r - 1]))
}

/// Argument 0 checked (square if asked) and converted to its float dtype
/// (complex only where `complex` allows), and its batch dims.
fn decomposed(
    ev: &mut Evaluator,
    args: &Args,
    square: bool,
    complex: bool,
) -> Result<(Arr, Vec<usize>)> {
    let a = args.arr(0)?;
    matrices(args, 0, &a, square)?;
    let t = &mut ev.tracer;
    if a.dtype().is_complex() && !complex {
        return Err(args
            .error(
                0,
                format!("`{}` is for real matrices, got {}", args.name, a.ty()),
            )
            .with_hint("`eig` gives the eigenvalues and eigenvectors of a complex matrix"));
    }
    let a = util::to_float(t, &ops::materialize(&a))?;
    let a = ops::cast(t, &a, inexact(a.dtype()))?;
    let batch = a.shape()[..a.rank() - 2].to_vec();
    Ok((a, batch))
}

/// Argument 0 of `eig`/`eigvals`, square, as a complex matrix of its
/// precision: `c64` for `f32` (or integer) input, `c128` for `f64`.
fn general_eigen(ev: &mut Evaluator, args: &Args) -> Result<(Arr, Vec<usize>)> {
    let (a, batch) = decomposed(ev, args, true, true)?;
    let complex = match a.dtype() {
        DType::F64 | DType::C128 => DType::C128,
        _ => DType::C64,
    };
    let a = ops::cast(&mut ev.tracer, &a, complex)?;
    Ok((a, batch))
}

/// The function `name` of `stdlib/eigen.nest` (the eigenvalue and singular
/// value routines) or `stdlib/dense.nest` (the LU family).
fn dense(ev: &mut Evaluator, name: &str, span: Span) -> Result<Value> {
    let module = match name.trim_end_matches("_empty") {
        "eigh" | "eig" | "eigvals" | "svd" | "svd_values" => "eigen",
        _ => "dense",
    };
    ev.load_std(module, span)?
        .get(name)
        .ok_or_else(|| Diagnostic::internal(format!("stdlib/{}.nest has no `{}`", module, name)))
}

/// Calls `dense.name` on arrays whose leading `batch` dims index a batch of
/// problems: directly when there are none, else under `vmap` over those
/// dims flattened into one, reshaped back afterwards.
fn call_batched(
    ev: &mut Evaluator,
    name: &str,
    args: Vec<Arr>,
    batch: &[usize],
    span: Span,
) -> Result<Value> {
    let name = match args
        .first()
        .map(|a| &a.shape()[a.rank().saturating_sub(2)..])
    {
        Some([m, n]) if *m == 0 || *n == 0 => {
            format!("{}_empty", name.trim_end_matches("_complex"))
        }
        _ => name.to_string(),
    };
    let f = dense(ev, &name, span)?;
    if batch.is_empty() {
        let pos = args.into_iter().map(|a| (Value::Arr(a), span)).collect();
        return ev.call(&f, pos, vec![], span);
    }
    let size: usize = batch.iter().product();
    let mut flat = vec![];
    for a in &args {
        let rest = &a.shape()[batch.len()..];
        flat.push(Value::Arr(ops::reshape(
            &mut ev.tracer,
            a,
            &[&[size], rest].concat(),
        )?));
    }
    let axes = Axes::All(Some(0));
    let out = ev.vmap_call(&f, &axes, &axes, flat, span)?;
    let t = &mut ev.tracer;
    map_arrays(&out, &mut |x| {
        ops::reshape(t, x, &[batch, &x.shape()[1..]].concat())
    })
    .map_err(|e| e.or_span(span))
}
