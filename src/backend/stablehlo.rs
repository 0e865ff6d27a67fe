//! Lowering IR graphs to StableHLO MLIR text, the program format the XLA
//! PJRT plugins compile.
//!
//! ```text
//! module @mse {
//!   func.func public @main(%arg0: tensor<3xf32>, %arg1: tensor<20xf32>) -> (tensor<f32>) {
//!     %0 = stablehlo.multiply %arg0, %arg0 : tensor<3xf32>
//!     ...
//!     return %5 : tensor<f32>
//!   }
//! }
//! ```
//!
//! `@main` takes the graph's inputs, then the *hoisted* constants: an array
//! constant of more than [`MAX_INLINE_ELEMENTS`] elements (an array captured
//! from the host, say) is not written into the text but passed as an extra
//! argument, [`Lowered::hoisted`] giving the values in order. Splat
//! constants (all elements equal) are always inline, as `dense<x>`.
//!
//! Each primitive lowers itself ([`crate::ir::Primitive::lower`]) through the
//! [`Emitter`] (`ir/emit.rs`), which names SSA values, prints types and literals, and emits
//! nested regions. Ops use the pretty syntax `jax` prints where it is simple
//! and the generic form `"stablehlo.op"(...) {attrs} : (types) -> types`
//! for ops with regions (`reduce`, `while`, `case`) and unusual attributes.

pub use crate::ir::emit::{
    element_type, f32_literal, f64_literal, tensor_type, Emitter, Value, MAX_INLINE_ELEMENTS,
};

use crate::ir::{Func, Graph, PrimError};
use crate::prims::{constraint_shardings, input_sharding, output_sharding};
use crate::tensor::Tensor;
use crate::types::{common_mesh, Mesh, Sharding, MESH_SYMBOL};
use std::sync::Arc;

/// A lowered module: its text, and the hoisted constants to pass after the
/// graph's inputs, in order.
#[derive(Clone, Debug)]
pub struct Lowered {
    pub text: String,
    pub hoisted: Vec<Tensor>,
}

/// How a program partitioned over a mesh's devices lays out its arguments
/// and results: one sharding per graph input and per output (the hoisted
/// constants are replicated).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    pub mesh: Arc<Mesh>,
    pub inputs: Vec<Arc<Sharding>>,
    pub outputs: Vec<Arc<Sharding>>,
}

/// Lowers `graph` to a module `@name` whose `@main` takes the graph inputs,
/// then the hoisted constants, and returns the graph outputs.
pub fn lower_module(name: &str, graph: &Graph) -> Result<Lowered, String> {
    lower(name, graph, None, &[])
}

/// The same, with input `i` donated to output `k` for each `(i, k)` of
/// `aliases` (`tf.aliasing_output`, as `jax.jit(..., donate_argnums = ...)`
/// writes it): the run may write that output into the input's buffer, and
/// the caller's buffer is consumed.
pub fn lower_module_donating(
    name: &str,
    graph: &Graph,
    aliases: &[(usize, usize)],
) -> Result<Lowered, String> {
    let outputs = graph.output_types();
    let fits = aliases
        .iter()
        .all(|&(i, k)| (graph.inputs.get(i)).is_some_and(|v| outputs.get(k) == Some(&v.ty)));
    if !fits {
        return Err(PrimError::internal("an alias between values of different types").to_string());
    }
    lower(name, graph, None, aliases)
}

/// The same, as one program over the devices of `layout.mesh`: the module
/// says how many (`mhlo.num_partitions`) and declares the mesh, and each
/// argument and result carries its sharding (`sdy.sharding`), as `jax.jit`
/// writes them for XLA's SPMD partitioner.
pub fn lower_module_sharded(name: &str, graph: &Graph, layout: &Layout) -> Result<Lowered, String> {
    if layout.inputs.len() != graph.inputs.len() || layout.outputs.len() != graph.outputs.len() {
        return Err(PrimError::internal("a layout that does not fit its graph").to_string());
    }
    lower(name, graph, Some(layout), &[])
}

fn lower(
    name: &str,
    graph: &Graph,
    layout: Option<&Layout>,
    aliases: &[(usize, usize)],
) -> Result<Lowered, String> {
    let n = graph.inputs.len();
    let mut em = Emitter::new(n);
    em.indent = 2;
    let args: Vec<Value> = graph
        .inputs
        .iter()
        .enumerate()
        .map(|(i, v)| Value::new(format!("%arg{}", i), v.ty.clone()))
        .collect();
    let outs = em.lower_graph(graph, &args)?;
    em.terminator("return", &outs);
    // `sdy.sharding = #sdy.sharding<@mesh, [...]>` after a type, when
    // partitioned (a hoisted constant is replicated).
    let sharding_attr = |s: Option<&Arc<Sharding>>, rank: usize| {
        layout.map(|l| {
            let replicated = Sharding::replicated(l.mesh.clone());
            let s = s.map_or(&replicated, |s| s.as_ref());
            format!("sdy.sharding = #sdy.sharding{}", s.sdy(MESH_SYMBOL, rank))
        })
    };
    let attr = |s: Option<&Arc<Sharding>>, rank: usize| attrs(sharding_attr(s, rank));
    let mut params: Vec<String> = (args.iter().enumerate())
        .map(|(i, a)| {
            let sharding = sharding_attr(layout.map(|l| &l.inputs[i]), a.ty.shape.len());
            let alias = (aliases.iter().find(|(input, _)| *input == i))
                .map(|(_, k)| format!("tf.aliasing_output = {} : i32", k));
            let attributes = attrs(sharding.into_iter().chain(alias));
            format!("{}: {}{}", a.name, tensor_type(&a.ty), attributes)
        })
        .collect();
    for (i, t) in em.hoisted.iter().enumerate() {
        params.push(format!(
            "%arg{}: {}{}",
            n + i,
            tensor_type(&t.ty()),
            attr(None, 0)
        ));
    }
    let results: Vec<String> = (outs.iter().enumerate())
        .map(|(i, v)| {
            let sharding = layout.map(|l| &l.outputs[i]);
            format!("{}{}", tensor_type(&v.ty), attr(sharding, v.ty.shape.len()))
        })
        .collect();
    let (attributes, mesh) = match layout {
        Some(l) => (
            format!(
                " attributes {{mhlo.num_partitions = {} : i32, mhlo.num_replicas = 1 : i32}}",
                l.mesh.size()
            ),
            format!("  {}\n", l.mesh.sdy_declaration(MESH_SYMBOL)),
        ),
        None => (String::new(), String::new()),
    };
    let text = format!(
        "module @{}{} {{\n{}  func.func public @main({}) -> ({}) {{\n{}  }}\n}}\n",
        symbol(name),
        attributes,
        mesh,
        params.join(", "),
        results.join(", "),
        em.body
    );
    Ok(Lowered {
        text,
        hoisted: em.hoisted,
    })
}

