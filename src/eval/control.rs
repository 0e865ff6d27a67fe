//! Control flow inside a trace: loops become one `while` primitive carrying
//! the assigned `var`s (never unrolled), and `if` on a traced condition
//! becomes a `cond` primitive. `if` on a concrete condition just runs one
//! branch, on the host or in a trace.

use super::exec::Evaluator;
use super::module::Env;
use super::ops;
use super::stmt::Flow;
use super::tracer::{union_captures, Region};
use super::tree::{flatten, same_structure, unflatten, TreeDef};
use super::value::{Arr, Value};
use crate::diag::{Diagnostic, Result};
use crate::prims::{BinaryOp, Cmp, Prim};
use crate::prims::{Cond, While};
use crate::span::Span;
use crate::syntax::ast::{Block, Expr, Ident};
use crate::types::{DType, TensorType};
use std::rc::Rc;

/// What drives a traced loop.
enum LoopKind<'a> {
    /// `for var in start..end`: the index is carried first.
    For {
        var: &'a str,
        end: Arr,
    },
    While {
        cond: &'a Expr,
    },
}

impl Evaluator {
    pub fn traced_for(
        &mut self,
        env: &mut Env,
        var: &Ident,
        start: &Expr,
        end: &Expr,
        body: &Block,
        span: Span,
    ) -> Result<()> {
        let a = self.static_bound(env, start)?;
        let b = self.static_bound(env, end)?;
        let trip = match (a.static_int(), b.static_int()) {
            (Some(x), Some(y)) => Some((y - x).max(0) as u64),
            _ => None,
        };
        // The counter is i32, or i64 when a bound is (an integer literal
        // outside i32's range is i64 alone), so that it never wraps.
        let counter = match a.dtype().join(b.dtype()) {
            DType::I64 => DType::I64,
            _ => DType::I32,
        };
        let a = ops::cast(&mut self.tracer, &a, counter)?;
        let b = ops::cast(&mut self.tracer, &b, counter)?;
        self.traced_loop(
            env,
            LoopKind::For {
                var: &var.name,
                end: b,
            },
            Some(a),
            body,
            trip,
            span,
        )
    }

    pub fn traced_while(
        &mut self,
        env: &mut Env,
        cond: &Expr,
        body: &Block,
        span: Span,
    ) -> Result<()> {
        self.traced_loop(env, LoopKind::While { cond }, None, body, None, span)
    }

    fn traced_loop(
        &mut self,
        env: &mut Env,
        kind: LoopKind,
        index: Option<Arr>,
        body: &Block,
        trip: Option<u64>,
        span: Span,
    ) -> Result<()> {
        let names = carried_names(env, body, &kind);
        let init = Value::Tuple(Rc::new(
            names
                .iter()
                .map(|n| env.lookup(n).unwrap_or(Value::None))
                .collect(),
        ));
        let (init_leaves, def) = flatten(&init);
        let mut types: Vec<TensorType> = index
            .iter()
            .chain(&init_leaves)
            .map(|a| ops::materialize(a).ty())
            .collect();
        for _attempt in 0..3 {
            let cond = self.trace_region(&types, span, |ev, ins| {
                ev.loop_cond(env, &kind, &names, &def, ins)
            });
            let cond = self.restoring(env, &names, &init, cond)?;
            if let (LoopKind::While { cond: c }, true) = (&kind, cond.0.graph.has_effects()) {
                // Its state could not leave the condition, which returns a bool only.
                return Err(Diagnostic::at(
                    c.span,
                    "`print` inside a `while` loop's condition is not supported",
                )
                .with_hint("print in the loop's body, or before the loop"));
            }
            let body_r = self.trace_region(&types, span, |ev, ins| {
                ev.loop_body(env, &kind, &names, &def, ins, body)
            });
            let (body_r, widened) = self.restoring(env, &names, &init, body_r)?;
            if let Some(w) = widened {
                types = w;
                continue;
            }
            return self.emit_while(
                env,
                &names,
                &def,
                index.as_ref(),
                &init_leaves,
                &types,
                cond.0,
                body_r,
                trip,
                span,
            );
        }
        Err(Diagnostic::at(
            span,
            "the loop's carried values keep changing type",
        ))
    }

    /// Puts the carried vars back to their values before the loop.
    fn restoring<T>(
        &mut self,
        env: &mut Env,
        names: &[String],
        init: &Value,
        r: Result<T>,
    ) -> Result<T> {
        if let Value::Tuple(vals) = init {
            for (n, v) in names.iter().zip(vals.iter()) {
                env.assign(n, v.clone(), Span::default())?;
            }
        }
        r
    }

