//! Constant folding and forwarding of equations that do nothing.

use super::Rewriter;
use crate::ir::{Atom, Eqn};
use crate::tensor::Tensor;
use crate::types::TensorType;

/// Outputs with at most this many elements in all are folded.
const MAX_FOLDED_ELEMENTS: usize = 64;

/// Evaluates equations whose inputs are all constants.
pub(super) struct Fold;

impl Rewriter for Fold {
    fn new_scope(&self) -> Fold {
        Fold
    }

    fn replace(&mut self, eqn: &Eqn) -> Option<Vec<Atom>> {
        // A print of constants still prints when the program runs.
        if !eqn.prim.regions().is_empty() || eqn.prim.has_effect() {
            return None;
        }
        let size: usize = eqn.outputs.iter().map(|v| v.ty.size()).sum();
        if size > MAX_FOLDED_ELEMENTS {
            return None;
        }
        let inputs: Vec<Tensor> = eqn
            .inputs
            .iter()
            .map(|a| match a {
                Atom::Const(t) => Some(t.clone()),
                Atom::Var(_) => None,
            })
            .collect::<Option<_>>()?;
        // Kernels assume their inputs passed the shape rule: check it first.
        let types: Vec<TensorType> = inputs.iter().map(Tensor::ty).collect();
        let declared: Vec<TensorType> = eqn.outputs.iter().map(|v| v.ty.clone()).collect();
        if eqn.prim.infer(&types).ok()? != declared {
            return None;
        }
        let results = eqn.prim.eval(&inputs).ok()?;
        Some(results.into_iter().map(Atom::Const).collect())
    }
}

/// Replaces equations that return their operand unchanged by the operand.
pub(super) struct Forward;

impl Rewriter for Forward {
    fn new_scope(&self) -> Forward {
        Forward
    }

    fn replace(&mut self, eqn: &Eqn) -> Option<Vec<Atom>> {
        let [out] = eqn.outputs.as_slice() else {
            return None;
        };
        let operand = eqn.inputs.get(eqn.prim.forwards(&eqn.inputs, &out.ty)?)?;
        (operand.ty() == out.ty).then(|| vec![operand.clone()])
    }
}

/// A nonempty constant whose elements are all equal, as the whole tensor
/// (for the primitives' [`forwards`](crate::ir::Primitive::forwards) rules).
pub fn uniform(a: &Atom) -> Option<&Tensor> {
    let Atom::Const(t) = a else { return None };
    let first = (t.size() > 0).then(|| t.get_f64(0))?;
    let same = (1..t.size()).all(|i| t.get_f64(i).to_bits() == first.to_bits());
    (same && !t.dtype().is_complex()).then_some(t)
}

/// Whether `a` is a float constant whose elements are all one.
pub fn is_one(a: &Atom) -> bool {
    uniform(a).is_some_and(|t| t.dtype().is_float() && t.get_f64(0) == 1.0)
}

/// Whether `xs` is `0, 1, 2, ...`.
pub fn in_order(xs: &[usize]) -> bool {
    xs.iter().enumerate().all(|(i, &x)| i == x)
}
