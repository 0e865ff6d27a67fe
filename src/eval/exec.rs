//! The evaluator's state and the entry points the driver uses.

use super::tracer::Tracer;
use super::value::Value;
use crate::diag::{Diagnostic, Result};
use crate::span::{SourceMap, Span};
use std::io::Write;
use std::path::PathBuf;

/// The state of a running program: sources, the tracer, and where output goes.
pub struct Evaluator {
    pub sources: SourceMap,
    pub tracer: Tracer,
    pub out: Box<dyn Write>,
}

impl Evaluator {
    pub fn new(out: Box<dyn Write>) -> Evaluator {
        Evaluator {
            sources: SourceMap::default(),
            tracer: Tracer::default(),
            out,
        }
    }

    /// Writes `text` to the program's output (`print`).
    pub fn write_out(&mut self, text: &str) -> Result<()> {
        self.out
            .write_all(text.as_bytes())
            .map_err(|e| Diagnostic::new(format!("cannot write output: {}", e)))
    }

    /// A path in a program, relative to the directory of the file containing `span`.
    pub fn resolve_path(&self, span: Span, path: &str) -> PathBuf {
        let p = PathBuf::from(path);
        if p.is_absolute() {
            return p;
        }
        match self.sources.get(span.file).map(|f| PathBuf::from(&f.name)) {
            Some(file) => file.parent().map(|d| d.join(&p)).unwrap_or(p),
            None => p,
        }
    }

    /// Calls a function value with positional arguments.
    pub fn call_value(&mut self, f: &Value, args: Vec<Value>, span: Span) -> Result<Value> {
        let _ = (f, args);
        Err(Diagnostic::at(
            span,
            "calling functions is not yet implemented",
        ))
    }
}
