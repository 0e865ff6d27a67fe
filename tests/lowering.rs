//! The StableHLO lowering: snapshots of the text, and the differential test
//! of every primitive sample (and of traced programs with loops and
//! conditionals) on XLA against the reference interpreter.
//!
//! The XLA checks need the CPU plugin, found as nest finds it
//! (`$NEST_PJRT_PLUGIN`, the cache, site-packages). Without one they print
//! a note and pass, unless `NEST_REQUIRE_XLA=1`, which makes a missing
//! plugin a failure.
//!
//! Tolerances (relative, `|xla - interp| <= tol * (|interp| + scale)`):
//! * integer, bool and `u32` results, shape ops, selects, comparisons,
//!   conversions, bitcasts, `iota`, `threefry2x32`, argmax/argmin:
//!   bit-exact (floats compared by value, `-0 == 0`, NaN matching NaN);
//! * `f32` elementwise: `1e-5` with `scale = 0` (XLA's `f32` transcendentals
//!   are polynomial approximations; the kernels round an `f64` result);
//!   `f64`: `1e-12`;
//! * reductions, `dot_general`, `cholesky`, `triangular_solve` and the
//!   programs: `1e-5` (`f32`) / `1e-12` (`f64`) with `scale` the largest
//!   magnitude in the expected result, since XLA accumulates `f32` in `f32`
//!   in its own order and the kernels accumulate in `f64` (the errors seen
//!   are below `1e-6` / `1e-14`, except complex `pow` in `f32`, `4e-6`).

#![allow(clippy::unwrap_used)]

use nest::backend::pjrt::{Client, Plugin};
use nest::backend::plugin::{self, Kind};
use nest::backend::stablehlo::{lower_func, lower_module};
use nest::eval::exec::Evaluator;
use nest::eval::module::ModuleEnv;
use nest::interp::run_graph;
use nest::ir::Primitive;
use nest::ir::{fresh_var, Atom, Eqn, Func, Graph};
use nest::prims::samples::{samples, Sample};
use nest::prims::{constraint_shardings, BinaryOp, Prim, ReduceOp};
use nest::prims::{
    Binary, Cholesky, Cond, CustomJvp, DotGeneral, LinearSolve, Reduce, Scan, TriangularSolve,
    Unary, While,
};
use nest::tensor::{Data, Tensor, C128, C64};
use nest::transform::evaluable::evaluable;
use nest::types::{DType, TensorType};
use std::sync::OnceLock;

// ---------------------------------------------------------------- the plugin

fn client() -> Option<&'static Client> {
    static CLIENT: OnceLock<Option<Client>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let Some(path) = plugin::find(Kind::Cpu) else {
                let required = std::env::var("NEST_REQUIRE_XLA").is_ok_and(|v| v == "1");
                let msg = plugin::not_found_message(Kind::Cpu);
                assert!(!required, "NEST_REQUIRE_XLA=1: {}", msg);
                eprintln!("note: skipping the XLA checks: {}", msg);
                return None;
            };
            let plugin = Plugin::load(&path).unwrap_or_else(|e| panic!("{e}"));
            Some(Client::new(&plugin).unwrap_or_else(|e| panic!("{e}")))
        })
        .as_ref()
}

