//! Backends that run IR graphs: the XLA runtime through a PJRT plugin, and
//! the discovery and installation of those plugins.

pub mod pjrt;
pub mod plugin;
pub mod stablehlo;
