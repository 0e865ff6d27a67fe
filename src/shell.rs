//! What the command line and the REPL share, below both: reporting a
//! diagnostic after the program's output.

use nest::{Diagnostic, Session};
use std::io::{self, Write};

/// Renders a diagnostic to stderr, after whatever the program printed.
pub fn report(session: &Session, diag: &Diagnostic) {
    let _ = io::stdout().flush();
    let _ = io::stderr().write_all(session.render(diag).as_bytes());
}
