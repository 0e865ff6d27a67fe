//! The array layer over the primitives, with NumPy semantics: dtype
//! promotion with weak literals, broadcasting, and the operators of the
//! language. Builtins and the evaluator build everything from these.
//!
//! Every function works on concrete and traced arrays alike: the tracer
//! decides whether a primitive runs now or is recorded.

use super::tracer::Tracer;
use super::value::{convert_scalar, Arr};
use crate::diag::{Diagnostic, Result};
use crate::prims::{
    Binary, Broadcast, Compare, Convert, DotGeneral, Reduce, Reshape, Select, StopGradient,
    Transpose, Unary,
};
use crate::prims::{BinaryOp, Cmp, Prim, ReduceOp, UnaryOp};
use crate::types::{DType, Shape, ShapeDisplay, Weak};

mod exact;
use exact::{check_literal_arith, check_literal_fits, check_literal_unary, check_negative_power};
pub use exact::{is_literal_range_error, literal_range_error};

/// Wraps a primitive's own error message.
fn prim_err(msg: String) -> Diagnostic {
    Diagnostic::new(msg)
}

pub fn apply1(t: &mut Tracer, prim: Prim, inputs: &[Arr]) -> Result<Arr> {
    t.apply1(prim, inputs).map_err(prim_err)
}

/// The payload dtype weak literals compute in.
fn weak_payload(w: Weak) -> DType {
    match w {
        Weak::Int => DType::I64,
        Weak::Float => DType::F64,
        Weak::Complex => DType::C128,
    }
}

fn weak_rank(w: Weak) -> u8 {
    match w {
        Weak::Int => 0,
        Weak::Float => 1,
        Weak::Complex => 2,
    }
}

/// The dtype two operands meet at, and whether the result stays weak.
pub fn promote(a: &Arr, b: &Arr) -> (DType, Option<Weak>) {
    join_kinds(kind(a), kind(b))
}

/// An operand's dtype (the payload dtype for a weak literal) and weakness.
fn kind(a: &Arr) -> (DType, Option<Weak>) {
    match a.weak() {
        Some(w) => (weak_payload(w), Some(w)),
        None => (a.dtype(), None),
    }
}

fn join_kinds(a: (DType, Option<Weak>), b: (DType, Option<Weak>)) -> (DType, Option<Weak>) {
    match (a.1, b.1) {
        (Some(x), Some(y)) => {
            let w = if weak_rank(x) >= weak_rank(y) { x } else { y };
            (weak_payload(w), Some(w))
        }
        (Some(w), None) => (w.with(b.0), None),
        (None, Some(w)) => (w.with(a.0), None),
        (None, None) => (a.0.join(b.0), None),
    }
}

/// Converts to `dtype` (a no-op when it already is).
pub fn cast(t: &mut Tracer, a: &Arr, dtype: DType) -> Result<Arr> {
    check_literal_fits(a, dtype)?;
    match a {
        Arr::Const {
            value,
            weak: Some(_),
        } => Ok(Arr::new(convert_scalar(value, dtype))),
        _ if a.dtype() == dtype => Ok(a.clone()),
        _ => apply1(t, Prim::new(Convert(dtype)), std::slice::from_ref(a)),
    }
}

/// Keeps a weak literal weak through a conversion to its payload dtype.
fn cast_keep_weak(t: &mut Tracer, a: &Arr, dtype: DType, weak: Option<Weak>) -> Result<Arr> {
    check_literal_fits(a, dtype)?;
    match (a, weak) {
        (
            Arr::Const {
                value,
                weak: Some(_),
            },
            Some(w),
        ) => Ok(Arr::Const {
            value: convert_scalar(value, dtype),
            weak: Some(w),
        }),
        _ => cast(t, a, dtype),
    }
}

/// NumPy broadcasting of two shapes.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Shape> {
    let rank = a.len().max(b.len());
    let mut out = vec![0; rank];
    for i in 0..rank {
        let da = if i + a.len() >= rank {
            a[i + a.len() - rank]
        } else {
            1
        };
        let db = if i + b.len() >= rank {
            b[i + b.len() - rank]
        } else {
            1
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(Diagnostic::new(format!(
                    "shapes {} and {} cannot be broadcast together",
                    ShapeDisplay(a),
                    ShapeDisplay(b)
                ))
                .with_hint(format!(
                    "dimension {} is {} in one and {} in the other",
                    i, da, db
                )))
            }
        };
    }
    Ok(out)
}

