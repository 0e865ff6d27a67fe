//! The table-driven check of every batching rule: for every sample of every
//! primitive (`nest::prims::samples`), a batch of `B` perturbed copies of its
//! inputs runs through the batched graph (`vmap_graph`) and must equal the
//! unbatched graph run once per example. Each sample is checked with all
//! its inputs batched and with each input batched alone (the others shared
//! by the batch), on the interpreter and on XLA. A primitive added to the
//! table is covered without a new test, and a variant with no checked
//! sample fails the test.
//!
//! Results must match exactly for integer, bool and `u32` dtypes; floats
//! within `1e-5` (`f32`, `c64`) or `1e-12` (`f64`) relative to the largest
//! magnitude of the expected result, since XLA may order a batched `f32`
//! reduction differently. The XLA half needs the CPU plugin: without one it
//! prints a note and passes, unless `NEST_REQUIRE_XLA=1`.

mod common;

use nest::backend::xla::Input;
use nest::backend::Backend;
use nest::interp::run_graph;
use nest::ir::{verify::verify, Graph};
use nest::prims::samples::{samples, variant_name, Sample, VARIANT_NAMES};
use nest::prims::DotGeneral;
use nest::tensor::{Data, Tensor, C128, C64};
use nest::transform::evaluable::evaluable;
use nest::transform::vmap::vmap_graph;
use nest::types::DType;
use std::collections::BTreeSet;

/// The batch size.
const B: usize = 3;

// ---------------------------------------------------------------- batches

/// Example `k` of the batch built from a sample input: the input itself for
/// `k = 0`, otherwise a perturbation that keeps it valid. `scale_only` keeps
/// a structure that a positive factor preserves (positive definite matrices,
/// dominant diagonals); other floats also get an offset that differs per
/// element. Integers shift (wrapping), which keeps indices valid since
/// start indices are clamped and a cond index out of range runs the last
/// branch; bools flip here and there.
fn example(t: &Tensor, k: usize, scale_only: bool) -> Tensor {
    if k == 0 {
        return t.clone();
    }
    let kf = k as f64;
    let float = |i: usize, x: f64| {
        let offset = if scale_only {
            0.0
        } else {
            0.25 * kf * (((i * 7 + k) % 5) as f64 - 2.0)
        };
        x * (1.0 + 0.25 * kf) + offset
    };
    let shift = |i: usize| (k * (1 + i % 2)) as i64;
    let data = match t.data() {
        Data::Bool(v) => Data::Bool(
            (v.iter().enumerate())
                .map(|(i, &b)| b ^ (i + k).is_multiple_of(3))
                .collect(),
        ),
        Data::I32(v) => Data::I32(
            (v.iter().enumerate())
                .map(|(i, &x)| x.wrapping_add(shift(i) as i32))
                .collect(),
        ),
        Data::I64(v) => Data::I64(
            (v.iter().enumerate())
                .map(|(i, &x)| x.wrapping_add(shift(i)))
                .collect(),
        ),
        Data::U32(v) => Data::U32(
            (v.iter().enumerate())
                .map(|(i, &x)| x.wrapping_add(shift(i) as u32))
                .collect(),
        ),
        Data::F32(v) => Data::F32(
            (v.iter().enumerate())
                .map(|(i, &x)| float(i, x as f64) as f32)
                .collect(),
        ),
        Data::F64(v) => Data::F64(v.iter().enumerate().map(|(i, &x)| float(i, x)).collect()),
        Data::C64(v) => Data::C64(
            (v.iter().enumerate())
                .map(|(i, z)| {
                    let re = float(i, z.re as f64) as f32;
                    C64::new(re, z.im * (1.0 + 0.5 * kf as f32))
                })
                .collect(),
        ),
        Data::C128(v) => Data::C128(
            (v.iter().enumerate())
                .map(|(i, z)| C128::new(float(i, z.re), z.im * (1.0 + 0.5 * kf)))
                .collect(),
        ),
    };
    Tensor::new(t.shape().to_vec(), data).expect("same size")
}

/// Whether input `i` of a sample must keep its structure when perturbed.
fn scale_only(s: &Sample, i: usize) -> bool {
    matches!(
        (variant_name(&s.prim), i),
        ("cholesky", 0) | ("triangular_solve", 0)
    )
}

