//! Elementwise primitives: unary and binary arithmetic, comparisons, select, conversions.
//!
//! Dtype domains (checked by `infer`, named in its errors):
//! * numeric means every dtype but `bool`;
//! * transcendental unary ops (`exp log log1p expm1 sqrt rsqrt sin cos tanh
//!   logistic`) take `f32`, `f64`, `c64`; `floor ceil round` take floats;
//! * `f32` is computed through `f64` and rounded once (exact for `+ - * /`,
//!   at least as accurate elsewhere); `c64` through `f64` pairs.
//! * integer arithmetic wraps; see [`Int`] for division, remainder and shifts.

use super::expect_arity;
use crate::tensor::kernels::{self, int_pow, zip_map_data, Float, Int};
use crate::tensor::{Data, Tensor, C64};
use crate::types::{DType, TensorType};
use num_complex::Complex;

/// Complex arithmetic is done in `f64` pairs and rounded to `c64`.
type C128 = Complex<f64>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// Wraps on integers (`-MIN = MIN`).
    Neg,
    Exp,
    Log,
    Log1p,
    Expm1,
    Sqrt,
    Rsqrt,
    /// Wraps on integers (`|MIN| = MIN`); `|z|` of `c64` is an `f32`.
    Abs,
    /// `-1, 0, 1`; `sign(±0) = ±0` and NaN stays NaN for floats; `z / |z|`
    /// for complex (0 at 0).
    Sign,
    Sin,
    Cos,
    Tanh,
    /// `1 / (1 + exp(-x))`
    Logistic,
    Floor,
    Ceil,
    /// Round half to even.
    Round,
    /// Logical not on bool, bitwise not on integers.
    Not,
    /// `c64 -> f32`; the identity on a real dtype.
    Real,
    /// `c64 -> f32`; zeros of the same dtype for a real dtype.
    Imag,
    /// The identity on a real dtype.
    Conj,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    /// Integer division truncates toward zero; `x / 0` is all ones (`-1`
    /// signed, `MAX` for `u32`) and `MIN / -1` wraps, as XLA does.
    Div,
    /// Truncated remainder (sign of the dividend), as StableHLO `remainder`:
    /// `fmod` for floats, `x % 0 = x` for integers. Not for `c64`.
    Rem,
    /// Floats and complex as `exp(b ln a)` (`0 ** 0 = 1`); integers by
    /// repeated squaring, a negative exponent giving 0 unless the base is ±1.
    Pow,
    /// NaN-propagating; logical or on bool. Not for `c64`.
    Max,
    /// NaN-propagating; logical and on bool. Not for `c64`.
    Min,
    /// Floats only.
    Atan2,
    /// `complex(re, im)`: two `f32` give `c64`.
    Complex,
    /// Logical on bool, bitwise on integers (also `Or`, `Xor`).
    And,
    Or,
    Xor,
    /// Integers only; a shift amount `>=` the bit width (read as unsigned) gives 0.
    ShiftLeft,
    ShiftRightLogical,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// IEEE comparisons on floats (any comparison with NaN is false, except
/// `ne`); `false < true` on bool; only `eq`/`ne` on `c64`.
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl UnaryOp {
    pub fn name(self) -> &'static str {
        match self {
            UnaryOp::Neg => "neg",
            UnaryOp::Exp => "exp",
            UnaryOp::Log => "log",
            UnaryOp::Log1p => "log1p",
            UnaryOp::Expm1 => "expm1",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Rsqrt => "rsqrt",
            UnaryOp::Abs => "abs",
            UnaryOp::Sign => "sign",
            UnaryOp::Sin => "sin",
            UnaryOp::Cos => "cos",
            UnaryOp::Tanh => "tanh",
            UnaryOp::Logistic => "logistic",
            UnaryOp::Floor => "floor",
            UnaryOp::Ceil => "ceil",
            UnaryOp::Round => "round",
            UnaryOp::Not => "not",
            UnaryOp::Real => "real",
            UnaryOp::Imag => "imag",
            UnaryOp::Conj => "conj",
        }
    }
}

impl BinaryOp {
    pub fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::Rem => "rem",
            BinaryOp::Pow => "pow",
            BinaryOp::Max => "max",
            BinaryOp::Min => "min",
            BinaryOp::Atan2 => "atan2",
            BinaryOp::Complex => "complex",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Xor => "xor",
            BinaryOp::ShiftLeft => "shift_left",
            BinaryOp::ShiftRightLogical => "shift_right_logical",
        }
    }
}

impl Cmp {
    pub fn name(self) -> &'static str {
        match self {
            Cmp::Eq => "eq",
            Cmp::Ne => "ne",
            Cmp::Lt => "lt",
            Cmp::Le => "le",
            Cmp::Gt => "gt",
            Cmp::Ge => "ge",
        }
    }
}

// ---------------------------------------------------------------- type rules

/// The one operand of a unary primitive.
fn one<'a>(name: &str, inputs: &'a [TensorType]) -> Result<&'a TensorType, String> {
    expect_arity(name, inputs, 1)?;
    inputs
        .first()
        .ok_or_else(|| format!("{} takes 1 operand", name))
}

/// The two operands of a binary primitive, which must have equal types.
fn two<'a>(
    name: &str,
    inputs: &'a [TensorType],
) -> Result<(&'a TensorType, &'a TensorType), String> {
    expect_arity(name, inputs, 2)?;
    match inputs {
        [a, b] if a == b => Ok((a, b)),
        [a, b] => Err(format!("{}: operand types differ: {} and {}", name, a, b)),
        _ => Err(format!("{} takes 2 operands", name)),
    }
}

fn require(name: &str, ty: &TensorType, ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("{}: expected {} operand, got {}", name, what, ty))
    }
}

fn numeric(d: DType) -> bool {
    !d.is_bool()
}

fn logical(d: DType) -> bool {
    d.is_bool() || d.is_int()
}

/// The dtypes a unary op accepts, and how an error describes them.
fn unary_domain(op: UnaryOp) -> (fn(DType) -> bool, &'static str) {
    use UnaryOp::*;
    match op {
        Neg | Abs | Sign | Real | Imag | Conj => (numeric, "a numeric"),
        Exp | Log | Log1p | Expm1 | Sqrt | Rsqrt | Sin | Cos | Tanh | Logistic => {
            (DType::is_inexact, "a float or complex")
        }
        Floor | Ceil | Round => (DType::is_float, "a float"),
        Not => (logical, "a bool or integer"),
    }
}

