//! `implicit_solve(F, x0, theta, solve, linear)` (LANGUAGE.md §8): the root
//! `x = solve(x0, theta)` of `F(x, theta) = 0`, differentiated by the
//! implicit function theorem instead of through `solve`.
//!
//! With `A = ∂F/∂x` at the root, a change `dθ` of the parameters moves the
//! root by `dx = −A⁻¹·(∂F/∂θ·dθ)`. The call becomes one `custom_jvp`
//! equation: its primal runs `solve`; its JVP runs `solve`, takes the JVP
//! of `F` in the parameters at the root, and solves with a `linear_solve`
//! whose map `u ↦ ∂F/∂x·u` is a JVP of `F` (so a Hessian-vector product when
//! `F` is a gradient) and whose solvers are `linear` traced on that map and
//! on its transpose. Reverse mode transposes that JVP, so the hypergradient
//! costs one solve with `Aᵀ`; `solve` itself is never differentiated.
//!
//! "Parameters" are `theta` and every value of an enclosing trace that `F`
//! reads. The unknowns are passed to `linear` as one flat vector (all
//! leaves of `x`, raveled and joined in the widest float dtype among them),
//! so a solver only ever handles vectors.

use super::exec::Evaluator;
use super::ops;
use super::tree::{flatten, same_structure, unflatten, TreeDef};
use super::value::{Arr, Func, Value};
use crate::diag::{Diagnostic, Result};
use crate::ir::{fresh_var, Atom, Graph, Var};
use crate::prims::control::spread;
use crate::prims::Prim;
use crate::span::Span;
use crate::transform::jvp::jvp_graph;
use crate::transform::transpose::transpose_graph;
use crate::transform::Builder;
use crate::types::{DType, TensorType};
use std::rc::Rc;

type R<T> = std::result::Result<T, String>;

/// The pieces of one `implicit_solve` call, as graphs.
struct Pieces {
    /// `solve`: (its captures, x0 leaves, θ leaves) → x leaves.
    solve: Graph,
    /// `F`: (its captures, x leaves, θ leaves) → F leaves.
    f: Graph,
    n_solve_caps: usize,
    n_f_caps: usize,
    x_types: Vec<TensorType>,
    theta_types: Vec<TensorType>,
}

impl Evaluator {
    /// `implicit_solve(F, x0, theta, solve, linear)`.
    pub fn implicit_solve_value(
        &mut self,
        [f, x0, theta, solve, linear]: [&Value; 5],
        span: Span,
    ) -> Result<Value> {
        let (x_leaves, x_def) = flatten(x0);
        let (theta_leaves, _) = flatten(theta);
        let x_types: Vec<TensorType> = x_leaves.iter().map(|a| ops::materialize(a).ty()).collect();
        if let Some(t) = x_types.iter().find(|t| !t.dtype.is_float()) {
            return Err(Diagnostic::at(
                span,
                format!("`implicit_solve` needs real float unknowns, got {}", t),
            ));
        }
        let solved = self.trace_closed(solve, &[x0.clone(), theta.clone()], span)?;
        check_like_x(
            &solved.output,
            &solved.graph,
            &x_def,
            &x_types,
            "`solve`",
            span,
        )?;
        let with_f = self.trace_closed(f, &[x0.clone(), theta.clone()], span)?;
        check_like_x(&with_f.output, &with_f.graph, &x_def, &x_types, "`F`", span)?;
        let pieces = Pieces {
            n_solve_caps: solved.consts.len(),
            n_f_caps: with_f.consts.len(),
            solve: solved.graph,
            f: with_f.graph,
            theta_types: theta_leaves
                .iter()
                .map(|a| ops::materialize(a).ty())
                .collect(),
            x_types,
        };
        let lin = self.linear_solvers(&pieces, linear, span)?;
        let (primal, jvp) =
            custom_graphs(&pieces, &lin).map_err(|m| Diagnostic::at(span, m).with_hint(BUG))?;
        // One equation over: solve's captures, F's captures, the linear
        // solvers' captures, x0, θ.
        let mut inputs = solved.consts;
        inputs.extend(with_f.consts);
        inputs.extend(lin.caps.clone());
        inputs.extend(x_leaves.iter().map(ops::materialize));
        inputs.extend(theta_leaves.iter().map(ops::materialize));
        let graph = one_equation(
            Prim::CustomJvp {
                primal: Box::new(primal),
                jvp: Box::new(jvp),
            },
            &inputs,
        )
        .map_err(|m| Diagnostic::at(span, m))?;
        let outs = (self.tracer)
            .call_graph("implicit_solve", &graph, &inputs)
            .map_err(|m| Diagnostic::at(span, m))?;
        unflatten(&x_def, &mut outs.into_iter())
    }

