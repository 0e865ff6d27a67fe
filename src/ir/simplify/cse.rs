//! Common-subexpression elimination within one graph.

use super::Rewriter;
use crate::ir::{Atom, Eqn, VarId};
use crate::types::TensorType;
use std::collections::HashMap;

/// A cheap key that equal equations share; equations with one key are then
/// compared in full.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    name: &'static str,
    inputs: Vec<AtomKey>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum AtomKey {
    Var(VarId),
    Const(TensorType),
}

/// The equations seen so far in one graph, by key.
#[derive(Default)]
pub(super) struct Cse {
    seen: HashMap<Key, Vec<Eqn>>,
}

impl Rewriter for Cse {
    fn new_scope(&self) -> Cse {
        Cse::default()
    }

    fn replace(&mut self, eqn: &Eqn) -> Option<Vec<Atom>> {
        // Regions hold their own variables, so two equal loops would differ
        // by variable ids anyway; comparing them up to renaming is not worth it.
        // Two prints of the same values print twice.
        if !eqn.prim.regions().is_empty() || eqn.prim.has_effect() {
            return None;
        }
        let key = Key {
            name: eqn.prim.name(),
            inputs: eqn.inputs.iter().map(atom_key).collect(),
        };
        let bucket = self.seen.entry(key).or_default();
        if let Some(earlier) = bucket.iter().find(|e| same_eqn(e, eqn)) {
            return Some(earlier.outputs.iter().cloned().map(Atom::Var).collect());
        }
        bucket.push(eqn.clone());
        None
    }
}

fn atom_key(a: &Atom) -> AtomKey {
    match a {
        Atom::Var(v) => AtomKey::Var(v.id),
        Atom::Const(t) => AtomKey::Const(t.ty()),
    }
}

/// Same primitive and parameters, same inputs, same output types.
fn same_eqn(a: &Eqn, b: &Eqn) -> bool {
    a.prim == b.prim
        && a.inputs.len() == b.inputs.len()
        && a.inputs.iter().zip(&b.inputs).all(|(x, y)| same_atom(x, y))
        && a.outputs.len() == b.outputs.len()
        && a.outputs.iter().zip(&b.outputs).all(|(x, y)| x.ty == y.ty)
}

fn same_atom(a: &Atom, b: &Atom) -> bool {
    match (a, b) {
        (Atom::Var(x), Atom::Var(y)) => x.id == y.id,
        (Atom::Const(x), Atom::Const(y)) => x.same_bits(y),
        _ => false,
    }
}
