//! The evaluator: runs top-level statements on the host and traces function
//! bodies into the IR.

pub mod builtins;
pub mod exec;
pub mod module;
pub mod ops;
pub mod tracer;
pub mod tree;
pub mod value;