/// `[t₀, t₁, ..]` stacked along a new leading axis.
fn stack(ts: &[Tensor]) -> Tensor {
    let first = &ts[0];
    let mut shape = vec![ts.len()];
    shape.extend(first.shape());
    let bytes: Vec<u8> = ts.iter().flat_map(Tensor::to_le_bytes).collect();
    Tensor::from_le_bytes(first.dtype(), &shape, &bytes).expect("equal types")
}

/// `t[k]`.
fn row(t: &Tensor, k: usize) -> Tensor {
    let shape = &t.shape()[1..];
    let n = shape.iter().product::<usize>() * t.dtype().size();
    let bytes = t.to_le_bytes();
    Tensor::from_le_bytes(t.dtype(), shape, &bytes[k * n..(k + 1) * n]).expect("in range")
}

// ---------------------------------------------------------------- comparing

fn tolerance(d: DType) -> Option<f64> {
    match d {
        DType::F32 | DType::C64 => Some(1e-5),
        DType::F64 | DType::C128 => Some(1e-12),
        DType::Bool | DType::I32 | DType::I64 | DType::U32 => None,
    }
}

/// Checks `got` against `want`: same type; equal elements, or for floats
/// within the tolerance scaled by the largest finite magnitude of `want`
/// (NaN matches NaN, infinities match exactly).
fn compare(got: &Tensor, want: &Tensor) -> Result<(), String> {
    if got.ty() != want.ty() {
        return Err(format!("type {} instead of {}", got.ty(), want.ty()));
    }
    let Some(tol) = tolerance(want.dtype()) else {
        return match got.data() == want.data() {
            true => Ok(()),
            false => Err(format!("{:?} instead of {:?}", got.data(), want.data())),
        };
    };
    let (g, w) = (got.to_c64_vec(), want.to_c64_vec());
    let finite = w.iter().flat_map(|&(re, im)| [re, im]);
    let scale = finite
        .filter(|x| x.is_finite())
        .fold(0.0, |m, x| x.abs().max(m));
    let close = |a: f64, b: f64| {
        (a.is_nan() && b.is_nan())
            || a == b
            || (a.is_finite() && b.is_finite() && (a - b).abs() <= tol * (b.abs() + scale))
    };
    match (g.iter().zip(&w)).position(|(a, b)| !(close(a.0, b.0) && close(a.1, b.1))) {
        None => Ok(()),
        Some(i) => Err(format!("element {i}: {:?} instead of {:?}", g[i], w[i])),
    }
}

// ---------------------------------------------------------------- running

/// Runs graphs on one backend.
trait Runner {
    fn run(&self, g: &Graph, inputs: &[Tensor]) -> Result<Vec<Tensor>, String>;
}

struct Interp;

impl Runner for Interp {
    fn run(&self, g: &Graph, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
        Ok(run_graph(g, inputs)?)
    }
}

struct Xla(std::sync::Arc<nest::backend::xla::Xla>);

impl Runner for Xla {
    fn run(&self, g: &Graph, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
        let args: Vec<Input> = inputs.iter().map(Input::Host).collect();
        let outs = self.0.run("vmap_check", g, &args)?;
        outs.iter().map(|d| d.to_host()).collect()
    }
}

/// The batching patterns checked for a sample: all inputs batched, then
/// each input batched alone. A sample without inputs is checked with
/// none batched (the batched graph must copy it unchanged).
fn patterns(n: usize) -> Vec<Vec<bool>> {
    let mut out = vec![vec![true; n]];
    if n > 1 {
        out.extend((0..n).map(|i| (0..n).map(|j| j == i).collect()));
    }
    if n == 0 {
        out = vec![vec![]];
    }
    out
}

