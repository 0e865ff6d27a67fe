//! Calling user functions. From the host, a call traces the function with
//! the argument types into an IR graph, simplifies it and runs it; inside a
//! trace, a call is inlined. Parameter annotations are checked here, with
//! named dims unified across the arguments of one call.

use super::donate::let_go;
use super::exec::{Evaluator, STDLIB_PREFIX};
use super::expr::{Keywords, Positional};
use super::module::{record_reads, Env, GlobalRead};
use super::ops;
use super::stmt::Flow;
use super::trace_cache::{ArgKey, Leaf, Program};
use super::transform::{Pullback, PullbackPlan};
use super::tree::{flatten, unflatten};
use super::value::{Arr, Func, Value};
use crate::diag::{Diagnostic, Result};
use crate::span::Span;

/// The deepest nesting of traces: a function traced from the host, a loop
/// or `if` region inside it, a transformation's trace of its function. The
/// IR passes, the lowering to StableHLO and XLA itself recurse once per
/// level, on the caller's stack; real programs nest a few levels.
pub const MAX_TRACE_DEPTH: usize = 128;
use crate::syntax::ast::{Dim, Param, TypeExpr};
use crate::types::{DType, ShapeDisplay, Weak};
use std::collections::HashMap;
use std::rc::Rc;

/// A traced call: its graph, the structure of its result, and the concrete
/// inputs it was traced with.
pub struct Traced {
    pub graph: crate::ir::Graph,
    pub output: super::tree::TreeDef,
    pub inputs: Vec<Arr>,
}

/// What a trace of a host call runs on its traced arguments.
type Body<'a> = &'a dyn Fn(&mut Evaluator, Vec<(Value, Span)>) -> Result<Value>;

/// How many calls of one function may be in progress at once.
const MAX_NESTING: usize = 16;

/// Named dims bound so far in one call: size, and the argument that bound it.
type DimEnv = HashMap<String, (usize, String)>;

impl Evaluator {
    pub fn call_user(
        &mut self,
        func: &Rc<Func>,
        pos: Positional,
        kws: Keywords,
        span: Span,
    ) -> Result<Value> {
        let (name, params) = fn_signature(func);
        let slots = bind_params(&name, params, pos, kws, span)?;
        let args = self.fill_defaults(func, params, slots, span)?;
        let r = if self.tracer.is_tracing() {
            self.inline_call(func, &name, args, span)
        } else {
            self.host_call(func, &name, args, span)
        };
        r.map_err(|d| self.shown_in_user_code(d, &name, span))
    }

    /// An error raised inside the standard library, shown at the call in
    /// the user's code that led to it, with the library's own location as
    /// a note (as a traceback filtered to the user's frames).
    pub(super) fn shown_in_user_code(&self, d: Diagnostic, name: &str, call: Span) -> Diagnostic {
        let in_std =
            |s: Span| (self.sources.get(s.file)).is_some_and(|f| f.name.starts_with(STDLIB_PREFIX));
        match d.span {
            Some(inner) if in_std(inner) && !in_std(call) => {
                let mut notes = vec![(format!("raised inside `{}`", name), Some(inner))];
                notes.extend(d.notes);
                Diagnostic {
                    span: Some(call),
                    notes,
                    ..d
                }
            }
            _ => d,
        }
    }

    /// The arguments of a call, with each omitted one taken from its
    /// parameter's default, evaluated in the function's module.
    fn fill_defaults(
        &mut self,
        func: &Rc<Func>,
        params: &[Param],
        slots: Vec<Option<(Value, Span)>>,
        span: Span,
    ) -> Result<Vec<(Value, Span)>> {
        let mut args = Vec::with_capacity(slots.len());
        for (slot, p) in slots.into_iter().zip(params) {
            match (slot, &p.default, &**func) {
                (Some(arg), _, _) => args.push(arg),
                (None, Some(default), Func::Def { module, .. }) => {
                    let mut env = Env::body(module.clone());
                    args.push((self.eval_expr(&mut env, default)?, span));
                }
                (None, _, _) => {
                    return Err(Diagnostic::internal(
                        "an omitted argument without a default",
                    ))
                }
            }
        }
        Ok(args)
    }

