//! Batching (`vmap`): a graph on one example turned into a graph on a batch,
//! equation by equation, with each primitive's batching rule
//! (`Prim::batch`). A batched value has its batch dimension at axis 0;
//! values that do not depend on a batched input stay unbatched and their
//! equations are copied as they are, so loop-invariant work is done once.

use super::TRANSFORMS;
pub use crate::ir::transforms::Vmapped;
use crate::ir::Builder;
use crate::ir::RuleResult;
use crate::ir::{fresh_var, Atom, Eqn, Graph, VarId};
use crate::prims::batching::{batched_type, to_batched};
use std::collections::HashMap;

/// Batches `g` over `size` examples. The inputs marked in `in_batched`
/// take a leading dim of `size`, the others keep their types (shared by
/// every example). An output is batched if it depends on a batched input.
/// Every variable of the result is fresh, so the result never shares one
/// with `g` or with another batching of it.
pub fn vmap_graph(g: &Graph, in_batched: &[bool], size: usize) -> RuleResult<Vmapped> {
    if in_batched.len() != g.inputs.len() {
        return Err(format!(
            "vmap: {} batching flags for {} inputs",
            in_batched.len(),
            g.inputs.len()
        )
        .into());
    }
    let mut b = Builder::new(&TRANSFORMS);
    let mut env: HashMap<VarId, (Atom, bool)> = HashMap::new();
    let mut inputs = vec![];
    for (v, &bt) in g.inputs.iter().zip(in_batched) {
        let ty = if bt {
            batched_type(&v.ty, size)
        } else {
            v.ty.clone()
        };
        let fresh = fresh_var(ty);
        env.insert(v.id, (Atom::Var(fresh.clone()), bt));
        inputs.push(fresh);
    }
    for eqn in &g.eqns {
        batch_eqn(&mut b, &mut env, eqn, size)?;
    }
    let (outputs, out_batched) = g.outputs.iter().map(|a| lookup(&env, a)).unzip();
    Ok(Vmapped {
        graph: Graph {
            inputs,
            eqns: b.eqns,
            outputs,
        },
        out_batched,
    })
}

/// The batched form of `a` and whether it is batched.
fn lookup(env: &HashMap<VarId, (Atom, bool)>, a: &Atom) -> (Atom, bool) {
    match a {
        Atom::Var(v) => env
            .get(&v.id)
            .cloned()
            .unwrap_or_else(|| (a.clone(), false)),
        Atom::Const(_) => (a.clone(), false),
    }
}

/// Emits one equation: copied (fresh outputs and regions) if no input is
/// batched, otherwise the primitive's batching rule; binds its outputs.
fn batch_eqn(
    b: &mut Builder,
    env: &mut HashMap<VarId, (Atom, bool)>,
    eqn: &Eqn,
    size: usize,
) -> RuleResult<()> {
    let (inputs, flags): (Vec<Atom>, Vec<bool>) = eqn.inputs.iter().map(|a| lookup(env, a)).unzip();
    if !flags.contains(&true) {
        let outputs: Vec<_> = eqn
            .outputs
            .iter()
            .map(|v| fresh_var(v.ty.clone()))
            .collect();
        for (old, new) in eqn.outputs.iter().zip(&outputs) {
            env.insert(old.id, (Atom::Var(new.clone()), false));
        }
        b.eqns.push(Eqn {
            prim: eqn.prim.map_regions(Graph::fresh_copy),
            inputs,
            outputs,
        });
        return Ok(());
    }
    let name = eqn.prim.name();
    let (outs, out_flags) = eqn
        .prim
        .batch(b, &inputs, &flags, size)
        .map_err(|e| e.context(format_args!("vmap of {}", name)))?;
    if outs.len() != eqn.outputs.len() || out_flags.len() != outs.len() {
        return Err(format!("vmap of {}: wrong number of results", name).into());
    }
    for ((old, new), bt) in eqn.outputs.iter().zip(outs).zip(out_flags) {
        let want = if bt {
            batched_type(&old.ty, size)
        } else {
            old.ty.clone()
        };
        if new.ty() != want {
            return Err(format!(
                "vmap of {}: a result of type {} where {} was expected",
                name,
                new.ty(),
                want
            )
            .into());
        }
        env.insert(old.id, (new, bt));
    }
    Ok(())
}

/// Batches a region (a loop body, a branch) whose outputs must be batched
/// exactly where `want` says: outputs batched by `vmap_graph` but not
/// wanted are an error, wanted ones that are not batched are broadcast.
/// Callers find `want` as a fixed point, so the error means a broken rule.
pub fn batch_region(
    g: &Graph,
    in_batched: &[bool],
    size: usize,
    want: &[bool],
) -> RuleResult<Graph> {
    fit_region(vmap_graph(g, in_batched, size)?, size, want)
}

/// [`batch_region`] of a region already batched.
pub fn fit_region(v: Vmapped, size: usize, want: &[bool]) -> RuleResult<Graph> {
    let Vmapped {
        mut graph,
        out_batched,
    } = v;
    if want.len() != out_batched.len() {
        return Err("a region's batching does not match its outputs".into());
    }
    let mut b = Builder::with_eqns(&TRANSFORMS, std::mem::take(&mut graph.eqns));
    let mut outputs = vec![];
    for ((o, &is), &w) in graph.outputs.iter().zip(&out_batched).zip(want) {
        if is && !w {
            return Err("a region result is batched where it must not be".into());
        }
        outputs.push(if w {
            to_batched(&mut b, o, is, size)?
        } else {
            o.clone()
        });
    }
    graph.eqns = b.eqns;
    graph.outputs = outputs;
    Ok(graph)
}
