//! Executing statements and blocks; patterns; loops and `if` on the host.
//! Inside a `fn` (while tracing), loops and `if` on a traced condition go to
//! `control.rs`.

use super::exec::Evaluator;
use super::module::Env;
use super::value::{Arr, Value};
use crate::diag::{Diagnostic, Result};
use crate::progress::Progress;
use crate::span::Span;
use crate::syntax::ast::{AssignOp, BinOp, Block, Expr, ExprKind, Ident, Pattern, Stmt};

/// How a block or statement finished.
pub enum Flow {
    Value(Value),
    /// A `return` statement ran (its span, for errors).
    Return(Value, Span),
}

impl Flow {
    /// `Some` for a `return`, as [`Evaluator::exec_stmt`] reports it.
    fn returned(self) -> Option<Flow> {
        match self {
            Flow::Return(..) => Some(self),
            Flow::Value(_) => None,
        }
    }

    /// The value, where a `return` is not allowed.
    pub fn value_only(self, span: Span) -> Result<Value> {
        match self {
            Flow::Value(v) => Ok(v),
            Flow::Return(_, s) => Err(Diagnostic::at(
                s,
                "`return` is only allowed as a statement of a function body",
            )
            .with_note("inside this expression", Some(span))),
        }
    }
}

/// How many iterations of a host loop `nest check` runs.
const CHECK_ITERATIONS: i64 = 2;

impl Evaluator {
    /// Runs a block in a new scope.
    pub fn exec_block(&mut self, env: &mut Env, block: &Block) -> Result<Flow> {
        env.push();
        let r = crate::stack::grow(|| self.exec_block_inner(env, block));
        env.pop();
        r
    }

    fn exec_block_inner(&mut self, env: &mut Env, block: &Block) -> Result<Flow> {
        for s in &block.stmts {
            if let Some(ret) = self.exec_stmt(env, s)? {
                return Ok(ret);
            }
        }
        match &block.tail {
            Some(e) => self.eval_expr_flow(env, e),
            None => Ok(Flow::Value(Value::unit())),
        }
    }

    /// Evaluates an expression where a `return` inside it may end the function.
    pub fn eval_expr_flow(&mut self, env: &mut Env, e: &Expr) -> Result<Flow> {
        match &e.kind {
            ExprKind::Block(b) => self.exec_block(env, b),
            ExprKind::If { cond, then, else_ } => {
                self.eval_if(env, cond, then, else_.as_deref(), e.span)
            }
            _ => Ok(Flow::Value(self.eval_expr(env, e)?)),
        }
    }

    /// Runs a statement; `Some` when it was (or contained) a `return`.
    /// What compiled code printed while it ran is written after it, even
    /// when it fails.
    pub fn exec_stmt(&mut self, env: &mut Env, s: &Stmt) -> Result<Option<Flow>> {
        let r = self.exec_stmt_now(env, s);
        let flushed = self.flush_printed();
        let flow = r?;
        flushed.map(|()| flow)
    }