    /// Traces `func` on the argument types, then runs the graph (traced
    /// once per key, see `trace_cache.rs`). A function whose result holds
    /// functions (an optimizer record, a closure) runs on the host instead,
    /// as top-level code does: its closures would otherwise capture values
    /// of a trace that has ended.
    fn host_call(
        &mut self,
        func: &Rc<Func>,
        name: &str,
        args: Vec<(Value, Span)>,
        span: Span,
    ) -> Result<Value> {
        if self.tracer.is_checking() {
            return self.checked_call(func, name, args, span);
        }
        let f = Value::Func(func.clone());
        let release = self.release_for(&f);
        let (key, leaves) = arg_key(&args);
        if let Some(p) = self.cache.find(&f, &key) {
            self.show_trace(&p);
            drop(args);
            let_go(release);
            return self.run_cached(&p, leaves, span);
        }
        let body = |ev: &mut Evaluator, args| ev.inline_call(func, name, args, span);
        let (traced, reads) = record_reads(|| self.trace_host_call(&body, name, &args, span));
        let (traced, statics) = traced?;
        if super::tree::holds_functions(&traced.output) {
            self.shown.remove(name);
            let ir = crate::ir::Func {
                name: name.to_string(),
                graph: traced.graph,
            };
            self.traces.insert(name.to_string(), ir);
            return self.inline_call(func, name, args, span);
        }
        let p = self.keep_program((f, key, reads), name, traced, statics, None)?;
        self.show_trace(&p);
        drop(args);
        let_go(release);
        self.run_cached(&p, leaves, span)
    }

    /// A host call of a transformed function (`grad(f)`, `vmap(f)`, ...):
    /// the whole call traced as one program, once per key. When it cannot
    /// be traced as one, or its result holds functions, it runs as it
    /// would without the cache (and so fails as it would).
    pub(super) fn host_transform_call(
        &mut self,
        f: &Value,
        name: &str,
        pos: Vec<(Value, Span)>,
        span: Span,
    ) -> Result<Value> {
        let release = self.release_for(f);
        let (key, leaves) = arg_key(&pos);
        if let Some(p) = self.cache.find(f, &key) {
            drop(pos);
            let_go(release);
            return self.run_cached(&p, leaves, span);
        }
        let body = |ev: &mut Evaluator, args| ev.call_now(f, args, vec![], span);
        let (traced, reads) =
            record_reads(|| self.trace_call_with(&body, name, pos.clone(), span, false));
        match traced {
            Ok(t) if !super::tree::holds_functions(&t.output) => {
                let p = self.keep_program((f.clone(), key, reads), name, t, false, None)?;
                drop(pos);
                let_go(release);
                self.run_cached(&p, leaves, span)
            }
            Ok(_) | Err(_) => self.call_now(f, pos, vec![], span),
        }
    }

    /// A host call of `vjp(f, args...)` (`vjp` is the builtin's value):
    /// traced, linearized and transposed once per key, like a transformed
    /// function's call. The kept program gives the result's leaves, then
    /// the residuals; the pullbacks it returns run one kept program of the
    /// transposed graph. Falls back to the uncached call when `f` reads
    /// values of an enclosing trace.
    pub(super) fn host_vjp(
        &mut self,
        vjp: &Value,
        pos: Vec<(Value, Span)>,
        span: Span,
    ) -> Result<Value> {
        let (key, leaves) = arg_key(&pos);
        let p = match self.cache.find(vjp, &key) {
            Some(p) => p,
            None => {
                let Some(((f, _), args)) = pos.split_first() else {
                    return Err(Diagnostic::at(
                        span,
                        "`vjp` takes a function and its arguments",
                    ));
                };
                let args: Vec<Value> = args.iter().map(|(v, _)| v.clone()).collect();
                let (plan, reads) =
                    record_reads(|| self.vjp_plan(f, args.clone(), None, false, span));
                let mut plan = plan?;
                if !plan.consts.is_empty() {
                    return self.vjp_now(f, args, span);
                }
                if !plan.pullback.graph.has_effects() {
                    let prepared = (self.tracer.runtime)
                        .prepare("pullback", &plan.pullback.graph)
                        .map_err(|m| Diagnostic::at(span, m))?;
                    plan.pullback.prepared = Some(prepared);
                }
                let traced = Traced {
                    output: plan.output().clone(),
                    graph: plan.primal,
                    inputs: vec![],
                };
                let pullback = Some(Rc::new(plan.pullback));
                self.keep_program((vjp.clone(), key, reads), "vjp", traced, false, pullback)?
            }
        };
        let Some(plan) = p.pullback.clone() else {
            return Err(Diagnostic::internal("a vjp program without its pullback"));
        };
        let arg_leaves: Vec<Arr> = leaves.iter().map(ops::materialize).collect();
        drop(pos);
        let mut outs = self.run_kept(&p, leaves, span)?;
        let residuals = outs.split_off(plan.n_outputs());
        let y = unflatten(&p.output, &mut outs.into_iter())?;
        let pb = Pullback {
            plan,
            residuals,
            arg_leaves,
        };
        Ok(vjp_result(y, Rc::new(pb)))
    }

