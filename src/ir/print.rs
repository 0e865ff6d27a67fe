//! The IR's text form (`nest ir`).
//!
//! ```text
//! fn mse(%0: f32[3], %1: f32[4, 3], %2: f32[4]) -> (f32[]) {
//!   %3: f32[4] = dot_general[lhs_contract=[1], rhs_contract=[0]] %1, %0
//!   %4: f32[4] = sub %3, %2
//!   %8: f32[] = while[n_consts=1, trip_count=20] %2, %4
//!     cond(%5: f32[4], %6: f32[]) {
//!       ...
//!       return %7
//!     }
//!     body(...) { ... }
//!   return %8
//! }
//! ```
//!
//! The form is stable for snapshot tests: variables are renumbered `%0, %1,
//! ...` in order of definition (graph inputs first; an equation's regions are
//! numbered before its outputs), so the text does not depend on the
//! process-global ids. A variable used but never defined prints as `%?id`
//! with its raw id. Static parameters that the printed output type already
//! determines (`reshape`'s shape, `convert`'s dtype, `iota`'s shape and dtype,
//! `broadcast_in_dim`'s shape, `dynamic_slice`'s sizes) are left out, as are
//! empty or default ones; every line ends with a newline.

use super::Prim;
use super::{Atom, Eqn, Func, Graph, Var, VarId};
use crate::tensor::{Data, Tensor};
use crate::types::{DType, ShapeDisplay};
use std::collections::HashMap;
use std::fmt::Write;

/// Constants with at most this many elements are printed in full.
const MAX_INLINE_ELEMENTS: usize = 8;

/// Prints a graph, nested regions indented: `graph(%0: f32[3]) -> (f32[]) { ... }`.
pub fn print_graph(graph: &Graph) -> String {
    print_with_header("graph", graph)
}

/// Prints a named function: `fn name(%0: f32[3]) -> (f32[]) { ... }`.
pub fn print_func(func: &Func) -> String {
    print_with_header(&format!("fn {}", func.name), &func.graph)
}

fn print_with_header(header: &str, graph: &Graph) -> String {
    let names = Names::of_graph(graph);
    let mut out = String::new();
    names.write_region(&mut out, 0, header, graph);
    out
}

/// The printed number of every variable a graph (and its regions) defines.
pub(crate) struct Names {
    numbers: HashMap<VarId, usize>,
}

impl Names {
    /// Numbers the variables of `graph` in order of definition.
    pub(crate) fn of_graph(graph: &Graph) -> Names {
        let mut names = Names {
            numbers: HashMap::new(),
        };
        names.number_graph(graph);
        names
    }

    fn number_graph(&mut self, graph: &Graph) {
        self.define_all(&graph.inputs);
        for eqn in &graph.eqns {
            for region in eqn.prim.regions() {
                self.number_graph(region);
            }
            self.define_all(&eqn.outputs);
        }
    }

    fn define_all(&mut self, vars: &[Var]) {
        for v in vars {
            let next = self.numbers.len();
            // A variable defined twice (an invalid graph) keeps its first number.
            self.numbers.entry(v.id).or_insert(next);
        }
    }

    /// `%3`, or `%?17` for a variable the graph never defines.
    pub(crate) fn var(&self, id: VarId) -> String {
        match self.numbers.get(&id) {
            Some(n) => format!("%{}", n),
            None => format!("%?{}", id.0),
        }
    }

    /// `%3: f32[4]`.
    pub(crate) fn typed(&self, v: &Var) -> String {
        format!("{}: {}", self.var(v.id), v.ty)
    }

    pub(crate) fn atom(&self, a: &Atom) -> String {
        match a {
            Atom::Var(v) => self.var(v.id),
            Atom::Const(t) => format_const(t),
        }
    }

    fn atoms(&self, atoms: &[Atom]) -> String {
        join(atoms.iter().map(|a| self.atom(a)))
    }

    /// The first line of an equation, without its regions and indentation:
    /// `%4: f32[4] = sub %3, %2`.
    pub(crate) fn eqn_line(&self, eqn: &Eqn) -> String {
        let outputs = if eqn.outputs.is_empty() {
            String::from("()")
        } else {
            join(eqn.outputs.iter().map(|v| self.typed(v)))
        };
        let mut line = format!("{} = {}{}", outputs, eqn.prim.name(), params(&eqn.prim));
        if !eqn.inputs.is_empty() {
            line.push(' ');
            line.push_str(&self.atoms(&eqn.inputs));
        }
        line
    }

