//! Partial-evaluation rules of the control-flow primitives: a loop or a
//! conditional whose operands are partly unknown (in linearization: the
//! tangents) becomes one equation on the known side and one on the
//! unknown side (see `transform/partial_eval.rs`).

use super::pick;
use super::scan::stacked_type;
use crate::diag::Diagnostic;
use crate::ir::transforms::{Split, Staged, Tx};
use crate::ir::Builder;
use crate::ir::{fresh_var, Atom, Eqn, Graph, Var};
use crate::prims::build::Build;
use crate::prims::Prim;
use crate::prims::{Cond, Scan};
use crate::span::Span;

type R<T> = Result<T, Diagnostic>;

/// A broken invariant of the split (a bug in nest).
fn internal(m: impl Into<String>) -> Diagnostic {
    Diagnostic::internal(m)
}

/// A loop with a known trip count is split as the `scan` it stands for.
/// The number of iterations of any other loop is known only when it runs,
/// so its values cannot be stored for the backward pass.
pub fn partial_eval_while(
    t: Tx,
    body: &Graph,
    n_consts: usize,
    (trip_count, span): (Option<u64>, Option<Span>),
    eqn: &Eqn,
    unknown: &[bool],
) -> R<Staged> {
    let Some(n) = trip_count else {
        let message = "reverse-mode differentiation through a loop whose number of \
                       iterations is known only at run time";
        let hint = "loop over a range with static bounds (`for i in 0..20`) to differentiate \
                    through every step, or find the solution with `implicit_solve` and \
                    differentiate it implicitly";
        let d = Diagnostic::new(message).with_hint(hint);
        return Err(match span {
            Some(s) => d.with_span(s),
            None => d,
        });
    };
    // The loop stands for a scan over its carries, with no stacked values.
    let length = usize::try_from(n).map_err(|_| internal("trip count too large"))?;
    let n_carries = body.outputs.len();
    partial_eval_scan(t, body, [n_consts, n_carries, length], false, eqn, unknown)
}

/// A scan splits into a known scan and an unknown one. A carry is unknown
/// if its initial value is, or if the body makes it so from unknown values
/// (a fixed point, as for JVP). The known scan stacks the residuals that
/// change from one iteration to the next as extra outputs; the unknown
/// scan reads them as stacked inputs. Residuals that are the body's known
/// constants or stacked inputs are passed to the unknown scan as they are.
pub fn partial_eval_scan(
    t: Tx,
    body: &Graph,
    [n_consts, n_carries, length]: [usize; 3],
    reverse: bool,
    eqn: &Eqn,
    unknown: &[bool],
) -> R<Staged> {
    let mut carry_unk = unknown[n_consts..n_consts + n_carries].to_vec();
    let n_ys = body.outputs.len() - n_carries;
    let split = loop {
        let body_unk = [
            &unknown[..n_consts],
            &carry_unk,
            &unknown[n_consts + n_carries..],
        ]
        .concat();
        let force = [carry_unk.clone(), vec![false; n_ys]].concat();
        let split = t.partial_eval(body, &body_unk, &force)?;
        let grown: Vec<bool> = (carry_unk.iter().zip(&split.out_unknown))
            .map(|(&a, &b)| a || b)
            .collect();
        if grown == carry_unk {
            break split;
        }
        carry_unk = grown;
    };
    let unk = [
        &unknown[..n_consts],
        &carry_unk,
        &unknown[n_consts + n_carries..],
    ]
    .concat();
    let kinds = residual_kinds(&split, n_consts, n_carries);
    let known = known_scan(
        &split,
        &kinds,
        eqn,
        &unk,
        [n_consts, n_carries, length],
        reverse,
    );
    let (known, stacked) = known;
    let unknown_eqn = unknown_scan(
        &split,
        &kinds,
        &stacked,
        eqn,
        &unk,
        [n_consts, n_carries, length],
        reverse,
    )?;
    Ok(Staged {
        known: vec![known],
        unknown: vec![unknown_eqn],
        out_unknown: split.out_unknown,
    })
}

/// Where the unknown scan gets a residual from.
enum Residual {
    /// The known constant operand at this position.
    Const(usize),
    /// The known stacked operand at this position.
    Stacked(usize),
    /// A value of each iteration, stacked by the known scan.
    Computed,
}

fn residual_kinds(split: &Split, n_consts: usize, n_carries: usize) -> Vec<Residual> {
    (split.residual_inputs.iter())
        .map(|pos| match pos {
            Some(i) if *i < n_consts => Residual::Const(*i),
            Some(i) if *i >= n_consts + n_carries => Residual::Stacked(*i),
            _ => Residual::Computed,
        })
        .collect()
}

