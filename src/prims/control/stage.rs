//! Staging prints out of loops and conditionals (see `transform/stage.rs`):
//! a loop carries the state of the print sites in its body, a conditional
//! takes and returns the state of the sites in its branches.

use super::super::Prim;
use crate::ir::stage::{atoms, with_unused_inputs, Stager, Walk};
use crate::ir::{fresh_var, Atom, Eqn, Graph, Var};
use crate::prims::{Cond, Scan, While};
use crate::span::Span;
use crate::types::TensorType;

type R<T> = crate::ir::RuleResult<T>;

/// Fresh variables of the types of `xs`.
fn fresh_like(xs: &[Atom]) -> Vec<Var> {
    xs.iter().map(|a| fresh_var(a.ty())).collect()
}

/// The state rides along as extra carries; the condition ignores it.
#[allow(clippy::too_many_arguments)]
pub fn stage_while(
    cond: &Graph,
    body: &Graph,
    n_consts: usize,
    (trip_count, span): (Option<u64>, Option<Span>),
    st: &mut Stager,
    w: &mut Walk,
    inputs: &[Atom],
    outs: &[Var],
) -> R<Vec<Atom>> {
    if cond.has_effects() {
        return Err(
            "`print` inside a `while` loop's condition is not supported: print in its body".into(),
        );
    }
    let r = st.stage_region(body, trip_count)?;
    let extra = w.thread_in(st, &r.sites);
    let types: Vec<TensorType> = extra.iter().map(Atom::ty).collect();
    let cond = with_unused_inputs(cond, &types);
    let new = fresh_like(&extra);
    w.b.eqns.push(Eqn {
        prim: Prim::new(While {
            cond: Box::new(cond),
            body: Box::new(r.graph),
            n_consts,
            trip_count,
            span,
        }),
        inputs: [inputs, &extra].concat(),
        outputs: [outs, &new].concat(),
    });
    w.thread_out(st, &r.sites, &atoms(&new))?;
    Ok(atoms(outs))
}

/// The state rides along as extra carries, after the scan's own.
#[allow(clippy::too_many_arguments)]
pub fn stage_scan(
    body: &Graph,
    [n_consts, n_carries, length]: [usize; 3],
    reverse: bool,
    st: &mut Stager,
    w: &mut Walk,
    inputs: &[Atom],
    outs: &[Var],
) -> R<Vec<Atom>> {
    let r = st.stage_region(body, Some(length as u64))?;
    let extra = w.thread_in(st, &r.sites);
    let k = extra.len();
    let g = r.graph;
    let (n_in, n_out) = (g.inputs.len() - k, g.outputs.len() - k);
    let split = n_consts + n_carries;
    let body = Graph {
        inputs: [
            &g.inputs[..split],
            &g.inputs[n_in..],
            &g.inputs[split..n_in],
        ]
        .concat(),
        eqns: g.eqns.clone(),
        outputs: [
            &g.outputs[..n_carries],
            &g.outputs[n_out..],
            &g.outputs[n_carries..n_out],
        ]
        .concat(),
    };
    let new = fresh_like(&extra);
    w.b.eqns.push(Eqn {
        prim: Prim::new(Scan {
            body: Box::new(body),
            n_consts,
            n_carries: n_carries + k,
            length,
            reverse,
        }),
        inputs: [&inputs[..split], &extra, &inputs[split..]].concat(),
        outputs: [&outs[..n_carries], &new, &outs[n_carries..]].concat(),
    });
    w.thread_out(st, &r.sites, &atoms(&new))?;
    Ok(atoms(outs))
}

/// Every branch takes and returns the state of the sites of all branches;
/// one without a site passes it along, so the state after the `cond` is
/// that of the branch that ran.
pub fn stage_cond(
    branches: &[Graph],
    st: &mut Stager,
    w: &mut Walk,
    inputs: &[Atom],
    outs: &[Var],
) -> R<Vec<Atom>> {
    let staged = branches
        .iter()
        .map(|g| st.stage_region(g, Some(1)))
        .collect::<R<Vec<_>>>()?;
    let mut sites: Vec<usize> = vec![];
    for r in &staged {
        sites.extend(
            r.sites
                .iter()
                .filter(|s| !sites.contains(s))
                .copied()
                .collect::<Vec<_>>(),
        );
    }
    let extra = w.thread_in(st, &sites);
    let new_branches = (branches.iter().zip(&staged))
        .map(|(g, r)| widen_branch(g, r, &sites, st))
        .collect::<R<Vec<_>>>()?;
    let new = fresh_like(&extra);
    w.b.eqns.push(Eqn {
        prim: Prim::new(Cond {
            branches: new_branches,
        }),
        inputs: [inputs, &extra].concat(),
        outputs: [outs, &new].concat(),
    });
    w.thread_out(st, &sites, &atoms(&new))?;
    Ok(atoms(outs))
}

/// A staged branch over the state of `sites` (a superset of its own):
/// the others' state passes through unchanged.
fn widen_branch(g: &Graph, r: &crate::ir::stage::Region, sites: &[usize], st: &Stager) -> R<Graph> {
    let (n_in, n_out) = (g.inputs.len(), g.outputs.len());
    let lost = || "staging lost a branch's state".to_string();
    let mut inputs = r.graph.inputs.get(..=n_in).ok_or_else(lost)?.to_vec();
    let mut outputs = r.graph.outputs.get(..=n_out).ok_or_else(lost)?.to_vec();
    let (mut at_in, mut at_out) = (n_in + 1, n_out + 1);
    for s in sites {
        let k = st.state_types(*s).len();
        if r.sites.contains(s) {
            inputs.extend(
                r.graph
                    .inputs
                    .get(at_in..at_in + k)
                    .ok_or_else(lost)?
                    .iter()
                    .cloned(),
            );
            outputs.extend(
                r.graph
                    .outputs
                    .get(at_out..at_out + k)
                    .ok_or_else(lost)?
                    .iter()
                    .cloned(),
            );
            at_in += k;
            at_out += k;
        } else {
            let pass: Vec<Var> = st.state_types(*s).into_iter().map(fresh_var).collect();
            outputs.extend(atoms(&pass));
            inputs.extend(pass);
        }
    }
    Ok(Graph {
        inputs,
        eqns: r.graph.eqns.clone(),
        outputs,
    })
}
