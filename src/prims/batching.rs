//! What the batching rules share: the convention for batched values, small
//! helpers, and the one fallback for operands a primitive cannot batch.
//!
//! Convention: a batched value has its batch dimension (of the batch `size`)
//! at axis 0; an unbatched value has no batch dimension and is the same for
//! every example. A rule receives each input with a flag saying which it is,
//! and returns its outputs with the same flags. Rules emit IR through the
//! builder and never compute numbers, so a batched graph can be transformed
//! again (`jvp` of `vmap`, `vmap` of `vmap`).

use super::{BatchResult, Cmp, Prim};
use crate::ir::Builder;
use crate::ir::{fresh_var, Atom, Graph, Var};
use crate::prims::build::Build;
use crate::prims::{Broadcast, DynamicSlice, DynamicUpdateSlice, Transpose, While};
use crate::tensor::Tensor;
use crate::types::{DType, TensorType};

type R<T> = crate::ir::RuleResult<T>;

/// `ty` with a leading batch dimension of `size`.
pub fn batched_type(ty: &TensorType, size: usize) -> TensorType {
    let mut shape = vec![size];
    shape.extend(&ty.shape);
    TensorType::new(ty.dtype, shape)
}

/// The type of one example of a batched value (its batch dimension removed).
pub fn example_type(ty: &TensorType) -> R<TensorType> {
    match ty.shape.split_first() {
        Some((_, rest)) => Ok(TensorType::new(ty.dtype, rest.to_vec())),
        None => Err(format!("a batched value of type {} has no batch dim", ty).into()),
    }
}

/// `x` as a batched value: itself if it is batched, otherwise broadcast
/// along a new leading dimension of `size` (every example sees the same value).
pub fn to_batched(b: &mut Builder, x: &Atom, batched: bool, size: usize) -> R<Atom> {
    if batched {
        return Ok(x.clone());
    }
    let ty = x.ty();
    let dims: Vec<usize> = (1..=ty.rank()).collect();
    let shape = batched_type(&ty, size).shape;
    b.apply1(
        Prim::new(Broadcast { shape, dims }),
        std::slice::from_ref(x),
    )
}

