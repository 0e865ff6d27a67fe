//! The unary elementwise ops, one row each: [`UnaryOp`] and its table are
//! generated from the rows by `unary_ops!`, and every rule of the `unary`
//! primitive (`infer_unary`, `eval_unary`, `lower_unary`, `jvp_unary`,
//! `transpose_unary`), the builtin functions that apply one op, and the
//! language's `float_only` read the op's row. Adding an op is one row here
//! (and a sample, if the generated edge-value samples miss its domain).
//!
//! An op accepts exactly the dtypes it has a kernel for (`float`: `f32`,
//! `f64`, computed through `f64` and rounded once; `int`: `i32`, `i64`,
//! `u32`; `bool`; `complex`: `c64`, `c128`, through `f64` pairs), and its
//! errors name that domain.

use super::complex::{self as cx, ComplexKernel, Z};
use super::jvp::{complex_abs_tangent, complex_sign_tangent, rsqrt_tangent};
use super::{erf, lift, map_fn, Emitter, Value};
use crate::ir::Atom;
use crate::ir::Builder;
use crate::prims::build::Build;
use crate::tensor::kernels::Int;
use crate::tensor::Data;
use crate::types::{DType, TensorType};
use std::f64::consts::FRAC_2_SQRT_PI;

type R<T> = crate::ir::RuleResult<T>;

/// The kernels of an op on the integer dtypes, one per dtype (written once
/// with [`ints!`]).
pub struct IntKernels {
    pub i32: fn(i32) -> i32,
    pub i64: fn(i64) -> i64,
    pub u32: fn(u32) -> u32,
}

/// `Some(IntKernels)` from one closure over an [`Int`] value.
macro_rules! ints {
    (|$x:ident| $e:expr) => {
        Some(IntKernels {
            i32: |$x: i32| $e,
            i64: |$x: i64| $e,
            u32: |$x: u32| $e,
        })
    };
}

