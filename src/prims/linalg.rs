//! Linear algebra primitives: dot_general, cholesky, triangular_solve.

use crate::tensor::Tensor;
use crate::types::TensorType;

pub fn infer_dot_general(
    lhs_batch: &[usize],
    rhs_batch: &[usize],
    lhs_contract: &[usize],
    rhs_contract: &[usize],
    inputs: &[TensorType],
) -> Result<Vec<TensorType>, String> {
    let _ = (lhs_batch, rhs_batch, lhs_contract, rhs_contract, inputs);
    Err("not yet implemented".into())
}
pub fn eval_dot_general(
    lhs_batch: &[usize],
    rhs_batch: &[usize],
    lhs_contract: &[usize],
    rhs_contract: &[usize],
    inputs: &[Tensor],
) -> Result<Vec<Tensor>, String> {
    let _ = (lhs_batch, rhs_batch, lhs_contract, rhs_contract, inputs);
    Err("not yet implemented".into())
}
pub fn infer_cholesky(inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (inputs);
    Err("not yet implemented".into())
}
pub fn eval_cholesky(inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (inputs);
    Err("not yet implemented".into())
}
pub fn infer_triangular_solve(
    left_side: bool,
    inputs: &[TensorType],
) -> Result<Vec<TensorType>, String> {
    let _ = (left_side, inputs);
    Err("not yet implemented".into())
}
pub fn eval_triangular_solve(
    left_side: bool,
    lower: bool,
    transpose_a: bool,
    unit_diagonal: bool,
    inputs: &[Tensor],
) -> Result<Vec<Tensor>, String> {
    let _ = (left_side, lower, transpose_a, unit_diagonal, inputs);
    Err("not yet implemented".into())
}
