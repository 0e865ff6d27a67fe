//! The language's custom derivatives (LANGUAGE.md §7): `custom_jvp`,
//! `custom_vjp` and `linear_solve`, and the two tools a rule written in nest
//! needs, `closure_convert` and `ravel`.
//!
//! Each call traces the user's functions into graphs and emits one
//! equation of the matching primitive (`prims/custom.rs`), whose inputs are
//! the values the functions close over (those of enclosing traces), then
//! the argument leaves. Differentiating with respect to a closed-over value
//! is an error, as in JAX: `closure_convert` makes such values explicit.

use super::exec::Evaluator;
use super::ops;
use super::transform::Closed;
use super::tree::{flatten, same_structure, unflatten, TreeDef};
use super::value::{Arr, Func, Value};
use crate::diag::{Diagnostic, Result};
use crate::ir::{fresh_var, Atom, Graph, Var};
use crate::prims::Prim;
use crate::prims::{Concat, CustomJvp, CustomVjp, LinearSolve, Slice};
use crate::span::Span;
use crate::transform::transpose::transpose_graph;
use crate::transform::Builder;
use crate::types::{DType, TensorType};
use std::rc::Rc;

/// Fresh variables of the given types, and their atoms.
fn fresh(types: &[TensorType]) -> (Vec<Var>, Vec<Atom>) {
    let vars: Vec<Var> = types.iter().cloned().map(fresh_var).collect();
    let atoms = vars.iter().cloned().map(Atom::Var).collect();
    (vars, atoms)
}

/// A graph over inputs of `types` that applies `g` to the inputs at `picks`.
fn over(types: &[TensorType], g: &Graph, picks: &[usize]) -> std::result::Result<Graph, String> {
    let (vars, atoms) = fresh(types);
    let mut b = Builder::default();
    let args: Vec<Atom> = picks.iter().map(|&i| atoms[i].clone()).collect();
    let outputs = b.inline(g, &args)?;
    Ok(Graph {
        inputs: vars,
        eqns: b.eqns,
        outputs,
    })
}

/// The types of the float values among `types` (those with tangents).
fn floats(types: &[TensorType]) -> Vec<TensorType> {
    (types.iter())
        .filter(|t| t.dtype.is_inexact())
        .cloned()
        .collect()
}

/// The leaves of a tuple of arguments, as plain arrays, with its structure.
fn arg_leaves(args: &[Value]) -> (Vec<Arr>, TreeDef) {
    let (leaves, def) = flatten(&Value::Tuple(Rc::new(args.to_vec())));
    (leaves.iter().map(ops::materialize).collect(), def)
}

/// A leaf a user's rule returned, as a value of type `want`: weak literals
/// and scalars are converted and broadcast, anything else must match.
fn conform(ev: &mut Evaluator, a: &Arr, want: &TensorType, what: &str, span: Span) -> Result<Arr> {
    if a.ty() == *want {
        return Ok(a.clone());
    }
    if a.weak().is_some() || (a.rank() == 0 && a.dtype() == want.dtype) {
        let a = ops::cast(&mut ev.tracer, a, want.dtype).map_err(|d| d.or_span(span))?;
        return ops::broadcast_to(&mut ev.tracer, &a, &want.shape).map_err(|d| d.or_span(span));
    }
    Err(Diagnostic::at(
        span,
        format!("{} has a leaf {} where {} was expected", what, a.ty(), want),
    ))
}

/// The leaves of `v`, which must have structure `def` and leaf types
/// `types` (up to weak literals).
fn leaves_like(
    ev: &mut Evaluator,
    v: &Value,
    (def, types): (&TreeDef, &[TensorType]),
    what: &str,
    span: Span,
) -> Result<Vec<Arr>> {
    let (leaves, got) = flatten(v);
    if !same_structure(&got, def) || leaves.len() != types.len() {
        return Err(Diagnostic::at(
            span,
            format!(
                "{} must have the structure of the function's result, got {}",
                what,
                v.describe()
            ),
        ));
    }
    (leaves.iter().zip(types))
        .map(|(a, t)| conform(ev, a, t, what, span))
        .collect()
}