    /// `vjp(f, args...)` without the trace cache.
    pub fn vjp_now(&mut self, f: &Value, args: Vec<Value>, span: Span) -> Result<Value> {
        let (y, pb) = self.vjp_value(f, args, None, false, span)?;
        Ok(vjp_result(y, pb))
    }

    /// `nest check`: the trace is the check; the results are known by type.
    fn checked_call(
        &mut self,
        func: &Rc<Func>,
        name: &str,
        args: Vec<(Value, Span)>,
        span: Span,
    ) -> Result<Value> {
        let body = |ev: &mut Evaluator, args| ev.inline_call(func, name, args, span);
        let (traced, _) = self.trace_host_call(&body, name, &args, span)?;
        if super::tree::holds_functions(&traced.output) {
            return self.inline_call(func, name, args, span);
        }
        let outs = traced
            .graph
            .output_types()
            .into_iter()
            .map(|t| self.tracer.abstract_value(t))
            .collect::<Result<Vec<_>>>()?;
        unflatten(&traced.output, &mut outs.into_iter())
    }

    /// Prepares a traced call on the runtime and keeps it in the cache
    /// under `(f, key, reads)`: the function called, its arguments' key and
    /// the globals its trace read.
    fn keep_program(
        &mut self,
        (f, key, reads): (Value, ArgKey, Vec<GlobalRead>),
        name: &str,
        traced: Traced,
        statics: bool,
        pullback: Option<Rc<PullbackPlan>>,
    ) -> Result<Rc<Program>> {
        let prepared = match traced.graph.has_effects() {
            true => None,
            false => Some(
                (self.tracer.runtime.prepare(name, &traced.graph))
                    .map_err(|m| Diagnostic::new(format!("running `{}` failed: {}", name, m)))?,
            ),
        };
        let p = Rc::new(Program {
            name: name.to_string(),
            graph: traced.graph,
            output: traced.output,
            statics,
            prepared,
            id: self.cache.next_id(),
            pullback,
        });
        self.cache.traces += 1;
        self.cache.insert(f, key, reads, p.clone());
        Ok(p)
    }

    /// Keeps `p` as the latest trace of its function (what `:ir` shows).
    fn show_trace(&mut self, p: &Program) {
        if self.shown.get(&p.name) == Some(&p.id) {
            return;
        }
        self.shown.insert(p.name.clone(), p.id);
        let func = crate::ir::Func {
            name: p.name.clone(),
            graph: p.graph.clone(),
        };
        self.traces.insert(p.name.clone(), func);
    }

    /// Runs a cached program on the leaves of a call's arguments, given
    /// up: a leaf held nowhere else (the old value of `x` in `x = f(x)`, a
    /// temporary) may be donated to the program's results.
    fn run_cached(&mut self, p: &Program, leaves: Vec<Arr>, span: Span) -> Result<Value> {
        let results = self.run_kept(p, leaves, span)?;
        unflatten(&p.output, &mut results.into_iter())
    }

    /// [`Evaluator::run_cached`], with the results as the program's
    /// output leaves.
    fn run_kept(&mut self, p: &Program, leaves: Vec<Arr>, span: Span) -> Result<Vec<Arr>> {
        let inputs: Vec<Arr> = (leaves.into_iter())
            .filter(|a| !(p.statics && a.weak() == Some(Weak::Int)))
            .map(|a| match a.weak() {
                Some(_) => ops::materialize(&a),
                None => a,
            })
            .collect();
        match &p.prepared {
            Some(prepared) => self.tracer.run_prepared(prepared.as_ref(), inputs),
            None => self.tracer.run(&p.name, &p.graph, &inputs),
        }
        .map_err(|m| Diagnostic::at(span, format!("running `{}` failed: {}", p.name, m)))
    }

