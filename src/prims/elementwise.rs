//! Elementwise primitives: unary and binary arithmetic, comparisons, select, conversions.
//!
//! The unary and binary ops are rows of tables (`elementwise/unary.rs`,
//! `elementwise/binary.rs`): each row holds the op's name, builtin, kernels,
//! lowering, JVP and transpose, and the rules below read it.
//!
//! Dtype domains (checked by `infer`, named in its errors):
//! * numeric means every dtype but `bool`;
//! * a unary or binary op takes the dtypes it has kernels for;
//! * `f32` is computed through `f64` and rounded once (exact for `+ - * /`,
//!   at least as accurate elsewhere); `c64` through `f64` pairs
//!   (`elementwise/complex.rs`).
//! * integer arithmetic wraps; see [`crate::tensor::kernels::Int`] for
//!   division, remainder and shifts.

use super::expect_arity;
use crate::ir::emit::{operands, result, Emitter, Value};
use crate::ir::PrimError;
use crate::ir::RuleResult;
use crate::tensor::kernels::{self, zip_map_data, Float};
use crate::tensor::{Data, Tensor, C128, C64};
use crate::types::{DType, TensorType};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// IEEE comparisons on floats (any comparison with NaN is false, except
/// `ne`); `false < true` on bool; only `eq`/`ne` on complex.
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
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
fn one<'a>(name: &str, inputs: &'a [TensorType]) -> RuleResult<&'a TensorType> {
    expect_arity(name, inputs, 1)?;
    inputs
        .first()
        .ok_or_else(|| format!("{} takes 1 operand", name).into())
}

/// The two operands of a binary primitive, which must have equal types.
fn two<'a>(name: &str, inputs: &'a [TensorType]) -> RuleResult<(&'a TensorType, &'a TensorType)> {
    expect_arity(name, inputs, 2)?;
    match inputs {
        [a, b] if a == b => Ok((a, b)),
        [a, b] => Err(format!("{}: operand types differ: {} and {}", name, a, b).into()),
        _ => Err(format!("{} takes 2 operands", name).into()),
    }
}

fn require(name: &str, ty: &TensorType, ok: bool, what: &str) -> RuleResult<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("{}: expected {} operand, got {}", name, what, ty).into())
    }
}

/// How an error names a domain from the kinds of dtype it holds.
fn domain_words(bool: bool, int: bool, float: bool, complex: bool) -> &'static str {
    match (bool, int, float, complex) {
        (false, true, true, true) => "a numeric",
        (false, false, true, true) => "a float or complex",
        (false, false, true, false) => "a float",
        (true, true, false, false) => "a bool or integer",
        (false, true, true, false) => "an integer or float",
        (true, true, true, false) => "a real",
        (false, true, false, false) => "an integer",
        _ => "a supported",
    }
}

pub fn infer_unary(op: UnaryOp, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    let x = one(op.name(), inputs)?;
    require(op.name(), x, op.accepts(x.dtype), op.domain())?;
    let dtype = match op.spec().real_result {
        true => x.dtype.real(),
        false => x.dtype,
    };
    Ok(vec![x.with_dtype(dtype)])
}

pub fn infer_binary(op: BinaryOp, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    let (a, _) = two(op.name(), inputs)?;
    require(op.name(), a, op.accepts(a.dtype), op.domain())?;
    let dtype = match op.spec().makes_complex {
        true => a.dtype.complex(),
        false => a.dtype,
    };
    Ok(vec![a.with_dtype(dtype)])
}

