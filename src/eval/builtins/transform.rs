//! Transformations (LANGUAGE.md §7): they take functions and return values or functions.

use super::{Args, Builtin};
use crate::diag::Result;
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tree::map_arrays;
use crate::eval::value::Value;
use crate::prims::Prim;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "jvp",
        params: "f, primals, tangents",
        host_only: false,
        imp: jvp,
    },
    Builtin {
        name: "stop_gradient",
        params: "x",
        host_only: false,
        imp: stop_gradient,
    },
];

/// `jvp(f, primals, tangents)`: `(f(*primals), J·tangents)`.
fn jvp(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    ev.jvp_value(args.get(0)?, args.get(1)?, args.get(2)?, args.call)
}

/// `stop_gradient(x)`: `x`, leaf by leaf, with a zero derivative.
fn stop_gradient(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let t = &mut ev.tracer;
    map_arrays(args.get(0)?, &mut |a| {
        ops::apply1(t, Prim::StopGradient, &[ops::materialize(a)])
    })
    .map_err(|e| e.or_span(args.call))
}