fn bytes(t: &Tensor) -> Vec<u8> {
    match t.data() {
        Data::Bool(v) => v.iter().map(|&b| b as u8).collect(),
        Data::I32(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
        Data::I64(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
        Data::U32(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
        Data::F32(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
        Data::F64(v) => v.iter().flat_map(|x| x.to_ne_bytes()).collect(),
        Data::C64(v) => v
            .iter()
            .flat_map(|z| [z.re.to_ne_bytes(), z.im.to_ne_bytes()].concat())
            .collect(),
        Data::C128(v) => v
            .iter()
            .flat_map(|z| [z.re.to_ne_bytes(), z.im.to_ne_bytes()].concat())
            .collect(),
    }
}

fn words<const N: usize>(b: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
    b.chunks_exact(N).map(|c| c.try_into().unwrap())
}

fn from_bytes(d: DType, shape: Vec<usize>, b: &[u8]) -> Tensor {
    let data = match d {
        DType::Bool => Data::Bool(b.iter().map(|&x| x != 0).collect()),
        DType::I32 => Data::I32(words(b).map(i32::from_ne_bytes).collect()),
        DType::I64 => Data::I64(words(b).map(i64::from_ne_bytes).collect()),
        DType::U32 => Data::U32(words(b).map(u32::from_ne_bytes).collect()),
        DType::F32 => Data::F32(words(b).map(f32::from_ne_bytes).collect()),
        DType::F64 => Data::F64(words(b).map(f64::from_ne_bytes).collect()),
        DType::C64 => Data::C64(
            words::<8>(b)
                .map(|w| {
                    let re = f32::from_ne_bytes(w[..4].try_into().unwrap());
                    let im = f32::from_ne_bytes(w[4..].try_into().unwrap());
                    C64::new(re, im)
                })
                .collect(),
        ),
        DType::C128 => Data::C128(
            words::<16>(b)
                .map(|w| {
                    let re = f64::from_ne_bytes(w[..8].try_into().unwrap());
                    let im = f64::from_ne_bytes(w[8..].try_into().unwrap());
                    C128::new(re, im)
                })
                .collect(),
        ),
    };
    Tensor::new(shape, data).unwrap()
}

/// Lowers, compiles and runs `graph` on XLA.
fn run_xla(c: &Client, graph: &Graph, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let lowered = lower_module("test", graph)?;
    let exe = c
        .compile(&lowered.text)
        .map_err(|e| format!("{e}\n{}", lowered.text))?;
    let args: Vec<Tensor> = inputs.iter().chain(&lowered.hoisted).cloned().collect();
    let buffers = args
        .iter()
        .map(|t| c.buffer_from_host(t.dtype(), t.shape(), &bytes(t)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let refs: Vec<_> = buffers.iter().collect();
    let outs = exe.execute(&refs).map_err(|e| e.to_string())?;
    outs.iter()
        .map(|b| {
            let (d, shape, raw) = b.to_host().map_err(|e| e.to_string())?;
            Ok(from_bytes(d, shape, &raw))
        })
        .collect()
}

// ---------------------------------------------------------------- comparing

/// How closely XLA must agree with the interpreter.
#[derive(Clone, Copy, Debug)]
enum Tol {
    Exact,
    /// `|a - b| <= rel * |b|`.
    Rel(f64),
    /// `|a - b| <= rel * (|b| + max |expected|)`.
    Scaled(f64),
}

fn tolerance(prim: &Prim, dtype: DType) -> Tol {
    fn is<T: Primitive>(p: &Prim) -> bool {
        p.downcast_ref::<T>().is_some()
    }
    if is::<Unary>(prim) || is::<Binary>(prim) {
        return rel(dtype, 1e-5, 1e-12);
    }
    let computed = is::<Reduce>(prim)
        || is::<DotGeneral>(prim)
        || is::<Cholesky>(prim)
        || is::<TriangularSolve>(prim)
        || is::<While>(prim)
        || is::<Scan>(prim)
        || is::<Cond>(prim)
        || is::<CustomJvp>(prim)
        || is::<LinearSolve>(prim);
    if !computed {
        return Tol::Exact;
    }
    let (f32_tol, f64_tol) = (1e-5, 1e-12);
    match dtype {
        DType::F32 | DType::C64 => Tol::Scaled(f32_tol),
        DType::F64 | DType::C128 => Tol::Scaled(f64_tol),
        _ => Tol::Exact,
    }
}

/// Programs mix arithmetic and reductions: the scaled tolerance.
fn program_tolerance(dtype: DType) -> Tol {
    match dtype {
        DType::F32 | DType::C64 => Tol::Scaled(1e-5),
        DType::F64 | DType::C128 => Tol::Scaled(1e-12),
        _ => Tol::Exact,
    }
}

fn rel(dtype: DType, f32_tol: f64, f64_tol: f64) -> Tol {
    match dtype {
        DType::F32 | DType::C64 => Tol::Rel(f32_tol),
        DType::F64 | DType::C128 => Tol::Rel(f64_tol),
        _ => Tol::Exact,
    }
}

fn close(got: f64, want: f64, tol: Tol, scale: f64) -> bool {
    if want.is_nan() || got.is_nan() {
        return want.is_nan() && got.is_nan();
    }
    if want.is_infinite() || got.is_infinite() {
        return want == got;
    }
    match tol {
        Tol::Exact => got == want,
        Tol::Rel(r) => (got - want).abs() <= r * want.abs(),
        Tol::Scaled(r) => (got - want).abs() <= r * (want.abs() + scale),
    }
}

/// Checks one result: same type, and every element within `tol`.
fn compare(got: &Tensor, want: &Tensor, tol: Tol) -> Result<(), String> {
    if got.ty() != want.ty() {
        return Err(format!("type {} instead of {}", got.ty(), want.ty()));
    }
    let (g, w) = (got.to_c64_vec(), want.to_c64_vec());
    let scale = w
        .iter()
        .map(|&(re, im)| re.abs().max(im.abs()))
        .filter(|x| x.is_finite());
    let scale = scale.fold(0.0, f64::max);
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        if !(close(a.0, b.0, tol, scale) && close(a.1, b.1, tol, scale)) {
            return Err(format!(
                "element {}: XLA {:?}, interpreter {:?} ({:?})",
                i, a, b, tol
            ));
        }
    }
    // Integer results are compared exactly on their own bits too (i64 values
    // above 2^53 are not exact in f64).
    if let (Data::I64(a), Data::I64(b)) = (got.data(), want.data()) {
        if a != b {
            return Err(format!("i64 results differ: {:?} vs {:?}", a, b));
        }
    }
    Ok(())
}

/// Runs `graph` both ways and compares every output.
fn check(
    c: &Client,
    graph: &Graph,
    inputs: &[Tensor],
    tol: impl Fn(DType) -> Tol,
) -> Result<(), String> {
    let want = run_graph(graph, inputs).map_err(|e| format!("interpreter: {e}"))?;
    let got = run_xla(c, graph, inputs)?;
    if got.len() != want.len() {
        return Err(format!("{} results instead of {}", got.len(), want.len()));
    }
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        compare(g, w, tol(w.dtype())).map_err(|e| format!("result {k}: {e}"))?;
    }
    Ok(())
}

fn describe(s: &Sample) -> String {
    let types: Vec<String> = s.inputs.iter().map(|t| t.ty().to_string()).collect();
    let prim = if s.prim.regions().is_empty() {
        format!("{:?}", s.prim)
    } else {
        s.prim.name().to_string()
    };
    format!("{} ({}) on ({})", prim, s.note, types.join(", "))
}

// ---------------------------------------------------------------- the differential tests

#[test]
fn every_sample_lowers() {
    for s in samples() {
        let g = evaluable(&s.graph().unwrap()).unwrap();
        let lowered =
            lower_module("sample", &g).unwrap_or_else(|e| panic!("{}: {e}", describe(&s)));
        assert!(lowered.text.starts_with("module @sample {"));
    }
}

#[test]
fn every_sample_agrees_with_the_interpreter_on_xla() {
    let Some(c) = client() else { return };
    let mut failures = vec![];
    let all = samples();
    for s in &all {
        let g = evaluable(&s.graph().unwrap()).unwrap();
        // A constraint on a mesh of several devices compiles only into a
        // program over that mesh (its module declares the mesh): those run
        // on four devices in tests/four_devices.rs, and tests/sharding.rs
        // checks their lowering.
        if constraint_shardings(&g).iter().any(|s| s.mesh.size() > 1) {
            continue;
        }
        if let Err(e) = check(c, &g, &s.inputs, |d| tolerance(&s.prim, d)) {
            failures.push(format!("{}: {}", describe(s), e));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} samples disagree:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------- traced programs

/// Traces the functions of `source` by running it, returning the IR of `name`.
fn traced(source: &str, name: &str) -> Func {
    let mut ev = Evaluator::new(Box::new(std::io::sink()));
    let prog = ev
        .parse_source("test.nest", source)
        .unwrap_or_else(|e| panic!("{}", e.message));
    ev.run_program(&prog, ModuleEnv::new("test", None))
        .unwrap_or_else(|e| panic!("{}", e.message));
    ev.traces
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("`{name}` was not traced"))
}

/// Deterministic arguments of the given types (`seed` varies them).
fn arguments(types: &[TensorType], seed: usize) -> Vec<Tensor> {
    let value = |i: usize| ((i * 37 + seed * 11) % 23) as f64 * 0.25 - 2.0;
    types
        .iter()
        .map(|t| {
            let n = t.size();
            let data = match t.dtype {
                DType::F32 => Data::F32((0..n).map(|i| value(i) as f32).collect()),
                DType::F64 => Data::F64((0..n).map(value).collect()),
                DType::I32 => Data::I32((0..n).map(|i| (value(i) * 4.0) as i32).collect()),
                DType::I64 => Data::I64((0..n).map(|i| (value(i) * 4.0) as i64).collect()),
                DType::U32 => Data::U32((0..n).map(|i| (i * 7 + seed) as u32).collect()),
                DType::Bool => Data::Bool((0..n).map(|i| value(i) > 0.0).collect()),
                DType::C64 => Data::C64((0..n).map(|i| C64::new(value(i) as f32, 0.5)).collect()),
                DType::C128 => Data::C128((0..n).map(|i| C128::new(value(i), 0.5)).collect()),
            };
            Tensor::new(t.shape.clone(), data).unwrap()
        })
        .collect()
}

const PROGRAMS: &str = r#"
fn halvings(x: f32) -> i32 {
    var v = x;
    var n = 0;
    while v > 1.0 {
        v = v / 2.0;
        n += 1;
    }
    n
}
let h = halvings(100.0);

fn newton_sqrt(a: f32) -> (f32, i32) {
    var x = a;
    var iters = 0;
    while abs(x * x - a) > 1e-4 * a && iters < 50 {
        x = 0.5 * (x + a / x);
        iters += 1;
    }
    (x, iters)
}
let s = newton_sqrt(2.0);

fn piecewise(x: f32[4], t: f32) -> f32[4] {
    if t > 0.0 { x * t } else { x - t }
}
let p = piecewise(zeros([4]), 1.0);

let table = linspace(-1.0, 1.0, 24);
fn accumulate(x: f32[24], n: i32) -> f32[24] {
    var y = x;
    for i in 0..n {
        y = y * 0.5 + table;
    }
    y
}
let a = accumulate(zeros([24]), 3);

fn cumulative(x: f32[n]) -> f32[n] {
    var out = zeros_like(x);
    var acc = 0.0;
    for i in 0..shape(x)[0] {
        acc += x[i];
        out = where(arange(shape(x)[0]) == i, acc, out);
    }
    out
}
let c = cumulative(linspace(1.0, 4.0, 5));

fn noise(k) {
    normal(k, [6])
}
let z = noise(key(3));

fn matvec(a: f32[2, 3, 4], v: f32[4]) -> f32[2, 3] { a @ v }
let mv = matvec(zeros([2, 3, 4]), zeros([4]));
fn vecmat(v: f32[3], a: f32[2, 3, 4]) -> f32[2, 4] { v @ a }
let vm = vecmat(zeros([3]), zeros([2, 3, 4]));
fn vecvec(u: f32[4], v: f32[4]) -> f32 { u @ v }
let vv = vecvec(zeros([4]), zeros([4]));
"#;

#[test]
fn traced_programs_agree_with_the_interpreter_on_xla() {
    let Some(c) = client() else { return };
    for name in [
        "halvings",
        "newton_sqrt",
        "piecewise",
        "accumulate",
        "cumulative",
        "noise",
        "matvec",
        "vecmat",
        "vecvec",
    ] {
        let f = traced(PROGRAMS, name);
        for seed in 0..3 {
            let args = arguments(&f.graph.input_types(), seed);
            check(c, &f.graph, &args, program_tolerance).unwrap_or_else(|e| {
                panic!(
                    "{name} (seed {seed}): {e}\n{}",
                    lower_func(&f).unwrap().text
                )
            });
        }
    }
}

#[test]
fn traced_loops_lower_to_while_and_case() {
    let text = |name| lower_func(&traced(PROGRAMS, name)).unwrap().text;
    assert!(text("halvings").contains("\"stablehlo.while\""));
    assert!(text("piecewise").contains("\"stablehlo.case\""));
    // The 24-element table captured from the host is an argument of @main.
    let accumulate = lower_func(&traced(PROGRAMS, "accumulate")).unwrap();
    assert_eq!(accumulate.hoisted.len(), 1);
    assert_eq!(accumulate.hoisted[0].shape(), &[24]);
}

/// A product with a vector is one `dot_general` with the vector as an
/// operand (no reshape to `n×1` and back), at the documented precision.
#[test]
fn vector_products_are_one_dot_general_with_a_vector_operand() {
    let precision = nest::prims::linalg::DOT_PRECISION;
    for (name, operands) in [
        (
            "matvec",
            "(tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3xf32>",
        ),
        (
            "vecmat",
            "(tensor<3xf32>, tensor<2x3x4xf32>) -> tensor<2x4xf32>",
        ),
        ("vecvec", "(tensor<4xf32>, tensor<4xf32>) -> tensor<f32>"),
    ] {
        let text = lower_func(&traced(PROGRAMS, name)).unwrap().text;
        assert_eq!(text.matches("stablehlo.dot_general").count(), 1, "{text}");
        assert!(text.contains(operands), "{text}");
        assert!(!text.contains("stablehlo.reshape"), "{text}");
        let config = format!("precision_config = [#stablehlo<precision {precision}>");
        assert!(text.contains(&config), "{text}");
    }
}

// ---------------------------------------------------------------- snapshots

/// A graph applying `prim` to inputs of `types`, with constants `consts`
/// appended to the operands.
fn graph(prim: Prim, types: &[TensorType], consts: Vec<Tensor>) -> Graph {
    let inputs: Vec<_> = types.iter().map(|t| fresh_var(t.clone())).collect();
    let mut operands: Vec<Atom> = inputs.iter().cloned().map(Atom::Var).collect();
    operands.extend(consts.into_iter().map(Atom::Const));
    let in_types: Vec<TensorType> = operands.iter().map(Atom::ty).collect();
    let outs: Vec<_> = prim
        .infer(&in_types)
        .unwrap()
        .into_iter()
        .map(fresh_var)
        .collect();
    Graph {
        inputs,
        eqns: vec![Eqn {
            prim,
            inputs: operands,
            outputs: outs.clone(),
        }],
        outputs: outs.into_iter().map(Atom::Var).collect(),
    }
}

fn f32s(shape: &[usize]) -> TensorType {
    TensorType::new(DType::F32, shape.to_vec())
}

#[test]
fn snapshot_add_with_small_constant() {
    let g = graph(
        Prim::new(Binary(BinaryOp::Add)),
        &[f32s(&[3])],
        vec![Tensor::new(vec![3], Data::F32(vec![1.0, f32::NAN, -0.0])).unwrap()],
    );
    let lowered = lower_module("add", &g).unwrap();
    assert!(lowered.hoisted.is_empty());
    assert_eq!(
        lowered.text,
        "module @add {
  func.func public @main(%arg0: tensor<3xf32>) -> (tensor<3xf32>) {
    %0 = stablehlo.constant dense<[1.0, 0x7FC00000, -0.0]> : tensor<3xf32>
    %1 = stablehlo.add %arg0, %0 : tensor<3xf32>
    return %1 : tensor<3xf32>
  }
}
"
    );
}

#[test]
fn snapshot_hoisted_constant_and_reduce() {
    let big = Tensor::new(vec![17], Data::F64((0..17).map(f64::from).collect())).unwrap();
    let mul = graph(
        Prim::new(Binary(BinaryOp::Mul)),
        &[TensorType::new(DType::F64, vec![17])],
        vec![big.clone()],
    );
    let lowered = lower_module("scaled", &mul).unwrap();
    assert_eq!(lowered.hoisted, vec![big]);
    assert_eq!(
        lowered.text,
        "module @scaled {
  func.func public @main(%arg0: tensor<17xf64>, %arg1: tensor<17xf64>) -> (tensor<17xf64>) {
    %0 = stablehlo.multiply %arg0, %arg1 : tensor<17xf64>
    return %0 : tensor<17xf64>
  }
}
"
    );
    let sum = graph(
        Prim::new(Reduce {
            op: ReduceOp::Sum,
            axes: vec![1],
        }),
        &[f32s(&[2, 3])],
        vec![],
    );
    assert_eq!(
        lower_module("sum", &sum).unwrap().text,
        "module @sum {
  func.func public @main(%arg0: tensor<2x3xf32>) -> (tensor<2xf32>) {
    %0 = stablehlo.constant dense<0.0> : tensor<f32>
    %1 = \"stablehlo.reduce\"(%arg0, %0) ({
    ^bb0(%2: tensor<f32>, %3: tensor<f32>):
      %4 = stablehlo.add %2, %3 : tensor<f32>
      stablehlo.return %4 : tensor<f32>
    }) {dimensions = array<i64: 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
    return %1 : tensor<2xf32>
  }
}
"
    );
}

#[test]
fn snapshot_while_carries_constants_through() {
    let f = traced(PROGRAMS, "halvings");
    let text = lower_func(&f).unwrap().text;
    let expected_start = "module @halvings {
  func.func public @main(%arg0: tensor<f32>) -> (tensor<i32>) {
";
    assert!(text.starts_with(expected_start), "{text}");
    assert!(text.contains("\"stablehlo.while\"("), "{text}");
    assert!(text.contains("stablehlo.return"), "{text}");
}

#[test]
fn constants_read_back_exactly_on_xla() {
    let Some(c) = client() else { return };
    let t = |shape: &[usize], data| Tensor::new(shape.to_vec(), data).unwrap();
    let odd_f32: Vec<f32> = (0..40)
        .map(|i| f32::from_bits(0x3F80_0001 + i * 0x0101_0101))
        .collect();
    let constants = vec![
        t(
            &[4],
            Data::F32(vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0]),
        ),
        t(&[40], Data::F32(odd_f32)),
        t(&[3], Data::F64(vec![0.1, 1e-300, f64::from_bits(1)])),
        t(&[0, 3], Data::F32(vec![])),
        t(&[2], Data::I64(vec![i64::MIN, i64::MAX])),
        t(&[2], Data::U32(vec![u32::MAX, 0])),
        t(&[3], Data::Bool(vec![true, false, true])),
        t(
            &[2],
            Data::C64(vec![C64::new(1.5, f32::NAN), C64::new(-0.0, 2.0)]),
        ),
        t(
            &[20],
            Data::C64((0..20).map(|i| C64::new(i as f32, -(i as f32))).collect()),
        ),
        t(&[30], Data::I32(vec![7; 30])),
        t(&[], Data::F64(vec![std::f64::consts::PI])),
    ];
    let graph = Graph {
        inputs: vec![],
        eqns: vec![],
        outputs: constants.iter().cloned().map(Atom::Const).collect(),
    };
    let lowered = lower_module("constants", &graph).unwrap();
    // The 40 odd floats and the 20 complex numbers are hoisted; the splat is inline.
    assert_eq!(lowered.hoisted.len(), 2, "{}", lowered.text);
    let got = run_xla(c, &graph, &[]).unwrap();
    for (g, w) in got.iter().zip(&constants) {
        assert_eq!(g.ty(), w.ty());
        assert_eq!(bytes(g), bytes(w), "{}", lowered.text);
    }
}
