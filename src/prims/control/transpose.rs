//! Transpose rules of the control-flow primitives: the transpose of a
//! region comes from the graph-level driver, so a loop (conditional) linear
//! in some operands becomes a loop (conditional) over cotangents.
//!
//! A `while` never appears in a linear graph: linearization turns a loop
//! with a trip count into a `scan` and refuses the others.

use super::{pick, spread};
use crate::ir::Builder;
use crate::ir::{fresh_var, Atom, Graph, Var};
use crate::prims::build::Build;
use crate::prims::{Cond, Scan};
use crate::prims::{JvpResult, Prim};

type R<T> = crate::ir::RuleResult<T>;

/// The cotangent, or zeros of the value's type.
fn ct_or_zero(b: &mut Builder, ct: &Option<Atom>, ty: &crate::types::TensorType) -> R<Atom> {
    match ct {
        Some(c) => Ok(c.clone()),
        None => b.zeros(ty),
    }
}

/// A conditional linear in some operands transposes branch by branch:
/// `cond(index, non-linear operands, output cotangents)` whose branch `k`
/// is branch `k` transposed, giving the linear operands' cotangents.
pub fn transpose_cond(
    branches: &[Graph],
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    let (Some((index, operands)), Some((false, op_linear))) =
        (inputs.split_first(), linear.split_first())
    else {
        return Err("the index of a cond is not linear".into());
    };
    let transposed = (branches.iter())
        .map(|g| b.transforms().transpose_graph(g, op_linear))
        .collect::<R<Vec<_>>>()?;
    let first = branches.first().ok_or("cond has no branches")?;
    let mut args = vec![index.clone()];
    args.extend(pick(operands, op_linear, false));
    for (ct, ty) in cts.iter().zip(first.output_types()) {
        args.push(ct_or_zero(b, ct, &ty)?);
    }
    let outs = b.apply(
        Prim::new(Cond {
            branches: transposed,
        }),
        &args,
    )?;
    let mut it = outs.into_iter();
    let mut result = vec![None];
    result.extend(op_linear.iter().map(|&l| if l { it.next() } else { None }));
    Ok(result)
}

/// A scan linear in its carries and in some constants and stacked inputs
/// (the others are residuals) transposes to a scan in the other direction:
///
/// * its carries are the carries' cotangents, then one accumulator per
///   linear constant (a constant is read by every iteration, so its
///   cotangent is the sum of every iteration's);
/// * it reads the non-linear stacked inputs and the stacked outputs'
///   cotangents, and stacks the linear stacked inputs' cotangents;
/// * its body is the body transposed, run from the last iteration back.
///
/// Every carry is treated as linear: in a linear graph a carry whose
/// initial value does not depend on the linear inputs starts at zero (the
/// JVP starts loops with zero tangents), so it has no cotangent to give.
#[allow(clippy::too_many_arguments)]
pub fn transpose_scan(
    body: &Graph,
    n_consts: usize,
    n_carries: usize,
    length: usize,
    reverse: bool,
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    let bad = || "scan operands do not match its body".to_string();
    let (consts, rest) = inputs.split_at_checked(n_consts).ok_or_else(bad)?;
    let xs = rest.get(n_carries..).ok_or_else(bad)?;
    let const_lin = linear.get(..n_consts).ok_or_else(bad)?;
    let xs_lin = linear.get(n_consts + n_carries..).ok_or_else(bad)?;
    let body_lin = [const_lin, &vec![true; n_carries], xs_lin].concat();
    let tb = b.transforms().transpose_graph(body, &body_lin)?;
    let new_body = transposed_body(&tb, body, [n_consts, n_carries], const_lin, xs_lin)?;
    let out_types = body.output_types();
    let (carry_ts, y_ts) = out_types.split_at_checked(n_carries).ok_or_else(bad)?;
    let mut args = pick(consts, const_lin, false);
    for (i, ty) in carry_ts.iter().enumerate() {
        args.push(ct_or_zero(b, &cts.get(i).cloned().flatten(), ty)?);
    }
    for c in pick(consts, const_lin, true) {
        args.push(b.zeros(&c.ty())?);
    }
    args.extend(pick(xs, xs_lin, false));
    for (i, ty) in y_ts.iter().enumerate() {
        let stacked = super::scan::stacked_type(ty, length);
        args.push(ct_or_zero(
            b,
            &cts.get(n_carries + i).cloned().flatten(),
            &stacked,
        )?);
    }
    let n_lin_consts = pick(consts, const_lin, true).len();
    let prim = Prim::new(Scan {
        body: Box::new(new_body),
        n_consts: n_consts - n_lin_consts,
        n_carries: n_carries + n_lin_consts,
        length,
        reverse: !reverse,
    });
    let outs = b.apply(prim, &args)?;
    let (carry_cts, rest) = outs.split_at(n_carries);
    let (const_cts, xs_cts) = rest.split_at(n_lin_consts);
    let mut result = spread(const_cts, const_lin);
    let carry_lin = &linear[n_consts..n_consts + n_carries];
    // A carry that is not linear starts at zero: no cotangent to give it.
    result.extend((carry_cts.iter().zip(carry_lin)).map(|(c, &l)| l.then(|| c.clone())));
    result.extend(spread(xs_cts, xs_lin));
    Ok(result)
}

