//! `scan`: a loop of a fixed number of iterations that reads stacked inputs
//! and writes stacked outputs, as `jax.lax.scan`.
//!
//! Reverse mode needs it: a `for` over a static range (a `while` with a
//! trip count) becomes a `scan` when it is linearized, the primal loop
//! stacks the values the derivative needs (one slice per iteration), and
//! the transposed loop runs backwards over them.

use super::check_types;
use crate::interp::run_graph;
use crate::ir::emit::{Emitter, Value};
use crate::ir::Builder;
use crate::ir::{fresh_var, Atom, Graph, Var};
use crate::prims::build::Build;
use crate::prims::{BinaryOp, Cmp, Prim};
use crate::prims::{DynamicSlice, DynamicUpdateSlice, While};
use crate::tensor::kernels::{gather, scatter};
use crate::tensor::{Data, Tensor};
use crate::types::TensorType;

type R<T> = crate::ir::RuleResult<T>;

/// The shape of one iteration's slice of a stacked value.
fn slice_type(t: &TensorType) -> TensorType {
    TensorType::new(t.dtype, t.shape.get(1..).unwrap_or(&[]).to_vec())
}

/// `t` with a leading dim of `length`.
pub(crate) fn stacked_type(t: &TensorType, length: usize) -> TensorType {
    let mut shape = vec![length];
    shape.extend(&t.shape);
    TensorType::new(t.dtype, shape)
}

pub fn infer_scan(
    body: &Graph,
    n_consts: usize,
    n_carries: usize,
    length: usize,
    inputs: &[TensorType],
) -> R<Vec<TensorType>> {
    if n_consts + n_carries > inputs.len() {
        return Err(format!(
            "scan has {} operand(s) but declares {} constant(s) and {} carr(ies)",
            inputs.len(),
            n_consts,
            n_carries
        )
        .into());
    }
    let xs = &inputs[n_consts + n_carries..];
    if let Some(x) = xs.iter().find(|x| x.shape.first() != Some(&length)) {
        return Err(format!(
            "scan of length {} over a stacked input of type {}",
            length, x
        )
        .into());
    }
    let mut body_in = inputs[..n_consts + n_carries].to_vec();
    body_in.extend(xs.iter().map(slice_type));
    check_types("scan body inputs", &body.input_types(), &body_in)?;
    let outs = body.output_types();
    let carries = &inputs[n_consts..n_consts + n_carries];
    let (carry_outs, ys) = outs
        .split_at_checked(n_carries)
        .ok_or("scan body returns fewer values than carries")?;
    check_types("scan body carries", carry_outs, carries)?;
    let mut result = carries.to_vec();
    result.extend(ys.iter().map(|y| stacked_type(y, length)));
    Ok(result)
}

pub fn eval_scan(
    body: &Graph,
    n_consts: usize,
    n_carries: usize,
    length: usize,
    reverse: bool,
    inputs: &[Tensor],
) -> R<Vec<Tensor>> {
    let split = n_consts + n_carries;
    let (fixed, xs) = inputs.split_at_checked(split).ok_or("too few operands")?;
    let mut args = fixed.to_vec();
    let y_types: Vec<TensorType> = body.output_types().split_off(n_carries);
    let mut ys: Vec<Data> = (y_types.iter())
        .map(|t| Data::zeros(t.dtype, t.size() * length))
        .collect();
    for k in 0..length {
        let i = if reverse { length - 1 - k } else { k };
        args.truncate(split);
        for x in xs {
            args.push(index_leading(x, i)?);
        }
        let mut outs = run_graph(body, &args)?;
        let new_ys = outs.split_off(n_carries);
        args.splice(n_consts..split, outs);
        for (buf, y) in ys.iter_mut().zip(new_ys) {
            let n = y.size();
            let offsets: Vec<usize> = (i * n..(i + 1) * n).collect();
            scatter(buf, y.data(), &offsets)?;
        }
    }
    let mut results = args[n_consts..split].to_vec();
    for (data, t) in ys.into_iter().zip(&y_types) {
        let ty = stacked_type(t, length);
        results.push(Tensor::new(ty.shape, data).ok_or("scan output of the wrong size")?);
    }
    Ok(results)
}

/// `x[i]` along the leading dim.
fn index_leading(x: &Tensor, i: usize) -> R<Tensor> {
    let ty = slice_type(&x.ty());
    let n = ty.size();
    let offsets: Vec<usize> = (i * n..(i + 1) * n).collect();
    Tensor::new(ty.shape, gather(x.data(), &offsets)?).ok_or_else(|| "bad slice".into())
}

// ---------------------------------------------------------------- lowering

/// Lowered as the `while` loop it stands for (see [`as_while`]).
pub fn lower_scan(
    body: &Graph,
    n_consts: usize,
    n_carries: usize,
    length: usize,
    reverse: bool,
    em: &mut Emitter,
    inputs: &[Value],
) -> R<Vec<Value>> {
    let types: Vec<TensorType> = inputs.iter().map(|v| v.ty.clone()).collect();
    let g = as_while(body, n_consts, n_carries, length, reverse, &types)?;
    em.lower_graph(&g, inputs)
}