/// The dtypes a binary op accepts, and how an error describes them.
fn binary_domain(op: BinaryOp) -> (fn(DType) -> bool, &'static str) {
    use BinaryOp::*;
    match op {
        Add | Sub | Mul | Div | Pow => (numeric, "a numeric"),
        Rem => (|d| d.is_int() || d.is_float(), "an integer or float"),
        Max | Min => (|d| !d.is_complex(), "a real"),
        Atan2 => (DType::is_float, "a float"),
        Complex => (|d| d == DType::F32, "an f32"),
        And | Or | Xor => (logical, "a bool or integer"),
        ShiftLeft | ShiftRightLogical => (DType::is_int, "an integer"),
    }
}

pub fn infer_unary(op: UnaryOp, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let x = one(op.name(), inputs)?;
    let (ok, what) = unary_domain(op);
    require(op.name(), x, ok(x.dtype), what)?;
    let dtype = match op {
        UnaryOp::Abs | UnaryOp::Real | UnaryOp::Imag => x.dtype.real(),
        _ => x.dtype,
    };
    Ok(vec![x.with_dtype(dtype)])
}

pub fn infer_binary(op: BinaryOp, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let (a, _) = two(op.name(), inputs)?;
    let (ok, what) = binary_domain(op);
    require(op.name(), a, ok(a.dtype), what)?;
    let dtype = match op {
        BinaryOp::Complex => DType::C64,
        _ => a.dtype,
    };
    Ok(vec![a.with_dtype(dtype)])
}

pub fn infer_compare(c: Cmp, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let (a, _) = two(c.name(), inputs)?;
    let ordered = !matches!(c, Cmp::Eq | Cmp::Ne);
    require(
        c.name(),
        a,
        !(ordered && a.dtype.is_complex()),
        "an ordered (non-complex)",
    )?;
    Ok(vec![a.with_dtype(DType::Bool)])
}

pub fn infer_select(inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    expect_arity("select", inputs, 3)?;
    let [p, a, b] = inputs else {
        return Err("select takes 3 operands".into());
    };
    if a != b {
        return Err(format!("select: branch types differ: {} and {}", a, b));
    }
    if p.dtype != DType::Bool || p.shape != a.shape {
        return Err(format!(
            "select: predicate must be bool{}, got {}",
            crate::types::ShapeDisplay(&a.shape),
            p
        ));
    }
    Ok(vec![a.clone()])
}

pub fn infer_convert(d: DType, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let x = one("convert", inputs)?;
    Ok(vec![x.with_dtype(d)])
}

/// The bit width class of a dtype that `bitcast_convert` accepts.
fn bitcast_width(d: DType) -> Option<u32> {
    match d {
        DType::I32 | DType::U32 | DType::F32 => Some(32),
        DType::I64 | DType::F64 => Some(64),
        DType::Bool | DType::C64 => None,
    }
}

pub fn infer_bitcast(d: DType, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let x = one("bitcast_convert", inputs)?;
    match (bitcast_width(x.dtype), bitcast_width(d)) {
        (Some(a), Some(b)) if a == b => Ok(vec![x.with_dtype(d)]),
        _ => Err(format!(
            "bitcast_convert: cannot reinterpret {} as {} (widths must match; bool and c64 are not allowed)",
            x, d
        )),
    }
}

// ---------------------------------------------------------------- kernels

fn types(inputs: &[Tensor]) -> Vec<TensorType> {
    inputs.iter().map(Tensor::ty).collect()
}

fn unsupported(name: &str, d: DType) -> String {
    format!("internal error: {} has no kernel for {}", name, d)
}

fn c128(z: C64) -> C128 {
    C128::new(z.re as f64, z.im as f64)
}

fn c64(z: C128) -> C64 {
    C64::new(z.re as f32, z.im as f32)
}

/// The single output of an elementwise kernel.
fn output(ty: &[TensorType], data: Data) -> Result<Vec<Tensor>, String> {
    let ty = ty.first().ok_or("internal error: no output type")?;
    Ok(vec![kernels::tensor(ty.shape.clone(), data)?])
}

pub fn eval_unary(op: UnaryOp, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let out = infer_unary(op, &types(inputs))?;
    let x = inputs.first().ok_or("internal error: no operand")?;
    let data = match x.data() {
        Data::F32(v) => Data::F32(float_unary(op, v)?),
        Data::F64(v) => Data::F64(float_unary(op, v)?),
        Data::I32(v) => Data::I32(int_unary(op, v)?),
        Data::I64(v) => Data::I64(int_unary(op, v)?),
        Data::U32(v) => Data::U32(int_unary(op, v)?),
        Data::Bool(v) if op == UnaryOp::Not => Data::Bool(kernels::map(v, |b| !b)),
        Data::Bool(_) => return Err(unsupported(op.name(), DType::Bool)),
        Data::C64(v) => complex_unary(op, v)?,
    };
    output(&out, data)
}

fn round_half_even(x: f64) -> f64 {
    x.round_ties_even()
}

fn float_unary<T: Float>(op: UnaryOp, v: &[T]) -> Result<Vec<T>, String> {
    use UnaryOp::*;
    let f: fn(f64) -> f64 = match op {
        Neg => |x| -x,
        Exp => f64::exp,
        Log => f64::ln,
        Log1p => f64::ln_1p,
        Expm1 => f64::exp_m1,
        Sqrt => f64::sqrt,
        Rsqrt => |x| 1.0 / x.sqrt(),
        Abs => f64::abs,
        // `x == 0` keeps the signed zero; NaN falls through `signum` as NaN.
        Sign => |x| if x == 0.0 { x } else { x.signum() },
        Sin => f64::sin,
        Cos => f64::cos,
        Tanh => f64::tanh,
        Logistic => |x| 1.0 / (1.0 + (-x).exp()),
        Floor => f64::floor,
        Ceil => f64::ceil,
        Round => round_half_even,
        Real | Conj => |x| x,
        Imag => |_| 0.0,
        Not => return Err(unsupported(op.name(), DType::F64)),
    };
    Ok(kernels::map(v, |x| T::from_f64(f(x.to_f64()))))
}

fn int_unary<T: Int>(op: UnaryOp, v: &[T]) -> Result<Vec<T>, String> {
    use UnaryOp::*;
    let f: fn(T) -> T = match op {
        Neg => T::wneg,
        Abs => T::wabs,
        Sign => T::sign,
        Not => |x| !x,
        Real | Conj => |x| x,
        Imag => |_| T::ZERO,
        Exp | Log | Log1p | Expm1 | Sqrt | Rsqrt | Sin | Cos | Tanh | Logistic | Floor | Ceil
        | Round => return Err(unsupported(op.name(), DType::I64)),
    };
    Ok(kernels::map(v, f))
}

/// `log(1 + z)` accurate near 0: `|1+z|² = 1 + (2x + x² + y²)`.
fn complex_log1p(z: C128) -> C128 {
    let t = 2.0 * z.re + z.re * z.re + z.im * z.im;
    C128::new(0.5 * t.ln_1p(), z.im.atan2(1.0 + z.re))
}