/// The known scan over the known operands; its results are the original
/// known results, then the stacked residuals (returned too).
fn known_scan(
    split: &Split,
    kinds: &[Residual],
    eqn: &Eqn,
    unk: &[bool],
    [n_consts, n_carries, length]: [usize; 3],
    reverse: bool,
) -> (Eqn, Vec<Var>) {
    let mut body = split.known.clone();
    let n_known_outs = split.out_unknown.iter().filter(|&&u| !u).count();
    let residuals = body.outputs.split_off(n_known_outs);
    let mut stacked = vec![];
    for (r, kind) in residuals.into_iter().zip(kinds) {
        if let Residual::Computed = kind {
            stacked.push(fresh_var(stacked_type(&r.ty(), length)));
            body.outputs.push(r);
        }
    }
    let count = |range: std::ops::Range<usize>| unk[range].iter().filter(|&&u| !u).count();
    let prim = Prim::new(Scan {
        body: Box::new(body.fresh_copy()),
        n_consts: count(0..n_consts),
        n_carries: count(n_consts..n_consts + n_carries),
        length,
        reverse,
    });
    let mut outputs: Vec<Var> = (eqn.outputs.iter().zip(&split.out_unknown))
        .filter(|(_, &u)| !u)
        .map(|(v, _)| v.clone())
        .collect();
    outputs.extend(stacked.iter().cloned());
    let eqn = Eqn {
        prim,
        inputs: pick(&eqn.inputs, unk, false),
        outputs,
    };
    (eqn, stacked)
}

/// The unknown scan: constants are the residual constants, then the
/// unknown constants; carries the unknown carries; stacked inputs the
/// residual stacked inputs, the stacked residuals, then the unknown
/// stacked inputs.
#[allow(clippy::too_many_arguments)]
fn unknown_scan(
    split: &Split,
    kinds: &[Residual],
    stacked: &[Var],
    eqn: &Eqn,
    unk: &[bool],
    [n_consts, n_carries, length]: [usize; 3],
    reverse: bool,
) -> R<Eqn> {
    let mut body = split.unknown.fresh_copy();
    let n_res = kinds.len();
    let res_vars = body.inputs[..n_res].to_vec();
    let unk_vars = body.inputs[n_res..].to_vec();
    let n_unk_consts = unk[..n_consts].iter().filter(|&&u| u).count();
    let n_unk_carries = unk[n_consts..n_consts + n_carries]
        .iter()
        .filter(|&&u| u)
        .count();
    let (unk_consts, rest) = unk_vars.split_at(n_unk_consts);
    let (unk_carries, unk_xs) = rest.split_at(n_unk_carries);
    let (mut res_consts, mut res_xs, mut res_stacked) = (vec![], vec![], vec![]);
    let (mut const_args, mut xs_args, mut stacked_args) = (vec![], vec![], vec![]);
    let mut stacked_it = stacked.iter();
    for (v, kind) in res_vars.into_iter().zip(kinds) {
        match kind {
            Residual::Const(i) => {
                res_consts.push(v);
                const_args.push(eqn.inputs[*i].clone());
            }
            Residual::Stacked(i) => {
                res_xs.push(v);
                xs_args.push(eqn.inputs[*i].clone());
            }
            Residual::Computed => {
                res_stacked.push(v);
                let s = stacked_it
                    .next()
                    .ok_or_else(|| internal("scan residuals"))?;
                stacked_args.push(Atom::Var(s.clone()));
            }
        }
    }
    body.inputs = [
        res_consts,
        unk_consts.to_vec(),
        unk_carries.to_vec(),
        res_xs,
        res_stacked,
        unk_xs.to_vec(),
    ]
    .concat();
    let operands = pick(&eqn.inputs, unk, true);
    let (o_consts, rest) = operands.split_at(n_unk_consts);
    let (o_carries, o_xs) = rest.split_at(n_unk_carries);
    let inputs = [
        const_args.as_slice(),
        o_consts,
        o_carries,
        &xs_args,
        &stacked_args,
        o_xs,
    ]
    .concat();
    let prim = Prim::new(Scan {
        body: Box::new(body),
        n_consts: const_args.len() + n_unk_consts,
        n_carries: n_unk_carries,
        length,
        reverse,
    });
    let outputs = pick(&eqn.outputs, &split.out_unknown, true);
    Ok(Eqn {
        prim,
        inputs,
        outputs,
    })
}

