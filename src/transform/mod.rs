//! Transformations of IR graphs. A transformation file knows no primitive:
//! it walks the graph and asks each primitive for its rule
//! ([`crate::prims::Prim::jvp`], ...).

pub mod builder;
pub mod jvp;
pub mod linearize;
pub mod partial_eval;
pub mod transpose;
pub mod vmap;

pub use builder::Builder;
