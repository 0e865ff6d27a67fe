//! Transformations of IR graphs. A transformation file knows no primitive:
//! it walks the graph and asks each primitive for its rule
//! ([`crate::prims::Prim::jvp`], ...).

pub mod builder;
pub mod jvp;
pub mod linearize;
pub mod partial_eval;
pub mod stage;
pub mod transpose;
pub mod vmap;

pub use builder::Builder;

/// The items whose flag equals `want` (the known or the unknown inputs, the
/// linear or the constant operands, ...).
pub(crate) fn pick<T: Clone>(items: &[T], flags: &[bool], want: bool) -> Vec<T> {
    (items.iter().zip(flags))
        .filter(|(_, &f)| f == want)
        .map(|(x, _)| x.clone())
        .collect()
}
