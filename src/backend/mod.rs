//! Backends that run IR graphs: the XLA runtime through a PJRT plugin.

pub mod pjrt;
