//! The dispatch of the effect rules: which equations have an effect (a
//! `print`, or a region holding one), and how each primitive with regions
//! threads the print state when prints are staged out
//! (`transform/stage.rs`). Like the other rules, it matches every variant.

use super::{control, custom, print, Prim};
use crate::ir::Atom;
use crate::transform::stage::{Stager, Walk};

impl Prim {
    /// Whether the equation has an effect (a `print`, or a region holding
    /// one): simplification must keep it, in place, even when its outputs
    /// are unused.
    pub fn has_effect(&self) -> bool {
        matches!(self, Prim::Print { .. }) || self.regions().iter().any(|g| g.has_effects())
    }

    /// The staging rule (see `transform/stage.rs`) of an equation with an
    /// effect: emits through `w` equations that also thread the print
    /// state, and returns the atoms standing for the equation's `outs`.
    pub fn stage(
        &self,
        st: &mut Stager,
        w: &mut Walk,
        inputs: &[Atom],
        outs: &[crate::ir::Var],
    ) -> Result<Vec<Atom>, String> {
        match self {
            Prim::Print {
                pieces,
                batch,
                span,
            } => print::stage_print(pieces, *batch, *span, st, w, inputs),
            Prim::While {
                cond,
                body,
                n_consts,
                trip_count,
                span,
            } => control::stage_while(
                cond,
                body,
                *n_consts,
                (*trip_count, *span),
                st,
                w,
                inputs,
                outs,
            ),
            Prim::Scan {
                body,
                n_consts,
                n_carries,
                length,
                reverse,
            } => control::stage_scan(
                body,
                [*n_consts, *n_carries, *length],
                *reverse,
                st,
                w,
                inputs,
                outs,
            ),
            Prim::Cond { branches } => control::stage_cond(branches, st, w, inputs, outs),
            // What runs in their place (see their lowerings).
            Prim::CustomJvp { primal, .. } | Prim::CustomVjp { primal, .. } => {
                st.stage_inline(w, primal, inputs)
            }
            Prim::LinearSolve { solve, .. } => st.stage_inline(w, solve, inputs),
            Prim::CustomVjpLin { .. } => Err(custom::FORWARD_MODE_OF_CUSTOM_VJP.into()),
            // No region, hence no effect: never asked.
            Prim::Unary(_)
            | Prim::Binary(_)
            | Prim::Compare(_)
            | Prim::Select
            | Prim::StopGradient
            | Prim::Convert(_)
            | Prim::BitcastConvert(_)
            | Prim::Reduce { .. }
            | Prim::ArgReduce { .. }
            | Prim::Broadcast { .. }
            | Prim::Reshape { .. }
            | Prim::Transpose { .. }
            | Prim::Slice { .. }
            | Prim::DynamicSlice { .. }
            | Prim::DynamicUpdateSlice
            | Prim::Concat { .. }
            | Prim::Pad { .. }
            | Prim::Iota { .. }
            | Prim::Rev { .. }
            | Prim::DotGeneral { .. }
            | Prim::Cholesky
            | Prim::TriangularSolve { .. }
            | Prim::Threefry2x32 => Err(format!("{} has no effect to stage", self.name())),
        }
    }
}
