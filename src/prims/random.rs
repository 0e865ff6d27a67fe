//! The counter-based PRNG primitive (Threefry-2x32, bit-exact with `jax.random`).

use crate::tensor::Tensor;
use crate::types::TensorType;

pub fn infer_threefry(inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (inputs);
    Err("not yet implemented".into())
}
pub fn eval_threefry(inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (inputs);
    Err("not yet implemented".into())
}
