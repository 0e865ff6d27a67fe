//! The table-driven check of every JVP rule: for every sample of every
//! primitive (`nest::prims::samples`, widened to f64 and c128), the JVP
//! graph verifies and its tangent, run on each backend, equals central
//! finite differences (computed by the interpreter) along a random
//! direction, complex for complex inputs. A primitive added to the table is
//! covered without a new test.

mod common;

use common::{axpy, backends, finite, random_like, run_on};
use nest::backend::Backend;
use nest::interp::run_graph;
use nest::ir::{verify::verify, Graph};
use nest::prims::samples::{samples, Sample};
use nest::tensor::{Data, Tensor, C128};
use nest::transform::evaluable::evaluable;
use nest::transform::jvp::{jvp_graph, Jvp};
use nest::types::DType;
use std::collections::BTreeMap;

/// A tangent scaled by `max(1, |x|)`, so that a step changes even large
/// values by more than their rounding (complex for a complex `x`).
fn scaled_tangent(x: &Tensor, seed: &mut u64) -> Tensor {
    let t = random_like(x, seed);
    let scale = (x.to_c64_vec().into_iter()).map(|(re, im)| re.hypot(im).max(1.0));
    let v = (t.to_c64_vec().into_iter()).zip(scale);
    let data = match t.dtype().is_complex() {
        true => Data::C128(v.map(|((re, im), s)| C128::new(re * s, im * s)).collect()),
        false => Data::F64(v.map(|((re, _), s)| re * s).collect()),
    };
    Tensor::new(x.shape().to_vec(), data).expect("same size")
}

/// Whether a value is differentiated: the double-precision inexact dtypes.
fn double(d: DType) -> bool {
    matches!(d, DType::F64 | DType::C128)
}

/// Central differences of the f64 outputs along the tangents.
/// The elements as f64, a complex element as its two parts `re, im`.
fn parts(t: &Tensor) -> Vec<f64> {
    match t.dtype().is_complex() {
        true => t
            .to_c64_vec()
            .into_iter()
            .flat_map(|(re, im)| [re, im])
            .collect(),
        false => t.to_f64_vec(),
    }
}

fn finite_difference(
    g: &Graph,
    x: &[Tensor],
    t: &[Option<Tensor>],
    eps: f64,
) -> Option<Vec<Vec<f64>>> {
    let shift = |a: f64| -> Vec<Tensor> {
        x.iter()
            .zip(t)
            .map(|(x, t)| t.as_ref().map_or_else(|| x.clone(), |t| axpy(x, a, t)))
            .collect()
    };
    let plus = run_graph(g, &shift(eps)).ok()?;
    let minus = run_graph(g, &shift(-eps)).ok()?;
    Some(
        plus.iter()
            .zip(&minus)
            .map(|(p, m)| {
                parts(p)
                    .iter()
                    .zip(parts(m))
                    .map(|(p, m)| (p - m) / (2.0 * eps))
                    .collect()
            })
            .collect(),
    )
}

enum Outcome {
    Checked,
    /// The sample sits where the function is not smooth, or has no f64 output.
    Skipped,
}

