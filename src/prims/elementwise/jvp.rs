//! JVP rules of the elementwise primitives. Notation: `x`, `y` are the
//! primal operands, `z` (or `y` for a unary op) the primal result, `t`, `tx`,
//! `ty` the input tangents; a missing tangent is a symbolic zero and adds no
//! IR. Rules emit IR through the builder and never compute numbers.

use super::{BinaryOp, Cmp, UnaryOp};
use crate::ir::Atom;
use crate::ir::Builder;
use crate::ir::PrimError;
use crate::prims::build::tangent_or_zero;
use crate::prims::build::Build;
use crate::prims::JvpResult;
use crate::types::{DType, TensorType};

type R<T> = crate::ir::RuleResult<T>;

/// Input `i` of a rule (primal or output).
fn nth(atoms: &[Atom], i: usize) -> R<&Atom> {
    atoms
        .get(i)
        .ok_or_else(|| PrimError::internal(format!("missing operand {}", i)))
}

/// The tangent of input `i` (`None`: a symbolic zero).
fn tangent(ts: &[Option<Atom>], i: usize) -> Option<&Atom> {
    ts.get(i).and_then(Option::as_ref)
}

/// The constant `v` at every element of `ty`.
fn full(b: &mut Builder, ty: &TensorType, v: f64) -> R<Atom> {
    let c = b.scalar(ty.dtype, v);
    b.broadcast_scalar(&c, &ty.shape)
}

/// `p + q` where either may be a symbolic zero.
pub(super) fn plus(b: &mut Builder, p: Option<Atom>, q: Option<Atom>) -> R<Option<Atom>> {
    match (p, q) {
        (Some(p), Some(q)) => Ok(Some(b.add(&p, &q)?)),
        (p, q) => Ok(p.or(q)),
    }
}

/// `t * f` for a present tangent.
fn scale(b: &mut Builder, t: Option<&Atom>, f: &Atom) -> R<Option<Atom>> {
    t.map(|t| b.mul(t, f)).transpose()
}

/// `x` where `x != 0`, else 1: a denominator that is safe to divide by
/// where the caller selects (or knows) a zero result, so that no NaN
/// reaches a later transposition either.
fn replace_zero(b: &mut Builder, x: &Atom) -> R<Atom> {
    let zero = b.scalar(x.ty().dtype, 0.0);
    let one = b.scalar(x.ty().dtype, 1.0);
    let is_zero = b.compare(Cmp::Eq, x, &zero)?;
    b.select(&is_zero, &one, x)
}

/// The tangent of `y = op(x)` is the op's row's rule (`unary.rs`).
pub fn jvp_unary(
    op: UnaryOp,
    b: &mut Builder,
    primals: &[Atom],
    outs: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let (x, y) = (nth(primals, 0)?, nth(outs, 0)?);
    match tangent(tangents, 0) {
        Some(t) if y.ty().dtype.is_inexact() => Ok(vec![(op.spec().jvp)(b, x, y, t)?]),
        _ => Ok(vec![None]),
    }
}

/// `y = x^(-1/2)`: `dy = -1/2 x^(-3/2) t = -t y / (2x)`.
pub(super) fn rsqrt_tangent(b: &mut Builder, x: &Atom, y: &Atom, t: &Atom) -> R<Atom> {
    let q = b.div(y, x)?;
    let tq = b.mul(t, &q)?;
    let half = b.scalar(x.ty().dtype, -0.5);
    b.mul(&tq, &half)
}

/// `y = |x| = sqrt(x conj(x))`: `dy = re(conj(x) t) / |x|`, a real tangent.
/// At `x = 0` the numerator is exactly 0 and the denominator is replaced by
/// 1, giving 0 (as JAX does).
pub(super) fn complex_abs_tangent(b: &mut Builder, x: &Atom, y: &Atom, t: &Atom) -> R<Atom> {
    let cx = b.unary(UnaryOp::Conj, x)?;
    let p = b.mul(&cx, t)?;
    let re = b.unary(UnaryOp::Real, &p)?;
    let den = replace_zero(b, y)?;
    b.div(&re, &den)
}

