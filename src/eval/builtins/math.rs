//! Elementwise builtins (LANGUAGE.md §6 "Elementwise", "Complex", "Casts").
//!
//! One-argument functions apply leaf by leaf to trees (`exp(params)`);
//! integer arguments of transcendental functions compute in `f32`.

use super::util::{self, done};
use super::{Args, Builtin};
use crate::diag::{Diagnostic, Result};
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::tracer::Tracer;
use crate::eval::value::{Arr, Value};
use crate::prims::Binary;
use crate::prims::{BinaryOp, Prim, UnaryOp};
use crate::types::{DType, Weak};
use once_cell::sync::Lazy;

macro_rules! builtin {
    ($name:expr, $params:expr, $imp:expr) => {
        Builtin {
            name: $name,
            params: $params,
            host_only: false,
            imp: $imp,
        }
    };
}

/// The builtins that apply one unary primitive (`exp`, `sigmoid`, ...),
/// from the ops' table, in its order.
pub static UNARY_BUILTINS: Lazy<Vec<Builtin>> = Lazy::new(|| {
    (UnaryOp::ALL.iter())
        .filter_map(|op| op.spec().builtin)
        .map(|name| builtin!(name, "x", unary))
        .collect()
});

/// The builtins that apply one binary primitive (`maximum`, `minimum`,
/// `pow`), from the ops' table.
pub static BINARY_BUILTINS: Lazy<Vec<Builtin>> = Lazy::new(|| {
    (BinaryOp::ALL.iter())
        .filter_map(|op| op.spec().builtin)
        .map(|name| builtin!(name, "x, y", binary))
        .collect()
});

pub const BUILTINS: &[Builtin] = &[
    builtin!("relu", "x", relu),
    builtin!("softplus", "x", softplus),
    builtin!("clip", "x, lo = none, hi = none", clip),
    builtin!("where", "c, a, b", where_),
    builtin!("complex", "re, im", complex),
    builtin!("real", "x", real),
    builtin!("imag", "x", imag),
    builtin!("conj", "x", conj),
    builtin!("angle", "x", angle),
    builtin!("cast", "x, dtype", cast),
];

/// `exp(x)`, `abs(x)`, ...: the unary primitive named by the builtin, leaf by
/// leaf. `abs` of a complex array is its modulus (a real array).
fn unary(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let Some(op) = UnaryOp::from_builtin(args.name) else {
        return Err(Diagnostic::internal(format!(
            "`{}` is not a unary builtin",
            args.name
        )));
    };
    util::map_tree(ev, args, &|t, a| {
        // A complex literal's modulus is real: it cannot stay a complex literal.
        let a = match (op, a.weak()) {
            (UnaryOp::Abs, Some(Weak::Complex)) => ops::materialize(a),
            _ => a.clone(),
        };
        ops::unary(t, op, &a)
    })
}

fn real_only(name: &str, a: &Arr) -> Result<()> {
    if a.dtype().is_complex() {
        return Err(Diagnostic::new(format!(
            "`{}` is defined for real arrays only, got {}",
            name,
            a.ty()
        )));
    }
    Ok(())
}

/// `relu(x) = max(x, 0)`.
fn relu(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    util::map_tree(ev, args, &|t, a| {
        real_only("relu", a)?;
        ops::binary(t, BinaryOp::Max, a, &Arr::weak_int(0))
    })
}

/// `softplus(x) = log(1 + exp(x))`, computed stably as
/// `max(x, 0) + log1p(exp(-|x|))` (equal: for `x > 0`,
/// `log(1 + e^x) = x + log(e^-x + 1)`).
fn softplus(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    util::map_tree(ev, args, &|t, a| {
        real_only("softplus", a)?;
        let x = util::to_float(t, a)?;
        let pos = ops::binary(t, BinaryOp::Max, &x, &Arr::weak_int(0))?;
        let abs = ops::unary(t, UnaryOp::Abs, &x)?;
        let neg = ops::neg(t, &abs)?;
        let e = ops::unary(t, UnaryOp::Exp, &neg)?;
        let l = ops::unary(t, UnaryOp::Log1p, &e)?;
        ops::binary(t, BinaryOp::Add, &pos, &l)
    })
}

/// `maximum(x, y)`, `pow(x, y)`, ...: the binary primitive named by the
/// builtin, with promotion and broadcasting.
fn binary(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let Some(op) = BinaryOp::from_builtin(args.name) else {
        return Err(Diagnostic::internal(format!(
            "`{}` is not a binary builtin",
            args.name
        )));
    };
    let (x, y) = (args.arr(0)?, args.arr(1)?);
    done(args, ops::binary(&mut ev.tracer, op, &x, &y))
}

