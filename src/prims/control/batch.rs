//! Batching rules of the control-flow primitives. A region is batched by
//! the graph-level driver (`vmap_graph`), so a loop over one example
//! becomes one loop over the batch, and a conditional one conditional (or,
//! when each example picks its own branch, every branch and a `select`).

use super::split;
use crate::ir::transforms::{Tx, Vmapped};
use crate::ir::Builder;
use crate::ir::{fresh_var, Atom, Graph, Var};
use crate::prims::batching::to_batched;
use crate::prims::build::Build;
use crate::prims::{BatchResult, Cmp, Prim, ReduceOp};
use crate::prims::{Cond, Reduce, Scan, Select, Transpose, While};
use crate::span::Span;
use crate::tensor::Tensor;

type R<T> = crate::ir::RuleResult<T>;

/// The batch of a loop is one loop over the batch. Which carries are
/// batched is a fixed point: those batched on entry, plus those the body
/// makes batched from batched consts and carries (the set only grows, so
/// at most one round per carry); the others stay shared by the batch.
///
/// If the condition is batched, examples stop at different iterations:
/// every carry is then batched, the loop runs while the condition holds
/// for some example, and the body keeps the carries of finished examples
/// with `select(cond, body(carries), carries)`, as JAX does.
#[allow(clippy::too_many_arguments)]
pub fn batch_while(
    cond: &Graph,
    body: &Graph,
    n_consts: usize,
    (trip_count, span): (Option<u64>, Option<Span>),
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let (Some((consts, carries)), Some((const_b, carry_in))) =
        (split(inputs, n_consts), split(batched, n_consts))
    else {
        return Err("while has fewer operands than constants".into());
    };
    let t = b.transforms();
    let (carry_b, new_cond, new_body) =
        match carry_fixed_point(t, cond, body, const_b, carry_in, size)? {
            Some((carry_b, c, v)) => {
                let new_body = t.fit_region(v, size, &carry_b)?;
                (carry_b, t.fit_region(c, size, &[false])?, new_body)
            }
            None => {
                let all = vec![true; carry_in.len()];
                let flags = [const_b, &all].concat();
                let body = t.batch_region(body, &flags, size, &all)?;
                let cond = t.batch_region(cond, &flags, size, &[true])?;
                (all, any_cond(&cond)?, masked_body(&cond, &body)?)
            }
        };
    let mut operands = consts.to_vec();
    for ((x, &was), &now) in carries.iter().zip(carry_in).zip(&carry_b) {
        operands.push(if now {
            to_batched(b, x, was, size)?
        } else {
            x.clone()
        });
    }
    let prim = Prim::new(While {
        cond: Box::new(new_cond),
        body: Box::new(new_body),
        n_consts,
        trip_count,
        span,
    });
    Ok((b.apply(prim, &operands)?, carry_b))
}

/// The batch of a scan is one scan over the batch. The batched carries are
/// a fixed point, as for `while`. A batched stacked input has its batch
/// dim moved behind the scan's dim, so that the body sees each slice
/// batched at axis 0; a batched stacked output comes out scan dim first
/// and has its batch dim moved back to the front.
#[allow(clippy::too_many_arguments)]
pub fn batch_scan(
    body: &Graph,
    [n_consts, n_carries, length]: [usize; 3],
    reverse: bool,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let bad = || "scan operands do not match its body".to_string();
    let (consts, rest) = split(inputs, n_consts).ok_or_else(bad)?;
    let (carries, xs) = split(rest, n_carries).ok_or_else(bad)?;
    let (const_b, rest_b) = split(batched, n_consts).ok_or_else(bad)?;
    let (carry_in, xs_b) = split(rest_b, n_carries).ok_or_else(bad)?;
    let mut carry_b = carry_in.to_vec();
    let vmapped = loop {
        let flags = [const_b, &carry_b, xs_b].concat();
        let v = b.transforms().vmap_graph(body, &flags, size)?;
        let grown: Vec<bool> = (carry_b.iter().zip(&v.out_batched))
            .map(|(a, b)| *a || *b)
            .collect();
        if grown == carry_b {
            break v;
        }
        carry_b = grown;
    };
    // The last round batched the body with the final flags.
    let out_b = vmapped.out_batched.clone();
    let new_body = b.transforms().fit_region(vmapped, size, &out_b)?;
    let mut operands = consts.to_vec();
    for ((x, &was), &now) in carries.iter().zip(carry_in).zip(&carry_b) {
        operands.push(match now {
            true => to_batched(b, x, was, size)?,
            false => x.clone(),
        });
    }
    for (x, &bt) in xs.iter().zip(xs_b) {
        operands.push(match bt {
            true => swap_leading(b, x)?,
            false => x.clone(),
        });
    }
    let prim = Prim::new(Scan {
        body: Box::new(new_body),
        n_consts,
        n_carries,
        length,
        reverse,
    });
    let outs = b.apply(prim, &operands)?;
    let mut results = outs[..n_carries].to_vec();
    for (y, &bt) in outs[n_carries..].iter().zip(&out_b[n_carries..]) {
        results.push(match bt {
            true => swap_leading(b, y)?,
            false => y.clone(),
        });
    }
    Ok((results, out_b))
}

/// `x` with its first two dims swapped.
fn swap_leading(b: &mut Builder, x: &Atom) -> R<Atom> {
    let mut perm: Vec<usize> = (0..x.ty().rank()).collect();
    perm.swap(0, 1);
    b.apply1(Prim::new(Transpose { perm }), std::slice::from_ref(x))
}

