//! Transpose rules of the elementwise primitives. Rules emit IR through the
//! builder and never compute numbers.
//!
//! Convention (JAX's): the transpose is taken for the pairing
//! `<a, b> = Re sum(a * b)`, with no conjugate. A linear `L` has transpose
//! `Lᵀ` with `<ct, L(t)> = <Lᵀ(ct), t>`, so `x -> c * x` transposes to
//! `ct -> c * ct` on every dtype (transposition, not the adjoint), and the
//! gradient of a real function of `z = x + iy` comes out as
//! `df/dx − i df/dy`, the conjugate of the direction of steepest ascent (as
//! `jax.grad` gives it; a descent step is `z − lr·conj(g)`).

use super::{BinaryOp, UnaryOp};
use crate::ir::Atom;
use crate::ir::Builder;
use crate::ir::PrimError;
use crate::prims::build::Build;
use crate::prims::JvpResult;
use crate::types::DType;

type R<T> = crate::ir::RuleResult<T>;

/// Input `i` of a rule.
fn nth(atoms: &[Atom], i: usize) -> R<&Atom> {
    atoms
        .get(i)
        .ok_or_else(|| PrimError::internal(format!("missing operand {}", i)))
}

/// The cotangent of the single output (`None`: zero).
fn out_ct(cts: &[Option<Atom>]) -> Option<&Atom> {
    cts.first().and_then(Option::as_ref)
}

/// Whether input `i` is marked linear.
fn is_linear(linear: &[bool], i: usize) -> bool {
    linear.get(i).copied().unwrap_or(false)
}

/// Unary ops linear in their operand (`neg`, `real`, `imag`, `conj`): the
/// rule of the op's row (`unary.rs`).
///
/// On a complex dtype, with `z = x + iy`, the pairing is
/// `<w, z> = Re(w) x − Im(w) y`.
pub fn transpose_unary(
    op: UnaryOp,
    b: &mut Builder,
    inputs: &[Atom],
    cts: &[Option<Atom>],
) -> JvpResult {
    let x = nth(inputs, 0)?;
    let Some(ct) = out_ct(cts) else {
        return Ok(vec![None]);
    };
    let rule = op.spec().transpose;
    let rule = rule.ok_or_else(|| format!("{} is not linear", op.name()))?;
    Ok(vec![rule(b, x, ct)?])
}

/// Binary ops in their linear operands: `add`, `sub`, `mul` and `div` by a
/// constant, `complex`. A product or quotient of two linear values is not
/// linear, nor is a linear denominator.
pub fn transpose_binary(
    op: BinaryOp,
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    let (x, y) = (nth(inputs, 0)?, nth(inputs, 1)?);
    let (lx, ly) = (is_linear(linear, 0), is_linear(linear, 1));
    let Some(ct) = out_ct(cts) else {
        return Ok(vec![None, None]);
    };
    let rule = op.spec().transpose;
    let rule = rule.ok_or_else(|| format!("{} is not linear in its operands", op.name()))?;
    let [cx, cy] = rule(b, x, y, [lx, ly], ct)?;
    Ok(vec![cx, cy])
}

/// `select(p, t, f)` in `t` and `f` (never in `p`): the cotangent goes to
/// `t` where `p` holds and to `f` elsewhere.
pub fn transpose_select(
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    let p = nth(inputs, 0)?;
    if is_linear(linear, 0) {
        return Err("select is not linear in its predicate".into());
    }
    let Some(ct) = out_ct(cts) else {
        return Ok(vec![None, None, None]);
    };
    let zero = b.scalar(ct.ty().dtype, 0.0);
    let on_true = if is_linear(linear, 1) {
        Some(b.select(p, ct, &zero)?)
    } else {
        None
    };
    let on_false = if is_linear(linear, 2) {
        Some(b.select(p, &zero, ct)?)
    } else {
        None
    };
    Ok(vec![None, on_true, on_false])
}

/// `convert` between inexact dtypes (`f32 f64 c64 c128`): the cotangent is
/// converted back. Widening and narrowing transpose to each other (up to
/// rounding); `f -> c64` is `complex(x, 0)`, whose transpose takes the real
/// part, which is what `c64 -> f` computes, and vice versa.
pub fn transpose_convert(
    d: DType,
    b: &mut Builder,
    inputs: &[Atom],
    cts: &[Option<Atom>],
) -> JvpResult {
    let x = nth(inputs, 0)?;
    let from = x.ty().dtype;
    if !(from.is_inexact() && d.is_inexact()) {
        return Err(format!(
            "convert from {} to {} is not linear over the reals",
            from, d
        ));
    }
    match out_ct(cts) {
        Some(ct) => Ok(vec![Some(b.convert(ct, from)?)]),
        None => Ok(vec![None]),
    }
}
