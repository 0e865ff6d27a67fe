//! Elementwise builtins (LANGUAGE.md §6 "Elementwise", "Complex", "Casts").

use super::{Args, Builtin};
use crate::diag::Result;
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tree::map_arrays;
use crate::eval::value::Value;
use crate::prims::UnaryOp;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "exp",
        params: "x",
        host_only: false,
        imp: exp,
    },
    Builtin {
        name: "maximum",
        params: "x, y",
        host_only: false,
        imp: maximum,
    },
];

/// `exp(x)`, leaf by leaf on trees.
fn exp(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    map_arrays(args.get(0)?, &mut |a| {
        ops::unary(&mut ev.tracer, UnaryOp::Exp, a)
    })
    .map_err(|e| e.or_span(args.call))
}

fn maximum(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (x, y) = (args.arr(0)?, args.arr(1)?);
    Ok(Value::Arr(
        ops::binary(&mut ev.tracer, crate::prims::BinaryOp::Max, &x, &y)
            .map_err(|e| e.or_span(args.call))?,
    ))
}
