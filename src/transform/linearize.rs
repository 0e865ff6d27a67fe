//! Linearization: a JVP graph split by partial evaluation into the primal
//! computation (known from the primals) and the tangent computation (linear in
//! the tangents), which `transpose` then turns around for reverse mode.

use super::jvp::jvp_graph;
use super::partial_eval::partial_eval;
use crate::diag::Diagnostic;
use crate::ir::simplify::simplify;
use crate::ir::{Graph, RuleResult};
use crate::prims::build::Build;

/// `primal`: primal inputs → (primal outputs, residuals).
/// `linear`: (residuals, tangents of the `nonzero` inputs) → tangents of the
/// outputs, linear in the tangents (zeros materialized where none flows).
pub struct Linearized {
    pub primal: Graph,
    pub linear: Graph,
    pub n_residuals: usize,
    pub n_outputs: usize,
}

/// Linearizes `g` with respect to the inputs marked `nonzero`: its JVP,
/// partially evaluated with the tangents unknown.
pub fn linearize(g: &Graph, nonzero: &[bool]) -> Result<Linearized, Diagnostic> {
    let jvp = jvp_graph(g, nonzero).map_err(Diagnostic::from)?;
    let j = simplify(&jvp.graph);
    let n_in = g.inputs.len();
    let n_out = g.outputs.len();
    let in_unknown: Vec<bool> = (0..j.inputs.len()).map(|i| i >= n_in).collect();
    let force: Vec<bool> = (0..j.outputs.len()).map(|i| i >= n_out).collect();
    let split = partial_eval(&j, &in_unknown, &force)?;
    if split.out_unknown[..n_out].contains(&true) {
        return Err(Diagnostic::internal(
            "a primal result depends on the tangents",
        ));
    }
    let n_residuals = split.residual_inputs.len();
    let linear = fill_zero_tangents(split.unknown, &jvp.out_nonzero, &g.output_types())
        .map_err(Diagnostic::from)?;
    Ok(Linearized {
        primal: split.known,
        linear,
        n_residuals,
        n_outputs: n_out,
    })
}

/// Gives every output a tangent: zeros where the JVP had none.
fn fill_zero_tangents(
    mut linear: Graph,
    nonzero: &[bool],
    types: &[crate::types::TensorType],
) -> RuleResult<Graph> {
    let mut b = super::Builder::with_eqns(&super::TRANSFORMS, std::mem::take(&mut linear.eqns));
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
