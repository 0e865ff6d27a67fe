//! Transformations (LANGUAGE.md §7): they take functions and return values or functions.

use super::{Args, Builtin};
use crate::diag::Result;
use crate::eval::exec::Evaluator;
use crate::eval::value::Value;

pub const BUILTINS: &[Builtin] = &[Builtin {
    name: "jvp",
    params: "f, primals, tangents",
    host_only: false,
    imp: jvp,
}];

/// `jvp(f, primals, tangents)`: `(f(*primals), J·tangents)`.
fn jvp(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    ev.jvp_value(args.get(0)?, args.get(1)?, args.get(2)?, args.call)
}
