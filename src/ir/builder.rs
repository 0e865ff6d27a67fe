//! A builder that emits equations with fresh output variables, for rules
//! that produce IR (rules emit IR, they never compute numbers, so the result
//! of a transformation can be transformed again). Helpers that build
//! concrete primitives (`add`, `broadcast`, ...) are the extension trait
//! `prims::build::Build`.

use super::transforms::{Jvp, Split, Transforms, Tx, Vmapped};
use super::{fresh_var, Atom, Eqn, Graph, Prim, PrimError, RuleResult, VarId};
use crate::diag::Diagnostic;
use crate::tensor::Tensor;
use crate::types::DType;
use std::collections::HashMap;

/// Equations under construction.
pub struct Builder {
    pub eqns: Vec<Eqn>,
    /// Set by a rule whose emitted equations also compute the primal outputs
    /// (the JVP of a loop carries primals and tangents together): the
    /// transformation then uses these instead of the original equation.
    pub primals: Option<Vec<Atom>>,
    transforms: Tx,
}

pub type R<T> = RuleResult<T>;

/// A builder that only assembles IR (a loop body made by hand, a lowering's
/// helper graph): no rule it runs may transform a region.
impl Default for Builder {
    fn default() -> Builder {
        Builder::new(&NoTransforms)
    }
}

/// The transformations of a builder made with [`Builder::default`].
struct NoTransforms;

const NO_TRANSFORMS: &str =
    "a region was transformed through a builder made without transformations";

fn no_transforms<T>() -> R<T> {
    Err(PrimError::internal(NO_TRANSFORMS))
}

impl Transforms for NoTransforms {
    fn jvp_graph(&self, _: &Graph, _: &[bool]) -> R<Jvp> {
        no_transforms()
    }
    fn vmap_graph(&self, _: &Graph, _: &[bool], _: usize) -> R<Vmapped> {
        no_transforms()
    }
    fn fit_region(&self, _: Vmapped, _: usize, _: &[bool]) -> R<Graph> {
        no_transforms()
    }
    fn transpose_graph(&self, _: &Graph, _: &[bool]) -> R<Graph> {
        no_transforms()
    }
    fn partial_eval(&self, _: &Graph, _: &[bool], _: &[bool]) -> Result<Split, Diagnostic> {
        Err(Diagnostic::internal(NO_TRANSFORMS))
    }
}

impl Builder {
    /// An empty builder whose rules reach the transformations through `t`.
    pub fn new(t: Tx) -> Builder {
        Builder::with_eqns(t, vec![])
    }

    /// A builder that goes on after `eqns`.
    pub fn with_eqns(t: Tx, eqns: Vec<Eqn>) -> Builder {
        Builder {
            eqns,
            primals: None,
            transforms: t,
        }
    }

    /// An empty builder with the same transformations (for a region).
    pub fn nested(&self) -> Builder {
        Builder::new(self.transforms)
    }

    /// The transformations, for the rules of primitives with regions.
    pub fn transforms(&self) -> &'static dyn Transforms {
        self.transforms
    }

    /// Emits `prim(inputs)`; the outputs' types come from the primitive's shape rule.
    pub fn apply(&mut self, prim: Prim, inputs: &[Atom]) -> R<Vec<Atom>> {
        let types = prim.infer(&inputs.iter().map(Atom::ty).collect::<Vec<_>>())?;
        let outputs: Vec<_> = types.into_iter().map(fresh_var).collect();
        self.eqns.push(Eqn {
            prim,
            inputs: inputs.to_vec(),
            outputs: outputs.clone(),
        });
        Ok(outputs.into_iter().map(Atom::Var).collect())
    }

    pub fn apply1(&mut self, prim: Prim, inputs: &[Atom]) -> R<Atom> {
        let name = prim.name();
        self.apply(prim, inputs)?
            .into_iter()
            .next()
            .ok_or_else(|| format!("{} gave no output", name).into())
    }

    /// A scalar constant of `dtype`.
    pub fn scalar(&self, dtype: DType, v: f64) -> Atom {
        Atom::Const(Tensor::scalar_of(dtype, v))
    }

    /// Emits the equations of the closed graph `g` applied to `inputs`, and
    /// returns its outputs. The equations are a fresh copy, so one graph may
    /// be inlined more than once.
    pub fn inline(&mut self, g: &Graph, inputs: &[Atom]) -> R<Vec<Atom>> {
        let g = g.fresh_copy();
        if g.input_types() != inputs.iter().map(Atom::ty).collect::<Vec<_>>() {
            return Err(format!(
                "cannot inline a graph over {} input(s) into {} operand(s) of other types",
                g.inputs.len(),
                inputs.len()
            )
            .into());
        }
        let subst: HashMap<VarId, Atom> = (g.inputs.iter().map(|v| v.id))
            .zip(inputs.iter().cloned())
            .collect();
        let look = |a: &Atom| match a {
            Atom::Var(v) => subst.get(&v.id).cloned().unwrap_or_else(|| a.clone()),
            Atom::Const(_) => a.clone(),
        };
        for mut eqn in g.eqns {
            eqn.inputs = eqn.inputs.iter().map(look).collect();
            self.eqns.push(eqn);
        }
        Ok(g.outputs.iter().map(look).collect())
    }
}
