//! The dead-code rules of the control-flow primitives (see
//! `ir/simplify/dce.rs`): inside a kept equation,
//! * a `while` drops the loop-invariant inputs that neither region uses,
//!   and the carries that are needed neither by the condition, nor as a used
//!   result, nor to update a needed carry (so the trip count is unchanged);
//! * a `scan` drops its unused stacked outputs, the carries nothing needs,
//!   and the inputs its body no longer reads;
//! * a `cond` drops the results that are unused and the operands that no
//!   branch uses.

use super::{Cond, Scan, While};
use crate::ir::simplify::dce::{dce_graph, dependencies, select, used_vars};
use crate::ir::{Atom, Eqn, Graph, Prim, Var, VarId};
use std::collections::HashSet;

/// The parts of a `while` equation.
struct Loop {
    cond: Graph,
    body: Graph,
    n_consts: usize,
    trip_count: Option<u64>,
    span: Option<crate::span::Span>,
    inputs: Vec<Atom>,
    outputs: Vec<Var>,
}

impl Loop {
    fn from_eqn(eqn: &Eqn) -> Option<Loop> {
        let While {
            cond,
            body,
            n_consts,
            trip_count,
            span,
        } = eqn.prim.downcast_ref::<While>()?;
        let n = *n_consts + eqn.outputs.len();
        let well_formed = eqn.inputs.len() == n
            && cond.inputs.len() == n
            && body.inputs.len() == n
            && body.outputs.len() == eqn.outputs.len();
        well_formed.then(|| Loop {
            cond: (**cond).clone(),
            body: (**body).clone(),
            n_consts: *n_consts,
            trip_count: *trip_count,
            span: *span,
            inputs: eqn.inputs.clone(),
            outputs: eqn.outputs.clone(),
        })
    }

    fn into_eqn(self) -> Eqn {
        Eqn {
            prim: Prim::new(While {
                cond: Box::new(self.cond),
                body: Box::new(self.body),
                n_consts: self.n_consts,
                trip_count: self.trip_count,
                span: self.span,
            }),
            inputs: self.inputs,
            outputs: self.outputs,
        }
    }
}

/// Drops a loop's unneeded carries, then its unused loop-invariant inputs.
/// An ill-formed loop is left as it is (the verifier reports it).
pub fn prune_while(eqn: Eqn, live: &HashSet<VarId>, changed: &mut bool) -> Eqn {
    let Some(mut lp) = Loop::from_eqn(&eqn) else {
        return eqn;
    };
    let needed = needed_carries(&lp, live);
    if needed.iter().any(|&k| !k) {
        *changed = true;
        let n = lp.n_consts;
        // Positions among the inputs of the loop and of its regions.
        let keep_in: Vec<bool> = (0..n).map(|_| true).chain(needed.iter().copied()).collect();
        lp.inputs = select(&lp.inputs, &keep_in);
        lp.cond.inputs = select(&lp.cond.inputs, &keep_in);
        lp.body.inputs = select(&lp.body.inputs, &keep_in);
        lp.body.outputs = select(&lp.body.outputs, &needed);
        lp.outputs = select(&lp.outputs, &needed);
        lp.body = dce_graph(&lp.body, &mut false);
    }
    let (cond_uses, body_uses) = (used_vars(&lp.cond), used_vars(&lp.body));
    let n = lp.n_consts;
    let used_const: Vec<bool> = (0..n)
        .map(|i| {
            cond_uses.contains(&lp.cond.inputs[i].id) || body_uses.contains(&lp.body.inputs[i].id)
        })
        .collect();
    if used_const.iter().any(|&u| !u) {
        *changed = true;
        let carries = lp.outputs.len();
        let keep_in: Vec<bool> = used_const
            .iter()
            .copied()
            .chain((0..carries).map(|_| true))
            .collect();
        lp.inputs = select(&lp.inputs, &keep_in);
        lp.cond.inputs = select(&lp.cond.inputs, &keep_in);
        lp.body.inputs = select(&lp.body.inputs, &keep_in);
        lp.n_consts = used_const.iter().filter(|&&u| u).count();
    }
    lp.into_eqn()
}

/// Which carries the loop needs: those whose result is used, those the
/// condition reads, and, transitively, those the body reads to update a
/// needed carry.
fn needed_carries(lp: &Loop, live: &HashSet<VarId>) -> Vec<bool> {
    let n = lp.n_consts;
    let cond_uses = used_vars(&lp.cond);
    let mut needed: Vec<bool> = lp
        .outputs
        .iter()
        .enumerate()
        .map(|(j, v)| live.contains(&v.id) || cond_uses.contains(&lp.cond.inputs[n + j].id))
        .collect();
    loop {
        let roots: Vec<&Atom> = lp
            .body
            .outputs
            .iter()
            .zip(&needed)
            .filter(|(_, &k)| k)
            .map(|(a, _)| a)
            .collect();
        let deps = dependencies(&lp.body, &roots);
        let mut grew = false;
        for (j, k) in needed.iter_mut().enumerate() {
            if !*k && deps.contains(&lp.body.inputs[n + j].id) {
                *k = true;
                grew = true;
            }
        }
        if !grew {
            return needed;
        }
    }
}

