//! Neural-net builtins (LANGUAGE.md §6 "Neural nets").

use super::reduce::extremum;
use super::util::{self, done};
use super::{Args, Builtin};
use crate::diag::Result;
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tracer::Tracer;
use crate::eval::value::{Arr, Value};
use crate::prims::{BinaryOp, Cmp, ReduceOp, UnaryOp};
use crate::types::DType;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "softmax",
        params: "x, axis = -1",
        host_only: false,
        imp: softmax,
    },
    Builtin {
        name: "log_softmax",
        params: "x, axis = -1",
        host_only: false,
        imp: log_softmax,
    },
    Builtin {
        name: "one_hot",
        params: "labels, k",
        host_only: false,
        imp: one_hot,
    },
];

/// A real float `x`, its axes, and `x - max(x)` over them (kept dims).
fn shifted(args: &Args, t: &mut Tracer) -> Result<(Vec<usize>, Arr)> {
    let x = args.arr(0)?;
    let x = util::to_real_float(args, 0, t, &ops::materialize(&x))?;
    let axes = args.axes(1, x.rank())?;
    util::check_nonempty(args, &x, &axes)?;
    let m = extremum(t, &x, &axes, true, true)?;
    let s = ops::binary(t, BinaryOp::Sub, &x, &m)?;
    Ok((axes, s))
}

/// `softmax(x, axis = -1) = exp(x - m) / sum(exp(x - m))` with `m` the
/// maximum along `axis` (the shift cancels; it keeps `exp` from overflowing).
fn softmax(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let t = &mut ev.tracer;
    let (axes, s) = shifted(args, t)?;
    let r = ops::unary(t, UnaryOp::Exp, &s).and_then(|e| {
        let total = ops::reduce(t, ReduceOp::Sum, &e, &axes, true)?;
        ops::div(t, &e, &total)
    });
    done(args, r)
}

/// `log_softmax(x, axis = -1) = (x - m) - log(sum(exp(x - m)))`.
fn log_softmax(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let t = &mut ev.tracer;
    let (axes, s) = shifted(args, t)?;
    let r = ops::unary(t, UnaryOp::Exp, &s).and_then(|e| {
        let total = ops::reduce(t, ReduceOp::Sum, &e, &axes, true)?;
        let l = ops::unary(t, UnaryOp::Log, &total)?;
        ops::binary(t, BinaryOp::Sub, &s, &l)
    });
    done(args, r)
}

/// `one_hot(labels, k)`: `f32[.., k]` with a 1 at each label's index along
/// the new last axis; labels outside `[0, k)` give a row of zeros (as JAX).
fn one_hot(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let labels = ops::materialize(&args.arr(0)?);
    if !labels.dtype().is_int() {
        return Err(args.error(
            0,
            format!("`one_hot` expects integer labels, got {}", labels.ty()),
        ));
    }
    let k = args.usize(1)?;
    let mut shape = labels.shape().to_vec();
    shape.push(1);
    let t = &mut ev.tracer;
    let r = ops::reshape(t, &labels, &shape).and_then(|l| {
        let last = shape.len() - 1;
        shape[last] = k;
        let classes = util::iota(t, &shape, last, l.dtype())?;
        let l = ops::broadcast_to(t, &l, &shape)?;
        let hit = ops::compare(t, Cmp::Eq, &l, &classes)?;
        ops::cast(t, &hit, DType::F32)
    });
    done(args, r)
}
