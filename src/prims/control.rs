//! Control flow: while loops and conditionals, with nested graphs.

use crate::ir::Graph;
use crate::tensor::Tensor;
use crate::types::TensorType;

pub fn infer_while(
    cond: &Graph,
    body: &Graph,
    n_consts: usize,
    inputs: &[TensorType],
) -> Result<Vec<TensorType>, String> {
    let _ = (cond, body, n_consts, inputs);
    Err("not yet implemented".into())
}
pub fn eval_while(
    cond: &Graph,
    body: &Graph,
    n_consts: usize,
    inputs: &[Tensor],
) -> Result<Vec<Tensor>, String> {
    let _ = (cond, body, n_consts, inputs);
    Err("not yet implemented".into())
}
pub fn infer_cond(branches: &[Graph], inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (branches, inputs);
    Err("not yet implemented".into())
}
pub fn eval_cond(branches: &[Graph], inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (branches, inputs);
    Err("not yet implemented".into())
}
