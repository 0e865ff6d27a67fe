//! JVP rules against central finite differences over the sample table
//! ([`crate::prims::samples`]), and the conventions at points where the
//! function is not differentiable, which finite differences cannot decide.
//!
//! A point is checked only where the central difference converges (its
//! values at steps `h` and `h/2` agree) and every value is finite; there
//! the JVP must match it. At a kink where it converges (a tie in `max`,
//! `|x|` at 0) it is the mean of the one-sided slopes, which is the
//! convention the rules follow.

use crate::interp::run_graph;
use crate::ir::verify::verify;
use crate::prims::samples::{samples, Sample};
use crate::prims::{Binary, Convert, Reduce, Select, Unary};
use crate::prims::{BinaryOp, Prim, ReduceOp, UnaryOp};
use crate::tensor::{Data, Tensor, C128, C64};
use crate::transform::jvp::jvp_graph;
use crate::types::DType;
use std::collections::BTreeMap;

/// A complex number as `(re, im)`; reals have `im = 0`.
type Z = (f64, f64);

/// Step, relative tolerance and unit roundoff of a precision class.
struct Precision {
    h: f64,
    rtol: f64,
    unit: f64,
}

const HIGH: Precision = Precision {
    h: 1e-6,
    rtol: 1e-6,
    unit: 1.2e-16,
};
/// For samples that touch `f32` or `c64`.
const LOW: Precision = Precision {
    h: 1e-3,
    rtol: 2e-3,
    unit: 6e-8,
};

fn norm((re, im): Z) -> f64 {
    re.hypot(im)
}

fn sub((a, b): Z, (c, d): Z) -> Z {
    (a - c, b - d)
}

fn finite((re, im): Z) -> bool {
    re.is_finite() && im.is_finite()
}

/// A deterministic value in `±[0.5, 1]`.
fn pseudo(i: usize, salt: usize) -> f64 {
    let mut s = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (salt as u64 + 7) << 32;
    s ^= s >> 29;
    s = s.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    s ^= s >> 32;
    let u = (s >> 11) as f64 / (1u64 << 53) as f64;
    let m = 0.5 + 0.5 * u;
    if s & 1 == 0 {
        m
    } else {
        -m
    }
}

fn from_pairs(d: DType, shape: &[usize], v: &[Z]) -> Tensor {
    let data = match d {
        DType::F64 => Data::F64(v.iter().map(|z| z.0).collect()),
        DType::F32 => Data::F32(v.iter().map(|z| z.0 as f32).collect()),
        DType::C64 => Data::C64(v.iter().map(|z| C64::new(z.0 as f32, z.1 as f32)).collect()),
        DType::C128 => Data::C128(v.iter().map(|z| C128::new(z.0, z.1)).collect()),
        d => panic!("no tangent of dtype {}", d),
    };
    Tensor::new(shape.to_vec(), data).expect("sizes agree")
}

/// A tangent for `x`: pseudo-random, of size about `max(1, |x|)` per
/// element (so that the step is visible in `f32`), 0 at non-finite `x`.
fn direction(x: &Tensor, salt: usize) -> Tensor {
    let v: Vec<Z> = x
        .to_c64_vec()
        .iter()
        .enumerate()
        .map(|(k, &z)| {
            let scale = if finite(z) { norm(z).max(1.0) } else { 0.0 };
            let im = if x.dtype().is_complex() {
                pseudo(k, salt + 100)
            } else {
                0.0
            };
            (scale * pseudo(k, salt), scale * im)
        })
        .collect();
    from_pairs(x.dtype(), x.shape(), &v)
}

/// `x + h t`.
fn step(x: &Tensor, t: &Tensor, h: f64) -> Tensor {
    let v: Vec<Z> = x
        .to_c64_vec()
        .iter()
        .zip(t.to_c64_vec())
        .map(|(a, b)| (a.0 + h * b.0, a.1 + h * b.1))
        .collect();
    from_pairs(x.dtype(), x.shape(), &v)
}

/// The sample's outputs at `inputs + h tangents`, as complex pairs.
fn outputs_at(s: &Sample, ts: &[Option<Tensor>], h: f64) -> Vec<Vec<Z>> {
    let g = s.graph().expect("sample graph");
    let xs: Vec<Tensor> = s
        .inputs
        .iter()
        .zip(ts)
        .map(|(x, t)| t.as_ref().map_or_else(|| x.clone(), |t| step(x, t, h)))
        .collect();
    let out = run_graph(&g, &xs).expect("sample runs");
    out.iter().map(Tensor::to_c64_vec).collect()
}

