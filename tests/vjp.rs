//! The table-driven check of reverse mode against forward mode: for every
//! sample of every primitive (`nest::prims::samples`, widened to f64 and
//! c128), the pullback from linearization and transposition satisfies the
//! dot-product identity with the JVP, `⟨vjp(ct), t⟩ = ⟨ct, jvp(t)⟩` for
//! `⟨a, b⟩ = Re Σ a·b` (JAX's convention: transposition, no conjugate),
//! with random complex tangents and cotangents for complex values, on both
//! backends.
//! A differentiable primitive without a checked sample fails the test, so a
//! new primitive cannot escape it.

mod common;

use common::{axpy, backends, dot, finite, random_like, run_on, scaled};
use nest::backend::Backend;
use nest::ir::verify::verify;
use nest::ir::{fresh_var, Atom, Graph, Var};
use nest::prims::build::Build;
use nest::prims::samples::{samples, variant_name, VARIANT_NAMES};
use nest::tensor::Tensor;
use nest::transform::evaluable::evaluable;
use nest::transform::jvp::jvp_graph;
use nest::transform::linearize::linearize;
use nest::transform::transpose::transpose_graph;
use nest::transform::Builder;
use nest::types::DType;
use std::collections::BTreeSet;

/// Variants with no derivative to check (integer, bool or bit results).
const NON_DIFFERENTIABLE: &[&str] = &[
    ONLY_TRANSPOSED,
    "compare",
    "arg_reduce",
    "bitcast_convert",
    "iota",
    "threefry2x32",
];

/// Only ever transposed (`tests/transpose.rs` checks that), never linearized.
const ONLY_TRANSPOSED: &str = "custom_vjp_lin";

/// One graph `(x, t, ct) -> (jvp(x; t), vjp(x; ct))`: the JVP's tangents
/// of the f64 outputs, then the cotangents of the differentiated inputs.
fn both_modes(g: &Graph, nonzero: &[bool]) -> Result<Graph, String> {
    let jvp = jvp_graph(g, nonzero)?;
    let lin = linearize(g, nonzero).map_err(|d| d.message)?;
    let n_t = lin.linear.inputs.len() - lin.n_residuals;
    let lin_flags: Vec<bool> = (0..lin.linear.inputs.len())
        .map(|i| i >= lin.n_residuals)
        .collect();
    let pullback = transpose_graph(&lin.linear, &lin_flags)?;
    let fresh = |ts: Vec<_>| -> Vec<Var> { ts.into_iter().map(fresh_var).collect() };
    let xs = fresh(g.input_types());
    let ts = fresh(
        (g.inputs.iter().zip(nonzero))
            .filter(|(_, &nz)| nz)
            .map(|(v, _)| v.ty.clone())
            .collect(),
    );
    assert_eq!(ts.len(), n_t, "one tangent per differentiated input");
    let cts = fresh(g.output_types());
    let atoms = |vs: &[Var]| -> Vec<Atom> { vs.iter().cloned().map(Atom::Var).collect() };
    let mut b = Builder::default();
    let jouts = b.inline(&jvp.graph, &[atoms(&xs), atoms(&ts)].concat())?;
    let pouts = b.inline(&lin.primal, &atoms(&xs))?;
    let residuals = &pouts[lin.n_outputs..];
    let back = b.inline(&pullback, &[residuals.to_vec(), atoms(&cts)].concat())?;
    // Tangents of the outputs, zeros where the JVP gives none.
    let mut tangents = jouts[g.outputs.len()..].iter();
    let mut outputs = vec![];
    for (o, nz) in g.outputs.iter().zip(&jvp.out_nonzero) {
        outputs.push(match nz {
            true => tangents.next().cloned().ok_or("missing tangent")?,
            false => b.zeros(&o.ty())?,
        });
    }
    outputs.extend(back);
    let graph = Graph {
        inputs: [xs, ts, cts].concat(),
        eqns: b.eqns,
        outputs,
    };
    verify(&graph)?;
    Ok(graph)
}

/// Central differences of `g`'s outputs along the tangents of the inputs
/// marked `nonzero`.
fn finite_difference(
    g: &Graph,
    x: &[Tensor],
    nonzero: &[bool],
    ts: &[Tensor],
) -> Result<Vec<Tensor>, String> {
    let h = 1e-6;
    let shifted = |a: f64| -> Vec<Tensor> {
        let mut ts = ts.iter();
        (x.iter().zip(nonzero))
            .map(|(x, &nz)| match (nz, ts.next().filter(|_| nz)) {
                (true, Some(t)) => axpy(x, a, t),
                _ => x.clone(),
            })
            .collect()
    };
    let plus = run_on(&Backend::Interp, g, &shifted(h))?;
    let minus = run_on(&Backend::Interp, g, &shifted(-h))?;
    let quotient = |p: &Tensor, m: &Tensor| scaled(&axpy(p, -1.0, m), 1.0 / (2.0 * h));
    Ok(plus
        .iter()
        .zip(&minus)
        .map(|(p, m)| quotient(p, m))
        .collect())
}

/// Whether a value is differentiated: the double-precision inexact dtypes.
fn double(d: DType) -> bool {
    matches!(d, DType::F64 | DType::C128)
}