    fn exec_stmt_now(&mut self, env: &mut Env, s: &Stmt) -> Result<Option<Flow>> {
        match s {
            Stmt::Let { pat, value, .. } => {
                let v = self.eval_expr(env, value)?;
                self.bind_pattern(env, pat, v, value.span)?;
            }
            Stmt::Var { name, value, .. } => {
                let v = self.eval_expr(env, value)?;
                env.define(&name.name, v, true);
            }
            Stmt::Assign {
                target,
                op,
                value,
                span,
            } => {
                let donating = match op {
                    AssignOp::Set => self.eval_donating(env, target, value),
                    _ => None,
                };
                let v = match donating {
                    Some(v) => v?,
                    None => self.eval_expr(env, value)?,
                };
                let v = match compound(*op) {
                    None => v,
                    Some(bin) => {
                        let cur = self.lookup_name(env, &target.name, target.span)?;
                        self.binary_value(bin, &cur, &v)
                            .map_err(|d| d.or_span(*span))?
                    }
                };
                env.assign(&target.name, v, target.span)?;
            }
            Stmt::For {
                var,
                start,
                end,
                body,
                span,
            } => {
                if self.tracer.is_tracing() {
                    self.traced_for(env, var, start, end, body, *span)?;
                } else {
                    return self.host_for(env, &var.name, start, end, body);
                }
            }
            Stmt::ForEach {
                var, items, body, ..
            } => return self.for_each(env, var, items, body),
            Stmt::While { cond, body, span } => {
                if self.tracer.is_tracing() {
                    self.traced_while(env, cond, body, *span)?;
                } else {
                    return self.host_while(env, cond, body);
                }
            }
            Stmt::Return { value, span } => {
                let v = match value {
                    Some(e) => self.eval_expr(env, e)?,
                    None => Value::unit(),
                };
                return Ok(Some(Flow::Return(v, *span)));
            }
            Stmt::Expr(e) => {
                if let Flow::Return(v, s) = self.eval_expr_flow(env, e)? {
                    return Ok(Some(Flow::Return(v, s)));
                }
            }
        }
        Ok(None)
    }

    /// Binds a pattern (`let` and function parameters).
    pub fn bind_pattern(
        &mut self,
        env: &mut Env,
        pat: &Pattern,
        v: Value,
        span: Span,
    ) -> Result<()> {
        match pat {
            Pattern::Name(id) => env.define(&id.name, v, false),
            Pattern::Wild(_) => {}
            Pattern::Tuple(pats, pspan) => {
                let items = match &v {
                    Value::Tuple(xs) if xs.len() == pats.len() => xs.clone(),
                    other => {
                        return Err(Diagnostic::at(
                            *pspan,
                            format!(
                                "cannot destructure {} as a tuple of {}",
                                other.describe(),
                                pats.len()
                            ),
                        )
                        .with_note("the value comes from here", Some(span)))
                    }
                };
                for (p, x) in pats.iter().zip(items.iter()) {
                    self.bind_pattern(env, p, x.clone(), span)?;
                }
            }
            Pattern::Record(fields, pspan) => {
                let Value::Record(r) = &v else {
                    return Err(Diagnostic::at(
                        *pspan,
                        format!("cannot destructure {} as a record", v.describe()),
                    ));
                };
                for (name, p) in fields {
                    let x = r.get(&name.name).cloned().ok_or_else(|| {
                        Diagnostic::at(
                            name.span,
                            format!("the record has no field `{}`", name.name),
                        )
                    })?;
                    match p {
                        Some(p) => self.bind_pattern(env, p, x, span)?,
                        None => env.define(&name.name, x, false),
                    }
                }
            }
        }
        Ok(())
    }

    /// A static integer loop bound.
    pub fn static_bound(&mut self, env: &mut Env, e: &Expr) -> Result<Arr> {
        match self.eval_expr(env, e)? {
            Value::Arr(a) if a.rank() == 0 && a.dtype().is_int() => Ok(a),
            other => Err(Diagnostic::at(
                e.span,
                format!(
                    "a loop bound must be an integer scalar, got {}",
                    other.describe()
                ),
            )),
        }
    }

    fn host_for(
        &mut self,
        env: &mut Env,
        var: &str,
        start: &Expr,
        end: &Expr,
        body: &Block,
    ) -> Result<Option<Flow>> {
        let (a, b) = (self.static_bound(env, start)?, self.static_bound(env, end)?);
        let (Some(a), Some(b)) = (a.static_int(), b.static_int()) else {
            if self.tracer.is_checking() {
                // `nest check`, bounds known by type only: one iteration.
                let i = self.tracer.abstract_value(a.ty())?;
                env.push();
                env.define(var, Value::Arr(i), false);
                let r = self.exec_block_inner(env, body);
                env.pop();
                return Ok(r?.returned());
            }
            return Err(Diagnostic::internal("host loop bounds not concrete"));
        };
        // `nest check` checks the first iterations only (each would trace
        // the same functions again).
        let b = match self.tracer.is_checking() {
            true => b.min(a.saturating_add(CHECK_ITERATIONS)),
            false => b,
        };
        let mut progress = Progress::new(self.progress, (b - a).max(0) as u64);
        for i in a..b {
            env.push();
            env.define(var, Value::Arr(Arr::weak_int(i)), false);
            let r = self.exec_block_inner(env, body);
            env.pop();
            if let Flow::Return(v, s) = r? {
                progress.finish();
                return Ok(Some(Flow::Return(v, s)));
            }
            progress.tick();
        }
        progress.finish();
        Ok(None)
    }

