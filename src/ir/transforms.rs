//! The transformations as the rules of primitives with regions see them:
//! a `while` differentiates, batches, transposes and splits its body with
//! the same passes that transform whole graphs. The transform layer
//! implements [`Transforms`] (a zero-sized static); a rule reaches it
//! through its [`Builder`](super::Builder) (`b.transforms()`).

use super::{Eqn, Graph, RuleResult};
use crate::diag::Diagnostic;

/// The transformations, as the transform layer provides them.
pub type Tx = &'static dyn Transforms;

/// The JVP of a graph: inputs are the primal inputs, then one tangent for
/// each input marked in `nonzero`; outputs are the primal outputs, then one
/// tangent for each output marked in `out_nonzero`.
pub struct Jvp {
    pub graph: Graph,
    pub out_nonzero: Vec<bool>,
}

/// A batched graph, and which of its outputs are batched.
pub struct Vmapped {
    pub graph: Graph,
    pub out_batched: Vec<bool>,
}

/// A graph split in two: `known(known inputs) -> (known outputs,
/// residuals)` and `unknown(residuals, unknown inputs) -> unknown outputs`.
pub struct Split {
    pub known: Graph,
    pub unknown: Graph,
    /// For each output of the original graph, whether it is unknown.
    pub out_unknown: Vec<bool>,
    /// For each residual, the input of the original graph it is, if it is one.
    pub residual_inputs: Vec<Option<usize>>,
}

/// One equation split by its partial-evaluation rule: the equations for
/// each side, and which of the equation's outputs are unknown.
pub struct Staged {
    pub known: Vec<Eqn>,
    pub unknown: Vec<Eqn>,
    pub out_unknown: Vec<bool>,
}

/// The graph transformations (see `transform/`).
pub trait Transforms: Sync {
    /// Forward mode with respect to the inputs marked `nonzero`.
    fn jvp_graph(&self, g: &Graph, nonzero: &[bool]) -> RuleResult<Jvp>;

    /// The graph on a batch of `size`, for the inputs marked `in_batched`.
    fn vmap_graph(&self, g: &Graph, in_batched: &[bool], size: usize) -> RuleResult<Vmapped>;

    /// A region batched so that its outputs are batched exactly as `want` says.
    fn batch_region(
        &self,
        g: &Graph,
        in_batched: &[bool],
        size: usize,
        want: &[bool],
    ) -> RuleResult<Graph> {
        self.fit_region(self.vmap_graph(g, in_batched, size)?, size, want)
    }

    /// A batched region (from [`Transforms::vmap_graph`]) with its outputs
    /// batched exactly as `want` says: a rule that found `want` by batching
    /// the region with the same flags passes that result, not the region
    /// again (each batching of a loop's body batches the loops inside it).
    fn fit_region(&self, v: Vmapped, size: usize, want: &[bool]) -> RuleResult<Graph>;

    /// The transpose of a graph linear in the inputs marked `linear`.
    fn transpose_graph(&self, g: &Graph, linear: &[bool]) -> RuleResult<Graph>;

    /// Splits `g` into known and unknown parts.
    fn partial_eval(
        &self,
        g: &Graph,
        in_unknown: &[bool],
        force_unknown: &[bool],
    ) -> Result<Split, Diagnostic>;
}

/// The items whose flag equals `want` (the known or the unknown inputs, the
/// linear or the constant operands, ...).
pub fn pick<T: Clone>(items: &[T], flags: &[bool], want: bool) -> Vec<T> {
    (items.iter().zip(flags))
        .filter(|(_, &f)| f == want)
        .map(|(x, _)| x.clone())
        .collect()
}
