//! Primitives with derivatives of their own: `custom_jvp`, `custom_vjp`
//! (with `custom_vjp_lin`, its tangent map) and `linear_solve`. The
//! language's `custom_jvp`, `custom_vjp` and `linear_solve` build them
//! (`eval/custom.rs`), and the prelude's `implicit_solve` is written with
//! them.
//!
//! * `custom_jvp { primal, jvp, closed }` computes `primal(inputs)`; its JVP
//!   is the `jvp` graph, not the derivative of `primal`. `jvp` takes the
//!   inputs, then one tangent per float input, and gives the outputs, then
//!   one tangent per float output.
//! * `custom_vjp { primal, fwd, bwd, closed }` computes `primal(inputs)`.
//!   Its JVP runs `fwd`, which also gives residuals, and applies
//!   `custom_vjp_lin { bwd }` to the tangents: a linear map known only by
//!   its transpose `bwd`, so reverse mode works and forward mode is an
//!   error, as in JAX.
//! * In both, the first `closed` inputs are values the user's functions
//!   close over. The rules do not know how the result depends on them, so
//!   differentiating with respect to one is an error, never a silent zero.
//! * `linear_solve { matvec, solve, transpose_solve, n_consts }` takes
//!   constants `c` and a right-hand side `b` and gives `x = solve(c, b)`,
//!   which approximates `A⁻¹b` for the linear map `A·u = matvec(c, u)`.
//!   Its derivatives come from the linear map, never from `solve` (as in
//!   `jax.lax.custom_linear_solve`): it is linear in `b`, its transpose is
//!   the solve with `Aᵀ` (`transpose_solve`, whose map is `matvec`
//!   transposed), and a change `dc` of the constants moves `x` by
//!   `−A⁻¹·(dA·x)`, `dA·x` being the JVP of `matvec` in `c` at `u = x`.

use crate::interp::run_graph;
use crate::ir::emit::{Emitter, Value};
use crate::ir::transforms::Tx;
use crate::ir::Builder;
use crate::ir::RuleResult;
use crate::ir::{Atom, Graph};
use crate::prims::batching::to_batched;
use crate::prims::build::tangent_or_zero;
use crate::prims::build::Build;
use crate::prims::control::{check_types, split, spread};
use crate::prims::{BatchResult, JvpResult, Prim};
use crate::tensor::Tensor;
use crate::types::TensorType;

type R<T> = crate::ir::RuleResult<T>;

/// The types of the float values among `types` (those with tangents).
fn float_types(types: &[TensorType]) -> Vec<TensorType> {
    (types.iter())
        .filter(|t| t.dtype.is_inexact())
        .cloned()
        .collect()
}

// ---------------------------------------------------------------- custom_jvp

pub fn infer_custom_jvp(primal: &Graph, jvp: &Graph, inputs: &[TensorType]) -> R<Vec<TensorType>> {
    check_types("custom_jvp primal inputs", &primal.input_types(), inputs)?;
    let outs = primal.output_types();
    let jvp_in = [inputs, &float_types(inputs)].concat();
    check_types("custom_jvp jvp inputs", &jvp.input_types(), &jvp_in)?;
    let jvp_out = [outs.as_slice(), &float_types(&outs)].concat();
    check_types("custom_jvp jvp results", &jvp.output_types(), &jvp_out)?;
    Ok(outs)
}

pub fn eval_custom_jvp(primal: &Graph, inputs: &[Tensor]) -> R<Vec<Tensor>> {
    run_graph(primal, inputs)
}

pub fn lower_custom_jvp(primal: &Graph, em: &mut Emitter, inputs: &[Value]) -> R<Vec<Value>> {
    em.lower_graph(primal, inputs)
}

/// What differentiating a custom rule with respect to a closed-over value says.
pub const CLOSED_OVER: &str = "a function with a custom derivative is differentiated with respect to a value it closes over, which its rule does not know about; pass that value as an argument (or make it explicit with `closure_convert`)";