/// `(a, b)`, or an error naming what the pair is.
fn pair(v: Value, what: &str, span: Span) -> Result<(Value, Value)> {
    match v {
        Value::Tuple(xs) if xs.len() == 2 => Ok((xs[0].clone(), xs[1].clone())),
        other => Err(Diagnostic::at(
            span,
            format!("{} must return a pair, got {}", what, other.describe()),
        )),
    }
}

/// Zeros of the type of `a`.
fn zeros_of(ev: &mut Evaluator, ty: &TensorType) -> Result<Arr> {
    ops::broadcast_to(&mut ev.tracer, &ops::scalar(ty.dtype, 0.0), &ty.shape)
}

impl Evaluator {
    /// Applies a one-equation graph of `prim` to `inputs`: compiled at top
    /// level, inlined inside a trace.
    fn emit(&mut self, name: &str, prim: Prim, inputs: &[Arr], span: Span) -> Result<Vec<Arr>> {
        let (vars, atoms) = fresh(&inputs.iter().map(Arr::ty).collect::<Vec<_>>());
        let mut b = Builder::default();
        let outputs = b.apply(prim, &atoms).map_err(|m| Diagnostic::at(span, m))?;
        let graph = Graph {
            inputs: vars,
            eqns: b.eqns,
            outputs,
        };
        (self.tracer)
            .call_graph(name, &graph, inputs)
            .map_err(|m| Diagnostic::at(span, m))
    }

    /// A function made by `custom_jvp(f, rule)`, called on `args`.
    pub fn custom_jvp_call(
        &mut self,
        f: &Value,
        rule: &Value,
        args: Vec<Value>,
        span: Span,
    ) -> Result<Value> {
        let primal = self.trace_closed(f, &args, span)?;
        let (leaves, def) = arg_leaves(&args);
        let types: Vec<TensorType> = leaves.iter().map(Arr::ty).collect();
        let out_types = primal.graph.output_types();
        let out = (&primal.output, out_types.as_slice());
        let rule_in = [types.clone(), floats(&types)].concat();
        let (rule_graph, rule_consts) = self.trace_fn(&rule_in, |ev, ins| {
            let (ps, ts) = ins.split_at(types.len());
            let mut ts = ts.iter().cloned();
            let mut tangents = vec![];
            for p in ps {
                tangents.push(match p.dtype().is_inexact() {
                    true => ts
                        .next()
                        .ok_or_else(|| Diagnostic::internal("lost a tangent"))?,
                    false => zeros_of(ev, &p.ty())?,
                });
            }
            let primals = unflatten(&def, &mut ps.iter().cloned())?;
            let tangents = unflatten(&def, &mut tangents.into_iter())?;
            let r = ev.call(rule, vec![(primals, span), (tangents, span)], vec![], span)?;
            let (y, dy) = pair(r, "a custom_jvp rule", span)?;
            let mut outs = leaves_like(ev, &y, out, "the rule's primal result", span)?;
            let dys = leaves_like(ev, &dy, out, "the rule's tangent", span)?;
            outs.extend(dys.into_iter().filter(|t| t.dtype().is_inexact()));
            Ok(outs)
        })?;
        let (nf, nr) = (primal.consts.len(), rule_consts.len());
        let mut inputs = primal.consts.clone();
        inputs.extend(rule_consts);
        inputs.extend(leaves);
        let all: Vec<TensorType> = inputs.iter().map(Arr::ty).collect();
        let n = all.len();
        let primal_picks: Vec<usize> = (0..nf).chain(nf + nr..n).collect();
        let jvp_types = [all.clone(), floats(&all)].concat();
        // The rule reads its captures, the argument leaves and their
        // tangents; the tangents of the closed-over values go unread.
        let n_closed_floats = floats(&all[..nf + nr]).len();
        let jvp_picks: Vec<usize> = (nf..n)
            .chain(n + n_closed_floats..jvp_types.len())
            .collect();
        let prim = Prim::new(CustomJvp {
            primal: Box::new(over(&all, &primal.graph, &primal_picks).map_err(internal)?),
            jvp: Box::new(over(&jvp_types, &rule_graph, &jvp_picks).map_err(internal)?),
            closed: nf + nr,
        });
        let outs = self.emit("custom_jvp", prim, &inputs, span)?;
        unflatten(&primal.output, &mut outs.into_iter())
    }

