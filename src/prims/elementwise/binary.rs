//! The binary elementwise ops, one row each, as the unary ones
//! (`unary.rs`): [`BinaryOp`] and its table come from the rows, and the
//! rules of the `binary` primitive and the builtins that apply one op read
//! them. An op accepts exactly the dtypes it has kernels for.

use super::complex::{self as cx, Z};
use super::jvp::{atan2_tangent, div_tangent, extreme_tangent, plus, pow_tangent, rem_tangent};
use super::{
    lift2, lower_extreme, lower_int_pow, unsupported, zip_fn, Cmp, Emitter, UnaryOp, Value,
};
use crate::ir::Atom;
use crate::ir::Builder;
use crate::ir::PrimError;
use crate::prims::build::{tangent_or_zero, Build};
use crate::tensor::kernels::{self, int_pow, Int};
use crate::tensor::{Data, Tensor, C128, C64};
use crate::types::{DType, TensorType};

type R<T> = crate::ir::RuleResult<T>;

/// The kernels of an op on the integer dtypes (written once with [`ints2!`]).
pub struct IntKernels2 {
    pub i32: fn(i32, i32) -> i32,
    pub i64: fn(i64, i64) -> i64,
    pub u32: fn(u32, u32) -> u32,
}

/// `Some(IntKernels2)` from one closure over two [`Int`] values.
macro_rules! ints2 {
    (|$a:ident, $b:ident| $e:expr) => {
        Some(IntKernels2 {
            i32: |$a: i32, $b: i32| $e,
            i64: |$a: i64, $b: i64| $e,
            u32: |$a: u32, $b: u32| $e,
        })
    };
}