/// What evaluating the tangent map of a `custom_vjp` says.
pub const FORWARD_MODE_OF_CUSTOM_VJP: &str = "a function made by `custom_vjp` has a reverse-mode derivative only; forward mode (`jvp`, `hvp`'s outer derivative) needs `custom_jvp`";

/// Fails if one of the first `closed` inputs has a tangent.
fn check_closed(tangents: &[Option<Atom>], closed: usize) -> RuleResult<()> {
    match tangents.iter().take(closed).any(Option::is_some) {
        true => Err(CLOSED_OVER.into()),
        false => Ok(()),
    }
}

/// The JVP is the `jvp` graph, inlined with zeros for the tangents that
/// are symbolic zeros; it computes the outputs too, in place of `primal`.
pub fn jvp_custom_jvp(
    jvp: &Graph,
    closed: usize,
    b: &mut Builder,
    primals: &[Atom],
    outs: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    check_closed(tangents, closed)?;
    let mut args = primals.to_vec();
    for (p, t) in primals.iter().zip(tangents) {
        if p.ty().dtype.is_inexact() {
            args.push(tangent_or_zero(b, t, p)?);
        }
    }
    let results = b.inline(jvp, &args)?;
    let (values, ts) = results
        .split_at_checked(outs.len())
        .ok_or("custom_jvp's jvp graph gives too few results")?;
    b.primals = Some(values.to_vec());
    let floats: Vec<bool> = values.iter().map(|v| v.ty().dtype.is_inexact()).collect();
    Ok(spread(ts, &floats))
}

/// Both graphs batched alike: an output is batched where either graph
/// makes it (or its tangent) batched; a tangent is batched as its primal.
pub fn batch_custom_jvp(
    primal: &Graph,
    jvp: &Graph,
    closed: usize,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let float_in: Vec<bool> = (inputs.iter().zip(batched))
        .filter(|(a, _)| a.ty().dtype.is_inexact())
        .map(|(_, &bt)| bt)
        .collect();
    let jvp_flags = [batched, &float_in].concat();
    // Each region is batched once; the results are then shaped to the
    // batching both must give.
    let t = b.transforms();
    let p_v = t.vmap_graph(primal, batched, size)?;
    let j_v = t.vmap_graph(jvp, &jvp_flags, size)?;
    let (p_out, j_out) = (p_v.out_batched.clone(), j_v.out_batched.clone());
    let out_types = primal.output_types();
    let mut j_tangents = j_out[out_types.len()..].iter();
    let out_b: Vec<bool> = (out_types.iter().enumerate())
        .map(|(i, t)| {
            let tangent = t.dtype.is_inexact() && *j_tangents.next().unwrap_or(&false);
            p_out[i] || j_out[i] || tangent
        })
        .collect();
    let want_jvp: Vec<bool> = (out_b.iter().copied())
        .chain(
            (out_types.iter().zip(&out_b))
                .filter(|(t, _)| t.dtype.is_inexact())
                .map(|(_, &bt)| bt),
        )
        .collect();
    let prim = Prim::new(CustomJvp {
        primal: Box::new(t.fit_region(p_v, size, &out_b)?),
        jvp: Box::new(t.fit_region(j_v, size, &want_jvp)?),
        closed,
    });
    Ok((b.apply(prim, inputs)?, out_b))
}

// ---------------------------------------------------------------- custom_vjp

pub fn infer_custom_vjp(
    primal: &Graph,
    fwd: &Graph,
    bwd: &Graph,
    closed: usize,
    inputs: &[TensorType],
) -> R<Vec<TensorType>> {
    check_types("custom_vjp primal inputs", &primal.input_types(), inputs)?;
    check_types("custom_vjp fwd inputs", &fwd.input_types(), inputs)?;
    let outs = primal.output_types();
    let fwd_outs = fwd.output_types();
    let (values, residuals) =
        split(&fwd_outs, outs.len()).ok_or("custom_vjp fwd gives too few results")?;
    check_types("custom_vjp fwd results", values, &outs)?;
    let (closed_in, args) = split(inputs, closed).ok_or("custom_vjp closes over too much")?;
    let bwd_in = [closed_in, residuals, &float_types(&outs)].concat();
    check_types("custom_vjp bwd inputs", &bwd.input_types(), &bwd_in)?;
    check_types(
        "custom_vjp bwd results",
        &bwd.output_types(),
        &float_types(args),
    )?;
    Ok(outs)
}

