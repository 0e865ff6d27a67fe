//! Shape primitives: broadcast, reshape, transpose, slices, concatenation, padding, iota, reverse.
//!
//! All of them keep the dtype (except `iota`, which makes one) and only move
//! elements, so every kernel is a gather (and for the updating ones a
//! scatter) over an offset table built once per call; see
//! [`crate::tensor::kernels`].

use super::expect_arity;
use crate::ir::emit::{i64_array, list, operands, result, tensor_type, Emitter, Value};
use crate::ir::PrimError;
use crate::ir::RuleResult;
use crate::tensor::kernels::{self, axis_table, gather_tables, offsets, scatter_tables, strides};
use crate::tensor::{Data, Tensor, C128, C64};
use crate::types::{DType, ShapeDisplay, TensorType};

// ---------------------------------------------------------------- helpers

fn operand<'a>(name: &str, inputs: &'a [TensorType]) -> RuleResult<&'a TensorType> {
    expect_arity(name, inputs, 1)?;
    inputs
        .first()
        .ok_or_else(|| format!("{} takes 1 operand", name).into())
}

/// The number of elements of `shape`, or an error if it overflows.
fn checked_size(name: &str, shape: &[usize]) -> RuleResult<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| format!("{}: shape {} is too large", name, ShapeDisplay(shape)).into())
}

fn types(inputs: &[Tensor]) -> Vec<TensorType> {
    inputs.iter().map(Tensor::ty).collect()
}

/// The first input tensor of a kernel.
fn first(inputs: &[Tensor]) -> RuleResult<&Tensor> {
    inputs
        .first()
        .ok_or_else(|| PrimError::internal("no operand"))
}

/// The single output of a kernel, typed by its rule.
fn single(out: Vec<TensorType>, data: Data) -> RuleResult<Vec<Tensor>> {
    let ty = out
        .into_iter()
        .next()
        .ok_or_else(|| PrimError::internal("no output type"))?;
    Ok(vec![kernels::tensor(ty.shape, data)?])
}

/// Row-major gather tables reading all of each dim `k` of `shape` at `strides[k]`.
fn identity_tables(shape: &[usize], strides: &[usize]) -> Vec<Vec<usize>> {
    let dims = shape.iter().zip(strides);
    dims.map(|(&d, &s)| axis_table(0, 1, d, s)).collect()
}

/// Checks the start-index operands of `dynamic_slice`/`dynamic_update_slice`:
/// integer scalars of one dtype.
fn check_indices(name: &str, indices: &[TensorType]) -> RuleResult<()> {
    for (k, ty) in indices.iter().enumerate() {
        if !(ty.dtype.is_int() && ty.rank() == 0) {
            return Err(format!(
                "{}: start index {} must be an integer scalar, got {}",
                name, k, ty
            )
            .into());
        }
    }
    match indices.windows(2).find(|w| w[0] != w[1]) {
        Some(w) => Err(format!(
            "{}: start indices have different types: {} and {}",
            name, w[0], w[1]
        )
        .into()),
        None => Ok(()),
    }
}

/// Start indices clamped to `[0, dim - size]`, as StableHLO does.
fn clamped_starts(indices: &[Tensor], dims: &[usize], sizes: &[usize]) -> RuleResult<Vec<usize>> {
    let bad = || PrimError::internal("start indices do not match the operand");
    if indices.len() != dims.len() || sizes.len() != dims.len() {
        return Err(bad());
    }
    let triples = indices.iter().zip(dims).zip(sizes);
    triples
        .map(|((i, &d), &s)| {
            let i = i.as_int_scalar().ok_or_else(bad)?;
            let hi = d.checked_sub(s).ok_or_else(bad)?;
            Ok(i.clamp(0, hi as i64) as usize)
        })
        .collect()
}

// ---------------------------------------------------------------- broadcast_in_dim

