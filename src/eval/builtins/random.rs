//! Stateless random numbers (LANGUAGE.md §6 "Random"), bit-exact with
//! `jax.random` under its default configuration (threefry2x32 keys,
//! `jax_threefry_partitionable = True`, the default since JAX 0.5; checked
//! against JAX 0.10.2).
//!
//! A key is raw `u32[2]` data. With the partitionable layout, the `n`
//! random words drawn from a key are, for counters `i = 0..n` split into
//! 32-bit halves `(hi, lo) = (0, i)`, `threefry2x32(key, hi, lo)` giving
//! `(b1, b2)`:
//! * `split(k, n)`: key `i` is `[b1[i], b2[i]]`;
//! * random bits of a shape: `b1 ^ b2`, reshaped;
//! * `uniform`: the top 23 bits as the mantissa of a float in `[1, 2)`,
//!   minus 1, scaled to `[lo, hi)`;
//! * `normal`: `sqrt(2) * erfinv(u)` with `u` uniform in `(-1, 1)`;
//! * `bernoulli(p)`: `uniform < p`;
//! * `randint`: two words per value from the two halves of `split(k)`,
//!   reduced modulo the span (JAX's slightly biased scheme).

use super::util::{self, done};
use super::{Args, Builtin};
use crate::diag::{Diagnostic, Result};
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tracer::Tracer;
use crate::eval::value::{Arr, Value};
use crate::prims::{BinaryOp, Cmp, Prim};
use crate::prims::{BitcastConvert, Threefry2x32};
use crate::tensor::Tensor;
use crate::types::{DType, Shape, Weak};
use std::rc::Rc;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "key",
        params: "seed",
        host_only: false,
        imp: key,
    },
    Builtin {
        name: "split",
        params: "k, n = 2",
        host_only: false,
        imp: split,
    },
    Builtin {
        name: "normal",
        params: "k, shape",
        host_only: false,
        imp: normal,
    },
    Builtin {
        name: "uniform",
        params: "k, shape, lo = 0.0, hi = 1.0",
        host_only: false,
        imp: uniform,
    },
    Builtin {
        name: "bernoulli",
        params: "k, p = 0.5, shape = none",
        host_only: false,
        imp: bernoulli,
    },
    Builtin {
        name: "randint",
        params: "k, shape, lo, hi",
        host_only: false,
        imp: randint,
    },
];

/// A weak integer literal as a typed scalar: `i32` if it fits, else `i64`.
fn typed_int(a: &Arr) -> Arr {
    match (a.weak(), a.static_int()) {
        (Some(Weak::Int), Some(v)) => match i32::try_from(v) {
            Ok(v) => Arr::new(Tensor::scalar_i32(v)),
            Err(_) => Arr::new(Tensor::scalar_i64(v)),
        },
        _ => ops::materialize(a),
    }
}

/// `key(seed)`: the key `[seed >> 32, seed & 0xFFFFFFFF]` of an integer seed
/// (`[0, seed]` for an `i32` seed, negative seeds as their two's complement,
/// as JAX's `threefry_seed`). The seed may be traced.
fn key(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let seed = typed_int(&args.arr(0)?);
    if seed.rank() != 0 || !seed.dtype().is_int() {
        return Err(args.error(
            0,
            format!("`key` expects an integer scalar seed, got {}", seed.ty()),
        ));
    }
    let t = &mut ev.tracer;
    let r = seed_words(t, &seed).and_then(|(hi, lo)| {
        let hi = ops::reshape(t, &hi, &[1])?;
        let lo = ops::reshape(t, &lo, &[1])?;
        util::concat(t, &[hi, lo], 0)
    });
    r.map(Value::Key).map_err(|e| e.or_span(args.call))
}

/// The high and low 32-bit words of an integer seed, as `u32` scalars.
fn seed_words(t: &mut Tracer, seed: &Arr) -> Result<(Arr, Arr)> {
    match seed.dtype() {
        DType::I64 => {
            let hi = ops::binary(t, BinaryOp::ShiftRightLogical, seed, &Arr::weak_int(32))?;
            let lo = ops::binary(t, BinaryOp::And, seed, &Arr::weak_int(0xFFFF_FFFF))?;
            Ok((
                ops::cast(t, &hi, DType::U32)?,
                ops::cast(t, &lo, DType::U32)?,
            ))
        }
        DType::U32 => Ok((util::scalar_u32(0), seed.clone())),
        _ => {
            let lo = ops::apply1(
                t,
                Prim::new(BitcastConvert(DType::U32)),
                std::slice::from_ref(seed),
            )?;
            Ok((util::scalar_u32(0), lo))
        }
    }
}

/// `threefry2x32(key, x0, x1)`.
fn threefry(t: &mut Tracer, key: &Arr, x0: Arr, x1: Arr) -> Result<(Arr, Arr)> {
    let k0 = util::element(t, key, 0)?;
    let k1 = util::element(t, key, 1)?;
    let out = t
        .apply(Prim::new(Threefry2x32), &[k0, k1, x0, x1])
        .map_err(Diagnostic::new)?;
    match out.as_slice() {
        [y0, y1] => Ok((y0.clone(), y1.clone())),
        _ => Err(Diagnostic::internal(
            "threefry2x32 gave other than two results",
        )),
    }
}

