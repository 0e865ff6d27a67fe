//! Types of values: dtypes, shapes, tensor types.

mod dtype;
mod sharding;

pub use dtype::{DType, Weak};
pub use sharding::{common_mesh, Mesh, Sharding, MESH_SYMBOL};
use std::fmt;

/// A static shape.
pub type Shape = Vec<usize>;

/// The type of one array in the IR: a dtype and a static shape.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TensorType {
    pub dtype: DType,
    pub shape: Shape,
}

impl TensorType {
    pub fn new(dtype: DType, shape: impl Into<Shape>) -> TensorType {
        TensorType {
            dtype,
            shape: shape.into(),
        }
    }
    pub fn scalar(dtype: DType) -> TensorType {
        TensorType {
            dtype,
            shape: vec![],
        }
    }
    pub fn rank(&self) -> usize {
        self.shape.len()
    }
    /// The number of elements, saturating (a shape from user input may
    /// overflow; `tensor::alloc` rejects such shapes where they matter).
    pub fn size(&self) -> usize {
        self.shape.iter().fold(1usize, |n, &d| n.saturating_mul(d))
    }
    pub fn with_dtype(&self, dtype: DType) -> TensorType {
        TensorType {
            dtype,
            shape: self.shape.clone(),
        }
    }
}

/// `f32[3, 4]`, `f32[]`.
impl fmt::Display for TensorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.dtype, ShapeDisplay(&self.shape))
    }
}

/// Displays a shape as `[3, 4]`.
pub struct ShapeDisplay<'a>(pub &'a [usize]);

impl fmt::Display for ShapeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", d)?;
        }
        f.write_str("]")
    }
}