/// Broadcasts `a` to `shape` (NumPy rules: trailing dims align).
pub fn broadcast_to(t: &mut Tracer, a: &Arr, shape: &[usize]) -> Result<Arr> {
    if a.shape() == shape {
        return Ok(a.clone());
    }
    let target = broadcast_shapes(a.shape(), shape)?;
    if target != shape {
        return Err(Diagnostic::new(format!(
            "cannot broadcast {} to shape {}",
            a.ty(),
            ShapeDisplay(shape)
        )));
    }
    let offset = shape.len() - a.rank();
    let dims = (offset..shape.len()).collect();
    let a = materialize(a);
    apply1(
        t,
        Prim::new(Broadcast {
            shape: shape.to_vec(),
            dims,
        }),
        &[a],
    )
}

/// A weak literal turned into an ordinary array of its default dtype.
pub fn materialize(a: &Arr) -> Arr {
    match a {
        Arr::Const { weak: Some(_), .. } => a.concrete().map(Arr::new).unwrap_or_else(|| a.clone()),
        _ => a.clone(),
    }
}

/// Promotes and broadcasts operands to a common dtype and shape.
pub fn coerce(t: &mut Tracer, args: &[&Arr]) -> Result<(Vec<Arr>, Option<Weak>)> {
    let mut k = kind(args[0]);
    let mut shape = args[0].shape().to_vec();
    for b in &args[1..] {
        k = join_kinds(k, kind(b));
        shape = broadcast_shapes(&shape, b.shape())?;
    }
    let (dtype, weak) = k;
    let mut out = vec![];
    for a in args {
        let c = cast_keep_weak(t, a, dtype, weak)?;
        out.push(if weak.is_some() {
            c
        } else {
            broadcast_to(t, &c, &shape)?
        });
    }
    Ok((out, weak))
}

fn rewrap(a: Arr, weak: Option<Weak>) -> Arr {
    match (a, weak) {
        (Arr::Const { value, .. }, Some(w)) => Arr::Const {
            value,
            weak: Some(w),
        },
        (a, _) => a,
    }
}

/// Operands that are all weak literals, as plain arrays of their payload
/// dtype (f64, i64, c128), so that literal arithmetic computes at that
/// precision, as Python scalars do (`1.0 - 0.999` is the f64 difference, not
/// the f32 one); the caller makes the result weak again.
fn computed_at_payload(args: Vec<Arr>, weak: Option<Weak>) -> Vec<Arr> {
    if weak.is_none() {
        return args;
    }
    args.into_iter()
        .map(|a| match a {
            Arr::Const { value, .. } => Arr::new(value),
            a => a,
        })
        .collect()
}

/// An elementwise binary primitive with promotion and broadcasting.
pub fn binary(t: &mut Tracer, op: BinaryOp, a: &Arr, b: &Arr) -> Result<Arr> {
    let (args, weak) = coerce(t, &[a, b])?;
    let args = computed_at_payload(args, weak);
    if weak == Some(Weak::Int) {
        check_literal_arith(op, &args)?;
    }
    let r = apply1(t, Prim::new(Binary(op)), &args).map_err(|e| {
        Diagnostic::new(format!(
            "`{}` is not defined for {} and {}",
            op.name(),
            a.ty(),
            b.ty()
        ))
        .with_hint(e.message)
    })?;
    Ok(rewrap(r, weak))
}

pub fn unary(t: &mut Tracer, op: UnaryOp, a: &Arr) -> Result<Arr> {
    let weak = a.weak();
    let x = match weak {
        Some(w) => cast_keep_weak(t, a, weak_payload(w), weak)?,
        None => a.clone(),
    };
    let x = match x {
        Arr::Const { value, .. } => Arr::new(value),
        x => x,
    };
    if weak == Some(Weak::Int) {
        check_literal_unary(op, &x)?;
    }
    // Transcendental functions of an integer array compute in f32, as in NumPy/JAX.
    let x = if x.dtype().is_int() && op.float_only() {
        cast(t, &x, DType::F32)?
    } else {
        x
    };
    let r = apply1(t, Prim::new(Unary(op)), &[x]).map_err(|e| {
        Diagnostic::new(format!("`{}` is not defined for {}", op.name(), a.ty()))
            .with_hint(e.message)
    })?;
    Ok(rewrap(
        r,
        weak.filter(|w| *w != Weak::Int || !op.float_only()),
    ))
}

pub fn compare(t: &mut Tracer, c: Cmp, a: &Arr, b: &Arr) -> Result<Arr> {
    let (args, weak) = coerce(t, &[a, b])?;
    let args = computed_at_payload(args, weak);
    apply1(t, Prim::new(Compare(c)), &args).map_err(|e| {
        Diagnostic::new(format!("cannot compare {} and {}", a.ty(), b.ty())).with_hint(e.message)
    })
}