/// How an op lowers to StableHLO.
pub enum Lower {
    /// One op of that name, on operands and a result of the same type.
    Op(&'static str),
    /// A lowering of its own: `(emitter, x, result type) -> y`.
    With(fn(&mut Emitter, &Value, &TensorType) -> R<Value>),
}

/// The tangent of `y = op(x)` for the input tangent `t`: `(b, x, y, t)`;
/// `None` where it is zero.
pub type UnaryJvp = fn(&mut Builder, &Atom, &Atom, &Atom) -> R<Option<Atom>>;

/// The transpose of a linear op: `(b, x, ct)`, the cotangent of `x` from
/// that of `y` (`None`: zero).
pub type UnaryTranspose = fn(&mut Builder, &Atom, &Atom) -> R<Option<Atom>>;

/// One unary op: everything its rules need.
pub struct UnarySpec {
    /// The primitive's name in the IR and in errors.
    pub name: &'static str,
    /// The nest builtin that applies it leaf by leaf, if any.
    pub builtin: Option<&'static str>,
    pub float: Option<fn(f64) -> f64>,
    pub int: Option<IntKernels>,
    pub bool: Option<fn(bool) -> bool>,
    pub complex: Option<ComplexKernel>,
    /// The result has the operand's real dtype (`|z|` of `c64` is `f32`).
    pub real_result: bool,
    pub lower: Lower,
    pub jvp: UnaryJvp,
    /// `None`: the op is not linear.
    pub transpose: Option<UnaryTranspose>,
}

/// The fields most rows leave out: no kernels, no builtin, not linear.
const BASE: UnarySpec = UnarySpec {
    name: "",
    builtin: None,
    float: None,
    int: None,
    bool: None,
    complex: None,
    real_result: false,
    lower: Lower::Op(""),
    jvp: zero_tangent,
    transpose: None,
};

/// Defines [`UnaryOp`] and [`UnaryOp::spec`] from the rows.
macro_rules! unary_ops {
    ($($(#[$doc:meta])* $op:ident => $spec:expr,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum UnaryOp {
            $($(#[$doc])* $op,)*
        }

        impl UnaryOp {
            /// Every unary op, in declaration order.
            pub const ALL: &'static [UnaryOp] = &[$(UnaryOp::$op),*];

            /// The op's row.
            pub fn spec(self) -> &'static UnarySpec {
                match self {
                    $(UnaryOp::$op => {
                        const SPEC: UnarySpec = $spec;
                        &SPEC
                    })*
                }
            }

            /// The op's kernel applied to `data` (`None`: none for its
            /// dtype). Each arm reads a constant row, so that the kernel
            /// inlines into the loop over the elements.
            pub(super) fn kernel(self, data: &Data) -> Option<Data> {
                match self {
                    $(UnaryOp::$op => {
                        const SPEC: UnarySpec = $spec;
                        apply(&SPEC, data)
                    })*
                }
            }
        }
    };
}

unary_ops! {
    /// Wraps on integers (`-MIN = MIN`).
    Neg => UnarySpec {
        name: "neg",
        float: Some(|x| -x),
        int: ints!(|x| x.wneg()),
        complex: Some(ComplexKernel::Map(|z| -z)),
        lower: Lower::Op("stablehlo.negate"),
        jvp: |b, _, _, t| b.neg(t).map(Some),
        transpose: Some(|b, _, ct| b.neg(ct).map(Some)),
        ..BASE
    },
    Exp => UnarySpec {
        name: "exp",
        builtin: Some("exp"),
        float: Some(f64::exp),
        complex: Some(ComplexKernel::Map(Z::exp)),
        lower: Lower::With(lower_exp),
        jvp: |b, _, y, t| b.mul(t, y).map(Some),
        ..BASE
    },
    Log => UnarySpec {
        name: "log",
        builtin: Some("log"),
        float: Some(f64::ln),
        complex: Some(ComplexKernel::Map(Z::ln)),
        lower: Lower::Op("stablehlo.log"),
        jvp: |b, x, _, t| b.div(t, x).map(Some),
        ..BASE
    },
    Log1p => UnarySpec {
        name: "log1p",
        builtin: Some("log1p"),
        float: Some(f64::ln_1p),
        complex: Some(ComplexKernel::Map(cx::log1p)),
        lower: Lower::Op("stablehlo.log_plus_one"),
        jvp: |b, x, _, t| {
            let xp1 = b.add(x, &one(b, x))?;
            b.div(t, &xp1).map(Some)
        },
        ..BASE
    },
    Expm1 => UnarySpec {
        name: "expm1",
        builtin: Some("expm1"),
        float: Some(f64::exp_m1),
        complex: Some(ComplexKernel::Map(cx::expm1)),
        lower: Lower::Op("stablehlo.exponential_minus_one"),
        // expm1' = exp = y + 1
        jvp: |b, x, y, t| {
            let yp1 = b.add(y, &one(b, x))?;
            b.mul(t, &yp1).map(Some)
        },
        ..BASE
    },
    Sqrt => UnarySpec {
        name: "sqrt",
        builtin: Some("sqrt"),
        float: Some(f64::sqrt),
        complex: Some(ComplexKernel::Map(Z::sqrt)),
        lower: Lower::Op("stablehlo.sqrt"),
        // sqrt' = 1 / (2 sqrt x)
        jvp: |b, _, y, t| {
            let two_y = b.add(y, y)?;
            b.div(t, &two_y).map(Some)
        },
        ..BASE
    },
    Rsqrt => UnarySpec {
        name: "rsqrt",
        builtin: Some("rsqrt"),
        float: Some(|x| 1.0 / x.sqrt()),
        complex: Some(ComplexKernel::Map(|z| z.sqrt().inv())),
        lower: Lower::Op("stablehlo.rsqrt"),
        jvp: |b, x, y, t| rsqrt_tangent(b, x, y, t).map(Some),
        ..BASE
    },
    /// Wraps on integers (`|MIN| = MIN`); `|z|` of `c64` is an `f32` (`f64` for `c128`).
    Abs => UnarySpec {
        name: "abs",
        builtin: Some("abs"),
        float: Some(f64::abs),
        int: ints!(|x| x.wabs()),
        complex: Some(ComplexKernel::ToReal(Z::norm)),
        real_result: true,
        lower: Lower::With(lower_abs),
        // |x|' = sign x; at 0 this gives 0, the mean of the one-sided slopes.
        jvp: |b, x, y, t| {
            if is_complex(x) {
                return complex_abs_tangent(b, x, y, t).map(Some);
            }
            let s = b.unary(UnaryOp::Sign, x)?;
            b.mul(t, &s).map(Some)
        },
        ..BASE
    },
    /// `-1, 0, 1`; `sign(±0) = ±0` and NaN stays NaN for floats; `z / |z|`
    /// for complex (0 at 0).
    Sign => UnarySpec {
        name: "sign",
        builtin: Some("sign"),
        // `x == 0` keeps the signed zero; NaN falls through `signum` as NaN.
        float: Some(|x| if x == 0.0 { x } else { x.signum() }),
        int: ints!(|x| x.sign()),
        complex: Some(ComplexKernel::Map(|z| {
            if z.norm() == 0.0 {
                z
            } else {
                z / z.norm()
            }
        })),
        lower: Lower::With(lower_sign),
        jvp: |b, x, y, t| match is_complex(x) {
            true => complex_sign_tangent(b, x, y, t).map(Some),
            false => Ok(None),
        },
        ..BASE
    },
    Sin => UnarySpec {
        name: "sin",
        builtin: Some("sin"),
        float: Some(f64::sin),
        complex: Some(ComplexKernel::Map(Z::sin)),
        lower: Lower::Op("stablehlo.sine"),
        jvp: |b, x, _, t| {
            let c = b.unary(UnaryOp::Cos, x)?;
            b.mul(t, &c).map(Some)
        },
        ..BASE
    },
    Cos => UnarySpec {
        name: "cos",
        builtin: Some("cos"),
        float: Some(f64::cos),
        complex: Some(ComplexKernel::Map(Z::cos)),
        lower: Lower::Op("stablehlo.cosine"),
        jvp: |b, x, _, t| {
            let s = b.unary(UnaryOp::Sin, x)?;
            let ts = b.mul(t, &s)?;
            b.neg(&ts).map(Some)
        },
        ..BASE
    },
    Tanh => UnarySpec {
        name: "tanh",
        builtin: Some("tanh"),
        float: Some(f64::tanh),
        complex: Some(ComplexKernel::Map(Z::tanh)),
        lower: Lower::Op("stablehlo.tanh"),
        // tanh' = 1 - tanh²
        jvp: |b, x, y, t| {
            let yy = b.mul(y, y)?;
            let d = b.sub(&one(b, x), &yy)?;
            b.mul(t, &d).map(Some)
        },
        ..BASE
    },
    /// `1 / (1 + exp(-x))`
    Logistic => UnarySpec {
        name: "logistic",
        builtin: Some("sigmoid"),
        float: Some(|x| 1.0 / (1.0 + (-x).exp())),
        complex: Some(ComplexKernel::Map(|z| (Z::new(1.0, 0.0) + (-z).exp()).inv())),
        lower: Lower::Op("stablehlo.logistic"),
        // σ' = σ (1 - σ)
        jvp: |b, x, y, t| {
            let d = b.sub(&one(b, x), y)?;
            let yd = b.mul(y, &d)?;
            b.mul(t, &yd).map(Some)
        },
        ..BASE
    },
    /// `erf x = 2/√π ∫₀ˣ exp(−s²) ds` (floats only).
    Erf => UnarySpec {
        name: "erf",
        builtin: Some("erf"),
        float: Some(erf::erf),
        lower: Lower::With(erf::lower),
        // erf' = 2/√π exp(−x²)
        jvp: |b, x, _, t| {
            let xx = b.mul(x, x)?;
            let e = b.neg(&xx)?;
            let e = b.unary(UnaryOp::Exp, &e)?;
            let c = b.scalar(x.ty().dtype, FRAC_2_SQRT_PI);
            let d = b.mul(&e, &c)?;
            b.mul(t, &d).map(Some)
        },
        ..BASE
    },
    Floor => UnarySpec {
        name: "floor",
        builtin: Some("floor"),
        float: Some(f64::floor),
        lower: Lower::Op("stablehlo.floor"),
        ..BASE
    },
    Ceil => UnarySpec {
        name: "ceil",
        builtin: Some("ceil"),
        float: Some(f64::ceil),
        lower: Lower::Op("stablehlo.ceil"),
        ..BASE
    },
    /// Round half to even.
    Round => UnarySpec {
        name: "round",
        builtin: Some("round"),
        float: Some(f64::round_ties_even),
        lower: Lower::Op("stablehlo.round_nearest_even"),
        ..BASE
    },
    /// Logical not on bool, bitwise not on integers.
    Not => UnarySpec {
        name: "not",
        int: ints!(|x| !x),
        bool: Some(|x| !x),
        lower: Lower::Op("stablehlo.not"),
        ..BASE
    },
    /// `c64 -> f32`, `c128 -> f64`; the identity on a real dtype.
    Real => UnarySpec {
        name: "real",
        float: Some(|x| x),
        int: ints!(|x| x),
        complex: Some(ComplexKernel::ToReal(|z| z.re)),
        real_result: true,
        lower: Lower::With(lower_real),
        jvp: |b, x, _, t| match is_complex(x) {
            true => b.unary(UnaryOp::Real, t).map(Some),
            false => Ok(Some(t.clone())),
        },
        // <ct, real(z)> = ct x, so realᵀ(ct) = complex(ct, 0).
        transpose: Some(|b, x, ct| match is_complex(x) {
            true => b.convert(ct, x.ty().dtype).map(Some),
            false => Ok(Some(ct.clone())),
        }),
        ..BASE
    },
    /// `c64 -> f32`, `c128 -> f64`; zeros of the same dtype for a real dtype.
    Imag => UnarySpec {
        name: "imag",
        float: Some(|_| 0.0),
        int: ints!(|_x| 0),
        complex: Some(ComplexKernel::ToReal(|z| z.im)),
        real_result: true,
        lower: Lower::With(lower_imag),
        jvp: |b, x, _, t| match is_complex(x) {
            true => b.unary(UnaryOp::Imag, t).map(Some),
            false => Ok(None),
        },
        // <ct, imag(z)> = ct y, so imagᵀ(ct) = complex(0, −ct).
        transpose: Some(|b, x, ct| {
            if !is_complex(x) {
                return Ok(None);
            }
            let zero = b.scalar(ct.ty().dtype, 0.0);
            let minus = b.neg(ct)?;
            b.binary(super::BinaryOp::Complex, &zero, &minus).map(Some)
        }),
        ..BASE
    },
    /// The identity on a real dtype.
    Conj => UnarySpec {
        name: "conj",
        float: Some(|x| x),
        int: ints!(|x| x),
        complex: Some(ComplexKernel::Map(|z| z.conj())),
        lower: Lower::With(lower_conj),
        jvp: |b, x, _, t| match is_complex(x) {
            true => b.unary(UnaryOp::Conj, t).map(Some),
            false => Ok(Some(t.clone())),
        },
        // <w, conj(z)> = <conj(w), z>, so conjᵀ = conj.
        transpose: Some(|b, x, ct| match is_complex(x) {
            true => b.unary(UnaryOp::Conj, ct).map(Some),
            false => Ok(Some(ct.clone())),
        }),
        ..BASE
    },
}

impl UnaryOp {
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The op whose builtin function is `name` (`sigmoid` is `logistic`).
    pub fn from_builtin(name: &str) -> Option<UnaryOp> {
        (UnaryOp::ALL.iter())
            .find(|op| op.spec().builtin == Some(name))
            .copied()
    }

    /// Defined on floats but not on integers (`exp`, `floor`, ...): the
    /// language computes it on an integer array in `f32`, as NumPy and JAX do.
    pub fn float_only(self) -> bool {
        let s = self.spec();
        s.float.is_some() && s.int.is_none()
    }

    /// Whether the op accepts operands of dtype `d`: it has a kernel for it.
    pub fn accepts(self, d: DType) -> bool {
        let s = self.spec();
        match d {
            DType::Bool => s.bool.is_some(),
            DType::I32 | DType::I64 | DType::U32 => s.int.is_some(),
            DType::F32 | DType::F64 => s.float.is_some(),
            DType::C64 | DType::C128 => s.complex.is_some(),
        }
    }

    /// The op's domain as an error names it ("a float or complex").
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

/// `spec`'s kernel for `data`'s dtype, elementwise.
#[inline(always)]
fn apply(spec: &UnarySpec, data: &Data) -> Option<Data> {
    Some(match data {
        Data::F32(v) => Data::F32(lift(v, spec.float?)),
        Data::F64(v) => Data::F64(lift(v, spec.float?)),
        Data::I32(v) => Data::I32(map_fn(v, spec.int.as_ref()?.i32)),
        Data::I64(v) => Data::I64(map_fn(v, spec.int.as_ref()?.i64)),
        Data::U32(v) => Data::U32(map_fn(v, spec.int.as_ref()?.u32)),
        Data::Bool(v) => Data::Bool(map_fn(v, spec.bool?)),
        Data::C64(v) => cx::unary(spec.complex.as_ref()?, v),
        Data::C128(v) => cx::unary(spec.complex.as_ref()?, v),
    })
}

fn zero_tangent(_: &mut Builder, _: &Atom, _: &Atom, _: &Atom) -> R<Option<Atom>> {
    Ok(None)
}

/// The constant 1 of `x`'s dtype.
fn one(b: &Builder, x: &Atom) -> Atom {
    b.scalar(x.ty().dtype, 1.0)
}

fn is_complex(x: &Atom) -> bool {
    x.ty().dtype.is_complex()
}

// ---------------------------------------------------------------- lowerings
//
// The StableHLO op of each row has the kernels' semantics, except where a
// lowering of its own says otherwise.

/// XLA's CPU `exp` reduces its argument through a float-to-int conversion,
/// which LLVM folds to poison when the argument is a NaN known at compile
/// time (`exp(x + 0.0 / 0.0)`): the kernel then stores stale memory.
/// Selecting `x` where `x != x` gives exp(NaN) = NaN before the poison can
/// reach the result.
fn lower_exp(em: &mut Emitter, x: &Value, out: &TensorType) -> R<Value> {
    let e = em.elementwise("stablehlo.exponential", &[x], out);
    if !x.ty.dtype.is_float() {
        return Ok(e);
    }
    let nan = em.compare("NE", x, x);
    Ok(em.select(&nan, x, &e))
}

/// StableHLO `abs` takes signed integers only; `u32` is its own `abs`.
fn lower_abs(em: &mut Emitter, x: &Value, out: &TensorType) -> R<Value> {
    Ok(match x.ty.dtype {
        DType::U32 => x.clone(),
        _ => em.elementwise("stablehlo.abs", &[x], out),
    })
}

/// StableHLO `sign` takes signed integers only; `sign` of a `u32` is `min(x, 1)`.
fn lower_sign(em: &mut Emitter, x: &Value, out: &TensorType) -> R<Value> {
    if x.ty.dtype != DType::U32 {
        return Ok(em.elementwise("stablehlo.sign", &[x], out));
    }
    let one = em.splat(&x.ty, 1.0)?;
    Ok(em.elementwise("stablehlo.minimum", &[x, &one], out))
}

fn lower_real(em: &mut Emitter, x: &Value, out: &TensorType) -> R<Value> {
    Ok(match x.ty.dtype.is_complex() {
        true => em.elementwise("stablehlo.real", &[x], out),
        false => x.clone(),
    })
}

fn lower_imag(em: &mut Emitter, x: &Value, out: &TensorType) -> R<Value> {
    match x.ty.dtype.is_complex() {
        true => Ok(em.elementwise("stablehlo.imag", &[x], out)),
        false => em.splat(out, 0.0),
    }
}

/// conj(z) = complex(re z, -im z): StableHLO has no `conj`.
fn lower_conj(em: &mut Emitter, x: &Value, out: &TensorType) -> R<Value> {
    if !x.ty.dtype.is_complex() {
        return Ok(x.clone());
    }
    let part = x.ty.with_dtype(x.ty.dtype.real());
    let re = em.elementwise("stablehlo.real", &[x], &part);
    let im = em.elementwise("stablehlo.imag", &[x], &part);
    let neg = em.elementwise("stablehlo.negate", &[&im], &part);
    Ok(em.elementwise("stablehlo.complex", &[&re, &neg], out))
}
