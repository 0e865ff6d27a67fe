//! Host arrays: a shape and a flat, row-major (C order) buffer of one dtype.
//!
//! Tensors are immutable and cheap to clone (the buffer is shared).

pub mod alloc;
pub mod format;
pub mod kernels;
pub mod npy;

use crate::types::{DType, Shape, TensorType};
use std::sync::Arc;

/// A single-precision complex number (`c64`).
pub type C64 = num_complex::Complex<f32>;
/// A double-precision complex number (`c128`).
pub type C128 = num_complex::Complex<f64>;

/// A flat buffer of one dtype.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    Bool(Vec<bool>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U32(Vec<u32>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    C64(Vec<C64>),
    C128(Vec<C128>),
}

impl Data {
    pub fn dtype(&self) -> DType {
        match self {
            Data::Bool(_) => DType::Bool,
            Data::I32(_) => DType::I32,
            Data::I64(_) => DType::I64,
            Data::U32(_) => DType::U32,
            Data::F32(_) => DType::F32,
            Data::F64(_) => DType::F64,
            Data::C64(_) => DType::C64,
            Data::C128(_) => DType::C128,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Data::Bool(v) => v.len(),
            Data::I32(v) => v.len(),
            Data::I64(v) => v.len(),
            Data::U32(v) => v.len(),
            Data::F32(v) => v.len(),
            Data::F64(v) => v.len(),
            Data::C64(v) => v.len(),
            Data::C128(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `n` zeros (false, 0, 0.0) of `dtype`.
    pub fn zeros(dtype: DType, n: usize) -> Data {
        match dtype {
            DType::Bool => Data::Bool(vec![false; n]),
            DType::I32 => Data::I32(vec![0; n]),
            DType::I64 => Data::I64(vec![0; n]),
            DType::U32 => Data::U32(vec![0; n]),
            DType::F32 => Data::F32(vec![0.0; n]),
            DType::F64 => Data::F64(vec![0.0; n]),
            DType::C64 => Data::C64(vec![C64::new(0.0, 0.0); n]),
            DType::C128 => Data::C128(vec![C128::new(0.0, 0.0); n]),
        }
    }
}

/// An immutable host array.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    shape: Shape,
    data: Arc<Data>,
}

impl Tensor {
    /// A tensor of `shape` over `data`; `None` if the sizes disagree.
    pub fn new(shape: impl Into<Shape>, data: Data) -> Option<Tensor> {
        let shape = shape.into();
        if shape.iter().product::<usize>() != data.len() {
            return None;
        }
        Some(Tensor {
            shape,
            data: Arc::new(data),
        })
    }

    pub fn zeros(ty: &TensorType) -> Tensor {
        Tensor {
            shape: ty.shape.clone(),
            data: Arc::new(Data::zeros(ty.dtype, ty.size())),
        }
    }

    pub fn scalar_f32(v: f32) -> Tensor {
        Tensor {
            shape: vec![],
            data: Arc::new(Data::F32(vec![v])),
        }
    }
    pub fn scalar_f64(v: f64) -> Tensor {
        Tensor {
            shape: vec![],
            data: Arc::new(Data::F64(vec![v])),
        }
    }
    pub fn scalar_i32(v: i32) -> Tensor {
        Tensor {
            shape: vec![],
            data: Arc::new(Data::I32(vec![v])),
        }
    }
    pub fn scalar_i64(v: i64) -> Tensor {
        Tensor {
            shape: vec![],
            data: Arc::new(Data::I64(vec![v])),
        }
    }
    pub fn scalar_bool(v: bool) -> Tensor {
        Tensor {
            shape: vec![],
            data: Arc::new(Data::Bool(vec![v])),
        }
    }
    pub fn scalar_c64(v: C64) -> Tensor {
        Tensor {
            shape: vec![],
            data: Arc::new(Data::C64(vec![v])),
        }
    }
    pub fn scalar_c128(v: C128) -> Tensor {
        Tensor {
            shape: vec![],
            data: Arc::new(Data::C128(vec![v])),
        }
    }

    /// A scalar of `dtype` holding `v` (rounded or truncated as a cast would).
    pub fn scalar_of(dtype: DType, v: f64) -> Tensor {
        let data = match dtype {
            DType::Bool => Data::Bool(vec![v != 0.0]),
            DType::I32 => Data::I32(vec![v as i32]),
            DType::I64 => Data::I64(vec![v as i64]),
            DType::U32 => Data::U32(vec![v as u32]),
            DType::F32 => Data::F32(vec![v as f32]),
            DType::F64 => Data::F64(vec![v]),
            DType::C64 => Data::C64(vec![C64::new(v as f32, 0.0)]),
            DType::C128 => Data::C128(vec![C128::new(v, 0.0)]),
        };
        Tensor {
            shape: vec![],
            data: Arc::new(data),
        }
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }
    pub fn dtype(&self) -> DType {
        self.data.dtype()
    }
    pub fn ty(&self) -> TensorType {
        TensorType {
            dtype: self.dtype(),
            shape: self.shape.clone(),
        }
    }
    pub fn rank(&self) -> usize {
        self.shape.len()
    }
    pub fn size(&self) -> usize {
        self.data.len()
    }
    pub fn data(&self) -> &Data {
        &self.data
    }
    /// Whether two tensors share one buffer (used to recognise a captured array).
    pub fn same_buffer(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.data, &other.data)
    }

    /// Equal shapes, dtypes and bits: `0.0` and `-0.0` differ, a NaN equals
    /// the same NaN.
    pub fn same_bits(&self, b: &Tensor) -> bool {
        let a = self;
        if a.same_buffer(b) {
            return true;
        }
        if a.shape() != b.shape() {
            return false;
        }
        match (a.data(), b.data()) {
            (Data::Bool(x), Data::Bool(y)) => x == y,
            (Data::I32(x), Data::I32(y)) => x == y,
            (Data::I64(x), Data::I64(y)) => x == y,
            (Data::U32(x), Data::U32(y)) => x == y,
            (Data::F32(x), Data::F32(y)) => x
                .iter()
                .map(|f| f.to_bits())
                .eq(y.iter().map(|f| f.to_bits())),
            (Data::F64(x), Data::F64(y)) => x
                .iter()
                .map(|f| f.to_bits())
                .eq(y.iter().map(|f| f.to_bits())),
            (Data::C64(x), Data::C64(y)) => x
                .iter()
                .map(|c| (c.re.to_bits(), c.im.to_bits()))
                .eq(y.iter().map(|c| (c.re.to_bits(), c.im.to_bits()))),
            (Data::C128(x), Data::C128(y)) => x
                .iter()
                .map(|c| (c.re.to_bits(), c.im.to_bits()))
                .eq(y.iter().map(|c| (c.re.to_bits(), c.im.to_bits()))),
            _ => false,
        }
    }

    /// The same buffer under another shape of equal size.
    pub fn reshaped(&self, shape: impl Into<Shape>) -> Option<Tensor> {
        let shape = shape.into();
        if shape.iter().product::<usize>() != self.size() {
            return None;
        }
        Some(Tensor {
            shape,
            data: self.data.clone(),
        })
    }

    /// Element `i` (flat index) as f64; the real part for complex, 0/1 for bool.
    pub fn get_f64(&self, i: usize) -> f64 {
        match &*self.data {
            Data::Bool(v) => v[i] as i32 as f64,
            Data::I32(v) => v[i] as f64,
            Data::I64(v) => v[i] as f64,
            Data::U32(v) => v[i] as f64,
            Data::F32(v) => v[i] as f64,
            Data::F64(v) => v[i],
            Data::C64(v) => v[i].re as f64,
            Data::C128(v) => v[i].re,
        }
    }

    /// All elements as f64 (real parts for complex).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        (0..self.size()).map(|i| self.get_f64(i)).collect()
    }

