//! The evaluator's side of transformations: tracing a function value into a
//! closed graph over the leaves of its arguments, transforming the graph,
//! and applying the result (run on the host, or inlined into a trace).

use super::exec::Evaluator;
use super::ops;
use super::tree::{flatten, map_arrays, same_structure, unflatten, TreeDef};
use super::value::{Arr, GradOptions, Value};
use crate::diag::{Diagnostic, Result};
use crate::ir::simplify::simplify;
use crate::ir::Graph;
use crate::prims::control::spread;
use crate::prims::custom::FORWARD_MODE_OF_CUSTOM_VJP;
use crate::prims::Prim;
use crate::prims::{CustomVjpLin, StopGradient};
use crate::span::Span;
use crate::transform::jvp::jvp_graph;
use crate::transform::linearize::linearize;
use crate::transform::transpose::transpose_graph;
use crate::types::TensorType;
use std::rc::Rc;

/// A function traced on the leaves of its arguments.
pub struct Closed {
    /// Inputs: the enclosing trace's values it uses (`consts`), then the argument leaves.
    pub graph: Graph,
    pub consts: Vec<Arr>,
    /// The structure of the result.
    pub output: TreeDef,
}

impl Evaluator {
    /// Traces `f(args...)` into a closed graph.
    pub fn trace_closed(&mut self, f: &Value, args: &[Value], span: Span) -> Result<Closed> {
        let (leaves, def) = flatten(&Value::Tuple(Rc::new(args.to_vec())));
        let types: Vec<_> = leaves.iter().map(|a| ops::materialize(a).ty()).collect();
        let mut output = TreeDef::Tuple(vec![]);
        let (graph, consts) = self.trace_fn(&types, |ev, ins| {
            let Value::Tuple(vals) = unflatten(&def, &mut ins.into_iter())? else {
                return Err(Diagnostic::internal("arguments lost their structure"));
            };
            let pos = vals.iter().map(|v| (v.clone(), span)).collect();
            let (outs, def) = flatten(&ev.call(f, pos, vec![], span)?);
            output = def;
            Ok(outs)
        })?;
        Ok(Closed {
            graph,
            consts,
            output,
        })
    }

    /// Traces `body` on fresh inputs of `types` into a closed graph, whose
    /// leading inputs are the values of enclosing traces it used (returned
    /// with it).
    pub fn trace_fn(
        &mut self,
        types: &[TensorType],
        body: impl FnOnce(&mut Evaluator, Vec<Arr>) -> Result<Vec<Arr>>,
    ) -> Result<(Graph, Vec<Arr>)> {
        self.tracer.begin();
        let traced = (|| {
            let ins = (types.iter())
                .map(|t| self.tracer.input(t.clone()))
                .collect::<Result<Vec<_>>>()?;
            body(self, ins)
        })();
        let outs = match traced {
            Ok(outs) => outs,
            Err(e) => {
                self.tracer.abandon();
                return Err(e);
            }
        };
        let region = self.tracer.finish(&outs)?;
        let consts: Vec<_> = (region.captures.iter())
            .map(|(outer, _)| outer.clone())
            .collect();
        let graph = region.close(&consts);
        Ok((graph, consts.into_iter().map(Arr::Traced).collect()))
    }

    /// `jvp(f, primals, tangents)`: `(f(*primals), J·tangents)`.
    pub fn jvp_value(
        &mut self,
        f: &Value,
        primals: &Value,
        tangents: &Value,
        span: Span,
    ) -> Result<Value> {
        let (Value::Tuple(ps), Value::Tuple(ts)) = (primals, tangents) else {
            return Err(
                Diagnostic::at(span, "`jvp` takes tuples of primals and tangents")
                    .with_hint("write `jvp(f, (x,), (t,))` for a function of one argument"),
            );
        };
        if ps.len() != ts.len() {
            return Err(Diagnostic::at(
                span,
                "the tangents must have the structure of the primals",
            ));
        }
        let ts: Vec<Option<Value>> = ts.iter().cloned().map(Some).collect();
        let (y, t) = self.jvp_call(f, ps, &ts, span)?;
        Ok(Value::Tuple(Rc::new(vec![y, t])))
    }

