//! Array creation builtins (LANGUAGE.md §6 "Creation").

use super::util::{self, done};
use super::{Args, Builtin};
use crate::diag::Result;
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tracer::Tracer;
use crate::eval::value::{Arr, Value};
use crate::prims::{BinaryOp, Cmp};
use crate::types::DType;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "zeros",
        params: "shape, dtype = f32",
        host_only: false,
        imp: zeros,
    },
    Builtin {
        name: "ones",
        params: "shape, dtype = f32",
        host_only: false,
        imp: ones,
    },
    Builtin {
        name: "full",
        params: "shape, v, dtype = none",
        host_only: false,
        imp: full,
    },
    Builtin {
        name: "zeros_like",
        params: "x",
        host_only: false,
        imp: zeros_like,
    },
    Builtin {
        name: "ones_like",
        params: "x",
        host_only: false,
        imp: ones_like,
    },
    Builtin {
        name: "arange",
        params: "n",
        host_only: false,
        imp: arange,
    },
    Builtin {
        name: "linspace",
        params: "a, b, n",
        host_only: false,
        imp: linspace,
    },
    Builtin {
        name: "eye",
        params: "n, dtype = f32",
        host_only: false,
        imp: eye,
    },
];

fn filled(ev: &mut Evaluator, args: &Args, v: f64) -> Result<Value> {
    let shape = util::shape_arg(args, 0)?;
    let dtype = args.dtype(1)?;
    done(
        args,
        util::fill(&mut ev.tracer, &util::scalar(dtype, v), &shape),
    )
}

/// `zeros(shape, dtype = f32)`.
fn zeros(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    filled(ev, args, 0.0)
}

/// `ones(shape, dtype = f32)`.
fn ones(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    filled(ev, args, 1.0)
}

/// `full(shape, v, dtype = none)`: `v` broadcast to `shape`, in `dtype` or
/// else `v`'s own dtype (a weak literal's default: `f32` for `1.5`, `i32` for `3`).
/// `v` may be traced.
fn full(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let shape = util::shape_arg(args, 0)?;
    let v = args.arr(1)?;
    let dtype = if args.is_none(2) {
        v.dtype()
    } else {
        args.dtype(2)?
    };
    let t = &mut ev.tracer;
    let v = ops::cast(t, &v, dtype).map_err(|e| e.or_span(args.span(1)))?;
    util::check_broadcasts(args, 1, &v, &shape)?;
    done(args, util::fill(t, &v, &shape))
}

fn like(ev: &mut Evaluator, args: &Args, v: f64) -> Result<Value> {
    util::map_tree(ev, args, &|t, x: &Arr| {
        util::fill(t, &util::scalar(x.dtype(), v), x.shape())
    })
}

/// `zeros_like(x)`: zeros of `x`'s dtype and shape, leaf by leaf on trees.
fn zeros_like(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    like(ev, args, 0.0)
}

/// `ones_like(x)`, leaf by leaf on trees.
fn ones_like(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    like(ev, args, 1.0)
}

/// `arange(n)`: `[0, 1, ..., n - 1]` as `i32`.
fn arange(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let n = args.usize(0)?;
    if n > i32::MAX as usize {
        return Err(args.error(0, format!("`arange({})` does not fit in i32", n)));
    }
    done(args, util::iota(&mut ev.tracer, &[n], 0, DType::I32))
}

/// `linspace(a, b, n)`: `n` evenly spaced numbers from `a` to `b`, both
/// included, as `jax.numpy.linspace` computes them: with `step_i = i / (n-1)`,
/// `a * (1 - step_i) + b * step_i` for `i < n - 1`, and exactly `b` last.
/// The dtype is `f32` (`f64` if `a` or `b` is).
fn linspace(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (a, b) = (args.arr(0)?, args.arr(1)?);
    for (i, x) in [(0, &a), (1, &b)] {
        if x.rank() != 0 || x.dtype().is_complex() {
            return Err(args.error(
                i,
                format!("`linspace` expects a real scalar here, got {}", x.ty()),
            ));
        }
    }
    let n = args.usize(2)?;
    let dtype = match util::result_dtype(&[a.clone(), b.clone()]) {
        DType::F64 => DType::F64,
        _ => DType::F32,
    };
    let t = &mut ev.tracer;
    let (a, b) = (ops::cast(t, &a, dtype)?, ops::cast(t, &b, dtype)?);
    done(args, linspace_of(t, &a, &b, n, dtype))
}

fn linspace_of(t: &mut Tracer, a: &Arr, b: &Arr, n: usize, dtype: DType) -> Result<Arr> {
    if n <= 1 {
        return util::fill(t, a, &[n]);
    }
    let div = util::scalar(dtype, (n - 1) as f64);
    let i = util::iota(t, &[n - 1], 0, dtype)?;
    let step = ops::div(t, &i, &div)?;
    let one_minus = ops::binary(t, BinaryOp::Sub, &Arr::weak_float(1.0), &step)?;
    let lo = ops::binary(t, BinaryOp::Mul, a, &one_minus)?;
    let hi = ops::binary(t, BinaryOp::Mul, b, &step)?;
    let head = ops::binary(t, BinaryOp::Add, &lo, &hi)?;
    let last = ops::reshape(t, b, &[1])?;
    util::concat(t, &[head, last], 0)
}

/// `eye(n, dtype = f32)`: the identity matrix.
fn eye(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let n = args.usize(0)?;
    let dtype = args.dtype(1)?;
    done(args, identity(&mut ev.tracer, n, dtype))
}

/// The `n x n` identity matrix of `dtype`, from comparing two iotas.
pub fn identity(t: &mut Tracer, n: usize, dtype: DType) -> Result<Arr> {
    let rows = util::iota(t, &[n, n], 0, DType::I32)?;
    let cols = util::iota(t, &[n, n], 1, DType::I32)?;
    let eq = ops::compare(t, Cmp::Eq, &rows, &cols)?;
    ops::cast(t, &eq, dtype)
}