/// `exp(z) - 1` accurate near 0: `Re = expm1(x) cos y - 2 sin²(y/2)`.
fn complex_expm1(z: C128) -> C128 {
    let half = (0.5 * z.im).sin();
    let re = z.re.exp_m1() * z.im.cos() - 2.0 * half * half;
    C128::new(re, z.re.exp() * z.im.sin())
}

fn complex_unary(op: UnaryOp, v: &[C64]) -> Result<Data, String> {
    use UnaryOp::*;
    let f: fn(C128) -> C128 = match op {
        Abs => return Ok(Data::F32(kernels::map(v, |z| c128(z).norm() as f32))),
        Real => return Ok(Data::F32(kernels::map(v, |z| z.re))),
        Imag => return Ok(Data::F32(kernels::map(v, |z| z.im))),
        Neg => |z| -z,
        Conj => |z| z.conj(),
        Exp => C128::exp,
        Log => C128::ln,
        Log1p => complex_log1p,
        Expm1 => complex_expm1,
        Sqrt => C128::sqrt,
        Rsqrt => |z| z.sqrt().inv(),
        Sign => |z| if z.norm() == 0.0 { z } else { z / z.norm() },
        Sin => C128::sin,
        Cos => C128::cos,
        Tanh => C128::tanh,
        Logistic => |z| (C128::new(1.0, 0.0) + (-z).exp()).inv(),
        Floor | Ceil | Round | Not => return Err(unsupported(op.name(), DType::C64)),
    };
    Ok(Data::C64(kernels::map(v, |z| c64(f(c128(z))))))
}

pub fn eval_binary(op: BinaryOp, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let out = infer_binary(op, &types(inputs))?;
    let [a, b] = inputs else {
        return Err("internal error: binary kernel needs 2 operands".into());
    };
    let data = match (a.data(), b.data()) {
        (Data::F32(x), Data::F32(y)) if op == BinaryOp::Complex => {
            Data::C64(kernels::zip(x, y, C64::new)?)
        }
        (Data::F32(x), Data::F32(y)) => Data::F32(float_binary(op, x, y)?),
        (Data::F64(x), Data::F64(y)) => Data::F64(float_binary(op, x, y)?),
        (Data::I32(x), Data::I32(y)) => Data::I32(int_binary(op, x, y)?),
        (Data::I64(x), Data::I64(y)) => Data::I64(int_binary(op, x, y)?),
        (Data::U32(x), Data::U32(y)) => Data::U32(int_binary(op, x, y)?),
        (Data::Bool(x), Data::Bool(y)) => Data::Bool(bool_binary(op, x, y)?),
        (Data::C64(x), Data::C64(y)) => Data::C64(complex_binary(op, x, y)?),
        _ => {
            return Err(format!(
                "internal error: {} of {} and {}",
                op.name(),
                a.ty(),
                b.ty()
            ))
        }
    };
    output(&out, data)
}

fn nan_max(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x >= y {
        x
    } else {
        y
    }
}

fn nan_min(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x <= y {
        x
    } else {
        y
    }
}

fn float_binary<T: Float>(op: BinaryOp, x: &[T], y: &[T]) -> Result<Vec<T>, String> {
    use BinaryOp::*;
    let f: fn(f64, f64) -> f64 = match op {
        Add => |a, b| a + b,
        Sub => |a, b| a - b,
        Mul => |a, b| a * b,
        Div => |a, b| a / b,
        Rem => |a, b| a % b,
        Pow => f64::powf,
        Max => nan_max,
        Min => nan_min,
        Atan2 => f64::atan2,
        Complex | And | Or | Xor | ShiftLeft | ShiftRightLogical => {
            return Err(unsupported(op.name(), DType::F64))
        }
    };
    kernels::zip(x, y, |a, b| T::from_f64(f(a.to_f64(), b.to_f64())))
}

fn int_binary<T: Int>(op: BinaryOp, x: &[T], y: &[T]) -> Result<Vec<T>, String> {
    use BinaryOp::*;
    let f: fn(T, T) -> T = match op {
        Add => T::wadd,
        Sub => T::wsub,
        Mul => T::wmul,
        Div => T::wdiv,
        Rem => T::wrem,
        Pow => int_pow,
        Max => Ord::max,
        Min => Ord::min,
        And => |a, b| a & b,
        Or => |a, b| a | b,
        Xor => |a, b| a ^ b,
        ShiftLeft => T::shl,
        ShiftRightLogical => T::lshr,
        Atan2 | Complex => return Err(unsupported(op.name(), DType::I64)),
    };
    kernels::zip(x, y, f)
}

fn bool_binary(op: BinaryOp, x: &[bool], y: &[bool]) -> Result<Vec<bool>, String> {
    use BinaryOp::*;
    let f: fn(bool, bool) -> bool = match op {
        And | Min => |a, b| a & b,
        Or | Max => |a, b| a | b,
        Xor => |a, b| a ^ b,
        Add | Sub | Mul | Div | Rem | Pow | Atan2 | Complex | ShiftLeft | ShiftRightLogical => {
            return Err(unsupported(op.name(), DType::Bool))
        }
    };
    kernels::zip(x, y, f)
}

/// `a ** b = exp(b ln a)`, with `0 ** 0 = 1` and `0 ** b = 0` for `Re b > 0`.
fn complex_pow(a: C128, b: C128) -> C128 {
    if a.norm_sqr() == 0.0 {
        if b.norm_sqr() == 0.0 {
            return C128::new(1.0, 0.0);
        }
        if b.re > 0.0 {
            return C128::new(0.0, 0.0);
        }
    }
    (b * a.ln()).exp()
}

fn complex_binary(op: BinaryOp, x: &[C64], y: &[C64]) -> Result<Vec<C64>, String> {
    use BinaryOp::*;
    let f: fn(C128, C128) -> C128 = match op {
        Add => |a, b| a + b,
        Sub => |a, b| a - b,
        Mul => |a, b| a * b,
        Div => |a, b| a / b,
        Pow => complex_pow,
        Rem | Max | Min | Atan2 | Complex | And | Or | Xor | ShiftLeft | ShiftRightLogical => {
            return Err(unsupported(op.name(), DType::C64))
        }
    };
    kernels::zip(x, y, |a, b| c64(f(c128(a), c128(b))))
}

pub fn eval_compare(c: Cmp, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let out = infer_compare(c, &types(inputs))?;
    let [a, b] = inputs else {
        return Err("internal error: compare needs 2 operands".into());
    };
    let mismatch = || format!("internal error: {} of {} and {}", c.name(), a.ty(), b.ty());
    let data = match (a.data(), b.data()) {
        (Data::C64(x), Data::C64(y)) => complex_compare(c, x, y)?,
        (Data::F32(x), Data::F32(y)) => ordered_compare(c, x, y)?,
        (Data::F64(x), Data::F64(y)) => ordered_compare(c, x, y)?,
        (Data::I32(x), Data::I32(y)) => ordered_compare(c, x, y)?,
        (Data::I64(x), Data::I64(y)) => ordered_compare(c, x, y)?,
        (Data::U32(x), Data::U32(y)) => ordered_compare(c, x, y)?,
        (Data::Bool(x), Data::Bool(y)) => ordered_compare(c, x, y)?,
        _ => return Err(mismatch()),
    };
    output(&out, Data::Bool(data))
}