/// Every input as a batched value.
pub fn all_batched(
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> R<Vec<Atom>> {
    (inputs.iter().zip(batched))
        .map(|(x, &bt)| to_batched(b, x, bt, size))
        .collect()
}

/// Axes of an example, as axes of the batched value (one further right).
pub fn shifted(axes: &[usize]) -> Vec<usize> {
    axes.iter().map(|&a| a + 1).collect()
}

/// `[first, rest...]`.
pub fn prepend<T: Clone>(first: T, rest: &[T]) -> Vec<T> {
    std::iter::once(first).chain(rest.iter().cloned()).collect()
}

/// Moves axis `from` of `x` to axis 0 (the others keep their order).
pub fn move_to_front(b: &mut Builder, x: &Atom, from: usize) -> R<Atom> {
    if from == 0 {
        return Ok(x.clone());
    }
    let rank = x.ty().rank();
    let perm: Vec<usize> = std::iter::once(from)
        .chain((0..rank).filter(|&d| d != from))
        .collect();
    b.apply1(Prim::new(Transpose { perm }), std::slice::from_ref(x))
}

/// `prim` applied once to the inputs as they are: every output batched.
pub fn apply_batched(prim: &Prim, b: &mut Builder, inputs: &[Atom]) -> BatchResult {
    let outs = b.apply(prim.clone(), inputs)?;
    let n = outs.len();
    Ok((outs, vec![true; n]))
}

/// `prim` applied once with every input batched (unbatched ones broadcast):
/// the rule of a primitive that works on any leading dims, elementwise ones.
pub fn apply_all_batched(
    prim: &Prim,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let inputs = all_batched(b, inputs, batched, size)?;
    apply_batched(prim, b, &inputs)
}

// ---------------------------------------------------------------- the loop fallback

/// The fallback for a primitive that has no batched form for some operand:
/// `dynamic_slice`/`dynamic_update_slice` with batched start indices (that
/// would be StableHLO `gather`/`scatter`, which nest does not have) and
/// `threefry2x32` with batched keys (its keys are scalars). It is the one
/// place that batches by looping, and it works for any primitive:
///
/// ```text
/// outs = zeros([size, ..]) for each output
/// for i in 0..size:                      (a `while` with a trip count)
///     y = prim(x[i] for batched x, x for the others)
///     outs[j] = dynamic_update_slice(outs[j], y[j][None], i, 0, ..)
/// ```
///
/// It runs the examples one after the other, so rules use it only for the
/// operand patterns they cannot batch natively.
pub fn batch_by_loop(
    prim: &Prim,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let examples = (inputs.iter().zip(batched))
        .map(|(x, &bt)| {
            if bt {
                example_type(&x.ty())
            } else {
                Ok(x.ty())
            }
        })
        .collect::<R<Vec<_>>>()?;
    let outs = prim.infer(&examples)?;
    let accs: Vec<TensorType> = outs.iter().map(|t| batched_type(t, size)).collect();
    let counter = TensorType::scalar(DType::I32);
    let mut types: Vec<TensorType> = inputs.iter().map(Atom::ty).collect();
    types.push(counter);
    types.extend(accs.iter().cloned());
    let body = loop_body(prim, &types, batched)?;
    let cond = loop_cond(&types, inputs.len(), size)?;
    let mut operands = inputs.to_vec();
    operands.push(index(0));
    for t in &accs {
        operands.push(b.zeros(t)?);
    }
    let looped = Prim::new(While {
        cond: Box::new(cond),
        body: Box::new(body),
        n_consts: inputs.len(),
        trip_count: Some(size as u64),
        span: None,
    });
    let results = b.apply(looped, &operands)?;
    let outs: Vec<Atom> = results.into_iter().skip(1).collect();
    let n = outs.len();
    Ok((outs, vec![true; n]))
}

fn index(i: i32) -> Atom {
    Atom::Const(Tensor::scalar_i32(i))
}

fn inputs_of(types: &[TensorType]) -> Vec<Var> {
    types.iter().map(|t| fresh_var(t.clone())).collect()
}

/// `i < size` over (inputs, i, accumulators).
fn loop_cond(types: &[TensorType], n_inputs: usize, size: usize) -> R<Graph> {
    let vars = inputs_of(types);
    let i = Atom::Var(vars.get(n_inputs).ok_or("missing counter")?.clone());
    let bound = i32::try_from(size).map_err(|_| format!("batch of {} is too large", size))?;
    let mut b = Builder::default();
    let go = b.compare(Cmp::Lt, &i, &index(bound))?;
    Ok(Graph {
        inputs: vars,
        eqns: b.eqns,
        outputs: vec![go],
    })
}

/// One example: slice example `i` of the batched inputs, apply `prim`,
/// write its results at row `i` of the accumulators; `i + 1`.
fn loop_body(prim: &Prim, types: &[TensorType], batched: &[bool]) -> R<Graph> {
    let vars = inputs_of(types);
    let atoms: Vec<Atom> = vars.iter().cloned().map(Atom::Var).collect();
    let n = batched.len();
    let (Some(inputs), Some(i), Some(accs)) = (atoms.get(..n), atoms.get(n), atoms.get(n + 1..))
    else {
        return Err("loop state does not match the inputs".into());
    };
    let mut b = Builder::default();
    let mut example = vec![];
    for (x, &bt) in inputs.iter().zip(batched) {
        example.push(if bt { row(&mut b, x, i)? } else { x.clone() });
    }
    let ys = b.apply(prim.clone(), &example)?;
    let mut outputs = vec![b.add(i, &index(1))?];
    for (acc, y) in accs.iter().zip(&ys) {
        outputs.push(write_row(&mut b, acc, y, i)?);
    }
    Ok(Graph {
        inputs: vars,
        eqns: b.eqns,
        outputs,
    })
}

/// `x[i]` of a batched `x`.
fn row(b: &mut Builder, x: &Atom, i: &Atom) -> R<Atom> {
    let ty = x.ty();
    let mut starts = vec![i.clone()];
    starts.extend((1..ty.rank()).map(|_| index(0)));
    let mut sizes = ty.shape.clone();
    if let Some(first) = sizes.first_mut() {
        *first = 1;
    }
    let slice = b.apply1(
        Prim::new(DynamicSlice { sizes }),
        &prepend(x.clone(), &starts),
    )?;
    b.reshape(&slice, &example_type(&ty)?.shape)
}

/// `acc` with row `i` replaced by `y`.
fn write_row(b: &mut Builder, acc: &Atom, y: &Atom, i: &Atom) -> R<Atom> {
    let y = b.reshape(y, &batched_type(&y.ty(), 1).shape)?;
    let mut operands = vec![acc.clone(), y, i.clone()];
    operands.extend((1..acc.ty().rank()).map(|_| index(0)));
    b.apply1(Prim::new(DynamicUpdateSlice), &operands)
}