    /// `hvp(f, x, v, *args, wrt = 0)`: `∇²f·v`, the JVP of the gradient
    /// along `v` (forward over reverse: no Hessian is formed). `f` is called
    /// with `args` and `x` inserted at position `wrt`.
    pub fn hvp_value(
        &mut self,
        f: &Value,
        (x, v): (&Value, &Value),
        args: &[Value],
        wrt: usize,
        span: Span,
    ) -> Result<Value> {
        if wrt > args.len() {
            return Err(Diagnostic::at(
                span,
                format!(
                    "`wrt = {}` but `f` takes {} argument(s) here",
                    wrt,
                    args.len() + 1
                ),
            ));
        }
        let mut all = args.to_vec();
        all.insert(wrt, x.clone());
        let gradient = Value::Func(Rc::new(super::value::Func::Grad {
            f: f.clone(),
            how: GradOptions {
                wrt: vec![wrt],
                tuple: false,
                with_value: false,
                has_aux: false,
            },
        }));
        let mut tangents = vec![None; all.len()];
        tangents[wrt] = Some(v.clone());
        Ok(self.jvp_call(&gradient, &all, &tangents, span)?.1)
    }

    /// `f(args...)` and its JVP along `tangents` (one per argument, of the
    /// argument's structure; `None` for arguments held fixed).
    fn jvp_call(
        &mut self,
        f: &Value,
        args: &[Value],
        tangents: &[Option<Value>],
        span: Span,
    ) -> Result<(Value, Value)> {
        let (leaves, leaf_ts) = leaf_tangents(args, tangents, span)?;
        let closed = self.trace_closed(f, args, span)?;
        let mut nonzero = vec![false; closed.consts.len()];
        nonzero.extend(leaf_ts.iter().map(Option::is_some));
        let jvp = jvp_graph(&closed.graph, &nonzero).map_err(|m| Diagnostic::at(span, m))?;
        if uses(&jvp.graph, &|p| p.downcast_ref::<CustomVjpLin>().is_some()) {
            return Err(Diagnostic::at(span, FORWARD_MODE_OF_CUSTOM_VJP));
        }
        let mut inputs = closed.consts.clone();
        inputs.extend(leaves.iter().cloned());
        for (p, t) in leaves.iter().zip(&leaf_ts) {
            let Some(t) = t else { continue };
            let t = ops::cast(&mut self.tracer, t, p.dtype()).map_err(|d| d.or_span(span))?;
            if t.shape() != p.shape() {
                return Err(Diagnostic::at(
                    span,
                    format!("a tangent {} for a primal {}", t.ty(), p.ty()),
                ));
            }
            inputs.push(t);
        }
        let outs = self
            .tracer
            .call_graph("jvp", &simplify(&jvp.graph), &inputs)
            .map_err(|m| Diagnostic::at(span, m))?;
        let n_out = closed.graph.outputs.len();
        let (primal_out, rest) = outs.split_at(n_out);
        let mut tangent_out = vec![];
        for (p, t) in primal_out.iter().zip(spread(rest, &jvp.out_nonzero)) {
            tangent_out.push(match t {
                Some(t) => t,
                None => self.zeros_like(p).map_err(|d| d.or_span(span))?,
            });
        }
        let y = unflatten(&closed.output, &mut primal_out.iter().cloned())?;
        let ty = unflatten(&closed.output, &mut tangent_out.into_iter())?;
        Ok((y, ty))
    }

    fn zeros_like(&mut self, a: &Arr) -> Result<Arr> {
        let zero = ops::scalar(a.dtype(), 0.0);
        ops::broadcast_to(&mut self.tracer, &zero, a.shape())
    }
}

/// How a pullback runs, the same for every `vjp` call of one program: the
/// transposed linear graph, and the runtime's program of it when a cached
/// host `vjp` call made it (`call.rs`, `host_vjp`).
pub struct PullbackPlan {
    /// (residuals, cotangent per output leaf) → cotangent per differentiated argument leaf.
    pub graph: Graph,
    pub prepared: Option<Rc<dyn crate::backend::runtime::Prepared>>,
    /// The structure and leaf types of the function's result.
    output: TreeDef,
    output_types: Vec<crate::types::TensorType>,
    /// The arguments' structure, and which leaves were differentiated.
    args: TreeDef,
    nonzero: Vec<bool>,
}