    /// Traces a call from the host with every argument leaf as an input of
    /// the program. If that fails and some arguments are weak integers
    /// (literals, sizes, host loop indices), it traces again with those as
    /// constants: a size the body needs static (`zeros([n])`) then works,
    /// while an integer that can stay an input (a loop bound) stays one.
    /// Returns whether the weak integers are constants.
    fn trace_host_call(
        &mut self,
        body: Body,
        name: &str,
        args: &[(Value, Span)],
        span: Span,
    ) -> Result<(Traced, bool)> {
        match self.trace_call_with(body, name, args.to_vec(), span, false) {
            Err(_) if args.iter().any(|(v, _)| has_weak_int(v)) => Ok((
                self.trace_call_with(body, name, args.to_vec(), span, true)?,
                true,
            )),
            traced => Ok((traced?, false)),
        }
    }

    /// Runs a traced graph on the backend.
    pub fn run_traced(
        &mut self,
        name: &str,
        traced: &Traced,
    ) -> std::result::Result<Vec<Arr>, String> {
        self.tracer.run(name, &traced.graph, &traced.inputs)
    }

    /// Traces a call of `func` on the types of concrete `args` into a
    /// simplified graph (kept as the function's latest trace).
    pub fn trace_call(
        &mut self,
        func: &Rc<Func>,
        name: &str,
        args: Vec<(Value, Span)>,
        span: Span,
    ) -> Result<Traced> {
        let body = |ev: &mut Evaluator, args| ev.inline_call(func, name, args, span);
        let traced = self.trace_call_with(&body, name, args, span, false)?;
        self.shown.remove(name);
        let func = crate::ir::Func {
            name: name.to_string(),
            graph: traced.graph.clone(),
        };
        self.traces.insert(name.to_string(), func);
        Ok(traced)
    }

    /// Traces `body` on the types of concrete `args` into a simplified
    /// graph, with the weak integer leaves of the arguments kept as
    /// constants of the trace when `weak_ints_static`.
    fn trace_call_with(
        &mut self,
        body: Body,
        name: &str,
        args: Vec<(Value, Span)>,
        span: Span,
        weak_ints_static: bool,
    ) -> Result<Traced> {
        let spans: Vec<Span> = args.iter().map(|(_, s)| *s).collect();
        let (leaves, def) = flatten(&Value::Tuple(Rc::new(
            args.into_iter().map(|(v, _)| v).collect(),
        )));
        let is_static = |a: &Arr| weak_ints_static && a.weak() == Some(Weak::Int);
        let inputs: Vec<Arr> = leaves
            .iter()
            .filter(|a| !is_static(a))
            .map(ops::materialize)
            .collect();
        self.check_trace_depth(span)?;
        self.tracer.begin();
        let traced = (|| {
            let ins = leaves
                .iter()
                .map(|a| match is_static(a) {
                    true => Ok(a.clone()),
                    false => self.tracer.input(ops::materialize(a).ty()),
                })
                .collect::<Result<Vec<_>>>()?;
            let Value::Tuple(vals) = unflatten(&def, &mut ins.into_iter())? else {
                return Err(Diagnostic::internal("arguments lost their structure"));
            };
            let args = vals.iter().cloned().zip(spans).collect();
            body(self, args)
        })();
        let result = match traced {
            Ok(v) => v,
            Err(e) => {
                self.tracer.abandon();
                return Err(e);
            }
        };
        let (outs, output) = flatten(&result);
        let region = self.tracer.finish(&outs)?;
        if self.tracer.is_checking() {
            // `nest check` keeps no trace: the graph may read host values
            // known only by type (captured, not inputs), and never runs.
            return Ok(Traced {
                graph: region.graph,
                output,
                inputs,
            });
        }
        let graph = crate::ir::simplify::simplify(&region.graph);
        if cfg!(debug_assertions) {
            crate::ir::verify::verify(&graph)
                .map_err(|m| Diagnostic::internal(format!("invalid IR for `{}`: {}", name, m)))?;
        }
        Ok(Traced {
            graph,
            output,
            inputs,
        })
    }

