//! Transpose rules of the shape primitives. Each one only moves elements,
//! so its transpose moves cotangents back to where the elements came from
//! (summing where one element went to several places, as in a broadcast).
//! Integer index operands are never linear; they get no cotangent.

use crate::ir::Atom;
use crate::ir::Builder;
use crate::prims::build::Build;
use crate::prims::{DynamicSlice, DynamicUpdateSlice, Pad, Rev, Slice, Transpose};
use crate::prims::{JvpResult, Prim};

type R<T> = crate::ir::RuleResult<T>;

/// The one cotangent of a shape primitive's output (`None`: a zero).
fn one_ct(cts: &[Option<Atom>]) -> R<Option<&Atom>> {
    match cts {
        [ct] => Ok(ct.as_ref()),
        _ => Err(format!("expected one cotangent, got {}", cts.len()).into()),
    }
}

/// Cotangents for a primitive linear in its first operand only:
/// `f(b, x, ct)` for that operand when it is linear, none for the others.
fn first(
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
    f: &dyn Fn(&mut Builder, &Atom, &Atom) -> R<Atom>,
) -> JvpResult {
    let mut out = vec![None; inputs.len()];
    let Some(ct) = one_ct(cts)? else {
        return Ok(out);
    };
    if linear.first().copied().unwrap_or(false) {
        let x = inputs.first().ok_or("missing operand")?;
        out[0] = Some(f(b, x, ct)?);
    }
    Ok(out)
}

pub fn transpose_broadcast(
    dims: &[usize],
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    first(b, inputs, linear, cts, &|b, x, ct| {
        unbroadcast(b, x, dims, ct)
    })
}

pub fn transpose_reshape(
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    first(b, inputs, linear, cts, &|b, x, ct| {
        b.reshape(ct, &x.ty().shape)
    })
}

pub fn transpose_transpose(
    perm: &[usize],
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    first(b, inputs, linear, cts, &|b, _x, ct| {
        let perm = inverse_perm(perm)?;
        b.apply1(Prim::new(Transpose { perm }), std::slice::from_ref(ct))
    })
}

pub fn transpose_rev(
    axes: &[usize],
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    first(b, inputs, linear, cts, &|b, _x, ct| {
        let rev = Rev {
            axes: axes.to_vec(),
        };
        b.apply1(Prim::new(rev), std::slice::from_ref(ct))
    })
}

pub fn transpose_slice(
    start: &[usize],
    stride: &[usize],
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    first(b, inputs, linear, cts, &|b, x, ct| {
        unslice(b, x, start, stride, ct)
    })
}

pub fn transpose_dynamic_slice(
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    first(b, inputs, linear, cts, &|b, x, ct| {
        let zeros = b.zeros(&x.ty())?;
        let mut args = vec![zeros, ct.clone()];
        args.extend(inputs.iter().skip(1).cloned());
        b.apply1(Prim::new(DynamicUpdateSlice), &args)
    })
}

pub fn transpose_pad(
    lo: &[i64],
    hi: &[i64],
    interior: &[usize],
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    match one_ct(cts)? {
        Some(ct) => pad_cts(b, inputs, linear, lo, hi, interior, ct),
        None => Ok(vec![None; inputs.len()]),
    }
}

pub fn transpose_concat(
    axis: usize,
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    match one_ct(cts)? {
        Some(ct) => concat_cts(b, inputs, linear, axis, ct),
        None => Ok(vec![None; inputs.len()]),
    }
}

pub fn transpose_dynamic_update_slice(
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    match one_ct(cts)? {
        Some(ct) => transpose_dus(b, inputs, linear, ct),
        None => Ok(vec![None; inputs.len()]),
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
    b.apply1(Prim::new(Pad { lo, hi, interior }), &[ct.clone(), zero])
}

fn to_i64(n: usize) -> R<i64> {
    i64::try_from(n).map_err(|_| format!("size {} is out of range", n).into())
}

/// Pad: the operand's cotangent is the cotangent at the operand's positions:
/// undo the edge padding (a pad by `−lo`, `−hi`, which also restores
/// elements cut by negative padding, as zeros), then take every
/// `(interior+1)`-th element. The padding value went to every other
/// position, so its cotangent is `sum(ct) − sum(operand cotangent)`.
#[allow(clippy::too_many_arguments)]
fn pad_cts(
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
    let unpad = Prim::new(Pad {
        lo: lo.iter().map(|v| -v).collect(),
        hi: hi.iter().map(|v| -v).collect(),
        interior: vec![0; lo.len()],
    });
    let unpadded = b.apply1(unpad, &[ct.clone(), zero])?;
    let shape = unpadded.ty().shape;
    let ct_x = b.apply1(
        Prim::new(Slice {
            start: vec![0; shape.len()],
            limit: shape,
            stride: interior.iter().map(|i| i + 1).collect(),
        }),
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
fn concat_cts(
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
            let s = Prim::new(Slice {
                start,
                limit,
                stride,
            });
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
        out[0] = Some(b.apply1(Prim::new(DynamicUpdateSlice), &args)?);
    }
    if linear.get(1) == Some(&true) {
        let mut args = vec![ct.clone()];
        args.extend(indices.iter().cloned());
        let sizes = u.ty().shape;
        out[1] = Some(b.apply1(Prim::new(DynamicSlice { sizes }), &args)?);
    }
    Ok(out)
}