/// What `vjp` returns as its pullback: its plan, and the residuals of the
/// call and the argument leaves it was made at (for zeros where no
/// cotangent flows).
pub struct Pullback {
    pub plan: Rc<PullbackPlan>,
    pub residuals: Vec<Arr>,
    pub arg_leaves: Vec<Arr>,
}

/// A function's reverse mode at some argument types, before it runs: the
/// primal graph (consts, argument leaves → result leaves, residuals), the
/// values of enclosing traces it reads, and how its pullback runs.
pub struct VjpPlan {
    pub primal: Graph,
    pub consts: Vec<Arr>,
    /// The argument leaves, materialized (weak literals in their dtype).
    pub leaves: Vec<Arr>,
    /// How many of the primal graph's outputs are the result's leaves.
    pub n_outputs: usize,
    pub pullback: PullbackPlan,
}

impl VjpPlan {
    /// The structure of the function's result.
    pub fn output(&self) -> &TreeDef {
        &self.pullback.output
    }
}

/// The argument leaves (as arrays) and, for each, its tangent: `None`
/// where the argument has none or the leaf is not a float.
fn leaf_tangents(
    args: &[Value],
    tangents: &[Option<Value>],
    span: Span,
) -> Result<(Vec<Arr>, Vec<Option<Arr>>)> {
    let (mut leaves, mut leaf_ts) = (vec![], vec![]);
    for (a, t) in args.iter().zip(tangents) {
        let (a_leaves, a_def) = flatten(a);
        let t_leaves = match t {
            Some(t) => {
                let (t_leaves, t_def) = flatten(t);
                if !same_structure(&a_def, &t_def) || t_leaves.len() != a_leaves.len() {
                    return Err(Diagnostic::at(
                        span,
                        "the tangents must have the structure of the primals",
                    ));
                }
                t_leaves.into_iter().map(Some).collect()
            }
            None => vec![None; a_leaves.len()],
        };
        for (p, t) in a_leaves.iter().zip(t_leaves) {
            let p = ops::materialize(p);
            leaf_ts.push(t.filter(|_| p.dtype().is_inexact()));
            leaves.push(p);
        }
    }
    Ok((leaves, leaf_ts))
}

impl PullbackPlan {
    /// How many outputs the function has (leaves of its result).
    pub fn n_outputs(&self) -> usize {
        self.output_types.len()
    }
}

impl std::fmt::Debug for Pullback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pullback({} residuals)", self.residuals.len())
    }
}

impl Evaluator {
    /// `vjp(f, args...)`: `f(args...)` and its pullback, with respect to
    /// the arguments at positions `wrt` (all of them if `None`; the others
    /// get zero cotangents).
    pub fn vjp_value(
        &mut self,
        f: &Value,
        args: Vec<Value>,
        wrt: Option<&[usize]>,
        has_aux: bool,
        span: Span,
    ) -> Result<(Value, Rc<Pullback>)> {
        let plan = self.vjp_plan(f, args, wrt, has_aux, span)?;
        let mut inputs = plan.consts.clone();
        inputs.extend(plan.leaves.iter().cloned());
        let outs = self
            .tracer
            .call_graph("vjp", &plan.primal, &inputs)
            .map_err(|m| Diagnostic::at(span, m))?;
        let (primal_out, residuals) = outs.split_at(plan.n_outputs);
        let y = unflatten(plan.output(), &mut primal_out.iter().cloned())?;
        let pb = Pullback {
            plan: Rc::new(plan.pullback),
            residuals: residuals.to_vec(),
            arg_leaves: plan.leaves,
        };
        Ok((y, Rc::new(pb)))
    }

