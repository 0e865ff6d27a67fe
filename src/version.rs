//! The version printed by `nest --version` and written into artifacts (a
//! foundation module, so every layer may name it).

/// The package version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