/// The two threefry outputs for the counters `0..n` (the partitionable
/// layout: a 64-bit iota as (high, low) words; the high words are 0).
fn counter_bits(t: &mut Tracer, key: &Arr, n: usize) -> Result<(Arr, Arr)> {
    if n > u32::MAX as usize {
        return Err(Diagnostic::new(format!(
            "cannot draw {} random numbers at once (at most 2^32 - 1)",
            n
        )));
    }
    let hi = util::fill(t, &util::scalar_u32(0), &[n])?;
    let lo = util::iota(t, &[n], 0, DType::U32)?;
    threefry(t, key, hi, lo)
}

/// 32 random bits per element of `shape`.
fn random_bits(t: &mut Tracer, key: &Arr, shape: &[usize]) -> Result<Arr> {
    let (b1, b2) = counter_bits(t, key, shape.iter().product())?;
    let bits = ops::binary(t, BinaryOp::Xor, &b1, &b2)?;
    ops::reshape(t, &bits, shape)
}

/// `n` new keys from `key`.
fn split_key(t: &mut Tracer, key: &Arr, n: usize) -> Result<Vec<Arr>> {
    let (b1, b2) = counter_bits(t, key, n)?;
    let b1 = ops::reshape(t, &b1, &[n, 1])?;
    let b2 = ops::reshape(t, &b2, &[n, 1])?;
    let keys = util::concat(t, &[b1, b2], 1)?;
    (0..n)
        .map(|i| {
            let row = util::slice(t, &keys, vec![i, 0], vec![i + 1, 2], vec![1, 1])?;
            ops::reshape(t, &row, &[2])
        })
        .collect()
}

/// `split(k, n = 2)`: a tuple of `n` independent keys.
fn split(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let k = util::key(args, 0)?;
    let n = args.usize(1)?;
    let keys = split_key(&mut ev.tracer, &k, n).map_err(|e| e.or_span(args.call))?;
    Ok(Value::Tuple(Rc::new(
        keys.into_iter().map(Value::Key).collect(),
    )))
}

/// Uniform `f32` in `[lo, hi)` (`lo`, `hi`: `f32` broadcasting to `shape`):
/// `f = bitcast(bits >> 9 | bits(1.0)) - 1` lies in `[0, 1)`, then
/// `max(lo, f * (hi - lo) + lo)`.
fn uniform_of(t: &mut Tracer, key: &Arr, shape: &[usize], lo: &Arr, hi: &Arr) -> Result<Arr> {
    let bits = random_bits(t, key, shape)?;
    let mantissa = ops::binary(t, BinaryOp::ShiftRightLogical, &bits, &util::scalar_u32(9))?;
    let one_bits = util::scalar_u32(1.0f32.to_bits());
    let float_bits = ops::binary(t, BinaryOp::Or, &mantissa, &one_bits)?;
    let f = ops::apply1(t, Prim::new(BitcastConvert(DType::F32)), &[float_bits])?;
    let f = ops::binary(t, BinaryOp::Sub, &f, &util::scalar(DType::F32, 1.0))?;
    let span = ops::binary(t, BinaryOp::Sub, hi, lo)?;
    let scaled = ops::binary(t, BinaryOp::Mul, &f, &span)?;
    let shifted = ops::binary(t, BinaryOp::Add, &scaled, lo)?;
    ops::binary(t, BinaryOp::Max, lo, &shifted)
}

/// A real bound converted to `f32`, checked to broadcast to `shape`.
fn f32_arg(args: &Args, i: usize, t: &mut Tracer, shape: &[usize]) -> Result<Arr> {
    let x = args.arr(i)?;
    if x.dtype().is_complex() {
        return Err(args.error(
            i,
            format!("`{}` expects a real number here, got {}", args.name, x.ty()),
        ));
    }
    util::check_broadcasts(args, i, &x, shape)?;
    ops::cast(t, &x, DType::F32)
}

/// `uniform(k, shape, lo = 0.0, hi = 1.0)`: `f32` uniform in `[lo, hi)`.
fn uniform(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let k = util::key(args, 0)?;
    let shape = util::shape_arg(args, 1)?;
    let t = &mut ev.tracer;
    let lo = f32_arg(args, 2, t, &shape)?;
    let hi = f32_arg(args, 3, t, &shape)?;
    done(args, uniform_of(t, &k, &shape, &lo, &hi))
}

/// `normal(k, shape)`: standard normal `f32`, `sqrt(2) * erfinv(u)` for `u`
/// uniform in `(-1, 1)`: the key and the shape checked here, the rest the
/// nest function of `stdlib/builtins.nest`.
fn normal(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let k = util::key(args, 0)?;
    let shape = util::shape_arg(args, 1)?;
    let dims = shape.iter().map(|d| Value::Arr(Arr::weak_int(*d as i64)));
    let shape = Value::List(Rc::new(dims.collect()));
    super::composite::call(ev, args, vec![Value::Key(k), shape])
}

