//! NumPy-like text form of tensors, as `print` shows them.

use super::Tensor;

pub fn format_tensor(t: &Tensor) -> String {
    format!("{:?}", t.to_f64_vec())
}