    /// `linear` traced on the map `u ↦ ∂F/∂x·u` and on its transpose.
    fn linear_solvers(&mut self, p: &Pieces, linear: &Value, span: Span) -> Result<Solvers> {
        let matvec = matvec_graph(p).map_err(|m| Diagnostic::at(span, m).with_hint(BUG))?;
        let n = matvec.inputs.len() - 1;
        let flags: Vec<bool> = (0..=n).map(|i| i == n).collect();
        let transposed = transpose_graph(&matvec, &flags).map_err(|m| Diagnostic::at(span, m))?;
        let (solve, caps_a) = self.trace_solver(linear, &matvec, span)?;
        let (transpose_solve, caps_t) = self.trace_solver(linear, &transposed, span)?;
        Ok(Solvers {
            matvec,
            solve,
            transpose_solve,
            n_caps: [caps_a.len(), caps_t.len()],
            caps: [caps_a, caps_t].concat(),
        })
    }

    /// `linear(matvec, b)` traced into a graph over (its captures, the
    /// map's constants, b); `matvec` applies the map with those constants.
    fn trace_solver(
        &mut self,
        linear: &Value,
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
                output: TreeDef::Arr,
            }));
            let b = Value::Arr(ins[n].clone());
            let x = ev.call(linear, vec![(matvec, span), (b, span)], vec![], span)?;
            match x {
                Value::Arr(x) if x.ty() == vector => Ok(vec![ops::materialize(&x)]),
                other => Err(Diagnostic::at(
                    span,
                    format!(
                        "the linear solver must return a vector {}, like its right-hand side; got {}",
                        vector,
                        other.describe()
                    ),
                )),
            }
        })
    }
}

const BUG: &str = "this is a bug in nest; please report it with the program that triggers it";

/// The linear solvers of one call and the values of enclosing traces they use.
struct Solvers {
    /// (F's captures, x, θ, u) → ∂F/∂x·u, all flat.
    matvec: Graph,
    /// (their captures, F's captures, x, θ, b) → x, for the map and its transpose.
    solve: Graph,
    transpose_solve: Graph,
    n_caps: [usize; 2],
    caps: Vec<Arr>,
}

