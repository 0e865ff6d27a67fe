//! Neural-net builtins (LANGUAGE.md §6 "Neural nets").

use super::composite;
use super::util::{self, done};
use super::{Args, Builtin};
use crate::diag::Result;
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::value::Value;
use crate::prims::Cmp;
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
        imp: softmax,
    },
    Builtin {
        name: "one_hot",
        params: "labels, k",
        host_only: false,
        imp: one_hot,
    },
];

/// `softmax(x, axis = -1)` and `log_softmax(x, axis = -1)`: `x` as a real
/// float (integers in `f32`) and its axes, checked here, then the nest
/// functions of `stdlib/builtins.nest`.
fn softmax(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = ops::materialize(&args.arr(0)?);
    let x = util::to_real_float(args, 0, &mut ev.tracer, &x)?;
    let axes = args.axes(1, x.rank())?;
    util::check_nonempty(args, &x, &axes)?;
    composite::call(ev, args, vec![Value::Arr(x), composite::axes_value(&axes)])
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
