//! The runtime interface: how the evaluator runs a closed graph, or applies
//! one primitive, on known values. The evaluator holds a `dyn Runtime` and
//! never learns where the work runs: the policy (which primitives run as
//! compiled programs, which on the host) and the arrays a runtime keeps
//! (XLA device buffers) stay behind this interface.

use crate::ir::Graph;
use crate::prims::Prim;
use crate::tensor::Tensor;
use crate::types::{Mesh, Sharding, TensorType};
use std::any::Any;
use std::rc::Rc;
use std::sync::Arc;

/// An array a runtime holds (an XLA device buffer). The evaluator sees its
/// type and can ask for a host copy; only its runtime reads it otherwise.
pub trait Held: std::fmt::Debug {
    fn ty(&self) -> &TensorType;
    /// The array on the host.
    fn to_host(&self) -> Result<Tensor, String>;
    /// For the runtime that made it, to get its own type back.
    fn as_any(&self) -> &dyn Any;
}

/// A handle to an array a runtime holds; opaque to the evaluator.
pub type Handle = Rc<dyn Held>;

/// A known array given to or returned by a runtime.
#[derive(Clone, Debug)]
pub enum Array {
    Host(Tensor),
    Held(Handle),
}

impl Array {
    pub fn ty(&self) -> TensorType {
        match self {
            Array::Host(t) => t.ty(),
            Array::Held(h) => h.ty().clone(),
        }
    }
}

/// A program a runtime prepared; opaque to the evaluator.
pub trait Prepared {
    /// For the runtime that made it, to get its own type back.
    fn as_any(&self) -> &dyn Any;
}

/// The default prepared program: a graph and its name.
pub struct Staged {
    pub name: String,
    pub graph: Graph,
}

impl Prepared for Staged {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Where known values are computed.
pub trait Runtime {
    /// `interp` or `xla`.
    fn name(&self) -> &'static str;
    /// Runs a closed graph without prints (the evaluator stages them first).
    fn run_graph(&self, name: &str, graph: &Graph, inputs: &[Array]) -> Result<Vec<Array>, String>;
    /// Makes a closed graph without prints ready to run many times (the
    /// evaluator's trace cache keeps it): compiled once, and the constants
    /// it holds kept where the runtime keeps arrays. By default, the graph
    /// itself, run by [`Runtime::run_graph`].
    fn prepare(&self, name: &str, graph: &Graph) -> Result<Rc<dyn Prepared>, String> {
        Ok(Rc::new(Staged {
            name: name.to_string(),
            graph: graph.clone(),
        }))
    }
    /// Runs a program [`Runtime::prepare`] made on `inputs` (the graph's
    /// inputs). The caller gives the inputs up: an array held nowhere else
    /// may have its memory reused for a result (donation).
    fn run_prepared(
        &self,
        program: &dyn Prepared,
        inputs: Vec<Array>,
    ) -> Result<Vec<Array>, String> {
        let staged = (program.as_any().downcast_ref::<Staged>())
            .ok_or_else(|| "a program prepared by another runtime".to_string())?;
        self.run_graph(&staged.name, &staged.graph, &inputs)
    }
    /// Checks that a mesh fits the runtime's devices (`mesh(...)`). The
    /// interpreter runs a program for any mesh as if on one device: the
    /// values are the same.
    fn check_mesh(&self, mesh: &Mesh) -> Result<(), String> {
        let _ = mesh;
        Ok(())
    }
    /// Places a known array on the devices of `sharding`'s mesh, split as
    /// it says (`shard` of a known value). Where there is one device (the
    /// interpreter), the array as it is: placement never changes a value.
    fn place(&self, array: Array, sharding: &Arc<Sharding>) -> Result<Array, String> {
        let _ = sharding;
        Ok(array)
    }
    /// Applies `prim` to `inputs` at once; its results have `out_types`
    /// (inferred and checked by the caller).
    fn apply(
        &self,
        prim: Prim,
        inputs: &[Array],
        out_types: Vec<TensorType>,
    ) -> Result<Vec<Array>, String>;
}

/// The reference interpreter: everything runs on the host.
#[derive(Clone, Copy, Debug, Default)]
pub struct Interp;

impl Runtime for Interp {
    fn name(&self) -> &'static str {
        "interp"
    }

    fn run_graph(
        &self,
        _name: &str,
        graph: &Graph,
        inputs: &[Array],
    ) -> Result<Vec<Array>, String> {
        let tensors = on_host(inputs, "a value could not be read")?;
        Ok(crate::interp::run_graph(graph, &tensors)?
            .into_iter()
            .map(Array::Host)
            .collect())
    }

    fn apply(
        &self,
        prim: Prim,
        inputs: &[Array],
        _: Vec<TensorType>,
    ) -> Result<Vec<Array>, String> {
        apply_on_host(&prim, inputs)
    }
}

/// Runs `prim`'s interpreter kernel on `inputs` (arrays a runtime holds are
/// fetched first).
pub fn apply_on_host(prim: &Prim, inputs: &[Array]) -> Result<Vec<Array>, String> {
    let tensors = on_host(inputs, "a value could not be read from the device")?;
    Ok(prim.eval(&tensors)?.into_iter().map(Array::Host).collect())
}

/// The host copies of `inputs`; `unreadable` when one cannot be fetched.
fn on_host(inputs: &[Array], unreadable: &str) -> Result<Vec<Tensor>, String> {
    inputs
        .iter()
        .map(|a| match a {
            Array::Host(t) => Ok(t.clone()),
            Array::Held(h) => h.to_host().map_err(|_| unreadable.to_string()),
        })
        .collect()
}
