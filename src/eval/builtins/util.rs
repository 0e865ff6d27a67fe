//! Helpers shared by the builtin families: argument decoding (lists of
//! arrays, shapes with `-1`, keys), tree maps, and small constructions over
//! the primitives (iota, filled arrays, slices). Like everything in the
//! builtins, they only emit primitives through the tracer, so they work both
//! eagerly and inside traces.

use super::Args;
use crate::diag::{Diagnostic, Result};
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tracer::Tracer;
use crate::eval::tree::map_arrays;
use crate::eval::value::{Arr, Value};
use crate::prims::Prim;
use crate::prims::{Concat, Iota, Slice};
use crate::tensor::Tensor;
use crate::types::{DType, Shape, ShapeDisplay, Weak};

/// Wraps an array result, giving errors without a span the call's span.
pub fn done(args: &Args, r: Result<Arr>) -> Result<Value> {
    r.map(Value::Arr).map_err(|e| e.or_span(args.call))
}

/// Applies `f` to every array leaf of argument 0 (`exp(params)` on records).
pub fn map_tree(
    ev: &mut Evaluator,
    args: &Args,
    f: &dyn Fn(&mut Tracer, &Arr) -> Result<Arr>,
) -> Result<Value> {
    let tracer = &mut ev.tracer;
    map_arrays(args.get(0)?, &mut |a| f(tracer, a)).map_err(|e| match e.span {
        Some(_) => e,
        None => e.with_span(args.span(0)),
    })
}

/// A scalar of `dtype`.
pub fn scalar(dtype: DType, v: f64) -> Arr {
    ops::scalar(dtype, v)
}

/// A `u32` scalar.
pub fn scalar_u32(v: u32) -> Arr {
    Arr::new(Tensor::scalar_of(DType::U32, v as f64))
}

/// An array of `shape` filled with `v` (a scalar array of the wanted dtype).
pub fn fill(t: &mut Tracer, v: &Arr, shape: &[usize]) -> Result<Arr> {
    ops::broadcast_to(t, &ops::materialize(v), shape)
}

/// `0, 1, 2, ...` along `dim` of `shape`.
pub fn iota(t: &mut Tracer, shape: &[usize], dim: usize, dtype: DType) -> Result<Arr> {
    let prim = Prim::new(Iota {
        shape: shape.to_vec(),
        dim,
        dtype,
    });
    ops::apply1(t, prim, &[])
}

/// The static slice `[start, limit)` with `stride` per dim.
pub fn slice(
    t: &mut Tracer,
    a: &Arr,
    start: Vec<usize>,
    limit: Vec<usize>,
    stride: Vec<usize>,
) -> Result<Arr> {
    let prim = Prim::new(Slice {
        start,
        limit,
        stride,
    });
    ops::apply1(t, prim, &[ops::materialize(a)])
}

/// Element `i` of a vector, as a scalar.
pub fn element(t: &mut Tracer, v: &Arr, i: usize) -> Result<Arr> {
    let s = slice(t, v, vec![i], vec![i + 1], vec![1])?;
    ops::reshape(t, &s, &[])
}

/// Concatenates arrays of one dtype along `axis`.
pub fn concat(t: &mut Tracer, xs: &[Arr], axis: usize) -> Result<Arr> {
    let xs: Vec<Arr> = xs.iter().map(ops::materialize).collect();
    if xs.len() == 1 {
        return Ok(xs[0].clone());
    }
    ops::apply1(t, Prim::new(Concat { axis }), &xs)
}

/// `a` converted to a float dtype if it is an integer or bool (`f32`; a weak
/// integer literal becomes a weak float literal).
pub fn to_float(t: &mut Tracer, a: &Arr) -> Result<Arr> {
    match (a, a.weak()) {
        (_, Some(Weak::Int)) => {
            let v = a.concrete().map(|c| c.get_f64(0)).unwrap_or(f64::NAN);
            Ok(Arr::weak_float(v))
        }
        _ if a.dtype().is_int() || a.dtype().is_bool() => ops::cast(t, a, DType::F32),
        _ => Ok(a.clone()),
    }
}

/// Like [`to_float`], but rejects complex arrays (for functions defined on
/// real numbers only, such as `cholesky`).
pub fn to_real_float(args: &Args, i: usize, t: &mut Tracer, a: &Arr) -> Result<Arr> {
    if a.dtype().is_complex() {
        return Err(args.error(
            i,
            format!(
                "`{}` is defined for real arrays only, got {}",
                args.name,
                a.ty()
            ),
        ));
    }
    to_float(t, a)
}

/// The dtype several operands promote to (weak literals take the dtype of
/// the typed ones, or their own default when all are weak).
pub fn result_dtype(xs: &[Arr]) -> DType {
    let Some(first) = xs.first() else {
        return DType::F32;
    };
    let mut acc = first.clone();
    for x in &xs[1..] {
        let (d, w) = ops::promote(&acc, x);
        acc = match w {
            Some(w) => Arr::Const {
                value: Tensor::scalar_of(d, 0.0),
                weak: Some(w),
            },
            None => Arr::new(Tensor::scalar_of(d, 0.0)),
        };
    }
    // Integer literals alone: i64 if one does not fit in i32.
    match acc.weak() {
        Some(Weak::Int) => xs.iter().map(Arr::dtype).fold(DType::I32, DType::join),
        _ => acc.dtype(),
    }
}

