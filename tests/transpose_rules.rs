//! Checks of the transpose rules of the shape and linear algebra primitives
//! by the dot-product identity: for a graph `L` linear in the chosen inputs,
//! `⟨ct, L(t)⟩ = ⟨Lᵀ(ct), t⟩` for random `t` and `ct`, in f64. Every
//! transposed graph must also verify.

use nest::interp::run_graph;
use nest::ir::verify::verify;
use nest::prims::samples::{samples, variant_name};
use nest::prims::Prim;
use nest::tensor::{Data, Tensor};
use nest::transform::transpose::transpose_graph;
use nest::types::DType;
use std::collections::BTreeMap;

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
    "triangular_solve",
    "sharding_constraint",
];

fn f64s(shape: &[usize], v: Vec<f64>) -> Tensor {
    Tensor::new(shape.to_vec(), Data::F64(v)).expect("tensor")
}

/// Pseudo-random values in `[-1, 1)` of `shape` (a fixed LCG per seed).
fn random(shape: &[usize], seed: u64) -> Tensor {
    let mut s = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let n: usize = shape.iter().product();
    let v = (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect();
    f64s(shape, v)
}

fn widened(t: &Tensor) -> Tensor {
    match t.dtype() {
        DType::F32 => f64s(t.shape(), t.to_f64_vec()),
        _ => t.clone(),
    }
}

/// `⟨a, b⟩` and `Σ |aᵢ bᵢ|` (the scale for the tolerance).
fn dot(a: &[Tensor], b: &[Tensor]) -> Result<(f64, f64), String> {
    let mut sum = 0.0;
    let mut mag = 0.0;
    for (x, y) in a.iter().zip(b) {
        if x.shape() != y.shape() {
            return Err(format!(
                "shapes differ: {:?} and {:?}",
                x.shape(),
                y.shape()
            ));
        }
        for (p, q) in x.to_f64_vec().iter().zip(y.to_f64_vec()) {
            sum += p * q;
            mag += (p * q).abs();
        }
    }
    Ok((sum, mag))
}

/// Checks the identity for the one-equation graph of `prim` at `inputs`,
/// linear in the inputs marked `linear` (the other inputs are constants).
fn check(prim: &Prim, inputs: &[Tensor], linear: &[bool], seed: u64) -> Result<(), String> {
    let sample = nest::prims::samples::Sample {
        prim: prim.clone(),
        inputs: inputs.to_vec(),
        note: "",
    };
    let g = sample.graph()?;
    let tr = transpose_graph(&g, linear)?;
    verify(&tr).map_err(|e| format!("transposed graph fails to verify: {}", e))?;
    // L(t): the linear inputs replaced by t.
    let mut args = vec![];
    let mut ts = vec![];
    let mut consts = vec![];
    for (k, (x, &l)) in inputs.iter().zip(linear).enumerate() {
        if l {
            let t = random(x.shape(), seed * 31 + k as u64);
            ts.push(t.clone());
            args.push(t);
        } else {
            args.push(x.clone());
            consts.push(x.clone());
        }
    }
    let outs = run_graph(&g, &args)?;
    let cts: Vec<Tensor> = (outs.iter().enumerate())
        .map(|(k, o)| random(o.shape(), seed * 17 + 1000 + k as u64))
        .collect();
    consts.extend(cts.iter().cloned());
    let back = run_graph(&tr, &consts)?;
    if back.len() != ts.len() {
        return Err(format!(
            "{} cotangents for {} linear inputs",
            back.len(),
            ts.len()
        ));
    }
    let (lhs, m1) = dot(&cts, &outs)?;
    let (rhs, m2) = dot(&back, &ts)?;
    if (lhs - rhs).abs() > 1e-10 * (1.0 + m1 + m2) {
        return Err(format!("⟨ct, L t⟩ = {} but ⟨Lᵀ ct, t⟩ = {}", lhs, rhs));
    }
    Ok(())
}

/// The sets of inputs to make linear: each float input alone, and (for the
/// primitives linear in all their float inputs together) all of them.
fn linear_sets(name: &str, inputs: &[Tensor]) -> Vec<Vec<bool>> {
    let floats: Vec<bool> = inputs.iter().map(|t| t.dtype() == DType::F64).collect();
    let idx: Vec<usize> = (0..inputs.len()).filter(|&k| floats[k]).collect();
    let mut sets = vec![];
    for &k in &idx {
        if name == "triangular_solve" && k == 0 {
            continue;
        }
        sets.push((0..inputs.len()).map(|j| j == k).collect());
    }
    let bilinear = name == "dot_general" || name == "triangular_solve";
    if idx.len() > 1 && !bilinear {
        sets.push(floats);
    }
    sets
}

/// For the shape primitives, constant float operands (a padding value, the
/// other pieces of a concatenation) must be zero for the map to be linear
/// rather than affine; the linear algebra primitives keep their constants.
fn zero_constants(name: &str, inputs: &[Tensor], linear: &[bool]) -> Vec<Tensor> {
    let keep = name == "dot_general" || name == "triangular_solve";
    (inputs.iter().zip(linear))
        .map(|(x, &l)| {
            if !keep && !l && x.dtype() == DType::F64 {
                Tensor::zeros(&x.ty())
            } else {
                x.clone()
            }
        })
        .collect()
}

#[test]
fn samples_satisfy_the_dot_product_identity() {
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = vec![];
    for (n, s) in samples().into_iter().enumerate() {
        let name = variant_name(&s.prim);
        if !CHECKED.contains(&name) || s.inputs.iter().any(|t| t.dtype().is_complex()) {
            continue;
        }
        let inputs: Vec<Tensor> = s.inputs.iter().map(widened).collect();
        for linear in linear_sets(name, &inputs) {
            let args = zero_constants(name, &inputs, &linear);
            match check(&s.prim, &args, &linear, n as u64) {
                Ok(()) => *checked.entry(name).or_default() += 1,
                Err(e) => failures.push(format!("{} ({}) {:?}: {}", name, s.note, linear, e)),
            }
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

/// `triangular_solve` is not linear in its matrix, nor `dot_general` in both
/// operands at once: transposing them is an error, not a wrong graph.
#[test]
fn nonlinear_uses_are_rejected() {
    for s in samples() {
        let name = variant_name(&s.prim);
        let linear = match name {
            "triangular_solve" => vec![true, false],
            "dot_general" => vec![true, true],
            _ => continue,
        };
        if s.inputs
            .iter()
            .any(|t| t.dtype() != DType::F32 && t.dtype() != DType::F64)
        {
            continue;
        }
        let g = s.graph().expect("sample graph");
        let e = transpose_graph(&g, &linear).expect_err("must be rejected");
        assert!(!e.is_internal(), "{:?}", e);
        assert!(e.to_string().contains("not linear"), "{}", e);
    }
}