/// Drops a scan's unused stacked outputs and the carries needed neither
/// as a used result nor to compute a needed value, then the constants and
/// stacked inputs the body no longer reads.
pub fn prune_scan(eqn: Eqn, live: &HashSet<VarId>, changed: &mut bool) -> Eqn {
    let Some(Scan {
        body,
        n_consts,
        n_carries,
        length,
        reverse,
    }) = eqn.prim.downcast_ref::<Scan>()
    else {
        return eqn;
    };
    let (nc, ncar) = (*n_consts, *n_carries);
    let well_formed = eqn.inputs.len() == body.inputs.len()
        && body.outputs.len() == eqn.outputs.len()
        && nc + ncar <= body.inputs.len()
        && ncar <= body.outputs.len();
    if !well_formed {
        return eqn;
    }
    let used: Vec<bool> = eqn.outputs.iter().map(|v| live.contains(&v.id)).collect();
    let mut needed = used.clone();
    loop {
        let roots: Vec<&Atom> = (body.outputs.iter().zip(&needed))
            .filter(|(_, &k)| k)
            .map(|(a, _)| a)
            .collect();
        let deps = dependencies(body, &roots);
        let mut grew = false;
        for (k, v) in needed.iter_mut().zip(&body.inputs[nc..nc + ncar]) {
            if !*k && deps.contains(&v.id) {
                *k = true;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    let mut body = (**body).clone();
    let mut inputs = eqn.inputs.clone();
    let mut outputs = eqn.outputs.clone();
    if needed.iter().any(|&k| !k) {
        *changed = true;
        body.outputs = select(&body.outputs, &needed);
        body = dce_graph(&body, &mut false);
        outputs = select(&outputs, &needed);
    }
    // Inputs: a carry stays with its result; any other input while the body reads it.
    let uses = used_vars(&body);
    let keep_in: Vec<bool> = (0..inputs.len())
        .map(|i| match i.checked_sub(nc) {
            Some(j) if j < ncar => needed[j],
            _ => uses.contains(&body.inputs[i].id),
        })
        .collect();
    if keep_in.iter().any(|&k| !k) {
        *changed = true;
        inputs = select(&inputs, &keep_in);
        body.inputs = select(&body.inputs, &keep_in);
    }
    let count = |r: std::ops::Range<usize>| keep_in[r].iter().filter(|&&k| k).count();
    Eqn {
        prim: Prim::new(Scan {
            n_consts: count(0..nc),
            n_carries: count(nc..nc + ncar),
            body: Box::new(body),
            length: *length,
            reverse: *reverse,
        }),
        inputs,
        outputs,
    }
}

/// Drops a `cond`'s unused results, then the operands no branch uses.
/// An ill-formed `cond` is left as it is (the verifier reports it).
pub fn prune_cond(eqn: Eqn, live: &HashSet<VarId>, changed: &mut bool) -> Eqn {
    let Some(Cond { branches }) = eqn.prim.downcast_ref::<Cond>() else {
        return eqn;
    };
    let (k, n_ops) = (eqn.outputs.len(), eqn.inputs.len().saturating_sub(1));
    let well_formed = !eqn.inputs.is_empty()
        && branches
            .iter()
            .all(|b| b.outputs.len() == k && b.inputs.len() == n_ops);
    if !well_formed {
        return eqn;
    }
    let used_out: Vec<bool> = eqn.outputs.iter().map(|v| live.contains(&v.id)).collect();
    let mut branches: Vec<Graph> = branches.clone();
    let mut outputs = eqn.outputs.clone();
    if used_out.iter().any(|&u| !u) {
        *changed = true;
        outputs = select(&outputs, &used_out);
        for b in &mut branches {
            b.outputs = select(&b.outputs, &used_out);
            *b = dce_graph(b, &mut false);
        }
    }
    let uses: Vec<HashSet<VarId>> = branches.iter().map(used_vars).collect();
    let used_op: Vec<bool> = (0..n_ops)
        .map(|i| {
            branches
                .iter()
                .zip(&uses)
                .any(|(b, u)| u.contains(&b.inputs[i].id))
        })
        .collect();
    let mut inputs = eqn.inputs.clone();
    if used_op.iter().any(|&u| !u) {
        *changed = true;
        let keep_in: Vec<bool> = std::iter::once(true)
            .chain(used_op.iter().copied())
            .collect();
        inputs = select(&inputs, &keep_in);
        for b in &mut branches {
            b.inputs = select(&b.inputs, &used_op);
        }
    }
    Eqn {
        prim: Prim::new(Cond { branches }),
        inputs,
        outputs,
    }
}
