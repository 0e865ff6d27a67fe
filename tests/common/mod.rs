//! Helpers shared by the test binaries: the XLA backend when a plugin is
//! found, and comparison of printed outputs across backends.

#![allow(dead_code)]

use nest::backend::{Backend, Choice};
use nest::tensor::{Data, Tensor, C128};
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

/// Runs the script at `path` on `backend`: what it printed, or the
/// rendered error (after what it printed).
pub fn run_script(path: &std::path::Path, backend: Backend) -> Result<String, String> {
    let out = Captured::default();
    let mut session = nest::Session::new(Box::new(out.clone()));
    session.set_backend(backend);
    let r = session.run_file(path).map_err(|d| session.render(&d));
    drop(session);
    let text = String::from_utf8_lossy(&out.0.borrow()).into_owned();
    r.map(|()| text)
}

/// The CPU plugin's path, or `None` with a note when it is not installed;
/// with `NEST_REQUIRE_XLA=1` a missing plugin fails the test instead.
pub fn cpu_plugin() -> Option<std::path::PathBuf> {
    use nest::backend::plugin::{self, Kind};
    let found = plugin::find(Kind::Cpu);
    if found.is_none() {
        let required = std::env::var("NEST_REQUIRE_XLA").is_ok_and(|v| v == "1");
        let why = plugin::not_found_message(Kind::Cpu);
        assert!(!required, "NEST_REQUIRE_XLA=1: {why}");
        eprintln!("note: skipping the XLA half of this test: {why}");
    }
    found
}

/// The XLA backend, or `None` with a note when no plugin is found. With
/// `NEST_REQUIRE_XLA=1` a missing plugin fails the test instead. The CPU
/// plugin makes four devices (unless `NEST_DEVICES` says otherwise), so
/// that the primitive samples constrained to a four-device mesh run
/// partitioned in the rule checks; everything else runs on the first.
pub fn xla() -> Option<Backend> {
    static DEVICES: std::sync::Once = std::sync::Once::new();
    DEVICES.call_once(|| {
        // Read once, when the plugin's client is made.
        if std::env::var_os(nest::backend::loader::DEVICES_ENV).is_none() {
            std::env::set_var(nest::backend::loader::DEVICES_ENV, "4");
        }
    });
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
        Backend::Interp => Ok(nest::interp::run_graph(graph, inputs)?),
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

/// A deterministic value in [-1, 1].
fn uniform(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    ((*seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
}

/// Deterministic values in [-1, 1] of `t`'s shape: f64, or c128 (both
/// parts in [-1, 1]) when `t` is complex.
pub fn random_like(t: &Tensor, seed: &mut u64) -> Tensor {
    let n = t.size();
    let data = match t.dtype().is_complex() {
        true => Data::C128(
            (0..n)
                .map(|_| C128::new(uniform(seed), uniform(seed)))
                .collect(),
        ),
        false => Data::F64((0..n).map(|_| uniform(seed)).collect()),
    };
    Tensor::new(t.shape().to_vec(), data).expect("same size")
}

/// `t` with every non-finite f64 or c128 element replaced by a value in
/// [0.5, 1.5]: the samples hold infinities and NaNs for the lowering tests,
/// where derivatives are not defined.
pub fn finite(t: &Tensor, seed: &mut u64) -> Tensor {
    let mut fix = |x: f64| {
        if x.is_finite() {
            x
        } else {
            1.0 + 0.5 * uniform(seed)
        }
    };
    let data = match t.dtype() {
        nest::types::DType::F64 => Data::F64(t.to_f64_vec().into_iter().map(&mut fix).collect()),
        nest::types::DType::C128 => Data::C128(
            (t.to_c64_vec().into_iter())
                .map(|(re, im)| {
                    let ok = re.is_finite() && im.is_finite();
                    C128::new(if ok { re } else { fix(re) }, if ok { im } else { fix(im) })
                })
                .collect(),
        ),
        _ => return t.clone(),
    };
    Tensor::new(t.shape().to_vec(), data).expect("same size")
}

/// The pairing `Re Σ a·b` (no conjugate) under which nest, like JAX,
/// transposes: for real tensors the usual dot product.
pub fn dot(a: &Tensor, b: &Tensor) -> f64 {
    (a.to_c64_vec().iter().zip(b.to_c64_vec()))
        .map(|((ar, ai), (br, bi))| ar * br - ai * bi)
        .sum()
}

/// `s·t`, in f64 or c128.
pub fn scaled(t: &Tensor, s: f64) -> Tensor {
    axpy(&Tensor::zeros(&t.ty()), s, t)
}

/// `x + a·t` in f64, or in c128 when either is complex.
pub fn axpy(x: &Tensor, a: f64, t: &Tensor) -> Tensor {
    let complex = x.dtype().is_complex() || t.dtype().is_complex();
    let pairs = (x.to_c64_vec().into_iter())
        .zip(t.to_c64_vec())
        .map(|((xr, xi), (tr, ti))| (xr + a * tr, xi + a * ti));
    let data = match complex {
        true => Data::C128(pairs.map(|(re, im)| C128::new(re, im)).collect()),
        false => Data::F64(pairs.map(|(re, _)| re).collect()),
    };
    Tensor::new(x.shape().to_vec(), data).expect("same size")
}

/// The script's text with every `let NAME = N;  # size (tiny: T)` line set
/// to its tiny value `T`; an error names a size line without one.
pub fn tiny(text: &str, file: &std::path::Path) -> Result<String, String> {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if let Some((decl, comment)) = line.split_once("# size") {
            let value = comment
                .trim()
                .strip_prefix("(tiny:")
                .and_then(|c| c.strip_suffix(')'))
                .map(str::trim)
                .filter(|v| v.parse::<u64>().is_ok())
                .ok_or_else(|| {
                    format!(
                        "{}:{}: a size line needs `# size (tiny: N)`",
                        file.display(),
                        i + 1
                    )
                })?;
            let name = decl
                .trim()
                .strip_prefix("let ")
                .and_then(|d| d.split_once('='))
                .map(|(n, _)| n.trim())
                .ok_or_else(|| {
                    format!(
                        "{}:{}: a size line is `let NAME = N;`",
                        file.display(),
                        i + 1
                    )
                })?;
            out.push_str(&format!("let {name} = {value};\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// The number after `label` on a line of its own in a script's output.
pub fn number(output: &str, label: &str) -> Option<f64> {
    output.lines().find_map(|l| {
        let (head, value) = l.split_once(' ')?;
        (head == label).then(|| value.trim().parse().ok())?
    })
}
