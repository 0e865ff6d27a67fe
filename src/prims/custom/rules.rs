//! The custom-derivative primitives and `linear_solve` as types,
//! implementing [`Primitive`] with the rules of `custom.rs`.

use super::*;
use crate::diag::Diagnostic;
use crate::ir::emit::{Emitter, Value};
use crate::ir::stage::{Stager, Walk};
use crate::ir::transforms::{Staged, Tx};
use crate::ir::{Atom, Builder, Eqn, Graph, Prim, PrimError, Primitive, RuleResult, Var, VarId};
use crate::tensor::Tensor;
use crate::types::TensorType;
use std::collections::HashSet;

/// `primal(inputs)`, whose JVP is the `jvp` graph: `(inputs, a tangent
/// per float input) -> (outputs, a tangent per float output)`. The first
/// `closed` inputs are values the functions close over, which the rule
/// does not differentiate: a tangent for one of them is an error.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomJvp {
    pub primal: Box<Graph>,
    pub jvp: Box<Graph>,
    pub closed: usize,
}

/// `primal(inputs)`, differentiated in reverse mode only: `fwd` gives
/// `(outputs, residuals)`, and the cotangents of the float inputs past
/// the first `closed` are `bwd(closed inputs, residuals, cotangents of
/// the float outputs)`. A tangent for a closed input is an error.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomVjp {
    pub primal: Box<Graph>,
    pub fwd: Box<Graph>,
    pub bwd: Box<Graph>,
    pub closed: usize,
}

/// The tangent map of a `custom_vjp`, known only through its transpose
/// `bwd`: inputs `n_res` values (the closed inputs and the residuals),
/// then the tangents of the float arguments; outputs the tangents of
/// the float outputs. It can be transposed, never evaluated.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomVjpLin {
    pub bwd: Box<Graph>,
    pub n_res: usize,
}

/// Inputs: `n_consts` constants, then a right-hand side `b`. Gives
/// `solve(consts, b) ≈ A⁻¹b` for the linear map `A·u = matvec(consts,
/// u)`, differentiated through `A` only; `transpose_solve` solves with
/// `Aᵀ`.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearSolve {
    pub matvec: Box<Graph>,
    pub solve: Box<Graph>,
    pub transpose_solve: Box<Graph>,
    pub n_consts: usize,
}

