//! Evaluating expressions: literals, names, operators on arrays and trees,
//! calls, field access and indexing.

use super::builtins;
use super::exec::Evaluator;
use super::module::Env;
use super::ops;
use super::tree::zip_arrays;
use super::value::{Arr, Func, Value};
use crate::diag::{Diagnostic, Result};
use crate::prims::{BinaryOp, Cmp};
use crate::span::Span;
use crate::syntax::ast::{BinOp, Expr, ExprKind, Ident, UnOp};
use crate::tensor::Tensor;
use crate::types::DType;
use indexmap::IndexMap;
use std::rc::Rc;

/// The deepest nesting of tuples, records and lists in one value. The
/// parser bounds what a literal nests, but a host loop can nest a value
/// once per iteration (`t = (t, x)`), and printing, flattening and
/// dropping a value recurse once per level.
pub const MAX_TREE_DEPTH: usize = 256;

/// `v`, or an error at `span` when it nests deeper than [`MAX_TREE_DEPTH`].
fn check_tree_depth(v: Value, span: Span) -> Result<Value> {
    if !deeper_than(&v, MAX_TREE_DEPTH) {
        return Ok(v);
    }
    Err(Diagnostic::at(
        span,
        format!("this value nests tuples, records and lists more than {MAX_TREE_DEPTH} deep"),
    )
    .with_hint("keep a growing collection flat: `stack` arrays, or use a list of fixed depth"))
}

/// Whether `v` has trees nested more than `limit` deep (looking no deeper).
fn deeper_than(v: &Value, limit: usize) -> bool {
    let children: Box<dyn Iterator<Item = &Value>> = match v {
        Value::Tuple(xs) | Value::List(xs) => Box::new(xs.iter()),
        Value::Record(fields) => Box::new(fields.values()),
        Value::Arr(_)
        | Value::Func(_)
        | Value::Key(_)
        | Value::Str(_)
        | Value::DType(_)
        | Value::None
        | Value::Module(_)
        | Value::Mesh(_) => return false,
    };
    let mut children = children.peekable();
    match limit.checked_sub(1) {
        None => children.peek().is_some(),
        Some(rest) => children.any(|c| deeper_than(c, rest)),
    }
}

/// Positional arguments with their spans.
pub type Positional = Vec<(Value, Span)>;
/// Keyword arguments: name, name span, value, value span.
pub type Keywords = Vec<(String, Span, Value, Span)>;

impl Evaluator {
    pub fn eval_expr(&mut self, env: &mut Env, e: &Expr) -> Result<Value> {
        crate::stack::grow(|| self.eval_expr_here(env, e))
    }

    fn eval_expr_here(&mut self, env: &mut Env, e: &Expr) -> Result<Value> {
        match &e.kind {
            ExprKind::Int(i) => Ok(Value::Arr(Arr::weak_int(*i))),
            ExprKind::Float(f) => Ok(Value::Arr(Arr::weak_float(*f))),
            ExprKind::Imag(f) => Ok(Value::Arr(Arr::weak_complex(0.0, *f))),
            ExprKind::Str(s) => Ok(Value::Str(s.as_str().into())),
            ExprKind::Bool(b) => Ok(Value::tensor(Tensor::scalar_bool(*b))),
            ExprKind::Name(n) => self.lookup_name(env, n, e.span),
            ExprKind::Unary(op, x) => {
                let v = self.eval_expr(env, x)?;
                self.unary_value(*op, &v).map_err(|d| d.or_span(e.span))
            }
            ExprKind::Binary(op, a, b) => {
                let x = self.eval_expr(env, a)?;
                let y = self.eval_expr(env, b)?;
                self.binary_value(*op, &x, &y).map_err(|d| {
                    let literal = [(&x, a.span), (&y, b.span)]
                        .into_iter()
                        .find(|(v, _)| ops::is_literal_range_error(&d) && wide_literal(v));
                    d.or_span(literal.map_or(e.span, |(_, s)| s))
                })
            }
            ExprKind::Call {
                callee,
                args,
                kwargs,
            } => self.eval_call(env, callee, args, kwargs, e.span),
            ExprKind::Field(x, name) => {
                let v = self.eval_expr(env, x)?;
                self.field(&v, name)
            }
            ExprKind::TupleIndex(x, i, span) => {
                let v = self.eval_expr(env, x)?;
                tuple_item(&v, *i as i64, *span)
            }
            ExprKind::Index(x, idx) => {
                let v = self.eval_expr(env, x)?;
                self.index_value(env, &v, idx, e.span)
            }
            ExprKind::Tuple(xs) => {
                let v = Value::Tuple(Rc::new(self.eval_all(env, xs)?));
                check_tree_depth(v, e.span)
            }
            ExprKind::List(xs) => {
                let v = Value::List(Rc::new(self.eval_all(env, xs)?));
                check_tree_depth(v, e.span)
            }
            ExprKind::Record(fields) => {
                let mut out = IndexMap::new();
                for (name, x) in fields {
                    let v = self.eval_expr(env, x)?;
                    if out.insert(name.name.clone(), v).is_some() {
                        return Err(Diagnostic::at(
                            name.span,
                            format!("field `{}` appears twice", name.name),
                        ));
                    }
                }
                check_tree_depth(Value::Record(Rc::new(out)), e.span)
            }
            ExprKind::Block(_) | ExprKind::If { .. } => {
                self.eval_expr_flow(env, e)?.value_only(e.span)
            }
            ExprKind::Lambda { params, body } => {
                // Only the locals the body names: the others cannot be read,
                // and would make a lambda made again a different function
                // for the trace cache.
                let mut used = vec![];
                super::names::names_in_expr(body, &mut used);
                let mut captured = env.locals();
                captured.retain(|(n, _)| used.contains(n));
                Ok(Value::Func(Rc::new(Func::Lambda {
                    params: Rc::new(params.clone()),
                    body: Rc::new((**body).clone()),
                    captured: Rc::new(captured),
                    module: env.module.clone(),
                })))
            }
        }
    }

