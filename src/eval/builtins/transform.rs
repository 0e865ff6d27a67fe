//! Transformations (LANGUAGE.md §7): they take functions and return values or functions.

use super::{Args, Builtin};
use crate::diag::{Diagnostic, Result};
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tree::map_arrays;
use crate::eval::value::{Func, GradOptions, Value};
use crate::eval::vmap::Axes;
use crate::prims::Prim;
use crate::prims::StopGradient;
use std::rc::Rc;

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
    Builtin {
        name: "grad",
        params: "f, wrt = 0, has_aux = false",
        host_only: false,
        imp: grad,
    },
    Builtin {
        name: "value_and_grad",
        params: "f, wrt = 0, has_aux = false",
        host_only: false,
        imp: value_and_grad,
    },
    Builtin {
        name: "jacobian",
        params: "f, wrt = 0",
        host_only: false,
        imp: jacobian,
    },
    Builtin {
        name: "hessian",
        params: "f, wrt = 0",
        host_only: false,
        imp: hessian,
    },
    Builtin {
        name: "hvp",
        params: "f, x, v, *args, wrt = 0",
        host_only: false,
        imp: hvp,
    },
    Builtin {
        name: "vjp",
        params: "...",
        host_only: false,
        imp: vjp,
    },
    Builtin {
        name: "vmap",
        params: "f, in_axes = 0, out_axes = 0",
        host_only: false,
        imp: vmap,
    },
    Builtin {
        name: "custom_jvp",
        params: "f, rule",
        host_only: false,
        imp: custom_jvp,
    },
    Builtin {
        name: "custom_vjp",
        params: "f, fwd, bwd",
        host_only: false,
        imp: custom_vjp,
    },
    Builtin {
        name: "linear_solve",
        params: "matvec, b, solve, transpose_solve = none",
        host_only: false,
        imp: linear_solve,
    },
    Builtin {
        name: "closure_convert",
        params: "f, *args",
        host_only: false,
        imp: closure_convert,
    },
    Builtin {
        name: "ravel",
        params: "tree",
        host_only: false,
        imp: ravel,
    },
];

/// Argument `i`, which must be a function.
fn function(args: &Args, i: usize, what: &str) -> Result<Value> {
    match args.get(i)? {
        f @ Value::Func(_) => Ok(f.clone()),
        other => Err(args.error(
            i,
            format!("`{}` must be a function, got {}", what, other.describe()),
        )),
    }
}

/// `custom_jvp(f, rule)`: `f`, differentiated in forward mode by
/// `rule(primals, tangents) -> (out, out_tangent)` (reverse mode by
/// transposing the rule).
fn custom_jvp(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (f, rule) = (function(args, 0, "f")?, function(args, 1, "rule")?);
    Ok(Value::Func(Rc::new(Func::CustomJvp { f, rule })))
}

/// `custom_vjp(f, fwd, bwd)`: `f`, differentiated in reverse mode by
/// `fwd(...) -> (out, residuals)` and `bwd(residuals, ct) -> cotangents`.
fn custom_vjp(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let f = function(args, 0, "f")?;
    let (fwd, bwd) = (function(args, 1, "fwd")?, function(args, 2, "bwd")?);
    Ok(Value::Func(Rc::new(Func::CustomVjp { f, fwd, bwd })))
}

/// `linear_solve(matvec, b, solve, transpose_solve = none)`.
fn linear_solve(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let matvec = function(args, 0, "matvec")?;
    let solve = function(args, 2, "solve")?;
    let transpose_solve = match args.get(3)? {
        Value::None => Value::None,
        _ => function(args, 3, "transpose_solve")?,
    };
    ev.linear_solve([&matvec, args.get(1)?, &solve, &transpose_solve], args.call)
}

/// `closure_convert(f, *args)`: `(g, consts)` with `g(*args, consts) = f(*args)`.
fn closure_convert(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let f = function(args, 0, "f")?;
    let Value::Tuple(rest) = args.get(1)? else {
        return Err(Diagnostic::internal(
            "`closure_convert` arguments are not a tuple",
        ));
    };
    ev.closure_convert(&f, rest, args.call)
}

/// `ravel(tree)`: `(v, unravel)`.
fn ravel(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    ev.ravel(args.get(0)?, args.call)
}

/// `jvp(f, primals, tangents)`: `(f(*primals), J·tangents)`.
fn jvp(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    ev.jvp_value(args.get(0)?, args.get(1)?, args.get(2)?, args.call)
}

/// `hvp(f, x, v, *args, wrt = 0)`: the Hessian-vector product `∇²f(x)·v`.
fn hvp(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let rest = match args.get(3)? {
        Value::Tuple(xs) => xs.to_vec(),
        _ => return Err(Diagnostic::internal("`hvp` arguments are not a tuple")),
    };
    let f = args.get(0)?;
    if !matches!(f, Value::Func(_)) {
        return Err(args.error(0, format!("`hvp` takes a function, got {}", f.describe())));
    }
    let wrt = args.usize(4)?;
    ev.hvp_value(f, (args.get(1)?, args.get(2)?), &rest, wrt, args.call)
}