    /// All elements as complex f64 pairs (imaginary part 0 for real dtypes).
    pub fn to_c64_vec(&self) -> Vec<(f64, f64)> {
        match &*self.data {
            Data::C64(v) => v.iter().map(|c| (c.re as f64, c.im as f64)).collect(),
            Data::C128(v) => v.iter().map(|c| (c.re, c.im)).collect(),
            _ => self.to_f64_vec().into_iter().map(|x| (x, 0.0)).collect(),
        }
    }

    /// The real and imaginary parts of a complex tensor, as tensors of its
    /// real dtype; `None` for a real tensor.
    pub fn complex_parts(&self) -> Option<(Tensor, Tensor)> {
        let (re, im) = match &*self.data {
            Data::C64(v) => (
                Data::F32(v.iter().map(|z| z.re).collect()),
                Data::F32(v.iter().map(|z| z.im).collect()),
            ),
            Data::C128(v) => (
                Data::F64(v.iter().map(|z| z.re).collect()),
                Data::F64(v.iter().map(|z| z.im).collect()),
            ),
            _ => return None,
        };
        Some((
            Tensor::new(self.shape.clone(), re)?,
            Tensor::new(self.shape.clone(), im)?,
        ))
    }

    /// The single element of a size-1 tensor as i64, if it is an integer or bool.
    pub fn as_int_scalar(&self) -> Option<i64> {
        if self.size() != 1 {
            return None;
        }
        match &*self.data {
            Data::Bool(v) => Some(v[0] as i64),
            Data::I32(v) => Some(v[0] as i64),
            Data::I64(v) => Some(v[0]),
            Data::U32(v) => Some(v[0] as i64),
            Data::F32(_) | Data::F64(_) | Data::C64(_) | Data::C128(_) => None,
        }
    }
}

impl Tensor {
    /// The elements as little-endian bytes, row-major (complex as (re, im) pairs of its real dtype,
    /// bool as one byte 0/1): the layout PJRT buffers and `.npy` files use.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size() * self.dtype().size());
        npy::encode(self.data(), &mut out);
        out
    }

    /// A tensor from little-endian bytes in the layout of [`Tensor::to_le_bytes`];
    /// `None` if the byte count does not match the shape.
    pub fn from_le_bytes(dtype: DType, shape: &[usize], bytes: &[u8]) -> Option<Tensor> {
        let n: usize = shape.iter().product();
        if bytes.len() != n * dtype.size() {
            return None;
        }
        Tensor::new(shape.to_vec(), npy::decode(dtype, false, bytes))
    }
}
