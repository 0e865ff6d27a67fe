//! Batching rules of the linear algebra primitives. A batched `dot_general`
//! is one `dot_general` (never a loop); `cholesky` and `triangular_solve`
//! already take leading batch dims.

use crate::ir::Atom;
use crate::ir::Builder;
use crate::prims::batching::{apply_all_batched, apply_batched, move_to_front, prepend, shifted};
use crate::prims::{BatchResult, Prim};
use crate::prims::{Cholesky, DotGeneral};

/// The dimension numbers of a `dot_general`.
pub struct DotDims<'a> {
    pub lhs_batch: &'a [usize],
    pub rhs_batch: &'a [usize],
    pub lhs_contract: &'a [usize],
    pub rhs_contract: &'a [usize],
}

/// The result of `dot_general` has dims (batch, lhs free, rhs free), each
/// group in increasing operand order.
/// * Both operands batched: their batch dims pair up as one more batch dim,
///   listed first, so it is dim 0 of the result.
/// * One batched: its batch dim (dim 0 of that operand, every other dim
///   shifted by one) is a free dim, the first of its operand's free dims;
///   it lands at `nb` (lhs) or `nb + lhs free` (rhs) of the result, with
///   `nb` the number of batch dims, and a transpose moves it to dim 0.
pub fn batch_dot_general(
    d: &DotDims,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
) -> BatchResult {
    let ([x, _], [xb, yb]) = (inputs, batched) else {
        return Err("dot_general takes two operands".into());
    };
    let shift = |dims: &[usize], on: bool| if on { shifted(dims) } else { dims.to_vec() };
    let (mut lhs_batch, mut rhs_batch) = (shift(d.lhs_batch, *xb), shift(d.rhs_batch, *yb));
    if *xb && *yb {
        lhs_batch = prepend(0, &lhs_batch);
        rhs_batch = prepend(0, &rhs_batch);
    }
    let prim = Prim::new(DotGeneral {
        lhs_batch,
        rhs_batch,
        lhs_contract: shift(d.lhs_contract, *xb),
        rhs_contract: shift(d.rhs_contract, *yb),
    });
    let out = b.apply1(prim, inputs)?;
    let nb = d.lhs_batch.len();
    let at = match (xb, yb) {
        (true, false) => nb,
        (false, true) => nb + (x.ty().rank() - nb - d.lhs_contract.len()),
        _ => 0,
    };
    Ok((vec![move_to_front(b, &out, at)?], vec![true]))
}

/// `cholesky` factors each matrix of `[.., n, n]`: the batch is more leading dims.
pub fn batch_cholesky(b: &mut Builder, inputs: &[Atom]) -> BatchResult {
    apply_batched(&Prim::new(Cholesky), b, inputs)
}

/// `triangular_solve` needs `a` and `b` with the same leading dims: the
/// unbatched one is broadcast along the batch.
pub fn batch_triangular_solve(
    prim: &Prim,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    apply_all_batched(prim, b, inputs, batched, size)
}