/// A conditional splits into a known one (the known results, and the
/// residuals of every branch: each branch gives zeros for the others') and
/// an unknown one reading those residuals. A result unknown in one branch
/// is given by the unknown conditional in all of them.
pub fn partial_eval_cond(t: Tx, branches: &[Graph], eqn: &Eqn, unknown: &[bool]) -> R<Staged> {
    let (index, operands) = eqn
        .inputs
        .split_first()
        .ok_or_else(|| internal("cond has no index"))?;
    if unknown[0] {
        return Err(Diagnostic::new(
            "the index of a cond depends on the unknown values",
        ));
    }
    let op_unk = &unknown[1..];
    let n_out = eqn.outputs.len();
    let mut out_unk = vec![false; n_out];
    for g in branches {
        let s = t.partial_eval(g, op_unk, &[])?;
        out_unk = out_unk
            .iter()
            .zip(&s.out_unknown)
            .map(|(a, b)| *a || *b)
            .collect();
    }
    let splits = (branches.iter())
        .map(|g| t.partial_eval(g, op_unk, &out_unk))
        .collect::<R<Vec<Split>>>()?;
    let n_known_outs = out_unk.iter().filter(|&&u| !u).count();
    // One slot per computed residual of every branch, in branch order.
    let slots: Vec<Var> = (splits.iter())
        .flat_map(|s| computed_residuals(s, n_known_outs))
        .map(|v| fresh_var(v.ty.clone()))
        .collect();
    let known_branches = (splits.iter().enumerate())
        .map(|(k, s)| known_branch(&splits, k, s, n_known_outs, &slots))
        .collect::<R<Vec<_>>>()?;
    let mut known_outs = pick(&eqn.outputs, &out_unk, false);
    known_outs.extend(slots.iter().cloned());
    let mut known_ins = vec![index.clone()];
    known_ins.extend(pick(operands, op_unk, false));
    let known = Eqn {
        prim: Prim::new(Cond {
            branches: known_branches,
        }),
        inputs: known_ins,
        outputs: known_outs,
    };
    let unknown_branches = (splits.iter().enumerate())
        .map(|(k, s)| unknown_branch(&splits, k, s, operands, op_unk, &slots))
        .collect::<R<Vec<_>>>()?;
    let mut unknown_ins = vec![index.clone()];
    unknown_ins.extend(slots.iter().cloned().map(Atom::Var));
    unknown_ins.extend(operands.iter().cloned());
    let unknown_eqn = Eqn {
        prim: Prim::new(Cond {
            branches: unknown_branches,
        }),
        inputs: unknown_ins,
        outputs: pick(&eqn.outputs, &out_unk, true),
    };
    Ok(Staged {
        known: vec![known],
        unknown: vec![unknown_eqn],
        out_unknown: out_unk,
    })
}

/// The residuals of a branch that are not its operands.
fn computed_residuals(s: &Split, n_known_outs: usize) -> Vec<Var> {
    (s.known.outputs[n_known_outs..]
        .iter()
        .zip(&s.residual_inputs))
    .filter(|(_, pos)| pos.is_none())
    .filter_map(|(a, _)| a.as_var().cloned())
    .collect()
}

/// Branch `k` of the known conditional: its known results, then every
/// slot: its own residuals in its slots, zeros in the other branches'.
fn known_branch(
    splits: &[Split],
    k: usize,
    s: &Split,
    n_known_outs: usize,
    slots: &[Var],
) -> R<Graph> {
    let mut g = s.known.clone();
    let mut b = Builder::default();
    b.eqns = std::mem::take(&mut g.eqns);
    let mut outputs = g.outputs[..n_known_outs].to_vec();
    let mut slot = slots.iter();
    for (j, other) in splits.iter().enumerate() {
        for r in computed_residuals(other, n_known_outs) {
            let ty = slot
                .next()
                .ok_or_else(|| internal("cond slots"))?
                .ty
                .clone();
            outputs.push(if j == k {
                Atom::Var(r)
            } else {
                b.zeros(&ty).map_err(Diagnostic::from)?
            });
        }
    }
    g.eqns = b.eqns;
    g.outputs = outputs;
    Ok(g.fresh_copy())
}

/// Branch `k` of the unknown conditional, over (every slot, every
/// operand): its unknown graph reading its own slots and operands.
fn unknown_branch(
    splits: &[Split],
    k: usize,
    s: &Split,
    operands: &[Atom],
    op_unk: &[bool],
    slots: &[Var],
) -> R<Graph> {
    let slot_ins: Vec<Var> = slots.iter().map(|v| fresh_var(v.ty.clone())).collect();
    let op_ins: Vec<Var> = operands.iter().map(|a| fresh_var(a.ty())).collect();
    let first_slot: usize = splits[..k]
        .iter()
        .map(|o| o.residual_inputs.iter().filter(|p| p.is_none()).count())
        .sum();
    let mut own = slot_ins[first_slot..].iter();
    let mut args = vec![];
    for pos in &s.residual_inputs {
        let v = match pos {
            Some(i) => op_ins[*i].clone(),
            None => own.next().ok_or_else(|| internal("cond slots"))?.clone(),
        };
        args.push(Atom::Var(v));
    }
    args.extend(pick(
        &op_ins.iter().cloned().map(Atom::Var).collect::<Vec<_>>(),
        op_unk,
        true,
    ));
    let mut b = Builder::default();
    let outputs = b.inline(&s.unknown, &args).map_err(Diagnostic::from)?;
    Ok(Graph {
        inputs: [slot_ins, op_ins].concat(),
        eqns: b.eqns,
        outputs,
    })
}
