//! Transpose rules of the shape primitives. Each one only moves elements,
//! so its transpose moves cotangents back to where the elements came from
//! (summing where one element went to several places, as in a broadcast).
//! Integer index operands are never linear; they get no cotangent.

use crate::ir::Atom;
use crate::prims::{JvpResult, Prim};
use crate::transform::Builder;

type R<T> = Result<T, String>;

/// Cotangents of the inputs of a shape primitive from its output's cotangent.
pub fn transpose_shape(
    prim: &Prim,
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    let none = vec![None; inputs.len()];
    let ct = match cts {
        [None] => return Ok(none),
        [Some(ct)] => ct,
        _ => return Err(format!("expected one cotangent, got {}", cts.len())),
    };
    let is_lin = |i: usize| linear.get(i).copied().unwrap_or(false);
    let first = |b: &mut Builder, f: &dyn Fn(&mut Builder, &Atom) -> R<Atom>| -> JvpResult {
        let mut out = none.clone();
        if is_lin(0) {
            let x = inputs.first().ok_or("missing operand")?;
            out[0] = Some(f(b, x)?);
        }
        Ok(out)
    };
    match prim {
        Prim::Broadcast { dims, .. } => first(b, &|b, x| unbroadcast(b, x, dims, ct)),
        Prim::Reshape { .. } => first(b, &|b, x| b.reshape(ct, &x.ty().shape)),
        Prim::Transpose { perm } => first(b, &|b, _x| {
            let perm = inverse_perm(perm)?;
            b.apply1(Prim::Transpose { perm }, std::slice::from_ref(ct))
        }),
        Prim::Rev { axes } => first(b, &|b, _x| {
            b.apply1(Prim::Rev { axes: axes.clone() }, std::slice::from_ref(ct))
        }),
        Prim::Slice {
            start,
            limit: _,
            stride,
        } => first(b, &|b, x| unslice(b, x, start, stride, ct)),
        Prim::Pad { lo, hi, interior } => transpose_pad(b, inputs, linear, lo, hi, interior, ct),
        Prim::Concat { axis } => transpose_concat(b, inputs, linear, *axis, ct),
        Prim::DynamicSlice { .. } => first(b, &|b, x| {
            let zeros = b.zeros(&x.ty())?;
            let mut args = vec![zeros, ct.clone()];
            args.extend(inputs.iter().skip(1).cloned());
            b.apply1(Prim::DynamicUpdateSlice, &args)
        }),
        Prim::DynamicUpdateSlice => transpose_dus(b, inputs, linear, ct),
        _ => Err(format!("{} is not a shape primitive", prim.name())),
    }
}

/// `inv[perm[i]] = i`.
fn inverse_perm(perm: &[usize]) -> R<Vec<usize>> {
    let mut inv = vec![0; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        *inv.get_mut(p).ok_or("bad permutation")? = i;
    }
    Ok(inv)
}

/// Broadcast: each operand element was copied along the new dims and along
/// operand dims of size 1 that were expanded, so its cotangent is the sum
/// over those dims; the reshape restores the size-1 dims.
fn unbroadcast(b: &mut Builder, x: &Atom, dims: &[usize], ct: &Atom) -> R<Atom> {
    let (xs, out) = (x.ty().shape, ct.ty().shape);
    let mut axes: Vec<usize> = (0..out.len()).filter(|d| !dims.contains(d)).collect();
    for (&n, &d) in xs.iter().zip(dims) {
        if n == 1 && out.get(d) != Some(&1) {
            axes.push(d);
        }
    }
    axes.sort_unstable();
    let summed = b.reduce_sum(ct, &axes)?;
    b.reshape(&summed, &xs)
}

/// Slice: pad the cotangent with zeros back to the operand's shape. Along
/// each dim the kept elements sit at `start + k·stride`, `k < n`; the last
/// one is at `start + (n−1)·stride`, so the high padding is what follows it.
fn unslice(b: &mut Builder, x: &Atom, start: &[usize], stride: &[usize], ct: &Atom) -> R<Atom> {
    let (xs, out) = (x.ty().shape, ct.ty().shape);
    let (mut lo, mut hi, mut interior) = (vec![], vec![], vec![]);
    for (((&d, &n), &s), &t) in xs.iter().zip(&out).zip(start).zip(stride) {
        let end = if n == 0 { s } else { s + (n - 1) * t + 1 };
        lo.push(to_i64(s)?);
        hi.push(to_i64(d)? - to_i64(end)?);
        interior.push(t.saturating_sub(1));
    }
    let zero = b.scalar(ct.ty().dtype, 0.0);
    b.apply1(Prim::Pad { lo, hi, interior }, &[ct.clone(), zero])
}

