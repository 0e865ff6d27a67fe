//! Forward-mode checks of the JVP rules of the shape, linear algebra and
//! control-flow primitives: each JVP graph must verify, reproduce the
//! primal outputs, and give tangents that match central finite differences
//! `(f(x + εt) − f(x − εt)) / 2ε` in f64 (and, for loops, the closed form).

use nest::eval::exec::Evaluator;
use nest::eval::module::ModuleEnv;
use nest::interp::run_graph;
use nest::ir::verify::verify;
use nest::ir::{fresh_var, Atom, Eqn, Graph, Var};
use nest::prims::samples::{samples, variant_name};
use nest::prims::{Binary, Cholesky, Compare, Cond, DotGeneral, Rev, While};
use nest::prims::{Cmp, Prim};
use nest::tensor::{Data, Tensor};
use nest::transform::jvp::jvp_graph;
use nest::types::{DType, TensorType};
use std::collections::BTreeMap;

const EPS: f64 = 1e-6;

/// The primitives whose rules this file checks, by variant name.
const CHECKED: &[&str] = &[
    "broadcast_in_dim",
    "reshape",
    "transpose",
    "slice",
    "reverse",
    "dynamic_slice",
    "dynamic_update_slice",
    "concatenate",
    "pad",
    "dot_general",
    "cholesky",
    "triangular_solve",
    "while",
    "cond",
    "sharding_constraint",
];

// ---------------------------------------------------------------- harness

fn f64s(shape: &[usize], v: Vec<f64>) -> Tensor {
    Tensor::new(shape.to_vec(), Data::F64(v)).expect("tensor")
}

/// Deterministic tangent values in `[-1, 1]` of `t`'s shape.
fn tangent_like(t: &Tensor, seed: usize) -> Tensor {
    let v = (0..t.size())
        .map(|i| ((i * 7919 + seed * 104_729) % 201) as f64 / 100.0 - 1.0)
        .collect();
    f64s(t.shape(), v)
}

/// `x + s t`.
fn shifted(x: &Tensor, t: &Tensor, s: f64) -> Tensor {
    let v = (x.to_f64_vec().iter().zip(t.to_f64_vec()))
        .map(|(a, b)| a + s * b)
        .collect();
    f64s(x.shape(), v)
}

/// The JVP of `g` at `inputs` along `tangents` (one per input; `None` for no
/// tangent): the primal outputs, then a tangent per output (zeros where the
/// JVP has a symbolic zero, `None` for non-float outputs).
fn run_jvp(
    g: &Graph,
    inputs: &[Tensor],
    tangents: &[Option<Tensor>],
) -> Result<(Vec<Tensor>, Vec<Option<Tensor>>), String> {
    let nz: Vec<bool> = tangents.iter().map(Option::is_some).collect();
    let jvp = jvp_graph(g, &nz)?;
    verify(&jvp.graph).map_err(|e| format!("JVP graph fails to verify: {}", e))?;
    let mut args = inputs.to_vec();
    args.extend(tangents.iter().flatten().cloned());
    let mut out = run_graph(&jvp.graph, &args)?;
    let ts = out.split_off(g.outputs.len());
    let mut ts = ts.into_iter();
    let mut tangent_outs = vec![];
    for (o, &nz) in out.iter().zip(&jvp.out_nonzero) {
        tangent_outs.push(match (nz, o.dtype()) {
            (true, _) => ts.next(),
            (false, DType::F64) => Some(Tensor::zeros(&o.ty())),
            (false, _) => None,
        });
    }
    Ok((out, tangent_outs))
}

/// Checks the JVP of `g` at `inputs` along `tangents` against central
/// differences; returns the JVP's outputs and tangents.
fn check_fd(
    g: &Graph,
    inputs: &[Tensor],
    tangents: &[Option<Tensor>],
) -> Result<(Vec<Tensor>, Vec<Option<Tensor>>), String> {
    let (primal, ts) = run_jvp(g, inputs, tangents)?;
    let expected = run_graph(g, inputs)?;
    if primal != expected {
        return Err("the JVP graph changes the primal outputs".into());
    }
    let at = |s: f64| -> Result<Vec<Tensor>, String> {
        let args: Vec<Tensor> = (inputs.iter().zip(tangents))
            .map(|(x, t)| t.as_ref().map_or_else(|| x.clone(), |t| shifted(x, t, s)))
            .collect();
        Ok(run_graph(g, &args)?)
    };
    let (plus, minus) = (at(EPS)?, at(-EPS)?);
    for (i, t) in ts.iter().enumerate() {
        let Some(t) = t else { continue };
        let fd: Vec<f64> = (plus[i].to_f64_vec().iter().zip(minus[i].to_f64_vec()))
            .map(|(p, m)| (p - m) / (2.0 * EPS))
            .collect();
        close(&t.to_f64_vec(), &fd, 1e-6).map_err(|e| format!("output {}: {}", i, e))?;
    }
    Ok((primal, ts))
}