    /// Traces, linearizes and transposes `f` at the types of `args`.
    pub fn vjp_plan(
        &mut self,
        f: &Value,
        args: Vec<Value>,
        wrt: Option<&[usize]>,
        has_aux: bool,
        span: Span,
    ) -> Result<VjpPlan> {
        let (leaves, args_def) = flatten(&Value::Tuple(Rc::new(args.clone())));
        let mut closed = self.trace_closed(f, &args, span)?;
        if has_aux {
            closed.graph = without_aux_derivative(&closed.graph, &closed.output, span)?;
        }
        let n_consts = closed.consts.len();
        let leaves: Vec<Arr> = leaves.iter().map(ops::materialize).collect();
        let arg_of_leaf = args
            .iter()
            .enumerate()
            .flat_map(|(i, a)| std::iter::repeat_n(i, flatten(a).0.len()));
        let mut nonzero = vec![false; n_consts];
        nonzero.extend(
            leaves
                .iter()
                .zip(arg_of_leaf)
                .map(|(a, i)| a.dtype().is_inexact() && wrt.is_none_or(|w| w.contains(&i))),
        );
        let lin = linearize(&closed.graph, &nonzero).map_err(|d| reverse_mode_error(d, span))?;
        let n_tangents = lin.linear.inputs.len() - lin.n_residuals;
        let mut linear = vec![false; lin.n_residuals];
        linear.extend(std::iter::repeat_n(true, n_tangents));
        let graph = transpose_graph(&lin.linear, &linear)
            .map_err(|m| Diagnostic::at(span, format!("reverse mode: {}", m)))?;
        let output_types = lin.primal.output_types()[..lin.n_outputs].to_vec();
        Ok(VjpPlan {
            primal: lin.primal,
            consts: closed.consts,
            leaves,
            n_outputs: lin.n_outputs,
            pullback: PullbackPlan {
                graph,
                prepared: None,
                output: closed.output,
                output_types,
                args: args_def,
                nonzero: nonzero[n_consts..].to_vec(),
            },
        })
    }

    /// Applies a pullback to a cotangent of the result: a tuple with one
    /// cotangent per argument.
    pub fn apply_pullback(&mut self, pb: &Pullback, ct: &Value, span: Span) -> Result<Value> {
        let plan = &*pb.plan;
        let (cts, def) = flatten(ct);
        if !same_structure(&def, &plan.output) || cts.len() != plan.output_types.len() {
            return Err(Diagnostic::at(
                span,
                "the cotangent must have the structure of the function's result",
            ));
        }
        let mut inputs = pb.residuals.clone();
        for (c, ty) in cts.iter().zip(&plan.output_types) {
            let c = ops::cast(&mut self.tracer, c, ty.dtype).map_err(|d| d.or_span(span))?;
            inputs.push(
                ops::broadcast_to(&mut self.tracer, &c, &ty.shape).map_err(|d| d.or_span(span))?,
            );
        }
        let outs = match &plan.prepared {
            Some(prepared) if !self.tracer.is_tracing() && !self.tracer.is_checking() => {
                self.tracer.run_prepared(prepared.as_ref(), inputs)
            }
            _ => self.tracer.call_graph("pullback", &plan.graph, &inputs),
        }
        .map_err(|m| Diagnostic::at(span, m))?;
        let mut leaves = vec![];
        for (leaf, g) in pb.arg_leaves.iter().zip(spread(&outs, &plan.nonzero)) {
            leaves.push(match g {
                Some(g) => g,
                None => self.zeros_like(leaf).map_err(|d| d.or_span(span))?,
            });
        }
        unflatten(&plan.args, &mut leaves.into_iter())
    }