fn to_i64(n: usize) -> R<i64> {
    i64::try_from(n).map_err(|_| format!("size {} is out of range", n))
}

/// Pad: the operand's cotangent is the cotangent at the operand's positions:
/// undo the edge padding (a pad by `−lo`, `−hi`, which also restores
/// elements cut by negative padding, as zeros), then take every
/// `(interior+1)`-th element. The padding value went to every other
/// position, so its cotangent is `sum(ct) − sum(operand cotangent)`.
#[allow(clippy::too_many_arguments)]
fn transpose_pad(
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    lo: &[i64],
    hi: &[i64],
    interior: &[usize],
    ct: &Atom,
) -> JvpResult {
    let [_x, _v] = inputs else {
        return Err("pad takes 2 operands".into());
    };
    let zero = b.scalar(ct.ty().dtype, 0.0);
    let unpad = Prim::Pad {
        lo: lo.iter().map(|v| -v).collect(),
        hi: hi.iter().map(|v| -v).collect(),
        interior: vec![0; lo.len()],
    };
    let unpadded = b.apply1(unpad, &[ct.clone(), zero])?;
    let shape = unpadded.ty().shape;
    let ct_x = b.apply1(
        Prim::Slice {
            start: vec![0; shape.len()],
            limit: shape,
            stride: interior.iter().map(|i| i + 1).collect(),
        },
        &[unpadded],
    )?;
    let ct_v = if linear.get(1) == Some(&true) {
        let all: Vec<usize> = (0..ct.ty().rank()).collect();
        let total = b.reduce_sum(ct, &all)?;
        let inner = b.reduce_sum(&ct_x, &all)?;
        Some(b.sub(&total, &inner)?)
    } else {
        None
    };
    let ct_x = (linear.first() == Some(&true)).then_some(ct_x);
    Ok(vec![ct_x, ct_v])
}

/// Concatenate: each linear operand's cotangent is its slice of the cotangent.
fn transpose_concat(
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    axis: usize,
    ct: &Atom,
) -> JvpResult {
    let shape = ct.ty().shape;
    let mut offset = 0;
    let mut out = vec![];
    for (x, &l) in inputs.iter().zip(linear) {
        let n = *x
            .ty()
            .shape
            .get(axis)
            .ok_or("concatenate axis out of range")?;
        if l {
            let mut start = vec![0; shape.len()];
            let mut limit = shape.clone();
            start[axis] = offset;
            limit[axis] = offset + n;
            let stride = vec![1; shape.len()];
            let s = Prim::Slice {
                start,
                limit,
                stride,
            };
            out.push(Some(b.apply1(s, std::slice::from_ref(ct))?));
        } else {
            out.push(None);
        }
        offset += n;
    }
    Ok(out)
}

/// `dynamic_update_slice(x, u, i..)`: the operand's cotangent is the
/// cotangent with the (clamped) window zeroed; the update's is the window.
fn transpose_dus(b: &mut Builder, inputs: &[Atom], linear: &[bool], ct: &Atom) -> JvpResult {
    let [_x, u, indices @ ..] = inputs else {
        return Err("dynamic_update_slice takes an operand and an update".into());
    };
    let mut out = vec![None; inputs.len()];
    if linear.first() == Some(&true) {
        let mut args = vec![ct.clone(), b.zeros(&u.ty())?];
        args.extend(indices.iter().cloned());
        out[0] = Some(b.apply1(Prim::DynamicUpdateSlice, &args)?);
    }
    if linear.get(1) == Some(&true) {
        let mut args = vec![ct.clone()];
        args.extend(indices.iter().cloned());
        let sizes = u.ty().shape;
        out[1] = Some(b.apply1(Prim::DynamicSlice { sizes }, &args)?);
    }
    Ok(out)
}
