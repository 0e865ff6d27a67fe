//! The reductions as types, implementing [`Primitive`] with the rules of
//! `reduce.rs`.

use super::*;
use crate::ir::emit::{Emitter, Value};
use crate::ir::primitive::{no_effect, no_regions};
use crate::ir::print::list;
use crate::ir::{Atom, Builder, PrimError, Primitive, RuleResult};
use crate::tensor::Tensor;
use crate::types::TensorType;

/// Reduces over `axes` (sorted, distinct), removing them.
#[derive(Clone, Debug, PartialEq)]
pub struct Reduce {
    pub op: ReduceOp,
    pub axes: Vec<usize>,
}

/// Index of the first maximum (minimum) along `axis`, which is removed; an `i32` result.
#[derive(Clone, Debug, PartialEq)]
pub struct ArgReduce {
    pub op: ArgOp,
    pub axis: usize,
}

impl Primitive for Reduce {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_reduce(self.op, &self.axes, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_reduce(self.op, &self.axes, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_reduce(self.op, &self.axes, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_reduce(self.op, &self.axes, b, primals, outs, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        _linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_reduce(self.op, &self.axes, b, inputs, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        _batched: &[bool],
        _size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_reduce(self.op, &self.axes, b, inputs)?)
    }
    fn params(&self) -> Vec<String> {
        vec![format!("axes={}", list(&self.axes))]
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    no_regions!();
    no_effect!();
}
impl Primitive for ArgReduce {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_arg_reduce(self.op, self.axis, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_arg_reduce(self.op, self.axis, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_arg_reduce(self.op, self.axis, em, inputs, outs)
    }
    fn jvp(
        &self,
        _b: &mut Builder,
        _primals: &[Atom],
        _outs: &[Atom],
        _tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(vec![None])
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
        _batched: &[bool],
        _size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_arg_reduce(self.op, self.axis, b, inputs)?)
    }
    fn params(&self) -> Vec<String> {
        vec![format!("axis={}", self.axis)]
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    no_regions!();
    no_effect!();
}