/// `where(c, a, b)` with broadcasting of all three.
pub fn select(t: &mut Tracer, c: &Arr, a: &Arr, b: &Arr) -> Result<Arr> {
    if c.dtype() != DType::Bool {
        return Err(Diagnostic::new(format!(
            "the condition of `where` must be bool, got {}",
            c.ty()
        )));
    }
    let (ab, _) = coerce(t, &[a, b])?;
    let shape = broadcast_shapes(&broadcast_shapes(c.shape(), ab[0].shape())?, ab[1].shape())?;
    let c = broadcast_to(t, c, &shape)?;
    let x = broadcast_to(t, &materialize(&ab[0]), &shape)?;
    let y = broadcast_to(t, &materialize(&ab[1]), &shape)?;
    apply1(t, Prim::new(Select), &[c, x, y])
}

/// `a / b`: true division (integers divide as f32).
pub fn div(t: &mut Tracer, a: &Arr, b: &Arr) -> Result<Arr> {
    let (d, w) = promote(a, b);
    if d.is_inexact() {
        return binary(t, BinaryOp::Div, a, b);
    }
    let target = if w.is_some() { DType::F64 } else { DType::F32 };
    let a2 = cast_keep_weak(t, a, target, w.map(|_| Weak::Float))?;
    let b2 = cast_keep_weak(t, b, target, w.map(|_| Weak::Float))?;
    binary(t, BinaryOp::Div, &a2, &b2)
}

/// `a % b`: the remainder with the sign of the divisor, as NumPy's `%`.
pub fn floor_mod(t: &mut Tracer, a: &Arr, b: &Arr) -> Result<Arr> {
    let r = binary(t, BinaryOp::Rem, a, b)?;
    if r.dtype() == DType::U32 || r.dtype().is_complex() {
        return Ok(r);
    }
    let zero = Arr::weak_int(0);
    let nonzero = compare(t, Cmp::Ne, &r, &zero)?;
    let r_neg = compare(t, Cmp::Lt, &r, &zero)?;
    let b_neg = compare(t, Cmp::Lt, b, &zero)?;
    let signs_differ = binary(t, BinaryOp::Xor, &r_neg, &b_neg)?;
    let fix = binary(t, BinaryOp::And, &nonzero, &signs_differ)?;
    let shifted = binary(t, BinaryOp::Add, &r, b)?;
    let out = select(t, &fix, &shifted, &r)?;
    Ok(rewrap(out, r.weak()))
}

/// `a // b`: floor division, as NumPy's `floor_divide`, elementwise with
/// promotion and broadcasting; integer on integers. Not for bool or complex
/// operands (NumPy has no complex `//`; nest has no `int8` for bool's). The
/// result has no derivative (its tangent is zero, as in JAX).
pub fn floor_div(t: &mut Tracer, a: &Arr, b: &Arr) -> Result<Arr> {
    let (d, _) = promote(a, b);
    if d.is_complex() || d.is_bool() {
        return Err(
            Diagnostic::new(format!("`//` is not defined for {} and {}", a.ty(), b.ty()))
                .with_hint(match d.is_bool() {
                    true => "cast to an integer dtype first: `cast(x, i32) // y`",
                    false => "floor division needs real operands; take `real(x)` first",
                }),
        );
    }
    let (args, weak) = coerce(t, &[a, b])?;
    let args = computed_at_payload(args, weak);
    let mut xy = vec![];
    for x in &args {
        xy.push(apply1(t, Prim::new(StopGradient), std::slice::from_ref(x))?);
    }
    let r = match d.is_int() {
        true => int_floor_div(t, &xy[0], &xy[1])?,
        false => float_floor_div(t, &xy[0], &xy[1])?,
    };
    Ok(rewrap(r, weak))
}

/// Integer `x // y` as `jax.numpy.floor_divide` computes it: the truncated
/// quotient `q`, less 1 where `sign(x) != sign(y)` and `x % y != 0` (where
/// the exact quotient is negative and not whole). Division by zero gives
/// what that formula makes of XLA's `x / 0 = -1`, `x % 0 = x`: `-1` for
/// `x = 0`, `-2` otherwise.
fn int_floor_div(t: &mut Tracer, x: &Arr, y: &Arr) -> Result<Arr> {
    let q = binary(t, BinaryOp::Div, x, y)?;
    if q.dtype() == DType::U32 {
        return Ok(q);
    }
    let r = binary(t, BinaryOp::Rem, x, y)?;
    let (sx, sy) = (unary(t, UnaryOp::Sign, x)?, unary(t, UnaryOp::Sign, y)?);
    let differ = compare(t, Cmp::Ne, &sx, &sy)?;
    let inexact = compare(t, Cmp::Ne, &r, &Arr::weak_int(0))?;
    let fix = binary(t, BinaryOp::And, &differ, &inexact)?;
    let q1 = binary(t, BinaryOp::Sub, &q, &Arr::weak_int(1))?;
    select(t, &fix, &q1, &q)
}