/// Elementwise `|got − want| ≤ tol (1 + |want|)`.
fn close(got: &[f64], want: &[f64], tol: f64) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} values, expected {}", got.len(), want.len()));
    }
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = (g - w).abs() <= tol * (1.0 + w.abs());
        if !ok {
            return Err(format!("element {}: {} but expected {}", k, g, w));
        }
    }
    Ok(())
}

/// A tangent for every f64 input.
fn tangents_for(inputs: &[Tensor]) -> Vec<Option<Tensor>> {
    (inputs.iter().enumerate())
        .map(|(i, x)| (x.dtype() == DType::F64).then(|| tangent_like(x, i + 1)))
        .collect()
}

// ---------------------------------------------------------------- the sample table

/// Every sample of the checked primitives, in f64 (f32 inputs widened):
/// the JVP along tangents for all float inputs matches finite differences.
/// Complex samples, ones that do not widen and ones whose primal is not
/// finite (a matrix that is not positive definite) are skipped; every
/// checked primitive must have a checked sample.
#[test]
fn sample_tangents_match_finite_differences() {
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = vec![];
    for s in samples() {
        let name = variant_name(&s.prim);
        if !CHECKED.contains(&name) || s.inputs.iter().any(|t| t.dtype().is_complex()) {
            continue;
        }
        let wide = s.widened();
        let Ok(g) = wide.graph() else { continue };
        let outs = run_graph(&g, &wide.inputs).expect("sample runs");
        if outs
            .iter()
            .any(|o| o.to_f64_vec().iter().any(|v| !v.is_finite()))
        {
            continue;
        }
        match check_fd(&g, &wide.inputs, &tangents_for(&wide.inputs)) {
            Ok(_) => *checked.entry(name).or_default() += 1,
            Err(e) => failures.push(format!("{} ({}): {}", name, s.note, e)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for name in CHECKED {
        assert!(
            checked.contains_key(name),
            "no sample of `{}` was checked",
            name
        );
    }
}

/// Tangents for only some operands (the others symbolic zeros) still match.
#[test]
fn partial_tangents_match_finite_differences() {
    for s in samples() {
        let name = variant_name(&s.prim);
        let two_floats = s.inputs.iter().filter(|t| t.dtype() == DType::F64).count() >= 2;
        if !CHECKED.contains(&name) || !two_floats {
            continue;
        }
        let Ok(g) = s.graph() else { continue };
        for skip in 0..s.inputs.len() {
            let mut ts = tangents_for(&s.inputs);
            ts[skip] = None;
            if let Err(e) = check_fd(&g, &s.inputs, &ts) {
                panic!("{} ({}) without tangent {}: {}", name, s.note, skip, e);
            }
        }
    }
}

// ---------------------------------------------------------------- linear algebra

fn one_eqn(prim: Prim, types: &[TensorType]) -> Graph {
    let inputs: Vec<Var> = types.iter().map(|t| fresh_var(t.clone())).collect();
    let outs = prim.infer(types).expect("well typed");
    let outputs: Vec<Var> = outs.into_iter().map(fresh_var).collect();
    Graph {
        inputs: inputs.clone(),
        eqns: vec![Eqn {
            prim,
            inputs: inputs.into_iter().map(Atom::Var).collect(),
            outputs: outputs.clone(),
        }],
        outputs: outputs.into_iter().map(Atom::Var).collect(),
    }
}

/// The primitive reads only the lower triangle, so the upper triangle of
/// the tangent has no effect: a tangent that is zero below the diagonal
/// gives the tangent of its diagonal alone.
#[test]
fn cholesky_ignores_the_upper_triangle_of_the_tangent() {
    let a = f64s(&[2, 2], vec![4.0, 1.0, 1.0, 3.0]);
    let g = one_eqn(Prim::new(Cholesky), &[a.ty()]);
    let upper = f64s(&[2, 2], vec![0.0, 5.0, 0.0, 0.0]);
    let (_, ts) = check_fd(&g, std::slice::from_ref(&a), &[Some(upper)]).expect("jvp");
    assert_eq!(ts[0].as_ref().map(Tensor::to_f64_vec), Some(vec![0.0; 4]));
    // A symmetric tangent: d(L Lᵀ) = dA. With L = [[2, 0], [.5, √2.75]]
    // and dA = I: dL₀₀ = 1/(2·2), and the rest from the recurrence.
    let eye = f64s(&[2, 2], vec![1.0, 0.0, 0.0, 1.0]);
    let (outs, ts) = check_fd(&g, &[a], &[Some(eye.clone())]).expect("jvp");
    let (l, dl) = (
        outs[0].to_f64_vec(),
        ts[0].as_ref().expect("tangent").to_f64_vec(),
    );
    let mut recon = [0.0; 4];
    for i in 0..2 {
        for j in 0..2 {
            recon[i * 2 + j] = (0..2)
                .map(|k| dl[i * 2 + k] * l[j * 2 + k] + l[i * 2 + k] * dl[j * 2 + k])
                .sum();
        }
    }
    close(&recon, &eye.to_f64_vec(), 1e-12).expect("dL Lᵀ + L dLᵀ = dA");
}

// ---------------------------------------------------------------- hand-built loops and conditionals

fn ty(d: DType, s: &[usize]) -> TensorType {
    TensorType::new(d, s.to_vec())
}

/// `x ⊙ a` as a `dot_general` batched over the one dim of two vectors.
fn times(x: &Atom, a: &Atom, eqns: &mut Vec<Eqn>) -> Atom {
    let prim = Prim::new(DotGeneral {
        lhs_batch: vec![0],
        rhs_batch: vec![0],
        lhs_contract: vec![],
        rhs_contract: vec![],
    });
    let out = fresh_var(x.ty());
    eqns.push(Eqn {
        prim,
        inputs: vec![x.clone(), a.clone()],
        outputs: vec![out.clone()],
    });
    Atom::Var(out)
}

fn push1(eqns: &mut Vec<Eqn>, prim: Prim, inputs: Vec<Atom>) -> Atom {
    let types: Vec<TensorType> = inputs.iter().map(Atom::ty).collect();
    let out = fresh_var(prim.infer(&types).expect("well typed").remove(0));
    eqns.push(Eqn {
        prim,
        inputs,
        outputs: vec![out.clone()],
    });
    Atom::Var(out)
}

/// `(x, y, z) = (x₀, c, c)`, then five times `(x, y, z) = (x ⊙ a, x, z)`:
/// `x` has a tangent from the start, `y` only through the body (the fixed
/// point must find it), `z` never; `a` is a loop constant with a tangent.
fn power_loop() -> Graph {
    let v = ty(DType::F64, &[3]);
    let i32s = TensorType::scalar(DType::I32);
    let region_types = [v.clone(), i32s.clone(), v.clone(), v.clone(), v.clone()];
    let fresh = |ts: &[TensorType]| -> Vec<Var> { ts.iter().cloned().map(fresh_var).collect() };
    let cin = fresh(&region_types);
    let mut ceqns = vec![];
    let five = Atom::Const(Tensor::scalar_i32(5));
    let lt = push1(
        &mut ceqns,
        Prim::new(Compare(Cmp::Lt)),
        vec![Atom::Var(cin[1].clone()), five],
    );
    let cond = Graph {
        inputs: cin,
        eqns: ceqns,
        outputs: vec![lt],
    };
    let bin = fresh(&region_types);
    let arg = |k: usize| Atom::Var(bin[k].clone());
    let mut beqns = vec![];
    let one = Atom::Const(Tensor::scalar_i32(1));
    let next = push1(
        &mut beqns,
        Prim::new(Binary(nest::prims::BinaryOp::Add)),
        vec![arg(1), one],
    );
    let x = times(&arg(2), &arg(0), &mut beqns);
    let body = Graph {
        inputs: bin.clone(),
        eqns: beqns,
        outputs: vec![next, x, arg(2), arg(4)],
    };
    let (a, x0) = (fresh_var(v.clone()), fresh_var(v.clone()));
    let c = Atom::Const(f64s(&[3], vec![0.5, 0.25, -1.0]));
    let prim = Prim::new(While {
        cond: Box::new(cond),
        body: Box::new(body),
        n_consts: 1,
        trip_count: Some(5),
        span: None,
    });
    let inputs = vec![
        Atom::Var(a.clone()),
        Atom::Const(Tensor::scalar_i32(0)),
        Atom::Var(x0.clone()),
        c.clone(),
        c,
    ];
    let types: Vec<TensorType> = inputs.iter().map(Atom::ty).collect();
    let outs: Vec<Var> = prim
        .infer(&types)
        .expect("well typed")
        .into_iter()
        .map(fresh_var)
        .collect();
    Graph {
        inputs: vec![a, x0],
        eqns: vec![Eqn {
            prim,
            inputs,
            outputs: outs.clone(),
        }],
        outputs: outs.into_iter().map(Atom::Var).collect(),
    }
}

#[test]
fn while_tangents_match_the_closed_form() {
    let g = power_loop();
    let a = f64s(&[3], vec![0.9, -1.1, 1.3]);
    let x = f64s(&[3], vec![1.5, 0.5, -2.0]);
    let (da, dx) = (tangent_like(&a, 1), tangent_like(&x, 2));
    let (outs, ts) = check_fd(
        &g,
        &[a.clone(), x.clone()],
        &[Some(da.clone()), Some(dx.clone())],
    )
    .expect("jvp of the loop");
    let (a, x, da, dx) = (
        a.to_f64_vec(),
        x.to_f64_vec(),
        da.to_f64_vec(),
        dx.to_f64_vec(),
    );
    // x₅ = x a⁵: dx₅ = a⁵ dx + 5 x a⁴ da; y₅ = x₄ = x a⁴: dy₅ = a⁴ dx + 4 x a³ da.
    let want = |p: i32| -> Vec<f64> {
        (0..3)
            .map(|k| a[k].powi(p) * dx[k] + p as f64 * x[k] * a[k].powi(p - 1) * da[k])
            .collect()
    };
    let got = |i: usize| ts[i].as_ref().expect("float output").to_f64_vec();
    close(&got(1), &want(5), 1e-12).expect("dx₅");
    close(&got(2), &want(4), 1e-12).expect("dy₅");
    assert_eq!(got(3), vec![0.0; 3], "z never gets a tangent");
    assert_eq!(outs[0], Tensor::scalar_i32(5));
    assert!(ts[0].is_none(), "the counter has no tangent");
}

/// Without a tangent for `x`, `x` still gets one through the constant `a`.
#[test]
fn while_with_only_a_constant_tangent() {
    let g = power_loop();
    let a = f64s(&[3], vec![0.9, -1.1, 1.3]);
    let x = f64s(&[3], vec![1.5, 0.5, -2.0]);
    let da = tangent_like(&a, 3);
    check_fd(&g, &[a, x], &[Some(da), None]).expect("jvp of the loop");
}

/// Branches over `(x, a)`: `x ⊙ a`, `reverse(x)`, a constant; each also
/// returns its number. The tangent is zeros from the constant branch.
fn three_branches() -> Graph {
    let v = ty(DType::F64, &[3]);
    let mut branches = vec![];
    for k in 0..3 {
        let inputs: Vec<Var> = vec![fresh_var(v.clone()), fresh_var(v.clone())];
        let (x, a) = (Atom::Var(inputs[0].clone()), Atom::Var(inputs[1].clone()));
        let mut eqns = vec![];
        let y = match k {
            0 => times(&x, &a, &mut eqns),
            1 => push1(&mut eqns, Prim::new(Rev { axes: vec![0] }), vec![x]),
            _ => Atom::Const(f64s(&[3], vec![1.0, 2.0, 3.0])),
        };
        let outputs = vec![y, Atom::Const(Tensor::scalar_i32(k))];
        branches.push(Graph {
            inputs,
            eqns,
            outputs,
        });
    }
    let index = fresh_var(TensorType::scalar(DType::I32));
    let (x, a) = (fresh_var(v.clone()), fresh_var(v.clone()));
    let prim = Prim::new(Cond { branches });
    let inputs = vec![
        Atom::Var(index.clone()),
        Atom::Var(x.clone()),
        Atom::Var(a.clone()),
    ];
    let types: Vec<TensorType> = inputs.iter().map(Atom::ty).collect();
    let outs: Vec<Var> = prim
        .infer(&types)
        .expect("well typed")
        .into_iter()
        .map(fresh_var)
        .collect();
    Graph {
        inputs: vec![index, x, a],
        eqns: vec![Eqn {
            prim,
            inputs,
            outputs: outs.clone(),
        }],
        outputs: outs.into_iter().map(Atom::Var).collect(),
    }
}

#[test]
fn cond_tangents_match_finite_differences_in_every_branch() {
    let g = three_branches();
    let x = f64s(&[3], vec![1.5, 0.5, -2.0]);
    let a = f64s(&[3], vec![0.9, -1.1, 1.3]);
    let (dx, da) = (tangent_like(&x, 1), tangent_like(&a, 2));
    for index in [-1, 0, 1, 2, 7] {
        let inputs = [Tensor::scalar_i32(index), x.clone(), a.clone()];
        for ts in [
            [None, Some(dx.clone()), Some(da.clone())],
            [None, None, Some(da.clone())],
            [None, Some(dx.clone()), None],
        ] {
            let (_, out_ts) =
                check_fd(&g, &inputs, &ts).unwrap_or_else(|e| panic!("index {}: {}", index, e));
            assert!(out_ts[1].is_none(), "the branch number has no tangent");
        }
    }
}

/// A loop inside a branch: the JVP of a branch holds the JVP of a loop,
/// whose regions are copies with fresh variables.
#[test]
fn nested_control_flow_verifies_and_matches() {
    let inner = power_loop();
    let v = ty(DType::F64, &[3]);
    let inputs: Vec<Var> = vec![fresh_var(v.clone()), fresh_var(v.clone())];
    let mut loop_branch = inner.clone();
    loop_branch.inputs = inner.inputs.clone();
    loop_branch.outputs = vec![inner.outputs[1].clone()];
    let pass = Graph {
        inputs: vec![fresh_var(v.clone()), fresh_var(v.clone())],
        eqns: vec![],
        outputs: vec![],
    };
    let pass = Graph {
        outputs: vec![Atom::Var(pass.inputs[0].clone())],
        ..pass
    };
    let prim = Prim::new(Cond {
        branches: vec![loop_branch, pass],
    });
    let index = fresh_var(TensorType::scalar(DType::I32));
    let args = vec![
        Atom::Var(index.clone()),
        Atom::Var(inputs[0].clone()),
        Atom::Var(inputs[1].clone()),
    ];
    let out = fresh_var(v);
    let g = Graph {
        inputs: vec![index, inputs[0].clone(), inputs[1].clone()],
        eqns: vec![Eqn {
            prim,
            inputs: args,
            outputs: vec![out.clone()],
        }],
        outputs: vec![Atom::Var(out)],
    };
    verify(&g).expect("well formed");
    let a = f64s(&[3], vec![0.9, -1.1, 1.3]);
    let x = f64s(&[3], vec![1.5, 0.5, -2.0]);
    for index in [0, 1] {
        let inputs = [Tensor::scalar_i32(index), a.clone(), x.clone()];
        let ts = [None, Some(tangent_like(&a, 1)), Some(tangent_like(&x, 2))];
        check_fd(&g, &inputs, &ts).unwrap_or_else(|e| panic!("index {}: {}", index, e));
    }
}

// ---------------------------------------------------------------- traced programs

/// Traces the functions of `source` by running it; the IR of `name`.
fn traced(source: &str, name: &str) -> Graph {
    let mut ev = Evaluator::new(Box::new(std::io::sink()));
    let prog = (ev.parse_source("test.nest", source)).unwrap_or_else(|e| panic!("{}", e.message));
    ev.run_program(&prog, ModuleEnv::new("test", None))
        .unwrap_or_else(|e| panic!("{}", e.message));
    let f = ev
        .traces
        .get(name)
        .unwrap_or_else(|| panic!("`{}` was not traced", name));
    f.graph.clone()
}

fn has_prim(g: &Graph, name: &str) -> bool {
    g.eqns
        .iter()
        .any(|e| e.prim.name() == name || e.prim.regions().iter().any(|r| has_prim(r, name)))
}

/// A `for` loop of matrix products: `y A⁵`, whose tangent is
/// `dy A⁵ + Σₖ y Aᵏ dA A⁴⁻ᵏ`.
#[test]
fn traced_matrix_power_loop() {
    let source = "
        fn power(y: f64[2], a: f64[2, 2]) -> f64[2] {
            var z = y;
            for i in 0..5 {
                z = z @ a;
            }
            z
        }
        print(power(cast(ones([2]), f64), cast(eye(2), f64)));
    ";
    let g = traced(source, "power");
    assert!(has_prim(&g, "while"), "the loop is staged");
    let y = f64s(&[2], vec![1.0, -0.5]);
    let a = f64s(&[2, 2], vec![0.9, 0.2, -0.3, 1.1]);
    let (dy, da) = (tangent_like(&y, 1), tangent_like(&a, 2));
    let (_, ts) = check_fd(
        &g,
        &[y.clone(), a.clone()],
        &[Some(dy.clone()), Some(da.clone())],
    )
    .expect("jvp of the traced loop");
    let vm = |v: &[f64], m: &[f64]| -> Vec<f64> {
        (0..2).map(|j| v[0] * m[j] + v[1] * m[2 + j]).collect()
    };
    let (y, a, dy, da) = (
        y.to_f64_vec(),
        a.to_f64_vec(),
        dy.to_f64_vec(),
        da.to_f64_vec(),
    );
    let mut want = dy.clone();
    for _ in 0..5 {
        want = vm(&want, &a);
    }
    for k in 0..5 {
        let mut v = y.clone();
        for _ in 0..k {
            v = vm(&v, &a);
        }
        v = vm(&v, &da);
        for _ in k + 1..5 {
            v = vm(&v, &a);
        }
        want = want.iter().zip(&v).map(|(p, q)| p + q).collect();
    }
    close(&ts[0].as_ref().expect("tangent").to_f64_vec(), &want, 1e-12).expect("closed form");
}

/// `x = x * a` five times: `x a⁵`, with `d = a⁵ dx + 5 x a⁴ da`.
#[test]
fn traced_scalar_power_loop() {
    let source = "
        fn power(x: f64, a: f64) -> f64 {
            var y = x;
            for i in 0..5 {
                y = y * a;
            }
            y
        }
        print(power(cast(1.0, f64), cast(2.0, f64)));
    ";
    let g = traced(source, "power");
    assert!(has_prim(&g, "while"), "the loop is staged");
    let (x, a) = (1.5, 0.9);
    let (dx, da) = (0.3, -0.7);
    let s = Tensor::scalar_f64;
    let (_, ts) = check_fd(&g, &[s(x), s(a)], &[Some(s(dx)), Some(s(da))]).expect("jvp");
    let want = a.powi(5) * dx + 5.0 * x * a.powi(4) * da;
    close(
        &ts[0].as_ref().expect("tangent").to_f64_vec(),
        &[want],
        1e-12,
    )
    .expect("closed form");
}

/// An `if` on a traced scalar, and a `while` with a data-dependent exit.
#[test]
fn traced_conditional_and_while() {
    let source = "
        fn pick(s: f64, y: f64[2], a: f64[2, 2]) -> f64[2] {
            if s > 0.0 { y @ a } else { y }
        }
        fn grow(y: f64[2], a: f64[2, 2]) -> f64[2] {
            var z = y;
            var n = 0;
            while n < 3 {
                z = z @ a;
                n += 1;
            }
            z
        }
        print(pick(cast(1.0, f64), cast(ones([2]), f64), cast(eye(2), f64)));
        print(grow(cast(ones([2]), f64), cast(eye(2), f64)));
    ";
    let pick = traced(source, "pick");
    let grow = traced(source, "grow");
    assert!(has_prim(&pick, "cond") && has_prim(&grow, "while"));
    let y = f64s(&[2], vec![1.0, -0.5]);
    let a = f64s(&[2, 2], vec![0.9, 0.2, -0.3, 1.1]);
    let (dy, da) = (Some(tangent_like(&y, 1)), Some(tangent_like(&a, 2)));
    for s in [1.0, -1.0] {
        let inputs = [Tensor::scalar_f64(s), y.clone(), a.clone()];
        let ts = [Some(Tensor::scalar_f64(0.5)), dy.clone(), da.clone()];
        check_fd(&pick, &inputs, &ts).unwrap_or_else(|e| panic!("s = {}: {}", s, e));
    }
    check_fd(&grow, &[y, a], &[dy, da]).expect("jvp of the while loop");
}