    /// A function made by `custom_vjp(f, fwd, bwd)`, called on `args`.
    pub fn custom_vjp_call(
        &mut self,
        [f, fwd, bwd]: [&Value; 3],
        args: Vec<Value>,
        span: Span,
    ) -> Result<Value> {
        let primal = self.trace_closed(f, &args, span)?;
        let (leaves, def) = arg_leaves(&args);
        let types: Vec<TensorType> = leaves.iter().map(Arr::ty).collect();
        let out_types = primal.graph.output_types();
        let out = (&primal.output, out_types.as_slice());
        let mut res_def = TreeDef::Tuple(vec![]);
        let (fwd_graph, fwd_consts) = self.trace_fn(&types, |ev, ins| {
            let Value::Tuple(xs) = unflatten(&def, &mut ins.into_iter())? else {
                return Err(Diagnostic::internal("arguments lost their structure"));
            };
            let pos = xs.iter().map(|v| (v.clone(), span)).collect();
            let (y, res) = pair(ev.call(fwd, pos, vec![], span)?, "`fwd`", span)?;
            let mut outs = leaves_like(ev, &y, out, "`fwd`'s result", span)?;
            let (res_leaves, d) = flatten(&res);
            res_def = d;
            outs.extend(res_leaves.iter().map(ops::materialize));
            Ok(outs)
        })?;
        let res_types = fwd_graph.output_types()[out_types.len()..].to_vec();
        let bwd_in = [res_types.clone(), floats(&out_types)].concat();
        let (bwd_graph, bwd_consts) = self.trace_fn(&bwd_in, |ev, ins| {
            let (rs, cts) = ins.split_at(res_types.len());
            let res = unflatten(&res_def, &mut rs.iter().cloned())?;
            let mut cts = cts.iter().cloned();
            let mut ct_leaves = vec![];
            for t in &out_types {
                ct_leaves.push(match t.dtype.is_inexact() {
                    true => cts
                        .next()
                        .ok_or_else(|| Diagnostic::internal("lost a cotangent"))?,
                    false => zeros_of(ev, t)?,
                });
            }
            let ct = unflatten(&primal.output, &mut ct_leaves.into_iter())?;
            let r = ev.call(bwd, vec![(res, span), (ct, span)], vec![], span)?;
            arg_cotangents(ev, &r, &args, span)
        })?;
        let (nf, nw) = (primal.consts.len(), fwd_consts.len());
        let closed = [primal.consts.clone(), fwd_consts, bwd_consts].concat();
        let nc = closed.len();
        let mut inputs = closed;
        inputs.extend(leaves);
        let all: Vec<TensorType> = inputs.iter().map(Arr::ty).collect();
        let n = all.len();
        let bwd_types = [all[..nc].to_vec(), bwd_in].concat();
        let picks = |own: std::ops::Range<usize>, rest: std::ops::Range<usize>| -> Vec<usize> {
            own.chain(rest).collect()
        };
        let prim = Prim::new(CustomVjp {
            primal: Box::new(over(&all, &primal.graph, &picks(0..nf, nc..n)).map_err(internal)?),
            fwd: Box::new(over(&all, &fwd_graph, &picks(nf..nf + nw, nc..n)).map_err(internal)?),
            bwd: Box::new(
                over(
                    &bwd_types,
                    &bwd_graph,
                    &picks(nf + nw..nc, nc..bwd_types.len()),
                )
                .map_err(internal)?,
            ),
            closed: nc,
        });
        let outs = self.emit("custom_vjp", prim, &inputs, span)?;
        unflatten(&primal.output, &mut outs.into_iter())
    }
}

