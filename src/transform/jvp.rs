//! Forward mode: the JVP of a graph, equation by equation, with symbolic
//! zero tangents (`None`) so that values without a tangent cost nothing.

use super::TRANSFORMS;
pub use crate::ir::transforms::Jvp;
use crate::ir::Builder;
use crate::ir::RuleResult;
use crate::ir::{fresh_var, Atom, Graph, VarId};
use std::collections::HashMap;

/// Differentiates `g` in forward mode with respect to the inputs marked in
/// `nonzero` (inputs of integer or bool dtype never have tangents).
pub fn jvp_graph(g: &Graph, nonzero: &[bool]) -> RuleResult<Jvp> {
    let mut b = Builder::new(&TRANSFORMS);
    let mut tangents: HashMap<VarId, Atom> = HashMap::new();
    let mut inputs = g.inputs.clone();
    for (v, &nz) in g.inputs.iter().zip(nonzero) {
        if nz && v.ty.dtype.is_inexact() {
            let t = fresh_var(v.ty.clone());
            tangents.insert(v.id, Atom::Var(t.clone()));
            inputs.push(t);
        }
    }
    let tangent_of = |tangents: &HashMap<VarId, Atom>, a: &Atom| match a {
        Atom::Var(v) => tangents.get(&v.id).cloned(),
        Atom::Const(_) => None,
    };
    // Primal outputs that a rule's own equations replaced.
    let mut renamed: HashMap<VarId, Atom> = HashMap::new();
    let rename = |renamed: &HashMap<VarId, Atom>, a: &Atom| match a {
        Atom::Var(v) => renamed.get(&v.id).cloned().unwrap_or_else(|| a.clone()),
        Atom::Const(_) => a.clone(),
    };
    for eqn in &g.eqns {
        // Tangents are keyed by the original variables.
        let ts: Vec<Option<Atom>> = eqn
            .inputs
            .iter()
            .map(|a| tangent_of(&tangents, a))
            .collect();
        let mut eqn = eqn.clone();
        eqn.inputs = eqn.inputs.iter().map(|a| rename(&renamed, a)).collect();
        if ts.iter().all(Option::is_none) {
            b.eqns.push(eqn);
            continue;
        }
        let copied = b.eqns.len();
        b.eqns.push(eqn.clone());
        let outs: Vec<Atom> = eqn.outputs.iter().cloned().map(Atom::Var).collect();
        let out_ts = eqn
            .prim
            .jvp(&mut b, &eqn.inputs, &outs, &ts)
            .map_err(|e| e.context(format_args!("jvp of {}", eqn.prim.name())))?;
        if let Some(primals) = b.primals.take() {
            // The rule computed the primals too: drop the original equation.
            b.eqns.remove(copied);
            for (o, p) in eqn.outputs.iter().zip(primals) {
                renamed.insert(o.id, p);
            }
        }
        for (o, t) in eqn.outputs.iter().zip(out_ts) {
            match t {
                Some(t) if o.ty.dtype.is_inexact() => {
                    if t.ty() != o.ty {
                        return Err(format!(
                            "jvp of {}: tangent {} for an output of type {}",
                            eqn.prim.name(),
                            t.ty(),
                            o.ty
                        )
                        .into());
                    }
                    tangents.insert(o.id, t);
                }
                _ => {}
            }
        }
    }
    let mut outputs: Vec<Atom> = g.outputs.iter().map(|a| rename(&renamed, a)).collect();
    let mut out_nonzero = vec![];
    for o in &g.outputs {
        let t = tangent_of(&tangents, o);
        out_nonzero.push(t.is_some());
        outputs.extend(t);
    }
    Ok(Jvp {
        graph: Graph {
            inputs,
            eqns: b.eqns,
            outputs,
        },
        out_nonzero,
    })
}

pub use crate::prims::build::tangent_or_zero;
