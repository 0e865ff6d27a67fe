//! The reference interpreter: runs an IR graph on host tensors, one primitive
//! kernel ([`crate::ir::Primitive::eval`]) at a time. It is the oracle the
//! XLA backend is tested against. It knows no concrete primitive (its tests,
//! which build graphs of some, are `tests/interp.rs`).

use crate::ir::PrimError;
use crate::ir::{Atom, Graph, RuleResult, VarId};
use crate::tensor::Tensor;
use crate::types::{ShapeDisplay, TensorType};
use std::collections::HashMap;

/// Runs `graph` on `inputs` (which must match its input types).
///
/// Errors from a kernel are prefixed with the primitive's name
/// (`dot_general: ...`). A kernel whose results disagree with the types the
/// graph declares is reported as an internal error rather than propagated.
pub fn run_graph(graph: &Graph, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    check_inputs(graph, inputs)?;
    let mut env: HashMap<VarId, Tensor> = HashMap::new();
    for (var, t) in graph.inputs.iter().zip(inputs) {
        env.insert(var.id, t.clone());
    }
    for eqn in &graph.eqns {
        let args = eqn
            .inputs
            .iter()
            .map(|a| read(&env, a))
            .collect::<Result<Vec<_>, _>>()?;
        let name = eqn.prim.name();
        let declared: Vec<TensorType> = eqn.outputs.iter().map(|v| v.ty.clone()).collect();
        crate::tensor::alloc::check(&declared)
            .map_err(|e| PrimError::Invalid(format!("{}: {}", name, e)))?;
        let results = eqn.prim.eval(&args).map_err(|e| e.context(name))?;
        let types: Vec<TensorType> = results.iter().map(Tensor::ty).collect();
        if types != declared {
            return Err(PrimError::internal(format!(
                "{} produced {} but the graph declares {}",
                name,
                types_display(&types),
                types_display(&declared)
            )));
        }
        for (var, t) in eqn.outputs.iter().zip(results) {
            env.insert(var.id, t);
        }
    }
    graph.outputs.iter().map(|a| read(&env, a)).collect()
}

/// The value of an operand in `env`.
fn read(env: &HashMap<VarId, Tensor>, atom: &Atom) -> RuleResult<Tensor> {
    match atom {
        Atom::Const(t) => Ok(t.clone()),
        Atom::Var(v) => env.get(&v.id).cloned().ok_or_else(|| {
            PrimError::internal(format!("variable %{} used before its definition", v.id.0))
        }),
    }
}

/// Checks the number, dtypes and shapes of a graph's arguments.
fn check_inputs(graph: &Graph, inputs: &[Tensor]) -> Result<(), String> {
    if inputs.len() != graph.inputs.len() {
        return Err(format!(
            "expected {} argument(s), got {}",
            graph.inputs.len(),
            inputs.len()
        ));
    }
    for (i, (var, t)) in graph.inputs.iter().zip(inputs).enumerate() {
        if t.dtype() != var.ty.dtype || t.shape() != var.ty.shape.as_slice() {
            return Err(format!(
                "argument {} has type {}{}, expected {}",
                i,
                t.dtype(),
                ShapeDisplay(t.shape()),
                var.ty
            ));
        }
    }
    Ok(())
}

/// `(f32[3], i32[])`.
fn types_display(types: &[TensorType]) -> String {
    let parts: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    format!("({})", parts.join(", "))
}
