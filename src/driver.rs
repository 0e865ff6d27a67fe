//! Source to diagnostics, IR or results: the API shared by the CLI, the REPL
//! and library users.

use crate::diag::Diagnostic;
use crate::span::SourceMap;
use std::io::Write;
use std::path::Path;

/// One nest session: loaded sources, global bindings, compiled-function caches.
/// `print` output goes to the session's writer.
pub struct Session {
    sources: SourceMap,
    out: Box<dyn Write>,
}

impl Session {
    /// A session printing to `out`.
    pub fn new(out: Box<dyn Write>) -> Session {
        Session {
            sources: SourceMap::default(),
            out,
        }
    }

    /// Parses, checks and runs a file: its top-level statements, then `main()` if defined.
    pub fn run_file(&mut self, path: &Path) -> Result<(), Diagnostic> {
        let _ = (path, &mut self.out);
        Err(Diagnostic::new("not yet implemented"))
    }

    /// Parses and checks a file without running it.
    pub fn check_file(&mut self, path: &Path) -> Result<(), Diagnostic> {
        let _ = path;
        Err(Diagnostic::new("not yet implemented"))
    }

    /// The IR of function `name` in `path`, printed. `arg_types` (e.g.
    /// `"f32[3, 4], f32[4]"`) gives the argument types; without it the
    /// function's annotations must be concrete.
    pub fn ir_of_file(
        &mut self,
        path: &Path,
        name: &str,
        arg_types: Option<&str>,
    ) -> Result<String, Diagnostic> {
        let _ = (path, name, arg_types);
        Err(Diagnostic::new("not yet implemented"))
    }

    /// Runs a REPL entry (statements, `fn` definitions, imports, or an
    /// expression). Returns the printed value of a trailing expression.
    pub fn eval_repl(&mut self, source: &str) -> Result<Option<String>, Diagnostic> {
        let _ = source;
        Err(Diagnostic::new("not yet implemented"))
    }

    /// The type of an expression, e.g. `f32[3, 4]` or `{w: f32[3], b: f32[]}` (REPL `:type`).
    pub fn type_of(&mut self, source: &str) -> Result<String, Diagnostic> {
        let _ = source;
        Err(Diagnostic::new("not yet implemented"))
    }

    /// The IR of the most recent trace of function `name` (REPL `:ir NAME`).
    pub fn ir_of_name(&mut self, name: &str) -> Result<String, Diagnostic> {
        let _ = name;
        Err(Diagnostic::new("not yet implemented"))
    }

    /// Renders a diagnostic against this session's sources.
    pub fn render(&self, diag: &Diagnostic) -> String {
        diag.render(&self.sources)
    }
}
