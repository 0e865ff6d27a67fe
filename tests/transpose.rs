//! The table-driven check of every transpose rule: for every sample of
//! every primitive (`nest::prims::samples`, widened to f64 and c128) and
//! every input the primitive claims to be linear in (its transpose rule
//! accepts it), the dot-product identity ⟨ct, L(t)⟩ = ⟨Lᵀ(ct), t⟩ holds for
//! ⟨a, b⟩ = Re Σ a·b (JAX's convention: transposition, no conjugate), where
//! L(t) = f(t) − f(0) with the other inputs fixed.

mod common;

use common::{axpy, dot, finite, random_like};
use nest::interp::run_graph;
use nest::ir::verify::verify;
use nest::prims::samples::{samples, Sample};
use nest::tensor::Tensor;
use nest::transform::evaluable::evaluable;
use nest::transform::transpose::transpose_graph;
use nest::types::DType;
use std::collections::BTreeSet;

/// Whether a value is checked: the double-precision inexact dtypes.
fn double(d: DType) -> bool {
    matches!(d, DType::F64 | DType::C128)
}

/// Primitives that are linear in at least one input and must be checked.
const LINEAR: &[&str] = &[
    "neg",
    "real",
    "imag",
    "conj",
    "complex",
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
    "sharding_constraint",
];

#[test]
fn every_transpose_rule_passes_the_dot_product_test() {
    let mut seed = 7;
    let mut checked = BTreeSet::new();
    let mut failures = vec![];
    for s in samples() {
        // f32 (c64) samples are checked in f64 (c128); infinities and NaNs
        // (there for the lowering tests) are replaced by ordinary values.
        let s = s.widened();
        let inputs: Vec<Tensor> = s.inputs.iter().map(|t| finite(t, &mut seed)).collect();
        let s = Sample {
            prim: s.prim.clone(),
            inputs,
            note: s.note,
        };
        let Ok(g) = s.graph() else { continue };
        // A custom_vjp's tangent map L runs as its `bwd` transposed.
        let Ok(run) = evaluable(&g) else { continue };
        if g.outputs.iter().any(|o| !double(o.ty().dtype)) {
            continue;
        }
        for i in 0..s.inputs.len() {
            if !double(s.inputs[i].dtype()) {
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
                run_graph(&run, &with(Tensor::zeros(&t.ty()))),
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
            let lhs: f64 = (ft.iter().zip(&f0).zip(&cts))
                .map(|((a, b), ct)| dot(ct, &axpy(a, -1.0, b)))
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
