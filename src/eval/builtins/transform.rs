//! Transformations (LANGUAGE.md §7): they take functions and return values or functions.

use super::{Args, Builtin};
use crate::diag::{Diagnostic, Result};
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tree::map_arrays;
use crate::eval::value::{Func, Value};
use crate::eval::vmap::Axes;
use crate::prims::Prim;
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
        params: "f, wrt = 0",
        host_only: false,
        imp: grad,
    },
    Builtin {
        name: "value_and_grad",
        params: "f, wrt = 0",
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
        name: "implicit_solve",
        params: "F, x0, theta, solve, linear = none",
        host_only: false,
        imp: implicit_solve,
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
];

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

/// `implicit_solve(F, x0, theta, solve, linear)`: the root `solve(x0, theta)`
/// of `F(x, theta) = 0`, differentiated implicitly (see `eval/implicit.rs`).
/// `linear` defaults to `neumann(iters = 20, alpha = 0.1)`.
fn implicit_solve(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    for (i, what) in [(0, "F"), (3, "solve")] {
        if !matches!(args.get(i)?, Value::Func(_)) {
            return Err(args.error(
                i,
                format!(
                    "`{}` must be a function, got {}",
                    what,
                    args.get(i)?.describe()
                ),
            ));
        }
    }
    let linear = match args.get(4)? {
        Value::None => {
            let neumann = ev.prelude_fn("neumann", args.call)?;
            ev.call(&neumann, vec![], vec![], args.call)?
        }
        Value::Func(_) => args.get(4)?.clone(),
        other => {
            return Err(args.error(
                4,
                format!(
                    "`linear` must be a linear solver such as `neumann()` or `cg()`, got {}",
                    other.describe()
                ),
            ))
        }
    };
    let [f, x0, theta, solve] = [0, 1, 2, 3].map(|i| &args.values[i]);
    ev.implicit_solve_value([f, x0, theta, solve, &linear], args.call)
}

/// `stop_gradient(x)`: `x`, leaf by leaf, with a zero derivative.
fn stop_gradient(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let t = &mut ev.tracer;
    map_arrays(args.get(0)?, &mut |a| {
        ops::apply1(t, Prim::StopGradient, &[ops::materialize(a)])
    })
    .map_err(|e| e.or_span(args.call))
}

/// `grad(f, wrt = 0)`: a function returning the gradient of the scalar `f`.
fn grad(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    grad_fn(args, false)
}

/// `value_and_grad(f, wrt = 0)`: a function returning `(f(...), grad)`.
fn value_and_grad(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    grad_fn(args, true)
}

fn grad_fn(args: &Args, with_value: bool) -> Result<Value> {
    let (f, wrt, tuple) = function_and_wrt(args)?;
    Ok(Value::Func(Rc::new(Func::Grad {
        f,
        wrt,
        tuple,
        with_value,
    })))
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
        wrt: wrt.clone(),
        tuple,
        with_value: false,
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
    let (y, pb) = ev.vjp_value(f, rest.to_vec(), None, args.call)?;
    Ok(Value::Tuple(Rc::new(vec![
        y,
        Value::Func(Rc::new(Func::Pullback(pb))),
    ])))
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