/// How an op lowers to StableHLO.
pub enum Lower2 {
    /// One op of that name, on operands and a result of the same type.
    Op(&'static str),
    /// A lowering of its own: `(emitter, a, b, result type) -> y`.
    With(fn(&mut Emitter, &Value, &Value, &TensorType) -> R<Value>),
}

/// The tangent of `z = op(x, y)`: `(b, [x, y, z], tx, ty)`, at least one
/// tangent present; `None` where it is zero.
pub type BinaryJvp = fn(&mut Builder, [&Atom; 3], Option<&Atom>, Option<&Atom>) -> R<Option<Atom>>;

/// The transpose of an op in its operands marked linear: `(b, x, y,
/// [linear x, linear y], ct)`, the cotangents of `x` and `y`.
pub type BinaryTranspose = fn(&mut Builder, &Atom, &Atom, [bool; 2], &Atom) -> R<[Option<Atom>; 2]>;

/// One binary op: everything its rules need.
pub struct BinarySpec {
    /// The primitive's name in the IR and in errors.
    pub name: &'static str,
    /// The nest builtin `name(x, y)` that applies it with broadcasting, if any.
    pub builtin: Option<&'static str>,
    pub float: Option<fn(f64, f64) -> f64>,
    pub int: Option<IntKernels2>,
    pub bool: Option<fn(bool, bool) -> bool>,
    pub complex: Option<fn(Z, Z) -> Z>,
    /// `complex(re, im)`: float operands, a complex result.
    pub makes_complex: bool,
    pub lower: Lower2,
    pub jvp: BinaryJvp,
    /// `None`: the op is not linear in either operand.
    pub transpose: Option<BinaryTranspose>,
}

/// The fields most rows leave out.
const BASE: BinarySpec = BinarySpec {
    name: "",
    builtin: None,
    float: None,
    int: None,
    bool: None,
    complex: None,
    makes_complex: false,
    lower: Lower2::Op(""),
    jvp: |_, _, _, _| Ok(None),
    transpose: None,
};

/// Defines [`BinaryOp`] and [`BinaryOp::spec`] from the rows.
macro_rules! binary_ops {
    ($($(#[$doc:meta])* $op:ident => $spec:expr,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum BinaryOp {
            $($(#[$doc])* $op,)*
        }

        impl BinaryOp {
            /// Every binary op, in declaration order.
            pub const ALL: &'static [BinaryOp] = &[$(BinaryOp::$op),*];

            /// The op's row.
            pub fn spec(self) -> &'static BinarySpec {
                match self {
                    $(BinaryOp::$op => {
                        const SPEC: BinarySpec = $spec;
                        &SPEC
                    })*
                }
            }

            /// The op's kernel applied to `a` and `b`. Each arm reads a
            /// constant row, so that the kernel inlines into the loop over
            /// the elements.
            pub(super) fn kernel(self, a: &Tensor, b: &Tensor) -> R<Data> {
                match self {
                    $(BinaryOp::$op => {
                        const SPEC: BinarySpec = $spec;
                        apply(&SPEC, a, b)
                    })*
                }
            }
        }
    };
}

binary_ops! {
    Add => BinarySpec {
        name: "add",
        float: Some(|a, b| a + b),
        int: ints2!(|a, b| a.wadd(b)),
        complex: Some(|a, b| a + b),
        lower: Lower2::Op("stablehlo.add"),
        jvp: |b, _, tx, ty| plus(b, tx.cloned(), ty.cloned()),
        transpose: Some(|_, _, _, [lx, ly], ct| Ok([lx.then(|| ct.clone()), ly.then(|| ct.clone())])),
        ..BASE
    },
    Sub => BinarySpec {
        name: "sub",
        float: Some(|a, b| a - b),
        int: ints2!(|a, b| a.wsub(b)),
        complex: Some(|a, b| a - b),
        lower: Lower2::Op("stablehlo.subtract"),
        jvp: |b, _, tx, ty| {
            let nty = ty.map(|t| b.neg(t)).transpose()?;
            plus(b, tx.cloned(), nty)
        },
        transpose: Some(|b, _, _, [lx, ly], ct| {
            let cy = if ly { Some(b.neg(ct)?) } else { None };
            Ok([lx.then(|| ct.clone()), cy])
        }),
        ..BASE
    },
    Mul => BinarySpec {
        name: "mul",
        float: Some(|a, b| a * b),
        int: ints2!(|a, b| a.wmul(b)),
        complex: Some(|a, b| a * b),
        lower: Lower2::Op("stablehlo.multiply"),
        // d(xy) = tx y + x ty
        jvp: |b, [x, y, _], tx, ty| {
            let p = tx.map(|t| b.mul(t, y)).transpose()?;
            let q = ty.map(|t| b.mul(t, x)).transpose()?;
            plus(b, p, q)
        },
        // (c x)ᵀ ct = c ct.
        transpose: Some(|b, x, y, linear, ct| match linear {
            [true, true] => Err(not_linear("mul")),
            [true, false] => Ok([Some(b.mul(ct, y)?), None]),
            [false, true] => Ok([None, Some(b.mul(ct, x)?)]),
            [false, false] => Ok([None, None]),
        }),
        ..BASE
    },
    /// Integer division truncates toward zero; `x / 0` is all ones (`-1`
    /// signed, `MAX` for `u32`) and `MIN / -1` wraps, as XLA does.
    Div => BinarySpec {
        name: "div",
        float: Some(|a, b| a / b),
        int: ints2!(|a, b| a.wdiv(b)),
        complex: Some(|a, b| a / b),
        lower: Lower2::Op("stablehlo.divide"),
        jvp: |b, [_, y, z], tx, ty| div_tangent(b, y, z, tx, ty).map(Some),
        // (x / d)ᵀ ct = ct / d.
        transpose: Some(|b, _, y, linear, ct| match linear {
            [_, true] => Err(not_linear("div")),
            [true, false] => Ok([Some(b.div(ct, y)?), None]),
            [false, false] => Ok([None, None]),
        }),
        ..BASE
    },
    /// Truncated remainder (sign of the dividend), as StableHLO `remainder`:
    /// `fmod` for floats, `x % 0 = x` for integers. Not for complex.
    Rem => BinarySpec {
        name: "rem",
        float: Some(|a, b| a % b),
        int: ints2!(|a, b| a.wrem(b)),
        lower: Lower2::Op("stablehlo.remainder"),
        jvp: |b, [x, y, _], tx, ty| rem_tangent(b, x, y, tx, ty),
        ..BASE
    },
    /// Floats and complex as `exp(b ln a)` (`0 ** 0 = 1`); integers by
    /// repeated squaring, a negative exponent giving 0 unless the base is ±1.
    Pow => BinarySpec {
        name: "pow",
        builtin: Some("pow"),
        float: Some(f64::powf),
        int: ints2!(|a, b| int_pow(a, b)),
        complex: Some(cx::pow),
        lower: Lower2::With(|em, a, b, out| match a.ty.dtype.is_int() {
            true => lower_int_pow(em, a, b),
            false => Ok(em.elementwise("stablehlo.power", &[a, b], out)),
        }),
        jvp: |b, [x, y, z], tx, ty| pow_tangent(b, x, y, z, tx, ty),
        ..BASE
    },
    /// NaN-propagating; logical or on bool. Not for complex.
    Max => BinarySpec {
        name: "max",
        builtin: Some("maximum"),
        float: Some(nan_max),
        int: ints2!(|a, b| Ord::max(a, b)),
        bool: Some(|a, b| a | b),
        lower: Lower2::With(|em, a, b, out| match a.ty.dtype.is_bool() {
            true => Ok(em.elementwise("stablehlo.or", &[a, b], out)),
            false => Ok(lower_extreme("GE", em, a, b)),
        }),
        jvp: |b, [x, y, _], tx, ty| extreme_tangent(b, (Cmp::Gt, Cmp::Lt), x, y, tx, ty),
        ..BASE
    },
    /// NaN-propagating; logical and on bool. Not for complex.
    Min => BinarySpec {
        name: "min",
        builtin: Some("minimum"),
        float: Some(nan_min),
        int: ints2!(|a, b| Ord::min(a, b)),
        bool: Some(|a, b| a & b),
        lower: Lower2::With(|em, a, b, out| match a.ty.dtype.is_bool() {
            true => Ok(em.elementwise("stablehlo.and", &[a, b], out)),
            false => Ok(lower_extreme("LE", em, a, b)),
        }),
        jvp: |b, [x, y, _], tx, ty| extreme_tangent(b, (Cmp::Lt, Cmp::Gt), x, y, tx, ty),
        ..BASE
    },
    /// Floats only.
    Atan2 => BinarySpec {
        name: "atan2",
        float: Some(f64::atan2),
        lower: Lower2::Op("stablehlo.atan2"),
        jvp: |b, [x, y, _], tx, ty| atan2_tangent(b, x, y, tx, ty).map(Some),
        ..BASE
    },
    /// `complex(re, im)`: two `f32` give `c64`, two `f64` give `c128`.
    Complex => BinarySpec {
        name: "complex",
        makes_complex: true,
        lower: Lower2::Op("stablehlo.complex"),
        jvp: |b, [x, y, _], tx, ty| {
            let re = tangent_or_zero(b, &tx.cloned(), x)?;
            let im = tangent_or_zero(b, &ty.cloned(), y)?;
            b.binary(BinaryOp::Complex, &re, &im).map(Some)
        },
        // <w, re + i im> = Re(w) re − Im(w) im.
        transpose: Some(|b, _, _, [lx, ly], ct| {
            let cx = if lx {
                Some(b.unary(UnaryOp::Real, ct)?)
            } else {
                None
            };
            let cy = if ly {
                let im = b.unary(UnaryOp::Imag, ct)?;
                Some(b.neg(&im)?)
            } else {
                None
            };
            Ok([cx, cy])
        }),
        ..BASE
    },
    /// Logical on bool, bitwise on integers (also `Or`, `Xor`).
    And => BinarySpec {
        name: "and",
        int: ints2!(|a, b| a & b),
        bool: Some(|a, b| a & b),
        lower: Lower2::Op("stablehlo.and"),
        ..BASE
    },
    Or => BinarySpec {
        name: "or",
        int: ints2!(|a, b| a | b),
        bool: Some(|a, b| a | b),
        lower: Lower2::Op("stablehlo.or"),
        ..BASE
    },
    Xor => BinarySpec {
        name: "xor",
        int: ints2!(|a, b| a ^ b),
        bool: Some(|a, b| a ^ b),
        lower: Lower2::Op("stablehlo.xor"),
        ..BASE
    },
    /// Integers only; a shift amount `>=` the bit width (read as unsigned) gives 0.
    ShiftLeft => BinarySpec {
        name: "shift_left",
        int: ints2!(|a, b| Int::shl(a, b)),
        lower: Lower2::Op("stablehlo.shift_left"),
        ..BASE
    },
    ShiftRightLogical => BinarySpec {
        name: "shift_right_logical",
        int: ints2!(|a, b| Int::lshr(a, b)),
        lower: Lower2::Op("stablehlo.shift_right_logical"),
        ..BASE
    },
}

impl BinaryOp {
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The op whose builtin function is `name` (`maximum` is `max`).
    pub fn from_builtin(name: &str) -> Option<BinaryOp> {
        (BinaryOp::ALL.iter())
            .find(|op| op.spec().builtin == Some(name))
            .copied()
    }

    /// Whether the op accepts operands of dtype `d`: it has a kernel for it.
    pub fn accepts(self, d: DType) -> bool {
        let s = self.spec();
        match d {
            DType::Bool => s.bool.is_some(),
            DType::I32 | DType::I64 | DType::U32 => s.int.is_some(),
            DType::F32 | DType::F64 => s.float.is_some() || s.makes_complex,
            DType::C64 | DType::C128 => s.complex.is_some(),
        }
    }

    /// The op's domain as an error names it ("an integer or float").
    pub fn domain(self) -> &'static str {
        let has = |d| self.accepts(d);
        let (b, i, f, c) = (
            has(DType::Bool),
            has(DType::I32),
            has(DType::F32),
            has(DType::C64),
        );
        super::domain_words(b, i, f, c)
    }
}

/// `spec`'s kernel for the operands' dtype, elementwise.
#[inline(always)]
fn apply(spec: &BinarySpec, a: &Tensor, b: &Tensor) -> R<Data> {
    let missing = || unsupported(spec.name, a.dtype());
    let int = || spec.int.as_ref().ok_or_else(missing);
    Ok(match (a.data(), b.data()) {
        (Data::F32(x), Data::F32(y)) if spec.makes_complex => {
            Data::C64(kernels::zip(x, y, C64::new)?)
        }
        (Data::F64(x), Data::F64(y)) if spec.makes_complex => {
            Data::C128(kernels::zip(x, y, C128::new)?)
        }
        (Data::F32(x), Data::F32(y)) => Data::F32(lift2(x, y, spec.float.ok_or_else(missing)?)?),
        (Data::F64(x), Data::F64(y)) => Data::F64(lift2(x, y, spec.float.ok_or_else(missing)?)?),
        (Data::I32(x), Data::I32(y)) => Data::I32(zip_fn(x, y, int()?.i32)?),
        (Data::I64(x), Data::I64(y)) => Data::I64(zip_fn(x, y, int()?.i64)?),
        (Data::U32(x), Data::U32(y)) => Data::U32(zip_fn(x, y, int()?.u32)?),
        (Data::Bool(x), Data::Bool(y)) => Data::Bool(zip_fn(x, y, spec.bool.ok_or_else(missing)?)?),
        (Data::C64(x), Data::C64(y)) => cx::binary(spec.complex.ok_or_else(missing)?, x, y)?,
        (Data::C128(x), Data::C128(y)) => cx::binary(spec.complex.ok_or_else(missing)?, x, y)?,
        _ => {
            return Err(PrimError::internal(format!(
                "{} of {} and {}",
                spec.name,
                a.ty(),
                b.ty()
            )))
        }
    })
}

fn not_linear(name: &str) -> PrimError {
    PrimError::Invalid(format!("{} is not linear in its operands", name))
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
