//! Element types and their promotion lattice.

use std::fmt;

/// Element type of a tensor. `U32` is internal (PRNG keys and random bits):
/// users cannot name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    I32,
    I64,
    U32,
    F32,
    F64,
    C64,
    C128,
}

impl DType {
    pub const USER: [DType; 7] = [
        DType::F32,
        DType::F64,
        DType::I32,
        DType::I64,
        DType::Bool,
        DType::C64,
        DType::C128,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::U32 => "u32",
            DType::F32 => "f32",
            DType::F64 => "f64",
            DType::C64 => "c64",
            DType::C128 => "c128",
        }
    }

    /// The dtypes a user can write, for messages: `f32, f64, ..., c128`.
    pub fn user_names() -> String {
        let names: Vec<&str> = DType::USER.iter().map(|d| d.name()).collect();
        names.join(", ")
    }

    /// A dtype a user can write (`f32`, ...); `u32` is not one.
    pub fn from_name(name: &str) -> Option<DType> {
        DType::USER.into_iter().find(|d| d.name() == name)
    }

    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }
    pub fn is_complex(self) -> bool {
        matches!(self, DType::C64 | DType::C128)
    }
    /// Float or complex: the dtypes that have derivatives.
    pub fn is_inexact(self) -> bool {
        self.is_float() || self.is_complex()
    }
    pub fn is_int(self) -> bool {
        matches!(self, DType::I32 | DType::I64 | DType::U32)
    }
    pub fn is_bool(self) -> bool {
        matches!(self, DType::Bool)
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool => 1,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::F64 | DType::C64 => 8,
            DType::C128 => 16,
        }
    }

    /// The real dtype of a complex one (`c64 -> f32`, `c128 -> f64`); itself otherwise.
    pub fn real(self) -> DType {
        match self {
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            d => d,
        }
    }

    /// The complex dtype with the same real dtype (`f64 -> c128`); `c64`
    /// for anything narrower than `f64` (integers and bool reach complex
    /// through `f32`, as the default float).
    pub fn complex(self) -> DType {
        match self {
            DType::F64 | DType::C128 => DType::C128,
            _ => DType::C64,
        }
    }

    /// The least upper bound in the `jax.numpy` lattice (with 64-bit types
    /// enabled) `bool < i32 < i64 < f32 < f64 < c128`, `f32 < c64 < c128`,
    /// so `f64 ⊔ c64 = c128`. `u32` joins with integers as `i64`.
    pub fn join(self, other: DType) -> DType {
        use DType::*;
        if self == other {
            return self;
        }
        match (self, other) {
            (C128, _) | (_, C128) | (C64, F64) | (F64, C64) => C128,
            (C64, _) | (_, C64) => C64,
            (F64, _) | (_, F64) => F64,
            (F32, _) | (_, F32) => F32,
            (I64, _) | (_, I64) | (U32, _) | (_, U32) => I64,
            (I32, _) | (_, I32) => I32,
            (Bool, Bool) => Bool,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Kind of a weakly-typed literal (a Python scalar in JAX terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weak {
    Int,
    Float,
    Complex,
}

impl Weak {
    /// The dtype a weak literal takes next to a typed operand of dtype `d`:
    /// `f32 + 1.0 -> f32`, `i32 + 1.0 -> f32`, `f32 + 2i -> c64`, `f64 + 2i -> c128`.
    pub fn with(self, d: DType) -> DType {
        match self {
            Weak::Int => d,
            Weak::Float if d.is_inexact() => d,
            Weak::Float => DType::F32,
            Weak::Complex => d.complex(),
        }
    }

    /// The dtype it takes alone.
    pub fn default_dtype(self) -> DType {
        match self {
            Weak::Int => DType::I32,
            Weak::Float => DType::F32,
            Weak::Complex => DType::C64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn join_is_jax_with_64_bit_types() {
        assert_eq!(F64.join(C64), C128);
        assert_eq!(C64.join(F64), C128);
        assert_eq!(F32.join(C64), C64);
        assert_eq!(I64.join(C64), C64);
        assert_eq!(C128.join(F32), C128);
        assert_eq!(C128.join(Bool), C128);
        assert_eq!(C64.join(C128), C128);
        assert_eq!(I32.join(F64), F64);
    }

    #[test]
    fn weak_literals_take_the_other_operands_width() {
        assert_eq!(Weak::Complex.with(F32), C64);
        assert_eq!(Weak::Complex.with(F64), C128);
        assert_eq!(Weak::Complex.with(C128), C128);
        assert_eq!(Weak::Complex.with(I32), C64);
        assert_eq!(Weak::Float.with(C128), C128);
        assert_eq!(Weak::Int.with(C128), C128);
        assert_eq!(C128.real(), F64);
        assert_eq!(DType::from_name("c128"), Some(C128));
        assert_eq!(C128.size(), 16);
    }
}
