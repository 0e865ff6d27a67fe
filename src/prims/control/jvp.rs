//! JVP rules of the control-flow primitives. The JVP of a region comes from
//! the graph-level driver, so a loop (or conditional) over primals becomes
//! one over primals and tangents.
//!
//! The driver keeps the original equation next to the new one, and
//! variable ids are unique across a whole graph, regions included; so every
//! region placed in a new equation is a copy with fresh variables.

use super::{split, spread};
use crate::ir::transforms::{Jvp, Tx};
use crate::ir::Builder;
use crate::ir::{fresh_var, Atom, Graph, Var};
use crate::prims::build::tangent_or_zero;
use crate::prims::{Cond, Scan, While};
use crate::prims::{JvpResult, Prim};
use crate::span::Span;

type R<T> = crate::ir::RuleResult<T>;

/// The JVP of a loop is a loop over (primals, tangents): its body is the
/// JVP of the body, its condition reads only the primals. The operands are
/// the consts, their nonzero tangents (loop-invariant too), the carries and
/// the carries' tangents; `trip_count` is kept.
///
/// Which carries need a tangent is a fixed point: those whose initial
/// tangent is nonzero, plus those the body gives a nonzero tangent from the
/// nonzero ones. The set only grows, so this takes at most one round per
/// carry. The others have a zero tangent on every iteration.
#[allow(clippy::too_many_arguments)]
pub fn jvp_while(
    cond: &Graph,
    body: &Graph,
    n_consts: usize,
    (trip_count, span): (Option<u64>, Option<Span>),
    b: &mut Builder,
    primals: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let (Some((consts, carries)), Some((const_ts, carry_ts))) =
        (split(primals, n_consts), split(tangents, n_consts))
    else {
        return Err("while has fewer operands than constants".into());
    };
    if body.inputs.len() != primals.len() || tangents.len() != primals.len() {
        return Err("while operands do not match its body".into());
    }
    let const_nz: Vec<bool> = const_ts.iter().map(Option::is_some).collect();
    let (carry_nz, body_jvp) = carry_fixed_point(b.transforms(), body, &const_nz, carry_ts, &[])?;
    if !carry_nz.contains(&true) {
        return Ok(vec![None; carries.len()]);
    }
    let new_body = loop_body(&body_jvp, n_consts, &const_nz, &carry_nz)?;
    let new_cond = loop_cond(cond, n_consts, &const_nz, &carry_nz)?;
    let mut inputs = consts.to_vec();
    inputs.extend(const_ts.iter().flatten().cloned());
    inputs.extend(carries.iter().cloned());
    for ((t, p), _) in carry_ts
        .iter()
        .zip(carries)
        .zip(&carry_nz)
        .filter(|(_, &nz)| nz)
    {
        inputs.push(tangent_or_zero(b, t, p)?);
    }
    let prim = Prim::new(While {
        cond: Box::new(new_cond),
        body: Box::new(new_body),
        n_consts: n_consts + const_ts.iter().flatten().count(),
        trip_count,
        span,
    });
    let outs = b.apply(prim, &inputs)?;
    b.primals = Some(outs[..carries.len()].to_vec());
    Ok(spread(outs.get(carries.len()..).unwrap_or(&[]), &carry_nz))
}

/// The carries that may have a nonzero tangent, and the body's JVP for
/// them. The body's inputs are the constants, the carries, then (in a
/// `scan`) the stacked inputs' slices; its first outputs are the carries.
fn carry_fixed_point(
    t: Tx,
    body: &Graph,
    const_nz: &[bool],
    carry_ts: &[Option<Atom>],
    xs_nz: &[bool],
) -> R<(Vec<bool>, Jvp)> {
    let mut carry_nz: Vec<bool> = carry_ts.iter().map(Option::is_some).collect();
    loop {
        let nz: Vec<bool> = [const_nz, &carry_nz, xs_nz].concat();
        let jvp = t.jvp_graph(body, &nz)?;
        let grown: Vec<bool> = (carry_nz.iter().zip(&jvp.out_nonzero))
            .map(|(&before, &now)| before || now)
            .collect();
        if grown == carry_nz {
            return Ok((carry_nz, jvp));
        }
        carry_nz = grown;
    }
}

