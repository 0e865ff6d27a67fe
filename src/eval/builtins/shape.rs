//! Shape builtins (LANGUAGE.md §6 "Shape"), and `x.T`.

use super::args::normalize_axis;
use super::util::{self, done};
use super::{Args, Builtin};
use crate::diag::Result;
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tracer::Tracer;
use crate::eval::value::{Arr, Value};
use crate::types::{Shape, ShapeDisplay};
use std::rc::Rc;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "shape",
        params: "x",
        host_only: false,
        imp: shape,
    },
    Builtin {
        name: "is_none",
        params: "x",
        host_only: false,
        imp: is_none,
    },
    Builtin {
        name: "size",
        params: "x",
        host_only: false,
        imp: size,
    },
    Builtin {
        name: "reshape",
        params: "x, shape",
        host_only: false,
        imp: reshape,
    },
    Builtin {
        name: "transpose",
        params: "x, perm = none",
        host_only: false,
        imp: transpose,
    },
    Builtin {
        name: "expand_dims",
        params: "x, axis",
        host_only: false,
        imp: expand_dims,
    },
    Builtin {
        name: "squeeze",
        params: "x, axis = none",
        host_only: false,
        imp: squeeze,
    },
    Builtin {
        name: "broadcast_to",
        params: "x, shape",
        host_only: false,
        imp: broadcast_to,
    },
    Builtin {
        name: "concat",
        params: "xs, axis = 0",
        host_only: false,
        imp: concat,
    },
    Builtin {
        name: "stack",
        params: "xs, axis = 0",
        host_only: false,
        imp: stack,
    },
    Builtin {
        name: "flatten",
        params: "x",
        host_only: false,
        imp: flatten,
    },
];

/// `x.T`: the dims of `x` reversed (a no-op on vectors and scalars).
pub fn transpose_t(t: &mut Tracer, x: &Arr) -> Result<Arr> {
    let perm: Vec<usize> = (0..x.rank()).rev().collect();
    ops::transpose(t, x, &perm)
}

/// `shape(x)`: a tuple of (weak) integers, usable in shapes and arithmetic.
fn shape(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = args.arr(0)?;
    let dims = x
        .shape()
        .iter()
        .map(|d| Value::Arr(Arr::weak_int(*d as i64)))
        .collect();
    Ok(Value::Tuple(Rc::new(dims)))
}

/// `size(x)`: the number of elements, a (weak) integer.
fn size(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = args.arr(0)?;
    let n: usize = x.shape().iter().product();
    Ok(Value::Arr(Arr::weak_int(n as i64)))
}

/// `is_none(x)`: whether `x` is `none`, as a static `bool` (an `if` on it
/// picks its branch when the function is traced: `fn f(k = none)`).
fn is_none(_ev: &mut Evaluator, args: &Args) -> Result<Value> {
    Ok(Value::tensor(crate::tensor::Tensor::scalar_bool(
        args.is_none(0),
    )))
}

/// `reshape(x, shape)`, row-major; one entry of `shape` may be `-1`.
fn reshape(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = args.arr(0)?;
    let size = x.shape().iter().product();
    let shape = util::shape_with_inferred(args, 1, size)?;
    done(args, ops::reshape(&mut ev.tracer, &x, &shape))
}

/// `transpose(x, perm = none)`: output dim `i` is input dim `perm[i]`
/// (negative entries count from the end); `none` reverses the dims.
fn transpose(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = args.arr(0)?;
    if args.is_none(1) {
        return done(args, transpose_t(&mut ev.tracer, &x));
    }
    let raw = util::ints(args, 1)?;
    let perm: Option<Vec<usize>> = raw.iter().map(|p| normalize_axis(*p, x.rank())).collect();
    let valid = perm.filter(|p| {
        let mut seen = vec![false; x.rank()];
        p.len() == x.rank() && p.iter().all(|i| !std::mem::replace(&mut seen[*i], true))
    });
    let Some(perm) = valid else {
        return Err(args.error(
            1,
            format!(
                "`transpose`: {:?} is not a permutation of the {} axes of {}",
                raw,
                x.rank(),
                x.ty()
            ),
        ));
    };
    done(args, ops::transpose(&mut ev.tracer, &x, &perm))
}

/// How many axes argument `i` names (an int names one).
fn axis_count(args: &Args, i: usize) -> Result<usize> {
    match args.get(i)? {
        Value::Tuple(xs) | Value::List(xs) => Ok(xs.len()),
        Value::Arr(_) => Ok(1),
        v => Err(args.error(
            i,
            format!(
                "`{}` expects an axis or a tuple of axes, got {}",
                args.name,
                v.describe()
            ),
        )),
    }
}

