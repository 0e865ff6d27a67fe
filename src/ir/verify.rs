//! The IR verifier: every variable defined once before use, types agree with
//! each primitive's shape rule, regions closed.
//!
//! The checks, in the order an error is reported:
//! * every variable is defined exactly once (as a graph input or an equation
//!   output), counting the graph and all its regions together;
//! * every use is of a variable defined earlier in the same graph, with the
//!   type it was defined with; a region uses only its own inputs and
//!   definitions, never its enclosing graph's variables;
//! * each equation's output types are what [`crate::prims::Prim::infer`] gives for its
//!   input types (for `while` and `cond` this checks the region signatures);
//! * every graph output is defined.
//!
//! Messages name the offending equation by its printed line (see
//! [`super::print`]) and, inside a region, the equations that enclose it.

use super::print::{region_labels, Names};
use super::{Atom, Eqn, Graph, Var, VarId};
use crate::types::TensorType;
use std::collections::{HashMap, HashSet};

/// Checks that `graph` is well formed, or says what is wrong.
pub fn verify(graph: &Graph) -> Result<(), String> {
    let names = Names::of_graph(graph);
    let mut seen = HashSet::new();
    check_unique(graph, &names, &mut seen)?;
    let checker = Checker {
        names: &names,
        all_defined: &seen,
    };
    checker.check_graph(graph, &[])
}

/// Fails on the first variable defined a second time.
fn check_unique(graph: &Graph, names: &Names, seen: &mut HashSet<VarId>) -> Result<(), String> {
    for v in &graph.inputs {
        if !seen.insert(v.id) {
            return Err(format!(
                "graph input {} is defined more than once",
                names.typed(v)
            ));
        }
    }
    for eqn in &graph.eqns {
        for region in eqn.prim.regions() {
            check_unique(region, names, seen)?;
        }
        for v in &eqn.outputs {
            if !seen.insert(v.id) {
                return Err(format!(
                    "`{}`: output {} is defined more than once",
                    names.eqn_line(eqn),
                    names.var(v.id)
                ));
            }
        }
    }
    Ok(())
}

struct Checker<'a> {
    names: &'a Names,
    /// Every variable defined anywhere in the verified graph.
    all_defined: &'a HashSet<VarId>,
}

/// The variables one graph has defined so far, with their types.
type Scope = HashMap<VarId, TensorType>;

impl Checker<'_> {
    /// Checks one graph; `outer` are the scopes of the enclosing graphs,
    /// which it must not use.
    fn check_graph(&self, graph: &Graph, outer: &[&Scope]) -> Result<(), String> {
        let mut scope: Scope = graph.inputs.iter().map(|v| (v.id, v.ty.clone())).collect();
        for eqn in &graph.eqns {
            self.check_eqn(eqn, &scope, outer)?;
            for v in &eqn.outputs {
                scope.insert(v.id, v.ty.clone());
            }
        }
        for out in &graph.outputs {
            if let Atom::Var(v) = out {
                self.check_use(v, &scope, outer)
                    .map_err(|e| format!("graph output: {}", e))?;
            }
        }
        Ok(())
    }

    fn check_eqn(&self, eqn: &Eqn, scope: &Scope, outer: &[&Scope]) -> Result<(), String> {
        let line = || format!("`{}`", self.names.eqn_line(eqn));
        for v in eqn.inputs.iter().filter_map(Atom::as_var) {
            self.check_use(v, scope, outer)
                .map_err(|e| format!("{}: {}", line(), e))?;
        }
        let mut inner: Vec<&Scope> = outer.to_vec();
        inner.push(scope);
        for (label, region) in region_labels(&eqn.prim) {
            self.check_graph(region, &inner)
                .map_err(|e| format!("in {} of {}: {}", label, line(), e))?;
        }
        let input_types: Vec<TensorType> = eqn.inputs.iter().map(Atom::ty).collect();
        let inferred = eqn
            .prim
            .infer(&input_types)
            .map_err(|e| format!("{}: {}", line(), e))?;
        let declared: Vec<TensorType> = eqn.outputs.iter().map(|v| v.ty.clone()).collect();
        if inferred != declared {
            return Err(format!(
                "{}: declared output types ({}) differ from the inferred ({})",
                line(),
                types(&declared),
                types(&inferred)
            ));
        }
        Ok(())
    }

    /// A use of `v`: defined before, in this graph, with the same type.
    fn check_use(&self, v: &Var, scope: &Scope, outer: &[&Scope]) -> Result<(), String> {
        let name = self.names.var(v.id);
        match scope.get(&v.id) {
            Some(ty) if *ty == v.ty => Ok(()),
            Some(ty) => Err(format!(
                "{} is used as {} but defined as {}",
                name, v.ty, ty
            )),
            None if outer.iter().any(|s| s.contains_key(&v.id)) => Err(format!(
                "{} is defined outside this region (regions are closed)",
                name
            )),
            None if self.all_defined.contains(&v.id) => Err(format!(
                "{} is used before its definition (or outside the region that defines it)",
                name
            )),
            None => Err(format!("{} is never defined", name)),
        }
    }
}

fn types(ts: &[TensorType]) -> String {
    ts.iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