enum Outcome {
    Checked,
    Skipped,
}

fn check(
    backend: &Backend,
    g: &Graph,
    inputs: &[Tensor],
    seed: &mut u64,
) -> Result<Outcome, String> {
    let nonzero: Vec<bool> = inputs.iter().map(|t| double(t.dtype())).collect();
    if g.outputs.is_empty() && g.has_effects() {
        return check_print(backend, g, inputs, &nonzero);
    }
    let float_out = g.outputs.iter().any(|o| double(o.ty().dtype));
    if !nonzero.contains(&true) || !float_out {
        return Ok(Outcome::Skipped);
    }
    // A custom_vjp's JVP is its `bwd` transposed: checked against finite
    // differences instead, so that a wrong `bwd` fails.
    let both = evaluable(&both_modes(g, &nonzero)?)?;
    let reverse_only = matches!(g.eqns.first(), Some(e) if e.prim.name() == "custom_vjp");
    let ts: Vec<Tensor> = (inputs.iter().zip(&nonzero))
        .filter(|(_, &nz)| nz)
        .map(|(x, _)| random_like(x, seed))
        .collect();
    let primal = run_on(&Backend::Interp, g, inputs)?;
    // Cotangents only on double-precision outputs: the others have none.
    let cts: Vec<Tensor> = (primal.iter())
        .map(|o| match double(o.dtype()) {
            true => random_like(o, seed),
            false => Tensor::zeros(&o.ty()),
        })
        .collect();
    let args = [inputs.to_vec(), ts.clone(), cts.clone()].concat();
    let outs = run_on(backend, &both, &args)?;
    let (jt, back) = outs.split_at(g.outputs.len());
    let fd;
    let jt = match reverse_only {
        true => {
            fd = finite_difference(g, inputs, &nonzero, &ts)?;
            &fd[..]
        }
        false => jt,
    };
    let lhs: f64 = (cts.iter().zip(jt))
        .filter(|(c, _)| double(c.dtype()))
        .map(|(c, t)| dot(c, t))
        .sum();
    let rhs: f64 = back.iter().zip(&ts).map(|(b, t)| dot(b, t)).sum();
    if !lhs.is_finite() || !rhs.is_finite() {
        return Ok(Outcome::Skipped);
    }
    let scale = 1.0f64.max(lhs.abs()).max(rhs.abs());
    if (lhs - rhs).abs() > 1e-9 * scale {
        return Err(format!("<ct, jvp(t)> = {lhs} but <vjp(ct), t> = {rhs}"));
    }
    Ok(Outcome::Checked)
}

/// A print has no outputs, hence no cotangents: reverse mode prints the
/// primal values once, in the forward pass, and its linear part and
/// pullback print nothing.
fn check_print(
    backend: &Backend,
    g: &Graph,
    inputs: &[Tensor],
    nonzero: &[bool],
) -> Result<Outcome, String> {
    let lin = linearize(g, nonzero).map_err(|d| d.message)?;
    let flags: Vec<bool> = (0..lin.linear.inputs.len())
        .map(|i| i >= lin.n_residuals)
        .collect();
    let pullback = transpose_graph(&lin.linear, &flags)?;
    if lin.linear.has_effects() || pullback.has_effects() {
        return Err("the linear part or the pullback prints".into());
    }
    let printed = run_on(backend, &evaluable(g)?, inputs)?;
    let forward = run_on(backend, &evaluable(&lin.primal)?, inputs)?;
    let tail = forward
        .len()
        .checked_sub(printed.len())
        .ok_or("nothing printed")?;
    match !printed.is_empty() && forward[tail..] == printed[..] {
        true => Ok(Outcome::Checked),
        false => Err("the forward pass does not print the primal values".into()),
    }
}

#[test]
fn every_vjp_agrees_with_the_jvp() {
    for backend in backends() {
        let mut seed = 11;
        let mut checked = BTreeSet::new();
        let mut failures = vec![];
        for s in samples() {
            if variant_name(&s.prim) == ONLY_TRANSPOSED {
                continue;
            }
            let s = s.widened();
            let Ok(g) = s.graph() else { continue };
            let inputs: Vec<Tensor> = s.inputs.iter().map(|t| finite(t, &mut seed)).collect();
            match check(&backend, &g, &inputs, &mut seed) {
                Ok(Outcome::Checked) => {
                    checked.insert(variant_name(&s.prim));
                }
                Ok(Outcome::Skipped) => {}
                // A loop without a trip count is refused, as documented.
                Err(e) if e.contains("known only at run time") => {}
                Err(e) => failures.push(format!("{} ({}): {}", s.prim.name(), s.note, e)),
            }
        }
        assert!(
            failures.is_empty(),
            "{} on {}:\n{}",
            failures.len(),
            backend.name(),
            failures.join("\n")
        );
        let missing: Vec<&&str> = (VARIANT_NAMES.iter())
            .filter(|n| !checked.contains(**n) && !NON_DIFFERENTIABLE.contains(n))
            .collect();
        assert!(
            missing.is_empty(),
            "no checked sample on {}: {missing:?}",
            backend.name()
        );
    }
}
