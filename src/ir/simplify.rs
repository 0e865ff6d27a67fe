//! Simplification passes: dead-code elimination, common-subexpression
//! elimination, constant folding and forwarding of trivial equations.
//!
//! Every primitive is pure, so any equation may be removed when its outputs
//! are unused, merged with an identical one, or evaluated ahead of time. Each
//! pass also runs inside regions, treating each region on its own: nothing is
//! merged or substituted across a region boundary (regions are closed).
//! Passes create no variables; the ones they keep keep their ids.

mod cse;
pub mod dce;
pub mod fold;
pub mod hoist;

use super::verify::verify;
use super::{Atom, Eqn, Graph, VarId};
use std::collections::HashMap;

/// How many rounds of all passes [`simplify`] runs at most.
const MAX_ROUNDS: usize = 16;

/// All passes, to a fixed point (at most [`MAX_ROUNDS`] rounds): forwarding
/// of trivial equations, constant folding, CSE, loop-invariant code motion,
/// then DCE.
pub fn simplify(graph: &Graph) -> Graph {
    checked(graph, simplify_unchecked(graph))
}

fn simplify_unchecked(graph: &Graph) -> Graph {
    let mut g = graph.clone();
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        g = rewrite_graph(&g, &mut fold::Forward, &mut changed);
        g = rewrite_graph(&g, &mut fold::Fold, &mut changed);
        g = rewrite_graph(&g, &mut cse::Cse::default(), &mut changed);
        g = hoist::hoist_graph(&g, &mut changed);
        g = dce::dce_graph(&g, &mut changed);
        if !changed {
            break;
        }
    }
    g
}

/// Dead-code elimination: removes equations whose outputs are unused (a
/// `while` too, even one that might not terminate), in regions as well; drops
/// a `while`'s loop-invariant inputs that neither region uses and its carries
/// needed neither by the condition, nor as a used result, nor to update a
/// needed carry; drops a `cond`'s unused results and the operands no branch
/// uses; drops a `scan`'s unused stacked outputs, its unneeded carries, and
/// the constants and stacked inputs its body does not read.
pub fn dce(graph: &Graph) -> Graph {
    checked(graph, dce::dce_graph(graph, &mut false))
}

/// Loop-invariant code motion: equations of a `while` or `scan` body that
/// read only the loop's constants move out of the loop.
pub fn hoist(graph: &Graph) -> Graph {
    checked(graph, hoist::hoist_graph(graph, &mut false))
}

/// Common-subexpression elimination: an equation with the same primitive,
/// equal parameters and the same input atoms (constants compared bit for
/// bit) as an earlier one in the same graph is replaced by it.
/// Equations with regions are not merged.
pub fn cse(graph: &Graph) -> Graph {
    checked(
        graph,
        rewrite_graph(graph, &mut cse::Cse::default(), &mut false),
    )
}

/// Constant folding: an equation whose inputs are all constants and whose
/// outputs have at most 64 elements in all is evaluated and replaced by
/// constants (`while` and `cond` are left alone, as is any equation whose
/// evaluation fails).
pub fn fold_constants(graph: &Graph) -> Graph {
    checked(graph, rewrite_graph(graph, &mut fold::Fold, &mut false))
}

/// Replaces equations that leave an operand unchanged by the operand:
/// `reshape`, `transpose`, `broadcast_in_dim`, `convert`, `bitcast_convert`,
/// `reverse` and `slice` that keep their operand's type (identity
/// permutation or dims, no axes, whole-array slice), `x * 1`, `x ** 1`,
/// and `select` on a constant predicate whose elements are all equal.
pub fn forward_trivial(graph: &Graph) -> Graph {
    checked(graph, rewrite_graph(graph, &mut fold::Forward, &mut false))
}

/// In debug builds, checks that a pass kept a valid graph valid.
fn checked(before: &Graph, after: Graph) -> Graph {
    if cfg!(debug_assertions) && verify(before).is_ok() {
        if let Err(e) = verify(&after) {
            panic!("a simplification pass broke the graph: {}", e);
        }
    }
    after
}

/// A forward pass over one graph's equations that may replace an equation's
/// outputs by atoms. `new_scope` gives the pass's state for a region.
trait Rewriter {
    fn new_scope(&self) -> Self;
    /// Atoms to replace `eqn`'s outputs with (one per output, of the same
    /// types), or `None` to keep it. `eqn`'s inputs are already substituted.
    fn replace(&mut self, eqn: &Eqn) -> Option<Vec<Atom>>;
}

/// Runs `pass` over `graph` and, each with a fresh state, its regions.
fn rewrite_graph<R: Rewriter>(graph: &Graph, pass: &mut R, changed: &mut bool) -> Graph {
    let mut subst = Subst::default();
    let mut eqns = Vec::with_capacity(graph.eqns.len());
    for eqn in &graph.eqns {
        let eqn = Eqn {
            prim: eqn
                .prim
                .map_regions(|r| rewrite_graph(r, &mut pass.new_scope(), changed)),
            inputs: subst.atoms(&eqn.inputs),
            outputs: eqn.outputs.clone(),
        };
        match pass.replace(&eqn) {
            Some(atoms) if fits(&eqn, &atoms) => {
                for (v, a) in eqn.outputs.iter().zip(atoms) {
                    subst.map.insert(v.id, a);
                }
                *changed = true;
            }
            _ => eqns.push(eqn),
        }
    }
    Graph {
        inputs: graph.inputs.clone(),
        eqns,
        outputs: subst.atoms(&graph.outputs),
    }
}

/// Whether `atoms` can stand for `eqn`'s outputs: one each, same types.
fn fits(eqn: &Eqn, atoms: &[Atom]) -> bool {
    atoms.len() == eqn.outputs.len() && eqn.outputs.iter().zip(atoms).all(|(v, a)| v.ty == a.ty())
}

/// Variables replaced by atoms (already resolved: an atom never names a
/// replaced variable, since replacements are made in definition order).
#[derive(Default)]
struct Subst {
    map: HashMap<VarId, Atom>,
}

impl Subst {
    fn atom(&self, a: &Atom) -> Atom {
        match a {
            Atom::Var(v) => self.map.get(&v.id).cloned().unwrap_or_else(|| a.clone()),
            Atom::Const(_) => a.clone(),
        }
    }
    fn atoms(&self, atoms: &[Atom]) -> Vec<Atom> {
        atoms.iter().map(|a| self.atom(a)).collect()
    }
}