/// The float leaves of the cotangents `bwd` returned: a tuple with one
/// entry per argument, of that argument's structure (`none` for zeros).
fn arg_cotangents(ev: &mut Evaluator, r: &Value, args: &[Value], span: Span) -> Result<Vec<Arr>> {
    let entries = match r {
        Value::Tuple(xs) if xs.len() == args.len() => xs.clone(),
        other => {
            return Err(Diagnostic::at(
                span,
                format!(
                    "`bwd` must return a tuple with one cotangent per argument ({}), got {}",
                    args.len(),
                    other.describe()
                ),
            )
            .with_hint("for a function of one argument, return `(ct,)`"))
        }
    };
    let mut out = vec![];
    for (entry, arg) in entries.iter().zip(args) {
        let (arg_leaves, arg_def) = flatten(arg);
        let types: Vec<TensorType> = arg_leaves
            .iter()
            .map(|a| ops::materialize(a).ty())
            .collect();
        let cts = match entry {
            Value::None => types
                .iter()
                .map(|t| zeros_of(ev, t))
                .collect::<Result<_>>()?,
            v => leaves_like(
                ev,
                v,
                (&arg_def, &types),
                "a cotangent `bwd` returned",
                span,
            )?,
        };
        out.extend(cts.into_iter().filter(|c| c.dtype().is_inexact()));
    }
    Ok(out)
}

fn internal(m: String) -> Diagnostic {
    Diagnostic::internal(m)
}

impl Evaluator {
    /// `closure_convert(f, *args)`: `(g, consts)` with `g(*args, consts)`
    /// equal to `f(*args)` and `consts` the values of enclosing traces `f`
    /// reads, as a tuple (as `jax.closure_convert`). `g` is `f` traced for
    /// the types of `args`.
    pub fn closure_convert(&mut self, f: &Value, args: &[Value], span: Span) -> Result<Value> {
        let Closed {
            mut graph,
            consts,
            output,
        } = self.trace_closed(f, args, span)?;
        // The graph takes (consts, leaves): `g` takes the leaves first.
        let n = consts.len();
        graph.inputs.rotate_left(n);
        let consts_value = Value::Tuple(Rc::new(consts.into_iter().map(Value::Arr).collect()));
        let mut all = args.to_vec();
        all.push(consts_value.clone());
        let g = Func::Graph {
            graph: Rc::new(graph),
            consts: vec![],
            args: flatten(&Value::Tuple(Rc::new(all))).1,
            output,
        };
        Ok(Value::Tuple(Rc::new(vec![
            Value::Func(Rc::new(g)),
            consts_value,
        ])))
    }

    /// Calls a function made from a graph (`closure_convert`, `ravel`'s
    /// `unravel`, a linear map): the arguments must have the structure and
    /// types it was traced for.
    pub fn graph_call(
        &mut self,
        (graph, consts): (&Graph, &[Arr]),
        (args_def, output): (&TreeDef, &TreeDef),
        args: Vec<Value>,
        span: Span,
    ) -> Result<Value> {
        let types = &graph.input_types()[consts.len()..];
        let v = Value::Tuple(Rc::new(args));
        let leaves =
            leaves_like(self, &v, (args_def, types), "an argument", span).map_err(|d| {
                let want: Vec<String> = types.iter().map(|t| t.to_string()).collect();
                d.with_hint(format!(
                    "this function was traced for arguments of types ({})",
                    want.join(", ")
                ))
            })?;
        let mut inputs = consts.to_vec();
        inputs.extend(leaves);
        let outs = (self.tracer)
            .call_graph("map", graph, &inputs)
            .map_err(|m| Diagnostic::at(span, m))?;
        unflatten(output, &mut outs.into_iter())
    }

