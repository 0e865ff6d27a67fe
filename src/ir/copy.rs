//! Copies of graphs with fresh variables.
//!
//! Variable ids must be unique across a graph and all its regions, so a
//! graph placed into another one more than once (a region reused by a new
//! equation, a function inlined twice) is placed as a fresh copy.

use super::{fresh_var, Atom, Eqn, Graph, Var, VarId};
use std::collections::HashMap;

impl Graph {
    /// A copy of the graph, regions included, with every variable replaced
    /// by a fresh one.
    pub fn fresh_copy(&self) -> Graph {
        copy_graph(self, &mut HashMap::new())
    }
}

fn copy_graph(g: &Graph, map: &mut HashMap<VarId, Var>) -> Graph {
    let inputs = g.inputs.iter().map(|v| define(v, map)).collect();
    let mut eqns = Vec::with_capacity(g.eqns.len());
    for e in &g.eqns {
        eqns.push(Eqn {
            prim: e.prim.map_regions(|r| copy_graph(r, map)),
            inputs: e.inputs.iter().map(|a| rename(a, map)).collect(),
            outputs: e.outputs.iter().map(|v| define(v, map)).collect(),
        });
    }
    let outputs = g.outputs.iter().map(|a| rename(a, map)).collect();
    Graph {
        inputs,
        eqns,
        outputs,
    }
}

fn define(v: &Var, map: &mut HashMap<VarId, Var>) -> Var {
    let fresh = fresh_var(v.ty.clone());
    map.insert(v.id, fresh.clone());
    fresh
}

fn rename(a: &Atom, map: &HashMap<VarId, Var>) -> Atom {
    match a {
        Atom::Var(v) => map.get(&v.id).cloned().map_or_else(|| a.clone(), Atom::Var),
        Atom::Const(_) => a.clone(),
    }
}
