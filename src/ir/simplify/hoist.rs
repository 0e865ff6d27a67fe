//! Loop-invariant code motion: an equation of a loop body that reads only
//! the loop's constants (and literals) computes the same value on every
//! iteration, so it moves out of the loop and its value comes in as one
//! more constant.
//!
//! Besides saving work, this keeps reverse mode from storing such a value
//! once per iteration: a constant of the loop is passed to the backward
//! loop as it is, where a value computed in the body would be stacked.

use crate::ir::{fresh_var, Atom, Eqn, Graph, Var, VarId};
use std::collections::{HashMap, HashSet};

/// Hoists loop invariants out of every `while` and `scan` of `graph` and
/// its regions; sets `changed` if it moved anything.
pub(super) fn hoist_graph(graph: &Graph, changed: &mut bool) -> Graph {
    let mut eqns = Vec::with_capacity(graph.eqns.len());
    for eqn in &graph.eqns {
        let eqn = Eqn {
            prim: eqn.prim.map_regions(|r| hoist_graph(r, changed)),
            inputs: eqn.inputs.clone(),
            outputs: eqn.outputs.clone(),
        };
        match hoist_eqn(&eqn) {
            Some((outer, new)) => {
                *changed = true;
                eqns.extend(outer);
                eqns.push(new);
            }
            None => eqns.push(eqn),
        }
    }
    Graph {
        inputs: graph.inputs.clone(),
        eqns,
        outputs: graph.outputs.clone(),
    }
}

/// The hoisted equations and the loop with its new constants, if any
/// equation of its body is invariant.
fn hoist_eqn(eqn: &Eqn) -> Option<(Vec<Eqn>, Eqn)> {
    let (body, n_consts) = eqn.prim.loop_body()?;
    let hoisted = hoist_body(body, eqn.inputs.get(..n_consts)?)?;
    let prim = eqn.prim.with_loop_body(hoisted.body, hoisted.new_vars)?;
    let mut inputs = eqn.inputs[..n_consts].to_vec();
    inputs.extend(hoisted.new_consts);
    inputs.extend(eqn.inputs[n_consts..].iter().cloned());
    let new = Eqn {
        prim,
        inputs,
        outputs: eqn.outputs.clone(),
    };
    Some((hoisted.outer, new))
}

/// `g` with `vars` inserted among its inputs after the first `n_consts`
/// (new constants of a loop region).
pub fn with_consts(g: &Graph, n_consts: usize, vars: Vec<Var>) -> Graph {
    let mut inputs = g.inputs[..n_consts].to_vec();
    inputs.extend(vars);
    inputs.extend(g.inputs[n_consts..].iter().cloned());
    Graph {
        inputs,
        eqns: g.eqns.clone(),
        outputs: g.outputs.clone(),
    }
}

/// A body with its invariant equations taken out.
struct Hoisted {
    /// The moved equations, over the loop's operands.
    outer: Vec<Eqn>,
    /// The body without them (its inputs unchanged).
    body: Graph,
    /// Body variables the moved equations defined that the body still
    /// reads (they become inputs), and their values outside.
    new_vars: Vec<Var>,
    new_consts: Vec<Atom>,
}

fn hoist_body(body: &Graph, outer_consts: &[Atom]) -> Option<Hoisted> {
    let mut outside: HashMap<VarId, Atom> = (body.inputs.iter().zip(outer_consts))
        .map(|(v, a)| (v.id, a.clone()))
        .collect();
    let (mut outer, mut kept, mut defined) = (vec![], vec![], vec![]);
    for e in &body.eqns {
        let invariant = e.inputs.iter().all(|a| match a {
            Atom::Var(v) => outside.contains_key(&v.id),
            Atom::Const(_) => true,
        });
        let reads_a_constant = e.inputs.iter().any(|a| a.as_var().is_some());
        // A print runs on every iteration, even of the same values.
        if !(invariant && reads_a_constant) || e.prim.has_effect() {
            kept.push(e.clone());
            continue;
        }
        let outs: Vec<Var> = e.outputs.iter().map(|v| fresh_var(v.ty.clone())).collect();
        for (v, o) in e.outputs.iter().zip(&outs) {
            outside.insert(v.id, Atom::Var(o.clone()));
            defined.push(v.clone());
        }
        outer.push(Eqn {
            prim: e.prim.clone(),
            inputs: (e.inputs.iter())
                .map(|a| match a {
                    Atom::Var(v) => outside[&v.id].clone(),
                    Atom::Const(_) => a.clone(),
                })
                .collect(),
            outputs: outs,
        });
    }
    if outer.is_empty() {
        return None;
    }
    let still_read: HashSet<VarId> = (kept.iter().flat_map(|e| e.inputs.iter()))
        .chain(&body.outputs)
        .filter_map(|a| a.as_var().map(|v| v.id))
        .collect();
    let new_vars: Vec<Var> = defined
        .into_iter()
        .filter(|v| still_read.contains(&v.id))
        .collect();
    let new_consts = new_vars.iter().map(|v| outside[&v.id].clone()).collect();
    Some(Hoisted {
        outer,
        body: Graph {
            inputs: body.inputs.clone(),
            eqns: kept,
            outputs: body.outputs.clone(),
        },
        new_vars,
        new_consts,
    })
}