    /// `ravel(tree)`: `(v, unravel)`, every leaf flattened and joined into
    /// one vector of their widest dtype, and the function rebuilding the
    /// tree from such a vector (as `jax.flatten_util.ravel_pytree`).
    pub fn ravel(&mut self, tree: &Value, span: Span) -> Result<Value> {
        let (leaves, def) = flatten(tree);
        if leaves.iter().any(|a| a.dtype() == DType::U32) || has_key(&def) {
            return Err(Diagnostic::at(
                span,
                "`ravel` takes a tree of arrays; keys cannot be raveled",
            ));
        }
        let leaves: Vec<Arr> = leaves.iter().map(ops::materialize).collect();
        let types: Vec<TensorType> = leaves.iter().map(Arr::ty).collect();
        let dtype = widest(&types);
        let v = join_leaves(self, &leaves, dtype).map_err(|d| d.or_span(span))?;
        let vector = TensorType::new(dtype, vec![v.shape()[0]]);
        let (graph, _) = self.trace_fn(&[vector], |ev, ins| {
            split_leaves(ev, &ins[0], &types).map_err(|d| d.or_span(span))
        })?;
        let unravel = Func::Graph {
            graph: Rc::new(graph),
            consts: vec![],
            args: TreeDef::Tuple(vec![TreeDef::Arr]),
            output: def,
        };
        Ok(Value::Tuple(Rc::new(vec![
            Value::Arr(v),
            Value::Func(Rc::new(unravel)),
        ])))
    }
}

fn has_key(def: &TreeDef) -> bool {
    match def {
        TreeDef::Key => true,
        TreeDef::Arr | TreeDef::Static(_) => false,
        TreeDef::Tuple(xs) | TreeDef::List(xs) => xs.iter().any(has_key),
        TreeDef::Record(fs) => fs.iter().any(|(_, d)| has_key(d)),
    }
}

/// The dtype every leaf promotes to (f32 for no leaves).
fn widest(types: &[TensorType]) -> DType {
    let mut it = types.iter().map(|t| t.dtype);
    let first = it.next().unwrap_or(DType::F32);
    it.fold(first, DType::join)
}

/// The leaves, each raveled and converted to `dtype`, joined into one vector.
fn join_leaves(ev: &mut Evaluator, leaves: &[Arr], dtype: DType) -> Result<Arr> {
    let mut parts = vec![];
    for a in leaves {
        let a = ops::cast(&mut ev.tracer, a, dtype)?;
        parts.push(ops::reshape(&mut ev.tracer, &a, &[a.ty().size()])?);
    }
    match parts.len() {
        0 => zeros_of(ev, &TensorType::new(dtype, vec![0])),
        1 => Ok(parts.remove(0)),
        _ => ops::apply1(&mut ev.tracer, Prim::new(Concat { axis: 0 }), &parts),
    }
}

/// A vector cut back into leaves of the given types.
fn split_leaves(ev: &mut Evaluator, v: &Arr, types: &[TensorType]) -> Result<Vec<Arr>> {
    let mut out = vec![];
    let mut start = 0;
    for t in types {
        let n = t.size();
        let piece = ops::apply1(
            &mut ev.tracer,
            Prim::new(Slice {
                start: vec![start],
                limit: vec![start + n],
                stride: vec![1],
            }),
            std::slice::from_ref(v),
        )?;
        let piece = ops::reshape(&mut ev.tracer, &piece, &t.shape)?;
        out.push(ops::cast(&mut ev.tracer, &piece, t.dtype)?);
        start += n;
    }
    Ok(out)
}