/// Checks the JVP of a sample with tangents on the inputs in `mask`;
/// returns the number of output elements compared.
fn check(s: &Sample, mask: &[bool]) -> usize {
    let what = format!("{:?} ({}) mask {:?}", s.prim, s.note, mask);
    let g = s.graph().expect("sample graph");
    let jvp = jvp_graph(&g, mask).unwrap_or_else(|e| panic!("{}: {}", what, e));
    verify(&jvp.graph).unwrap_or_else(|e| panic!("{}: {}", what, e));
    let ts: Vec<Option<Tensor>> = s
        .inputs
        .iter()
        .enumerate()
        .map(|(i, x)| (mask[i] && x.dtype().is_inexact()).then(|| direction(x, i)))
        .collect();
    let mut args = s.inputs.clone();
    args.extend(ts.iter().flatten().cloned());
    let out = run_graph(&jvp.graph, &args).unwrap_or_else(|e| panic!("{}: {}", what, e));
    let low = s
        .inputs
        .iter()
        .map(Tensor::dtype)
        .chain(g.output_types().into_iter().map(|t| t.dtype));
    let p = if low
        .into_iter()
        .any(|d| matches!(d, DType::F32 | DType::C64))
    {
        &LOW
    } else {
        &HIGH
    };
    let runs: Vec<Vec<Vec<Z>>> = [p.h, -p.h, p.h / 2.0, -p.h / 2.0]
        .iter()
        .map(|&h| outputs_at(s, &ts, h))
        .collect();
    let mut tangents = out[g.outputs.len()..].iter();
    let mut checked = 0;
    for (j, o) in g.outputs.iter().enumerate() {
        let nonzero = jvp.out_nonzero[j];
        let tangent = nonzero.then(|| tangents.next().expect("a tangent output"));
        if !o.ty().dtype.is_inexact() {
            assert!(!nonzero, "{}: tangent for an integer output", what);
            continue;
        }
        let tv = tangent.map(Tensor::to_c64_vec);
        let f0 = out[j].to_c64_vec();
        for k in (0..f0.len()).filter(|&k| finite_inputs(s, f0.len(), k)) {
            let jv = tv.as_ref().map_or((0.0, 0.0), |v| v[k]);
            let at = |r: usize| runs[r][j][k];
            let msg = || format!("{}: output {} element {}", what, j, k);
            checked += compare_point(p, [at(0), at(1), at(2), at(3), f0[k]], jv, msg) as usize;
        }
    }
    checked
}

/// Whether the inputs of output element `k` are finite, for inputs of the
/// output's size (elementwise); the rules need not give a finite tangent at
/// an infinite or NaN input.
fn finite_inputs(s: &Sample, size: usize, k: usize) -> bool {
    let same = s
        .inputs
        .iter()
        .filter(|x| x.size() == size && x.dtype().is_inexact());
    same.into_iter().all(|x| finite(x.to_c64_vec()[k]))
}

/// Compares one JVP value with the central difference from `f(x + h t)`,
/// `f(x - h t)`, the same at `h/2`, and `f(x)`; false if the point is skipped.
fn compare_point(p: &Precision, f: [Z; 5], jv: Z, msg: impl Fn() -> String) -> bool {
    let [fp, fm, fp2, fm2, f0] = f;
    if !f.iter().all(|&z| finite(z)) {
        return false;
    }
    let d = sub(fp, fm);
    let fd = (d.0 / (2.0 * p.h), d.1 / (2.0 * p.h));
    let d2 = sub(fp2, fm2);
    let fd2 = (d2.0 / p.h, d2.1 / p.h);
    let round = p.unit * (norm(fp) + norm(fm) + norm(f0)) / p.h;
    let converged =
        norm(sub(fd, fd2)) <= 0.05 * (norm(fd) + norm(fd2)) + 8.0 * round + 10.0 * p.rtol;
    if !converged {
        return false;
    }
    let err = norm(sub(jv, fd));
    let tol = p.rtol * (1.0 + norm(jv) + norm(fd)) + 4.0 * round;
    assert!(
        err <= tol,
        "{}: jvp {:?}, finite difference {:?}",
        msg(),
        jv,
        fd
    );
    true
}