/// The body's JVP with inputs reordered to (consts, const tangents,
/// carries, carry tangents) and a tangent output for each marked carry.
fn loop_body(jvp: &Jvp, n_consts: usize, const_nz: &[bool], carry_nz: &[bool]) -> R<Graph> {
    let mut g = with_tangents(jvp, carry_nz)?;
    let n_primal = const_nz.len() + carry_nz.len();
    let n_const_ts = const_nz.iter().filter(|&&nz| nz).count();
    let bad = || "while body JVP has unexpected inputs".to_string();
    let (primal, ts) = split(&g.inputs, n_primal).ok_or_else(bad)?;
    let (consts, carries) = split(primal, n_consts).ok_or_else(bad)?;
    let (const_ts, carry_ts) = split(ts, n_const_ts).ok_or_else(bad)?;
    g.inputs = [consts, const_ts, carries, carry_ts].concat();
    Ok(g)
}

/// The condition over (consts, const tangents, carries, carry tangents),
/// ignoring the tangents.
fn loop_cond(cond: &Graph, n_consts: usize, const_nz: &[bool], carry_nz: &[bool]) -> R<Graph> {
    let mut g = cond.fresh_copy();
    let (consts, carries) = split(&g.inputs, n_consts).ok_or("while condition inputs")?;
    let tangents_of = |vars: &[Var], nz: &[bool]| -> Vec<Var> {
        (vars.iter().zip(nz).filter(|(_, &nz)| nz))
            .map(|(v, _)| fresh_var(v.ty.clone()))
            .collect()
    };
    let (const_ts, carry_ts) = (
        tangents_of(consts, const_nz),
        tangents_of(carries, carry_nz),
    );
    g.inputs = [consts, &const_ts, carries, &carry_ts].concat();
    Ok(g)
}

/// The JVP of a scan is a scan over primals and tangents: the constants
/// and the stacked inputs bring their nonzero tangents, the carries those
/// the fixed point finds, and the stacked outputs get their nonzero
/// tangents. Operands: consts, const tangents, carries, carry tangents,
/// xs, xs tangents; results: carries, carry tangents, ys, ys tangents.
#[allow(clippy::too_many_arguments)]
pub fn jvp_scan(
    body: &Graph,
    n_consts: usize,
    n_carries: usize,
    length: usize,
    reverse: bool,
    b: &mut Builder,
    primals: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let bad = || "scan operands do not match its body".to_string();
    if body.inputs.len() != primals.len() || tangents.len() != primals.len() {
        return Err(bad());
    }
    let (consts, rest) = split(primals, n_consts).ok_or_else(bad)?;
    let (carries, xs) = split(rest, n_carries).ok_or_else(bad)?;
    let (const_ts, rest) = split(tangents, n_consts).ok_or_else(bad)?;
    let (carry_ts, xs_ts) = split(rest, n_carries).ok_or_else(bad)?;
    let nz = |ts: &[Option<Atom>]| ts.iter().map(Option::is_some).collect::<Vec<bool>>();
    let (const_nz, xs_nz) = (nz(const_ts), nz(xs_ts));
    let (carry_nz, jvp) = carry_fixed_point(b.transforms(), body, &const_nz, carry_ts, &xs_nz)?;
    let ys_nz = jvp.out_nonzero.get(n_carries..).ok_or_else(bad)?.to_vec();
    if !carry_nz.contains(&true) && !ys_nz.contains(&true) {
        return Ok(vec![None; n_carries + ys_nz.len()]);
    }
    let new_body = scan_body(
        &jvp,
        [n_consts, n_carries],
        [&const_nz, &carry_nz, &xs_nz],
        &ys_nz,
    )?;
    let mut inputs = [
        consts,
        const_ts
            .iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .as_slice(),
        carries,
    ]
    .concat();
    for (t, p) in carry_ts
        .iter()
        .zip(carries)
        .zip(&carry_nz)
        .filter(|(_, &nz)| nz)
        .map(|(tp, _)| tp)
    {
        inputs.push(tangent_or_zero(b, t, p)?);
    }
    inputs.extend(xs.iter().cloned());
    inputs.extend(xs_ts.iter().flatten().cloned());
    let n_carry_ts = carry_nz.iter().filter(|&&nz| nz).count();
    let prim = Prim::new(Scan {
        body: Box::new(new_body),
        n_consts: n_consts + const_nz.iter().filter(|&&nz| nz).count(),
        n_carries: n_carries + n_carry_ts,
        length,
        reverse,
    });
    let outs = b.apply(prim, &inputs)?;
    let (carry_part, ys_part) = split(&outs, n_carries + n_carry_ts).ok_or_else(bad)?;
    let (carry_outs, carry_t_outs) = carry_part.split_at(n_carries);
    let (ys_outs, ys_t_outs) = split(ys_part, ys_nz.len()).ok_or_else(bad)?;
    b.primals = Some([carry_outs, ys_outs].concat());
    Ok([spread(carry_t_outs, &carry_nz), spread(ys_t_outs, &ys_nz)].concat())
}