/// Checks one sample with one pattern on one backend.
fn check(r: &dyn Runner, s: &Sample, g: &Graph, pattern: &[bool]) -> Result<(), String> {
    let batched = vmap_graph(g, pattern, B).map_err(|e| format!("no batching: {e}"))?;
    verify(&batched.graph).map_err(|e| format!("batched graph does not verify: {e}"))?;
    let examples: Vec<Vec<Tensor>> = (0..B)
        .map(|k| {
            let inputs = s.inputs.iter().enumerate();
            inputs
                .map(|(i, t)| match pattern[i] {
                    true => example(t, k, scale_only(s, i)),
                    false => t.clone(),
                })
                .collect()
        })
        .collect();
    let args: Vec<Tensor> = (0..s.inputs.len())
        .map(|i| match pattern[i] {
            true => stack(&examples.iter().map(|e| e[i].clone()).collect::<Vec<_>>()),
            false => s.inputs[i].clone(),
        })
        .collect();
    let prints = g.outputs.is_empty() && g.has_effects();
    // A custom_vjp's tangent map runs as its `bwd` transposed.
    let (g, batched_graph) = (&evaluable(g)?, evaluable(&batched.graph)?);
    let got = r
        .run(&batched_graph, &args)
        .map_err(|e| format!("batched graph fails: {e}"))?;
    for (k, ex) in examples.iter().enumerate() {
        let want = r
            .run(g, ex)
            .map_err(|e| format!("example {k} fails: {e}"))?;
        for (o, (w, &is_batched)) in want.iter().zip(&batched.out_batched).enumerate() {
            let got_k = if is_batched {
                row(&got[o], k)
            } else {
                got[o].clone()
            };
            compare(&got_k, w).map_err(|e| format!("result {o}, example {k}: {e}"))?;
        }
        if prints {
            let n = batched.out_batched.len();
            compare_printed(&got[n..], &want[n..], k)
                .map_err(|e| format!("printed, example {k}: {e}"))?;
        }
    }
    Ok(())
}

/// A print's staged buffers (see `evaluable`): the batched graph prints
/// each example's values as the graph on that example does. One record:
/// the counts and sequence numbers agree, and a batched buffer
/// `[1, batch, ..]` holds at `[0, k]` what example `k`'s `[1, ..]` holds.
fn compare_printed(got: &[Tensor], want: &[Tensor], k: usize) -> Result<(), String> {
    if got.len() != want.len() || got.is_empty() {
        return Err(format!("{} buffers instead of {}", got.len(), want.len()));
    }
    for (g, w) in got.iter().zip(want) {
        if g.shape() == w.shape() {
            compare(g, w)?;
            continue;
        }
        let drop_first = |t: &Tensor| {
            Tensor::from_le_bytes(t.dtype(), &t.shape()[1..], &t.to_le_bytes()).expect("same size")
        };
        if g.shape().first() != Some(&1) || w.shape().first() != Some(&1) {
            return Err("more than one record".into());
        }
        compare(&row(&drop_first(g), k), &drop_first(w))?;
    }
    Ok(())
}

fn describe(s: &Sample, pattern: &[bool]) -> String {
    let types: Vec<String> = s.inputs.iter().map(|t| t.ty().to_string()).collect();
    let prim = if s.prim.regions().is_empty() {
        format!("{:?}", s.prim)
    } else {
        s.prim.name().to_string()
    };
    format!(
        "{} ({}) on ({}) batched {:?}",
        prim,
        s.note,
        types.join(", "),
        pattern
    )
}

/// Checks every sample on one backend; the failures.
fn check_all(r: &dyn Runner) -> Vec<String> {
    let mut failures = vec![];
    let mut checked = BTreeSet::new();
    for s in samples() {
        let g = s.graph().expect("samples are well typed");
        for p in patterns(s.inputs.len()) {
            match check(r, &s, &g, &p) {
                Ok(()) => {
                    checked.insert(variant_name(&s.prim));
                }
                Err(e) => failures.push(format!("{}: {}", describe(&s, &p), e)),
            }
        }
    }
    for name in VARIANT_NAMES {
        if !checked.contains(name) {
            failures.push(format!("no sample of `{name}` was checked"));
        }
    }
    failures
}

fn report(backend: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} batching failures on {}:\n{}",
        failures.len(),
        backend,
        failures.join("\n")
    );
}

#[test]
fn every_batching_rule_agrees_with_a_loop_over_the_batch_on_the_interpreter() {
    report("the interpreter", check_all(&Interp));
}

#[test]
fn every_batching_rule_agrees_with_a_loop_over_the_batch_on_xla() {
    let Some(Backend::Xla(x)) = common::xla() else {
        return;
    };
    report("XLA", check_all(&Xla(x)));
}