fn ordered_compare<T: PartialOrd + Copy>(c: Cmp, x: &[T], y: &[T]) -> Result<Vec<bool>, String> {
    let f: fn(&T, &T) -> bool = match c {
        Cmp::Eq => PartialEq::eq,
        Cmp::Ne => PartialEq::ne,
        Cmp::Lt => PartialOrd::lt,
        Cmp::Le => PartialOrd::le,
        Cmp::Gt => PartialOrd::gt,
        Cmp::Ge => PartialOrd::ge,
    };
    kernels::zip(x, y, |a, b| f(&a, &b))
}

fn complex_compare(c: Cmp, x: &[C64], y: &[C64]) -> Result<Vec<bool>, String> {
    match c {
        Cmp::Eq => kernels::zip(x, y, |a, b| a == b),
        Cmp::Ne => kernels::zip(x, y, |a, b| a != b),
        Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge => Err(unsupported(c.name(), DType::C64)),
    }
}

pub fn eval_select(inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let out = infer_select(&types(inputs))?;
    let [p, a, b] = inputs else {
        return Err("internal error: select needs 3 operands".into());
    };
    let Data::Bool(p) = p.data() else {
        return Err("internal error: select predicate is not bool".into());
    };
    fn pick<T: Copy>(p: &[bool], x: &[T], y: &[T]) -> Vec<T> {
        p.iter()
            .zip(x.iter().zip(y))
            .map(|(&c, (&t, &f))| if c { t } else { f })
            .collect()
    }
    let data = zip_map_data!(a.data(), b.data(), (x, y) => pick(p, x, y),
        else return Err("internal error: select branch dtypes differ".into()));
    output(&out, data)
}

/// Float to integer truncates toward zero and saturates, NaN giving 0 (the
/// semantics of Rust's `as`); integer to integer wraps; complex to real keeps
/// the real part; anything to bool tests `!= 0` (NaN is true); bool to a
/// number gives 0 or 1.
pub fn eval_convert(d: DType, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let out = infer_convert(d, &types(inputs))?;
    let x = inputs.first().ok_or("internal error: no operand")?;
    let data = match x.data() {
        Data::Bool(v) => from_ints(v.iter().map(|&b| b as i64), d),
        Data::I32(v) => from_ints(v.iter().map(|&i| i as i64), d),
        Data::I64(v) => from_ints(v.iter().copied(), d),
        Data::U32(v) => from_ints(v.iter().map(|&i| i as i64), d),
        Data::F32(v) => from_floats(v.iter().map(|&f| f as f64), d),
        Data::F64(v) => from_floats(v.iter().copied(), d),
        Data::C64(v) if d == DType::C64 => Data::C64(v.clone()),
        Data::C64(v) if d == DType::Bool => {
            Data::Bool(kernels::map(v, |z| z.re != 0.0 || z.im != 0.0))
        }
        Data::C64(v) => from_floats(v.iter().map(|z| z.re as f64), d),
    };
    output(&out, data)
}

/// Converts integers (every integer dtype fits in `i64`, and `i64 as f32`
/// rounds once, as a direct conversion would).
fn from_ints(v: impl Iterator<Item = i64>, d: DType) -> Data {
    match d {
        DType::Bool => Data::Bool(v.map(|x| x != 0).collect()),
        DType::I32 => Data::I32(v.map(|x| x as i32).collect()),
        DType::I64 => Data::I64(v.collect()),
        DType::U32 => Data::U32(v.map(|x| x as u32).collect()),
        DType::F32 => Data::F32(v.map(|x| x as f32).collect()),
        DType::F64 => Data::F64(v.map(|x| x as f64).collect()),
        DType::C64 => Data::C64(v.map(|x| C64::new(x as f32, 0.0)).collect()),
    }
}

/// Converts floats (`f32` widens to `f64` exactly, so this matches a direct
/// conversion).
fn from_floats(v: impl Iterator<Item = f64>, d: DType) -> Data {
    match d {
        DType::Bool => Data::Bool(v.map(|x| x != 0.0).collect()),
        DType::I32 => Data::I32(v.map(|x| x as i32).collect()),
        DType::I64 => Data::I64(v.map(|x| x as i64).collect()),
        DType::U32 => Data::U32(v.map(|x| x as u32).collect()),
        DType::F32 => Data::F32(v.map(|x| x as f32).collect()),
        DType::F64 => Data::F64(v.collect()),
        DType::C64 => Data::C64(v.map(|x| C64::new(x as f32, 0.0)).collect()),
    }
}

pub fn eval_bitcast(d: DType, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let out = infer_bitcast(d, &types(inputs))?;
    let x = inputs.first().ok_or("internal error: no operand")?;
    let bad = || format!("internal error: bitcast of {} to {}", x.ty(), d);
    let bits32: Vec<u32> = match x.data() {
        Data::I32(v) => kernels::map(v, |i| i as u32),
        Data::U32(v) => v.clone(),
        Data::F32(v) => kernels::map(v, f32::to_bits),
        Data::I64(v) => return bitcast64(v.clone(), d, &out).ok_or_else(bad)?,
        Data::F64(v) => {
            return bitcast64(kernels::map(v, |f| f.to_bits() as i64), d, &out).ok_or_else(bad)?
        }
        Data::Bool(_) | Data::C64(_) => return Err(bad()),
    };
    let data = match d {
        DType::I32 => Data::I32(kernels::map(&bits32, |b| b as i32)),
        DType::U32 => Data::U32(bits32),
        DType::F32 => Data::F32(kernels::map(&bits32, f32::from_bits)),
        _ => return Err(bad()),
    };
    output(&out, data)
}