    /// Calls a function made by `grad` or `value_and_grad`.
    pub fn grad_call(
        &mut self,
        f: &Value,
        how: &GradOptions,
        args: Vec<Value>,
        span: Span,
    ) -> Result<Value> {
        let wrt = &how.wrt;
        check_wrt(wrt, args.len(), span)?;
        let (y, pb) = self.vjp_value(f, args, Some(wrt), how.has_aux, span)?;
        let (value, aux) = match (&y, how.has_aux) {
            (Value::Tuple(pair), true) => (pair[0].clone(), Some(pair[1].clone())),
            _ => (y.clone(), None),
        };
        let Value::Arr(ya) = &value else {
            return Err(Diagnostic::at(
                span,
                format!(
                    "`grad` needs a function returning a scalar, got {}",
                    y.describe()
                ),
            )
            .with_hint("use `vjp` or `jacobian` for functions with several outputs"));
        };
        if ya.rank() != 0 || !ya.dtype().is_float() {
            return Err(Diagnostic::at(
                span,
                format!(
                    "`grad` needs a function returning a float scalar, got {}",
                    ya.ty()
                ),
            )
            .with_hint("reduce the result first, e.g. with `sum` or `mean`"));
        }
        let one = Value::Arr(ops::scalar(ya.dtype(), 1.0));
        // The auxiliary result has no derivative: its cotangent is unused.
        let ct = match &aux {
            Some(aux) => {
                let t = &mut self.tracer;
                let zeros = map_arrays(aux, &mut |a| {
                    ops::broadcast_to(t, &ops::scalar(a.dtype(), 0.0), a.shape())
                })?;
                Value::Tuple(Rc::new(vec![one, zeros]))
            }
            None => one,
        };
        let Value::Tuple(cts) = self.apply_pullback(&pb, &ct, span)? else {
            return Err(Diagnostic::internal("pullback lost the argument tuple"));
        };
        let picked: Vec<Value> = wrt.iter().filter_map(|&w| cts.get(w).cloned()).collect();
        let g = if how.tuple {
            Value::Tuple(Rc::new(picked))
        } else {
            picked.into_iter().next().unwrap_or(Value::unit())
        };
        let pair = |a: Value, b: Value| Value::Tuple(Rc::new(vec![a, b]));
        Ok(match (how.with_value, aux) {
            (true, _) => pair(y, g),
            (false, Some(aux)) => pair(g, aux),
            (false, None) => g,
        })
    }
}

/// `g`, whose result is `(value, aux)`, with every leaf of `aux` passed
/// through `stop_gradient` (`has_aux`: the auxiliary result is carried
/// along, not differentiated).
fn without_aux_derivative(g: &Graph, output: &TreeDef, span: Span) -> Result<Graph> {
    let TreeDef::Tuple(parts) = output else {
        return Err(not_a_pair(span));
    };
    let [value, _] = parts.as_slice() else {
        return Err(not_a_pair(span));
    };
    let n_value = leaf_count(value);
    let mut b = crate::transform::Builder::with_eqns(&crate::transform::TRANSFORMS, g.eqns.clone());
    let mut outputs = g.outputs[..n_value].to_vec();
    for o in &g.outputs[n_value..] {
        outputs.push(
            b.apply1(
                crate::prims::Prim::new(StopGradient),
                std::slice::from_ref(o),
            )
            .map_err(Diagnostic::internal)?,
        );
    }
    Ok(Graph {
        inputs: g.inputs.clone(),
        eqns: b.eqns,
        outputs,
    })
}

fn not_a_pair(span: Span) -> Diagnostic {
    Diagnostic::at(
        span,
        "with `has_aux = true`, the function must return a pair `(value, aux)`",
    )
}

/// The number of array leaves of a structure.
fn leaf_count(def: &TreeDef) -> usize {
    match def {
        TreeDef::Arr | TreeDef::Key => 1,
        TreeDef::Static(_) => 0,
        TreeDef::Tuple(xs) | TreeDef::List(xs) => xs.iter().map(leaf_count).sum(),
        TreeDef::Record(fs) => fs.iter().map(|(_, d)| leaf_count(d)).sum(),
    }
}

/// Whether `g` or one of its regions applies a primitive satisfying `is`.
fn uses(g: &Graph, is: &dyn Fn(&Prim) -> bool) -> bool {
    (g.eqns.iter()).any(|e| is(&e.prim) || e.prim.regions().iter().any(|r| uses(r, is)))
}

/// Checks that every position in `wrt` names one of `n` arguments.
pub fn check_wrt(wrt: &[usize], n: usize, span: Span) -> Result<()> {
    match wrt.iter().find(|&&w| w >= n) {
        Some(w) => Err(Diagnostic::at(
            span,
            format!(
                "`wrt = {}` but the function was called with {} argument(s)",
                w, n
            ),
        )),
        None => Ok(()),
    }
}

/// An error of reverse mode: where it arose (a loop, say) if known, with a
/// note pointing at the call that asked for the derivative.
fn reverse_mode_error(d: Diagnostic, span: Span) -> Diagnostic {
    match d.span {
        Some(_) => d.with_note(
            "while differentiating this call in reverse mode",
            Some(span),
        ),
        None => Diagnostic {
            message: format!("reverse mode: {}", d.message),
            ..d
        }
        .with_span(span),
    }
}