// ---------------------------------------------------------------- structure

/// Counts the equations of `g` (regions included) applying a primitive named `name`.
fn count(g: &Graph, name: &str) -> usize {
    g.eqns
        .iter()
        .map(|e| {
            usize::from(e.prim.name() == name)
                + e.prim
                    .regions()
                    .iter()
                    .map(|r| count(r, name))
                    .sum::<usize>()
        })
        .sum()
}

#[test]
fn a_batched_dot_general_is_one_dot_general() {
    let dots: Vec<Sample> = samples()
        .into_iter()
        .filter(|s| s.prim.downcast_ref::<DotGeneral>().is_some())
        .collect();
    assert!(!dots.is_empty());
    for s in &dots {
        let g = s.graph().unwrap();
        for p in patterns(2) {
            let batched = vmap_graph(&g, &p, B).unwrap().graph;
            assert_eq!(count(&batched, "dot_general"), 1, "{}", describe(s, &p));
            assert_eq!(count(&batched, "while"), 0, "{}", describe(s, &p));
        }
    }
}

#[test]
fn only_per_example_indices_and_keys_batch_by_looping() {
    for s in samples() {
        let g = s.graph().unwrap();
        for p in patterns(s.inputs.len()) {
            let batched = vmap_graph(&g, &p, B).unwrap().graph;
            let loops = count(&batched, "while") - count(&g, "while");
            let index_batched = match variant_name(&s.prim) {
                "dynamic_slice" => p[1..].contains(&true),
                "dynamic_update_slice" => p[2..].contains(&true),
                "threefry2x32" => p[..2].contains(&true),
                _ => false,
            };
            assert_eq!(loops, usize::from(index_batched), "{}", describe(&s, &p));
        }
    }
}

// ---------------------------------------------------------------- traced programs

/// Functions whose traced graphs nest regions: loops in loops, conditionals
/// in loops, a per-example trip count, traced indices, keys.
const PROGRAMS: &str = r#"
fn halvings(x: f32) -> i32 {
    var v = abs(x) * 3.0;
    var n = 0;
    while v > 1.0 {
        v = v / 2.0;
        n += 1;
    }
    n
}
fn nested(x: f32, m: i32) -> f32 {
    var acc = 0.0;
    for i in 0..3 {
        var j = 0;
        while j < i + m % 3 {
            acc = acc + x;
            j += 1;
        }
        if acc > 2.0 { acc = acc - 1.0; } else { acc = acc * 2.0; }
    }
    acc
}
fn window(x: f32[6], i: i32) -> f32 {
    var s = 0.0;
    for k in 0..3 {
        s = s + x[i + k] * cast(k + 1, f32);
    }
    s
}
fn piecewise(x: f32[4], t: f32) -> f32[4] {
    if t > 0.0 { x * t } else { x - sum(x) * t }
}
fn solve_spd(a: f32[3, 3], b: f32[3]) -> f32[3] {
    solve(a @ a.T + 3.0 * eye(3), b)
}
fn noise(k, x: f32[4]) {
    x + normal(k, [4])
}
"#;

/// Traces the functions of `PROGRAMS` by running it with calls to them.
fn traced(name: &str) -> Graph {
    let calls = r#"
let h = halvings(2.0);
let n = nested(1.0, 2);
let w = window(arange(6) * 1.0, 1);
let p = piecewise(ones([4]), 1.0);
let s = solve_spd(eye(3), ones([3]));
let z = noise(key(0), zeros([4]));
"#;
    let mut ev = nest::eval::exec::Evaluator::new(Box::new(std::io::sink()));
    let prog = ev
        .parse_source("test.nest", &format!("{PROGRAMS}{calls}"))
        .unwrap_or_else(|e| panic!("{}", e.message));
    ev.run_program(&prog, nest::eval::module::ModuleEnv::new("test", None))
        .unwrap_or_else(|e| panic!("{}", e.message));
    ev.traces.get(name).unwrap().graph.clone()
}