/// Checks that a traced function's result has the structure and types of `x`.
fn check_like_x(
    def: &TreeDef,
    g: &Graph,
    x_def: &TreeDef,
    x_types: &[TensorType],
    what: &str,
    span: Span,
) -> Result<()> {
    let types = g.output_types();
    if same_structure(def, x_def) && types == x_types {
        return Ok(());
    }
    let list = |ts: &[TensorType]| {
        ts.iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(Diagnostic::at(
        span,
        format!(
            "{} must return a value like `x0` ({}), got ({})",
            what,
            list(x_types),
            list(&types)
        ),
    )
    .with_hint(
        "`F(x, theta)` has one equation per unknown, and `solve(x0, theta)` returns the root",
    ))
}

/// A graph applying one primitive to inputs of the given values' types.
fn one_equation(prim: Prim, inputs: &[Arr]) -> R<Graph> {
    let vars: Vec<Var> = inputs.iter().map(|a| fresh_var(a.ty())).collect();
    let mut b = Builder::default();
    let atoms: Vec<Atom> = vars.iter().cloned().map(Atom::Var).collect();
    let outputs = b.apply(prim, &atoms)?;
    Ok(Graph {
        inputs: vars,
        eqns: b.eqns,
        outputs,
    })
}

/// The dtype of the flat vector of unknowns: the widest among the leaves.
fn flat_dtype(types: &[TensorType]) -> DType {
    match types.iter().any(|t| t.dtype == DType::F64) {
        true => DType::F64,
        false => DType::F32,
    }
}

/// All leaves raveled and joined into one vector.
fn ravel(b: &mut Builder, leaves: &[Atom], dtype: DType) -> R<Atom> {
    let mut parts = vec![];
    for a in leaves {
        let a = b.convert(a, dtype)?;
        parts.push(b.reshape(&a, &[a.ty().size()])?);
    }
    match parts.len() {
        1 => Ok(parts.remove(0)),
        _ => b.apply1(Prim::Concat { axis: 0 }, &parts),
    }
}

/// A vector cut back into leaves of the given types.
fn unravel(b: &mut Builder, v: &Atom, types: &[TensorType]) -> R<Vec<Atom>> {
    let mut out = vec![];
    let mut start = 0;
    for t in types {
        let n = t.size();
        let piece = match types.len() {
            1 => v.clone(),
            _ => b.apply1(
                Prim::Slice {
                    start: vec![start],
                    limit: vec![start + n],
                    stride: vec![1],
                },
                std::slice::from_ref(v),
            )?,
        };
        let piece = b.reshape(&piece, &t.shape)?;
        out.push(b.convert(&piece, t.dtype)?);
        start += n;
    }
    Ok(out)
}

/// Fresh variables of the given types, and their atoms.
fn fresh(types: &[TensorType]) -> (Vec<Var>, Vec<Atom>) {
    let vars: Vec<Var> = types.iter().cloned().map(fresh_var).collect();
    let atoms = vars.iter().cloned().map(Atom::Var).collect();
    (vars, atoms)
}

/// The map `u ↦ ∂F/∂x·u` over (F's captures, x leaves, θ leaves, u flat).
fn matvec_graph(p: &Pieces) -> R<Graph> {
    let f_in = p.f.input_types();
    let (nf, nx) = (p.n_f_caps, p.x_types.len());
    let dtype = flat_dtype(&p.x_types);
    let n: usize = p.x_types.iter().map(|t| t.size()).sum();
    let (vars, atoms) = fresh(&[f_in.clone(), vec![TensorType::new(dtype, vec![n])]].concat());
    let nonzero: Vec<bool> = (0..f_in.len()).map(|i| i >= nf && i < nf + nx).collect();
    let j = jvp_graph(&p.f, &nonzero)?;
    let mut b = Builder::default();
    let u = unravel(&mut b, &atoms[f_in.len()], &p.x_types)?;
    let outs = b.inline(&j.graph, &[&atoms[..f_in.len()], u.as_slice()].concat())?;
    let tangents = tangents_or_zeros(&mut b, &outs, &j.out_nonzero)?;
    let au = ravel(&mut b, &tangents, dtype)?;
    Ok(Graph {
        inputs: vars,
        eqns: b.eqns,
        outputs: vec![au],
    })
}

/// The tangents of a JVP graph's outputs (zeros where it has none), from
/// its results: the primal outputs, then the nonzero tangents.
fn tangents_or_zeros(b: &mut Builder, results: &[Atom], nonzero: &[bool]) -> R<Vec<Atom>> {
    let (primal, ts) = results.split_at(nonzero.len());
    let mut ts = ts.iter();
    let mut out = vec![];
    for (p, &nz) in primal.iter().zip(nonzero) {
        out.push(match nz {
            true => ts.next().cloned().ok_or("a JVP lost a tangent")?,
            false => b.zeros(&p.ty())?,
        });
    }
    Ok(out)
}

/// The `custom_jvp`'s graphs over (solve's captures, F's captures, the
/// solvers' captures, x0, θ): the primal runs `solve`; the JVP also gives
/// `dx = A⁻¹·(−∂F/∂p·dp)` for the parameters `p` (F's captures and θ).
fn custom_graphs(p: &Pieces, lin: &Solvers) -> R<(Graph, Graph)> {
    let (ns, nf, nl) = (p.n_solve_caps, p.n_f_caps, lin.caps.len());
    let solve_in = p.solve.input_types();
    let f_caps = &p.f.input_types()[..nf];
    let lin_caps: Vec<TensorType> = lin.solve.input_types()[..lin.n_caps[0]]
        .iter()
        .chain(&lin.transpose_solve.input_types()[..lin.n_caps[1]])
        .cloned()
        .collect();
    let in_types = [
        &solve_in[..ns],
        f_caps,
        &lin_caps,
        &p.x_types,
        &p.theta_types,
    ]
    .concat();
    let float_types: Vec<TensorType> = in_types
        .iter()
        .filter(|t| t.dtype.is_inexact())
        .cloned()
        .collect();
    // Primal: run solve.
    let (vars, atoms) = fresh(&in_types);
    let split = Split::new(&atoms, [ns, nf, nl, p.x_types.len()]);
    let mut b = Builder::default();
    let x = b.inline(
        &p.solve,
        &[split.solve_caps, split.x0, split.theta].concat(),
    )?;
    let primal = Graph {
        inputs: vars,
        eqns: std::mem::take(&mut b.eqns),
        outputs: x,
    };
    // JVP: run solve, then solve for the tangent.
    let (vars, atoms) = fresh(&[in_types.clone(), float_types].concat());
    let (values, tangent_atoms) = atoms.split_at(in_types.len());
    let floats: Vec<bool> = in_types.iter().map(|t| t.dtype.is_inexact()).collect();
    let tangents = spread(tangent_atoms, &floats);
    let split = Split::new(values, [ns, nf, nl, p.x_types.len()]);
    let t_split = Split::new(&tangents, [ns, nf, nl, p.x_types.len()]);
    let x = b.inline(
        &p.solve,
        &[
            split.solve_caps.clone(),
            split.x0.clone(),
            split.theta.clone(),
        ]
        .concat(),
    )?;
    let dx = tangent_of_root(&mut b, p, lin, &split, &t_split, &x)?;
    let jvp = Graph {
        inputs: vars,
        eqns: b.eqns,
        outputs: [x, dx].concat(),
    };
    Ok((primal, jvp))
}

/// `values` cut into: solve's captures, F's captures, the solvers'
/// captures, x0, θ.
struct Split<T> {
    solve_caps: Vec<T>,
    f_caps: Vec<T>,
    lin_caps: Vec<T>,
    x0: Vec<T>,
    theta: Vec<T>,
}

impl<T: Clone> Split<T> {
    fn new(values: &[T], [ns, nf, nl, nx]: [usize; 4]) -> Split<T> {
        let (solve_caps, rest) = values.split_at(ns);
        let (f_caps, rest) = rest.split_at(nf);
        let (lin_caps, rest) = rest.split_at(nl);
        let (x0, theta) = rest.split_at(nx);
        Split {
            solve_caps: solve_caps.to_vec(),
            f_caps: f_caps.to_vec(),
            lin_caps: lin_caps.to_vec(),
            x0: x0.to_vec(),
            theta: theta.to_vec(),
        }
    }
}


/// `dx = A⁻¹·(−∂F/∂p·dp)` at the root `x`, by `linear_solve`.
fn tangent_of_root(
    b: &mut Builder,
    p: &Pieces,
    lin: &Solvers,
    v: &Split<Atom>,
    t: &Split<Option<Atom>>,
    x: &[Atom],
) -> R<Vec<Atom>> {
    let dtype = flat_dtype(&p.x_types);
    // ∂F/∂p·dp: the JVP of F in its captures and θ, with x held at the root.
    let param_ts: Vec<Option<Atom>> = (t.f_caps.iter().cloned())
        .chain(p.x_types.iter().map(|_| None))
        .chain(t.theta.iter().cloned())
        .collect();
    let nonzero: Vec<bool> = param_ts.iter().map(Option::is_some).collect();
    let j = jvp_graph(&p.f, &nonzero)?;
    let mut args = [v.f_caps.clone(), x.to_vec(), v.theta.clone()].concat();
    args.extend(param_ts.into_iter().flatten());
    let outs = b.inline(&j.graph, &args)?;
    let df = tangents_or_zeros(b, &outs, &j.out_nonzero)?;
    let df = ravel(b, &df, dtype)?;
    let rhs = b.neg(&df)?;
    // The solve's constants: the solvers' captures, then the map's (F's captures, x, θ).
    let mut consts = v.lin_caps.clone();
    consts.extend(v.f_caps.iter().cloned());
    consts.extend(x.iter().cloned());
    consts.extend(v.theta.iter().cloned());
    let prim = linear_solve_prim(lin)?;
    let mut operands = consts;
    operands.push(rhs);
    let dx = b.apply1(prim, &operands)?;
    unravel(b, &dx, &p.x_types)
}

/// The `linear_solve` over (solvers' captures, F's captures, x, θ, b):
/// every graph takes all of them, ignoring what it does not use.
fn linear_solve_prim(lin: &Solvers) -> R<Prim> {
    let [na, nt] = lin.n_caps;
    let caps_a = lin.solve.input_types()[..na].to_vec();
    let caps_t = lin.transpose_solve.input_types()[..nt].to_vec();
    let shared = lin.matvec.input_types();
    let widen = |g: &Graph, keep: std::ops::Range<usize>| -> Graph {
        // Inputs: caps_a, caps_t, shared; `g` reads its own captures at `keep`.
        let (vars, _) = fresh(&[caps_a.clone(), caps_t.clone()].concat());
        let own = g.inputs.len() - shared.len();
        let mut inputs = vars;
        for (i, v) in g.inputs[..own].iter().enumerate() {
            inputs[keep.start + i] = v.clone();
        }
        inputs.extend(g.inputs[own..].iter().cloned());
        Graph {
            inputs,
            eqns: g.eqns.clone(),
            outputs: g.outputs.clone(),
        }
    };
    Ok(Prim::LinearSolve {
        matvec: Box::new(widen(&lin.matvec, 0..0)),
        solve: Box::new(widen(&lin.solve, 0..na)),
        transpose_solve: Box::new(widen(&lin.transpose_solve, na..na + nt)),
        n_consts: na + nt + shared.len() - 1,
    }
    .map_regions(Graph::fresh_copy))
}
