//! The evaluator: runs top-level statements on the host and traces function
//! bodies into the IR.

pub mod assigned;
pub mod builtins;
pub mod call;
pub mod check;
pub mod control;
pub mod custom;
pub mod display;
pub mod donate;
pub mod effects;
pub mod exec;
pub mod expr;
pub mod index;
pub mod jacobian;
pub mod module;
pub mod names;
pub mod ops;
pub mod stmt;
pub mod trace_cache;
pub mod tracer;
pub mod transform;
pub mod tree;
pub mod value;
pub mod vmap;