/// Deterministic arguments of a graph's input types, varied by `seed`.
fn arguments(g: &Graph, seed: usize) -> Vec<Tensor> {
    let value = |i: usize| ((i * 37 + seed * 11) % 23) as f64 * 0.25 - 2.0;
    g.input_types()
        .iter()
        .map(|t| {
            let n = t.size();
            let data = match t.dtype {
                DType::F32 => Data::F32((0..n).map(|i| value(i) as f32).collect()),
                DType::I32 => Data::I32((0..n).map(|i| (value(i) * 2.0) as i32).collect()),
                DType::U32 => Data::U32((0..n).map(|i| (i * 7 + seed) as u32).collect()),
                other => panic!("no arguments of {other}"),
            };
            Tensor::new(t.shape.clone(), data).unwrap()
        })
        .collect()
}

/// Batches a traced program with each pattern and compares with a loop over the examples.
fn check_program(r: &dyn Runner, name: &str) -> Result<(), String> {
    let g = traced(name);
    let examples: Vec<Vec<Tensor>> = (0..B).map(|k| arguments(&g, k)).collect();
    for pattern in patterns(g.inputs.len()) {
        let batched = vmap_graph(&g, &pattern, B).map_err(|e| format!("{pattern:?}: {e}"))?;
        verify(&batched.graph).map_err(|e| format!("{pattern:?}: does not verify: {e}"))?;
        let args: Vec<Tensor> = (0..g.inputs.len())
            .map(|i| match pattern[i] {
                true => stack(&examples.iter().map(|e| e[i].clone()).collect::<Vec<_>>()),
                false => examples[0][i].clone(),
            })
            .collect();
        let got = r.run(&batched.graph, &args)?;
        for (k, ex) in examples.iter().enumerate() {
            let inputs: Vec<Tensor> = (0..ex.len())
                .map(|i| {
                    if pattern[i] {
                        ex[i].clone()
                    } else {
                        examples[0][i].clone()
                    }
                })
                .collect();
            let want = r.run(&g, &inputs)?;
            for (o, w) in want.iter().enumerate() {
                let got_k = match batched.out_batched[o] {
                    true => row(&got[o], k),
                    false => got[o].clone(),
                };
                compare(&got_k, w).map_err(|e| format!("{pattern:?}, example {k}: {e}"))?;
            }
        }
    }
    Ok(())
}

const PROGRAM_NAMES: &[&str] = &[
    "halvings",
    "nested",
    "window",
    "piecewise",
    "solve_spd",
    "noise",
];

#[test]
fn batched_programs_agree_with_a_loop_over_the_batch() {
    let mut runners: Vec<(&str, Box<dyn Runner>)> = vec![("interpreter", Box::new(Interp))];
    if let Some(Backend::Xla(x)) = common::xla() {
        runners.push(("XLA", Box::new(Xla(x))));
    }
    for (backend, r) in &runners {
        for name in PROGRAM_NAMES {
            check_program(r.as_ref(), name).unwrap_or_else(|e| panic!("{name} on {backend}: {e}"));
        }
    }
}

/// Batching a loop batches its body once. When the fixed point of the
/// batched carries batched the body again for the loop's result, each
/// level of nesting doubled the work: `vmap` over loops nested 24 deep
/// took minutes (2^24 batchings of the innermost body); now it takes as
/// long as a few levels do. Checked on every backend, by its value.
#[test]
fn vmap_over_deeply_nested_loops_batches_each_body_once() {
    let mut body = "x = x * 0.5 + 1.0;".to_string();
    for i in 0..24 {
        body = format!("for i{i} in 0..1 {{ {body} }}");
    }
    let src = format!("fn f(x) {{ var x = x; {body} x }}\nprint(vmap(f)(arange(6) * 2.0 - 2.0));");
    for b in common::backends() {
        let out = common::Captured::default();
        let mut session = nest::Session::new(Box::new(out.clone()));
        session.set_backend(b.clone());
        if let Err(d) = session.run_source("<test>", &src) {
            panic!("{}", session.render(&d));
        }
        drop(session);
        let printed = String::from_utf8_lossy(&out.0.borrow()).into_owned();
        // x / 2 + 1 once, for x = -2, 0, ..., 8.
        assert_eq!(printed.trim(), "[0. 1. 2. 3. 4. 5.]", "on {}", b.name());
    }
}
