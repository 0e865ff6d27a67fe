//! Modules: a file's global bindings, imports and the embedded standard library.

use super::value::Value;
use indexmap::IndexMap;
use std::cell::RefCell;

/// The global environment of one file (or of the REPL).
#[derive(Debug, Default)]
pub struct ModuleEnv {
    pub name: String,
    pub globals: RefCell<IndexMap<String, Value>>,
}