    fn eval_all(&mut self, env: &mut Env, xs: &[Expr]) -> Result<Vec<Value>> {
        xs.iter().map(|x| self.eval_expr(env, x)).collect()
    }

    /// A name: a local, a global, a builtin, a prelude function, a dtype or `none`.
    pub fn lookup_name(&mut self, env: &Env, name: &str, span: Span) -> Result<Value> {
        if let Some(v) = env.lookup(name) {
            return Ok(v);
        }
        if let Some(id) = builtins::lookup(name) {
            return Ok(Value::Func(Rc::new(Func::Builtin(id))));
        }
        if super::exec::prelude_defines(name) {
            return self.prelude_fn(name, span);
        }
        if let Some(d) = DType::from_name(name) {
            return Ok(Value::DType(d));
        }
        if name == "none" {
            return Ok(Value::None);
        }
        Err(Diagnostic::at(span, format!("unknown name `{}`", name)))
    }

    fn unary_value(&mut self, op: UnOp, v: &Value) -> Result<Value> {
        let t = &mut self.tracer;
        super::tree::map_arrays(v, &mut |a| match op {
            UnOp::Neg => ops::neg(t, a),
            UnOp::Not => ops::not(t, a),
        })
    }

    /// A binary operator, leaf by leaf on trees.
    pub fn binary_value(&mut self, op: BinOp, a: &Value, b: &Value) -> Result<Value> {
        let t = &mut self.tracer;
        zip_arrays(a, b, &mut |x, y| binary_arr(t, op, x, y))
    }

    fn eval_call(
        &mut self,
        env: &mut Env,
        callee: &Expr,
        args: &[Expr],
        kwargs: &[(Ident, Expr)],
        span: Span,
    ) -> Result<Value> {
        let (f, pos, kws) = self.eval_call_parts(env, callee, args, kwargs)?;
        self.call(&f, pos, kws, span)
    }

    /// The callee and the arguments of a call, evaluated in order.
    pub(super) fn eval_call_parts(
        &mut self,
        env: &mut Env,
        callee: &Expr,
        args: &[Expr],
        kwargs: &[(Ident, Expr)],
    ) -> Result<(Value, Positional, Keywords)> {
        let f = self.eval_expr(env, callee)?;
        let mut pos = vec![];
        for a in args {
            pos.push((self.eval_expr(env, a)?, a.span));
        }
        let mut kws = vec![];
        for (name, a) in kwargs {
            kws.push((
                name.name.clone(),
                name.span,
                self.eval_expr(env, a)?,
                a.span,
            ));
        }
        Ok((f, pos, kws))
    }

