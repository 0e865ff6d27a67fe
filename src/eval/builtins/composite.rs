//! Builtins whose computation is nest code (`stdlib/builtins.nest`): the
//! entry in the table keeps the signature, and the Rust side checks the
//! arguments (errors at the argument that is wrong) and normalizes them;
//! the function of the same name in `stdlib/builtins.nest` computes. It is
//! inlined, as a builtin is: eagerly at top level (no trace, no compiled
//! program), into the trace inside a `fn`. See "Builtins: Rust or nest" in
//! docs/architecture.md.

use super::Args;
use crate::diag::{Diagnostic, Result};
use crate::eval::exec::Evaluator;
use crate::eval::value::{Arr, Value};
use std::rc::Rc;

/// The standard-library module that holds the nest side of these builtins.
const MODULE: &str = "builtins";

/// Calls the nest function named as the builtin with `values` (one per
/// parameter of the nest function). An error raised inside it is shown at
/// the builtin's call, with the library's location as a note.
pub fn call(ev: &mut Evaluator, args: &Args, values: Vec<Value>) -> Result<Value> {
    let f = ev
        .load_std(MODULE, args.call)?
        .get(args.name)
        .ok_or_else(|| {
            Diagnostic::internal(format!("stdlib/{}.nest has no `{}`", MODULE, args.name))
        })?;
    let Value::Func(func) = f else {
        return Err(Diagnostic::internal(format!(
            "stdlib/{}.nest: `{}` is not a function",
            MODULE, args.name
        )));
    };
    let spans = (0..values.len()).map(|i| args.span(i));
    let pos = values.into_iter().zip(spans).collect();
    ev.inline_call(&func, args.name, pos, args.call)
        .map_err(|d| ev.shown_in_user_code(d, args.name, args.call))
}

/// Axes as the tuple of static ints a reduction takes.
pub fn axes_value(axes: &[usize]) -> Value {
    let items = axes.iter().map(|a| Value::Arr(Arr::weak_int(*a as i64)));
    Value::Tuple(Rc::new(items.collect()))
}