pub fn infer_broadcast(
    shape: &[usize],
    dims: &[usize],
    inputs: &[TensorType],
) -> RuleResult<Vec<TensorType>> {
    let name = "broadcast_in_dim";
    let x = operand(name, inputs)?;
    let out = ShapeDisplay(shape);
    if dims.len() != x.rank() {
        return Err(format!(
            "{}: dims {:?} must give one output dim for each of the {} dims of {}",
            name,
            dims,
            x.rank(),
            x
        )
        .into());
    }
    for (i, (&d, &n)) in dims.iter().zip(&x.shape).enumerate() {
        let Some(&m) = shape.get(d) else {
            return Err(format!("{}: dim {} is out of range for shape {}", name, d, out).into());
        };
        if dims[..i].contains(&d) {
            return Err(format!("{}: dims {:?} must be distinct", name, dims).into());
        }
        if n != 1 && n != m {
            return Err(format!(
                "{}: dim {} of {} (size {}) cannot broadcast to dim {} of {} (size {})",
                name, i, x, n, d, out, m
            )
            .into());
        }
    }
    checked_size(name, shape)?;
    Ok(vec![TensorType::new(x.dtype, shape.to_vec())])
}

pub fn eval_broadcast(
    shape: &[usize],
    dims: &[usize],
    inputs: &[Tensor],
) -> RuleResult<Vec<Tensor>> {
    let out = infer_broadcast(shape, dims, &types(inputs))?;
    let x = first(inputs)?;
    let st = strides(x.shape());
    // Output dim k reads operand dim i where dims[i] == k (stride 0 if size 1 or absent).
    let tables: Vec<Vec<usize>> = (0..shape.len())
        .map(|k| {
            let src = dims.iter().position(|&d| d == k);
            let stride = src.filter(|&i| x.shape().get(i) != Some(&1));
            let stride = stride.and_then(|i| st.get(i).copied()).unwrap_or(0);
            axis_table(0, 1, shape[k], stride)
        })
        .collect();
    single(out, gather_tables(x.data(), &tables)?)
}

// ---------------------------------------------------------------- reshape, transpose

pub fn infer_reshape(shape: &[usize], inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    let x = operand("reshape", inputs)?;
    let n = checked_size("reshape", shape)?;
    if n != x.size() {
        return Err(format!(
            "reshape: cannot reshape {} ({} elements) to {} ({} elements)",
            x,
            x.size(),
            ShapeDisplay(shape),
            n
        )
        .into());
    }
    Ok(vec![TensorType::new(x.dtype, shape.to_vec())])
}

pub fn eval_reshape(shape: &[usize], inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    infer_reshape(shape, &types(inputs))?;
    let x = first(inputs)?;
    let y = x.reshaped(shape.to_vec());
    Ok(vec![y.ok_or_else(|| {
        PrimError::internal("reshape size mismatch")
    })?])
}

pub fn infer_transpose(perm: &[usize], inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    let x = operand("transpose", inputs)?;
    let mut seen = vec![false; x.rank()];
    let is_perm = perm.len() == x.rank()
        && perm
            .iter()
            .all(|&p| p < x.rank() && !std::mem::replace(&mut seen[p], true));
    if !is_perm {
        return Err(format!(
            "transpose: {:?} is not a permutation of the {} dims of {}",
            perm,
            x.rank(),
            x
        )
        .into());
    }
    let shape = perm.iter().map(|&p| x.shape[p]).collect::<Vec<_>>();
    Ok(vec![TensorType::new(x.dtype, shape)])
}

pub fn eval_transpose(perm: &[usize], inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let out = infer_transpose(perm, &types(inputs))?;
    let x = first(inputs)?;
    let st = strides(x.shape());
    // Output dim i walks operand dim perm[i].
    let tables: Vec<Vec<usize>> = perm
        .iter()
        .map(|&p| axis_table(0, 1, x.shape()[p], st[p]))
        .collect();
    single(out, gather_tables(x.data(), &tables)?)
}

// ---------------------------------------------------------------- slices

