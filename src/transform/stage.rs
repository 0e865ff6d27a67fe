//! Staging prints out of a program (see `ir/stage.rs` for the walk and the
//! state each print site threads through the program).

use super::TRANSFORMS;
use crate::ir::stage::Stager;
use crate::ir::{Atom, Builder, Graph};
use crate::prims::build::Build;
use crate::tensor::Tensor;

pub use crate::ir::stage::{Capacity, Site};

type R<T> = crate::ir::RuleResult<T>;

/// A program whose prints are staged out.
pub struct Staged {
    /// The original outputs, then for each site in order its count,
    /// sequence numbers and operand buffers ([`state_types`]).
    pub graph: Graph,
    pub n_outputs: usize,
    pub sites: Vec<Site>,
}

/// Stages the prints of `g` out (see the module documentation); `None`
/// when it has none, so that nothing changes for such a program.
pub fn stage_prints(g: &Graph, capacity: Capacity) -> R<Option<Staged>> {
    if !g.has_effects() {
        return Ok(None);
    }
    let mut st = Stager::new(capacity, &TRANSFORMS);
    let region = st.stage_region(g, Some(1))?;
    // The counter starts at 0, every count and buffer at zeros.
    let mut b = Builder::new(&TRANSFORMS);
    let mut args: Vec<Atom> = g.inputs.iter().cloned().map(Atom::Var).collect();
    args.push(Atom::Const(Tensor::scalar_i32(0)));
    for &s in &region.sites {
        for ty in st.state_types(s) {
            args.push(b.zeros(&ty)?);
        }
    }
    let outs = b.inline(&region.graph, &args)?;
    let n = g.outputs.len();
    let mut outputs = outs[..n].to_vec();
    outputs.extend(in_site_order(&st, &region.sites, outs.get(n + 1..))?);
    Ok(Some(Staged {
        graph: Graph {
            inputs: g.inputs.clone(),
            eqns: b.eqns,
            outputs,
        },
        n_outputs: n,
        sites: st.into_sites(),
    }))
}

/// The states of `sites` (in the order the walk met them, in `states`)
/// in site order.
fn in_site_order(st: &Stager, sites: &[usize], states: Option<&[Atom]>) -> R<Vec<Atom>> {
    let mut rest = states.ok_or("staging lost the outputs")?;
    let mut by_site: Vec<Vec<Atom>> = vec![vec![]; st.n_sites()];
    for &s in sites {
        let k = st.state_types(s).len();
        by_site[s] = rest.get(..k).ok_or("staging lost a state")?.to_vec();
        rest = &rest[k..];
    }
    Ok(by_site.into_iter().flatten().collect())
}