/// Argument `i` as a list or tuple of arrays (`concat([a, b])`).
pub fn arrays(args: &Args, i: usize) -> Result<Vec<Arr>> {
    let items = match args.get(i)? {
        Value::List(xs) | Value::Tuple(xs) => xs.clone(),
        v => {
            return Err(args.error(
                i,
                format!(
                    "`{}` expects a list or tuple of arrays, got {}",
                    args.name,
                    v.describe()
                ),
            ))
        }
    };
    let mut out = vec![];
    for (k, v) in items.iter().enumerate() {
        match v {
            Value::Arr(a) => out.push(a.clone()),
            v => {
                return Err(args.error(
                    i,
                    format!(
                        "`{}` expects arrays, but item {} is {}",
                        args.name,
                        k,
                        v.describe()
                    ),
                ))
            }
        }
    }
    if out.is_empty() {
        return Err(args.error(i, format!("`{}` needs at least one array", args.name)));
    }
    Ok(out)
}

/// A shape argument (static non-negative integers) whose number of elements
/// is representable.
pub fn shape_arg(args: &Args, i: usize) -> Result<Shape> {
    let shape = args.shape(i)?;
    if shape
        .iter()
        .try_fold(1usize, |n, d| n.checked_mul(*d))
        .is_none()
    {
        return Err(args.error(
            i,
            format!("the shape {} has too many elements", ShapeDisplay(&shape)),
        ));
    }
    Ok(shape)
}

/// Argument `i` as a list of static integers (negative ones allowed).
pub fn ints(args: &Args, i: usize) -> Result<Vec<i64>> {
    let items: Vec<Value> = match args.get(i)? {
        Value::List(xs) | Value::Tuple(xs) => xs.to_vec(),
        v @ Value::Arr(_) => vec![v.clone()],
        v => {
            return Err(args.error(
                i,
                format!(
                    "`{}` expects integers such as `[3, 4]`, got {}",
                    args.name,
                    v.describe()
                ),
            ))
        }
    };
    items
        .iter()
        .map(|v| match v {
            Value::Arr(a) => a.static_int(),
            _ => None,
        })
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| {
            args.error(i, format!("`{}` expects static integers here", args.name))
                .with_hint("these must be known when the function is traced")
        })
}

/// A target shape for an array of `size` elements, where one entry may be
/// `-1` (inferred, as in NumPy's `reshape`).
pub fn shape_with_inferred(args: &Args, i: usize, size: usize) -> Result<Shape> {
    let dims = ints(args, i)?;
    let mut known: usize = 1;
    let mut hole = None;
    for (k, d) in dims.iter().enumerate() {
        match (*d, hole) {
            (-1, None) => hole = Some(k),
            (-1, Some(_)) => return Err(args.error(i, "only one dimension can be -1")),
            (d, _) if d < 0 => {
                return Err(args.error(i, format!("invalid dimension {} in a shape", d)))
            }
            (d, _) => known = known.saturating_mul(d as usize),
        }
    }
    let mut shape: Shape = dims.iter().map(|d| (*d).max(0) as usize).collect();
    if let Some(k) = hole {
        if known == 0 || !size.is_multiple_of(known) {
            return Err(args.error(
                i,
                format!(
                    "cannot infer the -1 dimension: {} elements do not split into {}",
                    size,
                    shape_text(&dims)
                ),
            ));
        }
        shape[k] = size / known;
    } else if known != size {
        return Err(args
            .error(
                i,
                format!("cannot reshape {} elements to {}", size, shape_text(&dims)),
            )
            .with_hint("the number of elements must stay the same"));
    }
    Ok(shape)
}

fn shape_text(dims: &[i64]) -> String {
    let parts: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// Checks that `x` (of a parameter such as `lo`) broadcasts to `shape`.
pub fn check_broadcasts(args: &Args, i: usize, x: &Arr, shape: &[usize]) -> Result<()> {
    match ops::broadcast_shapes(x.shape(), shape) {
        Ok(s) if s == shape => Ok(()),
        _ => Err(args.error(
            i,
            format!(
                "`{}`: {} does not broadcast to the shape {}",
                args.name,
                x.ty(),
                ShapeDisplay(shape)
            ),
        )),
    }
}

/// Argument `i` as a PRNG key (its raw `u32[2]` data).
pub fn key(args: &Args, i: usize) -> Result<Arr> {
    match args.get(i)? {
        Value::Key(k) => Ok(k.clone()),
        v => Err(args
            .error(
                i,
                format!("`{}` expects a key here, got {}", args.name, v.describe()),
            )
            .with_hint("make one with `key(seed)` and new ones with `split(k)`")),
    }
}

/// The shape of `a` with `axes` (sorted, in range) set to 1: a reduction's
/// result with `keepdims`.
pub fn kept_shape(shape: &[usize], axes: &[usize]) -> Shape {
    shape
        .iter()
        .enumerate()
        .map(|(i, d)| if axes.contains(&i) { 1 } else { *d })
        .collect()
}

/// An error for an empty reduction without identity (`max` of nothing).
pub fn check_nonempty(args: &Args, x: &Arr, axes: &[usize]) -> Result<()> {
    if axes.iter().any(|a| x.shape().get(*a) == Some(&0)) {
        return Err(Diagnostic::new(format!(
            "`{}` of an empty array: {} has no elements along the reduced axes",
            args.name,
            x.ty()
        ))
        .with_span(args.span(0)));
    }
    Ok(())
}
