//! Batching rule of the elementwise primitives (unary, binary, comparisons,
//! `select`, conversions, `stop_gradient`): they apply to operands of any
//! shape, so the unbatched operands are broadcast along the batch dimension
//! and the primitive is applied once.

use crate::ir::Atom;
use crate::ir::Builder;
use crate::prims::batching::apply_all_batched;
use crate::prims::{BatchResult, Prim};

/// `prim(x, y)[k] = prim(x[k], y[k])`: one application to the batched operands.
pub fn batch_elementwise(
    prim: &Prim,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    apply_all_batched(prim, b, inputs, batched, size)
}