    /// Evaluates the body of `func` in the current trace (or eagerly).
    pub fn inline_call(
        &mut self,
        func: &Rc<Func>,
        name: &str,
        args: Vec<(Value, Span)>,
        span: Span,
    ) -> Result<Value> {
        let id = Rc::as_ptr(func) as *const u8 as usize;
        let key = match &**func {
            Func::Def { def, .. } => Rc::as_ptr(def) as *const u8 as usize,
            _ => id,
        };
        // A function may be active more than once when a function argument
        // calls it again (an `implicit_solve` whose `solve` uses
        // `implicit_solve`); only a deep nest of one function is recursion
        // that tracing by inlining would never finish.
        if self.active.iter().filter(|&&k| k == key).count() >= MAX_NESTING {
            return Err(Diagnostic::at(
                span,
                format!("`{}` calls itself: recursion is not supported", name),
            )
            .with_hint(
                "functions are traced by inlining; write the recursion as a `for` or `while` loop",
            ));
        }
        self.check_trace_depth(span)?;
        self.active.push(key);
        let r = crate::stack::grow(|| self.run_body(func, name, args, span));
        self.active.pop();
        r
    }

    /// An error at `span` when traces already nest [`MAX_TRACE_DEPTH`] deep.
    pub(super) fn check_trace_depth(&self, span: Span) -> Result<()> {
        if self.tracer.depth() < MAX_TRACE_DEPTH {
            return Ok(());
        }
        Err(Diagnostic::at(
            span,
            format!(
                "loops, conditionals and transformations are nested too deeply here (more than {MAX_TRACE_DEPTH} levels)"
            ),
        )
        .with_hint("a function called inside a loop adds the loops of its body to the caller's; flatten the nesting"))
    }

    fn run_body(
        &mut self,
        func: &Rc<Func>,
        name: &str,
        args: Vec<(Value, Span)>,
        span: Span,
    ) -> Result<Value> {
        let (_, params) = fn_signature(func);
        let module = match &**func {
            Func::Def { module, .. } | Func::Lambda { module, .. } => module.clone(),
            Func::Builtin(_)
            | Func::Grad { .. }
            | Func::Pullback(_)
            | Func::Vmap { .. }
            | Func::Jacobian { .. }
            | Func::Graph { .. }
            | Func::CustomJvp { .. }
            | Func::CustomVjp { .. } => {
                return Err(Diagnostic::internal(
                    "a transformed function reached run_body",
                ))
            }
        };
        let mut env = Env::body(module);
        if let Func::Lambda { captured, .. } = &**func {
            for (n, v) in captured.iter() {
                env.define(n, v.clone(), false);
            }
            env.push();
        }
        let mut dims = DimEnv::new();
        for (p, (v, vspan)) in params.iter().zip(args) {
            let v = match &p.ty {
                Some(ty) => self.check_annotation(
                    v,
                    ty,
                    &mut dims,
                    &format!("argument `{}` of `{}`", p.name.name, name),
                    vspan,
                )?,
                None => v,
            };
            env.define(&p.name.name, v, false);
        }
        let flow = match &**func {
            Func::Def { def, .. } => self.exec_block(&mut env, &def.body)?,
            Func::Lambda { body, .. } => self.eval_expr_flow(&mut env, body)?,
            Func::Builtin(_)
            | Func::Grad { .. }
            | Func::Pullback(_)
            | Func::Vmap { .. }
            | Func::Jacobian { .. }
            | Func::Graph { .. }
            | Func::CustomJvp { .. }
            | Func::CustomVjp { .. } => {
                return Err(Diagnostic::internal(
                    "a transformed function reached run_body",
                ))
            }
        };
        let v = match flow {
            Flow::Value(v) | Flow::Return(v, _) => v,
        };
        match &**func {
            Func::Def { def, .. } => match &def.ret {
                Some(ty) => self.check_annotation(
                    v,
                    ty,
                    &mut dims,
                    &format!("the result of `{}`", name),
                    span,
                ),
                None => Ok(v),
            },
            _ => Ok(v),
        }
    }

