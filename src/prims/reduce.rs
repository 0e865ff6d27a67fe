//! Reductions: sum, product, max, min, and/or over axes; argmax/argmin.

use crate::tensor::Tensor;
use crate::types::TensorType;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Prod,
    Max,
    Min,
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgOp {
    Max,
    Min,
}

impl ReduceOp {
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "reduce_sum",
            ReduceOp::Prod => "reduce_prod",
            ReduceOp::Max => "reduce_max",
            ReduceOp::Min => "reduce_min",
            ReduceOp::And => "reduce_and",
            ReduceOp::Or => "reduce_or",
        }
    }
}

impl ArgOp {
    pub fn name(self) -> &'static str {
        match self {
            ArgOp::Max => "argmax",
            ArgOp::Min => "argmin",
        }
    }
}

pub fn infer_reduce(
    op: ReduceOp,
    axes: &[usize],
    inputs: &[TensorType],
) -> Result<Vec<TensorType>, String> {
    let _ = (op, axes, inputs);
    Err("not yet implemented".into())
}
pub fn infer_arg_reduce(
    op: ArgOp,
    axis: usize,
    inputs: &[TensorType],
) -> Result<Vec<TensorType>, String> {
    let _ = (op, axis, inputs);
    Err("not yet implemented".into())
}
pub fn eval_reduce(op: ReduceOp, axes: &[usize], inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (op, axes, inputs);
    Err("not yet implemented".into())
}
pub fn eval_arg_reduce(op: ArgOp, axis: usize, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (op, axis, inputs);
    Err("not yet implemented".into())
}
