//! The control-flow primitives as types, implementing [`Primitive`] with
//! the rules of `control.rs` and `control/`.

use super::prune::{prune_cond, prune_scan, prune_while};
use super::*;
use crate::diag::Diagnostic;
use crate::ir::emit::{Emitter, Value};
use crate::ir::fresh_var;
use crate::ir::simplify::hoist::with_consts;
use crate::ir::stage::{Stager, Walk};
use crate::ir::transforms::{Staged, Tx};
use crate::ir::{Atom, Builder, Eqn, Graph, Prim, PrimError, Primitive, RuleResult, Var, VarId};
use crate::span::Span;
use crate::tensor::Tensor;
use crate::types::TensorType;
use std::collections::HashSet;

/// Inputs: `n_consts` loop-invariant values, then the initial carries.
/// `cond: (consts, carries) -> bool[]`, `body: (consts, carries) -> carries`.
/// Outputs: the final carries. `trip_count` is set when the tracer knows
/// the number of iterations statically (a `for` over a static range).
#[derive(Clone, Debug, PartialEq)]
pub struct While {
    pub cond: Box<Graph>,
    pub body: Box<Graph>,
    pub n_consts: usize,
    pub trip_count: Option<u64>,
    /// Where the loop is in the source, for errors about it (`None`
    /// for loops nest makes itself).
    pub span: Option<Span>,
}

/// A loop of `length` iterations (see `control/scan.rs`). Inputs:
/// `n_consts` loop-invariant values, `n_carries` initial carries, then
/// stacked inputs with a leading dim of `length`.
/// `body: (consts, carries, one slice of each stacked input) -> (carries,
/// one slice of each stacked output)`. Outputs: the final carries, then
/// the stacked outputs. With `reverse`, iteration `k` works on index
/// `length - 1 - k`.
#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    pub body: Box<Graph>,
    pub n_consts: usize,
    pub n_carries: usize,
    pub length: usize,
    pub reverse: bool,
}

/// Inputs: an `i32` scalar index, then the operands passed to every branch.
/// Runs `branches[index]` (an out-of-range index runs the last branch).
#[derive(Clone, Debug, PartialEq)]
pub struct Cond {
    pub branches: Vec<Graph>,
}

