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

/// The backends a table-driven check runs on: the interpreter, and XLA
/// when a plugin is found (see [`xla`]).
pub fn backends() -> Vec<Backend> {
    std::iter::once(Backend::Interp).chain(xla()).collect()
}

/// Runs a graph on a backend, with its results on the host.
pub fn run_on(
    backend: &Backend,
    graph: &nest::ir::Graph,
    inputs: &[nest::tensor::Tensor],
) -> Result<Vec<nest::tensor::Tensor>, String> {
    match backend {
        Backend::Interp => nest::interp::run_graph(graph, inputs),
        Backend::Xla(x) => {
            let args: Vec<nest::backend::xla::Input> =
                inputs.iter().map(nest::backend::xla::Input::Host).collect();
            x.run("check", graph, &args)?
                .iter()
                .map(|d| d.to_host())
                .collect()
        }
    }
}

/// Deterministic f64 values in [-1, 1] of `t`'s shape.
pub fn random_like(t: &nest::tensor::Tensor, seed: &mut u64) -> nest::tensor::Tensor {
    let v: Vec<f64> = (0..t.size())
        .map(|_| {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((*seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect();
    nest::tensor::Tensor::new(t.shape().to_vec(), nest::tensor::Data::F64(v)).expect("same size")
}

/// `t` with every non-finite f64 element replaced by a value in [0.5, 1.5]:
/// the samples hold infinities and NaNs for the lowering tests, where
/// derivatives are not defined.
pub fn finite(t: &nest::tensor::Tensor, seed: &mut u64) -> nest::tensor::Tensor {
    if t.dtype() != nest::types::DType::F64 {
        return t.clone();
    }
    let noise = random_like(t, seed).to_f64_vec();
    let v: Vec<f64> = (t.to_f64_vec().iter().zip(noise))
        .map(|(x, n)| if x.is_finite() { *x } else { 1.0 + 0.5 * n })
        .collect();
    nest::tensor::Tensor::new(t.shape().to_vec(), nest::tensor::Data::F64(v)).expect("same size")
}

/// `Σ a·b` over two f64 tensors of equal size.
pub fn dot(a: &nest::tensor::Tensor, b: &nest::tensor::Tensor) -> f64 {
    (a.to_f64_vec().iter().zip(b.to_f64_vec()))
        .map(|(x, y)| x * y)
        .sum()
}