/// `s = x / |x|`: `ds = t/|x| - x d|x| / |x|² = (t - s re(conj(s) t)) / |x|`,
/// and since `t = s conj(s) t` for `|s| = 1`, `ds = i s im(conj(s) t) / |x|`:
/// the tangent turns `s` along the unit circle. At `x = 0` (where `s = 0`)
/// this gives 0.
pub(super) fn complex_sign_tangent(b: &mut Builder, x: &Atom, s: &Atom, t: &Atom) -> R<Atom> {
    let cs = b.unary(UnaryOp::Conj, s)?;
    let p = b.mul(&cs, t)?;
    let im = b.unary(UnaryOp::Imag, &p)?;
    let r = b.unary(UnaryOp::Abs, x)?;
    let den = replace_zero(b, &r)?;
    let q = b.div(&im, &den)?;
    let zero = b.zeros(&q.ty())?;
    let iq = b.binary(BinaryOp::Complex, &zero, &q)?;
    b.mul(s, &iq)
}

pub fn jvp_binary(
    op: BinaryOp,
    b: &mut Builder,
    primals: &[Atom],
    outs: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let (x, y, z) = (nth(primals, 0)?, nth(primals, 1)?, nth(outs, 0)?);
    let (tx, ty) = (tangent(tangents, 0), tangent(tangents, 1));
    if !z.ty().dtype.is_inexact() || (tx.is_none() && ty.is_none()) {
        return Ok(vec![None]);
    }
    Ok(vec![(op.spec().jvp)(b, [x, y, z], tx, ty)?])
}

/// `z = x / y`: `dz = tx / y - x ty / y² = (tx - z ty) / y`.
pub(super) fn div_tangent(
    b: &mut Builder,
    y: &Atom,
    z: &Atom,
    tx: Option<&Atom>,
    ty: Option<&Atom>,
) -> R<Atom> {
    let num = match (tx, ty) {
        (Some(tx), None) => tx.clone(),
        (Some(tx), Some(ty)) => {
            let zt = b.mul(z, ty)?;
            b.sub(tx, &zt)?
        }
        (None, Some(ty)) => {
            let zt = b.mul(z, ty)?;
            b.neg(&zt)?
        }
        (None, None) => return Err(PrimError::internal("div has no tangent")),
    };
    b.div(&num, y)
}

/// `z = x^y = exp(y log x)`: `dz = tx y x^(y-1) + ty log(x) z`. As in JAX,
/// the `tx` factor is 0 where `y = 0` (`x^0 = 1` is constant, even at
/// `x = 0` where `x^(y-1)` is infinite), and the `ty` factor takes
/// `log(1) = 0` where `x = 0` (where `z = 0^y` is 0 or 1 and the one-sided
/// derivative in `y` is 0 for `y > 0`).
pub(super) fn pow_tangent(
    b: &mut Builder,
    x: &Atom,
    y: &Atom,
    z: &Atom,
    tx: Option<&Atom>,
    ty: Option<&Atom>,
) -> R<Option<Atom>> {
    let d = x.ty().dtype;
    let p = match tx {
        Some(tx) => {
            let (zero, one) = (b.scalar(d, 0.0), b.scalar(d, 1.0));
            let ym1 = b.sub(y, &one)?;
            let xp = b.binary(BinaryOp::Pow, x, &ym1)?;
            let ys = replace_zero(b, y)?;
            let jac = b.mul(&ys, &xp)?;
            let y0 = b.compare(Cmp::Eq, y, &zero)?;
            let jac = b.select(&y0, &zero, &jac)?;
            Some(b.mul(tx, &jac)?)
        }
        None => None,
    };
    let q = match ty {
        Some(ty) => {
            let xs = replace_zero(b, x)?;
            let lx = b.unary(UnaryOp::Log, &xs)?;
            let jac = b.mul(&lx, z)?;
            Some(b.mul(ty, &jac)?)
        }
        None => None,
    };
    plus(b, p, q)
}