    /// Checks `v` against an annotation; weak literals take the annotated dtype.
    fn check_annotation(
        &mut self,
        v: Value,
        ty: &TypeExpr,
        dims: &mut DimEnv,
        what: &str,
        span: Span,
    ) -> Result<Value> {
        let mismatch = |v: &Value| {
            Diagnostic::at(
                span,
                format!("{} must be {}, got {}", what, type_text(ty), v.describe()),
            )
            .with_note("the annotation is here", Some(type_span(ty)))
        };
        match ty {
            TypeExpr::Tensor {
                dtype, dims: ds, ..
            } if dtype.name == "key" && ds.is_empty() => match v {
                Value::Key(_) => Ok(v),
                other => Err(mismatch(&other)),
            },
            TypeExpr::Tensor {
                dtype, dims: ds, ..
            } => {
                let d = DType::from_name(&dtype.name).ok_or_else(|| {
                    Diagnostic::at(dtype.span, format!("unknown dtype `{}`", dtype.name))
                })?;
                let Value::Arr(a) = &v else {
                    return Err(mismatch(&v));
                };
                let a = match a.weak() {
                    Some(_) if ds.is_empty() => {
                        ops::cast(&mut self.tracer, a, d).map_err(|e| e.or_span(span))?
                    }
                    _ => a.clone(),
                };
                if a.dtype() != d || a.rank() != ds.len() {
                    return Err(mismatch(&Value::Arr(a)));
                }
                for (i, (dim, n)) in ds.iter().zip(a.shape()).enumerate() {
                    self.check_dim(dim, *n, i, &a, dims, what, span)?;
                }
                Ok(Value::Arr(a))
            }
            TypeExpr::Tuple(ts, _) => {
                let Value::Tuple(xs) = &v else {
                    return Err(mismatch(&v));
                };
                if xs.len() != ts.len() {
                    return Err(mismatch(&v));
                }
                let mut out = vec![];
                for (i, (x, t)) in xs.iter().zip(ts).enumerate() {
                    out.push(self.check_annotation(
                        x.clone(),
                        t,
                        dims,
                        &format!("element {} of {}", i, what),
                        span,
                    )?);
                }
                Ok(Value::Tuple(Rc::new(out)))
            }
            TypeExpr::Record(fs, _) => {
                let Value::Record(r) = &v else {
                    return Err(mismatch(&v));
                };
                if r.len() != fs.len() || fs.iter().any(|(n, _)| !r.contains_key(&n.name)) {
                    return Err(mismatch(&v));
                }
                let mut out = indexmap::IndexMap::new();
                for (k, x) in r.iter() {
                    let t = fs
                        .iter()
                        .find(|(n, _)| &n.name == k)
                        .map(|(_, t)| t)
                        .ok_or_else(|| mismatch(&v))?;
                    out.insert(
                        k.clone(),
                        self.check_annotation(
                            x.clone(),
                            t,
                            dims,
                            &format!("field `{}` of {}", k, what),
                            span,
                        )?,
                    );
                }
                Ok(Value::Record(Rc::new(out)))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_dim(
        &self,
        dim: &Dim,
        n: usize,
        i: usize,
        a: &Arr,
        dims: &mut DimEnv,
        what: &str,
        span: Span,
    ) -> Result<()> {
        match dim {
            Dim::Int(want, dspan) => {
                if *want != n as i64 {
                    return Err(Diagnostic::at(
                        span,
                        format!(
                            "{} has shape {}, but dimension {} must be {}",
                            what,
                            ShapeDisplay(a.shape()),
                            i,
                            want
                        ),
                    )
                    .with_note("the annotation is here", Some(*dspan)));
                }
            }
            Dim::Name(id) => match dims.get(&id.name) {
                Some((size, from)) if *size != n => {
                    return Err(Diagnostic::at(
                        span,
                        format!(
                            "dimension `{}` is {} in {} but {} in {} ({})",
                            id.name,
                            size,
                            from,
                            n,
                            what,
                            a.ty()
                        ),
                    )
                    .with_note(format!("`{}` is named here", id.name), Some(id.span)));
                }
                Some(_) => {}
                None => {
                    dims.insert(id.name.clone(), (n, format!("{} ({})", what, a.ty())));
                }
            },
        }
        Ok(())
    }
}

/// What `vjp` returns: the result and its pullback.
fn vjp_result(y: Value, pb: Rc<Pullback>) -> Value {
    Value::Tuple(Rc::new(vec![y, Value::Func(Rc::new(Func::Pullback(pb)))]))
}

/// The key of a call's arguments, and their leaves.
fn arg_key(args: &[(Value, Span)]) -> (ArgKey, Vec<Arr>) {
    let (leaves, def) = flatten(&Value::Tuple(Rc::new(
        args.iter().map(|(v, _)| v.clone()).collect(),
    )));
    let key = ArgKey {
        def,
        leaves: leaves.iter().map(Leaf::of).collect(),
    };
    (key, leaves)
}

/// Whether a tree has a weak integer leaf.
fn has_weak_int(v: &Value) -> bool {
    flatten(v).0.iter().any(|a| a.weak() == Some(Weak::Int))
}

/// A function's name (for messages) and parameters.
fn fn_signature(func: &Func) -> (String, &[Param]) {
    match func {
        Func::Def { def, .. } => (def.name.name.clone(), &def.params),
        Func::Lambda { params, .. } => ("<lambda>".to_string(), params),
        Func::Builtin(_)
        | Func::Grad { .. }
        | Func::Pullback(_)
        | Func::Vmap { .. }
        | Func::Jacobian { .. }
        | Func::Graph { .. }
        | Func::CustomJvp { .. }
        | Func::CustomVjp { .. } => ("<builtin>".to_string(), &[]),
    }
}

/// Binds positional and keyword arguments to parameters by name; a slot
/// left empty is a parameter with a default.
fn bind_params(
    name: &str,
    params: &[Param],
    pos: Positional,
    kws: Keywords,
    span: Span,
) -> Result<Vec<Option<(Value, Span)>>> {
    if pos.len() > params.len() {
        return Err(Diagnostic::at(
            pos[params.len()].1,
            format!(
                "`{}` takes {}{} argument(s), got {}",
                name,
                if params.iter().any(|p| p.default.is_some()) {
                    "at most "
                } else {
                    ""
                },
                params.len(),
                pos.len()
            ),
        )
        .with_hint(format!("`{}({})`", name, param_list(params))));
    }
    let mut slots: Vec<Option<(Value, Span)>> = vec![None; params.len()];
    for (i, a) in pos.into_iter().enumerate() {
        slots[i] = Some(a);
    }
    for (k, kspan, v, vspan) in kws {
        let Some(i) = params.iter().position(|p| p.name.name == k) else {
            return Err(
                Diagnostic::at(kspan, format!("`{}` has no parameter `{}`", name, k))
                    .with_hint(format!("`{}({})`", name, param_list(params))),
            );
        };
        if slots[i].is_some() {
            return Err(Diagnostic::at(
                kspan,
                format!("argument `{}` of `{}` given twice", k, name),
            ));
        }
        slots[i] = Some((v, vspan));
    }
    if let Some((_, p)) = slots
        .iter()
        .zip(params)
        .find(|(s, p)| s.is_none() && p.default.is_none())
    {
        return Err(Diagnostic::at(
            span,
            format!("`{}` is missing its argument `{}`", name, p.name.name),
        )
        .with_hint(format!("`{}({})`", name, param_list(params))));
    }
    Ok(slots)
}

fn param_list(params: &[Param]) -> String {
    params
        .iter()
        .map(|p| p.name.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// An annotation as written (`f32[n, 3]`).
pub fn type_text(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Tensor { dtype, dims, .. } if dims.is_empty() => dtype.name.clone(),
        TypeExpr::Tensor { dtype, dims, .. } => {
            let ds: Vec<String> = dims
                .iter()
                .map(|d| match d {
                    Dim::Int(n, _) => n.to_string(),
                    Dim::Name(id) => id.name.clone(),
                })
                .collect();
            format!("{}[{}]", dtype.name, ds.join(", "))
        }
        TypeExpr::Tuple(ts, _) if ts.len() == 1 => format!("({},)", type_text(&ts[0])),
        TypeExpr::Tuple(ts, _) => format!(
            "({})",
            ts.iter().map(type_text).collect::<Vec<_>>().join(", ")
        ),
        TypeExpr::Record(fs, _) => {
            format!(
                "{{{}}}",
                fs.iter()
                    .map(|(n, t)| format!("{}: {}", n.name, type_text(t)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

fn type_span(ty: &TypeExpr) -> Span {
    match ty {
        TypeExpr::Tensor { span, .. } | TypeExpr::Tuple(_, span) | TypeExpr::Record(_, span) => {
            *span
        }
    }
}
