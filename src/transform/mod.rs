//! Transformations of IR graphs. A transformation file knows no primitive:
//! it walks the graph and asks each primitive for its rule
//! ([`crate::ir::Primitive::jvp`], ...).

pub mod evaluable;
pub mod jvp;
pub mod linearize;
pub mod partial_eval;
pub mod stage;
pub mod transpose;
pub mod vmap;

// The primitives' JVP and transpose rules, checked through the
// transformations that call them.
#[cfg(test)]
mod jvp_rule_tests;
#[cfg(test)]
mod transpose_rule_tests;

pub(crate) use crate::ir::transforms::pick;
pub use crate::ir::Builder;

use crate::diag::Diagnostic;
use crate::ir::transforms::{Jvp, Split, Transforms, Vmapped};
use crate::ir::{Graph, RuleResult};

/// The transformations, as the rules of primitives with regions reach them
/// (through [`Builder::transforms`]).
pub struct Passes;

pub static TRANSFORMS: Passes = Passes;

/// An empty builder whose rules reach these transformations.
pub fn builder() -> Builder {
    Builder::new(&TRANSFORMS)
}

impl Transforms for Passes {
    fn jvp_graph(&self, g: &Graph, nonzero: &[bool]) -> RuleResult<Jvp> {
        jvp::jvp_graph(g, nonzero)
    }
    fn vmap_graph(&self, g: &Graph, in_batched: &[bool], size: usize) -> RuleResult<Vmapped> {
        vmap::vmap_graph(g, in_batched, size)
    }
    fn fit_region(&self, v: Vmapped, size: usize, want: &[bool]) -> RuleResult<Graph> {
        vmap::fit_region(v, size, want)
    }
    fn transpose_graph(&self, g: &Graph, linear: &[bool]) -> RuleResult<Graph> {
        transpose::transpose_graph(g, linear)
    }
    fn partial_eval(
        &self,
        g: &Graph,
        in_unknown: &[bool],
        force_unknown: &[bool],
    ) -> Result<Split, Diagnostic> {
        partial_eval::partial_eval(g, in_unknown, force_unknown)
    }
}
