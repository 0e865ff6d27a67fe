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
}

impl DType {
    pub const USER: [DType; 6] = [
        DType::F32,
        DType::F64,
        DType::I32,
        DType::I64,
        DType::Bool,
        DType::C64,
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
        }
    }

    /// A dtype a user can write (`f32`, ...); `u32` is not one.
    pub fn from_name(name: &str) -> Option<DType> {
        DType::USER.into_iter().find(|d| d.name() == name)
    }

    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }
    pub fn is_complex(self) -> bool {
        matches!(self, DType::C64)
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
        }
    }

    /// The real dtype of a complex one (`c64 -> f32`); itself otherwise.
    pub fn real(self) -> DType {
        match self {
            DType::C64 => DType::F32,
            d => d,
        }
    }

    /// The least upper bound in the `jax.numpy` lattice
    /// `bool < i32 < i64 < f32 < f64`, `f32 < c64` (`f64 ⊔ c64 = c64`, as
    /// nest has no `c128`). `u32` joins with integers as `i64`.
    pub fn join(self, other: DType) -> DType {
        use DType::*;
        if self == other {
            return self;
        }
        match (self, other) {
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
    /// `f32 + 1.0 -> f32`, `i32 + 1.0 -> f32`, `f32 + 2i -> c64`.
    pub fn with(self, d: DType) -> DType {
        match self {
            Weak::Int => d,
            Weak::Float if d.is_inexact() => d,
            Weak::Float => DType::F32,
            Weak::Complex => DType::C64,
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