    /// Traces a region over inputs of `types`; the frame is dropped on error.
    fn trace_region<T>(
        &mut self,
        types: &[TensorType],
        span: Span,
        f: impl FnOnce(&mut Evaluator, Vec<Arr>) -> Result<(Vec<Arr>, T)>,
    ) -> Result<(Region, T)> {
        self.check_trace_depth(span)?;
        self.tracer.begin();
        let r = (|| {
            let ins = types
                .iter()
                .map(|t| self.tracer.input(t.clone()))
                .collect::<Result<Vec<_>>>()?;
            let (outs, extra) = f(self, ins)?;
            Ok((self.tracer.finish(&outs)?, extra))
        })();
        if r.is_err() {
            self.tracer.abandon();
        }
        r
    }

    /// Binds the carried vars (and the loop index) to region inputs.
    fn bind_carries(
        &mut self,
        env: &mut Env,
        kind: &LoopKind,
        names: &[String],
        def: &TreeDef,
        ins: Vec<Arr>,
    ) -> Result<Option<Arr>> {
        let mut it = ins.into_iter();
        let index = match kind {
            LoopKind::For { .. } => it.next(),
            LoopKind::While { .. } => None,
        };
        if let Value::Tuple(vals) = unflatten(def, &mut it)? {
            for (n, v) in names.iter().zip(vals.iter()) {
                env.assign(n, v.clone(), Span::default())?;
            }
        }
        Ok(index)
    }

    fn loop_cond(
        &mut self,
        env: &mut Env,
        kind: &LoopKind,
        names: &[String],
        def: &TreeDef,
        ins: Vec<Arr>,
    ) -> Result<(Vec<Arr>, ())> {
        let index = self.bind_carries(env, kind, names, def, ins)?;
        let c = match (kind, index) {
            (LoopKind::For { end, .. }, Some(i)) => {
                ops::compare(&mut self.tracer, Cmp::Lt, &i, end)?
            }
            (LoopKind::While { cond }, _) => match self.eval_expr(env, cond)? {
                Value::Arr(a) if a.rank() == 0 && a.dtype() == DType::Bool => ops::materialize(&a),
                other => {
                    return Err(Diagnostic::at(
                        cond.span,
                        format!(
                            "a loop condition must be a bool scalar, got {}",
                            other.describe()
                        ),
                    ))
                }
            },
            _ => return Err(Diagnostic::internal("for loop without an index")),
        };
        Ok((vec![c], ()))
    }

    /// Runs the body once on region inputs; returns the new carries, and
    /// widened carry types if a carried value's dtype grew.
    fn loop_body(
        &mut self,
        env: &mut Env,
        kind: &LoopKind,
        names: &[String],
        def: &TreeDef,
        ins: Vec<Arr>,
        body: &Block,
    ) -> Result<(Vec<Arr>, Option<Vec<TensorType>>)> {
        let types: Vec<TensorType> = ins.iter().map(Arr::ty).collect();
        let index = self.bind_carries(env, kind, names, def, ins)?;
        env.push();
        if let (LoopKind::For { var, .. }, Some(i)) = (kind, &index) {
            env.define(var, Value::Arr(i.clone()), false);
        }
        let flow = self.exec_block(env, body);
        env.pop();
        if let Flow::Return(_, s) = flow? {
            return Err(
                Diagnostic::at(s, "`return` inside a loop of a `fn` is not supported").with_hint(
                    "loops in functions are compiled; carry a `var` and return after the loop",
                ),
            );
        }
        let now = Value::Tuple(Rc::new(
            names
                .iter()
                .map(|n| env.lookup(n).unwrap_or(Value::None))
                .collect(),
        ));
        let (mut outs, now_def) = flatten(&now);
        if !same_structure(def, &now_def) {
            return Err(Diagnostic::at(
                body.span,
                "a loop variable changes structure in the loop body",
            ));
        }
        if let Some(i) = index {
            let next = ops::binary(&mut self.tracer, BinaryOp::Add, &i, &Arr::weak_int(1))?;
            outs.insert(0, next);
        }
        self.fit_carries(outs, &types, names, body.span)
    }