/// `expand_dims(x, axis)`: inserts dims of size 1 at `axis` (an int or a
/// tuple), numbered in the result as in NumPy.
fn expand_dims(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = args.arr(0)?;
    let out_rank = x.rank() + axis_count(args, 1)?;
    let axes = args.axes(1, out_rank)?;
    let mut dims = x.shape().iter();
    let shape: Shape = (0..out_rank)
        .map(|i| match axes.contains(&i) {
            true => 1,
            false => dims.next().copied().unwrap_or(1),
        })
        .collect();
    done(args, ops::reshape(&mut ev.tracer, &x, &shape))
}

/// `squeeze(x, axis = none)`: removes the given dims, which must have size 1
/// (`none`: every dim of size 1).
fn squeeze(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = args.arr(0)?;
    let axes: Vec<usize> = if args.is_none(1) {
        (0..x.rank()).filter(|i| x.shape()[*i] == 1).collect()
    } else {
        args.axes(1, x.rank())?
    };
    if let Some(a) = axes.iter().find(|a| x.shape()[**a] != 1) {
        return Err(args.error(
            1,
            format!(
                "cannot squeeze axis {} of {}: it has size {}, not 1",
                a,
                x.ty(),
                x.shape()[*a]
            ),
        ));
    }
    let shape: Shape = (0..x.rank())
        .filter(|i| !axes.contains(i))
        .map(|i| x.shape()[i])
        .collect();
    done(args, ops::reshape(&mut ev.tracer, &x, &shape))
}

/// `broadcast_to(x, shape)`, NumPy rules (trailing dims align).
fn broadcast_to(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = args.arr(0)?;
    let shape = util::shape_arg(args, 1)?;
    util::check_broadcasts(args, 0, &x, &shape)?;
    done(args, ops::broadcast_to(&mut ev.tracer, &x, &shape))
}

/// Promotes a list of arrays to their common dtype.
fn promote_all(t: &mut Tracer, xs: &[Arr]) -> Result<Vec<Arr>> {
    let dtype = util::result_dtype(xs);
    xs.iter().map(|x| ops::cast(t, x, dtype)).collect()
}

/// `concat(xs, axis = 0)`: joins arrays of equal rank along an existing
/// axis; all other dims must agree. Dtypes promote.
fn concat(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let xs = util::arrays(args, 0)?;
    let rank = xs[0].rank();
    if rank == 0 {
        return Err(args.error(0, "`concat` cannot join scalars; use `stack`"));
    }
    let axis = args.axis(1, rank)?;
    for x in &xs[1..] {
        let same_rest =
            x.rank() == rank && (0..rank).all(|i| i == axis || x.shape()[i] == xs[0].shape()[i]);
        if !same_rest {
            return Err(args.error(
                0,
                format!(
                    "`concat` along axis {}: {} and {} differ in another dimension",
                    axis,
                    xs[0].ty(),
                    x.ty()
                ),
            ));
        }
    }
    let t = &mut ev.tracer;
    let xs = promote_all(t, &xs)?;
    done(args, util::concat(t, &xs, axis))
}

/// `stack(xs, axis = 0)`: joins arrays of equal shape along a new axis.
fn stack(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let xs = util::arrays(args, 0)?;
    let shape = xs[0].shape().to_vec();
    if let Some(x) = xs.iter().find(|x| x.shape() != shape.as_slice()) {
        return Err(args.error(
            0,
            format!(
                "`stack` needs arrays of one shape, got {} and {}",
                ShapeDisplay(&shape),
                ShapeDisplay(x.shape())
            ),
        ));
    }
    let axis = args.axis(1, shape.len() + 1)?;
    let mut expanded = shape.clone();
    expanded.insert(axis, 1);
    let t = &mut ev.tracer;
    let r = stack_along(t, &xs, &expanded, axis);
    done(args, r)
}

fn stack_along(t: &mut Tracer, xs: &[Arr], expanded: &[usize], axis: usize) -> Result<Arr> {
    let xs = promote_all(t, xs)?;
    let parts = xs
        .iter()
        .map(|x| ops::reshape(t, x, expanded))
        .collect::<Result<Vec<_>>>()?;
    util::concat(t, &parts, axis)
}

/// `flatten(x)`: the elements in row-major order, as a vector.
fn flatten(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let x = args.arr(0)?;
    let n: usize = x.shape().iter().product();
    done(args, ops::reshape(&mut ev.tracer, &x, &[n]))
}