pub fn infer_compare(c: Cmp, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
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

/// One operand of any type, returned unchanged (`stop_gradient`).
pub fn infer_identity(inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    crate::prims::expect_arity("stop_gradient", inputs, 1)?;
    Ok(inputs.to_vec())
}

pub fn infer_select(inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    expect_arity("select", inputs, 3)?;
    let [p, a, b] = inputs else {
        return Err("select takes 3 operands".into());
    };
    if a != b {
        return Err(format!("select: branch types differ: {} and {}", a, b).into());
    }
    if p.dtype != DType::Bool || p.shape != a.shape {
        return Err(format!(
            "select: predicate must be bool{}, got {}",
            crate::types::ShapeDisplay(&a.shape),
            p
        )
        .into());
    }
    Ok(vec![a.clone()])
}

pub fn infer_convert(d: DType, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    let x = one("convert", inputs)?;
    Ok(vec![x.with_dtype(d)])
}

/// The bit width class of a dtype that `bitcast_convert` accepts.
fn bitcast_width(d: DType) -> Option<u32> {
    match d {
        DType::I32 | DType::U32 | DType::F32 => Some(32),
        DType::I64 | DType::F64 => Some(64),
        DType::Bool | DType::C64 | DType::C128 => None,
    }
}

pub fn infer_bitcast(d: DType, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    let x = one("bitcast_convert", inputs)?;
    match (bitcast_width(x.dtype), bitcast_width(d)) {
        (Some(a), Some(b)) if a == b => Ok(vec![x.with_dtype(d)]),
        _ => Err(format!(
            "bitcast_convert: cannot reinterpret {} as {} (widths must match; bool and complex are not allowed)",
            x, d
        ).into()),
    }
}

// ---------------------------------------------------------------- kernels

fn types(inputs: &[Tensor]) -> Vec<TensorType> {
    inputs.iter().map(Tensor::ty).collect()
}

pub(super) fn unsupported(name: &str, d: DType) -> PrimError {
    PrimError::internal(format!("{} has no kernel for {}", name, d))
}

/// The single output of an elementwise kernel.
fn output(ty: &[TensorType], data: Data) -> RuleResult<Vec<Tensor>> {
    let ty = ty
        .first()
        .ok_or_else(|| PrimError::internal("no output type"))?;
    Ok(vec![kernels::tensor(ty.shape.clone(), data)?])
}

pub fn eval_unary(op: UnaryOp, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let out = infer_unary(op, &types(inputs))?;
    let x = inputs
        .first()
        .ok_or_else(|| PrimError::internal("no operand"))?;
    let data = op.kernel(x.data());
    let data = data.ok_or_else(|| unsupported(op.name(), x.dtype()))?;
    output(&out, data)
}

// The kernels of a row are function pointers. These loops inline into the
// row's `kernel` arm, where the pointer is a constant, so that the call
// becomes a direct one and inlines too.

/// Applies `f` to each element through `f64`.
#[inline(always)]
fn lift<T: Float>(v: &[T], f: fn(f64) -> f64) -> Vec<T> {
    let mut out = vec![T::from_f64(0.0); v.len()];
    for (o, &x) in out.iter_mut().zip(v) {
        *o = T::from_f64(f(x.to_f64()));
    }
    out
}

/// Applies `f` elementwise through `f64`.
#[inline(always)]
fn lift2<T: Float>(x: &[T], y: &[T], f: fn(f64, f64) -> f64) -> RuleResult<Vec<T>> {
    same_length(x, y)?;
    let mut out = vec![T::from_f64(0.0); x.len()];
    for ((o, &a), &b) in out.iter_mut().zip(x).zip(y) {
        *o = T::from_f64(f(a.to_f64(), b.to_f64()));
    }
    Ok(out)
}

/// `out[i] = f(a[i])`.
#[inline(always)]
fn map_fn<T: Copy>(a: &[T], f: fn(T) -> T) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len());
    for &x in a {
        out.push(f(x));
    }
    out
}

/// `out[i] = f(a[i], b[i])`.
#[inline(always)]
fn zip_fn<T: Copy>(a: &[T], b: &[T], f: fn(T, T) -> T) -> RuleResult<Vec<T>> {
    same_length(a, b)?;
    let mut out = Vec::with_capacity(a.len());
    for (&x, &y) in a.iter().zip(b) {
        out.push(f(x, y));
    }
    Ok(out)
}

fn same_length<T>(a: &[T], b: &[T]) -> RuleResult<()> {
    match a.len() == b.len() {
        true => Ok(()),
        false => Err(PrimError::internal(format!(
            "operand lengths differ: {} and {}",
            a.len(),
            b.len()
        ))),
    }
}

