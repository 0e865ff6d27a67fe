//! Batching rules of the shape primitives. Each one moves elements within
//! an example, so with the batch dim in front the same primitive applies
//! once with its axes shifted right by one and the batch dim kept whole:
//! `prim(x)[k] = prim'(x)[k]`. The exceptions are start indices and padding
//! values that differ per example (see each rule).

use crate::ir::Atom;
use crate::ir::Builder;
use crate::prims::batching::{
    all_batched, apply_batched, batch_by_loop, prepend, shifted, to_batched,
};
use crate::prims::build::Build;
use crate::prims::{BatchResult, Prim};
use crate::prims::{
    Broadcast, Concat, DynamicSlice, DynamicUpdateSlice, Pad, Reshape, Rev, Select, Slice,
    Transpose,
};
use crate::tensor::Tensor;
use crate::types::DType;

/// `broadcast_in_dim`: the batch dim maps to dim 0 of the result.
pub fn batch_broadcast(
    shape: &[usize],
    dims: &[usize],
    b: &mut Builder,
    inputs: &[Atom],
    size: usize,
) -> BatchResult {
    let prim = Prim::new(Broadcast {
        shape: prepend(size, shape),
        dims: prepend(0, &shifted(dims)),
    });
    apply_batched(&prim, b, inputs)
}

/// `reshape`: row-major order keeps each example contiguous, so reshaping
/// the batch to `[size, shape..]` reshapes each example.
pub fn batch_reshape(
    shape: &[usize],
    b: &mut Builder,
    inputs: &[Atom],
    size: usize,
) -> BatchResult {
    let prim = Prim::new(Reshape {
        shape: prepend(size, shape),
    });
    apply_batched(&prim, b, inputs)
}

/// `transpose`: the batch dim stays in front.
pub fn batch_transpose(perm: &[usize], b: &mut Builder, inputs: &[Atom]) -> BatchResult {
    let prim = Prim::new(Transpose {
        perm: prepend(0, &shifted(perm)),
    });
    apply_batched(&prim, b, inputs)
}

/// `slice`: all of the batch dim, with stride 1.
pub fn batch_slice(
    start: &[usize],
    limit: &[usize],
    stride: &[usize],
    b: &mut Builder,
    inputs: &[Atom],
    size: usize,
) -> BatchResult {
    let prim = Prim::new(Slice {
        start: prepend(0, start),
        limit: prepend(size, limit),
        stride: prepend(1, stride),
    });
    apply_batched(&prim, b, inputs)
}

/// `reverse`: the batch dim is not reversed.
pub fn batch_rev(axes: &[usize], b: &mut Builder, inputs: &[Atom]) -> BatchResult {
    let prim = Prim::new(Rev {
        axes: shifted(axes),
    });
    apply_batched(&prim, b, inputs)
}

/// `concatenate(x, y, ..)` along `axis`: all operands batched, along `axis + 1`.
pub fn batch_concat(
    axis: usize,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let inputs = all_batched(b, inputs, batched, size)?;
    apply_batched(&Prim::new(Concat { axis: axis + 1 }), b, &inputs)
}

/// `pad(x, v)` with one padding value for the batch pads the batched `x`
/// with no padding along the batch dim. A padding value per example (`v`
/// batched) needs no loop: pad `x` with zero and a mask of `true` with
/// `false`, then `select(mask, padded x, v[k] broadcast)` puts `v[k]` exactly
/// where example `k`'s padding went (edges, interior, and nothing where
/// negative edges cut elements away, since the mask is cut alike).
pub fn batch_pad(
    lo: &[i64],
    hi: &[i64],
    interior: &[usize],
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let ([x, v], [x_batched, v_batched]) = (inputs, batched) else {
        return Err("pad takes an operand and a padding value".into());
    };
    let prim = Prim::new(Pad {
        lo: prepend(0, lo),
        hi: prepend(0, hi),
        interior: prepend(0, interior),
    });
    let x = to_batched(b, x, *x_batched, size)?;
    if !v_batched {
        return apply_batched(&prim, b, &[x, v.clone()]);
    }
    let ty = x.ty();
    let zero = b.scalar(ty.dtype, 0.0);
    let padded = b.apply1(prim.clone(), &[x, zero])?;
    let ones = b.broadcast(&bool_const(true), &ty.shape, &[])?;
    let mask = b.apply1(prim, &[ones, bool_const(false)])?;
    let out_shape = padded.ty().shape;
    let fill = b.broadcast(v, &out_shape, &[0])?;
    let out = b.apply1(Prim::new(Select), &[mask, padded, fill])?;
    Ok((vec![out], vec![true]))
}

fn bool_const(v: bool) -> Atom {
    Atom::Const(Tensor::scalar_bool(v))
}

/// `dynamic_slice(x, i..)` with start indices shared by the batch: the
/// batched `x` sliced from 0 along the batch dim, keeping all of it. Start
/// indices that differ per example would be a gather: the loop fallback.
pub fn batch_dynamic_slice(
    sizes: &[usize],
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let prim = Prim::new(DynamicSlice {
        sizes: sizes.to_vec(),
    });
    let (Some((x, starts)), Some((_, starts_batched))) =
        (inputs.split_first(), batched.split_first())
    else {
        return Err("dynamic_slice takes an operand".into());
    };
    if starts_batched.contains(&true) {
        return batch_by_loop(&prim, b, inputs, batched, size);
    }
    let batched_prim = Prim::new(DynamicSlice {
        sizes: prepend(size, sizes),
    });
    let operands = prepend(x.clone(), &prepend(zero_index(starts), starts));
    apply_batched(&batched_prim, b, &operands)
}

/// `dynamic_update_slice(x, u, i..)` with start indices shared by the
/// batch: operand and update both batched, written from 0 along the batch
/// dim. Start indices per example would be a scatter: the loop fallback.
pub fn batch_dynamic_update_slice(
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let (Some(arrays), Some(starts)) = (inputs.get(..2), inputs.get(2..)) else {
        return Err("dynamic_update_slice takes an operand and an update".into());
    };
    if batched.get(2..).is_some_and(|s| s.contains(&true)) {
        return batch_by_loop(&Prim::new(DynamicUpdateSlice), b, inputs, batched, size);
    }
    let mut operands = all_batched(b, arrays, batched, size)?;
    operands.push(zero_index(starts));
    operands.extend(starts.iter().cloned());
    apply_batched(&Prim::new(DynamicUpdateSlice), b, &operands)
}

/// A zero start index of the dtype of the others (they must agree).
fn zero_index(starts: &[Atom]) -> Atom {
    let dtype = starts.first().map_or(DType::I32, |s| s.ty().dtype);
    Atom::Const(Tensor::scalar_of(dtype, 0.0))
}
