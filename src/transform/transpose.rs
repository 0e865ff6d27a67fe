//! Transposition of linear graphs: the reverse-mode half of `vjp`, as in
//! JAX's linearize-then-transpose design. Each primitive that can appear
//! linearly has a transpose rule (`Prim::transpose`); this file knows none.

use super::TRANSFORMS;
use crate::ir::Builder;
use crate::ir::RuleResult;
use crate::ir::{fresh_var, Atom, Graph, VarId};
use crate::prims::build::Build;
use std::collections::{HashMap, HashSet};

/// Transposes `g`, which must be linear in the inputs marked `linear`.
/// The result takes the other inputs, then one cotangent per output of `g`,
/// and returns one cotangent per linear input (zeros where none flows).
pub fn transpose_graph(g: &Graph, linear: &[bool]) -> RuleResult<Graph> {
    let mut b = Builder::new(&TRANSFORMS);
    let mut lin: HashSet<VarId> = HashSet::new();
    let mut inputs = vec![];
    for (v, &l) in g.inputs.iter().zip(linear) {
        if l {
            lin.insert(v.id);
        } else {
            inputs.push(v.clone());
        }
    }
    let is_lin = |lin: &HashSet<VarId>, a: &Atom| matches!(a, Atom::Var(v) if lin.contains(&v.id));
    // Forward: equations on non-linear values only are copied (they compute
    // what the transposed equations need); the others are transposed below.
    let mut linear_eqns = vec![];
    for eqn in &g.eqns {
        if eqn.inputs.iter().any(|a| is_lin(&lin, a)) {
            lin.extend(eqn.outputs.iter().map(|v| v.id));
            linear_eqns.push(eqn);
        } else {
            b.eqns.push(eqn.clone());
        }
    }
    let mut cts: HashMap<VarId, Atom> = HashMap::new();
    for o in &g.outputs {
        let ct = fresh_var(o.ty());
        inputs.push(ct.clone());
        if let Atom::Var(v) = o {
            if lin.contains(&v.id) {
                accumulate(&mut b, &mut cts, v.id, Atom::Var(ct))?;
            }
        }
    }
    // Backward: each linear equation turns its outputs' cotangents into its
    // linear inputs' cotangents.
    for eqn in linear_eqns.iter().rev() {
        let out_cts: Vec<Option<Atom>> = eqn.outputs.iter().map(|v| cts.remove(&v.id)).collect();
        // A print of a linear value is an error here rather than dropped.
        if out_cts.iter().all(Option::is_none) && !eqn.prim.has_effect() {
            continue;
        }
        let flags: Vec<bool> = eqn.inputs.iter().map(|a| is_lin(&lin, a)).collect();
        let in_cts = eqn
            .prim
            .transpose(&mut b, &eqn.inputs, &flags, &out_cts)
            .map_err(|e| e.context(format_args!("transpose of {}", eqn.prim.name())))?;
        for ((a, &l), ct) in eqn.inputs.iter().zip(&flags).zip(in_cts) {
            if let (Atom::Var(v), true, Some(ct)) = (a, l, ct) {
                if ct.ty() != v.ty {
                    return Err(format!(
                        "transpose of {}: cotangent {} for an input of type {}",
                        eqn.prim.name(),
                        ct.ty(),
                        v.ty
                    )
                    .into());
                }
                accumulate(&mut b, &mut cts, v.id, ct)?;
            }
        }
    }
    let mut outputs = vec![];
    for (v, &l) in g.inputs.iter().zip(linear) {
        if l {
            outputs.push(match cts.remove(&v.id) {
                Some(ct) => ct,
                None => b.zeros(&v.ty)?,
            });
        }
    }
    Ok(Graph {
        inputs,
        eqns: b.eqns,
        outputs,
    })
}

/// Adds a cotangent contribution to a variable's total.
fn accumulate(
    b: &mut Builder,
    cts: &mut HashMap<VarId, Atom>,
    id: VarId,
    ct: Atom,
) -> RuleResult<()> {
    let total = match cts.remove(&id) {
        Some(prev) => b.add(&prev, &ct)?,
        None => ct,
    };
    cts.insert(id, total);
    Ok(())
}