/// The transposed scan's body over (non-linear consts; carry cotangents,
/// accumulators; non-linear xs, ys cotangents), from the transposed
/// original body `tb` over (non-linear consts, non-linear xs, carry
/// cotangents, ys cotangents) giving (linear consts', carries', linear xs'
/// cotangents).
fn transposed_body(
    tb: &Graph,
    body: &Graph,
    [n_consts, n_carries]: [usize; 2],
    const_lin: &[bool],
    xs_lin: &[bool],
) -> R<Graph> {
    let fresh =
        |vs: Vec<&Var>| -> Vec<Var> { vs.into_iter().map(|v| fresh_var(v.ty.clone())).collect() };
    let consts = &body.inputs[..n_consts];
    let xs = &body.inputs[n_consts + n_carries..];
    let nl_consts = fresh(
        consts
            .iter()
            .zip(const_lin)
            .filter(|(_, &l)| !l)
            .map(|(v, _)| v)
            .collect(),
    );
    let nl_xs = fresh(
        xs.iter()
            .zip(xs_lin)
            .filter(|(_, &l)| !l)
            .map(|(v, _)| v)
            .collect(),
    );
    let out_types = body.output_types();
    let ct_carries: Vec<Var> = out_types[..n_carries]
        .iter()
        .cloned()
        .map(fresh_var)
        .collect();
    let ct_ys: Vec<Var> = out_types[n_carries..]
        .iter()
        .cloned()
        .map(fresh_var)
        .collect();
    let accs = fresh(
        consts
            .iter()
            .zip(const_lin)
            .filter(|(_, &l)| l)
            .map(|(v, _)| v)
            .collect(),
    );
    let atoms = |vs: &[Var]| -> Vec<Atom> { vs.iter().cloned().map(Atom::Var).collect() };
    let mut b = Builder::default();
    let args = [
        atoms(&nl_consts),
        atoms(&nl_xs),
        atoms(&ct_carries),
        atoms(&ct_ys),
    ]
    .concat();
    let outs = b.inline(tb, &args)?;
    let n_lin_consts = accs.len();
    let (const_cts, rest) = outs.split_at(n_lin_consts);
    let (carry_cts, xs_cts) = rest.split_at(n_carries);
    let mut outputs = carry_cts.to_vec();
    for (acc, ct) in accs.iter().zip(const_cts) {
        outputs.push(b.add(&Atom::Var(acc.clone()), ct)?);
    }
    outputs.extend(xs_cts.iter().cloned());
    Ok(Graph {
        inputs: [nl_consts, ct_carries, accs, nl_xs, ct_ys].concat(),
        eqns: b.eqns,
        outputs,
    })
}