/// The carries that are batched on some iteration, with the condition and
/// body batched for them (the last round's, reused: batching a body
/// batches the loops inside it); `None` when the condition is batched
/// (each example stops on its own, and every carry is batched).
fn carry_fixed_point(
    t: Tx,
    cond: &Graph,
    body: &Graph,
    const_b: &[bool],
    carry_b: &[bool],
    size: usize,
) -> R<Option<(Vec<bool>, Vmapped, Vmapped)>> {
    let mut carry_b = carry_b.to_vec();
    loop {
        let flags = [const_b, &carry_b].concat();
        let c = t.vmap_graph(cond, &flags, size)?;
        if c.out_batched.contains(&true) {
            return Ok(None);
        }
        let v = t.vmap_graph(body, &flags, size)?;
        let grown: Vec<bool> = (carry_b.iter().zip(&v.out_batched))
            .map(|(a, b)| *a || *b)
            .collect();
        if grown == carry_b {
            return Ok(Some((carry_b, c, v)));
        }
        carry_b = grown;
    }
}

/// Fresh variables of a graph's input types.
fn fresh_inputs(g: &Graph) -> Vec<Var> {
    g.inputs.iter().map(|v| fresh_var(v.ty.clone())).collect()
}

/// `any(cond(..))`: the loop goes on while some example's condition holds.
fn any_cond(cond: &Graph) -> R<Graph> {
    let inputs = fresh_inputs(cond);
    let atoms: Vec<Atom> = inputs.iter().cloned().map(Atom::Var).collect();
    let mut b = Builder::default();
    let pred = b.inline(cond, &atoms)?;
    let any = Prim::new(Reduce {
        op: ReduceOp::Or,
        axes: vec![0],
    });
    let out = b.apply(any, &pred)?;
    Ok(Graph {
        inputs,
        eqns: b.eqns,
        outputs: out,
    })
}

/// The body over (consts, carries) that updates only the examples whose
/// condition holds: `select(cond, body(x), x)` per carry.
fn masked_body(cond: &Graph, body: &Graph) -> R<Graph> {
    let inputs = fresh_inputs(body);
    let atoms: Vec<Atom> = inputs.iter().cloned().map(Atom::Var).collect();
    let mut b = Builder::default();
    let pred = b.inline(cond, &atoms)?;
    let pred = pred.first().ok_or("while condition has no result")?;
    let next = b.inline(body, &atoms)?;
    let old = (atoms.len().checked_sub(next.len()))
        .and_then(|n| atoms.get(n..))
        .ok_or("while body has more results than inputs")?;
    let mut outputs = vec![];
    for (new, old) in next.iter().zip(old) {
        outputs.push(select_rows(&mut b, pred, new, old)?);
    }
    Ok(Graph {
        inputs,
        eqns: b.eqns,
        outputs,
    })
}

/// `select(pred[k], x[k], y[k])` for each example `k` (`pred: bool[size]`).
fn select_rows(b: &mut Builder, pred: &Atom, x: &Atom, y: &Atom) -> R<Atom> {
    let shape = x.ty().shape;
    let pred = b.broadcast(pred, &shape, &[0])?;
    b.apply1(Prim::new(Select), &[pred, x.clone(), y.clone()])
}

/// With an index shared by the batch, each branch is batched with the same
/// operand flags and gives a result batched where any branch does (the
/// others broadcast theirs): one `cond` on the batch.
///
/// With an index per example, every branch runs on the whole batch and
/// each example takes its branch's results: starting from the last branch
/// (which StableHLO `case` runs for an index out of range), each other
/// branch `j` is selected where the index is `j`.
pub fn batch_cond(
    branches: &[Graph],
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let (Some((index, operands)), Some((&index_b, operand_b))) =
        (inputs.split_first(), batched.split_first())
    else {
        return Err("cond takes an index operand".into());
    };
    let n_out = branches
        .first()
        .ok_or("cond has no branches")?
        .outputs
        .len();
    // Each branch is batched once; the union of their batched outputs is
    // what every branch must give.
    let t = b.transforms();
    let vmapped = (branches.iter())
        .map(|g| t.vmap_graph(g, operand_b, size))
        .collect::<R<Vec<_>>>()?;
    let mut out_b = vec![index_b; n_out];
    for v in &vmapped {
        out_b = (out_b.iter().zip(&v.out_batched))
            .map(|(a, b)| *a || *b)
            .collect();
    }
    let batched_branches = (vmapped.into_iter())
        .map(|v| t.fit_region(v, size, &out_b))
        .collect::<R<Vec<_>>>()?;
    if !index_b {
        let outs = b.apply(
            Prim::new(Cond {
                branches: batched_branches,
            }),
            inputs,
        )?;
        return Ok((outs, out_b));
    }
    let mut results = vec![];
    for g in &batched_branches {
        results.push(b.inline(g, operands)?);
    }
    let (last, others) = results.split_last().ok_or("cond has no branches")?;
    let mut outs = last.clone();
    for (j, r) in others.iter().enumerate() {
        let j = i32::try_from(j).map_err(|_| "too many branches")?;
        let is_j = b.compare(Cmp::Eq, index, &Atom::Const(Tensor::scalar_i32(j)))?;
        for (out, x) in outs.iter_mut().zip(r) {
            *out = select_rows(b, &is_j, x, out)?;
        }
    }
    Ok((outs, out_b))
}
