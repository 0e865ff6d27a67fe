//! Types and dense literals in StableHLO's MLIR syntax.
//!
//! Float literals are printed so that MLIR reads back the exact value: MLIR
//! parses a decimal literal as an `f64` and rounds it to the element type,
//! so a decimal is used only when that double rounding gives back the same
//! bits; NaN, the infinities and the rare other cases print as the hex bit
//! pattern (`0x7FC00000`), which MLIR takes literally.

use crate::ir::{PrimError, RuleResult};
use crate::tensor::{Data, Tensor};
use crate::types::{DType, TensorType};
use std::fmt::Write;

/// The MLIR element type of a dtype: `i1` for bool, `ui32` for u32,
/// `complex<f32>` for c64, `complex<f64>` for c128.
pub fn element_type(d: DType) -> &'static str {
    match d {
        DType::Bool => "i1",
        DType::I32 => "i32",
        DType::I64 => "i64",
        DType::U32 => "ui32",
        DType::F32 => "f32",
        DType::F64 => "f64",
        DType::C64 => "complex<f32>",
        DType::C128 => "complex<f64>",
    }
}

/// `tensor<2x3xf32>`, `tensor<f32>`, `tensor<0x4xi1>`.
pub fn tensor_type(t: &TensorType) -> String {
    let mut s = String::from("tensor<");
    for d in &t.shape {
        let _ = write!(s, "{}x", d);
    }
    s.push_str(element_type(t.dtype));
    s.push('>');
    s
}

/// Makes Rust's shortest float text an MLIR float token, which needs a `.`
/// (`1e-7` would lex as the integer `1`): `1e-7 -> 1.0e-7`, `3 -> 3.0`.
fn with_point(mut s: String) -> String {
    if !s.contains('.') {
        match s.find('e') {
            Some(p) => s.insert_str(p, ".0"),
            None => s.push_str(".0"),
        }
    }
    s
}

/// An exact `f32` literal.
pub fn f32_literal(x: f32) -> String {
    if x.is_finite() {
        let s = with_point(format!("{:?}", x));
        let back = s.parse::<f64>().map(|d| d as f32);
        if back.map(f32::to_bits) == Ok(x.to_bits()) {
            return s;
        }
    }
    format!("0x{:08X}", x.to_bits())
}

/// An exact `f64` literal.
pub fn f64_literal(x: f64) -> String {
    if x.is_finite() {
        return with_point(format!("{:?}", x));
    }
    format!("0x{:016X}", x.to_bits())
}

/// Element `i` of a real (non-complex) tensor as a literal; `None` for complex.
fn element(data: &Data, i: usize) -> Option<String> {
    Some(match data {
        Data::Bool(v) => v.get(i)?.to_string(),
        Data::I32(v) => v.get(i)?.to_string(),
        Data::I64(v) => v.get(i)?.to_string(),
        Data::U32(v) => v.get(i)?.to_string(),
        Data::F32(v) => f32_literal(*v.get(i)?),
        Data::F64(v) => f64_literal(*v.get(i)?),
        Data::C64(_) | Data::C128(_) => return None,
    })
}

/// Whether every element has the same bits (so `dense<x>` can splat it).
pub fn is_splat(t: &Tensor) -> bool {
    fn same<T, K: PartialEq>(v: &[T], key: impl Fn(&T) -> K) -> bool {
        v.windows(2).all(|w| key(&w[0]) == key(&w[1]))
    }
    match t.data() {
        Data::Bool(v) => same(v, |x| *x),
        Data::I32(v) => same(v, |x| *x),
        Data::I64(v) => same(v, |x| *x),
        Data::U32(v) => same(v, |x| *x),
        Data::F32(v) => same(v, |x| x.to_bits()),
        Data::F64(v) => same(v, |x| x.to_bits()),
        Data::C64(v) => same(v, |z| (z.re.to_bits(), z.im.to_bits())),
        Data::C128(v) => same(v, |z| (z.re.to_bits(), z.im.to_bits())),
    }
}

/// The body of `dense<...>` for a real tensor: one element for a splat
/// (or a scalar), nested brackets row-major otherwise, empty for no elements.
pub fn dense_body(t: &Tensor) -> RuleResult<String> {
    let bad = || PrimError::internal(format!("no dense literal for {}", t.ty()));
    if t.size() == 0 {
        return Ok(String::new());
    }
    if is_splat(t) {
        return element(t.data(), 0).ok_or_else(bad);
    }
    let mut out = String::new();
    let mut next = 0;
    nested(&mut out, t.data(), t.shape(), &mut next).ok_or_else(bad)?;
    Ok(out)
}

/// Writes `[a, b, ...]` for each dim of `shape`, reading elements in order.
fn nested(out: &mut String, data: &Data, shape: &[usize], next: &mut usize) -> Option<()> {
    let Some((&n, rest)) = shape.split_first() else {
        out.push_str(&element(data, *next)?);
        *next += 1;
        return Some(());
    };
    out.push('[');
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        nested(out, data, rest, next)?;
    }
    out.push(']');
    Some(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn types_print_as_mlir() {
        let t = TensorType::new(DType::F32, vec![2, 3]);
        assert_eq!(tensor_type(&t), "tensor<2x3xf32>");
        assert_eq!(tensor_type(&TensorType::scalar(DType::Bool)), "tensor<i1>");
        let c = TensorType::new(DType::C64, vec![0]);
        assert_eq!(tensor_type(&c), "tensor<0xcomplex<f32>>");
        let z = TensorType::new(DType::C128, vec![2]);
        assert_eq!(tensor_type(&z), "tensor<2xcomplex<f64>>");
        assert_eq!(element_type(DType::U32), "ui32");
    }

    #[test]
    fn float_literals_are_exact() {
        assert_eq!(f32_literal(1.0), "1.0");
        assert_eq!(f32_literal(1e-7), "1.0e-7");
        assert_eq!(f32_literal(-0.0), "-0.0");
        assert_eq!(f32_literal(f32::NAN), "0x7FC00000");
        assert_eq!(f32_literal(f32::NEG_INFINITY), "0xFF800000");
        assert_eq!(f64_literal(f64::INFINITY), "0x7FF0000000000000");
        assert_eq!(f64_literal(0.1), "0.1");
        // Every printed f32 reads back to its bits through an f64 parse.
        for bits in (0..u32::MAX).step_by(65_537) {
            let x = f32::from_bits(bits);
            let s = f32_literal(x);
            let back = if let Some(h) = s.strip_prefix("0x") {
                f32::from_bits(u32::from_str_radix(h, 16).unwrap())
            } else {
                s.parse::<f64>().unwrap() as f32
            };
            assert_eq!(back.to_bits(), bits, "{}", s);
        }
    }

    #[test]
    fn dense_bodies() {
        let t = Tensor::new(vec![2, 2], Data::I32(vec![1, 2, 3, 4])).unwrap();
        assert_eq!(dense_body(&t).unwrap(), "[[1, 2], [3, 4]]");
        let s = Tensor::new(vec![3], Data::Bool(vec![true; 3])).unwrap();
        assert_eq!(dense_body(&s).unwrap(), "true");
        let e = Tensor::new(vec![0, 2], Data::F32(vec![])).unwrap();
        assert_eq!(dense_body(&e).unwrap(), "");
        let u = Tensor::new(vec![2], Data::U32(vec![u32::MAX, 0])).unwrap();
        assert_eq!(dense_body(&u).unwrap(), "[4294967295, 0]");
    }
}
