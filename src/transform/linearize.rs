//! Linearization: a JVP graph split by partial evaluation into the primal
//! computation (known from the primals) and the tangent computation (linear in
//! the tangents), which `transpose` then turns around for reverse mode.

use super::jvp::jvp_graph;
use crate::ir::{Atom, Graph, Var, VarId};
use std::collections::HashSet;

/// `primal`: primal inputs → (primal outputs, residuals).
/// `linear`: (residuals, tangents of the `nonzero` inputs) → tangents of the
/// outputs, linear in the tangents (zeros materialized where none flows).
pub struct Linearized {
    pub primal: Graph,
    pub linear: Graph,
    pub n_residuals: usize,
    pub n_outputs: usize,
}

/// Linearizes `g` with respect to the inputs marked `nonzero`.
pub fn linearize(g: &Graph, nonzero: &[bool]) -> Result<Linearized, String> {
    let jvp = jvp_graph(g, nonzero)?;
    let j = &jvp.graph;
    let n_in = g.inputs.len();
    let n_out = g.outputs.len();
    // Tangent inputs, and everything computed from them, are unknown.
    let mut unknown: HashSet<VarId> = j.inputs[n_in..].iter().map(|v| v.id).collect();
    let is_unknown = |u: &HashSet<VarId>, a: &Atom| matches!(a, Atom::Var(v) if u.contains(&v.id));
    let (mut known_eqns, mut lin_eqns) = (vec![], vec![]);
    for e in &j.eqns {
        if e.inputs.iter().any(|a| is_unknown(&unknown, a)) {
            unknown.extend(e.outputs.iter().map(|v| v.id));
            lin_eqns.push(e.clone());
        } else {
            known_eqns.push(e.clone());
        }
    }
    // A loop or conditional carries primals and tangents together; splitting
    // it needs a loop that stores its carried values, which is not there yet.
    if let Some(e) = lin_eqns.iter().find(|e| !e.prim.regions().is_empty()) {
        return Err(format!(
            "transpose of {}: not supported in reverse mode yet",
            e.prim.name()
        ));
    }
    // Residuals: known variables the linear part reads.
    let mut residuals: Vec<Var> = vec![];
    let mut seen = HashSet::new();
    let mut note = |a: &Atom, residuals: &mut Vec<Var>| {
        if let Atom::Var(v) = a {
            if !unknown.contains(&v.id) && seen.insert(v.id) {
                residuals.push(v.clone());
            }
        }
    };
    for e in &lin_eqns {
        for a in &e.inputs {
            note(a, &mut residuals);
        }
    }
    let tangent_outs: Vec<Atom> = j.outputs[n_out..].to_vec();
    for a in &tangent_outs {
        note(a, &mut residuals);
    }
    let mut primal_outputs: Vec<Atom> = j.outputs[..n_out].to_vec();
    primal_outputs.extend(residuals.iter().cloned().map(Atom::Var));
    let primal = Graph {
        inputs: g.inputs.clone(),
        eqns: known_eqns,
        outputs: primal_outputs,
    };
    let mut linear_inputs = residuals.clone();
    linear_inputs.extend(j.inputs[n_in..].iter().cloned());
    let linear = Graph {
        inputs: linear_inputs,
        eqns: lin_eqns,
        outputs: tangent_outs,
    };
    let linear = fill_zero_tangents(linear, &jvp.out_nonzero, &g.output_types())?;
    Ok(Linearized {
        primal,
        linear,
        n_residuals: residuals.len(),
        n_outputs: n_out,
    })
}

/// Gives every output a tangent: zeros where the JVP had none.
fn fill_zero_tangents(
    mut linear: Graph,
    nonzero: &[bool],
    types: &[crate::types::TensorType],
) -> Result<Graph, String> {
    let mut b = super::Builder {
        eqns: std::mem::take(&mut linear.eqns),
        primals: None,
    };
    let mut given = linear.outputs.into_iter();
    let mut outputs = vec![];
    for (nz, ty) in nonzero.iter().zip(types) {
        let t = if *nz { given.next() } else { None };
        outputs.push(match t {
            Some(t) => t,
            None => b.zeros(ty)?,
        });
    }
    Ok(Graph {
        inputs: linear.inputs,
        eqns: b.eqns,
        outputs,
    })
}