/// A graph over the scan's operands computing its results with a `while`:
/// the loop-invariant values are the constants and the stacked inputs; the
/// carries are a counter, the scan's carries and the stacked outputs, which
/// each iteration writes at its index with `dynamic_update_slice`.
pub fn as_while(
    body: &Graph,
    n_consts: usize,
    n_carries: usize,
    length: usize,
    reverse: bool,
    types: &[TensorType],
) -> R<Graph> {
    let inputs: Vec<Var> = types.iter().cloned().map(fresh_var).collect();
    let atoms: Vec<Atom> = inputs.iter().cloned().map(Atom::Var).collect();
    let (consts, rest) = atoms.split_at(n_consts);
    let (carries, xs) = rest.split_at(n_carries);
    let y_types: Vec<TensorType> = body.output_types().split_off(n_carries);
    let mut b = Builder::default();
    let mut loop_in: Vec<Atom> = [consts, xs].concat();
    loop_in.push(Atom::Const(Tensor::scalar_i32(0)));
    loop_in.extend(carries.iter().cloned());
    for t in &y_types {
        loop_in.push(b.zeros(&stacked_type(t, length))?);
    }
    let loop_types: Vec<TensorType> = loop_in.iter().map(Atom::ty).collect();
    let n_invariant = n_consts + xs.len();
    let cond = counter_below(&loop_types, n_invariant, length)?;
    let step = iteration(body, n_consts, n_carries, length, reverse, &loop_types)?;
    let prim = Prim::new(While {
        cond: Box::new(cond),
        body: Box::new(step),
        n_consts: n_invariant,
        trip_count: Some(length as u64),
        span: None,
    });
    let outs = b.apply(prim, &loop_in)?;
    Ok(Graph {
        inputs,
        eqns: b.eqns,
        outputs: outs[1..].to_vec(),
    })
}

/// The loop condition `counter < length`.
fn counter_below(types: &[TensorType], counter: usize, length: usize) -> R<Graph> {
    let inputs: Vec<Var> = types.iter().cloned().map(fresh_var).collect();
    let mut b = Builder::default();
    let i = Atom::Var(inputs[counter].clone());
    let limit = Atom::Const(Tensor::scalar_i32(length_i32(length)?));
    let lt = b.compare(Cmp::Lt, &i, &limit)?;
    Ok(Graph {
        inputs,
        eqns: b.eqns,
        outputs: vec![lt],
    })
}

fn length_i32(length: usize) -> R<i32> {
    i32::try_from(length).map_err(|_| format!("a scan of {} iterations is too long", length).into())
}

/// One iteration of the loop [`as_while`] builds: slice the stacked inputs
/// at the iteration's index, run the body, write the outputs' slices.
fn iteration(
    body: &Graph,
    n_consts: usize,
    n_carries: usize,
    length: usize,
    reverse: bool,
    types: &[TensorType],
) -> R<Graph> {
    let inputs: Vec<Var> = types.iter().cloned().map(fresh_var).collect();
    let atoms: Vec<Atom> = inputs.iter().cloned().map(Atom::Var).collect();
    let n_xs = body.inputs.len() - n_consts - n_carries;
    let (consts, rest) = atoms.split_at(n_consts);
    let (xs, rest) = rest.split_at(n_xs);
    let (counter, rest) = rest.split_first().ok_or("scan loop has no counter")?;
    let (carries, ys) = rest.split_at(n_carries);
    let mut b = Builder::default();
    let index = if reverse {
        let last = Atom::Const(Tensor::scalar_i32(length_i32(length)? - 1));
        b.sub(&last, counter)?
    } else {
        counter.clone()
    };
    let mut args: Vec<Atom> = [consts, carries].concat();
    for x in xs {
        args.push(read_slice(&mut b, x, &index)?);
    }
    let mut outs = b.inline(body, &args)?;
    let new_ys = outs.split_off(n_carries);
    let one = Atom::Const(Tensor::scalar_i32(1));
    let mut results = vec![b.binary(BinaryOp::Add, counter, &one)?];
    results.extend(outs);
    for (buf, y) in ys.iter().zip(&new_ys) {
        results.push(write_slice(&mut b, buf, y, &index)?);
    }
    Ok(Graph {
        inputs,
        eqns: b.eqns,
        outputs: results,
    })
}

/// Start indices `[index, 0, 0, ..]` for an array of rank `rank`.
fn starts(index: &Atom, rank: usize) -> Vec<Atom> {
    let zero = Atom::Const(Tensor::scalar_i32(0));
    std::iter::once(index.clone())
        .chain(std::iter::repeat_n(zero, rank.saturating_sub(1)))
        .collect()
}

/// `x[index]` along the leading dim.
fn read_slice(b: &mut Builder, x: &Atom, index: &Atom) -> R<Atom> {
    let ty = x.ty();
    let mut sizes = ty.shape.clone();
    sizes[0] = 1;
    let mut ins = vec![x.clone()];
    ins.extend(starts(index, ty.rank()));
    let s = b.apply1(Prim::new(DynamicSlice { sizes }), &ins)?;
    b.reshape(&s, &slice_type(&ty).shape)
}

/// `buf` with `buf[index] = y` along the leading dim.
fn write_slice(b: &mut Builder, buf: &Atom, y: &Atom, index: &Atom) -> R<Atom> {
    let ty = buf.ty();
    let mut one = ty.shape.clone();
    one[0] = 1;
    let y = b.reshape(y, &one)?;
    let mut ins = vec![buf.clone(), y];
    ins.extend(starts(index, ty.rank()));
    b.apply1(Prim::new(DynamicUpdateSlice), &ins)
}