pub fn infer_slice(
    start: &[usize],
    limit: &[usize],
    stride: &[usize],
    inputs: &[TensorType],
) -> RuleResult<Vec<TensorType>> {
    let x = operand("slice", inputs)?;
    let r = x.rank();
    if start.len() != r || limit.len() != r || stride.len() != r {
        return Err(format!(
            "slice: start, limit and stride need {} entries each for {}, got {}, {} and {}",
            r,
            x,
            start.len(),
            limit.len(),
            stride.len()
        )
        .into());
    }
    let mut shape = Vec::with_capacity(r);
    for (k, &d) in x.shape.iter().enumerate() {
        let (s, l, t) = (start[k], limit[k], stride[k]);
        if t == 0 {
            return Err(format!("slice: stride in dim {} must be at least 1, got 0", k).into());
        }
        if s > l || l > d {
            return Err(format!(
                "slice: [{}, {}) is out of bounds for dim {} of {}",
                s, l, k, x
            )
            .into());
        }
        shape.push((l - s).div_ceil(t));
    }
    Ok(vec![TensorType::new(x.dtype, shape)])
}

pub fn eval_slice(
    start: &[usize],
    limit: &[usize],
    stride: &[usize],
    inputs: &[Tensor],
) -> RuleResult<Vec<Tensor>> {
    let out = infer_slice(start, limit, stride, &types(inputs))?;
    let x = first(inputs)?;
    let st = strides(x.shape());
    let dims = out.first().map(|t| t.shape.clone()).unwrap_or_default();
    let tables: Vec<Vec<usize>> = (0..dims.len())
        .map(|k| axis_table(start[k], stride[k], dims[k], st[k]))
        .collect();
    single(out, gather_tables(x.data(), &tables)?)
}

pub fn infer_dynamic_slice(sizes: &[usize], inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    let name = "dynamic_slice";
    let x = inputs
        .first()
        .ok_or_else(|| format!("{} takes an operand and its start indices", name))?;
    expect_arity(name, inputs, 1 + x.rank())?;
    check_indices(name, &inputs[1..])?;
    if sizes.len() != x.rank() {
        return Err(format!(
            "{}: sizes {:?} need {} entries for {}",
            name,
            sizes,
            x.rank(),
            x
        )
        .into());
    }
    if let Some(k) = (0..sizes.len()).find(|&k| sizes[k] > x.shape[k]) {
        return Err(format!("{}: size {} exceeds dim {} of {}", name, sizes[k], k, x).into());
    }
    Ok(vec![TensorType::new(x.dtype, sizes.to_vec())])
}

pub fn eval_dynamic_slice(sizes: &[usize], inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let out = infer_dynamic_slice(sizes, &types(inputs))?;
    let x = first(inputs)?;
    let starts = clamped_starts(&inputs[1..], x.shape(), sizes)?;
    let st = strides(x.shape());
    let tables: Vec<Vec<usize>> = (0..sizes.len())
        .map(|k| axis_table(starts[k], 1, sizes[k], st[k]))
        .collect();
    single(out, gather_tables(x.data(), &tables)?)
}

pub fn infer_dynamic_update_slice(inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    let name = "dynamic_update_slice";
    let (Some(x), Some(u)) = (inputs.first(), inputs.get(1)) else {
        return Err(format!("{} takes an operand, an update and start indices", name).into());
    };
    expect_arity(name, inputs, 2 + x.rank())?;
    check_indices(name, &inputs[2..])?;
    let fits = u.rank() == x.rank() && u.shape.iter().zip(&x.shape).all(|(a, b)| a <= b);
    if u.dtype != x.dtype || !fits {
        return Err(format!("{}: update {} does not fit in operand {}", name, u, x).into());
    }
    Ok(vec![x.clone()])
}

pub fn eval_dynamic_update_slice(inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let out = infer_dynamic_update_slice(&types(inputs))?;
    let [x, u, indices @ ..] = inputs else {
        return Err(PrimError::internal("dynamic_update_slice needs 2 operands"));
    };
    let starts = clamped_starts(indices, x.shape(), u.shape())?;
    let st = strides(x.shape());
    let tables: Vec<Vec<usize>> = (0..starts.len())
        .map(|k| axis_table(starts[k], 1, u.shape()[k], st[k]))
        .collect();
    let mut data = x.data().clone();
    scatter_tables(&mut data, u.data(), &tables)?;
    single(out, data)
}

// ---------------------------------------------------------------- concatenate, pad