    /// Calls a function value.
    pub fn call(&mut self, f: &Value, pos: Positional, kws: Keywords, span: Span) -> Result<Value> {
        let host = self.cache.enabled && !self.tracer.is_tracing() && !self.tracer.is_checking();
        if let (Value::Func(func), true, true) = (f, host, kws.is_empty()) {
            match transformation_name(func) {
                Some("vjp") => return self.host_vjp(f, pos, span),
                Some(name) => return self.host_transform_call(f, name, pos, span),
                None => {}
            }
        }
        self.call_now(f, pos, kws, span)
    }

    /// Calls `f` without the trace cache.
    pub(super) fn call_now(
        &mut self,
        f: &Value,
        pos: Positional,
        kws: Keywords,
        span: Span,
    ) -> Result<Value> {
        let Value::Func(func) = f else {
            return Err(Diagnostic::at(
                span,
                format!("cannot call {}: it is not a function", f.describe()),
            ));
        };
        match &**func {
            Func::Builtin(id) => {
                let b = builtins::TABLE
                    .get(*id)
                    .ok_or_else(|| Diagnostic::internal("bad builtin id"))?;
                if b.host_only && self.tracer.is_tracing() {
                    return Err(builtins::host_only_error(b, span));
                }
                let args = builtins::bind(*id, pos, kws, span)?;
                (b.imp)(self, &args).map_err(|d| d.or_span(span))
            }
            Func::Def { .. } | Func::Lambda { .. } => self.call_user(func, pos, kws, span),
            Func::Grad { f, how } => {
                let values = positional_only(pos, &kws, "a function made by `grad`")?;
                self.grad_call(f, how, values, span)
            }
            Func::Graph {
                graph,
                consts,
                args,
                output,
            } => {
                let values = positional_only(pos, &kws, "this function")?;
                self.graph_call((graph, consts), (args, output), values, span)
            }
            Func::CustomJvp { f, rule } => {
                let values = positional_only(pos, &kws, "a function made by `custom_jvp`")?;
                self.custom_jvp_call(f, rule, values, span)
            }
            Func::CustomVjp { f, fwd, bwd } => {
                let values = positional_only(pos, &kws, "a function made by `custom_vjp`")?;
                self.custom_vjp_call([f, fwd, bwd], values, span)
            }
            Func::Jacobian { f, wrt, tuple } => {
                if let Some((_, kspan, _, _)) = kws.first() {
                    return Err(Diagnostic::at(
                        *kspan,
                        "a function made by `jacobian` takes positional arguments only",
                    ));
                }
                let args = pos.into_iter().map(|(v, _)| v).collect();
                self.jacobian_call(f, wrt, *tuple, args, span)
            }
            Func::Vmap {
                f,
                in_axes,
                out_axes,
            } => {
                if let Some((_, kspan, _, _)) = kws.first() {
                    return Err(Diagnostic::at(
                        *kspan,
                        "a function made by `vmap` takes positional arguments only",
                    ));
                }
                let args = pos.into_iter().map(|(v, _)| v).collect();
                self.vmap_call(f, in_axes, out_axes, args, span)
            }
            Func::Pullback(pb) => match pos.as_slice() {
                [(ct, _)] if kws.is_empty() => self.apply_pullback(pb, ct, span),
                _ => Err(Diagnostic::at(
                    span,
                    "a pullback takes one argument: the cotangent of the function's result",
                )),
            },
        }
    }

    fn field(&mut self, v: &Value, name: &Ident) -> Result<Value> {
        match v {
            Value::Record(r) => r.get(&name.name).cloned().ok_or_else(|| {
                let fields: Vec<&str> = r.keys().map(String::as_str).collect();
                Diagnostic::at(
                    name.span,
                    format!("the record has no field `{}`", name.name),
                )
                .with_hint(format!("its fields are: {}", fields.join(", ")))
            }),
            Value::Module(m) => m.read(&name.name).ok_or_else(|| {
                Diagnostic::at(
                    name.span,
                    format!("module `{}` has no member `{}`", m.name, name.name),
                )
            }),
            Value::Arr(a) if name.name == "T" => {
                let perm: Vec<usize> = (0..a.rank()).rev().collect();
                Ok(Value::Arr(
                    ops::transpose(&mut self.tracer, a, &perm).map_err(|d| d.or_span(name.span))?,
                ))
            }
            Value::Tuple(_) => Err(Diagnostic::at(
                name.span,
                format!("a tuple has no field `{}`", name.name),
            )
            .with_hint("use `.0`, `.1`, ... for tuple elements")),
            other => Err(Diagnostic::at(
                name.span,
                format!("{} has no field `{}`", other.describe(), name.name),
            )),
        }
    }
}

