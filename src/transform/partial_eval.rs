//! Partial evaluation: a graph split, given which of its inputs are
//! unknown, into a *known* graph (everything computable from the known
//! inputs) and an *unknown* graph (the rest), joined by *residuals*: the
//! known values the unknown part reads.
//!
//! Linearization applies it to a JVP graph with the tangents unknown: the
//! known part is the primal computation, the unknown part is linear in the
//! tangents. An equation is known when all its inputs are; a loop or
//! conditional that mixes both is split in two by its primitive's rule
//! (`Prim::partial_eval`), which places one equation on each side.

use super::{pick, TRANSFORMS};
use crate::diag::Diagnostic;
pub use crate::ir::transforms::{Split, Staged};
use crate::ir::{Atom, Eqn, Graph, Var, VarId};
use std::collections::{HashMap, HashSet};

/// Splits `g` given its unknown inputs. Outputs marked in `force_unknown`
/// are given by the unknown graph even if they are known (they then pass
/// through as residuals).
pub fn partial_eval(
    g: &Graph,
    in_unknown: &[bool],
    force_unknown: &[bool],
) -> Result<Split, Diagnostic> {
    let staged = stage(g, in_unknown)?;
    let unknown = &staged.unknown_vars;
    let out_unknown: Vec<bool> = (g.outputs.iter().enumerate())
        .map(|(i, a)| is_in(unknown, a) || force_unknown.get(i) == Some(&true))
        .collect();
    let residuals = residuals(&staged.unknown, g, &out_unknown, unknown);
    let input_pos: HashMap<VarId, usize> = g
        .inputs
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id, i))
        .collect();
    let residual_inputs = residuals
        .iter()
        .map(|v| input_pos.get(&v.id).copied())
        .collect();
    let mut known_outputs = pick(&g.outputs, &out_unknown, false);
    known_outputs.extend(residuals.iter().cloned().map(Atom::Var));
    Ok(Split {
        known: Graph {
            inputs: pick(&g.inputs, in_unknown, false),
            eqns: staged.known,
            outputs: known_outputs,
        },
        unknown: Graph {
            inputs: [residuals, pick(&g.inputs, in_unknown, true)].concat(),
            eqns: staged.unknown,
            outputs: pick(&g.outputs, &out_unknown, true),
        },
        out_unknown,
        residual_inputs,
    })
}

/// A graph's equations sorted onto the two sides, and the unknown variables.
struct Sides {
    known: Vec<Eqn>,
    unknown: Vec<Eqn>,
    unknown_vars: HashSet<VarId>,
}

/// Puts each equation on its side: known when all its inputs are, else
/// unknown, or split by its primitive's rule when it has one.
fn stage(g: &Graph, in_unknown: &[bool]) -> Result<Sides, Diagnostic> {
    let mut unknown_vars: HashSet<VarId> = (g.inputs.iter().zip(in_unknown))
        .filter(|(_, &u)| u)
        .map(|(v, _)| v.id)
        .collect();
    let (mut known, mut unknown) = (vec![], vec![]);
    for eqn in &g.eqns {
        let unk: Vec<bool> = eqn.inputs.iter().map(|a| is_in(&unknown_vars, a)).collect();
        if !unk.contains(&true) {
            known.push(eqn.clone());
            continue;
        }
        let staged = eqn
            .prim
            .partial_eval(&TRANSFORMS, eqn, &unk)?
            .unwrap_or_else(|| Staged {
                known: vec![],
                unknown: vec![eqn.clone()],
                out_unknown: vec![true; eqn.outputs.len()],
            });
        for (v, &u) in eqn.outputs.iter().zip(&staged.out_unknown) {
            if u {
                unknown_vars.insert(v.id);
            }
        }
        known.extend(staged.known);
        unknown.extend(staged.unknown);
    }
    Ok(Sides {
        known,
        unknown,
        unknown_vars,
    })
}

fn is_in(set: &HashSet<VarId>, a: &Atom) -> bool {
    matches!(a, Atom::Var(v) if set.contains(&v.id))
}

/// The known variables the unknown side reads (its equations' inputs and
/// its outputs), each once, in order of first use.
fn residuals(
    unknown_eqns: &[Eqn],
    g: &Graph,
    out_unknown: &[bool],
    unknown: &HashSet<VarId>,
) -> Vec<Var> {
    let uses = unknown_eqns.iter().flat_map(|e| e.inputs.iter());
    let outs = (g.outputs.iter().zip(out_unknown))
        .filter(|(_, &u)| u)
        .map(|(a, _)| a);
    let mut seen = HashSet::new();
    uses.chain(outs)
        .filter_map(Atom::as_var)
        .filter(|v| !unknown.contains(&v.id) && seen.insert(v.id))
        .cloned()
        .collect()
}