pub fn infer_concat(axis: usize, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    let name = "concatenate";
    let x = inputs
        .first()
        .ok_or_else(|| format!("{} takes at least 1 operand, got 0", name))?;
    if axis >= x.rank() {
        return Err(format!("{}: axis {} is out of range for {}", name, axis, x).into());
    }
    let mut total = 0usize;
    for y in inputs {
        let same_rest =
            y.rank() == x.rank() && (0..x.rank()).all(|k| k == axis || y.shape[k] == x.shape[k]);
        if y.dtype != x.dtype || !same_rest {
            return Err(format!(
                "{}: operand types {} and {} differ outside axis {}",
                name, x, y, axis
            )
            .into());
        }
        total = total
            .checked_add(y.shape[axis])
            .ok_or_else(|| format!("{}: result is too large", name))?;
    }
    let mut shape = x.shape.clone();
    shape[axis] = total;
    checked_size(name, &shape)?;
    Ok(vec![TensorType::new(x.dtype, shape)])
}

pub fn eval_concat(axis: usize, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let out = infer_concat(axis, &types(inputs))?;
    let ty = out
        .first()
        .ok_or_else(|| PrimError::internal("no output type"))?;
    let st = strides(&ty.shape);
    let mut data = Data::zeros(ty.dtype, ty.size());
    let mut at = 0;
    for x in inputs {
        // Each operand lands at [.., at..at + n, ..] of the output.
        let mut tables = identity_tables(x.shape(), &st);
        let n = x.shape()[axis];
        tables[axis] = axis_table(at, 1, n, st[axis]);
        scatter_tables(&mut data, x.data(), &tables)?;
        at += n;
    }
    single(out, data)
}

/// The size of one padded dim: `lo + hi + d + max(d - 1, 0) * interior`.
fn padded_dim(d: usize, lo: i64, hi: i64, interior: usize) -> i128 {
    let gaps = d.saturating_sub(1) as i128 * interior as i128;
    lo as i128 + hi as i128 + d as i128 + gaps
}

pub fn infer_pad(
    lo: &[i64],
    hi: &[i64],
    interior: &[usize],
    inputs: &[TensorType],
) -> RuleResult<Vec<TensorType>> {
    expect_arity("pad", inputs, 2)?;
    let [x, v] = inputs else {
        return Err("pad takes 2 operands".into());
    };
    if v.rank() != 0 || v.dtype != x.dtype {
        return Err(format!("pad: padding value must be {}[], got {}", x.dtype, v).into());
    }
    let r = x.rank();
    if lo.len() != r || hi.len() != r || interior.len() != r {
        return Err(format!(
            "pad: lo, hi and interior need {} entries each for {}, got {}, {} and {}",
            r,
            x,
            lo.len(),
            hi.len(),
            interior.len()
        )
        .into());
    }
    let mut shape = Vec::with_capacity(r);
    for (k, &d) in x.shape.iter().enumerate() {
        let n = padded_dim(d, lo[k], hi[k], interior[k]);
        let n = usize::try_from(n).map_err(|_| {
            format!(
                "pad: dim {} of {} would have size {} (lo {}, hi {}, interior {})",
                k, x, n, lo[k], hi[k], interior[k]
            )
        })?;
        shape.push(n);
    }
    checked_size("pad", &shape)?;
    Ok(vec![TensorType::new(x.dtype, shape)])
}

/// For one dim: the operand indices that land inside the result, as
/// (source offset, destination offset) tables. Element `i` goes to
/// `lo + i * (interior + 1)`, which negative `lo`/`hi` may put outside.
fn pad_tables(
    d: usize,
    lo: i64,
    interior: usize,
    out: usize,
    src_st: usize,
    dst_st: usize,
) -> (Vec<usize>, Vec<usize>) {
    let step = interior as i128 + 1;
    let inside = (0..d).filter_map(|i| {
        let pos = lo as i128 + i as i128 * step;
        (pos >= 0 && pos < out as i128).then_some((i * src_st, pos as usize * dst_st))
    });
    inside.unzip()
}