    /// Writes `header(inputs) -> (types) { eqns; return outputs }` at `indent`.
    fn write_region(&self, out: &mut String, indent: usize, header: &str, graph: &Graph) {
        let pad = " ".repeat(indent);
        let inputs = join(graph.inputs.iter().map(|v| self.typed(v)));
        let types = join(graph.outputs.iter().map(|a| a.ty().to_string()));
        let _ = writeln!(out, "{}{}({}) -> ({}) {{", pad, header, inputs, types);
        self.write_body(out, indent + 2, graph);
        let _ = writeln!(out, "{}}}", pad);
    }

    fn write_body(&self, out: &mut String, indent: usize, graph: &Graph) {
        let pad = " ".repeat(indent);
        for eqn in &graph.eqns {
            let _ = writeln!(out, "{}{}", pad, self.eqn_line(eqn));
            for (label, region) in region_labels(&eqn.prim) {
                self.write_region(out, indent + 2, &label, region);
            }
        }
        if graph.outputs.is_empty() {
            let _ = writeln!(out, "{}return", pad);
        } else {
            let _ = writeln!(out, "{}return {}", pad, self.atoms(&graph.outputs));
        }
    }
}

/// The regions of an equation with the names they print under.
pub(crate) fn region_labels(prim: &Prim) -> Vec<(String, &Graph)> {
    prim.region_labels()
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// `[1, 0]` (for the primitives' [`params`](crate::ir::Primitive::params)).
pub fn list<T: std::fmt::Display>(xs: &[T]) -> String {
    format!("[{}]", join(xs.iter().map(|x| x.to_string())))
}

/// The bracketed static parameters of a primitive, or `""` when it has none
/// worth printing.
fn params(prim: &Prim) -> String {
    let ps = prim.params();
    if ps.is_empty() {
        String::new()
    } else {
        format!("[{}]", ps.join(", "))
    }
}

/// A constant operand: `1.0:f32`, `3:i32`, `true`, `[1.0, 2.0]:f32[2]`,
/// `[[1, 2], [3, 4]]:i32[2, 2]`, or `const:f32[100, 3]` beyond
/// [`MAX_INLINE_ELEMENTS`] elements.
pub fn format_const(t: &Tensor) -> String {
    if t.rank() == 0 && t.dtype() == DType::Bool {
        return element(t.data(), 0);
    }
    if t.rank() == 0 {
        return format!("{}:{}", element(t.data(), 0), t.dtype());
    }
    if t.size() > MAX_INLINE_ELEMENTS {
        return format!("const:{}", t.ty());
    }
    let mut out = String::new();
    nested(&mut out, t.data(), t.shape(), 0);
    format!("{}:{}{}", out, t.dtype(), ShapeDisplay(t.shape()))
}

/// Writes the block of `data` starting at flat index `offset` with `shape`
/// as nested brackets.
fn nested(out: &mut String, data: &Data, shape: &[usize], offset: usize) {
    out.push('[');
    if let Some((&n, rest)) = shape.split_first() {
        let stride: usize = rest.iter().product();
        for i in 0..n {
            if i > 0 {
                out.push_str(", ");
            }
            if rest.is_empty() {
                out.push_str(&element(data, offset + i));
            } else {
                nested(out, data, rest, offset + i * stride);
            }
        }
    }
    out.push(']');
}

/// Element `i` of a buffer, as a literal (`?` if out of range, which a
/// well-formed tensor never is).
fn element(data: &Data, i: usize) -> String {
    let s = match data {
        Data::Bool(v) => v.get(i).map(|x| x.to_string()),
        Data::I32(v) => v.get(i).map(|x| x.to_string()),
        Data::I64(v) => v.get(i).map(|x| x.to_string()),
        Data::U32(v) => v.get(i).map(|x| x.to_string()),
        Data::F32(v) => v.get(i).map(|x| float(*x as f64, format!("{:?}", x))),
        Data::F64(v) => v.get(i).map(|x| float(*x, format!("{:?}", x))),
        Data::C64(v) => v.get(i).map(|z| {
            let part = |x: f32| float(x as f64, format!("{:?}", x));
            complex(part(z.re), part(z.im))
        }),
        Data::C128(v) => v.get(i).map(|z| {
            let part = |x: f64| float(x, format!("{:?}", x));
            complex(part(z.re), part(z.im))
        }),
    };
    s.unwrap_or_else(|| String::from("?"))
}

/// Rust's shortest round-trip form (`1.0`, `0.1`, `1e-8`), with `nan`,
/// `inf`, `-inf` spelled in lower case.
fn float(x: f64, debug: String) -> String {
    if x.is_nan() {
        String::from("nan")
    } else if x.is_infinite() {
        String::from(if x > 0.0 { "inf" } else { "-inf" })
    } else {
        debug
    }
}

/// `1.0+2.0i`, `1.0-2.0i`.
fn complex(re: String, im: String) -> String {
    if im.starts_with('-') {
        format!("{}{}i", re, im)
    } else {
        format!("{}+{}i", re, im)
    }
}