fn check(backend: &Backend, s: &Sample, seed: &mut u64) -> Result<Outcome, String> {
    if !s.inputs.iter().any(|t| double(t.dtype())) {
        return Ok(Outcome::Skipped);
    }
    let Ok(g) = s.graph() else {
        return Ok(Outcome::Skipped);
    };
    // Infinities and NaNs are there for the lowering tests; derivatives at
    // them are not defined, so they are replaced by ordinary values.
    let inputs: Vec<Tensor> = s.inputs.iter().map(|t| finite(t, seed)).collect();
    let s = &Sample {
        prim: s.prim.clone(),
        inputs,
        note: s.note,
    };
    let nonzero: Vec<bool> = s.inputs.iter().map(|t| double(t.dtype())).collect();
    let jvp = match jvp_graph(&g, &nonzero) {
        // The tangent map of a custom_vjp refuses forward mode, as documented.
        Err(e)
            if REVERSE_ONLY.contains(&s.prim.name())
                && !e.is_internal()
                && e.to_string().contains("reverse-mode") =>
        {
            return Ok(Outcome::Checked)
        }
        r => r.map_err(|e| format!("no JVP: {e}"))?,
    };
    // The JVP of a custom_vjp holds its tangent map, run as `bwd` transposed.
    let jvp = Jvp {
        graph: evaluable(&jvp.graph)?,
        out_nonzero: jvp.out_nonzero,
    };
    if ZERO_BY_DEFINITION.contains(&s.prim.name()) {
        return match jvp.out_nonzero.iter().any(|&nz| nz) {
            true => Err("a tangent where the derivative is zero by definition".into()),
            false => Ok(Outcome::Checked),
        };
    }
    verify(&jvp.graph).map_err(|e| format!("JVP graph does not verify: {e}"))?;
    let tangents: Vec<Option<Tensor>> = s
        .inputs
        .iter()
        .zip(&nonzero)
        .map(|(x, nz)| nz.then(|| scaled_tangent(x, seed)))
        .collect();
    let mut args = s.inputs.clone();
    args.extend(tangents.iter().flatten().cloned());
    let outs =
        run_on(backend, &jvp.graph, &args).map_err(|e| format!("JVP graph fails to run: {e}"))?;
    if EFFECT_ONLY.contains(&s.prim.name()) {
        // No outputs, so no tangents: the JVP prints the primal values, as
        // the primitive alone does (their staged buffers are the outputs).
        let printed = run_on(backend, &evaluable(&g)?, &s.inputs)?;
        return match outs == printed && !printed.is_empty() {
            true => Ok(Outcome::Checked),
            false => Err("the JVP does not print the primal values".into()),
        };
    }
    let n = g.outputs.len();
    let mut it = outs[n..].iter();
    let mut checked_elements = 0;
    for (i, o) in g.outputs.iter().enumerate() {
        let jt = if jvp.out_nonzero[i] {
            it.next().map(parts)
        } else {
            None
        };
        // f64 outputs (and c128 ones, of `complex`) compare tightly; f32
        // outputs (a conversion) with steps and a tolerance that f32 rounding
        // allows: each output of a difference is rounded by up to half an f32
        // spacing, `|y| ε / 2`, so the difference quotient by `|y| ε / (2h)`.
        let (h1, h2, tol, eps) = match o.ty().dtype {
            DType::F64 | DType::C128 => (1e-6, 1e-4, 1e-6, 0.0),
            DType::F32 => (1e-3, 1e-2, 1e-3, f64::from(f32::EPSILON)),
            _ => continue,
        };
        let (Some(fd1), Some(fd2)) = (
            finite_difference(&g, &s.inputs, &tangents, h1),
            finite_difference(&g, &s.inputs, &tangents, h2),
        ) else {
            continue;
        };
        let jt = jt.unwrap_or_else(|| vec![0.0; fd1[i].len()]);
        let primal = parts(&outs[i]);
        for (k, ((a, b), c)) in jt.iter().zip(&fd1[i]).zip(&fd2[i]).enumerate() {
            let scale = 1.0f64.max(b.abs());
            // A non-finite value (0/0, x % 0) is a singular point: no derivative to check.
            if !primal[k].is_finite() {
                continue;
            }
            // Skip points where the function is not smooth (the two steps
            // disagree) or not finite.
            if !b.is_finite() || !c.is_finite() || (b - c).abs() > 1e3 * tol * scale {
                continue;
            }
            let rounding = primal[k].abs() * eps / (2.0 * h1);
            if (a - b).abs() > tol * scale + rounding || !a.is_finite() {
                return Err(format!(
                    "output {i}[{k}]: JVP {a} vs finite differences {b}"
                ));
            }
            checked_elements += 1;
        }
    }
    Ok(if checked_elements > 0 {
        Outcome::Checked
    } else {
        Outcome::Skipped
    })
}

#[test]
fn every_jvp_rule_matches_finite_differences() {
    for backend in backends() {
        check_all(&backend);
    }
}

fn check_all(backend: &Backend) {
    let mut seed = 42;
    let mut checked: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut with_f64: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = vec![];
    for s in samples() {
        let s = s.widened();
        let name = s.prim.name();
        // Widening may change the types of some.
        if s.graph().is_err() {
            continue;
        }
        if s.inputs.iter().any(|t| double(t.dtype())) {
            *with_f64.entry(name).or_default() += 1;
        }
        match check(backend, &s, &mut seed) {
            Ok(Outcome::Checked) => *checked.entry(name).or_default() += 1,
            Ok(Outcome::Skipped) => {}
            Err(e) => failures.push(format!("{} ({}): {}", name, s.note, e)),
        }
    }
    // Every primitive with f64 samples and a float output must be checked at least once.
    let unchecked: Vec<&str> = with_f64
        .keys()
        .filter(|n| !checked.contains_key(*n) && !NON_DIFFERENTIABLE.contains(n))
        .copied()
        .collect();
    assert!(
        failures.is_empty(),
        "{} JVP failures on {}:\n{}",
        failures.len(),
        backend.name(),
        failures.join("\n")
    );
    assert!(
        unchecked.is_empty(),
        "primitives whose JVP no sample checked on {}: {unchecked:?}",
        backend.name()
    );
}

/// Primitives whose outputs have no derivative (integer, bool or bit results).
const NON_DIFFERENTIABLE: &[&str] = &[
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "argmax",
    "argmin",
    "bitcast_convert",
    "iota",
    "threefry2x32",
    "not",
    "and",
    "or",
    "xor",
    "shift_left",
    "shift_right_logical",
    "reduce_and",
    "reduce_or",
];

/// Primitives kept for their effect, without outputs (`print`).
const EFFECT_ONLY: &[&str] = &["print"];

/// Primitives that have a reverse-mode derivative only: their JVP is an error.
const REVERSE_ONLY: &[&str] = &["custom_vjp_lin"];

/// Primitives whose derivative is zero by definition, whatever finite
/// differences say.
const ZERO_BY_DEFINITION: &[&str] = &["stop_gradient"];
