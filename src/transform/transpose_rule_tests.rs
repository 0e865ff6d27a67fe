//! Transpose rules checked by the dot-product identity
//! `<ct, L(t)> = <Lᵀ(ct), t>` for `<a, b> = Re sum(a b)` (JAX's
//! convention: transposition, no conjugate), on
//! one-equation graphs with pseudo-random inputs.

use crate::interp::run_graph;
use crate::ir::verify::verify;
use crate::ir::{fresh_var, Atom, Eqn, Graph};
use crate::prims::{Binary, Convert, Reduce, Select, Unary};
use crate::prims::{BinaryOp, Prim, ReduceOp, UnaryOp};
use crate::tensor::{Data, Tensor, C64};
use crate::transform::transpose::transpose_graph;
use crate::types::{DType, TensorType};

fn ty(d: DType, shape: &[usize]) -> TensorType {
    TensorType::new(d, shape.to_vec())
}

/// Pseudo-random values in [-1, 1).
fn pseudo(i: usize, salt: usize) -> f64 {
    let mut h = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (salt as u64 + 7);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 32;
    (h % 2000) as f64 / 1000.0 - 1.0
}

fn random(t: &TensorType, salt: usize) -> Tensor {
    fill(t, |k| pseudo(k, salt))
}

fn fill(t: &TensorType, v: impl Fn(usize) -> f64) -> Tensor {
    let n: usize = t.shape.iter().product();
    let data = match t.dtype {
        DType::F64 => Data::F64((0..n).map(v).collect()),
        DType::F32 => Data::F32((0..n).map(|k| v(k) as f32).collect()),
        DType::C64 => Data::C64(
            (0..n)
                .map(|k| C64::new(v(2 * k) as f32, v(2 * k + 1) as f32))
                .collect(),
        ),
        DType::Bool => Data::Bool((0..n).map(|k| v(k) > 0.0).collect()),
        _ => panic!("test dtype {}", t.dtype),
    };
    Tensor::new(t.shape.clone(), data).expect("test tensor")
}

/// `a - b` elementwise, as `f64` pairs.
fn diff(a: &Tensor, b: &Tensor) -> Vec<(f64, f64)> {
    let b = b.to_c64_vec();
    a.to_c64_vec()
        .into_iter()
        .zip(b)
        .map(|((ar, ai), (br, bi))| (ar - br, ai - bi))
        .collect()
}

/// `Re sum(a b)` over several tensors.
fn inner(a: &[Tensor], b: &[Tensor]) -> f64 {
    assert_eq!(a.len(), b.len());
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b) {
        s += dot(&x.to_c64_vec(), &y.to_c64_vec());
    }
    s
}

fn dot(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    a.iter()
        .zip(b)
        .map(|((ar, ai), (br, bi))| ar * br - ai * bi)
        .sum()
}

/// The one-equation graph `prim(inputs)`.
fn graph(prim: Prim, types: &[TensorType]) -> Graph {
    let inputs: Vec<_> = types.iter().cloned().map(fresh_var).collect();
    let outs = prim.infer(types).expect("infer");
    let outputs: Vec<_> = outs.into_iter().map(fresh_var).collect();
    Graph {
        eqns: vec![Eqn {
            prim,
            inputs: inputs.iter().cloned().map(Atom::Var).collect(),
            outputs: outputs.clone(),
        }],
        inputs,
        outputs: outputs.into_iter().map(Atom::Var).collect(),
    }
}

/// Checks the dot-product identity for `prim` linear in `linear`.
fn check(prim: Prim, types: &[TensorType], linear: &[bool], tol: f64) {
    let g = graph(prim.clone(), types);
    let tg = transpose_graph(&g, linear).expect("transpose");
    verify(&tg).expect("transposed graph verifies");
    for salt in 0..3 {
        let xs: Vec<Tensor> = types
            .iter()
            .enumerate()
            .map(|(i, t)| random(t, 10 * salt + i))
            .collect();
        let ys = run_graph(&g, &xs).expect("run primal");
        // The graph is affine in the linear inputs (`x + c`): its linear
        // part is `L(t) = g(t, c) - g(0, c)`.
        let zs: Vec<Tensor> = (0..xs.len())
            .map(|i| match linear[i] {
                true => fill(&types[i], |_| 0.0),
                false => xs[i].clone(),
            })
            .collect();
        let y0 = run_graph(&g, &zs).expect("run at zero");
        let cts: Vec<Tensor> = ys.iter().map(|y| random(&y.ty(), 100 + salt)).collect();
        let mut targs: Vec<Tensor> = (0..xs.len())
            .filter(|&i| !linear[i])
            .map(|i| xs[i].clone())
            .collect();
        targs.extend(cts.iter().cloned());
        let back = run_graph(&tg, &targs).expect("run transpose");
        let ts: Vec<Tensor> = (0..xs.len())
            .filter(|&i| linear[i])
            .map(|i| xs[i].clone())
            .collect();
        let lhs: f64 = (cts.iter().zip(ys.iter().zip(&y0)))
            .map(|(ct, (y, z))| dot(&ct.to_c64_vec(), &diff(y, z)))
            .sum();
        let rhs = inner(&back, &ts);
        assert!(
            (lhs - rhs).abs() <= tol * (1.0 + lhs.abs()),
            "{}: <ct, L t> = {} but <Lᵀ ct, t> = {}",
            prim.name(),
            lhs,
            rhs
        );
    }
}

