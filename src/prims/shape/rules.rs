//! The shape primitives as types, implementing [`Primitive`] with the rules
//! of `shape.rs` and `shape/`.

use super::*;
use crate::ir::emit::{Emitter, Value};
use crate::ir::primitive::{no_effect, no_regions};
use crate::ir::print::list;
use crate::ir::simplify::fold::in_order;
use crate::ir::{Atom, Builder, Prim, PrimError, Primitive, RuleResult};
use crate::tensor::Tensor;
use crate::types::{DType, TensorType};

/// StableHLO `broadcast_in_dim`: operand dim `i` becomes output dim
/// `dims[i]`, where its size must be 1 or equal to `shape[dims[i]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Broadcast {
    pub shape: Vec<usize>,
    pub dims: Vec<usize>,
}

/// Row-major reshape to a shape of equal size.
#[derive(Clone, Debug, PartialEq)]
pub struct Reshape {
    pub shape: Vec<usize>,
}

/// Output dim `i` is operand dim `perm[i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Transpose {
    pub perm: Vec<usize>,
}

/// Static strided slice `[start, limit)` with `stride` per dim.
#[derive(Clone, Debug, PartialEq)]
pub struct Slice {
    pub start: Vec<usize>,
    pub limit: Vec<usize>,
    pub stride: Vec<usize>,
}

/// Inputs: operand, then one integer scalar start index per dim; starts
/// are clamped to `[0, dim - size]` as in StableHLO.
#[derive(Clone, Debug, PartialEq)]
pub struct DynamicSlice {
    pub sizes: Vec<usize>,
}

/// Inputs: operand, update, then one integer scalar start index per dim (clamped).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DynamicUpdateSlice;

/// Concatenates its inputs (at least one) along `axis`.
#[derive(Clone, Debug, PartialEq)]
pub struct Concat {
    pub axis: usize,
}

/// Inputs: operand, padding value (scalar). Edge padding may be negative.
#[derive(Clone, Debug, PartialEq)]
pub struct Pad {
    pub lo: Vec<i64>,
    pub hi: Vec<i64>,
    pub interior: Vec<usize>,
}

/// No inputs: `0, 1, 2, ...` along `dim` of `shape`.
#[derive(Clone, Debug, PartialEq)]
pub struct Iota {
    pub shape: Vec<usize>,
    pub dim: usize,
    pub dtype: DType,
}

/// Reverses the order of elements along `axes`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rev {
    pub axes: Vec<usize>,
}

