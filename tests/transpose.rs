//! The table-driven check of every transpose rule: for every f64 sample of
//! every primitive (`nest::prims::samples`) and every input the primitive
//! claims to be linear in (its transpose rule accepts it), the dot-product
//! identity ⟨ct, L(t)⟩ = ⟨Lᵀ(ct), t⟩ holds, where L(t) = f(t) − f(0) with the
//! other inputs fixed.

mod common;

use common::{dot, random_like};
use nest::interp::run_graph;
use nest::ir::verify::verify;
use nest::prims::samples::{evaluable, samples, Sample};
use nest::tensor::{Data, Tensor};
use nest::transform::transpose::transpose_graph;
use nest::types::DType;
use std::collections::BTreeSet;

fn zeros_like(t: &Tensor) -> Tensor {
    Tensor::new(t.shape().to_vec(), Data::F64(vec![0.0; t.size()])).expect("same size")
}

/// An f32 or f64 tensor as f64 with every non-finite element replaced.
fn widen(t: &Tensor, seed: &mut u64) -> Tensor {
    if !matches!(t.dtype(), DType::F32 | DType::F64) {
        return t.clone();
    }
    let noise = random_like(t, seed).to_f64_vec();
    let v: Vec<f64> = t
        .to_f64_vec()
        .iter()
        .zip(noise)
        .map(|(x, n)| if x.is_finite() { *x } else { 1.0 + 0.5 * n })
        .collect();
    Tensor::new(t.shape().to_vec(), Data::F64(v)).expect("same size")
}

/// Primitives that are linear in at least one input and must be checked.
const LINEAR: &[&str] = &[
    "neg",
    "add",
    "sub",
    "mul",
    "div",
    "select",
    "convert",
    "reduce_sum",
    "broadcast_in_dim",
    "reshape",
    "transpose",
    "slice",
    "reverse",
    "pad",
    "concatenate",
    "dynamic_slice",
    "dynamic_update_slice",
    "dot_general",
    "triangular_solve",
    "custom_vjp_lin",
];

#[test]
fn every_transpose_rule_passes_the_dot_product_test() {
    let mut seed = 7;
    let mut checked = BTreeSet::new();
    let mut failures = vec![];
    for s in samples() {
        // f32 samples are checked in f64; infinities and NaNs (there for the
        // lowering tests) are replaced by ordinary values.
        let inputs: Vec<Tensor> = s.inputs.iter().map(|t| widen(t, &mut seed)).collect();
        let s = Sample {
            prim: s.prim.clone(),
            inputs,
            note: s.note,
        };
        let Ok(g) = s.graph() else { continue };
        // A custom_vjp's tangent map L runs as its `bwd` transposed.
        let Ok(run) = evaluable(&g) else { continue };
        if g.outputs.iter().any(|o| o.ty().dtype != DType::F64) {
            continue;
        }
        for i in 0..s.inputs.len() {
            if s.inputs[i].dtype() != DType::F64 {
                continue;
            }
            let linear: Vec<bool> = (0..s.inputs.len()).map(|j| j == i).collect();
            let Ok(tg) = transpose_graph(&g, &linear) else {
                continue;
            };
            if let Err(e) = verify(&tg) {
                failures.push(format!(
                    "{} ({}), input {i}: transposed graph does not verify: {e}",
                    s.prim.name(),
                    s.note
                ));
                continue;
            }
            let t = random_like(&s.inputs[i], &mut seed);
            let with = |x: Tensor| -> Vec<Tensor> {
                let mut v = s.inputs.clone();
                v[i] = x;
                v
            };
            let (Ok(ft), Ok(f0)) = (
                run_graph(&run, &with(t.clone())),
                run_graph(&run, &with(zeros_like(&t))),
            ) else {
                continue;
            };
            let cts: Vec<Tensor> = ft.iter().map(|o| random_like(o, &mut seed)).collect();
            let mut args: Vec<Tensor> = s
                .inputs
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, x)| x.clone())
                .collect();
            args.extend(cts.iter().cloned());
            let back = match run_graph(&tg, &args) {
                Ok(b) => b,
                Err(e) => {
                    failures.push(format!(
                        "{} ({}), input {i}: transposed graph fails: {e}",
                        s.prim.name(),
                        s.note
                    ));
                    continue;
                }
            };
            let lhs: f64 = ft
                .iter()
                .zip(&f0)
                .zip(&cts)
                .map(|((a, b), ct)| {
                    let l: Vec<f64> = a
                        .to_f64_vec()
                        .iter()
                        .zip(b.to_f64_vec())
                        .map(|(x, y)| x - y)
                        .collect();
                    l.iter()
                        .zip(ct.to_f64_vec())
                        .map(|(x, y)| x * y)
                        .sum::<f64>()
                })
                .sum();
            let rhs = dot(&back[0], &t);
            let scale = 1.0f64.max(lhs.abs()).max(rhs.abs());
            if (lhs - rhs).abs() > 1e-9 * scale {
                failures.push(format!(
                    "{} ({}), input {i}: <ct, L t> = {lhs} but <L^T ct, t> = {rhs}",
                    s.prim.name(),
                    s.note
                ));
            } else {
                checked.insert(s.prim.name());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let missing: Vec<&&str> = LINEAR.iter().filter(|n| !checked.contains(**n)).collect();
    assert!(
        missing.is_empty(),
        "linear primitives no sample checked: {missing:?}"
    );
}
