//! The primitive set: every array operation the IR knows.
//!
//! Each primitive (or family with an op enum: `Unary(UnaryOp)`,
//! `Binary(BinaryOp)`, `Compare(Cmp)`) is a type implementing
//! [`crate::ir::Primitive`], whose methods are required: leaving out a rule
//! is a compile error. A family file (`elementwise.rs`, `reduce.rs`,
//! `shape.rs`, `linalg.rs`, `random.rs`, `control.rs`, `custom.rs`,
//! `print.rs`, `sharding.rs`) holds its rules (`infer_*`, `eval_*`, `lower_*`, `jvp_*`,
//! `transpose_*`, `batch_*`); its `rules.rs` holds the types and their
//! `impl Primitive`, which call them. Nothing here dispatches.
//!
//! Conventions shared by all primitives are documented on the trait.

pub mod batching;
pub mod build;
pub mod control;
pub mod custom;
pub mod elementwise;
pub mod linalg;
pub mod print;
pub mod random;
pub mod reduce;
pub mod samples;
pub mod shape;
pub mod sharding;

use crate::ir::RuleResult;
use crate::types::TensorType;

pub use crate::ir::{BatchResult, JvpResult, Prim};
pub use control::{Cond, Scan, While};
pub use custom::{CustomJvp, CustomVjp, CustomVjpLin, LinearSolve};
pub use elementwise::{
    Binary, BinaryOp, BitcastConvert, Cmp, Compare, Convert, Select, StopGradient, Unary, UnaryOp,
};
pub use linalg::{Cholesky, DotGeneral, TriangularSolve};
pub use print::Print;
pub use random::Threefry2x32;
pub use reduce::{ArgOp, ArgReduce, Reduce, ReduceOp};
pub use shape::{
    Broadcast, Concat, DynamicSlice, DynamicUpdateSlice, Iota, Pad, Reshape, Rev, Slice, Transpose,
};
pub use sharding::{constraint_shardings, input_sharding, output_sharding, ShardingConstraint};

/// Checks the number of inputs of a primitive.
pub(crate) fn expect_arity(name: &str, inputs: &[TensorType], n: usize) -> RuleResult<()> {
    if inputs.len() == n {
        Ok(())
    } else {
        Err(format!("{} takes {} operand(s), got {}", name, n, inputs.len()).into())
    }
}