/// Checks every sample whose primitive passes `filter`, with tangents on all
/// inputs and (for several inexact inputs) on each alone; every primitive
/// with an inexact result must have some point checked.
fn check_samples(filter: impl Fn(&Prim) -> bool) {
    let mut checked: BTreeMap<String, usize> = BTreeMap::new();
    for s in samples().iter().filter(|s| filter(&s.prim)) {
        let inexact: Vec<usize> = (0..s.inputs.len())
            .filter(|&i| s.inputs[i].dtype().is_inexact())
            .collect();
        if inexact.is_empty() {
            continue;
        }
        let n = s.inputs.len();
        let mut masks = vec![vec![true; n]];
        if inexact.len() > 1 {
            masks.extend(inexact.iter().map(|&i| (0..n).map(|k| k == i).collect()));
        }
        let g = s.graph().expect("sample graph");
        let out_ty = g.output_types();
        let key = format!("{} -> {:?}", s.prim.name(), out_ty.first().map(|t| t.dtype));
        let count = checked.entry(key).or_default();
        for m in &masks {
            *count += check(s, m);
        }
        if !out_ty.iter().any(|t| t.dtype.is_inexact()) {
            *count += 1;
        }
    }
    assert!(!checked.is_empty());
    for (k, &n) in &checked {
        assert!(n > 0, "{}: no point was checked", k);
    }
}

#[test]
fn reduction_jvps_match_finite_differences() {
    // Sums, products with zeros, extremes with ties (a tie of two
    // matches the central difference), NaN and infinities (skipped).
    check_samples(|p| p.downcast_ref::<Reduce>().is_some());
}

#[test]
fn elementwise_jvps_match_finite_differences() {
    check_samples(|p| {
        p.downcast_ref::<Unary>().is_some()
            || p.downcast_ref::<Binary>().is_some()
            || p.downcast_ref::<Select>().is_some()
            || p.downcast_ref::<Convert>().is_some()
    });
}

// ---- conventions, exact values, and IR size ----

fn f64s(v: &[f64]) -> Tensor {
    Tensor::new(vec![v.len()], Data::F64(v.to_vec())).expect("test tensor")
}

fn c64s(v: &[(f32, f32)]) -> Tensor {
    let data = Data::C64(v.iter().map(|&(re, im)| C64::new(re, im)).collect());
    Tensor::new(vec![v.len()], data).expect("test tensor")
}

/// The output tangents of `prim` at `inputs` along `tangents` (`None`
/// where the JVP gives a symbolic zero).
fn jvp_at(prim: Prim, inputs: &[Tensor], tangents: &[Option<Tensor>]) -> Vec<Option<Tensor>> {
    let s = Sample {
        prim,
        inputs: inputs.to_vec(),
        note: "",
    };
    let g = s.graph().expect("graph");
    let mask: Vec<bool> = tangents.iter().map(Option::is_some).collect();
    let jvp = jvp_graph(&g, &mask).expect("jvp");
    verify(&jvp.graph).expect("verified");
    let mut args = inputs.to_vec();
    args.extend(tangents.iter().flatten().cloned());
    let out = run_graph(&jvp.graph, &args).expect("runs");
    let mut ts = out[g.outputs.len()..].iter().cloned();
    jvp.out_nonzero
        .iter()
        .map(|&nz| if nz { ts.next() } else { None })
        .collect()
}

fn one_tangent(prim: Prim, inputs: &[Tensor], tangents: &[Option<Tensor>]) -> Vec<Z> {
    let t = jvp_at(prim, inputs, tangents).pop().flatten();
    t.expect("a nonzero tangent").to_c64_vec()
}

#[test]
fn max_and_min_take_the_selected_tangent_and_split_ties() {
    let (x, y) = (f64s(&[1.0, 2.0, 3.0]), f64s(&[1.0, 5.0, 0.0]));
    let ts = [Some(f64s(&[1.0; 3])), Some(f64s(&[3.0; 3]))];
    let max = one_tangent(
        Prim::new(Binary(BinaryOp::Max)),
        &[x.clone(), y.clone()],
        &ts,
    );
    assert_eq!(max, vec![(2.0, 0.0), (3.0, 0.0), (1.0, 0.0)]);
    let min = one_tangent(Prim::new(Binary(BinaryOp::Min)), &[x, y], &ts);
    assert_eq!(min, vec![(2.0, 0.0), (1.0, 0.0), (3.0, 0.0)]);
}

#[test]
fn abs_and_sign_at_zero_have_zero_tangent() {
    let t = Some(f64s(&[1.0, 1.0]));
    let abs = one_tangent(Prim::new(Unary(UnaryOp::Abs)), &[f64s(&[0.0, -2.0])], &[t]);
    assert_eq!(abs, vec![(0.0, 0.0), (-1.0, 0.0)]);
    let z = c64s(&[(0.0, 0.0)]);
    let tz = Some(c64s(&[(1.0, 1.0)]));
    let abs = one_tangent(
        Prim::new(Unary(UnaryOp::Abs)),
        std::slice::from_ref(&z),
        std::slice::from_ref(&tz),
    );
    assert_eq!(abs, vec![(0.0, 0.0)]);
    let sign = one_tangent(Prim::new(Unary(UnaryOp::Sign)), &[z], &[tz]);
    assert_eq!(sign, vec![(0.0, 0.0)]);
    for op in [UnaryOp::Sign, UnaryOp::Floor, UnaryOp::Ceil, UnaryOp::Round] {
        let t = jvp_at(Prim::new(Unary(op)), &[f64s(&[0.5])], &[Some(f64s(&[1.0]))]);
        assert!(t[0].is_none(), "{:?} has a zero tangent", op);
    }
}

