//! Primitives with derivatives of their own: `custom_jvp` and
//! `linear_solve`. `implicit_solve` is built from the two (see
//! `eval/implicit.rs`).
//!
//! * `custom_jvp { primal, jvp }` computes `primal(inputs)`; its JVP is the
//!   `jvp` graph, not the derivative of `primal`. `jvp` takes the inputs,
//!   then one tangent per float input, and gives the outputs, then one
//!   tangent per float output.
//! * `linear_solve { matvec, solve, transpose_solve, n_consts }` takes
//!   constants `c` and a right-hand side `b` and gives `x = solve(c, b)`,
//!   which approximates `A⁻¹b` for the linear map `A·u = matvec(c, u)`.
//!   Its derivatives come from the linear map, never from `solve` (as in
//!   `jax.lax.custom_linear_solve`): it is linear in `b`, its transpose is
//!   the solve with `Aᵀ` (`transpose_solve`, whose map is `matvec`
//!   transposed), and a change `dc` of the constants moves `x` by
//!   `−A⁻¹·(dA·x)`, `dA·x` being the JVP of `matvec` in `c` at `u = x`.

use crate::backend::stablehlo::{Emitter, Value};
use crate::interp::run_graph;
use crate::ir::{Atom, Graph};
use crate::prims::batching::to_batched;
use crate::prims::control::{check_types, spread};
use crate::prims::{BatchResult, JvpResult, Prim};
use crate::tensor::Tensor;
use crate::transform::jvp::{jvp_graph, tangent_or_zero};
use crate::transform::transpose::transpose_graph;
use crate::transform::vmap::{batch_region, vmap_graph};
use crate::transform::Builder;
use crate::types::TensorType;

type R<T> = Result<T, String>;

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

/// The JVP is the `jvp` graph, inlined with zeros for the tangents that
/// are symbolic zeros; it computes the outputs too, in place of `primal`.
pub fn jvp_custom_jvp(
    jvp: &Graph,
    b: &mut Builder,
    primals: &[Atom],
    outs: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
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
    let p_out = vmap_graph(primal, batched, size)?.out_batched;
    let j_out = vmap_graph(jvp, &jvp_flags, size)?.out_batched;
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
    let prim = Prim::CustomJvp {
        primal: Box::new(batch_region(primal, batched, size, &out_b)?),
        jvp: Box::new(batch_region(jvp, &jvp_flags, size, &want_jvp)?),
    };
    Ok((b.apply(prim, inputs)?, out_b))
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
        ));
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
    prim: &Prim,
    b: &mut Builder,
    primals: &[Atom],
    outs: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let Prim::LinearSolve {
        matvec, n_consts, ..
    } = prim
    else {
        return Err("not a linear_solve".into());
    };
    let (consts, const_ts) = (&primals[..*n_consts], &tangents[..*n_consts]);
    let x = outs.first().ok_or("linear_solve has no result")?;
    let mut rhs = tangents[*n_consts].clone();
    if const_ts.iter().any(Option::is_some) {
        // dA·x: the JVP of the map in the constants, at u = x.
        let nonzero: Vec<bool> = (const_ts.iter().map(Option::is_some))
            .chain([false])
            .collect();
        let j = jvp_graph(matvec, &nonzero)?;
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
    let again = prim.map_regions(Graph::fresh_copy);
    Ok(vec![Some(b.apply1(again, &args)?)])
}

/// Linear in the right-hand side only: its cotangent is the solve with the
/// transposed map, `A⁻ᵀ·ct`.
pub fn transpose_linear_solve(
    prim: &Prim,
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    let Prim::LinearSolve {
        matvec,
        solve,
        transpose_solve,
        n_consts,
    } = prim
    else {
        return Err("not a linear_solve".into());
    };
    if linear[..*n_consts].contains(&true) || linear.get(*n_consts) != Some(&true) {
        return Err("linear_solve is linear in its right-hand side only".into());
    }
    let mut result = vec![None; inputs.len()];
    let Some(Some(ct)) = cts.first() else {
        return Ok(result);
    };
    let flags: Vec<bool> = (0..=*n_consts).map(|i| i == *n_consts).collect();
    let transposed = Prim::LinearSolve {
        matvec: Box::new(transpose_graph(matvec, &flags)?),
        solve: Box::new(transpose_solve.fresh_copy()),
        transpose_solve: Box::new(solve.fresh_copy()),
        n_consts: *n_consts,
    };
    let mut args = inputs[..*n_consts].to_vec();
    args.push(ct.clone());
    result[*n_consts] = Some(b.apply1(transposed, &args)?);
    Ok(result)
}

/// The batch of a solve is one solve of the batch: the right-hand side is
/// batched whenever anything is, and the three graphs are batched alike
/// (a solver's loop then runs per example, as `vmap` of a loop does).
pub fn batch_linear_solve(
    prim: &Prim,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let Prim::LinearSolve {
        matvec,
        solve,
        transpose_solve,
        n_consts,
    } = prim
    else {
        return Err("not a linear_solve".into());
    };
    let n = *n_consts;
    let flags: Vec<bool> = (0..=n).map(|i| i == n || batched[i]).collect();
    let batch = |g: &Graph| batch_region(g, &flags, size, &[true]).map(Box::new);
    let prim = Prim::LinearSolve {
        matvec: batch(matvec)?,
        solve: batch(solve)?,
        transpose_solve: batch(transpose_solve)?,
        n_consts: n,
    };
    let mut args = inputs[..n].to_vec();
    args.push(to_batched(b, &inputs[n], batched[n], size)?);
    Ok((b.apply(prim, &args)?, vec![true]))
}
