//! Reductions (LANGUAGE.md §6 "Reductions"): `axis = none` (all axes), an
//! int or a tuple of ints; `keepdims = false`.

use super::util::{self, done};
use super::{Args, Builtin};
use crate::diag::Result;
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tracer::Tracer;
use crate::eval::tree::map_arrays;
use crate::eval::value::{Arr, Value};
use crate::prims::ArgReduce;
use crate::prims::{ArgOp, BinaryOp, Cmp, Prim, ReduceOp, UnaryOp};
use crate::types::DType;

macro_rules! reduction {
    ($name:expr, $imp:expr) => {
        Builtin {
            name: $name,
            params: "x, axis = none, keepdims = false",
            host_only: false,
            imp: $imp,
        }
    };
}

pub const BUILTINS: &[Builtin] = &[
    reduction!("sum", sum),
    reduction!("mean", mean),
    reduction!("max", max),
    reduction!("min", min),
    reduction!("prod", prod),
    reduction!("logsumexp", logsumexp),
    reduction!("argmax", argmax),
    reduction!("argmin", argmin),
    reduction!("norm", norm),
    Builtin {
        name: "tree_sum",
        params: "x",
        host_only: false,
        imp: tree_sum,
    },
];

/// `tree_sum(x)`: the sum of every element of every leaf of a tree (of an
/// array, its `sum`), a scalar of the leaves' promoted dtype; `0` for a tree
/// without leaves. Tree inner products and norms are built on it
/// (`tree_sum(a * b)`), as `optax.tree_utils.tree_vdot` is.
fn tree_sum(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let t = &mut ev.tracer;
    let mut total = Arr::weak_int(0);
    map_arrays(args.get(0)?, &mut |leaf| {
        let leaf = ops::materialize(leaf);
        let axes: Vec<usize> = (0..leaf.rank()).collect();
        let s = sum_of(t, &leaf, &axes, false)?;
        total = ops::binary(t, BinaryOp::Add, &total, &s)?;
        Ok(leaf)
    })
    .map_err(|e| e.or_span(args.span(0)))?;
    Ok(Value::Arr(total))
}

/// The array, its reduced axes and `keepdims`.
fn operands(args: &Args) -> Result<(Arr, Vec<usize>, bool)> {
    let x = ops::materialize(&args.arr(0)?);
    let axes = args.axes(1, x.rank())?;
    let keepdims = args.bool(2)?;
    Ok((x, axes, keepdims))
}

/// Bools count as `i32` in sums and products (NumPy gives `int64`; nest's
/// default integer is `i32`).
fn bool_as_int(t: &mut Tracer, x: &Arr) -> Result<Arr> {
    match x.dtype() {
        DType::Bool => ops::cast(t, x, DType::I32),
        _ => Ok(x.clone()),
    }
}

/// `sum(x, axis)`: the reduce primitive; with no axes, the array itself.
pub fn sum_of(t: &mut Tracer, x: &Arr, axes: &[usize], keepdims: bool) -> Result<Arr> {
    let x = bool_as_int(t, x)?;
    ops::reduce(t, ReduceOp::Sum, &x, axes, keepdims)
}

fn sum(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (x, axes, keepdims) = operands(args)?;
    done(args, sum_of(&mut ev.tracer, &x, &axes, keepdims))
}

fn prod(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (x, axes, keepdims) = operands(args)?;
    let t = &mut ev.tracer;
    let r = bool_as_int(t, &x).and_then(|x| ops::reduce(t, ReduceOp::Prod, &x, &axes, keepdims));
    done(args, r)
}

/// `mean(x, axis)`: the sum over the number of elements reduced. Integers
/// and bools average in `f32`; an empty mean is NaN, as in NumPy.
fn mean(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (x, axes, keepdims) = operands(args)?;
    let count: usize = axes.iter().map(|a| x.shape()[*a]).product();
    let t = &mut ev.tracer;
    let r = util::to_float(t, &x)
        .and_then(|x| sum_of(t, &x, &axes, keepdims))
        .and_then(|s| ops::div(t, &s, &Arr::weak_float(count as f64)));
    done(args, r)
}

/// `max`/`min` over axes; on bools they are `any`/`all`.
pub fn extremum(t: &mut Tracer, x: &Arr, axes: &[usize], keepdims: bool, max: bool) -> Result<Arr> {
    let op = match (x.dtype(), max) {
        (DType::Bool, true) => ReduceOp::Or,
        (DType::Bool, false) => ReduceOp::And,
        (_, true) => ReduceOp::Max,
        (_, false) => ReduceOp::Min,
    };
    ops::reduce(t, op, x, axes, keepdims)
}

fn max(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (x, axes, keepdims) = operands(args)?;
    util::check_nonempty(args, &x, &axes)?;
    done(args, extremum(&mut ev.tracer, &x, &axes, keepdims, true))
}

