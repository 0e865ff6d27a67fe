//! Errors a user can cause, as data with spans, and the one place they are rendered.
//!
//! Internal invariant failures (a bug in nest, never the user's input) are
//! [`Diagnostic`]s too, built with [`Diagnostic::internal`], so that they still
//! reach the user as a message rather than a panic.

use crate::span::{SourceMap, Span};
use std::fmt::Write as _;

/// One error, with the span it is about and an optional hint.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub message: String,
    pub span: Option<Span>,
    pub hint: Option<String>,
    /// Extra lines, e.g. "while tracing `f` called here".
    pub notes: Vec<(String, Option<Span>)>,
    pub internal: bool,
}

/// How an internal error's message starts (`PrimError::Internal` writes it
/// too): the one mark by which [`Diagnostic::new`] knows an internal error
/// that reached it as text.
const INTERNAL: &str = "internal error: ";

/// The result type of everything that can fail on user input.
pub type Result<T, E = Diagnostic> = std::result::Result<T, E>;

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Diagnostic {
        let message = message.into();
        // An internal error that crossed code still passing errors as text
        // (a typed `PrimError::Internal` turned into its message) is still
        // a bug, and is reported as one.
        if let Some(rest) = message.strip_prefix(INTERNAL) {
            return Diagnostic::internal(rest);
        }
        Diagnostic {
            message,
            span: None,
            hint: None,
            notes: vec![],
            internal: false,
        }
    }

    pub fn at(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(message).with_span(span)
    }

    /// A broken invariant inside nest: reported, never panicked on.
    pub fn internal(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: format!("{INTERNAL}{}", message.into()),
            span: None,
            hint: Some(
                "this is a bug in nest; please report it with the program that triggers it".into(),
            ),
            notes: vec![],
            internal: true,
        }
    }

    pub fn with_span(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    /// Attach a span only if the error has none yet (errors from deep inside
    /// a builtin get the span of the call that reached them).
    pub fn or_span(mut self, span: Span) -> Diagnostic {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>, span: Option<Span>) -> Diagnostic {
        self.notes.push((note.into(), span));
        self
    }

    /// Render as `file:line:col: error: message`, the source line, a caret
    /// under the span, and the hint.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        match self.span.and_then(|s| sources.get(s.file).map(|f| (s, f))) {
            Some((span, file)) => {
                let (line, col) = sources.line_col(span.file, span.start);
                let _ = writeln!(
                    out,
                    "{}:{}:{}: error: {}",
                    file.name, line, col, self.message
                );
                render_snippet(&mut out, sources, span, line, col);
            }
            None => {
                let _ = writeln!(out, "error: {}", self.message);
            }
        }
        for (note, span) in &self.notes {
            match span.and_then(|s| sources.get(s.file).map(|f| (s, f))) {
                Some((s, f)) => {
                    let (line, col) = sources.line_col(s.file, s.start);
                    let _ = writeln!(out, "  = note: {} ({}:{}:{})", note, f.name, line, col);
                }
                None => {
                    let _ = writeln!(out, "  = note: {}", note);
                }
            }
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  = hint: {}", hint);
        }
        out
    }
}

fn render_snippet(out: &mut String, sources: &SourceMap, span: Span, line: usize, col: usize) {
    let text = sources.line_text(span.file, line);
    let gutter = line.to_string().len();
    let (end_line, end_col) = sources.line_col(span.file, span.end);
    let width = if end_line == line {
        end_col.saturating_sub(col).max(1)
    } else {
        text.chars().count().saturating_sub(col - 1).max(1)
    };
    let _ = writeln!(out, "{:gutter$} |", "");
    let _ = writeln!(out, "{} | {}", line, text);
    let _ = writeln!(
        out,
        "{:gutter$} | {}{}",
        "",
        " ".repeat(col - 1),
        "^".repeat(width)
    );
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}