pub fn eval_binary(op: BinaryOp, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let out = infer_binary(op, &types(inputs))?;
    let [a, b] = inputs else {
        return Err(PrimError::internal("binary kernel needs 2 operands"));
    };
    let data = op.kernel(a, b)?;
    output(&out, data)
}

pub fn eval_compare(c: Cmp, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let out = infer_compare(c, &types(inputs))?;
    let [a, b] = inputs else {
        return Err(PrimError::internal("compare needs 2 operands"));
    };
    let mismatch = || PrimError::internal(format!("{} of {} and {}", c.name(), a.ty(), b.ty()));
    let data = match (a.data(), b.data()) {
        (Data::C64(x), Data::C64(y)) => complex::compare(c, x, y)?,
        (Data::C128(x), Data::C128(y)) => complex::compare(c, x, y)?,
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

fn ordered_compare<T: PartialOrd + Copy>(c: Cmp, x: &[T], y: &[T]) -> RuleResult<Vec<bool>> {
    let f: fn(&T, &T) -> bool = match c {
        Cmp::Eq => PartialEq::eq,
        Cmp::Ne => PartialEq::ne,
        Cmp::Lt => PartialOrd::lt,
        Cmp::Le => PartialOrd::le,
        Cmp::Gt => PartialOrd::gt,
        Cmp::Ge => PartialOrd::ge,
    };
    Ok(kernels::zip(x, y, |a, b| f(&a, &b))?)
}

pub fn eval_select(inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let out = infer_select(&types(inputs))?;
    let [p, a, b] = inputs else {
        return Err(PrimError::internal("select needs 3 operands"));
    };
    let Data::Bool(p) = p.data() else {
        return Err(PrimError::internal("select predicate is not bool"));
    };
    fn pick<T: Copy>(p: &[bool], x: &[T], y: &[T]) -> Vec<T> {
        p.iter()
            .zip(x.iter().zip(y))
            .map(|(&c, (&t, &f))| if c { t } else { f })
            .collect()
    }
    let data = zip_map_data!(a.data(), b.data(), (x, y) => pick(p, x, y),
        else return Err(PrimError::internal("select branch dtypes differ")));
    output(&out, data)
}

/// Float to integer truncates toward zero and saturates, NaN giving 0 (the
/// semantics of Rust's `as`); integer to integer wraps; complex to real keeps
/// the real part; anything to bool tests `!= 0` (NaN is true); bool to a
/// number gives 0 or 1.
pub fn eval_convert(d: DType, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let out = infer_convert(d, &types(inputs))?;
    let x = inputs
        .first()
        .ok_or_else(|| PrimError::internal("no operand"))?;
    let data = match x.data() {
        Data::Bool(v) => from_ints(v.iter().map(|&b| b as i64), d),
        Data::I32(v) => from_ints(v.iter().map(|&i| i as i64), d),
        Data::I64(v) => from_ints(v.iter().copied(), d),
        Data::U32(v) => from_ints(v.iter().map(|&i| i as i64), d),
        Data::F32(v) => from_floats(v.iter().map(|&f| f as f64), d),
        Data::F64(v) => from_floats(v.iter().copied(), d),
        Data::C64(v) => {
            complex::convert(v, d).unwrap_or_else(|| from_floats(v.iter().map(|z| z.re as f64), d))
        }
        Data::C128(v) => {
            complex::convert(v, d).unwrap_or_else(|| from_floats(v.iter().map(|z| z.re), d))
        }
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
        DType::C128 => Data::C128(v.map(|x| C128::new(x as f64, 0.0)).collect()),
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
        DType::C128 => Data::C128(v.map(|x| C128::new(x, 0.0)).collect()),
    }
}

pub fn eval_bitcast(d: DType, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let out = infer_bitcast(d, &types(inputs))?;
    let x = inputs
        .first()
        .ok_or_else(|| PrimError::internal("no operand"))?;
    let bad = || PrimError::internal(format!("bitcast of {} to {}", x.ty(), d));
    let bits32: Vec<u32> = match x.data() {
        Data::I32(v) => kernels::map(v, |i| i as u32),
        Data::U32(v) => v.clone(),
        Data::F32(v) => kernels::map(v, f32::to_bits),
        Data::I64(v) => return bitcast64(v.clone(), d, &out).ok_or_else(bad)?,
        Data::F64(v) => {
            return bitcast64(kernels::map(v, |f| f.to_bits() as i64), d, &out).ok_or_else(bad)?
        }
        Data::Bool(_) | Data::C64(_) | Data::C128(_) => return Err(bad()),
    };
    let data = match d {
        DType::I32 => Data::I32(kernels::map(&bits32, |b| b as i32)),
        DType::U32 => Data::U32(bits32),
        DType::F32 => Data::F32(kernels::map(&bits32, f32::from_bits)),
        _ => return Err(bad()),
    };
    output(&out, data)
}

fn bitcast64(bits: Vec<i64>, d: DType, out: &[TensorType]) -> Option<RuleResult<Vec<Tensor>>> {
    let data = match d {
        DType::I64 => Data::I64(bits),
        DType::F64 => Data::F64(kernels::map(&bits, |b| f64::from_bits(b as u64))),
        _ => return None,
    };
    Some(output(out, data))
}

// ---------------------------------------------------------------- lowering
//
// StableHLO's elementwise ops have the kernels' semantics: `divide` and
// `remainder` on integers give all ones and the dividend for a zero
// divisor, shifts by the bit width or more give 0, `round_nearest_even`
// rounds half to even. The exceptions are spelled out below: float
// `max`/`min` (NaN), integer `pow`, u32 `abs`/`sign`, `conj`, real `imag`,
// and `convert`.

pub fn lower_unary(
    op: UnaryOp,
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [x] = operands(op.name(), inputs)?;
    let out = result(op.name(), outs)?;
    let y = match op.spec().lower {
        unary::Lower::Op(name) => em.elementwise(name, &[x], out),
        unary::Lower::With(lower) => lower(em, x, out)?,
    };
    Ok(vec![y])
}

pub fn lower_binary(
    op: BinaryOp,
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [a, b] = operands(op.name(), inputs)?;
    let out = result(op.name(), outs)?;
    let y = match op.spec().lower {
        binary::Lower2::Op(name) => em.elementwise(name, &[a, b], out),
        binary::Lower2::With(lower) => lower(em, a, b, out)?,
    };
    Ok(vec![y])
}

/// `max(a, b)` (`dir = "GE"`) or `min` (`"LE"`) as the kernels compute
/// it: `a` if `a >= b` or `a` is NaN, else `b`. XLA's CPU `maximum` and
/// `minimum` may drop a NaN operand (they compile to `maxnum` under its
/// fast min/max option), so floats get the explicit select.
pub fn lower_extreme(dir: &str, em: &mut Emitter, a: &Value, b: &Value) -> Value {
    if !a.ty.dtype.is_float() {
        let op = if dir == "GE" {
            "stablehlo.maximum"
        } else {
            "stablehlo.minimum"
        };
        return em.elementwise(op, &[a, b], &a.ty);
    }
    let wins = em.compare(dir, a, b);
    let nan = em.compare("NE", a, a);
    let take_a = em.elementwise("stablehlo.or", &[&wins, &nan], &wins.ty);
    em.select(&take_a, a, b)
}

/// Integer `a ** b` by squaring over every bit of `b` (XLA's integer
/// `power` only looks at the low bits of the exponent): for `b >= 0`,
/// `acc *= a^(2^i)` where bit `i` of `b` is set; for `b < 0` the kernel's
/// rule, `1` for `a = 1`, `±1` by parity for `a = -1`, `0` otherwise.
pub(super) fn lower_int_pow(em: &mut Emitter, a: &Value, b: &Value) -> RuleResult<Value> {
    let ty = &a.ty;
    let bits = if a.ty.dtype == DType::I64 { 64 } else { 32 };
    let one = em.splat(ty, 1.0)?;
    let zero = em.splat(ty, 0.0)?;
    let (mut acc, mut base, mut e) = (one.clone(), a.clone(), b.clone());
    for i in 0..bits {
        let bit = em.elementwise("stablehlo.and", &[&e, &one], ty);
        let set = em.compare("NE", &bit, &zero);
        let times = em.elementwise("stablehlo.multiply", &[&acc, &base], ty);
        acc = em.select(&set, &times, &acc);
        if i + 1 < bits {
            base = em.elementwise("stablehlo.multiply", &[&base, &base], ty);
            e = em.elementwise("stablehlo.shift_right_logical", &[&e, &one], ty);
        }
    }
    if a.ty.dtype == DType::U32 {
        return Ok(acc);
    }
    // Negative exponents: (-1)^b = 1 - 2 (b & 1); other bases but 1 give 0.
    let minus_one = em.splat(ty, -1.0)?;
    let odd = em.elementwise("stablehlo.and", &[b, &one], ty);
    let two_odd = em.elementwise("stablehlo.add", &[&odd, &odd], ty);
    let parity = em.elementwise("stablehlo.subtract", &[&one, &two_odd], ty);
    let is_one = em.compare("EQ", a, &one);
    let is_minus_one = em.compare("EQ", a, &minus_one);
    let unit = em.select(&is_one, &one, &zero);
    let neg = em.select(&is_minus_one, &parity, &unit);
    let negative = em.compare("LT", b, &zero);
    Ok(em.select(&negative, &neg, &acc))
}

pub fn lower_compare(
    c: Cmp,
    em: &mut Emitter,
    inputs: &[Value],
    _outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [a, b] = operands(c.name(), inputs)?;
    Ok(vec![em.compare(&c.name().to_uppercase(), a, b)])
}

pub fn lower_select(
    em: &mut Emitter,
    inputs: &[Value],
    _outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [p, a, b] = operands("select", inputs)?;
    Ok(vec![em.select(p, a, b)])
}

/// `convert` with the kernel's semantics. XLA converts floats to integers
/// with saturation and NaN to 0 (LLVM's `fptosi.sat`), numbers to bool by
/// `!= 0` and integers by wrapping, as the kernel does; complex to real keeps
/// the real part (`stablehlo.real` first), and integers and bool reach `c64`
/// through `f32` (`c128` through `f64`), as the kernel rounds them.
pub fn lower_convert(
    d: DType,
    em: &mut Emitter,
    inputs: &[Value],
    _outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [x] = operands("convert", inputs)?;
    let from = x.ty.dtype;
    let y = match (from, d) {
        (DType::C64 | DType::C128, DType::Bool) => {
            let zero = em.splat(&x.ty, 0.0)?;
            em.compare("NE", x, &zero)
        }
        (DType::C64 | DType::C128, _) if !d.is_complex() => {
            let re = em.elementwise("stablehlo.real", &[x], &x.ty.with_dtype(from.real()));
            em.convert(&re, d)
        }
        (DType::Bool | DType::I32 | DType::I64 | DType::U32, DType::C64 | DType::C128) => {
            let re = em.convert(x, d.real());
            em.convert(&re, d)
        }
        _ => em.convert(x, d),
    };
    Ok(vec![y])
}

pub fn lower_bitcast(
    d: DType,
    em: &mut Emitter,
    inputs: &[Value],
    _outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [x] = operands("bitcast_convert", inputs)?;
    if x.ty.dtype == d {
        return Ok(vec![x.clone()]);
    }
    let out = x.ty.with_dtype(d);
    Ok(vec![em.unary_fn("stablehlo.bitcast_convert", x, &out)])
}

// ---- the unary ops' table, and the error function ----

mod binary;
mod erf;
mod unary;
pub use binary::BinaryOp;
pub use unary::UnaryOp;

// ---- JVP rules ----

mod complex;
mod jvp;
pub use jvp::{jvp_binary, jvp_convert, jvp_select, jvp_unary};

// ---- transpose rules ----

mod transpose;
pub use transpose::{transpose_binary, transpose_convert, transpose_select, transpose_unary};

// ---- batching rule: in `elementwise/batch.rs` ----

mod batch;
pub use batch::batch_elementwise;

#[cfg(test)]
mod tests;

mod rules;
pub use rules::*;