fn min(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (x, axes, keepdims) = operands(args)?;
    util::check_nonempty(args, &x, &axes)?;
    done(args, extremum(&mut ev.tracer, &x, &axes, keepdims, false))
}

/// `logsumexp(x, axis) = m + log(sum(exp(x - m)))` with `m` the maximum over
/// the axes, replaced by 0 where it is not finite, so that rows of `-inf`
/// give `-inf` (not NaN) and a `+inf` gives `+inf`.
pub fn logsumexp_of(t: &mut Tracer, x: &Arr, axes: &[usize], keepdims: bool) -> Result<Arr> {
    let m = extremum(t, x, axes, true, true)?;
    let abs_m = ops::unary(t, UnaryOp::Abs, &m)?;
    let finite = ops::compare(t, Cmp::Lt, &abs_m, &Arr::weak_float(f64::INFINITY))?;
    let m = ops::select(t, &finite, &m, &Arr::weak_float(0.0))?;
    let shifted = ops::binary(t, BinaryOp::Sub, x, &m)?;
    let e = ops::unary(t, UnaryOp::Exp, &shifted)?;
    let s = ops::reduce(t, ReduceOp::Sum, &e, axes, keepdims)?;
    let l = ops::unary(t, UnaryOp::Log, &s)?;
    let m = if keepdims {
        m
    } else {
        let shape: Vec<usize> = (0..x.rank())
            .filter(|i| !axes.contains(i))
            .map(|i| x.shape()[i])
            .collect();
        ops::reshape(t, &m, &shape)?
    };
    ops::binary(t, BinaryOp::Add, &l, &m)
}

fn logsumexp(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (x, axes, keepdims) = operands(args)?;
    util::check_nonempty(args, &x, &axes)?;
    let t = &mut ev.tracer;
    let x = util::to_real_float(args, 0, t, &x)?;
    done(args, logsumexp_of(t, &x, &axes, keepdims))
}

/// `argmax`/`argmin`: the index (`i32`) of the first extremum along one axis,
/// or in the flattened array when `axis` is `none` (with `keepdims`, every
/// dim is then kept as 1).
fn arg_reduce(ev: &mut Evaluator, args: &Args, op: ArgOp) -> Result<Value> {
    let x = ops::materialize(&args.arr(0)?);
    let keepdims = args.bool(2)?;
    if x.dtype().is_complex() {
        return Err(args.error(
            0,
            format!(
                "`{}` is not defined for complex arrays ({})",
                args.name,
                x.ty()
            ),
        ));
    }
    let (flat, axis) = if args.is_none(1) {
        (true, 0)
    } else {
        (false, args.axis(1, x.rank())?)
    };
    let size: usize = x.shape().iter().product();
    let t = &mut ev.tracer;
    let (operand, reduced) = if flat {
        (ops::reshape(t, &x, &[size])?, (0..x.rank()).collect())
    } else {
        (x.clone(), vec![axis])
    };
    util::check_nonempty(args, &operand, &[axis])?;
    let r = ops::apply1(t, Prim::new(ArgReduce { op, axis }), &[operand]);
    let r = match keepdims {
        true => r.and_then(|r| ops::reshape(t, &r, &util::kept_shape(x.shape(), &reduced))),
        false => r,
    };
    done(args, r)
}

fn argmax(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    arg_reduce(ev, args, ArgOp::Max)
}

fn argmin(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    arg_reduce(ev, args, ArgOp::Min)
}

/// `norm(x, axis)`: the 2-norm `sqrt(sum(|x|^2))` over the axes (the
/// Frobenius norm of a matrix when `axis` is `none`); for complex `x`,
/// `|x|^2 = re^2 + im^2`.
fn norm(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (x, axes, keepdims) = operands(args)?;
    let t = &mut ev.tracer;
    let r = util::to_float(t, &x).and_then(|x| {
        let sq = abs_squared(t, &x)?;
        let s = ops::reduce(t, ReduceOp::Sum, &sq, &axes, keepdims)?;
        ops::unary(t, UnaryOp::Sqrt, &s)
    });
    done(args, r)
}

/// `|x|^2`, real for complex `x`.
fn abs_squared(t: &mut Tracer, x: &Arr) -> Result<Arr> {
    if !x.dtype().is_complex() {
        return ops::binary(t, BinaryOp::Mul, x, x);
    }
    let re = ops::unary(t, UnaryOp::Real, x)?;
    let im = ops::unary(t, UnaryOp::Imag, x)?;
    let re2 = ops::binary(t, BinaryOp::Mul, &re, &re)?;
    let im2 = ops::binary(t, BinaryOp::Mul, &im, &im)?;
    ops::binary(t, BinaryOp::Add, &re2, &im2)
}
