//! Batching rules of the reductions: the batched operand has one more
//! leading dim, so the reduced axes shift right by one and the batch dim
//! stays at axis 0 of the result.

use super::{ArgOp, ReduceOp};
use crate::ir::Atom;
use crate::ir::Builder;
use crate::prims::batching::{apply_batched, shifted};
use crate::prims::{ArgReduce, Reduce};
use crate::prims::{BatchResult, Prim};

/// `reduce(x, axes)[k] = reduce(x[k], axes)` is `reduce(x, axes + 1)`.
pub fn batch_reduce(op: ReduceOp, axes: &[usize], b: &mut Builder, inputs: &[Atom]) -> BatchResult {
    let prim = Prim::new(Reduce {
        op,
        axes: shifted(axes),
    });
    apply_batched(&prim, b, inputs)
}

/// `argmax(x, axis)[k] = argmax(x[k], axis)` is `argmax(x, axis + 1)`.
pub fn batch_arg_reduce(op: ArgOp, axis: usize, b: &mut Builder, inputs: &[Atom]) -> BatchResult {
    let prim = Prim::new(ArgReduce { op, axis: axis + 1 });
    apply_batched(&prim, b, inputs)
}
