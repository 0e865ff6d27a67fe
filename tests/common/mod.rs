//! Helpers shared by the test binaries: the XLA backend when a plugin is
//! found, and comparison of printed outputs across backends.

#![allow(dead_code)]

use nest::backend::{Backend, Choice};
use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

/// A writer whose bytes the test can read back after the session is done.
#[derive(Clone, Default)]
pub struct Captured(pub Rc<RefCell<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The XLA backend, or `None` with a note when no plugin is found. With
/// `NEST_REQUIRE_XLA=1` a missing plugin fails the test instead.
pub fn xla() -> Option<Backend> {
    match nest::backend::open(Choice::Xla) {
        Ok((b, _)) => Some(b),
        Err(e) if std::env::var_os("NEST_REQUIRE_XLA").is_some_and(|v| v == "1") => {
            panic!("NEST_REQUIRE_XLA=1 but the XLA backend is unavailable: {e}")
        }
        Err(e) => {
            eprintln!("note: skipping the XLA half of this test: {e}");
            None
        }
    }
}

/// Relative and absolute tolerance for f32 results printed by the two backends.
/// XLA's f32 transcendental functions and reduction orders differ from the
/// interpreter's by a few ulp; printing rounds to at most 8 digits.
pub const RTOL: f64 = 1e-5;
pub const ATOL: f64 = 1e-6;

/// Splits printed output into tokens, so that NumPy's column padding
/// (which depends on the digits printed) does not matter.
fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || "[](),{}".contains(c))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Whether two printed outputs agree: equal tokens, numbers within tolerance.
/// Returns the first disagreement.
pub fn outputs_agree(a: &str, b: &str) -> Result<(), String> {
    let (ta, tb) = (tokens(a), tokens(b));
    if ta.len() != tb.len() {
        return Err(format!(
            "different numbers of tokens ({} vs {})",
            ta.len(),
            tb.len()
        ));
    }
    for (x, y) in ta.iter().zip(&tb) {
        if x == y {
            continue;
        }
        match (parse_number(x), parse_number(y)) {
            (Some(p), Some(q)) if (p - q).abs() <= ATOL + RTOL * q.abs() => {}
            (Some(p), Some(q)) if p.is_nan() && q.is_nan() => {}
            _ => return Err(format!("`{}` vs `{}`", x, y)),
        }
    }
    Ok(())
}

fn parse_number(t: &str) -> Option<f64> {
    let t = t.trim_end_matches(':');
    match t {
        "nan" => Some(f64::NAN),
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => t.trim_end_matches('j').parse::<f64>().ok(),
    }
}