/// Runs `fwd` in place of `primal` (it gives the outputs and the
/// residuals), then the tangent map `custom_vjp_lin` on the tangents of
/// the float arguments (zeros where they are symbolic).
pub fn jvp_custom_vjp(
    prim: &CustomVjp,
    b: &mut Builder,
    primals: &[Atom],
    outs: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let CustomVjp {
        fwd, bwd, closed, ..
    } = prim;
    check_closed(tangents, *closed)?;
    let results = b.inline(fwd, primals)?;
    let (values, residuals) = results.split_at(outs.len());
    b.primals = Some(values.to_vec());
    let mut lin_in = primals[..*closed].to_vec();
    lin_in.extend(residuals.iter().cloned());
    for (p, t) in primals.iter().zip(tangents).skip(*closed) {
        if p.ty().dtype.is_inexact() {
            lin_in.push(tangent_or_zero(b, t, p)?);
        }
    }
    let lin = Prim::new(CustomVjpLin {
        bwd: Box::new(bwd.fresh_copy()),
        n_res: closed + residuals.len(),
    });
    let ts = b.apply(lin, &lin_in)?;
    let floats: Vec<bool> = values.iter().map(|v| v.ty().dtype.is_inexact()).collect();
    Ok(spread(&ts, &floats))
}

/// The three graphs batched alike. An output (or residual) is batched
/// where `primal` or `fwd` makes it so; `bwd` then gives each argument's
/// cotangent per example, summed over the batch for an argument that is
/// not batched (it was shared by every example).
pub fn batch_custom_vjp(
    prim: &CustomVjp,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let CustomVjp {
        primal,
        fwd,
        bwd,
        closed,
    } = prim;
    let outs = primal.output_types();
    // Each region is batched once, then shaped to the batching it must give.
    let t = b.transforms();
    let p_v = t.vmap_graph(primal, batched, size)?;
    let f_v = t.vmap_graph(fwd, batched, size)?;
    let (p_out, f_out) = (&p_v.out_batched, &f_v.out_batched);
    let mut out_b: Vec<bool> = (p_out.iter().zip(f_out)).map(|(p, f)| *p || *f).collect();
    let res_b = f_out[outs.len()..].to_vec();
    let float_out_b = (outs.iter().zip(&out_b))
        .filter(|(t, _)| t.dtype.is_inexact())
        .map(|(_, &bt)| bt);
    let bwd_flags: Vec<bool> = (batched[..*closed].iter().copied())
        .chain(res_b.iter().copied())
        .chain(float_out_b)
        .collect();
    let arg_b: Vec<bool> = (inputs.iter().zip(batched).skip(*closed))
        .filter(|(a, _)| a.ty().dtype.is_inexact())
        .map(|(_, &bt)| bt)
        .collect();
    let fwd_want = [out_b.clone(), res_b].concat();
    let prim = Prim::new(CustomVjp {
        primal: Box::new(t.fit_region(p_v, size, &out_b)?),
        fwd: Box::new(t.fit_region(f_v, size, &fwd_want)?),
        bwd: Box::new(batch_cotangents(t, bwd, &bwd_flags, &arg_b, size)?),
        closed: *closed,
    });
    let results = b.apply(prim, inputs)?;
    out_b.truncate(results.len());
    Ok((results, out_b))
}