impl Primitive for While {
    fn name(&self) -> &'static str {
        "while"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_while(&self.cond, &self.body, self.n_consts, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_while(&self.cond, &self.body, self.n_consts, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_while(&self.cond, &self.body, self.n_consts, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_while(
            &self.cond,
            &self.body,
            self.n_consts,
            (self.trip_count, self.span),
            b,
            primals,
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
        Err(PrimError::not_linear(self.name()))
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_while(
            &self.cond,
            &self.body,
            self.n_consts,
            (self.trip_count, self.span),
            b,
            inputs,
            batched,
            size,
        )?)
    }
    fn params(&self) -> Vec<String> {
        let mut ps = vec![format!("n_consts={}", self.n_consts)];
        if let Some(n) = self.trip_count {
            ps.push(format!("trip_count={}", n));
        }
        ps
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    fn partial_eval(
        &self,
        t: Tx,
        eqn: &Eqn,
        unknown: &[bool],
    ) -> Result<Option<Staged>, Diagnostic> {
        partial_eval_while(
            t,
            &self.body,
            self.n_consts,
            (self.trip_count, self.span),
            eqn,
            unknown,
        )
        .map(Some)
    }
    fn regions(&self) -> Vec<&Graph> {
        vec![&self.cond, &self.body]
    }
    fn map_regions(&self, f: &mut dyn FnMut(&Graph) -> Graph) -> Prim {
        Prim::new(While {
            cond: Box::new(f(&self.cond)),
            body: Box::new(f(&self.body)),
            n_consts: self.n_consts,
            trip_count: self.trip_count,
            span: self.span,
        })
    }
    fn region_labels(&self) -> Vec<(String, &Graph)> {
        vec![
            ("cond".to_string(), &*self.cond),
            ("body".to_string(), &*self.body),
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
        outs: &[Var],
    ) -> RuleResult<Vec<Atom>> {
        stage_while(
            &self.cond,
            &self.body,
            self.n_consts,
            (self.trip_count, self.span),
            st,
            w,
            inputs,
            outs,
        )
    }
    fn prune(&self, eqn: Eqn, live: &HashSet<VarId>, changed: &mut bool) -> Eqn {
        prune_while(eqn, live, changed)
    }
    fn loop_body(&self) -> Option<(&Graph, usize)> {
        Some((&self.body, self.n_consts))
    }
    fn with_loop_body(&self, body: Graph, new: Vec<Var>) -> Option<Prim> {
        // The condition takes the new constants too, and does not read them.
        let unused = new.iter().map(|v| fresh_var(v.ty.clone())).collect();
        Some(Prim::new(While {
            cond: Box::new(with_consts(&self.cond, self.n_consts, unused)),
            n_consts: self.n_consts + new.len(),
            body: Box::new(with_consts(&body, self.n_consts, new)),
            trip_count: self.trip_count,
            span: self.span,
        }))
    }
}
impl Primitive for Scan {
    fn name(&self) -> &'static str {
        "scan"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_scan(
            &self.body,
            self.n_consts,
            self.n_carries,
            self.length,
            inputs,
        )
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_scan(
            &self.body,
            self.n_consts,
            self.n_carries,
            self.length,
            self.reverse,
            inputs,
        )
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        _outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_scan(
            &self.body,
            self.n_consts,
            self.n_carries,
            self.length,
            self.reverse,
            em,
            inputs,
        )
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_scan(
            &self.body,
            self.n_consts,
            self.n_carries,
            self.length,
            self.reverse,
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
        Ok(transpose_scan(
            &self.body,
            self.n_consts,
            self.n_carries,
            self.length,
            self.reverse,
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
        Ok(batch_scan(
            &self.body,
            [self.n_consts, self.n_carries, self.length],
            self.reverse,
            b,
            inputs,
            batched,
            size,
        )?)
    }
    fn params(&self) -> Vec<String> {
        let mut ps = vec![
            format!("n_consts={}", self.n_consts),
            format!("n_carries={}", self.n_carries),
            format!("length={}", self.length),
        ];
        if self.reverse {
            ps.push("reverse=true".into());
        }
        ps
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    fn partial_eval(
        &self,
        t: Tx,
        eqn: &Eqn,
        unknown: &[bool],
    ) -> Result<Option<Staged>, Diagnostic> {
        partial_eval_scan(
            t,
            &self.body,
            [self.n_consts, self.n_carries, self.length],
            self.reverse,
            eqn,
            unknown,
        )
        .map(Some)
    }
    fn regions(&self) -> Vec<&Graph> {
        vec![&self.body]
    }
    fn map_regions(&self, f: &mut dyn FnMut(&Graph) -> Graph) -> Prim {
        Prim::new(Scan {
            body: Box::new(f(&self.body)),
            ..*self
        })
    }
    fn region_labels(&self) -> Vec<(String, &Graph)> {
        vec![("body".to_string(), &*self.body)]
    }
    fn own_effect(&self) -> bool {
        false
    }
    fn stage(
        &self,
        st: &mut Stager,
        w: &mut Walk,
        inputs: &[Atom],
        outs: &[Var],
    ) -> RuleResult<Vec<Atom>> {
        stage_scan(
            &self.body,
            [self.n_consts, self.n_carries, self.length],
            self.reverse,
            st,
            w,
            inputs,
            outs,
        )
    }
    fn prune(&self, eqn: Eqn, live: &HashSet<VarId>, changed: &mut bool) -> Eqn {
        prune_scan(eqn, live, changed)
    }
    fn loop_body(&self) -> Option<(&Graph, usize)> {
        Some((&self.body, self.n_consts))
    }
    fn with_loop_body(&self, body: Graph, new: Vec<Var>) -> Option<Prim> {
        Some(Prim::new(Scan {
            n_consts: self.n_consts + new.len(),
            body: Box::new(with_consts(&body, self.n_consts, new)),
            ..*self
        }))
    }
}
impl Primitive for Cond {
    fn name(&self) -> &'static str {
        "cond"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_cond(&self.branches, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_cond(&self.branches, inputs)
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_cond(&self.branches, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_cond(&self.branches, b, primals, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_cond(&self.branches, b, inputs, linear, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_cond(&self.branches, b, inputs, batched, size)?)
    }
    fn params(&self) -> Vec<String> {
        vec![]
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    fn partial_eval(
        &self,
        t: Tx,
        eqn: &Eqn,
        unknown: &[bool],
    ) -> Result<Option<Staged>, Diagnostic> {
        partial_eval_cond(t, &self.branches, eqn, unknown).map(Some)
    }
    fn regions(&self) -> Vec<&Graph> {
        self.branches.iter().collect()
    }
    fn map_regions(&self, f: &mut dyn FnMut(&Graph) -> Graph) -> Prim {
        Prim::new(Cond {
            branches: self.branches.iter().map(f).collect(),
        })
    }
    fn region_labels(&self) -> Vec<(String, &Graph)> {
        (self.branches.iter().enumerate())
            .map(|(i, g)| (format!("branch{}", i), g))
            .collect()
    }
    fn own_effect(&self) -> bool {
        false
    }
    fn stage(
        &self,
        st: &mut Stager,
        w: &mut Walk,
        inputs: &[Atom],
        outs: &[Var],
    ) -> RuleResult<Vec<Atom>> {
        stage_cond(&self.branches, st, w, inputs, outs)
    }
    fn prune(&self, eqn: Eqn, live: &HashSet<VarId>, changed: &mut bool) -> Eqn {
        prune_cond(eqn, live, changed)
    }
    fn loop_body(&self) -> Option<(&Graph, usize)> {
        None
    }
    fn with_loop_body(&self, _body: Graph, _new: Vec<Var>) -> Option<Prim> {
        None
    }
}
