//! Surface syntax: the AST and the parser.

pub mod ast;
mod parser;

pub use parser::{parse, parse_types};
