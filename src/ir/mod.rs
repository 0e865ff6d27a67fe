//! The IR: a typed SSA graph of array primitives, jaxpr-like.
//!
//! A [`Graph`] has typed input variables, a list of equations in dependency
//! order, and output atoms. An [`Eqn`] applies one [`Prim`] to input atoms and
//! defines fresh output variables. Control flow primitives (`while`, `cond`)
//! carry their bodies as nested graphs inside the `Prim` value; nested graphs
//! are closed: everything they use comes in through their inputs.
//!
//! Variable ids are unique across the whole process (see [`fresh_var`]), so a
//! transformation can create variables without threading a context around.

pub mod builder;
pub mod copy;
pub mod emit;
pub mod primitive;
pub mod print;
pub mod simplify;
pub mod stage;
pub mod transforms;
pub mod verify;

use crate::tensor::Tensor;
use crate::types::TensorType;
pub use builder::Builder;
pub use primitive::{BatchResult, JvpResult, Prim, PrimError, Primitive, RuleResult};
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub u32);

/// An SSA variable and its type.
#[derive(Clone, Debug, PartialEq)]
pub struct Var {
    pub id: VarId,
    pub ty: TensorType,
}

static NEXT_VAR: AtomicU32 = AtomicU32::new(0);

/// A variable with a process-unique id.
pub fn fresh_var(ty: TensorType) -> Var {
    Var {
        id: VarId(NEXT_VAR.fetch_add(1, Ordering::Relaxed)),
        ty,
    }
}

/// An operand: a variable or a constant array (literals, folded constants,
/// arrays captured from the host).
#[derive(Clone, Debug, PartialEq)]
pub enum Atom {
    Var(Var),
    Const(Tensor),
}

impl Atom {
    pub fn ty(&self) -> TensorType {
        match self {
            Atom::Var(v) => v.ty.clone(),
            Atom::Const(t) => t.ty(),
        }
    }
    pub fn as_var(&self) -> Option<&Var> {
        match self {
            Atom::Var(v) => Some(v),
            Atom::Const(_) => None,
        }
    }
}

/// `outputs = prim(inputs)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Eqn {
    pub prim: Prim,
    pub inputs: Vec<Atom>,
    pub outputs: Vec<Var>,
}

/// A closed graph: inputs, equations in order, outputs.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Graph {
    pub inputs: Vec<Var>,
    pub eqns: Vec<Eqn>,
    pub outputs: Vec<Atom>,
}

impl Graph {
    pub fn input_types(&self) -> Vec<TensorType> {
        self.inputs.iter().map(|v| v.ty.clone()).collect()
    }
    pub fn output_types(&self) -> Vec<TensorType> {
        self.outputs.iter().map(Atom::ty).collect()
    }
    /// The number of elements of every value the graph defines (equation
    /// outputs, regions included, a region's values counted once): an
    /// upper bound on the memory its intermediate values need, as if all
    /// were alive at once. Values a loop stores for reverse mode are
    /// stacked arrays, so they show here.
    pub fn value_elements(&self) -> usize {
        self.eqns
            .iter()
            .map(|e| {
                let own: usize = e.outputs.iter().map(|v| v.ty.size()).sum();
                own + e
                    .prim
                    .regions()
                    .iter()
                    .map(|g| g.value_elements())
                    .sum::<usize>()
            })
            .sum()
    }

    /// Whether an equation of the graph (or of a region) has an effect:
    /// a `print`.
    pub fn has_effects(&self) -> bool {
        self.eqns.iter().any(|e| e.prim.has_effect())
    }

    /// Number of equations, counting those in nested regions.
    pub fn size(&self) -> usize {
        self.eqns
            .iter()
            .map(|e| 1 + e.prim.regions().iter().map(|g| g.size()).sum::<usize>())
            .sum()
    }
}

/// A top-level function of the IR: a name and its graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Func {
    pub name: String,
    pub graph: Graph,
}