/// `bernoulli(k, p = 0.5, shape = none)`: `bool`, true with probability `p`
/// (`uniform < p`); the shape defaults to `p`'s.
fn bernoulli(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let k = util::key(args, 0)?;
    let p = args.arr(1)?;
    let shape: Shape = if args.is_none(2) {
        p.shape().to_vec()
    } else {
        util::shape_arg(args, 2)?
    };
    let t = &mut ev.tracer;
    let p = f32_arg(args, 1, t, &shape)?;
    let r = uniform_of(
        t,
        &k,
        &shape,
        &util::scalar(DType::F32, 0.0),
        &util::scalar(DType::F32, 1.0),
    )
    .and_then(|u| ops::compare(t, Cmp::Lt, &u, &p));
    done(args, r)
}

/// A bound of `randint` as `i32`: floats truncate, `i64` clips to the `i32`
/// range. Also whether it was above `i32::MAX` (then the span grows by one,
/// so that `i32::MAX` itself can be drawn, as JAX does).
fn int_bound(args: &Args, i: usize, t: &mut Tracer, shape: &[usize]) -> Result<(Arr, Option<Arr>)> {
    let x = typed_int(&args.arr(i)?);
    util::check_broadcasts(args, i, &x, shape)?;
    match x.dtype() {
        DType::I32 => Ok((x, None)),
        DType::F32 | DType::F64 => Ok((ops::cast(t, &x, DType::I32)?, None)),
        DType::I64 | DType::U32 => {
            let x = ops::cast(t, &x, DType::I64)?;
            let (min, max) = (i32::MIN as f64, i32::MAX as f64);
            let above = ops::compare(t, Cmp::Gt, &x, &util::scalar(DType::I64, max))?;
            let c = ops::binary(t, BinaryOp::Max, &x, &util::scalar(DType::I64, min))?;
            let c = ops::binary(t, BinaryOp::Min, &c, &util::scalar(DType::I64, max))?;
            Ok((ops::cast(t, &c, DType::I32)?, Some(above)))
        }
        _ => Err(args.error(
            i,
            format!("`randint` expects an integer bound, got {}", x.ty()),
        )),
    }
}

/// `randint(k, shape, lo, hi)`: `i32` uniform in `[lo, hi)` (always `lo` when
/// `hi <= lo`).
fn randint(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let k = util::key(args, 0)?;
    let shape = util::shape_arg(args, 1)?;
    let t = &mut ev.tracer;
    let (lo, _) = int_bound(args, 2, t, &shape)?;
    let (hi, hi_above) = int_bound(args, 3, t, &shape)?;
    done(args, randint_of(t, &k, &shape, &lo, &hi, hi_above))
}

/// With `span = hi - lo` (as `u32`, at least 1) and two random words `a`,
/// `b` per value, the offset is `(a * 2^32 + b) mod span`, computed without
/// overflow as `((a mod span) * (2^32 mod span) + b mod span) mod span`,
/// where `2^32 mod span = ((2^16 mod span)^2) mod span`.
fn randint_of(
    t: &mut Tracer,
    key: &Arr,
    shape: &[usize],
    lo: &Arr,
    hi: &Arr,
    hi_above: Option<Arr>,
) -> Result<Arr> {
    use BinaryOp::{Add, And, Mul, Rem, Sub};
    let keys = split_key(t, key, 2)?;
    let (higher, lower) = (
        random_bits(t, &keys[0], shape)?,
        random_bits(t, &keys[1], shape)?,
    );
    let diff = ops::materialize(&ops::binary(t, Sub, hi, lo)?);
    let span = ops::apply1(t, Prim::new(BitcastConvert(DType::U32)), &[diff])?;
    let empty = ops::compare(t, Cmp::Le, hi, lo)?;
    let mut span = ops::select(t, &empty, &util::scalar_u32(1), &span)?;
    if let Some(above) = hi_above {
        let nonempty = ops::compare(t, Cmp::Gt, hi, lo)?;
        let grow = ops::binary(t, And, &above, &nonempty)?;
        let bigger = ops::binary(t, Add, &span, &util::scalar_u32(1))?;
        span = ops::select(t, &grow, &bigger, &span)?;
    }
    let m = ops::binary(t, Rem, &util::scalar_u32(1 << 16), &span)?;
    let m2 = ops::binary(t, Mul, &m, &m)?;
    let multiplier = ops::binary(t, Rem, &m2, &span)?;
    let a = ops::binary(t, Rem, &higher, &span)?;
    let a = ops::binary(t, Mul, &a, &multiplier)?;
    let b = ops::binary(t, Rem, &lower, &span)?;
    let sum = ops::binary(t, Add, &a, &b)?;
    let offset = ops::binary(t, Rem, &sum, &span)?;
    let offset = ops::apply1(t, Prim::new(BitcastConvert(DType::I32)), &[offset])?;
    ops::binary(t, Add, lo, &offset)
}
