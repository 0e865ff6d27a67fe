//! JVP rules of the shape primitives. Each one only moves elements, so each
//! is linear in its array operands: the tangent of the result is the same
//! primitive applied to the tangents (integer index operands have none).

use crate::ir::Atom;
use crate::ir::Builder;
use crate::prims::build::tangent_or_zero;
use crate::prims::DynamicUpdateSlice;
use crate::prims::{JvpResult, Prim};

/// `broadcast_in_dim`, `reshape`, `transpose`, `slice`, `reverse`:
/// `d prim(x) = prim(dx)`.
pub fn jvp_unary_linear(
    prim: &Prim,
    b: &mut Builder,
    _primals: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    match tangents {
        [None] => Ok(vec![None]),
        [Some(t)] => Ok(vec![Some(b.apply1(prim.clone(), std::slice::from_ref(t))?)]),
        _ => Err(format!("expected one tangent, got {}", tangents.len())),
    }
}

/// `d dynamic_slice(x, i..) = dynamic_slice(dx, i..)`: the same (clamped)
/// primal start indices select the same window of the tangent.
pub fn jvp_dynamic_slice(
    prim: &Prim,
    b: &mut Builder,
    primals: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let (Some(Some(t)), Some(indices)) = (tangents.first(), primals.get(1..)) else {
        return Ok(vec![None]);
    };
    let inputs: Vec<Atom> = std::iter::once(t.clone()).chain(indices.to_vec()).collect();
    Ok(vec![Some(b.apply1(prim.clone(), &inputs)?)])
}

/// `d dus(x, u, i..) = dus(dx, du, i..)`, a zero tangent standing for a
/// missing one: the result is `x` outside the window and `u` inside it.
pub fn jvp_dynamic_update_slice(
    b: &mut Builder,
    primals: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let (Some(arrays), Some(indices)) = (tangents.get(..2), primals.get(2..)) else {
        return Err("dynamic_update_slice takes an operand and an update".into());
    };
    if arrays.iter().all(Option::is_none) {
        return Ok(vec![None]);
    }
    let mut inputs = vec![];
    for (t, p) in arrays.iter().zip(primals) {
        inputs.push(tangent_or_zero(b, t, p)?);
    }
    inputs.extend(indices.iter().cloned());
    Ok(vec![Some(
        b.apply1(Prim::new(DynamicUpdateSlice), &inputs)?,
    )])
}

/// `d concat(x₁, .., xₙ) = concat(dx₁, .., dxₙ)`, zeros for missing tangents.
pub fn jvp_concat(
    prim: &Prim,
    b: &mut Builder,
    primals: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    linear_in_all(prim, b, primals, tangents)
}

/// `pad(x, v)` is linear in both operands: each result element is an
/// element of `x` or the padding value `v`, so `d pad(x, v) = pad(dx, dv)`
/// (the padded positions carry the padding value's tangent).
pub fn jvp_pad(
    prim: &Prim,
    b: &mut Builder,
    primals: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    if primals.len() != 2 || tangents.len() != 2 {
        return Err("pad takes an operand and a padding value".into());
    }
    linear_in_all(prim, b, primals, tangents)
}

/// `prim(dx₁, .., dxₙ)` for a primitive linear in all its operands, zeros
/// standing for missing tangents.
fn linear_in_all(
    prim: &Prim,
    b: &mut Builder,
    primals: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    if tangents.iter().all(Option::is_none) {
        return Ok(vec![None]);
    }
    let mut inputs = vec![];
    for (t, p) in tangents.iter().zip(primals) {
        inputs.push(tangent_or_zero(b, t, p)?);
    }
    Ok(vec![Some(b.apply1(prim.clone(), &inputs)?)])
}
