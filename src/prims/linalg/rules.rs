//! The linear algebra primitives as types, implementing [`Primitive`] with
//! the rules of `linalg.rs` and `linalg/`.

use super::*;
use crate::ir::emit::{Emitter, Value};
use crate::ir::primitive::{no_effect, no_regions};
use crate::ir::print::list;
use crate::ir::{Atom, Builder, Prim, PrimError, Primitive, RuleResult};
use crate::tensor::Tensor;
use crate::types::TensorType;

/// StableHLO `dot_general`; the result's dims are batch, lhs free, rhs free.
#[derive(Clone, Debug, PartialEq)]
pub struct DotGeneral {
    pub lhs_batch: Vec<usize>,
    pub rhs_batch: Vec<usize>,
    pub lhs_contract: Vec<usize>,
    pub rhs_contract: Vec<usize>,
}

/// Lower Cholesky factor of each `[.., n, n]` matrix (upper part zero;
/// NaN where the matrix is not positive definite).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cholesky;

/// Inputs `a: [.., n, n]`, `b`: solves `op(a) x = b` (`left_side`, `b: [.., n, k]`)
/// or `x op(a) = b` (`b: [.., k, n]`), with `op(a) = aᵀ` if `transpose_a`,
/// reading only the `lower` (or upper) triangle of `a`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TriangularSolve {
    pub left_side: bool,
    pub lower: bool,
    pub transpose_a: bool,
    pub unit_diagonal: bool,
}

impl Primitive for DotGeneral {
    fn name(&self) -> &'static str {
        "dot_general"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_dot_general(
            &self.lhs_batch,
            &self.rhs_batch,
            &self.lhs_contract,
            &self.rhs_contract,
            inputs,
        )
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_dot_general(
            &self.lhs_batch,
            &self.rhs_batch,
            &self.lhs_contract,
            &self.rhs_contract,
            inputs,
        )
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_dot_general(
            &self.lhs_batch,
            &self.rhs_batch,
            &self.lhs_contract,
            &self.rhs_contract,
            em,
            inputs,
            outs,
        )
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_dot_general(self, b, primals, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_dot_general(self, b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        _size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        let dims = DotDims {
            lhs_batch: &self.lhs_batch,
            rhs_batch: &self.rhs_batch,
            lhs_contract: &self.lhs_contract,
            rhs_contract: &self.rhs_contract,
        };
        Ok(batch_dot_general(&dims, b, inputs, batched)?)
    }
    fn params(&self) -> Vec<String> {
        // The dimension lists, the empty ones left out.
        let named = [
            ("lhs_batch", &self.lhs_batch),
            ("rhs_batch", &self.rhs_batch),
            ("lhs_contract", &self.lhs_contract),
            ("rhs_contract", &self.rhs_contract),
        ];
        (named.into_iter())
            .filter(|(_, dims)| !dims.is_empty())
            .map(|(name, dims)| format!("{}={}", name, list(dims)))
            .collect()
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    no_regions!();
    no_effect!();
}
impl Primitive for Cholesky {
    fn name(&self) -> &'static str {
        "cholesky"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_cholesky(inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_cholesky(inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_cholesky(em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_cholesky(b, primals, outs, tangents)?)
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
        Ok(batch_cholesky(b, inputs)?)
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
impl Primitive for TriangularSolve {
    fn name(&self) -> &'static str {
        "triangular_solve"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_triangular_solve(self.left_side, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_triangular_solve(
            self.left_side,
            self.lower,
            self.transpose_a,
            self.unit_diagonal,
            inputs,
        )
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_triangular_solve(
            self.left_side,
            self.lower,
            self.transpose_a,
            self.unit_diagonal,
            em,
            inputs,
            outs,
        )
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_triangular_solve(
            self.left_side,
            self.lower,
            self.transpose_a,
            self.unit_diagonal,
            b,
            primals,
            outs,
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
        Ok(transpose_triangular_solve(
            self.left_side,
            self.lower,
            self.transpose_a,
            self.unit_diagonal,
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
        Ok(batch_triangular_solve(
            &Prim::new(*self),
            b,
            inputs,
            batched,
            size,
        )?)
    }
    fn params(&self) -> Vec<String> {
        vec![
            format!("left_side={}", self.left_side),
            format!("lower={}", self.lower),
            format!("transpose_a={}", self.transpose_a),
            format!("unit_diagonal={}", self.unit_diagonal),
        ]
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    no_regions!();
    no_effect!();
}