/// `bwd` batched, with each result batched as `want` says: a per-example
/// cotangent of a shared value is summed over the batch.
fn batch_cotangents(t: Tx, bwd: &Graph, flags: &[bool], want: &[bool], size: usize) -> R<Graph> {
    let mut v = t.vmap_graph(bwd, flags, size)?;
    let mut b = Builder::with_eqns(t, std::mem::take(&mut v.graph.eqns));
    let mut outputs = vec![];
    for ((o, &is), &w) in v.graph.outputs.iter().zip(&v.out_batched).zip(want) {
        outputs.push(match (is, w) {
            (true, false) => b.reduce_sum(o, &[0])?,
            (false, true) => to_batched(&mut b, o, false, size)?,
            _ => o.clone(),
        });
    }
    v.graph.eqns = b.eqns;
    v.graph.outputs = outputs;
    Ok(v.graph)
}

pub fn infer_custom_vjp_lin(
    bwd: &Graph,
    n_res: usize,
    inputs: &[TensorType],
) -> R<Vec<TensorType>> {
    let bwd_in = bwd.input_types();
    let (res, tangents) = split(inputs, n_res).ok_or("custom_vjp_lin lacks its residuals")?;
    let (bwd_res, out_types) = split(&bwd_in, n_res).ok_or("custom_vjp_lin's bwd lacks inputs")?;
    check_types("custom_vjp_lin residuals", bwd_res, res)?;
    check_types("custom_vjp_lin tangents", &bwd.output_types(), tangents)?;
    Ok(out_types.to_vec())
}

/// The transpose of the tangent map is `bwd` itself, applied to the
/// cotangents of the outputs (zeros where they are symbolic).
pub fn transpose_custom_vjp_lin(
    bwd: &Graph,
    n_res: usize,
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    if linear[..n_res].contains(&true) {
        return Err("custom_vjp_lin is linear in its tangents only".into());
    }
    let mut args = inputs[..n_res].to_vec();
    let out_types = &bwd.input_types()[n_res..];
    for (ct, ty) in cts.iter().zip(out_types) {
        args.push(match ct {
            Some(ct) => ct.clone(),
            None => b.zeros(ty)?,
        });
    }
    let back = b.inline(bwd, &args)?;
    let mut result = vec![None; n_res];
    let marked = linear[n_res..].iter();
    result.extend(back.into_iter().zip(marked).map(|(ct, &l)| l.then_some(ct)));
    Ok(result)
}

/// A batch of tangent maps: `bwd` batched, on batched tangents.
pub fn batch_custom_vjp_lin(
    bwd: &Graph,
    n_res: usize,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let n_cts = bwd.inputs.len() - n_res;
    let flags = [&batched[..n_res], &vec![true; n_cts][..]].concat();
    let want = vec![true; bwd.outputs.len()];
    let prim = Prim::new(CustomVjpLin {
        bwd: Box::new(b.transforms().batch_region(bwd, &flags, size, &want)?),
        n_res,
    });
    let mut args = inputs[..n_res].to_vec();
    for (t, &bt) in inputs.iter().zip(batched).skip(n_res) {
        args.push(to_batched(b, t, bt, size)?);
    }
    let outs = b.apply(prim, &args)?;
    let n = outs.len();
    Ok((outs, vec![true; n]))
}

// ---------------------------------------------------------------- linear_solve

pub fn infer_linear_solve(
    matvec: &Graph,
    solve: &Graph,
    transpose_solve: &Graph,
    n_consts: usize,
    inputs: &[TensorType],
) -> R<Vec<TensorType>> {
    if inputs.len() != n_consts + 1 {
        return Err(format!(
            "linear_solve takes {} constant(s) and a right-hand side, got {} operand(s)",
            n_consts,
            inputs.len()
        )
        .into());
    }
    let rhs = &inputs[n_consts..];
    for (what, g) in [
        ("matvec", matvec),
        ("solve", solve),
        ("transpose_solve", transpose_solve),
    ] {
        check_types(
            &format!("linear_solve {} inputs", what),
            &g.input_types(),
            inputs,
        )?;
        check_types(
            &format!("linear_solve {} results", what),
            &g.output_types(),
            rhs,
        )?;
    }
    Ok(rhs.to_vec())
}

pub fn eval_linear_solve(solve: &Graph, inputs: &[Tensor]) -> R<Vec<Tensor>> {
    run_graph(solve, inputs)
}

