//! Batching rule of `threefry2x32`.

use crate::ir::Atom;
use crate::ir::Builder;
use crate::prims::batching::{all_batched, apply_batched, batch_by_loop};
use crate::prims::Threefry2x32;
use crate::prims::{BatchResult, Prim};

/// The cipher is elementwise in its counter words under one key, so with
/// the key shared by the batch the counters are batched (broadcast where
/// they are not) and the cipher runs once. Its key words are scalars, so
/// keys that differ per example take the loop fallback.
pub fn batch_threefry(
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let ([k0, k1, x0, x1], [kb0, kb1, xb0, xb1]) = (inputs, batched) else {
        return Err("threefry2x32 takes two key words and two counter words".into());
    };
    if *kb0 || *kb1 {
        return batch_by_loop(&Prim::new(Threefry2x32), b, inputs, batched, size);
    }
    let counters = all_batched(b, &[x0.clone(), x1.clone()], &[*xb0, *xb1], size)?;
    let operands = [vec![k0.clone(), k1.clone()], counters].concat();
    apply_batched(&Prim::new(Threefry2x32), b, &operands)
}