    /// `for x in items`: the body runs once per element of a tuple or list,
    /// which may differ in type. It is the same on the host and in a trace,
    /// where the loop is unrolled (as a Python loop over a tuple is under
    /// `jax.jit`): a tuple's length is static.
    fn for_each(
        &mut self,
        env: &mut Env,
        var: &Ident,
        items: &Expr,
        body: &Block,
    ) -> Result<Option<Flow>> {
        let elements = match self.eval_expr(env, items)? {
            Value::Tuple(xs) | Value::List(xs) => xs,
            other => {
                return Err(Diagnostic::at(
                    items.span,
                    format!(
                        "`for {} in ...` takes a range `a..b`, a tuple or a list, got {}",
                        var.name,
                        other.describe()
                    ),
                )
                .with_hint("to loop over the rows of an array, write `for i in 0..shape(x)[0] { ... x[i] ... }`"))
            }
        };
        for x in elements.iter() {
            env.push();
            env.define(&var.name, x.clone(), false);
            let r = self.exec_block_inner(env, body);
            env.pop();
            if let Flow::Return(v, s) = r? {
                return Ok(Some(Flow::Return(v, s)));
            }
        }
        Ok(None)
    }

    fn host_while(&mut self, env: &mut Env, cond: &Expr, body: &Block) -> Result<Option<Flow>> {
        let mut iterations = 0i64;
        loop {
            let c = self.eval_expr(env, cond)?;
            if self.tracer.is_checking() {
                // A condition known by type only counts as true.
                iterations += 1;
                if iterations > CHECK_ITERATIONS || !self.check_truth(&c, cond.span)? {
                    return Ok(None);
                }
            } else if !self.host_truth(&c, cond.span)? {
                return Ok(None);
            }
            if let Flow::Return(v, s) = self.exec_block(env, body)? {
                return Ok(Some(Flow::Return(v, s)));
            }
        }
    }

    /// [`Self::host_truth`] in `nest check`: `true` when only the type is known.
    fn check_truth(&self, c: &Value, span: Span) -> Result<bool> {
        match c {
            Value::Arr(a) if !a.is_known() && a.rank() == 0 && a.dtype().is_bool() => Ok(true),
            _ => self.host_truth(c, span),
        }
    }

    /// The value of a concrete `bool` scalar condition.
    pub fn host_truth(&self, c: &Value, span: Span) -> Result<bool> {
        match c {
            Value::Arr(a) if a.rank() == 0 && a.dtype() == crate::types::DType::Bool => {
                match a.concrete() {
                    Some(t) => Ok(t.get_f64(0) != 0.0),
                    None => Err(Diagnostic::internal("traced condition on the host")),
                }
            }
            other => Err(Diagnostic::at(
                span,
                format!(
                    "a condition must be a bool scalar, got {}",
                    other.describe()
                ),
            )
            .with_hint("reduce it first, e.g. with `max(x) > 0.0`")),
        }
    }
}

fn compound(op: AssignOp) -> Option<BinOp> {
    match op {
        AssignOp::Set => None,
        AssignOp::Add => Some(BinOp::Add),
        AssignOp::Sub => Some(BinOp::Sub),
        AssignOp::Mul => Some(BinOp::Mul),
        AssignOp::Div => Some(BinOp::Div),
        AssignOp::FloorDiv => Some(BinOp::FloorDiv),
    }
}
