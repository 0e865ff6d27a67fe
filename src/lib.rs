//! nest: a small language for nested optimization, traced to a typed IR and
//! run by a reference interpreter or compiled through StableHLO.
//!
//! The pipeline: [`syntax`] parses source to an AST; [`eval`] runs top-level
//! statements on the host and traces functions into the [`ir`]; [`interp`]
//! runs IR graphs; [`driver`] ties these together for the CLI, the REPL and
//! library users.

#![deny(clippy::unwrap_used)]

pub mod args;
pub mod artifact;
pub mod backend;
pub mod diag;
pub mod driver;
pub mod eval;
pub mod files;
pub mod interp;
pub mod ir;
pub mod plot;
pub mod prims;
pub mod progress;
pub mod span;
pub mod stack;
pub mod syntax;
pub mod tensor;
pub mod transform;
pub mod types;
pub mod version;

pub use diag::{Diagnostic, Result};
pub use driver::Session;
pub use version::VERSION;
