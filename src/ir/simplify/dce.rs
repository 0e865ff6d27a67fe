//! Dead-code elimination.
//!
//! An equation none of whose outputs is used is removed (every primitive is
//! pure; a `while` whose results are unused is removed even if it would not
//! terminate), unless it has an effect: a `print`, or a region holding one,
//! stays, with the values it prints (a loop keeps the carries its prints read). Inside a kept equation:
//! * a region's unused equations are removed;
//! * (each primitive's [`Primitive::prune`](crate::ir::Primitive::prune) rule) a `while` drops the loop-invariant inputs that neither region uses,
//!   and the carries that are needed neither by the condition, nor as a used
//!   result, nor to update a needed carry (so the trip count is unchanged);
//! * a `cond` drops the results that are unused and the operands that no
//!   branch uses.

use crate::ir::{Atom, Eqn, Graph, VarId};
use std::collections::HashSet;

/// Removes dead equations from `graph` and its regions; sets `changed` if
/// it removed anything.
pub fn dce_graph(graph: &Graph, changed: &mut bool) -> Graph {
    let mut live: HashSet<VarId> = graph.outputs.iter().filter_map(var_id).collect();
    let mut kept = Vec::with_capacity(graph.eqns.len());
    for eqn in graph.eqns.iter().rev() {
        if !eqn.outputs.iter().any(|v| live.contains(&v.id)) && !eqn.prim.has_effect() {
            *changed = true;
            continue;
        }
        let eqn = prune_eqn(eqn, &live, changed);
        live.extend(eqn.inputs.iter().filter_map(var_id));
        kept.push(eqn);
    }
    kept.reverse();
    Graph {
        inputs: graph.inputs.clone(),
        eqns: kept,
        outputs: graph.outputs.clone(),
    }
}

fn var_id(a: &Atom) -> Option<VarId> {
    a.as_var().map(|v| v.id)
}

/// The variables a graph's own equations and outputs use (regions are
/// closed, so their uses are their own).
pub fn used_vars(graph: &Graph) -> HashSet<VarId> {
    let eqn_uses = graph.eqns.iter().flat_map(|e| e.inputs.iter());
    eqn_uses
        .chain(graph.outputs.iter())
        .filter_map(var_id)
        .collect()
}

/// A kept equation with its regions cleaned and, for control flow, its
/// unneeded operands and results removed. `live` holds the variables used
/// after it.
fn prune_eqn(eqn: &Eqn, live: &HashSet<VarId>, changed: &mut bool) -> Eqn {
    let eqn = Eqn {
        prim: eqn.prim.map_regions(|r| dce_graph(r, changed)),
        inputs: eqn.inputs.clone(),
        outputs: eqn.outputs.clone(),
    };
    let prim = eqn.prim.clone();
    prim.prune(eqn, live, changed)
}

/// The variables of `graph` that `roots` and the equations with an effect
/// (a `print`) depend on, themselves included.
pub fn dependencies(graph: &Graph, roots: &[&Atom]) -> HashSet<VarId> {
    let mut deps: HashSet<VarId> = roots.iter().filter_map(|a| var_id(a)).collect();
    for eqn in graph.eqns.iter().rev() {
        if eqn.outputs.iter().any(|v| deps.contains(&v.id)) || eqn.prim.has_effect() {
            deps.extend(eqn.inputs.iter().filter_map(var_id));
        }
    }
    deps
}

/// The items whose flag is set.
pub fn select<T: Clone>(items: &[T], keep: &[bool]) -> Vec<T> {
    items
        .iter()
        .zip(keep)
        .filter(|(_, &k)| k)
        .map(|(x, _)| x.clone())
        .collect()
}