impl Primitive for CustomJvp {
    fn name(&self) -> &'static str {
        "custom_jvp"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_custom_jvp(&self.primal, &self.jvp, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_custom_jvp(&self.primal, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        _outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_custom_jvp(&self.primal, em, inputs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_custom_jvp(
            &self.jvp,
            self.closed,
            b,
            primals,
            outs,
            tangents,
        )?)
    }
    fn transpose(
        &self,
        _b: &mut Builder,
        _inputs: &[Atom],
        _linear: &[bool],
        _cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        // Their JVPs are their rules, inlined: they never appear linearly.
        Err(PrimError::from(format!(
            "{} is not linear in its inputs",
            self.name()
        )))
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_custom_jvp(
            &self.primal,
            &self.jvp,
            self.closed,
            b,
            inputs,
            batched,
            size,
        )?)
    }
    fn params(&self) -> Vec<String> {
        let mut ps = vec![];
        if self.closed > 0 {
            ps.push(format!("closed={}", self.closed));
        }
        ps
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    fn partial_eval(
        &self,
        _t: Tx,
        _eqn: &Eqn,
        _unknown: &[bool],
    ) -> Result<Option<Staged>, Diagnostic> {
        // Split as a whole: in a JVP it appears only with known inputs
        // (inlined by its rule) or as a linear map of the tangents.
        Ok(None)
    }
    fn regions(&self) -> Vec<&Graph> {
        vec![&self.primal, &self.jvp]
    }
    fn map_regions(&self, f: &mut dyn FnMut(&Graph) -> Graph) -> Prim {
        Prim::new(CustomJvp {
            primal: Box::new(f(&self.primal)),
            jvp: Box::new(f(&self.jvp)),
            closed: self.closed,
        })
    }
    fn region_labels(&self) -> Vec<(String, &Graph)> {
        vec![
            ("primal".to_string(), &*self.primal),
            ("jvp".to_string(), &*self.jvp),
        ]
    }
    fn own_effect(&self) -> bool {
        false
    }
    fn stage(
        &self,
        st: &mut Stager,
        w: &mut Walk,
        inputs: &[Atom],
        _outs: &[Var],
    ) -> RuleResult<Vec<Atom>> {
        // What runs in its place (see its lowering).
        st.stage_inline(w, &self.primal, inputs)
    }
    fn prune(&self, eqn: Eqn, _live: &HashSet<VarId>, _changed: &mut bool) -> Eqn {
        eqn
    }
    fn loop_body(&self) -> Option<(&Graph, usize)> {
        None
    }
    fn with_loop_body(&self, _body: Graph, _new: Vec<Var>) -> Option<Prim> {
        None
    }
}
impl Primitive for CustomVjp {
    fn name(&self) -> &'static str {
        "custom_vjp"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_custom_vjp(&self.primal, &self.fwd, &self.bwd, self.closed, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_custom_jvp(&self.primal, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        _outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_custom_jvp(&self.primal, em, inputs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_custom_vjp(self, b, primals, outs, tangents)?)
    }
    fn transpose(
        &self,
        _b: &mut Builder,
        _inputs: &[Atom],
        _linear: &[bool],
        _cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        // Their JVPs are their rules, inlined: they never appear linearly.
        Err(PrimError::from(format!(
            "{} is not linear in its inputs",
            self.name()
        )))
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_custom_vjp(self, b, inputs, batched, size)?)
    }
    fn params(&self) -> Vec<String> {
        let mut ps = vec![];
        if self.closed > 0 {
            ps.push(format!("closed={}", self.closed));
        }
        ps
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    fn partial_eval(
        &self,
        _t: Tx,
        _eqn: &Eqn,
        _unknown: &[bool],
    ) -> Result<Option<Staged>, Diagnostic> {
        // Split as a whole: in a JVP it appears only with known inputs
        // (inlined by its rule) or as a linear map of the tangents.
        Ok(None)
    }
    fn regions(&self) -> Vec<&Graph> {
        vec![&self.primal, &self.fwd, &self.bwd]
    }
    fn map_regions(&self, f: &mut dyn FnMut(&Graph) -> Graph) -> Prim {
        Prim::new(CustomVjp {
            primal: Box::new(f(&self.primal)),
            fwd: Box::new(f(&self.fwd)),
            bwd: Box::new(f(&self.bwd)),
            closed: self.closed,
        })
    }
    fn region_labels(&self) -> Vec<(String, &Graph)> {
        vec![
            ("primal".to_string(), &*self.primal),
            ("fwd".to_string(), &*self.fwd),
            ("bwd".to_string(), &*self.bwd),
        ]
    }
    fn own_effect(&self) -> bool {
        false
    }
    fn stage(
        &self,
        st: &mut Stager,
        w: &mut Walk,
        inputs: &[Atom],
        _outs: &[Var],
    ) -> RuleResult<Vec<Atom>> {
        // What runs in its place (see its lowering).
        st.stage_inline(w, &self.primal, inputs)
    }
    fn prune(&self, eqn: Eqn, _live: &HashSet<VarId>, _changed: &mut bool) -> Eqn {
        eqn
    }
    fn loop_body(&self) -> Option<(&Graph, usize)> {
        None
    }
    fn with_loop_body(&self, _body: Graph, _new: Vec<Var>) -> Option<Prim> {
        None
    }
}
impl Primitive for CustomVjpLin {
    fn name(&self) -> &'static str {
        "custom_vjp_lin"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_custom_vjp_lin(&self.bwd, self.n_res, inputs)
    }
    fn eval(&self, _inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        Err(PrimError::from(FORWARD_MODE_OF_CUSTOM_VJP))
    }
    fn lower(
        &self,
        _em: &mut Emitter,
        _inputs: &[Value],
        _outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        Err(PrimError::from(FORWARD_MODE_OF_CUSTOM_VJP))
    }
    fn jvp(
        &self,
        _b: &mut Builder,
        _primals: &[Atom],
        _outs: &[Atom],
        _tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Err(PrimError::from(FORWARD_MODE_OF_CUSTOM_VJP))
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_custom_vjp_lin(
            &self.bwd, self.n_res, b, inputs, linear, cts,
        )?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_custom_vjp_lin(
            &self.bwd, self.n_res, b, inputs, batched, size,
        )?)
    }
    fn params(&self) -> Vec<String> {
        vec![format!("n_res={}", self.n_res)]
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    fn partial_eval(
        &self,
        _t: Tx,
        _eqn: &Eqn,
        _unknown: &[bool],
    ) -> Result<Option<Staged>, Diagnostic> {
        // Split as a whole: in a JVP it appears only with known inputs
        // (inlined by its rule) or as a linear map of the tangents.
        Ok(None)
    }
    fn regions(&self) -> Vec<&Graph> {
        vec![&self.bwd]
    }
    fn map_regions(&self, f: &mut dyn FnMut(&Graph) -> Graph) -> Prim {
        Prim::new(CustomVjpLin {
            bwd: Box::new(f(&self.bwd)),
            n_res: self.n_res,
        })
    }
    fn region_labels(&self) -> Vec<(String, &Graph)> {
        vec![("bwd".to_string(), &*self.bwd)]
    }
    fn own_effect(&self) -> bool {
        false
    }
    fn stage(
        &self,
        _st: &mut Stager,
        _w: &mut Walk,
        _inputs: &[Atom],
        _outs: &[Var],
    ) -> RuleResult<Vec<Atom>> {
        Err(PrimError::from(FORWARD_MODE_OF_CUSTOM_VJP))
    }
    fn prune(&self, eqn: Eqn, _live: &HashSet<VarId>, _changed: &mut bool) -> Eqn {
        eqn
    }
    fn loop_body(&self) -> Option<(&Graph, usize)> {
        None
    }
    fn with_loop_body(&self, _body: Graph, _new: Vec<Var>) -> Option<Prim> {
        None
    }
}
impl Primitive for LinearSolve {
    fn name(&self) -> &'static str {
        "linear_solve"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_linear_solve(
            &self.matvec,
            &self.solve,
            &self.transpose_solve,
            self.n_consts,
            inputs,
        )
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_linear_solve(&self.solve, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        _outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_linear_solve(&self.solve, em, inputs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_linear_solve(self, b, primals, outs, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_linear_solve(self, b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_linear_solve(self, b, inputs, batched, size)?)
    }
    fn params(&self) -> Vec<String> {
        vec![format!("n_consts={}", self.n_consts)]
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    fn partial_eval(
        &self,
        _t: Tx,
        _eqn: &Eqn,
        _unknown: &[bool],
    ) -> Result<Option<Staged>, Diagnostic> {
        // Split as a whole: in a JVP it appears only with known inputs
        // (inlined by its rule) or as a linear map of the tangents.
        Ok(None)
    }
    fn regions(&self) -> Vec<&Graph> {
        vec![&self.matvec, &self.solve, &self.transpose_solve]
    }
    fn map_regions(&self, f: &mut dyn FnMut(&Graph) -> Graph) -> Prim {
        Prim::new(LinearSolve {
            matvec: Box::new(f(&self.matvec)),
            solve: Box::new(f(&self.solve)),
            transpose_solve: Box::new(f(&self.transpose_solve)),
            n_consts: self.n_consts,
        })
    }
    fn region_labels(&self) -> Vec<(String, &Graph)> {
        vec![
            ("matvec".to_string(), &*self.matvec),
            ("solve".to_string(), &*self.solve),
            ("transpose_solve".to_string(), &*self.transpose_solve),
        ]
    }
    fn own_effect(&self) -> bool {
        false
    }
    fn stage(
        &self,
        st: &mut Stager,
        w: &mut Walk,
        inputs: &[Atom],
        _outs: &[Var],
    ) -> RuleResult<Vec<Atom>> {
        // What runs in its place (see its lowering).
        st.stage_inline(w, &self.solve, inputs)
    }
    fn prune(&self, eqn: Eqn, _live: &HashSet<VarId>, _changed: &mut bool) -> Eqn {
        eqn
    }
    fn loop_body(&self) -> Option<(&Graph, usize)> {
        None
    }
    fn with_loop_body(&self, _body: Graph, _new: Vec<Var>) -> Option<Prim> {
        None
    }
}