#[test]
fn complex_sign_turns_along_the_unit_circle() {
    // sign(z) = z/|z| at z = 2: a real step leaves it, an imaginary step i
    // turns it by i/2.
    let x = c64s(&[(2.0, 0.0), (2.0, 0.0)]);
    let t = Some(c64s(&[(1.0, 0.0), (0.0, 1.0)]));
    let sign = one_tangent(Prim::new(Unary(UnaryOp::Sign)), &[x], &[t]);
    assert_eq!(sign, vec![(0.0, 0.0), (0.0, 0.5)]);
}

#[test]
fn pow_at_a_zero_base_is_finite() {
    // d(0^2) = 0, d(0^0) = 0 (constant in x, log-term taken as 0), d(0^1) = tx.
    let (x, y) = (f64s(&[0.0, 0.0, 0.0]), f64s(&[2.0, 0.0, 1.0]));
    let ts = [Some(f64s(&[1.0; 3])), Some(f64s(&[1.0; 3]))];
    let d = one_tangent(Prim::new(Binary(BinaryOp::Pow)), &[x, y], &ts);
    assert_eq!(d, vec![(0.0, 0.0), (0.0, 0.0), (1.0, 0.0)]);
}

#[test]
fn conversions_carry_tangents_between_inexact_dtypes_only() {
    let x = f64s(&[1.5, -2.0]);
    let t = Some(f64s(&[3.0, 4.0]));
    let to_int = jvp_at(
        Prim::new(Convert(DType::I32)),
        std::slice::from_ref(&x),
        std::slice::from_ref(&t),
    );
    assert!(to_int[0].is_none());
    let to_c = one_tangent(Prim::new(Convert(DType::C64)), &[x], &[t]);
    assert_eq!(to_c, vec![(3.0, 0.0), (4.0, 0.0)]);
    let z = c64s(&[(1.0, 2.0)]);
    let tz = Some(c64s(&[(5.0, 6.0)]));
    let to_f = one_tangent(Prim::new(Convert(DType::F32)), &[z], &[tz]);
    assert_eq!(to_f, vec![(5.0, 0.0)]);
}

#[test]
fn symbolic_zeros_emit_no_ir() {
    let (x, y) = (f64s(&[1.0]), f64s(&[2.0]));
    let s = Sample {
        prim: Prim::new(Binary(BinaryOp::Add)),
        inputs: vec![x, y],
        note: "",
    };
    let g = s.graph().expect("graph");
    let jvp = jvp_graph(&g, &[true, false]).expect("jvp");
    assert_eq!(
        jvp.graph.eqns.len(),
        1,
        "add passes the one tangent through"
    );
    let mul = Sample {
        prim: Prim::new(Binary(BinaryOp::Mul)),
        ..s
    };
    let jvp = jvp_graph(&mul.graph().expect("graph"), &[false, true]).expect("jvp");
    assert_eq!(jvp.graph.eqns.len(), 2, "one product for the one tangent");
}

#[test]
fn reduce_max_averages_ties() {
    let x = f64s(&[3.0, 1.0, 3.0, 3.0]);
    let t = Some(f64s(&[1.0, 10.0, 2.0, 6.0]));
    let max = Prim::new(Reduce {
        op: ReduceOp::Max,
        axes: vec![0],
    });
    assert_eq!(one_tangent(max, &[x], &[t]), vec![(3.0, 0.0)]);
}

#[test]
fn reduce_prod_is_exact_with_zeros() {
    let x = Tensor::new(
        vec![3, 3],
        Data::F64(vec![2.0, 0.0, 3.0, 0.0, 0.0, 5.0, 2.0, 4.0, 1.0]),
    )
    .expect("test tensor");
    let t = Tensor::new(vec![3, 3], Data::F64(vec![1.0; 9])).expect("test tensor");
    let prod = Prim::new(Reduce {
        op: ReduceOp::Prod,
        axes: vec![1],
    });
    let d = one_tangent(prod, &[x], &[Some(t)]);
    assert_eq!(d, vec![(6.0, 0.0), (0.0, 0.0), (14.0, 0.0)]);
}