impl Primitive for Broadcast {
    fn name(&self) -> &'static str {
        "broadcast_in_dim"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_broadcast(&self.shape, &self.dims, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_broadcast(&self.shape, &self.dims, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        _outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_broadcast(&self.shape, &self.dims, em, inputs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_unary_linear(
            &Prim::new(self.clone()),
            b,
            primals,
            tangents,
        )?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_broadcast(&self.dims, b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        _batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_broadcast(&self.shape, &self.dims, b, inputs, size)?)
    }
    fn params(&self) -> Vec<String> {
        vec![format!("dims={}", list(&self.dims))]
    }
    fn forwards(&self, inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        // The dims may permute.
        (inputs.len() == 1 && in_order(&self.dims)).then_some(0)
    }
    no_regions!();
    no_effect!();
}
impl Primitive for Reshape {
    fn name(&self) -> &'static str {
        "reshape"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_reshape(&self.shape, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_reshape(&self.shape, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_reshape(em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_unary_linear(
            &Prim::new(self.clone()),
            b,
            primals,
            tangents,
        )?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_reshape(b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        _batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_reshape(&self.shape, b, inputs, size)?)
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
impl Primitive for Transpose {
    fn name(&self) -> &'static str {
        "transpose"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_transpose(&self.perm, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_transpose(&self.perm, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_transpose(&self.perm, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_unary_linear(
            &Prim::new(self.clone()),
            b,
            primals,
            tangents,
        )?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_transpose(&self.perm, b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        _batched: &[bool],
        _size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_transpose(&self.perm, b, inputs)?)
    }
    fn params(&self) -> Vec<String> {
        vec![format!("perm={}", list(&self.perm))]
    }
    fn forwards(&self, inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        // Keeping the type is not enough (`[1, 0]` on a square matrix).
        (inputs.len() == 1 && in_order(&self.perm)).then_some(0)
    }
    no_regions!();
    no_effect!();
}
impl Primitive for Slice {
    fn name(&self) -> &'static str {
        "slice"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_slice(&self.start, &self.limit, &self.stride, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_slice(&self.start, &self.limit, &self.stride, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_slice(&self.start, &self.limit, &self.stride, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_unary_linear(
            &Prim::new(self.clone()),
            b,
            primals,
            tangents,
        )?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_slice(
            &self.start,
            &self.stride,
            b,
            inputs,
            linear,
            cts,
        )?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        _batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_slice(
            &self.start,
            &self.limit,
            &self.stride,
            b,
            inputs,
            size,
        )?)
    }
    fn params(&self) -> Vec<String> {
        let mut ps = vec![
            format!("start={}", list(&self.start)),
            format!("limit={}", list(&self.limit)),
        ];
        if self.stride.iter().any(|&s| s != 1) {
            ps.push(format!("stride={}", list(&self.stride)));
        }
        ps
    }
    fn forwards(&self, inputs: &[Atom], out: &TensorType) -> Option<usize> {
        (inputs.len() == 1
            && self.start.iter().all(|&s| s == 0)
            && self.limit.as_slice() == out.shape.as_slice()
            && self.stride.iter().all(|&s| s == 1))
        .then_some(0)
    }
    no_regions!();
    no_effect!();
}
impl Primitive for DynamicSlice {
    fn name(&self) -> &'static str {
        "dynamic_slice"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_dynamic_slice(&self.sizes, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_dynamic_slice(&self.sizes, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_dynamic_slice(&self.sizes, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_dynamic_slice(
            &Prim::new(self.clone()),
            b,
            primals,
            tangents,
        )?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_dynamic_slice(b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_dynamic_slice(&self.sizes, b, inputs, batched, size)?)
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
impl Primitive for DynamicUpdateSlice {
    fn name(&self) -> &'static str {
        "dynamic_update_slice"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_dynamic_update_slice(inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_dynamic_update_slice(inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_dynamic_update_slice(em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_dynamic_update_slice(b, primals, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_dynamic_update_slice(b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_dynamic_update_slice(b, inputs, batched, size)?)
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
impl Primitive for Concat {
    fn name(&self) -> &'static str {
        "concatenate"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_concat(self.axis, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_concat(self.axis, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_concat(self.axis, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_concat(&Prim::new(self.clone()), b, primals, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_concat(self.axis, b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_concat(self.axis, b, inputs, batched, size)?)
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
impl Primitive for Pad {
    fn name(&self) -> &'static str {
        "pad"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_pad(&self.lo, &self.hi, &self.interior, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_pad(&self.lo, &self.hi, &self.interior, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_pad(&self.lo, &self.hi, &self.interior, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_pad(&Prim::new(self.clone()), b, primals, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_pad(
            &self.lo,
            &self.hi,
            &self.interior,
            b,
            inputs,
            linear,
            cts,
        )?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_pad(
            &self.lo,
            &self.hi,
            &self.interior,
            b,
            inputs,
            batched,
            size,
        )?)
    }
    fn params(&self) -> Vec<String> {
        let mut ps = vec![
            format!("lo={}", list(&self.lo)),
            format!("hi={}", list(&self.hi)),
        ];
        if self.interior.iter().any(|&i| i != 0) {
            ps.push(format!("interior={}", list(&self.interior)));
        }
        ps
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    no_regions!();
    no_effect!();
}
impl Primitive for Iota {
    fn name(&self) -> &'static str {
        "iota"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_iota(&self.shape, self.dim, self.dtype, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_iota(&self.shape, self.dim, self.dtype, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        _inputs: &[Value],
        _outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_iota(&self.shape, self.dim, self.dtype, em)
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
        _b: &mut Builder,
        _inputs: &[Atom],
        _batched: &[bool],
        _size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        // No operands, so never batched (`Prim::batch` applies it as it is).
        Err(PrimError::from("iota has no operand to batch"))
    }
    fn params(&self) -> Vec<String> {
        vec![format!("dim={}", self.dim)]
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    no_regions!();
    no_effect!();
}
impl Primitive for Rev {
    fn name(&self) -> &'static str {
        "reverse"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_rev(&self.axes, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_rev(&self.axes, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        _outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_rev(&self.axes, em, inputs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_unary_linear(
            &Prim::new(self.clone()),
            b,
            primals,
            tangents,
        )?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_rev(&self.axes, b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        _batched: &[bool],
        _size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_rev(&self.axes, b, inputs)?)
    }
    fn params(&self) -> Vec<String> {
        vec![format!("axes={}", list(&self.axes))]
    }
    fn forwards(&self, inputs: &[Atom], out: &TensorType) -> Option<usize> {
        (inputs.len() == 1 && self.axes.iter().all(|&a| out.shape.get(a) == Some(&1))).then_some(0)
    }
    no_regions!();
    no_effect!();
}