/// The JVP of a scan body with inputs reordered to (consts, const
/// tangents, carries, carry tangents, xs, xs tangents) and outputs to
/// (carries, carry tangents, ys, ys tangents), with a tangent for each
/// marked carry and each marked stacked output.
fn scan_body(
    jvp: &Jvp,
    [n_consts, n_carries]: [usize; 2],
    [const_nz, carry_nz, xs_nz]: [&[bool]; 3],
    ys_nz: &[bool],
) -> R<Graph> {
    let want = [carry_nz, ys_nz].concat();
    let mut g = with_tangents(jvp, &want)?;
    let count = |nz: &[bool]| nz.iter().filter(|&&x| x).count();
    let bad = || "scan body JVP has unexpected inputs or outputs".to_string();
    let n_primal = const_nz.len() + carry_nz.len() + xs_nz.len();
    let (primal, ts) = split(&g.inputs, n_primal).ok_or_else(bad)?;
    let (consts, rest) = split(primal, n_consts).ok_or_else(bad)?;
    let (carries, xs) = split(rest, n_carries).ok_or_else(bad)?;
    let (const_ts, rest) = split(ts, count(const_nz)).ok_or_else(bad)?;
    let (carry_ts, xs_ts) = split(rest, count(carry_nz)).ok_or_else(bad)?;
    let inputs = [consts, const_ts, carries, carry_ts, xs, xs_ts].concat();
    let (primal_out, t_out) = split(&g.outputs, want.len()).ok_or_else(bad)?;
    let (carry_out, ys_out) = primal_out.split_at(n_carries);
    let (carry_t_out, ys_t_out) = split(t_out, count(carry_nz)).ok_or_else(bad)?;
    let outputs = [carry_out, carry_t_out, ys_out, ys_t_out].concat();
    g.inputs = inputs;
    g.outputs = outputs;
    Ok(g)
}

/// Each branch is differentiated with the same operand tangents. An output
/// whose tangent is nonzero in some branch gets one from every branch
/// (zeros where a branch has none); the new `cond` takes the index, the
/// operands, then their nonzero tangents.
pub fn jvp_cond(
    branches: &[Graph],
    b: &mut Builder,
    primals: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let (Some((index, operands)), Some(operand_ts)) = (primals.split_first(), tangents.get(1..))
    else {
        return Err("cond takes an index operand".into());
    };
    let nz: Vec<bool> = operand_ts.iter().map(Option::is_some).collect();
    let jvps =
        (branches.iter().map(|g| b.transforms().jvp_graph(g, &nz))).collect::<R<Vec<Jvp>>>()?;
    let n_out = branches
        .first()
        .ok_or("cond has no branches")?
        .outputs
        .len();
    let out_nz: Vec<bool> = (0..n_out)
        .map(|i| jvps.iter().any(|j| j.out_nonzero.get(i) == Some(&true)))
        .collect();
    if !out_nz.contains(&true) {
        return Ok(vec![None; n_out]);
    }
    let branches = (jvps.iter().map(|j| with_tangents(j, &out_nz))).collect::<R<Vec<_>>>()?;
    let mut inputs = vec![index.clone()];
    inputs.extend(operands.iter().cloned());
    inputs.extend(operand_ts.iter().flatten().cloned());
    let outs = b.apply(Prim::new(Cond { branches }), &inputs)?;
    b.primals = Some(outs[..n_out].to_vec());
    Ok(spread(outs.get(n_out..).unwrap_or(&[]), &out_nz))
}

/// A fresh copy of a JVP graph whose outputs are the primal outputs, then
/// a tangent for each output marked in `want` (a superset of the JVP's
/// nonzero outputs): zeros where the JVP has none.
fn with_tangents(jvp: &Jvp, want: &[bool]) -> R<Graph> {
    let g = jvp.graph.fresh_copy();
    let (primal, ts) = split(&g.outputs, want.len()).ok_or("JVP graph lacks outputs")?;
    let mut ts = ts.iter();
    let mut b = Builder::default();
    b.eqns = g.eqns;
    let mut outputs = primal.to_vec();
    for ((p, &nz), &w) in primal.iter().zip(&jvp.out_nonzero).zip(want) {
        let t = if nz { ts.next().cloned() } else { None };
        if w {
            outputs.push(tangent_or_zero(&mut b, &t, p)?);
        } else if t.is_some() {
            return Err("a nonzero tangent was not asked for".into());
        }
    }
    Ok(Graph {
        inputs: g.inputs,
        eqns: b.eqns,
        outputs,
    })
}
