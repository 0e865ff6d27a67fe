//! The reference interpreter: runs an IR graph on host tensors, one primitive
//! kernel ([`crate::prims::Prim::eval`]) at a time. It is the oracle the XLA
//! backend is tested against.

use crate::ir::Graph;
use crate::tensor::Tensor;

/// Runs `graph` on `inputs` (which must match its input types).
pub fn run_graph(graph: &Graph, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (graph, inputs);
    Err("not yet implemented".into())
}
