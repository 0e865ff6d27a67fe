//! Graphs the backends can run as they are, for the table checks: the
//! tangent map of a `custom_vjp` made runnable, and prints staged out.

use super::transpose::transpose_graph;
use crate::ir::{Atom, Eqn, Graph};
use crate::prims::CustomVjpLin;
use crate::types::TensorType;

/// `g` with each `custom_vjp_lin` equation (which cannot be evaluated: it
/// is known only through its transpose) replaced by the transpose of its
/// `bwd`, so that tests can run the tangent map of a `custom_vjp` and
/// batched copies of it; and with its prints staged out
/// (`transform/stage.rs`), their buffers as outputs after `g`'s own, so
/// that the backends can run it and compare what it printed.
pub fn evaluable(g: &Graph) -> Result<Graph, String> {
    let g = without_custom_vjp_lin(g)?;
    let capacity = |_: usize, _: &[TensorType], bound: Option<u64>| {
        bound.map_or(8, |n| usize::try_from(n).unwrap_or(8))
    };
    match super::stage::stage_prints(&g, &capacity)? {
        Some(staged) => Ok(staged.graph),
        None => Ok(g),
    }
}

fn without_custom_vjp_lin(g: &Graph) -> Result<Graph, String> {
    use std::collections::HashMap;
    let mut b = super::builder();
    let mut subst: HashMap<crate::ir::VarId, Atom> = HashMap::new();
    let look = |subst: &HashMap<_, Atom>, a: &Atom| match a {
        Atom::Var(v) => subst.get(&v.id).cloned().unwrap_or_else(|| a.clone()),
        Atom::Const(_) => a.clone(),
    };
    for e in &g.eqns {
        let inputs: Vec<Atom> = e.inputs.iter().map(|a| look(&subst, a)).collect();
        let Some(CustomVjpLin { bwd, n_res }) = e.prim.downcast_ref::<CustomVjpLin>() else {
            b.eqns.push(Eqn {
                inputs,
                ..e.clone()
            });
            continue;
        };
        let flags: Vec<bool> = (0..bwd.inputs.len()).map(|i| i >= *n_res).collect();
        let forward = transpose_graph(bwd, &flags)?;
        let outs = b.inline(&forward, &inputs)?;
        for (o, a) in e.outputs.iter().zip(outs) {
            subst.insert(o.id, a);
        }
    }
    Ok(Graph {
        inputs: g.inputs.clone(),
        eqns: b.eqns,
        outputs: g.outputs.iter().map(|a| look(&subst, a)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::run_graph;
    use crate::ir::verify::verify;
    use crate::prims::samples::samples;

    #[test]
    fn samples_are_well_typed_and_run() {
        for s in samples() {
            let g = s.graph().unwrap_or_else(|e| panic!("{:?}: {}", s.prim, e));
            verify(&g).unwrap_or_else(|e| panic!("{:?}: {}", s.prim, e));
            let g = evaluable(&g).unwrap_or_else(|e| panic!("{:?}: {}", s.prim, e));
            if let Err(e) = run_graph(&g, &s.inputs) {
                panic!("{} ({}): {}", s.prim.name(), s.note, e);
            }
        }
    }
}
