//! Shape primitives: broadcast, reshape, transpose, slices, concatenation, padding, iota, reverse.

use crate::tensor::Tensor;
use crate::types::{DType, TensorType};

pub fn infer_broadcast(
    shape: &[usize],
    dims: &[usize],
    inputs: &[TensorType],
) -> Result<Vec<TensorType>, String> {
    let _ = (shape, dims, inputs);
    Err("not yet implemented".into())
}
pub fn eval_broadcast(
    shape: &[usize],
    dims: &[usize],
    inputs: &[Tensor],
) -> Result<Vec<Tensor>, String> {
    let _ = (shape, dims, inputs);
    Err("not yet implemented".into())
}
pub fn infer_reshape(shape: &[usize], inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (shape, inputs);
    Err("not yet implemented".into())
}
pub fn eval_reshape(shape: &[usize], inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (shape, inputs);
    Err("not yet implemented".into())
}
pub fn infer_transpose(perm: &[usize], inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (perm, inputs);
    Err("not yet implemented".into())
}
pub fn eval_transpose(perm: &[usize], inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (perm, inputs);
    Err("not yet implemented".into())
}
pub fn infer_slice(
    start: &[usize],
    limit: &[usize],
    stride: &[usize],
    inputs: &[TensorType],
) -> Result<Vec<TensorType>, String> {
    let _ = (start, limit, stride, inputs);
    Err("not yet implemented".into())
}
pub fn eval_slice(
    start: &[usize],
    limit: &[usize],
    stride: &[usize],
    inputs: &[Tensor],
) -> Result<Vec<Tensor>, String> {
    let _ = (start, limit, stride, inputs);
    Err("not yet implemented".into())
}
pub fn infer_dynamic_slice(
    sizes: &[usize],
    inputs: &[TensorType],
) -> Result<Vec<TensorType>, String> {
    let _ = (sizes, inputs);
    Err("not yet implemented".into())
}
pub fn eval_dynamic_slice(sizes: &[usize], inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (sizes, inputs);
    Err("not yet implemented".into())
}
pub fn infer_dynamic_update_slice(inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (inputs);
    Err("not yet implemented".into())
}
pub fn eval_dynamic_update_slice(inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (inputs);
    Err("not yet implemented".into())
}
pub fn infer_concat(axis: usize, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (axis, inputs);
    Err("not yet implemented".into())
}
pub fn eval_concat(axis: usize, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (axis, inputs);
    Err("not yet implemented".into())
}
pub fn infer_pad(
    lo: &[i64],
    hi: &[i64],
    interior: &[usize],
    inputs: &[TensorType],
) -> Result<Vec<TensorType>, String> {
    let _ = (lo, hi, interior, inputs);
    Err("not yet implemented".into())
}
pub fn eval_pad(
    lo: &[i64],
    hi: &[i64],
    interior: &[usize],
    inputs: &[Tensor],
) -> Result<Vec<Tensor>, String> {
    let _ = (lo, hi, interior, inputs);
    Err("not yet implemented".into())
}
pub fn infer_iota(
    shape: &[usize],
    dim: usize,
    dtype: DType,
    inputs: &[TensorType],
) -> Result<Vec<TensorType>, String> {
    let _ = (shape, dim, dtype, inputs);
    Err("not yet implemented".into())
}
pub fn eval_iota(
    shape: &[usize],
    dim: usize,
    dtype: DType,
    inputs: &[Tensor],
) -> Result<Vec<Tensor>, String> {
    let _ = (shape, dim, dtype, inputs);
    Err("not yet implemented".into())
}
pub fn infer_rev(axes: &[usize], inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (axes, inputs);
    Err("not yet implemented".into())
}
pub fn eval_rev(axes: &[usize], inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (axes, inputs);
    Err("not yet implemented".into())
}
