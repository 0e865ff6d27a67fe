//! The Threefry block cipher as a type, implementing [`Primitive`] with the
//! rules of `random.rs`.

use super::*;
use crate::ir::emit::{Emitter, Value};
use crate::ir::primitive::{no_effect, no_regions};
use crate::ir::{Atom, Builder, PrimError, Primitive, RuleResult};
use crate::tensor::Tensor;
use crate::types::TensorType;

/// Threefry-2x32 block cipher, as `jax.random` uses: inputs `k0, k1: u32[]`,
/// `x0, x1: u32[s]`; outputs `y0, y1: u32[s]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threefry2x32;

impl Primitive for Threefry2x32 {
    fn name(&self) -> &'static str {
        "threefry2x32"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_threefry(inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_threefry(inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_threefry(em, inputs, outs)
    }
    fn jvp(
        &self,
        _b: &mut Builder,
        _primals: &[Atom],
        _outs: &[Atom],
        _tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(vec![None, None])
    }
    fn transpose(
        &self,
        _b: &mut Builder,
        _inputs: &[Atom],
        _linear: &[bool],
        _cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Err(PrimError::not_linear(self.name()))
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_threefry(b, inputs, batched, size)?)
    }
    fn params(&self) -> Vec<String> {
        vec![]
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    no_regions!();
    no_effect!();
}