/// `max` (`win = gt`, `lose = lt`) or `min` (`lt`, `gt`): the tangent of
/// the operand that is selected, `w tx + (1 - w) ty` with `w` 1 where `x`
/// wins, 0 where it loses, and 1/2 on ties (so the tangent is the mean of
/// the one-sided derivatives, as in JAX). Where an operand is NaN neither
/// wins, so the tangent is also the mean.
pub(super) fn extreme_tangent(
    b: &mut Builder,
    (win, lose): (Cmp, Cmp),
    x: &Atom,
    y: &Atom,
    tx: Option<&Atom>,
    ty: Option<&Atom>,
) -> R<Option<Atom>> {
    let d = x.ty().dtype;
    let (zero, one) = (b.scalar(d, 0.0), b.scalar(d, 1.0));
    let half = full(b, &x.ty(), 0.5)?;
    let x_loses = b.compare(lose, x, y)?;
    let w = b.select(&x_loses, &zero, &half)?;
    let x_wins = b.compare(win, x, y)?;
    let w = b.select(&x_wins, &one, &w)?;
    let p = scale(b, tx, &w)?;
    let q = match ty {
        Some(ty) => {
            let wy = b.sub(&one, &w)?;
            Some(b.mul(ty, &wy)?)
        }
        None => None,
    };
    plus(b, p, q)
}

/// `z = atan2(x, y)` (the angle of the point `(y, x)`):
/// `dz = (y tx - x ty) / (x² + y²)`.
pub(super) fn atan2_tangent(
    b: &mut Builder,
    x: &Atom,
    y: &Atom,
    tx: Option<&Atom>,
    ty: Option<&Atom>,
) -> R<Atom> {
    let p = scale(b, tx, y)?;
    let q = match ty {
        Some(ty) => {
            let xt = b.mul(x, ty)?;
            Some(b.neg(&xt)?)
        }
        None => None,
    };
    let num = plus(b, p, q)?.ok_or_else(|| PrimError::internal("atan2 has no tangent"))?;
    let xx = b.mul(x, x)?;
    let yy = b.mul(y, y)?;
    let den = b.add(&xx, &yy)?;
    b.div(&num, &den)
}

/// `z = x - y trunc(x / y)` (truncated remainder): away from the jumps,
/// `dz = tx - ty trunc(x / y)`, with `trunc(q) = sign(q) floor(|q|)`.
pub(super) fn rem_tangent(
    b: &mut Builder,
    x: &Atom,
    y: &Atom,
    tx: Option<&Atom>,
    ty: Option<&Atom>,
) -> R<Option<Atom>> {
    let q = match ty {
        Some(ty) => {
            let ratio = b.div(x, y)?;
            let mag = b.unary(UnaryOp::Abs, &ratio)?;
            let fl = b.unary(UnaryOp::Floor, &mag)?;
            let sg = b.unary(UnaryOp::Sign, &ratio)?;
            let n = b.mul(&sg, &fl)?;
            let tn = b.mul(ty, &n)?;
            Some(b.neg(&tn)?)
        }
        None => None,
    };
    plus(b, tx.cloned(), q)
}

/// `select(p, a, b)`: `select(p, ta, tb)`, a missing side taking zeros;
/// the predicate has no tangent.
pub fn jvp_select(
    b: &mut Builder,
    primals: &[Atom],
    _outs: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let (p, on_true, on_false) = (nth(primals, 0)?, nth(primals, 1)?, nth(primals, 2)?);
    let (ta, tb) = (tangent(tangents, 1), tangent(tangents, 2));
    if ta.is_none() && tb.is_none() {
        return Ok(vec![None]);
    }
    let ta = tangent_or_zero(b, &ta.cloned(), on_true)?;
    let tb = tangent_or_zero(b, &tb.cloned(), on_false)?;
    Ok(vec![Some(b.select(p, &ta, &tb)?)])
}

/// Conversion is linear between inexact dtypes, so the tangent is converted
/// the same way (complex to real keeps the real part); a conversion from or
/// to an integer or bool has no tangent (it is piecewise constant).
pub fn jvp_convert(
    d: DType,
    b: &mut Builder,
    primals: &[Atom],
    _outs: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let x = nth(primals, 0)?;
    match tangent(tangents, 0) {
        Some(t) if x.ty().dtype.is_inexact() && d.is_inexact() => Ok(vec![Some(b.convert(t, d)?)]),
        _ => Ok(vec![None]),
    }
}