/// Float `x // y` as NumPy's `npy_floor_divide`: with `m = fmod(x, y)`,
/// `(x - m) / y` is nearly a whole number; it drops by 1 where `m` and `y`
/// differ in sign (Python's remainder convention), then snaps to the
/// nearest whole number below (`floor`, plus 1 past one half). A zero
/// quotient takes the sign of `x / y`, and `y = 0` gives `x / y` (±inf, NaN).
fn float_floor_div(t: &mut Tracer, x: &Arr, y: &Arr) -> Result<Arr> {
    let zero = Arr::weak_int(0);
    let m = binary(t, BinaryOp::Rem, x, y)?;
    let xm = binary(t, BinaryOp::Sub, x, &m)?;
    let div = binary(t, BinaryOp::Div, &xm, y)?;
    let m_nonzero = compare(t, Cmp::Ne, &m, &zero)?;
    let y_neg = compare(t, Cmp::Lt, y, &zero)?;
    let m_neg = compare(t, Cmp::Lt, &m, &zero)?;
    let signs_differ = binary(t, BinaryOp::Xor, &y_neg, &m_neg)?;
    let fix = binary(t, BinaryOp::And, &m_nonzero, &signs_differ)?;
    let div1 = binary(t, BinaryOp::Sub, &div, &Arr::weak_int(1))?;
    let div = select(t, &fix, &div1, &div)?;
    let floor = unary(t, UnaryOp::Floor, &div)?;
    let frac = binary(t, BinaryOp::Sub, &div, &floor)?;
    let up = compare(t, Cmp::Gt, &frac, &Arr::weak_float(0.5))?;
    let floor1 = binary(t, BinaryOp::Add, &floor, &Arr::weak_int(1))?;
    let snapped = select(t, &up, &floor1, &floor)?;
    let q = binary(t, BinaryOp::Div, x, y)?;
    // copysign(0, q) = sign(q) * 0 (sign keeps a signed zero)
    let sq = unary(t, UnaryOp::Sign, &q)?;
    let signed_zero = binary(t, BinaryOp::Mul, &sq, &zero)?;
    let div_zero = compare(t, Cmp::Eq, &div, &zero)?;
    let r = select(t, &div_zero, &signed_zero, &snapped)?;
    let y_zero = compare(t, Cmp::Eq, y, &zero)?;
    select(t, &y_zero, &q, &r)
}

/// `&&`, `||` on bool arrays.
pub fn logical(t: &mut Tracer, op: BinaryOp, a: &Arr, b: &Arr, symbol: &str) -> Result<Arr> {
    for x in [a, b] {
        if x.dtype() != DType::Bool {
            return Err(Diagnostic::new(format!(
                "`{}` needs bool operands, got {}",
                symbol,
                x.ty()
            ))
            .with_hint("compare first, e.g. `x > 0.0`"));
        }
    }
    binary(t, op, a, b)
}

/// `!a` on bool arrays.
pub fn not(t: &mut Tracer, a: &Arr) -> Result<Arr> {
    if a.dtype() != DType::Bool {
        return Err(Diagnostic::new(format!(
            "`!` needs a bool operand, got {}",
            a.ty()
        )));
    }
    apply1(t, Prim::new(Unary(UnaryOp::Not)), std::slice::from_ref(a))
}

/// `-a`.
pub fn neg(t: &mut Tracer, a: &Arr) -> Result<Arr> {
    if a.dtype() == DType::Bool {
        return Err(Diagnostic::new(format!("cannot negate {}", a.ty())));
    }
    unary(t, UnaryOp::Neg, a)
}

/// `a ** b`. An integer power with a known negative exponent is an error,
/// as in NumPy and JAX; a traced one gives the primitive's value.
pub fn pow(t: &mut Tracer, a: &Arr, b: &Arr) -> Result<Arr> {
    check_negative_power(a, b)?;
    binary(t, BinaryOp::Pow, a, b)
}