pub fn eval_pad(
    lo: &[i64],
    hi: &[i64],
    interior: &[usize],
    inputs: &[Tensor],
) -> RuleResult<Vec<Tensor>> {
    let out = infer_pad(lo, hi, interior, &types(inputs))?;
    let [x, v] = inputs else {
        return Err(PrimError::internal("pad needs 2 operands"));
    };
    let ty = out
        .first()
        .ok_or_else(|| PrimError::internal("no output type"))?;
    let (src_st, dst_st) = (strides(x.shape()), strides(&ty.shape));
    let (src, dst): (Vec<_>, Vec<_>) = (0..x.rank())
        .map(|k| {
            pad_tables(
                x.shape()[k],
                lo[k],
                interior[k],
                ty.shape[k],
                src_st[k],
                dst_st[k],
            )
        })
        .unzip();
    let mut data = kernels::filled(v.data(), ty.size())?;
    let moved = gather_tables(x.data(), &src)?;
    scatter_tables(&mut data, &moved, &dst)?;
    single(out, data)
}

// ---------------------------------------------------------------- iota, reverse

pub fn infer_iota(
    shape: &[usize],
    dim: usize,
    dtype: DType,
    inputs: &[TensorType],
) -> RuleResult<Vec<TensorType>> {
    expect_arity("iota", inputs, 0)?;
    if dim >= shape.len() {
        return Err(format!(
            "iota: dim {} is out of range for shape {}",
            dim,
            ShapeDisplay(shape)
        )
        .into());
    }
    if dtype.is_bool() {
        return Err("iota: expected a numeric dtype, got bool".into());
    }
    checked_size("iota", shape)?;
    Ok(vec![TensorType::new(dtype, shape.to_vec())])
}

/// `iota` values follow the dtype's conversion from an index (exact for
/// indices below 2^24 in `f32`); complex has imaginary part 0.
pub fn eval_iota(
    shape: &[usize],
    dim: usize,
    dtype: DType,
    inputs: &[Tensor],
) -> RuleResult<Vec<Tensor>> {
    let out = infer_iota(shape, dim, dtype, &types(inputs))?;
    // Each element's value is its index along `dim`: the offset of a table
    // with stride 1 on `dim` and 0 elsewhere.
    let tables: Vec<Vec<usize>> = (0..shape.len())
        .map(|k| axis_table(0, 1, shape[k], usize::from(k == dim)))
        .collect();
    let idx = offsets(&tables);
    let data = match dtype {
        DType::I32 => Data::I32(kernels::map(&idx, |i| i as i32)),
        DType::I64 => Data::I64(kernels::map(&idx, |i| i as i64)),
        DType::U32 => Data::U32(kernels::map(&idx, |i| i as u32)),
        DType::F32 => Data::F32(kernels::map(&idx, |i| i as f32)),
        DType::F64 => Data::F64(kernels::map(&idx, |i| i as f64)),
        DType::C64 => Data::C64(kernels::map(&idx, |i| C64::new(i as f32, 0.0))),
        DType::C128 => Data::C128(kernels::map(&idx, |i| C128::new(i as f64, 0.0))),
        DType::Bool => return Err(PrimError::internal("iota of bool")),
    };
    single(out, data)
}

pub fn infer_rev(axes: &[usize], inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    let x = operand("reverse", inputs)?;
    if let Some(&a) = axes.iter().find(|&&a| a >= x.rank()) {
        return Err(format!("reverse: axis {} is out of range for {}", a, x).into());
    }
    if (1..axes.len()).any(|i| axes[..i].contains(&axes[i])) {
        return Err(format!("reverse: axes {:?} must be distinct", axes).into());
    }
    Ok(vec![x.clone()])
}

pub fn eval_rev(axes: &[usize], inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let out = infer_rev(axes, &types(inputs))?;
    let x = first(inputs)?;
    let st = strides(x.shape());
    let mut tables = identity_tables(x.shape(), &st);
    for &a in axes {
        tables[a].reverse();
    }
    single(out, gather_tables(x.data(), &tables)?)
}

// ---------------------------------------------------------------- lowering
//
// Each shape primitive is one StableHLO op of the same semantics (slices
// clamp their start indices, `pad` takes negative edges); only `iota` of
// a complex dtype goes through its real dtype.

fn one_result(name: &str, outs: &[TensorType]) -> RuleResult<TensorType> {
    result(name, outs).cloned()
}

