//! Syntax error messages: "expected `;`, found `let`", pointing at the
//! offending token, with a hint where a common mistake is likely.

use super::scan::{self, TokKind, Token};
use crate::diag::Diagnostic;
use crate::span::{FileId, Span};

/// What the grammar wanted at an error position, by human name.
pub(super) const A_NAME: &str = "a name";
pub(super) const A_PATTERN: &str = "a pattern";
pub(super) const A_PARAMETER: &str = "a parameter";
pub(super) const A_STATEMENT: &str = "a statement";
pub(super) const END_OF_INPUT: &str = "end of input";
pub(super) const SEMI: &str = "`;`";

/// Operators that cannot start an expression.
const BINARY_ONLY: [&str; 15] = [
    "*", "/", "//", "%", "@", "**", "+", "==", "!=", "<", "<=", ">", ">=", "&&", "||",
];

/// The error for a parse that stopped at byte `offset`, where one of
/// `expected` (human names, in order) was wanted.
pub(super) fn expected_error(
    src: &str,
    file: FileId,
    offset: usize,
    expected: &[&'static str],
) -> Diagnostic {
    let tok = scan::token_at(src, offset);
    let span = Span::new(file, tok.start, tok.end);
    if tok.kind == TokKind::Unknown {
        return Diagnostic::at(span, format!("unexpected character {}", tok.describe()))
            .with_hint("nest source uses ASCII names, numbers, strings and operators");
    }
    if let Some(d) = delimiter_error(src, file, &tok, expected) {
        return d;
    }
    let message = format!("expected {}, found {}", join(expected), tok.describe());
    let mut diag = Diagnostic::at(span, message);
    if let Some(open) = unclosed_before(src, tok.start, expected) {
        diag = diag.with_note(
            format!("unclosed `{}` opened here", open.ch),
            Some(Span::new(file, open.at, open.at + 1)),
        );
    }
    match hint(src, &tok, expected) {
        Some(h) => diag.with_hint(h),
        None => diag,
    }
}

/// "`,` or `)`", "a statement, `fn` or end of input".
fn join(names: &[&str]) -> String {
    match names {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// A closer with no opener, or the input ending inside a delimiter.
fn delimiter_error(
    src: &str,
    file: FileId,
    tok: &Token,
    expected: &[&'static str],
) -> Option<Diagnostic> {
    let open = scan::open_delims(src, tok.start);
    if tok.kind == TokKind::Eof {
        let innermost = open.last()?;
        let at = Span::new(file, innermost.at, innermost.at + 1);
        let eof = Span::new(file, tok.start, tok.end);
        return Some(
            Diagnostic::at(at, format!("unclosed `{}`", innermost.ch))
                .with_note(
                    format!("the input ends here, where {} was expected", join(expected)),
                    Some(eof),
                )
                .with_hint(format!("add the matching `{}`", scan::closer(innermost.ch))),
        );
    }
    let ch = tok.text.chars().next()?;
    if tok.text.len() != 1 || !matches!(ch, ')' | ']' | '}') {
        return None;
    }
    if open.iter().any(|o| scan::closer(o.ch) == ch) {
        return None;
    }
    let span = Span::new(file, tok.start, tok.end);
    let mut d = Diagnostic::at(span, format!("unmatched `{ch}`"));
    d = match open.last() {
        Some(o) => d.with_note(
            format!(
                "the innermost open delimiter is this `{}`, closed by `{}`",
                o.ch,
                scan::closer(o.ch)
            ),
            Some(Span::new(file, o.at, o.at + 1)),
        ),
        None => d.with_hint(format!("no delimiter is open here; remove the `{ch}`")),
    };
    Some(d)
}

/// The innermost delimiter open at `offset`, if the parser wanted its closer.
fn unclosed_before(src: &str, offset: usize, expected: &[&str]) -> Option<scan::Open> {
    let open = *scan::open_delims(src, offset).last()?;
    let closer = format!("`{}`", scan::closer(open.ch));
    expected.contains(&closer.as_str()).then_some(open)
}

fn hint(src: &str, tok: &Token, expected: &[&str]) -> Option<String> {
    let wants = |name: &str| expected.contains(&name);
    if tok.text == "=" && wants("`{`") {
        return Some("use `==` to compare values".into());
    }
    if tok.text == "=" && wants(SEMI) {
        return Some(
            "only a plain name can be assigned, as in `x = value;` (fields and elements \
             cannot); use `==` to compare"
                .into(),
        );
    }
    if tok.text == "fn" && wants(A_STATEMENT) && !wants(END_OF_INPUT) {
        return Some(
            "functions are defined at top level; inside a block, bind a lambda: \
             `let f = |x| x * 2;`"
                .into(),
        );
    }
    if tok.kind == TokKind::Keyword && (wants(A_NAME) || wants(A_PATTERN) || wants(A_PARAMETER)) {
        return Some(format!(
            "`{}` is a keyword and cannot be used as a name",
            tok.text
        ));
    }
    if tok.text == "//" && wants(A_STATEMENT) {
        return Some("comments start with `#`; `//` is floor division".into());
    }
    if tok.text == ".." && !wants("`..`") {
        return Some("ranges `a..b` are only allowed in `for` loops".into());
    }
    if BINARY_ONLY.contains(&tok.text) && src[..tok.start].trim_end().ends_with('}') {
        return Some(
            "an `if` or a block at the start of a statement ends at its `}`; wrap it in \
             parentheses to use its value as an operand"
                .into(),
        );
    }
    if wants(SEMI) {
        return Some("end the statement with `;`".into());
    }
    None
}