/// Whether `v` is an integer literal outside `i32`'s range.
fn wide_literal(v: &Value) -> bool {
    match v {
        Value::Arr(a) if a.weak() == Some(crate::types::Weak::Int) => {
            a.static_int().is_some_and(|i| i32::try_from(i).is_err())
        }
        _ => false,
    }
}

/// A binary operator on two arrays.
fn binary_arr(t: &mut super::tracer::Tracer, op: BinOp, x: &Arr, y: &Arr) -> Result<Arr> {
    match op {
        BinOp::Add => ops::binary(t, BinaryOp::Add, x, y),
        BinOp::Sub => ops::binary(t, BinaryOp::Sub, x, y),
        BinOp::Mul => ops::binary(t, BinaryOp::Mul, x, y),
        BinOp::Div => ops::div(t, x, y),
        BinOp::FloorDiv => ops::floor_div(t, x, y),
        BinOp::Rem => ops::floor_mod(t, x, y),
        BinOp::Pow => ops::pow(t, x, y),
        BinOp::MatMul => ops::matmul(t, x, y),
        BinOp::Eq => ops::compare(t, Cmp::Eq, x, y),
        BinOp::Ne => ops::compare(t, Cmp::Ne, x, y),
        BinOp::Lt => ops::compare(t, Cmp::Lt, x, y),
        BinOp::Le => ops::compare(t, Cmp::Le, x, y),
        BinOp::Gt => ops::compare(t, Cmp::Gt, x, y),
        BinOp::Ge => ops::compare(t, Cmp::Ge, x, y),
        BinOp::And => ops::logical(t, BinaryOp::And, x, y, "&&"),
        BinOp::Or => ops::logical(t, BinaryOp::Or, x, y, "||"),
    }
}

/// `t.i` on a tuple (or list).
pub fn tuple_item(v: &Value, i: i64, span: Span) -> Result<Value> {
    let items = match v {
        Value::Tuple(xs) | Value::List(xs) => xs,
        other => {
            return Err(Diagnostic::at(
                span,
                format!("cannot take element {} of {}", i, other.describe()),
            )
            .with_hint("only tuples have numbered elements"))
        }
    };
    let n = items.len() as i64;
    let j = if i < 0 { i + n } else { i };
    usize::try_from(j)
        .ok()
        .and_then(|j| items.get(j).cloned())
        .ok_or_else(|| {
            Diagnostic::at(
                span,
                format!("index {} is out of range for a tuple of {}", i, n),
            )
        })
}

/// The values of positional arguments, for functions that take no keyword.
fn positional_only(pos: Positional, kws: &Keywords, what: &str) -> Result<Vec<Value>> {
    if let Some((_, kspan, _, _)) = kws.first() {
        return Err(Diagnostic::at(
            *kspan,
            format!("{} takes positional arguments only", what),
        ));
    }
    Ok(pos.into_iter().map(|(v, _)| v).collect())
}

/// The program name of a host call of `func` that goes through the trace
/// cache: the transformed functions, and `jvp` and `hvp` (whose results
/// are arrays), traced whole; and `vjp`, kept as two programs (its result
/// holds a pullback, see `host_vjp`). A pullback or a graph function holds
/// the values it closes over, which a trace would make constants of a new
/// program per value; those run as they are.
fn transformation_name(func: &Func) -> Option<&'static str> {
    match func {
        Func::Builtin(id) => match builtins::TABLE.get(*id).map(|b| b.name) {
            Some("jvp") => Some("jvp"),
            Some("hvp") => Some("hvp"),
            Some("vjp") => Some("vjp"),
            _ => None,
        },
        Func::Grad { .. } => Some("grad"),
        Func::Vmap { .. } => Some("vmap"),
        Func::Jacobian { .. } => Some("jacobian"),
        Func::CustomJvp { .. } => Some("custom_jvp"),
        Func::CustomVjp { .. } => Some("custom_vjp"),
        Func::Def { .. } | Func::Lambda { .. } | Func::Pullback(_) | Func::Graph { .. } => None,
    }
}