/// `stop_gradient(x)`: `x`, leaf by leaf, with a zero derivative.
fn stop_gradient(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let t = &mut ev.tracer;
    map_arrays(args.get(0)?, &mut |a| {
        ops::apply1(t, Prim::new(StopGradient), &[ops::materialize(a)])
    })
    .map_err(|e| e.or_span(args.call))
}

/// `grad(f, wrt = 0, has_aux = false)`: a function returning the gradient
/// of the scalar `f` (and `f`'s auxiliary result, with `has_aux`).
fn grad(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    grad_fn(args, false)
}

/// `value_and_grad(f, wrt = 0, has_aux = false)`: a function returning
/// `(f(...), grad)`.
fn value_and_grad(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    grad_fn(args, true)
}

fn grad_fn(args: &Args, with_value: bool) -> Result<Value> {
    let (f, wrt, tuple) = function_and_wrt(args)?;
    let how = GradOptions {
        wrt,
        tuple,
        with_value,
        has_aux: args.bool(2)?,
    };
    Ok(Value::Func(Rc::new(Func::Grad { f, how })))
}

/// `jacobian(f, wrt = 0)`: a function returning the dense Jacobian.
fn jacobian(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (f, wrt, tuple) = function_and_wrt(args)?;
    Ok(Value::Func(Rc::new(Func::Jacobian { f, wrt, tuple })))
}

/// `hessian(f, wrt = 0)`: the Jacobian of the gradient.
fn hessian(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (f, wrt, tuple) = function_and_wrt(args)?;
    let gradient = Value::Func(Rc::new(Func::Grad {
        f,
        how: GradOptions {
            wrt: wrt.clone(),
            tuple,
            with_value: false,
            has_aux: false,
        },
    }));
    Ok(Value::Func(Rc::new(Func::Jacobian {
        f: gradient,
        wrt,
        tuple,
    })))
}

/// The function and `wrt` (an integer, or a tuple of them) of `grad`,
/// `jacobian` and `hessian`; whether `wrt` was a tuple.
fn function_and_wrt(args: &Args) -> Result<(Value, Vec<usize>, bool)> {
    let f = args.get(0)?.clone();
    if !matches!(f, Value::Func(_)) {
        return Err(args.error(
            0,
            format!("`{}` takes a function, got {}", args.name, f.describe()),
        ));
    }
    let (wrt, tuple) = match args.get(1)? {
        Value::Tuple(xs) | Value::List(xs) => {
            let ws = xs.iter().map(|x| match x {
                Value::Arr(a) => a.static_int().and_then(|i| usize::try_from(i).ok()),
                _ => None,
            });
            (
                ws.collect::<Option<Vec<_>>>().ok_or_else(|| {
                    args.error(1, "`wrt` must be an integer or a tuple of integers")
                })?,
                true,
            )
        }
        _ => (vec![args.usize(1)?], false),
    };
    Ok((f, wrt, tuple))
}

/// `vjp(f, args...)`: `(f(args...), pullback)`; `pullback(ct)` gives a tuple
/// with one cotangent per argument.
fn vjp(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let Some((f, rest)) = args.values.split_first() else {
        return Err(Diagnostic::at(
            args.call,
            "`vjp` takes a function and its arguments",
        ));
    };
    // A host call goes through the trace cache before it gets here
    // (`Evaluator::call`, `host_vjp`).
    ev.vjp_now(f, rest.to_vec(), args.call)
}

/// `vmap(f, in_axes = 0, out_axes = 0)`: `f` mapped over a batch axis.
/// `in_axes` is an integer, `none`, or a tuple with one of those per
/// positional argument (applying to every leaf of that argument); `out_axes`
/// an integer, `none`, or a tuple matching a tuple result.
fn vmap(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let f = args.get(0)?.clone();
    if !matches!(f, Value::Func(_)) {
        return Err(args.error(0, format!("`vmap` takes a function, got {}", f.describe())));
    }
    let axes = |i: usize, what: &str| {
        Axes::parse(args.get(i)?).ok_or_else(|| {
            args.error(
                i,
                format!("`{}` must be an integer, `none`, or a tuple of those", what),
            )
            .with_hint("e.g. `in_axes = (0, none)`: map over axis 0 of the first argument only")
        })
    };
    let (in_axes, out_axes) = (axes(1, "in_axes")?, axes(2, "out_axes")?);
    Ok(Value::Func(Rc::new(Func::Vmap {
        f,
        in_axes,
        out_axes,
    })))
}