fn fails(prim: Prim, types: &[TensorType], linear: &[bool]) {
    let g = graph(prim.clone(), types);
    assert!(transpose_graph(&g, linear).is_err(), "{}", prim.name());
}

const F64: f64 = 1e-12;
const F32: f64 = 1e-5;

#[test]
fn unary_rules_are_adjoint() {
    let v = [4, 3];
    check(
        Prim::new(Unary(UnaryOp::Neg)),
        &[ty(DType::F64, &v)],
        &[true],
        F64,
    );
    check(
        Prim::new(Unary(UnaryOp::Neg)),
        &[ty(DType::C64, &v)],
        &[true],
        F32,
    );
    for op in [UnaryOp::Real, UnaryOp::Imag, UnaryOp::Conj] {
        check(Prim::new(Unary(op)), &[ty(DType::C64, &v)], &[true], F32);
        check(Prim::new(Unary(op)), &[ty(DType::F64, &v)], &[true], F64);
    }
}

#[test]
fn nonlinear_unary_ops_are_refused() {
    for op in [UnaryOp::Exp, UnaryOp::Abs, UnaryOp::Sin] {
        fails(Prim::new(Unary(op)), &[ty(DType::F64, &[3])], &[true]);
    }
}

#[test]
fn binary_rules_are_adjoint() {
    for (d, tol) in [(DType::F64, F64), (DType::C64, F32)] {
        let t = [ty(d, &[5]), ty(d, &[5])];
        for op in [BinaryOp::Add, BinaryOp::Sub] {
            for lin in [[true, true], [true, false], [false, true]] {
                check(Prim::new(Binary(op)), &t, &lin, tol);
            }
        }
        check(Prim::new(Binary(BinaryOp::Mul)), &t, &[true, false], tol);
        check(Prim::new(Binary(BinaryOp::Mul)), &t, &[false, true], tol);
        check(Prim::new(Binary(BinaryOp::Div)), &t, &[true, false], tol);
    }
    let t = [ty(DType::F32, &[2, 3]), ty(DType::F32, &[2, 3])];
    for lin in [[true, true], [true, false], [false, true]] {
        check(Prim::new(Binary(BinaryOp::Complex)), &t, &lin, F32);
    }
}

#[test]
fn nonlinear_binary_uses_are_refused() {
    let t = [ty(DType::F64, &[3]), ty(DType::F64, &[3])];
    fails(Prim::new(Binary(BinaryOp::Mul)), &t, &[true, true]);
    fails(Prim::new(Binary(BinaryOp::Div)), &t, &[false, true]);
    fails(Prim::new(Binary(BinaryOp::Div)), &t, &[true, true]);
    fails(Prim::new(Binary(BinaryOp::Pow)), &t, &[true, false]);
    fails(Prim::new(Binary(BinaryOp::Max)), &t, &[true, false]);
}

#[test]
fn select_sends_the_cotangent_to_the_chosen_branch() {
    for (d, tol) in [(DType::F64, F64), (DType::C64, F32)] {
        let t = [ty(DType::Bool, &[6]), ty(d, &[6]), ty(d, &[6])];
        for lin in [
            [false, true, true],
            [false, true, false],
            [false, false, true],
        ] {
            check(Prim::new(Select), &t, &lin, tol);
        }
    }
}

#[test]
fn convert_between_inexact_dtypes_is_adjoint() {
    let pairs = [
        (DType::F32, DType::F64),
        (DType::F64, DType::F32),
        (DType::F32, DType::C64),
        (DType::F64, DType::C64),
        (DType::C64, DType::F32),
        (DType::C64, DType::F64),
    ];
    for (from, to) in pairs {
        check(Prim::new(Convert(to)), &[ty(from, &[4])], &[true], F32);
    }
    fails(
        Prim::new(Convert(DType::I32)),
        &[ty(DType::F64, &[4])],
        &[true],
    );
}

#[test]
fn sum_transposes_to_a_broadcast() {
    let cases: [(&[usize], &[usize]); 4] = [
        (&[2, 3, 4], &[1]),
        (&[2, 3, 4], &[0, 2]),
        (&[2, 3], &[0, 1]),
        (&[2, 3], &[]),
    ];
    for (shape, axes) in cases {
        let sum = Prim::new(Reduce {
            op: ReduceOp::Sum,
            axes: axes.to_vec(),
        });
        check(sum.clone(), &[ty(DType::F64, shape)], &[true], F64);
        check(sum, &[ty(DType::C64, shape)], &[true], F32);
    }
    let max = Prim::new(Reduce {
        op: ReduceOp::Max,
        axes: vec![0],
    });
    fails(max, &[ty(DType::F64, &[3])], &[true]);
}