/// ` {a, b}` after a type, or nothing when there are no attributes.
fn attrs(list: impl IntoIterator<Item = String>) -> String {
    let list: Vec<String> = list.into_iter().collect();
    match list.is_empty() {
        true => String::new(),
        false => format!(" {{{}}}", list.join(", ")),
    }
}

/// The shardings a graph gives its own inputs and outputs: a constraint
/// applied directly to a parameter (`shard` of it), a constraint that makes
/// a result.
pub struct OwnShardings {
    inputs: Vec<Option<Arc<Sharding>>>,
    outputs: Vec<Option<Arc<Sharding>>>,
}

impl OwnShardings {
    pub fn of(graph: &Graph) -> OwnShardings {
        OwnShardings {
            inputs: (0..graph.inputs.len())
                .map(|i| input_sharding(graph, i))
                .collect(),
            outputs: (0..graph.outputs.len())
                .map(|k| output_sharding(graph, k))
                .collect(),
        }
    }

    /// The layout of a call over `mesh`: input `i` as `given[i]` (its own
    /// sharding, when it already lies on the mesh), else as the graph's
    /// constraint on it, else replicated; each output as the constraint
    /// that made it, else replicated.
    pub fn layout(&self, mesh: &Arc<Mesh>, given: &[Option<Arc<Sharding>>]) -> Layout {
        let replicated = Arc::new(Sharding::replicated(mesh.clone()));
        let on_mesh = |s: Option<&Arc<Sharding>>| {
            (s.filter(|s| s.mesh == *mesh).cloned()).unwrap_or_else(|| replicated.clone())
        };
        Layout {
            inputs: (self.inputs.iter().enumerate())
                .map(|(i, own)| {
                    let given = given.get(i).and_then(Option::as_ref);
                    on_mesh(given.filter(|s| s.mesh == *mesh).or(own.as_ref()))
                })
                .collect(),
            outputs: self.outputs.iter().map(|s| on_mesh(s.as_ref())).collect(),
            mesh: mesh.clone(),
        }
    }
}

/// The layout of a graph whose sharding constraints name a mesh of
/// several devices, when its inputs come from the host
/// ([`OwnShardings::layout`] with nothing given). `None` for a one-device
/// graph.
pub fn graph_layout(graph: &Graph) -> Result<Option<Layout>, String> {
    let mesh = graph_mesh(graph)?;
    Ok(mesh.map(|mesh| OwnShardings::of(graph).layout(&mesh, &[])))
}

/// The mesh of a graph's sharding constraints, when they name one of
/// several devices; all must name the same mesh (one program runs over one
/// mesh, declared once in the module).
pub fn graph_mesh(graph: &Graph) -> Result<Option<Arc<Mesh>>, String> {
    (constraint_shardings(graph).into_iter())
        .map(|s| Some(s.mesh.clone()))
        .try_fold(None, common_mesh)
}

/// Lowers a program to run from the host: over its mesh when it names one
/// ([`graph_layout`]), else for one device.
pub fn lower_program(name: &str, graph: &Graph) -> Result<(Lowered, Option<Layout>), String> {
    match graph_layout(graph)? {
        Some(layout) => Ok((lower_module_sharded(name, graph, &layout)?, Some(layout))),
        None => Ok((lower_module(name, graph)?, None)),
    }
}

/// Lowers a function of the IR (`nest ir --stablehlo`).
pub fn lower_func(f: &Func) -> Result<Lowered, String> {
    lower_program(&f.name, &f.graph).map(|(lowered, _)| lowered)
}

/// An MLIR symbol name: bare if it is an identifier, quoted otherwise.
fn symbol(name: &str) -> String {
    let mut chars = name.chars();
    let bare = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || "_$.".contains(c));
    if bare {
        name.to_string()
    } else {
        format!("{:?}", name)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_quoted_when_needed() {
        assert_eq!(symbol("mse"), "mse");
        assert_eq!(symbol("my-fn"), "\"my-fn\"");
        assert_eq!(symbol(""), "\"\"");
    }
}