/// `op %x, <attrs> : (tx) -> tout` in the pretty syntax.
fn pretty(em: &mut Emitter, op: &str, x: &Value, attrs: &str, out: &TensorType) -> Value {
    let rhs = format!(
        "{} {}, {} : ({}) -> {}",
        op,
        x.name,
        attrs,
        tensor_type(&x.ty),
        tensor_type(out)
    );
    em.emit(&rhs, out)
}

pub fn lower_broadcast(
    shape: &[usize],
    dims: &[usize],
    em: &mut Emitter,
    inputs: &[Value],
) -> RuleResult<Vec<Value>> {
    let [x] = operands("broadcast_in_dim", inputs)?;
    Ok(vec![em.broadcast(x, shape, dims)])
}

pub fn lower_reshape(
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [x] = operands("reshape", inputs)?;
    let out = one_result("reshape", outs)?;
    Ok(vec![em.unary_fn("stablehlo.reshape", x, &out)])
}

pub fn lower_transpose(
    perm: &[usize],
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [x] = operands("transpose", inputs)?;
    let out = one_result("transpose", outs)?;
    let attrs = format!("dims = {}", list(perm));
    Ok(vec![pretty(em, "stablehlo.transpose", x, &attrs, &out)])
}

pub fn lower_slice(
    start: &[usize],
    limit: &[usize],
    stride: &[usize],
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [x] = operands("slice", inputs)?;
    let attrs = format!(
        "start_indices = {}, limit_indices = {}, strides = {}",
        i64_array(start),
        i64_array(limit),
        i64_array(stride)
    );
    Ok(em.generic("stablehlo.slice", &[x], &attrs, outs))
}

pub fn lower_dynamic_slice(
    sizes: &[usize],
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let args: Vec<&Value> = inputs.iter().collect();
    let attrs = format!("slice_sizes = {}", i64_array(sizes));
    Ok(em.generic("stablehlo.dynamic_slice", &args, &attrs, outs))
}

pub fn lower_dynamic_update_slice(
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let args: Vec<&Value> = inputs.iter().collect();
    Ok(em.generic("stablehlo.dynamic_update_slice", &args, "", outs))
}

pub fn lower_concat(
    axis: usize,
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let args: Vec<&Value> = inputs.iter().collect();
    let attrs = format!("dimension = {} : i64", axis);
    Ok(em.generic("stablehlo.concatenate", &args, &attrs, outs))
}

pub fn lower_pad(
    lo: &[i64],
    hi: &[i64],
    interior: &[usize],
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [x, v] = operands("pad", inputs)?;
    let attrs = format!(
        "edge_padding_low = {}, edge_padding_high = {}, interior_padding = {}",
        i64_array(lo),
        i64_array(hi),
        i64_array(interior)
    );
    Ok(em.generic("stablehlo.pad", &[x, v], &attrs, outs))
}

pub fn lower_iota(
    shape: &[usize],
    dim: usize,
    dtype: DType,
    em: &mut Emitter,
) -> RuleResult<Vec<Value>> {
    Ok(vec![em.iota(shape, dim, dtype)])
}

pub fn lower_rev(axes: &[usize], em: &mut Emitter, inputs: &[Value]) -> RuleResult<Vec<Value>> {
    let [x] = operands("reverse", inputs)?;
    let attrs = format!("dimensions = {}", i64_array(axes));
    Ok(em.generic(
        "stablehlo.reverse",
        &[x],
        &attrs,
        std::slice::from_ref(&x.ty),
    ))
}

// ---- JVP rules: in `shape/jvp.rs` ----

mod jvp;
pub use jvp::{jvp_concat, jvp_dynamic_slice, jvp_dynamic_update_slice, jvp_pad, jvp_unary_linear};

// ---- transpose rules ----

mod transpose;
pub use transpose::{
    transpose_broadcast, transpose_concat, transpose_dynamic_slice, transpose_dynamic_update_slice,
    transpose_pad, transpose_reshape, transpose_rev, transpose_slice, transpose_transpose,
};

// ---- batching rules: in `shape/batch.rs` ----

mod batch;
pub use batch::{
    batch_broadcast, batch_concat, batch_dynamic_slice, batch_dynamic_update_slice, batch_pad,
    batch_reshape, batch_rev, batch_slice, batch_transpose,
};

#[cfg(test)]
mod tests;

mod rules;
pub use rules::*;
