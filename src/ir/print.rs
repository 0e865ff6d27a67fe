//! The IR's text form (`nest ir`).

use super::{Func, Graph};

/// Prints a graph, nested regions indented.
pub fn print_graph(graph: &Graph) -> String {
    let _ = graph;
    String::from("<printer not yet implemented>")
}

/// Prints a named function: `fn name(%0: f32[3]) -> (f32[]) { ... }`.
pub fn print_func(func: &Func) -> String {
    print_graph(&func.graph)
}
