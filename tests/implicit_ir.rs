//! What implicit differentiation leaves out: the gradient's IR never
//! contains a differentiated copy of `solve`, and its memory does not grow
//! with the number of optimizer steps, while unrolling's does.

use nest::ir::Graph;
use nest::prims::{LinearSolve, While};
use nest::Session;
use std::path::Path;

fn trace(name: &str, args: &str) -> Graph {
    let mut s = Session::new(Box::new(std::io::sink()));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/implicit_ir.nest");
    s.trace_of_file(&path, name, Some(args))
        .unwrap_or_else(|d| panic!("{}", s.render(&d)))
        .graph
}

/// The primitives of a graph and its regions, by name.
fn prim_names(g: &Graph, out: &mut Vec<&'static str>) {
    for e in &g.eqns {
        out.push(e.prim.name());
        for r in e.prim.regions() {
            prim_names(r, out);
        }
    }
}

/// The number of `while` loops without a trip count (loops that run until
/// a condition holds), regions included, except the linear solvers' own.
fn open_loops(g: &Graph) -> usize {
    g.eqns
        .iter()
        .map(|e| {
            let p = &e.prim;
            if p.downcast_ref::<While>()
                .is_some_and(|w| w.trip_count.is_none())
            {
                1
            } else if p.downcast_ref::<LinearSolve>().is_some() {
                0
            } else {
                p.regions().iter().map(|r| open_loops(r)).sum::<usize>()
            }
        })
        .sum()
}

fn count(g: &Graph, name: &str) -> usize {
    let mut names = vec![];
    prim_names(g, &mut names);
    names.iter().filter(|n| **n == name).count()
}

#[test]
fn the_solve_loop_runs_once_and_is_never_differentiated() {
    let g = trace("fixed_point_grad", "f32[4]");
    // The loop that finds the root runs once, forwards: reverse mode through
    // it would be an error, since its number of iterations is not static.
    assert_eq!(open_loops(&g), 1, "{}", nest::ir::print::print_graph(&g));
    // Nothing was stored for a backward pass through any loop.
    assert_eq!(count(&g, "scan"), 0);
    // The derivative is one linear solve with the transposed map.
    assert_eq!(count(&g, "linear_solve"), 1);
}

/// `{prefix}implicit_10` and `_100` trace to the same memory with no loop
/// stored for the backward pass; `{prefix}unroll_100` stores at least one
/// 16-element value per extra step over `{prefix}unroll_10`.
fn assert_memory_flat_in_steps(prefix: &str) {
    let at = |method: &str, steps: u32| trace(&format!("{prefix}{method}_{steps}"), "f32[16]");
    let (a, b) = (at("implicit", 10), at("implicit", 100));
    assert_eq!(count(&a, "scan"), 0);
    assert_eq!(a.value_elements(), b.value_elements());
    let (u10, u100) = (at("unroll", 10), at("unroll", 100));
    assert!(count(&u10, "scan") > 0);
    assert!(
        u100.value_elements() >= u10.value_elements() + 90 * 16,
        "{} vs {}",
        u100.value_elements(),
        u10.value_elements()
    );
}

#[test]
fn implicit_hypergradients_take_the_same_memory_whatever_the_steps() {
    assert_memory_flat_in_steps("");
}

#[test]
fn the_alternating_loop_takes_the_same_memory_whatever_the_inner_steps() {
    assert_memory_flat_in_steps("alternate_");
}
