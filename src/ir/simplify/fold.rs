//! Constant folding and forwarding of equations that do nothing.

use super::Rewriter;
use crate::ir::{Atom, Eqn};
use crate::prims::{BinaryOp, Prim};
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
        let operand = match eqn.inputs.as_slice() {
            [x] if is_identity(&eqn.prim, &out.ty) => x,
            [x, y] => neutral_operand(&eqn.prim, x, y)?,
            [p, x, y] if eqn.prim == Prim::Select => match uniform(p)?.get_f64(0) != 0.0 {
                true => x,
                false => y,
            },
            _ => return None,
        };
        (operand.ty() == out.ty).then(|| vec![operand.clone()])
    }
}

/// `x` in `x * 1`, `1 * x` and `x ** 1`: the other operand is a constant
/// whose elements are all one. (`x + 0` is not `x` when `x` is `-0.0`.)
fn neutral_operand<'a>(prim: &Prim, x: &'a Atom, y: &'a Atom) -> Option<&'a Atom> {
    let is_one = |a: &Atom| uniform(a).is_some_and(|t| t.dtype().is_float() && t.get_f64(0) == 1.0);
    match prim {
        Prim::Binary(BinaryOp::Mul) if is_one(x) => Some(y),
        Prim::Binary(BinaryOp::Mul | BinaryOp::Pow) if is_one(y) => Some(x),
        _ => None,
    }
}

/// A nonempty constant whose elements are all equal, as the whole tensor.
fn uniform(a: &Atom) -> Option<&Tensor> {
    let Atom::Const(t) = a else { return None };
    let first = (t.size() > 0).then(|| t.get_f64(0))?;
    let same = (1..t.size()).all(|i| t.get_f64(i).to_bits() == first.to_bits());
    (same && !t.dtype().is_complex()).then_some(t)
}

/// Whether `prim`, applied to one operand of type `ty` and giving `ty`, is
/// the identity. Keeping the type is not enough for a transpose (`[1, 0]` on
/// a square matrix) or a broadcast (whose dims may permute).
fn is_identity(prim: &Prim, ty: &TensorType) -> bool {
    let in_order = |xs: &[usize]| xs.iter().enumerate().all(|(i, &x)| i == x);
    match prim {
        Prim::Reshape { .. } | Prim::Convert(_) | Prim::BitcastConvert(_) => true,
        Prim::Transpose { perm } => in_order(perm),
        Prim::Broadcast { dims, .. } => in_order(dims),
        Prim::Rev { axes } => axes.iter().all(|&a| ty.shape.get(a) == Some(&1)),
        Prim::Slice {
            start,
            limit,
            stride,
        } => {
            start.iter().all(|&s| s == 0)
                && limit.as_slice() == ty.shape.as_slice()
                && stride.iter().all(|&s| s == 1)
        }
        _ => false,
    }
}
