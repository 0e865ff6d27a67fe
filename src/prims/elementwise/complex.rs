//! Kernels of the elementwise primitives on the complex dtypes (`c64`,
//! `c128`), computed in `f64` pairs ([`kernels::Complex`]).

use super::{unsupported, Cmp};
use crate::ir::RuleResult;
use crate::tensor::kernels::{self, Complex};
use crate::tensor::Data;
use crate::types::DType;

/// The working precision of every complex kernel.
pub(super) type Z = num_complex::Complex<f64>;

/// A unary op's kernel on the complex dtypes.
pub enum ComplexKernel {
    /// A complex result of the operand's dtype.
    Map(fn(Z) -> Z),
    /// A result of the operand's real dtype (`abs`, `real`, `imag`).
    ToReal(fn(Z) -> f64),
}

/// `log(1 + z)` accurate near 0: `|1+z|² = 1 + (2x + x² + y²)`.
pub(super) fn log1p(z: Z) -> Z {
    let t = 2.0 * z.re + z.re * z.re + z.im * z.im;
    Z::new(0.5 * t.ln_1p(), z.im.atan2(1.0 + z.re))
}

/// `exp(z) - 1` accurate near 0: `Re = expm1(x) cos y - 2 sin²(y/2)`.
pub(super) fn expm1(z: Z) -> Z {
    let half = (0.5 * z.im).sin();
    let re = z.re.exp_m1() * z.im.cos() - 2.0 * half * half;
    Z::new(re, z.re.exp() * z.im.sin())
}

/// Applies a unary kernel elementwise.
pub(super) fn unary<T: Complex>(k: &ComplexKernel, v: &[T]) -> Data {
    match *k {
        ComplexKernel::Map(f) => T::data(kernels::map(v, |z| T::narrow(f(z.widen())))),
        ComplexKernel::ToReal(f) => T::real_data(kernels::map(v, |z| f(z.widen()))),
    }
}

/// `a ** b = exp(b ln a)`, with `0 ** 0 = 1` and `0 ** b = 0` for `Re b > 0`.
pub(super) fn pow(a: Z, b: Z) -> Z {
    if a.norm_sqr() == 0.0 {
        if b.norm_sqr() == 0.0 {
            return Z::new(1.0, 0.0);
        }
        if b.re > 0.0 {
            return Z::new(0.0, 0.0);
        }
    }
    (b * a.ln()).exp()
}

/// Applies a binary kernel elementwise.
pub(super) fn binary<T: Complex>(f: fn(Z, Z) -> Z, x: &[T], y: &[T]) -> RuleResult<Data> {
    Ok(T::data(kernels::zip(x, y, |a, b| {
        T::narrow(f(a.widen(), b.widen()))
    })?))
}

pub(super) fn compare<T: Complex>(c: Cmp, x: &[T], y: &[T]) -> RuleResult<Vec<bool>> {
    match c {
        Cmp::Eq => Ok(kernels::zip(x, y, |a, b| a == b)?),
        Cmp::Ne => Ok(kernels::zip(x, y, |a, b| a != b)?),
        Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge => Err(unsupported(c.name(), T::DTYPE)),
    }
}

/// `convert` from a complex dtype to bool (`z != 0`) or a complex dtype
/// (rounding both parts); `None` for a real target, which takes the real
/// part.
pub(super) fn convert<T: Complex>(v: &[T], d: DType) -> Option<Data> {
    Some(match d {
        DType::Bool => Data::Bool(kernels::map(v, |z| {
            let z = z.widen();
            z.re != 0.0 || z.im != 0.0
        })),
        DType::C64 => Data::C64(kernels::map(v, |z| Complex::narrow(z.widen()))),
        DType::C128 => Data::C128(kernels::map(v, |z| z.widen())),
        DType::I32 | DType::I64 | DType::U32 | DType::F32 | DType::F64 => return None,
    })
}
