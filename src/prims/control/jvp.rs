//! JVP rules of the control-flow primitives. The JVP of a region comes from
//! the graph-level driver, so a loop (or conditional) over primals becomes
//! one over primals and tangents.
//!
//! The driver keeps the original equation next to the new one, and
//! variable ids are unique across a whole graph, regions included; so every
//! region placed in a new equation is a copy with fresh variables.

use crate::ir::{fresh_var, Atom, Eqn, Graph, Var, VarId};
use crate::prims::{JvpResult, Prim};
use crate::transform::jvp::{jvp_graph, tangent_or_zero, Jvp};
use crate::transform::Builder;
use std::collections::HashMap;

type R<T> = Result<T, String>;

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
    trip_count: Option<u64>,
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
    let (carry_nz, body_jvp) = carry_fixed_point(body, &const_nz, carry_ts)?;
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
    let prim = Prim::While {
        cond: Box::new(new_cond),
        body: Box::new(new_body),
        n_consts: n_consts + const_ts.iter().flatten().count(),
        trip_count,
    };
    let outs = b.apply(prim, &inputs)?;
    b.primals = Some(outs[..carries.len()].to_vec());
    Ok(spread(outs.get(carries.len()..).unwrap_or(&[]), &carry_nz))
}

/// The carries that may have a nonzero tangent, and the body's JVP for them.
fn carry_fixed_point(
    body: &Graph,
    const_nz: &[bool],
    carry_ts: &[Option<Atom>],
) -> R<(Vec<bool>, Jvp)> {
    let mut carry_nz: Vec<bool> = carry_ts.iter().map(Option::is_some).collect();
    loop {
        let nz: Vec<bool> = const_nz.iter().chain(&carry_nz).copied().collect();
        let jvp = jvp_graph(body, &nz)?;
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
    let mut g = fresh_copy(cond);
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
    let jvps = (branches.iter().map(|g| jvp_graph(g, &nz))).collect::<R<Vec<Jvp>>>()?;
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
    let outs = b.apply(Prim::Cond { branches }, &inputs)?;
    b.primals = Some(outs[..n_out].to_vec());
    Ok(spread(outs.get(n_out..).unwrap_or(&[]), &out_nz))
}

/// A fresh copy of a JVP graph whose outputs are the primal outputs, then
/// a tangent for each output marked in `want` (a superset of the JVP's
/// nonzero outputs): zeros where the JVP has none.
fn with_tangents(jvp: &Jvp, want: &[bool]) -> R<Graph> {
    let g = fresh_copy(&jvp.graph);
    let (primal, ts) = split(&g.outputs, want.len()).ok_or("JVP graph lacks outputs")?;
    let mut ts = ts.iter();
    let mut b = Builder {
        eqns: g.eqns,
        primals: None,
    };
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

/// `Some` of the next tangent for each marked position, `None` elsewhere.
fn spread(tangents: &[Atom], marked: &[bool]) -> Vec<Option<Atom>> {
    let mut ts = tangents.iter();
    marked
        .iter()
        .map(|&m| if m { ts.next().cloned() } else { None })
        .collect()
}

/// `(xs[..n], xs[n..])`, or `None` if `xs` is shorter than `n`.
fn split<T>(xs: &[T], n: usize) -> Option<(&[T], &[T])> {
    (n <= xs.len()).then(|| xs.split_at(n))
}

/// A copy of `g` (regions included) with every variable replaced by a fresh one.
fn fresh_copy(g: &Graph) -> Graph {
    copy_graph(g, &mut HashMap::new())
}

fn copy_graph(g: &Graph, map: &mut HashMap<VarId, Var>) -> Graph {
    let inputs = g.inputs.iter().map(|v| define(v, map)).collect();
    let mut eqns = Vec::with_capacity(g.eqns.len());
    for e in &g.eqns {
        eqns.push(Eqn {
            prim: copy_regions(&e.prim, map),
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

/// `prim` with its regions (if any) copied with fresh variables.
fn copy_regions(prim: &Prim, map: &mut HashMap<VarId, Var>) -> Prim {
    prim.map_regions(|g| copy_graph(g, map))
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
