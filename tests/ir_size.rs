//! Transformed IR stays small: the IR of `grad(f)` is within a constant
//! factor of `f`'s, and so are `grad(grad(f))` and `hvp` of `grad(f)`'s
//! (each level of nesting multiplies the size by a bounded factor, and
//! simplification after each transformation keeps it there). Sizes count
//! the equations of nested regions too.

use nest::Session;
use std::path::Path;

/// The bound on the size ratio of one transformation level.
const FACTOR: usize = 4;

fn size(name: &str, args: &str) -> usize {
    let mut s = Session::new(Box::new(std::io::sink()));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ir_size.nest");
    let f = s
        .trace_of_file(&path, name, Some(args))
        .unwrap_or_else(|d| panic!("{}", s.render(&d)));
    f.graph.size()
}

/// Asserts `size(outer) <= FACTOR * size(inner)` and returns `size(outer)`.
fn within(inner: (&str, usize), outer: &str, args: &str) -> usize {
    let n = size(outer, args);
    assert!(
        n <= FACTOR * inner.1,
        "{outer} has {n} equations, more than {FACTOR} x {} ({})",
        inner.1,
        inner.0
    );
    n
}

const MLP: &str = "f32[4, 8], f32[8], f32[8, 1], f32[1], f32[16, 4], f32[16, 1]";

#[test]
fn derivatives_of_an_mlp_loss_stay_small() {
    let f = size("mlp_loss", MLP);
    let g = within(("mlp_loss", f), "g_mlp", MLP);
    within(("g_mlp", g), "gg_mlp", MLP);
    within(("g_mlp", g), "hvp_mlp", MLP);
}

#[test]
fn nested_grads_of_a_scalar_function_grow_by_a_bounded_factor() {
    let mut prev = ("scalar", size("scalar", "f32[]"));
    for name in ["g1", "g2", "g3", "g4"] {
        prev = (name, within(prev, name, "f32[]"));
    }
}

#[test]
fn derivatives_through_a_loop_stay_small() {
    let f = size("looped", "f32[]");
    let g = within(("looped", f), "gl", "f32[]");
    within(("gl", g), "ggl", "f32[]");
    within(("gl", g), "hl", "f32[]");
}
