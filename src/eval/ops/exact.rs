//! Integer literals are exact, as Python's ints are in JAX: arithmetic
//! between literals computes in 64 bits and never wraps, a literal that
//! meets an `i32` operand must fit in `i32`, and an integer power with a
//! known negative exponent is an error (as in NumPy and JAX). Typed integer
//! arrays still wrap, as NumPy's and XLA's do.

use super::Arr;
use crate::diag::{Diagnostic, Result};
use crate::prims::{BinaryOp, UnaryOp};
use crate::types::{DType, Weak};

/// The error for an integer literal that does not fit the integer dtype it
/// meets (`x_i32 + 3000000000`), as JAX raises for such a Python int.
pub fn literal_range_error(v: i64, dtype: DType) -> Diagnostic {
    Diagnostic::new(format!("integer literal {} does not fit in {}", v, dtype)).with_hint(format!(
        "{} holds {}..={}; compute in i64 (`cast(x, i64)`) or use a float literal",
        dtype,
        i32::MIN,
        i32::MAX
    ))
}

/// Whether `d` is [`literal_range_error`]'s error.
pub fn is_literal_range_error(d: &Diagnostic) -> bool {
    d.message.starts_with("integer literal ") && d.message.contains(" does not fit in ")
}

/// A weak integer literal converted to `i32` must keep its value (floats,
/// `i64` and `bool` take any integer literal).
pub(super) fn check_literal_fits(a: &Arr, dtype: DType) -> Result<()> {
    if let (
        Arr::Const {
            value,
            weak: Some(Weak::Int),
        },
        DType::I32,
    ) = (a, dtype)
    {
        if let Some(v) = value.as_int_scalar().filter(|v| i32::try_from(*v).is_err()) {
            return Err(literal_range_error(v, dtype));
        }
    }
    Ok(())
}

fn overflow(what: String) -> Diagnostic {
    Diagnostic::new(format!(
        "integer overflow: {} does not fit in 64 bits",
        what
    ))
    .with_hint("integer literals compute exactly, in i64; use a float literal (`3.0 ** 100`)")
}

fn negative_power() -> Diagnostic {
    Diagnostic::new("integers to negative integer powers are not allowed")
        .with_hint("use a float base (`2.0 ** -1`), as in NumPy")
}

/// `x ** y` exactly, `None` past `i64` (`y >= 0`).
fn exact_pow(x: i64, y: i64) -> Option<i64> {
    match x {
        0 | 1 => Some(if y == 0 { 1 } else { x }),
        -1 => Some(if y % 2 == 0 { 1 } else { -1 }),
        _ => x.checked_pow(u32::try_from(y).ok()?),
    }
}

/// Arithmetic between two integer literals (computed in `i64`, `args` at
/// that payload): an error where the exact result does not fit.
pub(super) fn check_literal_arith(op: BinaryOp, args: &[Arr]) -> Result<()> {
    let [a, b] = args else { return Ok(()) };
    let (Some(x), Some(y)) = (a.static_int(), b.static_int()) else {
        return Ok(());
    };
    let (exact, sym) = match op {
        BinaryOp::Add => (x.checked_add(y), "+"),
        BinaryOp::Sub => (x.checked_sub(y), "-"),
        BinaryOp::Mul => (x.checked_mul(y), "*"),
        BinaryOp::Div if y != 0 => (x.checked_div(y), "/"),
        BinaryOp::Pow if y < 0 => return Err(negative_power()),
        BinaryOp::Pow => (exact_pow(x, y), "**"),
        _ => return Ok(()),
    };
    match exact {
        Some(_) => Ok(()),
        None => Err(overflow(format!("{} {} {}", x, sym, y))),
    }
}

/// `-x` and `|x|` of an integer literal: only `i64::MIN` overflows.
pub(super) fn check_literal_unary(op: UnaryOp, x: &Arr) -> Result<()> {
    match (op, x.static_int()) {
        (UnaryOp::Neg | UnaryOp::Abs, Some(i64::MIN)) => {
            Err(overflow(format!("{}({})", op.name(), i64::MIN)))
        }
        _ => Ok(()),
    }
}

/// `a ** b` on integers with a known exponent that has a negative element.
pub(super) fn check_negative_power(a: &Arr, b: &Arr) -> Result<()> {
    let (d, _) = super::promote(a, b);
    if !d.is_int() {
        return Ok(());
    }
    let negative = b
        .concrete()
        .is_some_and(|t| t.to_f64_vec().iter().any(|&e| e < 0.0));
    match negative {
        true => Err(negative_power()),
        false => Ok(()),
    }
}
