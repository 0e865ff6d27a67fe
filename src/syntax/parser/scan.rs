//! A small token scanner that runs before the grammar: it bounds nesting
//! depth (so that the recursive-descent parser cannot overflow the stack),
//! reports unterminated strings, and tracks open delimiters so that syntax
//! errors can point at an unclosed `(`. It also describes the token at an
//! error position ("found `let`").

use crate::diag::Diagnostic;
use crate::span::{FileId, Span};

/// The deepest nesting of brackets (plus chained `if` conditions) accepted.
pub(super) const MAX_NESTING: usize = 200;

const KEYWORDS: [&str; 13] = [
    "fn", "let", "var", "if", "else", "for", "in", "while", "return", "import", "as", "true",
    "false",
];

/// Multi-character punctuation, longest first.
const PUNCT: [&str; 17] = [
    "//=", "**", "==", "!=", "<=", ">=", "&&", "||", "->", "..", "+=", "-=", "*=", "/=", "//",
    "::", "=>",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokKind {
    Name,
    Keyword,
    Number,
    Str,
    Punct,
    Unknown,
    Eof,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Token<'s> {
    pub kind: TokKind,
    pub text: &'s str,
    pub start: usize,
    pub end: usize,
}

impl Token<'_> {
    /// How an error message names this token: "`let`", "end of input".
    pub fn describe(&self) -> String {
        match self.kind {
            TokKind::Eof => "end of input".to_string(),
            TokKind::Str => "a string".to_string(),
            _ => format!("`{}`", self.text),
        }
    }
}

/// Skips whitespace and comments from `i`.
fn skip_trivia(src: &str, mut i: usize) -> usize {
    let bytes = src.as_bytes();
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => i = src[i..].find('\n').map_or(src.len(), |n| i + n),
            _ => break,
        }
    }
    i
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The end of a string literal starting at `start` (the `"`), or `None` if
/// it is not closed on its line.
fn string_end(src: &str, start: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = start + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => return Some(i + 1),
            b'\n' => return None,
            b'\\' if bytes.get(i + 1).is_some_and(|&c| c != b'\n') => i += 2,
            _ => i += 1,
        }
    }
    None
}

fn number_end(src: &str, start: usize) -> usize {
    let bytes = src.as_bytes();
    let mut i = start;
    while bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        i += 1;
    }
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric()) {
            i += 1;
        }
    }
    i
}

/// The token that starts at `offset` (after any whitespace and comments).
pub(super) fn token_at(src: &str, offset: usize) -> Token<'_> {
    let start = skip_trivia(src, offset.min(src.len()));
    let rest = &src[start..];
    let bytes = rest.as_bytes();
    let Some(&first) = bytes.first() else {
        return Token {
            kind: TokKind::Eof,
            text: "",
            start,
            end: start,
        };
    };
    let (kind, len) = if first.is_ascii_alphabetic() || first == b'_' {
        let len = bytes.iter().take_while(|b| is_ident_byte(**b)).count();
        let kind = if KEYWORDS.contains(&&rest[..len]) {
            TokKind::Keyword
        } else {
            TokKind::Name
        };
        (kind, len)
    } else if first.is_ascii_digit()
        || (first == b'.' && bytes.get(1).is_some_and(u8::is_ascii_digit))
    {
        (TokKind::Number, number_end(src, start) - start)
    } else if first == b'"' {
        let end = string_end(src, start).unwrap_or(start + 1);
        (TokKind::Str, end - start)
    } else if let Some(p) = PUNCT.iter().find(|p| rest.starts_with(**p)) {
        (TokKind::Punct, p.len())
    } else if b"()[]{},;:.=!<>+-*/%@|&".contains(&first) {
        (TokKind::Punct, 1)
    } else {
        let len = rest.chars().next().map_or(1, char::len_utf8);
        (TokKind::Unknown, len)
    };
    Token {
        kind,
        text: &rest[..len],
        start,
        end: start + len,
    }
}

/// An opening delimiter and where it is.
#[derive(Clone, Copy, Debug)]
pub(super) struct Open {
    pub ch: char,
    pub at: usize,
}

pub(super) fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// Delimiters still open just before byte `upto`, outermost first.
/// Closers that match nothing are skipped.
pub(super) fn open_delims(src: &str, upto: usize) -> Vec<Open> {
    let mut stack = Vec::new();
    let mut i = 0;
    let bytes = src.as_bytes();
    while i < upto.min(src.len()) {
        i = skip_trivia(src, i);
        let Some(&b) = bytes.get(i) else { break };
        if i >= upto {
            break;
        }
        match b {
            b'"' => {
                i = string_end(src, i).unwrap_or(src.len());
                continue;
            }
            b'(' | b'[' | b'{' => stack.push(Open {
                ch: b as char,
                at: i,
            }),
            b')' | b']' | b'}' => {
                if let Some(pos) = stack.iter().rposition(|o| closer(o.ch) == b as char) {
                    stack.truncate(pos);
                }
            }
            _ => {}
        }
        i += src[i..].chars().next().map_or(1, char::len_utf8);
    }
    stack
}

/// Checks what the grammar cannot check cheaply: nesting depth and
/// unterminated strings.
pub(super) fn prescan(src: &str, file: FileId) -> Result<(), Diagnostic> {
    let bytes = src.as_bytes();
    let mut depth = 0usize;
    // `if` keywords whose condition has not reached its `{` yet: an `if` in
    // the condition of an `if` nests without brackets.
    let mut pending_ifs = 0usize;
    let mut i = skip_trivia(src, 0);
    while i < src.len() {
        let b = bytes.get(i).copied().unwrap_or(b' ');
        let mut next = i + src[i..].chars().next().map_or(1, char::len_utf8);
        match b {
            b'"' => {
                next = string_end(src, i).ok_or_else(|| unterminated(src, file, i))?;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if b == b'{' {
                    pending_ifs = 0;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ if b.is_ascii_alphabetic() || b == b'_' => {
                let len = bytes[i..].iter().take_while(|b| is_ident_byte(**b)).count();
                if &src[i..i + len] == "if" {
                    pending_ifs += 1;
                }
                next = i + len;
            }
            _ => {}
        }
        if depth + pending_ifs > MAX_NESTING {
            return Err(too_deep(file, i, next));
        }
        i = skip_trivia(src, next);
    }
    Ok(())
}

fn unterminated(src: &str, file: FileId, start: usize) -> Diagnostic {
    let end = src[start..].find('\n').map_or(src.len(), |n| start + n);
    Diagnostic::at(Span::new(file, start, end), "unterminated string")
        .with_hint("close the string with `\"` on the same line")
}

fn too_deep(file: FileId, start: usize, end: usize) -> Diagnostic {
    Diagnostic::at(
        Span::new(file, start, end),
        format!("nesting is too deep (more than {MAX_NESTING} levels)"),
    )
    .with_hint("split the expression with `let` bindings or helper functions")
}