pub fn lower_linear_solve(solve: &Graph, em: &mut Emitter, inputs: &[Value]) -> R<Vec<Value>> {
    em.lower_graph(solve, inputs)
}

/// `x = A⁻¹b` with `A = A(c)`: `dx = A⁻¹·(db − dA·x)`, one more solve with
/// the same map.
pub fn jvp_linear_solve(
    prim: &LinearSolve,
    b: &mut Builder,
    primals: &[Atom],
    outs: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let LinearSolve {
        matvec, n_consts, ..
    } = prim;
    let (consts, const_ts) = (&primals[..*n_consts], &tangents[..*n_consts]);
    let x = outs.first().ok_or("linear_solve has no result")?;
    let mut rhs = tangents[*n_consts].clone();
    if const_ts.iter().any(Option::is_some) {
        // dA·x: the JVP of the map in the constants, at u = x.
        let nonzero: Vec<bool> = (const_ts.iter().map(Option::is_some))
            .chain([false])
            .collect();
        let j = b.transforms().jvp_graph(matvec, &nonzero)?;
        let mut args = consts.to_vec();
        args.push(x.clone());
        args.extend(const_ts.iter().flatten().cloned());
        let res = b.inline(&j.graph, &args)?;
        if let (Some(true), Some(da_x)) = (j.out_nonzero.first(), res.get(1)) {
            rhs = Some(match rhs {
                Some(db) => b.sub(&db, da_x)?,
                None => b.neg(da_x)?,
            });
        }
    }
    let Some(rhs) = rhs else {
        return Ok(vec![None]);
    };
    let mut args = consts.to_vec();
    args.push(rhs);
    // The original equation stays: the new one gets its own variables.
    let again = Prim::new(prim.clone()).map_regions(Graph::fresh_copy);
    Ok(vec![Some(b.apply1(again, &args)?)])
}

/// Linear in the right-hand side only: its cotangent is the solve with the
/// transposed map, `A⁻ᵀ·ct`.
pub fn transpose_linear_solve(
    prim: &LinearSolve,
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    let LinearSolve {
        matvec,
        solve,
        transpose_solve,
        n_consts,
    } = prim;
    if linear[..*n_consts].contains(&true) || linear.get(*n_consts) != Some(&true) {
        return Err("linear_solve is linear in its right-hand side only".into());
    }
    let mut result = vec![None; inputs.len()];
    let Some(Some(ct)) = cts.first() else {
        return Ok(result);
    };
    let flags: Vec<bool> = (0..=*n_consts).map(|i| i == *n_consts).collect();
    let transposed = Prim::new(LinearSolve {
        matvec: Box::new(b.transforms().transpose_graph(matvec, &flags)?),
        solve: Box::new(transpose_solve.fresh_copy()),
        transpose_solve: Box::new(solve.fresh_copy()),
        n_consts: *n_consts,
    });
    let mut args = inputs[..*n_consts].to_vec();
    args.push(ct.clone());
    result[*n_consts] = Some(b.apply1(transposed, &args)?);
    Ok(result)
}

/// The batch of a solve is one solve of the batch: the right-hand side is
/// batched whenever anything is, and the three graphs are batched alike
/// (a solver's loop then runs per example, as `vmap` of a loop does).
pub fn batch_linear_solve(
    prim: &LinearSolve,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let LinearSolve {
        matvec,
        solve,
        transpose_solve,
        n_consts,
    } = prim;
    let n = *n_consts;
    let flags: Vec<bool> = (0..=n).map(|i| i == n || batched[i]).collect();
    let batch = |g: &Graph| {
        b.transforms()
            .batch_region(g, &flags, size, &[true])
            .map(Box::new)
    };
    let prim = Prim::new(LinearSolve {
        matvec: batch(matvec)?,
        solve: batch(solve)?,
        transpose_solve: batch(transpose_solve)?,
        n_consts: n,
    });
    let mut args = inputs[..n].to_vec();
    args.push(to_batched(b, &inputs[n], batched[n], size)?);
    Ok((b.apply(prim, &args)?, vec![true]))
}

mod rules;
pub use rules::*;