    /// Casts new carries to the carry types, or reports the widened types.
    fn fit_carries(
        &mut self,
        outs: Vec<Arr>,
        types: &[TensorType],
        names: &[String],
        span: Span,
    ) -> Result<(Vec<Arr>, Option<Vec<TensorType>>)> {
        let mut fitted = vec![];
        let mut widened = types.to_vec();
        for (o, t) in outs.iter().zip(types) {
            if o.shape() != t.shape.as_slice() {
                return Err(Diagnostic::at(
                    span,
                    format!(
                        "a loop variable changes shape from {} to {} in the loop body",
                        t,
                        o.ty()
                    ),
                )
                .with_hint(format!("carried variables: {}", names.join(", "))));
            }
            let joined = if o.weak().is_some() {
                t.dtype
            } else {
                t.dtype.join(o.dtype())
            };
            if joined != t.dtype {
                let i = fitted.len();
                widened[i] = t.with_dtype(joined);
            }
            fitted.push(ops::cast(&mut self.tracer, o, t.dtype)?);
        }
        let grew = widened.as_slice() != types;
        Ok((fitted, grew.then_some(widened)))
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_while(
        &mut self,
        env: &mut Env,
        names: &[String],
        def: &TreeDef,
        index: Option<&Arr>,
        init: &[Arr],
        types: &[TensorType],
        cond: Region,
        body: Region,
        trip: Option<u64>,
        span: Span,
    ) -> Result<()> {
        let consts = union_captures(&[&cond, &body]);
        let prim = Prim::new(While {
            cond: Box::new(cond.close(&consts)),
            body: Box::new(body.close(&consts)),
            n_consts: consts.len(),
            trip_count: trip,
            span: Some(span),
        });
        let mut inputs: Vec<Arr> = consts.into_iter().map(Arr::Traced).collect();
        for (a, t) in index.into_iter().chain(init).zip(types) {
            inputs.push(ops::cast(&mut self.tracer, a, t.dtype)?);
        }
        let outs = self
            .tracer
            .apply(prim, &inputs)
            .map_err(|m| Diagnostic::at(span, m))?;
        let mut it = outs.into_iter().skip(index.map_or(0, |_| 1));
        if let Value::Tuple(vals) = unflatten(def, &mut it)? {
            for (n, v) in names.iter().zip(vals.iter()) {
                env.assign(n, v.clone(), span)?;
            }
        }
        Ok(())
    }

    /// `if c { ... } else { ... }`: one branch when `c` is concrete, a `cond`
    /// primitive when it is traced.
    pub fn eval_if(
        &mut self,
        env: &mut Env,
        cond: &Expr,
        then: &Block,
        else_: Option<&Expr>,
        span: Span,
    ) -> Result<Flow> {
        let c = self.eval_expr(env, cond)?;
        let c = match c {
            Value::Arr(a) if a.rank() == 0 && a.dtype() == DType::Bool => a,
            other => {
                return Err(Diagnostic::at(
                    cond.span,
                    format!(
                        "an `if` condition must be a bool scalar, got {}",
                        other.describe()
                    ),
                )
                .with_hint("for elementwise choice between arrays use `where(c, a, b)`"))
            }
        };
        match c.concrete() {
            Some(t) if t.get_f64(0) != 0.0 => self.exec_block(env, then),
            Some(_) => match else_ {
                Some(e) => self.eval_expr_flow(env, e),
                None => Ok(Flow::Value(Value::unit())),
            },
            None if !self.tracer.is_tracing() => self.check_both_branches(env, then, else_),
            None => self.traced_if(env, &c, then, else_, span).map(Flow::Value),
        }
    }

    /// `nest check`, a host `if` on a value known by type only: both
    /// branches are checked as host code; the `then` branch gives the value.
    fn check_both_branches(
        &mut self,
        env: &mut Env,
        then: &Block,
        else_: Option<&Expr>,
    ) -> Result<Flow> {
        let flow = self.exec_block(env, then)?;
        if let Some(e) = else_ {
            self.eval_expr_flow(env, e)?;
        }
        Ok(flow)
    }

    fn traced_if(
        &mut self,
        env: &mut Env,
        c: &Arr,
        then: &Block,
        else_: Option<&Expr>,
        span: Span,
    ) -> Result<Value> {
        let mut names = vec![];
        super::assigned::assigned_in_block(then, &mut names);
        if let Some(e) = else_ {
            super::assigned::assigned_in_expr(e, &mut names);
        }
        names.retain(|n| env.is_var(n));
        names.dedup();
        let saved = Value::Tuple(Rc::new(
            names
                .iter()
                .map(|n| env.lookup(n).unwrap_or(Value::None))
                .collect(),
        ));
        let mut targets: Option<Vec<TensorType>> = None;
        for _attempt in 0..2 {
            let t = self.trace_region(&[], span, |ev, _| {
                ev.branch(env, &names, Branch::Then(then), targets.as_deref())
            });
            let t = self.restoring(env, &names, &saved, t)?;
            let e = self.trace_region(&[], span, |ev, _| {
                ev.branch(env, &names, Branch::Else(else_), targets.as_deref())
            });
            let e = self.restoring(env, &names, &saved, e)?;
            let ((tr, (tdef, ttypes)), (er, (edef, etypes))) = (t, e);
            if !same_structure(&tdef, &edef) || ttypes.len() != etypes.len() {
                return Err(Diagnostic::at(
                    span,
                    "the branches of `if` give values of different structure",
                ));
            }
            if ttypes != etypes {
                targets = Some(join_types(&ttypes, &etypes, span)?);
                continue;
            }
            return self.emit_cond(env, c, &names, &tdef, tr, er, span);
        }
        Err(Diagnostic::at(
            span,
            "the branches of `if` give values of different types",
        ))
    }

    fn branch(
        &mut self,
        env: &mut Env,
        names: &[String],
        b: Branch,
        targets: Option<&[TensorType]>,
    ) -> Result<(Vec<Arr>, BranchShape)> {
        let flow = match b {
            Branch::Then(block) => self.exec_block(env, block)?,
            Branch::Else(Some(e)) => self.eval_expr_flow(env, e)?,
            Branch::Else(None) => Flow::Value(Value::unit()),
        };
        let v = match flow {
            Flow::Value(v) => v,
            Flow::Return(_, s) => {
                return Err(Diagnostic::at(
                    s,
                    "`return` inside an `if` on a traced condition is not supported",
                )
                .with_hint("make the `if` an expression whose branches give the value"))
            }
        };
        let vars: Vec<Value> = names
            .iter()
            .map(|n| env.lookup(n).unwrap_or(Value::None))
            .collect();
        let (leaves, def) = flatten(&Value::Tuple(Rc::new(vec![v, Value::Tuple(Rc::new(vars))])));
        let mut outs = vec![];
        for (i, a) in leaves.iter().enumerate() {
            let a = ops::materialize(a);
            outs.push(match targets.and_then(|t| t.get(i)) {
                Some(t) => ops::cast(&mut self.tracer, &a, t.dtype)?,
                None => a,
            });
        }
        let types = outs.iter().map(Arr::ty).collect();
        Ok((outs, (def, types)))
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_cond(
        &mut self,
        env: &mut Env,
        c: &Arr,
        names: &[String],
        def: &TreeDef,
        then: Region,
        else_: Region,
        span: Span,
    ) -> Result<Value> {
        let consts = union_captures(&[&then, &else_]);
        let prim = Prim::new(Cond {
            branches: vec![else_.close(&consts), then.close(&consts)],
        });
        let index = ops::cast(&mut self.tracer, c, DType::I32)?;
        let mut inputs = vec![index];
        inputs.extend(consts.into_iter().map(Arr::Traced));
        let outs = self
            .tracer
            .apply(prim, &inputs)
            .map_err(|m| Diagnostic::at(span, m))?;
        let Value::Tuple(parts) = unflatten(def, &mut outs.into_iter())? else {
            return Err(Diagnostic::internal("cond outputs lost their structure"));
        };
        if let (Some(v), Some(Value::Tuple(vars))) = (parts.first(), parts.get(1)) {
            for (n, x) in names.iter().zip(vars.iter()) {
                env.assign(n, x.clone(), span)?;
            }
            return Ok(v.clone());
        }
        Err(Diagnostic::internal("cond outputs lost their structure"))
    }
}

/// The structure and leaf types of what a branch gives.
type BranchShape = (TreeDef, Vec<TensorType>);

enum Branch<'a> {
    Then(&'a Block),
    Else(Option<&'a Expr>),
}

/// The `var`s a loop must carry: those assigned in its body (and, for a
/// `while`, read by nothing else — all assigned ones are carried).
fn carried_names(env: &Env, body: &Block, kind: &LoopKind) -> Vec<String> {
    let mut names = vec![];
    super::assigned::assigned_in_block(body, &mut names);
    if let LoopKind::For { var, .. } = kind {
        names.retain(|n| n != var);
    }
    names.retain(|n| env.is_var(n));
    names
}

fn join_types(a: &[TensorType], b: &[TensorType], span: Span) -> Result<Vec<TensorType>> {
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            if x.shape != y.shape {
                Err(Diagnostic::at(
                    span,
                    format!(
                        "the branches of `if` give values of different shapes: {} and {}",
                        x, y
                    ),
                ))
            } else {
                Ok(x.with_dtype(x.dtype.join(y.dtype)))
            }
        })
        .collect()
}
