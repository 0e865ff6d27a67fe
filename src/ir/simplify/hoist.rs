//! Loop-invariant code motion: an equation of a loop body that reads only
//! the loop's constants (and literals) computes the same value on every
//! iteration, so it moves out of the loop and its value comes in as one
//! more constant.
//!
//! Besides saving work, this keeps reverse mode from storing such a value
//! once per iteration: a constant of the loop is passed to the backward
//! loop as it is, where a value computed in the body would be stacked.

use crate::ir::{fresh_var, Atom, Eqn, Graph, Var, VarId};
use crate::prims::Prim;
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
    let (body, n_consts) = match &eqn.prim {
        Prim::While { body, n_consts, .. } | Prim::Scan { body, n_consts, .. } => (body, *n_consts),
        _ => return None,
    };
    let hoisted = hoist_body(body, eqn.inputs.get(..n_consts)?)?;
    let k = hoisted.new_consts.len();
    let with_consts = |g: &Graph, vars: Vec<Var>| {
        let mut inputs = g.inputs[..n_consts].to_vec();
        inputs.extend(vars);
        inputs.extend(g.inputs[n_consts..].iter().cloned());
        Graph {
            inputs,
            eqns: g.eqns.clone(),
            outputs: g.outputs.clone(),
        }
    };
    let prim = match &eqn.prim {
        Prim::While {
            cond,
            trip_count,
            span,
            ..
        } => {
            let unused = hoisted.new_vars.iter().map(|v| fresh_var(v.ty.clone()));
            Prim::While {
                cond: Box::new(with_consts(cond, unused.collect())),
                body: Box::new(with_consts(&hoisted.body, hoisted.new_vars)),
                n_consts: n_consts + k,
                trip_count: *trip_count,
                span: *span,
            }
        }
        Prim::Scan {
            n_carries,
            length,
            reverse,
            ..
        } => Prim::Scan {
            body: Box::new(with_consts(&hoisted.body, hoisted.new_vars)),
            n_consts: n_consts + k,
            n_carries: *n_carries,
            length: *length,
            reverse: *reverse,
        },
        _ => return None,
    };
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