impl Evaluator {
    /// `linear_solve(matvec, b, solve, transpose_solve)`: `solve(matvec, b)`,
    /// differentiated through `matvec` only. `transpose_solve` defaults to
    /// `solve` applied to the transposed map.
    pub fn linear_solve(
        &mut self,
        [matvec, b, solve, transpose_solve]: [&Value; 4],
        span: Span,
    ) -> Result<Value> {
        let Value::Arr(b) = b else {
            return Err(Diagnostic::at(
                span,
                format!("`linear_solve` takes an array `b`, got {}", b.describe()),
            )
            .with_hint("`ravel` a tree into a vector first"));
        };
        let b = ops::materialize(b);
        let bt = b.ty();
        let map = self.trace_closed(matvec, &[Value::Arr(b.clone())], span)?;
        let mv = map.graph;
        if mv.output_types() != [bt.clone()] {
            return Err(Diagnostic::at(
                span,
                format!("`matvec` must map {} to {}", bt, bt),
            ));
        }
        let n = mv.inputs.len() - 1;
        let flags: Vec<bool> = (0..=n).map(|i| i == n).collect();
        let transposed = transpose_graph(&mv, &flags)
            .map_err(|m| Diagnostic::at(span, format!("`matvec` must be linear: {}", m)))?;
        let (s, s_caps) = self.trace_solver(solve, &mv, span)?;
        let t_solver = match transpose_solve {
            Value::None => solve,
            f => f,
        };
        let (t, t_caps) = self.trace_solver(t_solver, &transposed, span)?;
        let prim =
            linear_solve_prim(&mv, (&s, s_caps.len()), (&t, t_caps.len())).map_err(internal)?;
        let mut inputs = [s_caps, t_caps, map.consts].concat();
        inputs.push(b);
        let outs = self.emit("linear_solve", prim, &inputs, span)?;
        Ok(Value::Arr(outs.into_iter().next().ok_or_else(|| {
            Diagnostic::internal("linear_solve gave no result")
        })?))
    }

    /// `solver(matvec, b)` traced into a graph over (its captures, the
    /// map's constants, b); `matvec` applies the map with those constants.
    fn trace_solver(
        &mut self,
        solver: &Value,
        map: &Graph,
        span: Span,
    ) -> Result<(Graph, Vec<Arr>)> {
        let types = map.input_types();
        let n = types.len() - 1;
        let vector = types[n].clone();
        self.trace_fn(&types, |ev, ins| {
            let matvec = Value::Func(Rc::new(Func::Graph {
                graph: Rc::new(map.clone()),
                consts: ins[..n].to_vec(),
                args: TreeDef::Tuple(vec![TreeDef::Arr]),
                output: TreeDef::Arr,
            }));
            let b = Value::Arr(ins[n].clone());
            let x = ev.call(solver, vec![(matvec, span), (b, span)], vec![], span)?;
            match x {
                Value::Arr(x) => Ok(vec![conform(ev, &x, &vector, "the solver's result", span)?]),
                other => Err(Diagnostic::at(
                    span,
                    format!(
                        "the linear solver must return an array {}, like its right-hand side; got {}",
                        vector,
                        other.describe()
                    ),
                )),
            }
        })
    }
}

/// The `linear_solve` over (solve's captures, transpose_solve's captures,
/// the map's constants, b): every graph takes all of them and reads its own.
fn linear_solve_prim(
    matvec: &Graph,
    (solve, ns): (&Graph, usize),
    (transpose_solve, nt): (&Graph, usize),
) -> std::result::Result<Prim, String> {
    let all = [
        solve.input_types()[..ns].to_vec(),
        transpose_solve.input_types()[..nt].to_vec(),
        matvec.input_types(),
    ]
    .concat();
    let shared: Vec<usize> = (ns + nt..all.len()).collect();
    let picks = |own: std::ops::Range<usize>| -> Vec<usize> { own.chain(shared.clone()).collect() };
    Ok(Prim::new(LinearSolve {
        matvec: Box::new(over(&all, matvec, &picks(0..0))?),
        solve: Box::new(over(&all, solve, &picks(0..ns))?),
        transpose_solve: Box::new(over(&all, transpose_solve, &picks(ns..ns + nt))?),
        n_consts: all.len() - 1,
    }))
}