pub fn reshape(t: &mut Tracer, a: &Arr, shape: &[usize]) -> Result<Arr> {
    if a.shape() == shape {
        return Ok(a.clone());
    }
    let size: usize = shape.iter().product();
    if size != a.shape().iter().product::<usize>() {
        return Err(Diagnostic::new(format!(
            "cannot reshape {} to {}",
            a.ty(),
            ShapeDisplay(shape)
        ))
        .with_hint("the number of elements must stay the same"));
    }
    apply1(
        t,
        Prim::new(Reshape {
            shape: shape.to_vec(),
        }),
        &[materialize(a)],
    )
}

pub fn transpose(t: &mut Tracer, a: &Arr, perm: &[usize]) -> Result<Arr> {
    if perm.iter().enumerate().all(|(i, p)| i == *p) && perm.len() == a.rank() {
        return Ok(a.clone());
    }
    apply1(
        t,
        Prim::new(Transpose {
            perm: perm.to_vec(),
        }),
        &[materialize(a)],
    )
}

/// Reduces over `axes` (any order, already normalized to be in range).
pub fn reduce(
    t: &mut Tracer,
    op: ReduceOp,
    a: &Arr,
    axes: &[usize],
    keepdims: bool,
) -> Result<Arr> {
    let mut axes = axes.to_vec();
    axes.sort_unstable();
    axes.dedup();
    let r = apply1(
        t,
        Prim::new(Reduce {
            op,
            axes: axes.clone(),
        }),
        &[materialize(a)],
    )?;
    if !keepdims {
        return Ok(r);
    }
    let shape: Shape = a
        .shape()
        .iter()
        .enumerate()
        .map(|(i, d)| if axes.contains(&i) { 1 } else { *d })
        .collect();
    reshape(t, &r, &shape)
}

/// A scalar of `dtype`.
pub fn scalar(dtype: DType, v: f64) -> Arr {
    Arr::new(crate::tensor::Tensor::scalar_of(dtype, v))
}

/// NumPy `matmul`.
pub fn matmul(t: &mut Tracer, a: &Arr, b: &Arr) -> Result<Arr> {
    if a.rank() == 0 || b.rank() == 0 {
        return Err(Diagnostic::new(format!(
            "`@` needs arrays of rank >= 1, got {} and {}",
            a.ty(),
            b.ty()
        ))
        .with_hint("use `*` to multiply by a scalar"));
    }
    let (args, _) = coerce_dtype(t, a, b)?;
    let (x, y) = (args.0, args.1);
    let (rx, ry) = (x.rank(), y.rank());
    // The contracted axes: the last of `a`, and the first of a vector `b`,
    // else the next to last of `b`.
    let (kx, ky) = (rx - 1, if ry == 1 { 0 } else { ry - 2 });
    let (k1, k2) = (x.shape()[kx], y.shape()[ky]);
    if k1 != k2 {
        return Err(Diagnostic::new(format!(
            "matmul of {} and {}: inner dimensions {} and {} differ",
            a.ty(),
            b.ty(),
            k1,
            k2
        )));
    }
    // A vector operand is contracted as it is (no reshape to `1×k` or
    // `k×1`): `dot_general` with no batch axes gives the other operand's
    // free axes, batch axes included, in NumPy's order (`[..., n]` for
    // `A @ v`, `[..., m]` for `v @ B`).
    if rx == 1 || ry == 1 {
        let prim = Prim::new(DotGeneral {
            lhs_batch: vec![],
            rhs_batch: vec![],
            lhs_contract: vec![kx],
            rhs_contract: vec![ky],
        });
        return apply1(t, prim, &[x, y]);
    }
    let (n, m) = (x.shape()[rx - 2], y.shape()[ry - 1]);
    let batch = broadcast_shapes(&x.shape()[..rx - 2], &y.shape()[..ry - 2])?;
    let nb = batch.len();
    let x = broadcast_to(t, &x, &[batch.clone(), vec![n, k1]].concat())?;
    let y = broadcast_to(t, &y, &[batch.clone(), vec![k2, m]].concat())?;
    let bdims: Vec<usize> = (0..nb).collect();
    let prim = Prim::new(DotGeneral {
        lhs_batch: bdims.clone(),
        rhs_batch: bdims,
        lhs_contract: vec![nb + 1],
        rhs_contract: vec![nb],
    });
    apply1(t, prim, &[x, y])
}

/// Promotes two operands to a common dtype without broadcasting.
pub fn coerce_dtype(t: &mut Tracer, a: &Arr, b: &Arr) -> Result<((Arr, Arr), DType)> {
    let (d, w) = promote(a, b);
    let d = if w.is_some() {
        w.map(Weak::default_dtype).unwrap_or(d)
    } else {
        d
    };
    Ok(((cast(t, a, d)?, cast(t, b, d)?), d))
}
