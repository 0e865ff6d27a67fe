//! Tools for code that validates its arguments, as the standard library
//! does (`implicit_solve` in the prelude): static checks that stop with an
//! error at the call that passed the bad value.

use super::{Args, Builtin};
use crate::diag::{Diagnostic, Result};
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tree::{flatten, same_structure};
use crate::eval::value::Value;
use crate::tensor::Tensor;
use crate::types::TensorType;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "is_float",
        params: "x",
        host_only: false,
        imp: is_float,
    },
    Builtin {
        name: "check",
        params: "cond, message, hint = none",
        host_only: false,
        imp: check,
    },
    Builtin {
        name: "check_like",
        params: "x, like, message, hint = none",
        host_only: false,
        imp: check_like,
    },
];

/// `is_float(x)`: a static bool, whether every leaf of `x` is a real float.
fn is_float(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (leaves, _) = flatten(args.get(0)?);
    let all = leaves
        .iter()
        .all(|a| ops::materialize(a).dtype().is_float());
    Ok(Value::tensor(Tensor::scalar_bool(all)))
}

/// `check(cond, message, hint = none)`: an error saying `message` unless the static
/// bool `cond` holds.
fn check(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    match args.bool(0)? {
        true => Ok(Value::unit()),
        false => Err(with_hint(Diagnostic::at(args.call, args.str(1)?), args, 2)?),
    }
}

/// The diagnostic with the optional hint argument `i`.
fn with_hint(d: Diagnostic, args: &Args, i: usize) -> Result<Diagnostic> {
    Ok(match args.is_none(i) {
        true => d,
        false => d.with_hint(args.str(i)?),
    })
}

/// `check_like(x, like, message, hint = none)`: `x`, if it has the structure and the
/// leaf types of `like`; otherwise an error saying `message` and both.
fn check_like(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (x, like) = (args.get(0)?, args.get(1)?);
    let ((xl, xd), (ll, ld)) = (flatten(x), flatten(like));
    let types = |ls: &[crate::eval::value::Arr]| -> Vec<TensorType> {
        ls.iter().map(|a| ops::materialize(a).ty()).collect()
    };
    let (xt, lt) = (types(&xl), types(&ll));
    if same_structure(&xd, &ld) && xt == lt {
        return Ok(x.clone());
    }
    let list = |ts: &[TensorType]| {
        ts.iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let d = Diagnostic::at(
        args.call,
        format!("{} ({}), got ({})", args.str(2)?, list(&lt), list(&xt)),
    );
    Err(with_hint(d, args, 3)?)
}