/// `clip(x, lo, hi) = minimum(maximum(x, lo), hi)`, as NumPy; a `none`
/// bound is not applied.
fn clip(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let mut x = args.arr(0)?;
    let t = &mut ev.tracer;
    for (i, op) in [(1, BinaryOp::Max), (2, BinaryOp::Min)] {
        if !args.is_none(i) {
            let bound = args.arr(i)?;
            x = ops::binary(t, op, &x, &bound).map_err(|e| e.or_span(args.call))?;
        }
    }
    Ok(Value::Arr(x))
}

/// `where(c, a, b)`: `a` where `c` is true, else `b`, all three broadcast.
fn where_(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (c, a, b) = (args.arr(0)?, args.arr(1)?, args.arr(2)?);
    if c.dtype() != DType::Bool {
        return Err(args
            .error(
                0,
                format!("the condition of `where` must be bool, got {}", c.ty()),
            )
            .with_hint("compare first, e.g. `where(x > 0.0, x, 0.0)`"));
    }
    done(args, ops::select(&mut ev.tracer, &c, &a, &b))
}

/// `complex(re, im)`: a complex array from two real ones, broadcast
/// together: `c128` if the parts promote to `f64`, else `c64` (the parts
/// converted to `f32`, since `c64` holds `f32` pairs).
fn complex(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let (re, im) = (args.arr(0)?, args.arr(1)?);
    for (i, x) in [(0, &re), (1, &im)] {
        if x.dtype().is_complex() {
            return Err(args.error(i, format!("`complex` expects real parts, got {}", x.ty())));
        }
    }
    let t = &mut ev.tracer;
    let r = complex_of(t, &re, &im);
    done(args, r)
}

fn complex_of(t: &mut Tracer, re: &Arr, im: &Arr) -> Result<Arr> {
    let shape = ops::broadcast_shapes(re.shape(), im.shape())?;
    let part = match ops::promote(re, im) {
        (DType::F64, None) => DType::F64,
        _ => DType::F32,
    };
    let mut parts = vec![];
    for x in [re, im] {
        let x = ops::cast(t, x, part)?;
        parts.push(ops::broadcast_to(t, &x, &shape)?);
    }
    ops::apply1(t, Prim::new(Binary(BinaryOp::Complex)), &parts)
}

/// The real part; a real array is its own real part.
pub fn real_part(t: &mut Tracer, a: &Arr) -> Result<Arr> {
    if a.dtype().is_complex() {
        ops::unary(t, UnaryOp::Real, &ops::materialize(a))
    } else {
        Ok(a.clone())
    }
}

/// The imaginary part; zeros (of the same dtype) for a real array.
pub fn imag_part(t: &mut Tracer, a: &Arr) -> Result<Arr> {
    if a.dtype().is_complex() {
        ops::unary(t, UnaryOp::Imag, &ops::materialize(a))
    } else {
        util::fill(t, &util::scalar(a.dtype(), 0.0), a.shape())
    }
}

/// `real(x)`, leaf by leaf.
fn real(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    util::map_tree(ev, args, &|t, a| real_part(t, a))
}

/// `imag(x)`, leaf by leaf.
fn imag(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    util::map_tree(ev, args, &|t, a| imag_part(t, a))
}

/// `conj(x)`: the complex conjugate (the identity on real arrays).
fn conj(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    util::map_tree(ev, args, &|t, a| {
        if a.dtype().is_complex() {
            ops::unary(t, UnaryOp::Conj, a)
        } else {
            Ok(a.clone())
        }
    })
}

/// `angle(x) = atan2(imag(x), real(x))`, in radians (`0` or `pi` for reals).
fn angle(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    util::map_tree(ev, args, &|t, a| {
        let a = util::to_float(t, &ops::materialize(a))?;
        let re = real_part(t, &a)?;
        let im = imag_part(t, &a)?;
        ops::binary(t, BinaryOp::Atan2, &im, &re)
    })
}

/// `cast(x, dtype)`, leaf by leaf: floats to ints truncate toward zero,
/// complex to real keeps the real part, numbers to bool test `!= 0`.
fn cast(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let dtype = args.dtype(1)?;
    util::map_tree(ev, args, &|t, a| ops::cast(t, a, dtype))
}