fn bitcast64(bits: Vec<i64>, d: DType, out: &[TensorType]) -> Option<Result<Vec<Tensor>, String>> {
    let data = match d {
        DType::I64 => Data::I64(bits),
        DType::F64 => Data::F64(kernels::map(&bits, |b| f64::from_bits(b as u64))),
        _ => return None,
    };
    Some(output(out, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(shape: &[usize], data: Data) -> Tensor {
        Tensor::new(shape.to_vec(), data).expect("test tensor")
    }
    fn v1(data: Data) -> Tensor {
        let n = data.len();
        t(&[n], data)
    }
    fn only(r: Result<Vec<Tensor>, String>) -> Data {
        let out = r.expect("kernel result");
        assert_eq!(out.len(), 1);
        out[0].data().clone()
    }
    fn un(op: UnaryOp, x: Data) -> Data {
        only(eval_unary(op, &[v1(x)]))
    }
    fn bin(op: BinaryOp, x: Data, y: Data) -> Data {
        only(eval_binary(op, &[v1(x), v1(y)]))
    }
    fn cmp(c: Cmp, x: Data, y: Data) -> Vec<bool> {
        match only(eval_compare(c, &[v1(x), v1(y)])) {
            Data::Bool(b) => b,
            d => panic!("compare gave {:?}", d),
        }
    }
    fn f32s(d: Data) -> Vec<f32> {
        match d {
            Data::F32(v) => v,
            d => panic!("expected f32 data, got {:?}", d),
        }
    }
    fn c64s(d: Data) -> Vec<C64> {
        match d {
            Data::C64(v) => v,
            d => panic!("expected c64 data, got {:?}", d),
        }
    }
    fn close(got: &[f32], want: &[f32]) {
        assert_eq!(got.len(), want.len(), "{:?} vs {:?}", got, want);
        for (g, w) in got.iter().zip(want) {
            let ok =
                g == w || (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-6 * w.abs().max(1.0);
            assert!(ok, "got {:?}, want {:?}", got, want);
        }
    }
    fn close_c(got: &[C64], want: &[(f32, f32)]) {
        let re: Vec<f32> = got.iter().map(|z| z.re).collect();
        let im: Vec<f32> = got.iter().map(|z| z.im).collect();
        close(&re, &want.iter().map(|w| w.0).collect::<Vec<_>>());
        close(&im, &want.iter().map(|w| w.1).collect::<Vec<_>>());
    }
    fn ty(d: DType, shape: &[usize]) -> TensorType {
        TensorType::new(d, shape.to_vec())
    }

    #[test]
    fn float_unary_values() {
        use UnaryOp::*;
        let x = || Data::F32(vec![1.5, -2.0, 0.0]);
        close(&f32s(un(Neg, x())), &[-1.5, 2.0, -0.0]);
        close(&f32s(un(Abs, x())), &[1.5, 2.0, 0.0]);
        close(&f32s(un(Exp, Data::F32(vec![1.5, 0.0]))), &[4.481689, 1.0]);
        close(
            &f32s(un(Log, Data::F32(vec![3.0, 0.0]))),
            &[1.0986123, f32::NEG_INFINITY],
        );
        // log1p/expm1 keep full relative precision near 0
        close(&f32s(un(Log1p, Data::F32(vec![1e-10]))), &[1e-10]);
        close(&f32s(un(Expm1, Data::F32(vec![1e-10]))), &[1e-10]);
        close(
            &f32s(un(Sqrt, Data::F32(vec![4.0, -1.0]))),
            &[2.0, f32::NAN],
        );
        close(&f32s(un(Rsqrt, Data::F32(vec![4.0]))), &[0.5]);
        close(&f32s(un(Sin, Data::F32(vec![0.5]))), &[0.47942554]);
        close(&f32s(un(Cos, Data::F32(vec![0.5]))), &[0.87758255]);
        close(&f32s(un(Tanh, Data::F32(vec![0.5]))), &[0.46211717]);
        // logistic(2) = 1 / (1 + e^-2); saturates without NaN at the extremes
        close(
            &f32s(un(Logistic, Data::F32(vec![2.0, -1000.0, 1000.0]))),
            &[0.8807971, 0.0, 1.0],
        );
        close(&f32s(un(Floor, Data::F32(vec![-1.5, 1.5]))), &[-2.0, 1.0]);
        close(&f32s(un(Ceil, Data::F32(vec![-1.5, 1.5]))), &[-1.0, 2.0]);
        let halves = Data::F32(vec![0.5, 1.5, 2.5, -0.5, -1.5, 2.4]);
        close(&f32s(un(Round, halves)), &[0.0, 2.0, 2.0, -0.0, -2.0, 2.0]);
        close(&f32s(un(Real, x())), &[1.5, -2.0, 0.0]);
        close(&f32s(un(Imag, x())), &[0.0, 0.0, 0.0]);
        close(&f32s(un(Conj, x())), &[1.5, -2.0, 0.0]);
    }

    #[test]
    fn sign_of_zero_and_nan() {
        let got = f32s(un(
            UnaryOp::Sign,
            Data::F32(vec![-3.0, 0.0, -0.0, 7.0, f32::NAN]),
        ));
        assert_eq!(&got[..4], &[-1.0, 0.0, 0.0, 1.0]);
        assert!(got[2].is_sign_negative());
        assert!(got[4].is_nan());
        let d = un(UnaryOp::Sign, Data::F64(vec![-0.25, 0.0]));
        assert_eq!(d, Data::F64(vec![-1.0, 0.0]));
    }

    #[test]
    fn f64_unary_is_full_precision() {
        // 1e-300 would underflow in f32
        assert_eq!(
            un(UnaryOp::Sqrt, Data::F64(vec![1e-300])),
            Data::F64(vec![1e-150])
        );
        assert_eq!(un(UnaryOp::Exp, Data::F64(vec![0.0])), Data::F64(vec![1.0]));
    }

    #[test]
    fn int_unary_values() {
        use UnaryOp::*;
        let x = || Data::I32(vec![5, -3, 0, i32::MIN]);
        assert_eq!(un(Neg, x()), Data::I32(vec![-5, 3, 0, i32::MIN]));
        assert_eq!(un(Abs, x()), Data::I32(vec![5, 3, 0, i32::MIN]));
        assert_eq!(un(Sign, x()), Data::I32(vec![1, -1, 0, -1]));
        assert_eq!(un(Not, x()), Data::I32(vec![-6, 2, -1, i32::MAX]));
        assert_eq!(un(Real, x()), x());
        assert_eq!(un(Imag, x()), Data::I32(vec![0; 4]));
        assert_eq!(un(Conj, x()), x());
        assert_eq!(un(Neg, Data::I64(vec![7])), Data::I64(vec![-7]));
        let u = || Data::U32(vec![0, 1, 9]);
        assert_eq!(un(Neg, u()), Data::U32(vec![0, u32::MAX, u32::MAX - 8]));
        assert_eq!(un(Abs, u()), u());
        assert_eq!(un(Sign, u()), Data::U32(vec![0, 1, 1]));
        assert_eq!(
            un(Not, u()),
            Data::U32(vec![u32::MAX, u32::MAX - 1, u32::MAX - 9])
        );
        assert_eq!(
            un(Not, Data::Bool(vec![true, false])),
            Data::Bool(vec![false, true])
        );
    }

    #[test]
    fn complex_unary_values() {
        use UnaryOp::*;
        let z = || Data::C64(vec![C64::new(3.0, 4.0), C64::new(0.0, 0.0)]);
        assert_eq!(un(Abs, z()), Data::F32(vec![5.0, 0.0]));
        assert_eq!(un(Real, z()), Data::F32(vec![3.0, 0.0]));
        assert_eq!(un(Imag, z()), Data::F32(vec![4.0, 0.0]));
        close_c(&c64s(un(Conj, z())), &[(3.0, -4.0), (0.0, -0.0)]);
        close_c(&c64s(un(Neg, z())), &[(-3.0, -4.0), (-0.0, -0.0)]);
        close_c(&c64s(un(Sign, z())), &[(0.6, 0.8), (0.0, 0.0)]);
        let w = || Data::C64(vec![C64::new(1.0, 2.0)]);
        close_c(&c64s(un(Exp, w())), &[(-1.1312044, 2.4717267)]);
        // log(1+2i) = ln √5 + i atan2(2, 1)
        close_c(&c64s(un(Log, w())), &[(0.804719, 1.1071488)]);
        let neg4 = Data::C64(vec![C64::new(-4.0, 0.0)]);
        close_c(&c64s(un(Sqrt, neg4.clone())), &[(0.0, 2.0)]);
        close_c(&c64s(un(Rsqrt, neg4)), &[(0.0, -0.5)]);
        let h = Data::C64(vec![C64::new(0.5, 0.25)]);
        close_c(&c64s(un(Tanh, h)), &[(0.48548728, 0.19805545)]);
        // logistic(0) = 1/2; sin(i) = i sinh 1; cos(i) = cosh 1
        let zero = Data::C64(vec![C64::new(0.0, 0.0)]);
        close_c(&c64s(un(Logistic, zero)), &[(0.5, 0.0)]);
        let i = || Data::C64(vec![C64::new(0.0, 1.0)]);
        close_c(&c64s(un(Sin, i())), &[(0.0, 1.1752012)]);
        close_c(&c64s(un(Cos, i())), &[(1.5430806, 0.0)]);
        // near 0: log1p(z) ≈ z - z²/2 and expm1(z) ≈ z + z²/2, z² = 2e-16 i
        let small = || Data::C64(vec![C64::new(1e-8, 1e-8)]);
        close_c(&c64s(un(Log1p, small())), &[(1e-8, 0.9999999e-8)]);
        close_c(&c64s(un(Expm1, small())), &[(1e-8, 1.00000001e-8)]);
    }

    #[test]
    fn unary_rules() {
        let f = ty(DType::F32, &[2]);
        let c = ty(DType::C64, &[2]);
        let out = infer_unary(UnaryOp::Abs, std::slice::from_ref(&c));
        assert_eq!(out, Ok(vec![ty(DType::F32, &[2])]));
        assert_eq!(
            infer_unary(UnaryOp::Exp, std::slice::from_ref(&c)),
            Ok(vec![c.clone()])
        );
        assert_eq!(
            infer_unary(UnaryOp::Neg, std::slice::from_ref(&f)),
            Ok(vec![f.clone()])
        );
        let err = |op, d| infer_unary(op, &[ty(d, &[3])]).expect_err("must fail");
        assert_eq!(
            err(UnaryOp::Exp, DType::I32),
            "exp: expected a float or complex operand, got i32[3]"
        );
        assert_eq!(
            err(UnaryOp::Floor, DType::C64),
            "floor: expected a float operand, got c64[3]"
        );
        assert_eq!(
            err(UnaryOp::Not, DType::F32),
            "not: expected a bool or integer operand, got f32[3]"
        );
        assert_eq!(
            err(UnaryOp::Neg, DType::Bool),
            "neg: expected a numeric operand, got bool[3]"
        );
        assert_eq!(
            infer_unary(UnaryOp::Neg, &[]),
            Err("neg takes 1 operand(s), got 0".into())
        );
        assert!(eval_unary(UnaryOp::Sin, &[v1(Data::I32(vec![1]))]).is_err());
        assert!(eval_unary(UnaryOp::Sin, &[]).is_err());
    }

    #[test]
    fn float_binary_values() {
        use BinaryOp::*;
        let a = || Data::F32(vec![-7.5, 7.5, 1.0, f32::NAN]);
        let b = || Data::F32(vec![2.0, 2.0, 3.0, 1.0]);
        close(&f32s(bin(Add, a(), b())), &[-5.5, 9.5, 4.0, f32::NAN]);
        close(&f32s(bin(Sub, a(), b())), &[-9.5, 5.5, -2.0, f32::NAN]);
        close(&f32s(bin(Mul, a(), b())), &[-15.0, 15.0, 3.0, f32::NAN]);
        close(
            &f32s(bin(Div, a(), b())),
            &[-3.75, 3.75, 1.0 / 3.0, f32::NAN],
        );
        // fmod: the sign of the dividend
        close(&f32s(bin(Rem, a(), b())), &[-1.5, 1.5, 1.0, f32::NAN]);
        close(&f32s(bin(Pow, a(), b())), &[56.25, 56.25, 1.0, f32::NAN]);
        close(&f32s(bin(Max, a(), b())), &[2.0, 7.5, 3.0, f32::NAN]);
        close(&f32s(bin(Min, a(), b())), &[-7.5, 2.0, 1.0, f32::NAN]);
        let nan_first = bin(Max, Data::F64(vec![1.0]), Data::F64(vec![f64::NAN]));
        assert!(matches!(nan_first, Data::F64(v) if v[0].is_nan()));
        close(
            &f32s(bin(Atan2, Data::F32(vec![1.0]), Data::F32(vec![-1.0]))),
            &[2.3561945],
        );
        let p = bin(Pow, Data::F64(vec![0.0, 2.0]), Data::F64(vec![0.0, -1.0]));
        assert_eq!(p, Data::F64(vec![1.0, 0.5]));
        let z = bin(Complex, Data::F32(vec![1.0]), Data::F32(vec![-2.0]));
        assert_eq!(z, Data::C64(vec![C64::new(1.0, -2.0)]));
    }

    #[test]
    fn int_binary_values() {
        use BinaryOp::*;
        let a = || Data::I32(vec![7, -7, 7, i32::MIN, i32::MAX]);
        let b = || Data::I32(vec![2, 2, 0, -1, 1]);
        assert_eq!(
            bin(Div, a(), b()),
            Data::I32(vec![3, -3, -1, i32::MIN, i32::MAX])
        );
        assert_eq!(bin(Rem, a(), b()), Data::I32(vec![1, -1, 7, 0, 0]));
        assert_eq!(
            bin(Add, a(), b()),
            Data::I32(vec![9, -5, 7, i32::MAX, i32::MIN])
        );
        assert_eq!(
            bin(Sub, a(), b()),
            Data::I32(vec![5, -9, 7, i32::MIN + 1, i32::MAX - 1])
        );
        assert_eq!(
            bin(Mul, a(), b()),
            Data::I32(vec![14, -14, 0, i32::MIN, i32::MAX])
        );
        assert_eq!(bin(Max, a(), b()), Data::I32(vec![7, 2, 7, -1, i32::MAX]));
        assert_eq!(bin(Min, a(), b()), Data::I32(vec![2, -7, 0, i32::MIN, 1]));
        let p = bin(
            Pow,
            Data::I64(vec![3, -2, 2, -1, 5]),
            Data::I64(vec![4, 3, -1, -3, 0]),
        );
        assert_eq!(p, Data::I64(vec![81, -8, 0, -1, 1]));
        let x = || Data::I32(vec![0b1100, -1, 1, 1]);
        let y = || Data::I32(vec![0b1010, 28, 32, -1]);
        assert_eq!(bin(And, x(), y()), Data::I32(vec![0b1000, 28, 0, 1]));
        assert_eq!(bin(Or, x(), y()), Data::I32(vec![0b1110, -1, 33, -1]));
        assert_eq!(bin(Xor, x(), y()), Data::I32(vec![0b0110, -29, 33, -2]));
        assert_eq!(
            bin(ShiftLeft, x(), y()),
            Data::I32(vec![0b1100 << 10, -1 << 28, 0, 0])
        );
        assert_eq!(
            bin(ShiftRightLogical, x(), y()),
            Data::I32(vec![0, 15, 0, 0])
        );
        let u = bin(Div, Data::U32(vec![7, 7]), Data::U32(vec![0, 2]));
        assert_eq!(u, Data::U32(vec![u32::MAX, 3]));
        assert_eq!(
            bin(Sub, Data::U32(vec![0]), Data::U32(vec![1])),
            Data::U32(vec![u32::MAX])
        );
        assert_eq!(
            bin(Rem, Data::I64(vec![-7]), Data::I64(vec![0])),
            Data::I64(vec![-7])
        );
    }

    #[test]
    fn bool_and_complex_binary_values() {
        use BinaryOp::*;
        let p = || Data::Bool(vec![true, true, false, false]);
        let q = || Data::Bool(vec![true, false, true, false]);
        assert_eq!(
            bin(And, p(), q()),
            Data::Bool(vec![true, false, false, false])
        );
        assert_eq!(bin(Or, p(), q()), Data::Bool(vec![true, true, true, false]));
        assert_eq!(
            bin(Xor, p(), q()),
            Data::Bool(vec![false, true, true, false])
        );
        assert_eq!(bin(Max, p(), q()), bin(Or, p(), q()));
        assert_eq!(bin(Min, p(), q()), bin(And, p(), q()));
        let a = || Data::C64(vec![C64::new(1.0, 2.0), C64::new(0.0, 0.0)]);
        let b = || Data::C64(vec![C64::new(3.0, -1.0), C64::new(0.0, 0.0)]);
        close_c(&c64s(bin(Add, a(), b())), &[(4.0, 1.0), (0.0, 0.0)]);
        close_c(&c64s(bin(Sub, a(), b())), &[(-2.0, 3.0), (0.0, 0.0)]);
        // (1+2i)(3-i) = 3 - i + 6i + 2 = 5 + 5i; (1+2i)/(3-i) = (5+5i)·... = (1+7i)/10
        close_c(&c64s(bin(Mul, a(), b())), &[(5.0, 5.0), (0.0, 0.0)]);
        let d = c64s(bin(Div, a(), b()));
        close_c(&d[..1], &[(0.1, 0.7)]);
        let w = Data::C64(vec![C64::new(0.5, -1.0), C64::new(0.0, 0.0)]);
        close_c(
            &c64s(bin(Pow, a(), w)),
            &[(4.382565, -1.1243975), (1.0, 0.0)],
        );
    }

    #[test]
    fn binary_rules() {
        let f3 = ty(DType::F32, &[3]);
        let f4 = ty(DType::F32, &[4]);
        let err = infer_binary(BinaryOp::Add, &[f3.clone(), f4]);
        assert_eq!(
            err,
            Err("add: operand types differ: f32[3] and f32[4]".into())
        );
        let err = infer_binary(BinaryOp::Mul, &[f3.clone(), ty(DType::F64, &[3])]);
        assert_eq!(
            err,
            Err("mul: operand types differ: f32[3] and f64[3]".into())
        );
        let bad = |op, d| infer_binary(op, &[ty(d, &[]), ty(d, &[])]).expect_err("must fail");
        assert_eq!(
            bad(BinaryOp::Add, DType::Bool),
            "add: expected a numeric operand, got bool[]"
        );
        assert_eq!(
            bad(BinaryOp::Rem, DType::C64),
            "rem: expected an integer or float operand, got c64[]"
        );
        assert_eq!(
            bad(BinaryOp::Max, DType::C64),
            "max: expected a real operand, got c64[]"
        );
        assert_eq!(
            bad(BinaryOp::Atan2, DType::I32),
            "atan2: expected a float operand, got i32[]"
        );
        assert_eq!(
            bad(BinaryOp::Complex, DType::F64),
            "complex: expected an f32 operand, got f64[]"
        );
        assert_eq!(
            bad(BinaryOp::Xor, DType::F32),
            "xor: expected a bool or integer operand, got f32[]"
        );
        assert_eq!(
            bad(BinaryOp::ShiftLeft, DType::Bool),
            "shift_left: expected an integer operand, got bool[]"
        );
        let c = infer_binary(BinaryOp::Complex, &[f3.clone(), f3.clone()]);
        assert_eq!(c, Ok(vec![ty(DType::C64, &[3])]));
        assert!(infer_binary(BinaryOp::Add, std::slice::from_ref(&f3)).is_err());
        assert!(eval_binary(BinaryOp::Add, &[v1(Data::F32(vec![1.0]))]).is_err());
    }

    #[test]
    fn comparisons() {
        use Cmp::*;
        let a = || Data::F32(vec![1.0, 2.0, f32::NAN]);
        let b = || Data::F32(vec![2.0, 2.0, f32::NAN]);
        assert_eq!(cmp(Eq, a(), b()), vec![false, true, false]);
        assert_eq!(cmp(Ne, a(), b()), vec![true, false, true]);
        assert_eq!(cmp(Lt, a(), b()), vec![true, false, false]);
        assert_eq!(cmp(Le, a(), b()), vec![true, true, false]);
        assert_eq!(cmp(Gt, a(), b()), vec![false, false, false]);
        assert_eq!(cmp(Ge, a(), b()), vec![false, true, false]);
        let i = cmp(Lt, Data::I64(vec![-1, 3]), Data::I64(vec![0, 3]));
        assert_eq!(i, vec![true, false]);
        assert_eq!(
            cmp(Gt, Data::U32(vec![u32::MAX]), Data::U32(vec![0])),
            vec![true]
        );
        assert_eq!(
            cmp(Ge, Data::I32(vec![-5]), Data::I32(vec![-5])),
            vec![true]
        );
        assert_eq!(
            cmp(Le, Data::F64(vec![0.5]), Data::F64(vec![0.25])),
            vec![false]
        );
        let p = cmp(
            Gt,
            Data::Bool(vec![true, false]),
            Data::Bool(vec![false, false]),
        );
        assert_eq!(p, vec![true, false]);
        let z = || Data::C64(vec![C64::new(1.0, 1.0), C64::new(1.0, 2.0)]);
        let w = || Data::C64(vec![C64::new(1.0, 1.0), C64::new(1.0, 0.0)]);
        assert_eq!(cmp(Eq, z(), w()), vec![true, false]);
        assert_eq!(cmp(Ne, z(), w()), vec![false, true]);
        let c = ty(DType::C64, &[2]);
        let err = infer_compare(Lt, &[c.clone(), c]);
        assert_eq!(
            err,
            Err("lt: expected an ordered (non-complex) operand, got c64[2]".into())
        );
        let ok = infer_compare(Eq, &[ty(DType::Bool, &[2]), ty(DType::Bool, &[2])]);
        assert_eq!(ok, Ok(vec![ty(DType::Bool, &[2])]));
    }

    #[test]
    fn select_values_and_rules() {
        let p = v1(Data::Bool(vec![true, false, true]));
        let a = v1(Data::I64(vec![1, 2, 3]));
        let b = v1(Data::I64(vec![-1, -2, -3]));
        let out = only(eval_select(&[p.clone(), a.clone(), b.clone()]));
        assert_eq!(out, Data::I64(vec![1, -2, 3]));
        let err = infer_select(&[a.ty(), a.ty(), b.ty()]);
        assert_eq!(
            err,
            Err("select: predicate must be bool[3], got i64[3]".into())
        );
        let err = infer_select(&[ty(DType::Bool, &[2]), a.ty(), b.ty()]);
        assert_eq!(
            err,
            Err("select: predicate must be bool[3], got bool[2]".into())
        );
        let err = infer_select(&[p.ty(), a.ty(), ty(DType::F32, &[3])]);
        assert_eq!(
            err,
            Err("select: branch types differ: i64[3] and f32[3]".into())
        );
        assert!(infer_select(&[p.ty(), a.ty()]).is_err());
    }

    fn conv(x: Data, d: DType) -> Data {
        only(eval_convert(d, &[v1(x)]))
    }

    #[test]
    fn conversions() {
        let f = || Data::F32(vec![3.9, -3.9, f32::NAN, 1e20, -1e20]);
        assert_eq!(
            conv(f(), DType::I32),
            Data::I32(vec![3, -3, 0, i32::MAX, i32::MIN])
        );
        assert_eq!(conv(f(), DType::U32), Data::U32(vec![3, 0, 0, u32::MAX, 0]));
        assert_eq!(conv(f(), DType::Bool), Data::Bool(vec![true; 5]));
        let z = Data::C64(vec![
            C64::new(2.5, 1.0),
            C64::new(0.0, 1.0),
            C64::new(0.0, 0.0),
        ]);
        assert_eq!(conv(z.clone(), DType::F64), Data::F64(vec![2.5, 0.0, 0.0]));
        assert_eq!(conv(z.clone(), DType::I64), Data::I64(vec![2, 0, 0]));
        assert_eq!(conv(z, DType::Bool), Data::Bool(vec![true, true, false]));
        let b = || Data::Bool(vec![true, false]);
        assert_eq!(conv(b(), DType::F32), Data::F32(vec![1.0, 0.0]));
        assert_eq!(
            conv(b(), DType::C64),
            Data::C64(vec![C64::new(1.0, 0.0), C64::new(0.0, 0.0)])
        );
        assert_eq!(conv(b(), DType::I32), Data::I32(vec![1, 0]));
        assert_eq!(
            conv(Data::I32(vec![-1]), DType::U32),
            Data::U32(vec![u32::MAX])
        );
        assert_eq!(
            conv(Data::I64(vec![1 << 33]), DType::I32),
            Data::I32(vec![0])
        );
        // 2^53 + 1 rounds to 2^53 in f32 (9007199254740992)
        let big = conv(Data::I64(vec![(1 << 53) + 1]), DType::F32);
        assert_eq!(big, Data::F32(vec![9_007_199_254_740_992.0]));
        assert_eq!(conv(Data::F64(vec![0.1]), DType::F32), Data::F32(vec![0.1]));
        assert_eq!(
            conv(Data::U32(vec![0, 2]), DType::Bool),
            Data::Bool(vec![false, true])
        );
        let r = infer_convert(DType::I32, &[ty(DType::F32, &[2, 3])]);
        assert_eq!(r, Ok(vec![ty(DType::I32, &[2, 3])]));
    }

    #[test]
    fn bitcasts() {
        let bc = |x, d| only(eval_bitcast(d, &[v1(x)]));
        assert_eq!(
            bc(Data::F32(vec![1.0]), DType::I32),
            Data::I32(vec![1_065_353_216])
        );
        assert_eq!(
            bc(Data::F32(vec![-2.0]), DType::U32),
            Data::U32(vec![3_221_225_472])
        );
        assert_eq!(
            bc(Data::U32(vec![3_221_225_472]), DType::F32),
            Data::F32(vec![-2.0])
        );
        assert_eq!(
            bc(Data::I32(vec![-1]), DType::U32),
            Data::U32(vec![u32::MAX])
        );
        let one = bc(Data::F64(vec![1.0]), DType::I64);
        assert_eq!(one, Data::I64(vec![4_607_182_418_800_017_408]));
        assert_eq!(bc(one, DType::F64), Data::F64(vec![1.0]));
        let err = infer_bitcast(DType::F64, &[ty(DType::F32, &[2])]);
        assert_eq!(
            err,
            Err("bitcast_convert: cannot reinterpret f32[2] as f64 (widths must match; bool and c64 are not allowed)".into())
        );
        assert!(infer_bitcast(DType::I32, &[ty(DType::Bool, &[])]).is_err());
        assert!(infer_bitcast(DType::I64, &[ty(DType::C64, &[])]).is_err());
    }

    #[test]
    fn shapes_are_kept() {
        let x = t(&[2, 2], Data::F32(vec![1.0, 2.0, 3.0, 4.0]));
        let out = eval_unary(UnaryOp::Neg, &[x.clone()]).expect("neg");
        assert_eq!(out[0].shape(), &[2, 2]);
        let out = eval_compare(Cmp::Lt, &[x.clone(), x]).expect("lt");
        assert_eq!(out[0].ty(), ty(DType::Bool, &[2, 2]));
    }
}
