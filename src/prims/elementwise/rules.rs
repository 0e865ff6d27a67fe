//! The elementwise primitives as types: each implements [`Primitive`] by
//! calling its family's entry functions (`infer_unary`, `eval_unary`,
//! `lower_unary`, `jvp_unary`, `transpose_unary`, ...).

use super::*;
use crate::ir::emit::{Emitter, Value};
use crate::ir::primitive::{no_effect, no_regions};
use crate::ir::simplify::fold::{is_one, uniform};
use crate::ir::{Atom, BatchResult, Builder, Prim, PrimError, Primitive, RuleResult};
use crate::tensor::Tensor;
use crate::types::{DType, TensorType};

/// One operand; the result has its type, except `real`/`imag`/`abs` of
/// complex, which give the real dtype.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unary(pub UnaryOp);

/// Two operands of equal type; `complex` takes two `f32` and gives `c64`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Binary(pub BinaryOp);

/// Two operands of equal type; gives `bool` of their shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Compare(pub Cmp);

/// `select(pred, on_true, on_false)`, `pred: bool` of the same shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Select;

/// The identity, whose derivative is zero (`stop_gradient`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StopGradient;

/// Value conversion: float to int truncates toward zero, complex to real
/// keeps the real part, numbers to bool test `!= 0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Convert(pub DType);

/// Reinterprets the bits, between dtypes of equal width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BitcastConvert(pub DType);

fn batch_all(
    p: Prim,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    batch_elementwise(&p, b, inputs, batched, size)
}

impl Primitive for Unary {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_unary(self.0, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_unary(self.0, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_unary(self.0, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_unary(self.0, b, primals, outs, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        _linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_unary(self.0, b, inputs, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_all(Prim::new(*self), b, inputs, batched, size)?)
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
impl Primitive for Binary {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_binary(self.0, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_binary(self.0, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_binary(self.0, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_binary(self.0, b, primals, outs, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_binary(self.0, b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_all(Prim::new(*self), b, inputs, batched, size)?)
    }
    fn params(&self) -> Vec<String> {
        vec![]
    }
    fn forwards(&self, inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        // `x` in `x * 1`, `1 * x` and `x ** 1`. (`x + 0` is not `x` when `x` is `-0.0`.)
        match (self.0, inputs) {
            (BinaryOp::Mul, [x, _]) if is_one(x) => Some(1),
            (BinaryOp::Mul | BinaryOp::Pow, [_, y]) if is_one(y) => Some(0),
            _ => None,
        }
    }
    no_regions!();
    no_effect!();
}
impl Primitive for Compare {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_compare(self.0, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_compare(self.0, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_compare(self.0, em, inputs, outs)
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
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_all(Prim::new(*self), b, inputs, batched, size)?)
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
impl Primitive for Select {
    fn name(&self) -> &'static str {
        "select"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_select(inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_select(inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_select(em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_select(b, primals, outs, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_select(b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_all(Prim::new(*self), b, inputs, batched, size)?)
    }
    fn params(&self) -> Vec<String> {
        vec![]
    }
    fn forwards(&self, inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        // A constant predicate picks one operand.
        match inputs {
            [p, _, _] => Some(if uniform(p)?.get_f64(0) != 0.0 { 1 } else { 2 }),
            _ => None,
        }
    }
    no_regions!();
    no_effect!();
}
impl Primitive for StopGradient {
    fn name(&self) -> &'static str {
        "stop_gradient"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_identity(inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        Ok(inputs.to_vec())
    }
    fn lower(
        &self,
        _em: &mut Emitter,
        inputs: &[Value],
        _outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        Ok(inputs.to_vec())
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
        // Its JVP has no tangent, so it never appears linearly.
        Err(PrimError::not_linear(self.name()))
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_all(Prim::new(*self), b, inputs, batched, size)?)
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
impl Primitive for Convert {
    fn name(&self) -> &'static str {
        "convert"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_convert(self.0, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_convert(self.0, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_convert(self.0, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_convert(self.0, b, primals, outs, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        _linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_convert(self.0, b, inputs, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_all(Prim::new(*self), b, inputs, batched, size)?)
    }
    fn params(&self) -> Vec<String> {
        vec![]
    }
    fn forwards(&self, inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        (inputs.len() == 1).then_some(0)
    }
    no_regions!();
    no_effect!();
}
impl Primitive for BitcastConvert {
    fn name(&self) -> &'static str {
        "bitcast_convert"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_bitcast(self.0, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_bitcast(self.0, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_bitcast(self.0, em, inputs, outs)
    }
    fn jvp(
        &self,
        _b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        // Reinterpreting bits has no derivative, except as the identity.
        Ok(vec![tangents[0]
            .clone()
            .filter(|_| primals[0].ty().dtype == self.0)])
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
        Ok(batch_all(Prim::new(*self), b, inputs, batched, size)?)
    }
    fn params(&self) -> Vec<String> {
        vec![]
    }
    fn forwards(&self, inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        (inputs.len() == 1).then_some(0)
    }
    no_regions!();
    no_effect!();
}
