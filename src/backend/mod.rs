//! Backends that run IR graphs: the reference interpreter, and XLA through a
//! PJRT plugin (with the discovery and installation of plugins).

pub mod cache;
pub mod pjrt;
pub mod plugin;
pub mod stablehlo;
pub mod xla;

use std::sync::Arc;

/// Where compiled programs run.
#[derive(Clone, Default)]
pub enum Backend {
    /// The reference interpreter, on the host.
    #[default]
    Interp,
    /// XLA, through a PJRT plugin.
    Xla(Arc<xla::Xla>),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Interp => "interp",
            Backend::Xla(_) => "xla",
        }
    }
}

/// How the user chose the backend (`--backend`, `NEST_BACKEND`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// XLA when a plugin is found, else the interpreter (with a note).
    Auto,
    Interp,
    /// XLA, and an error when no plugin is found.
    Xla,
}

impl Choice {
    pub fn parse(text: &str) -> Option<Choice> {
        match text {
            "auto" => Some(Choice::Auto),
            "interp" => Some(Choice::Interp),
            "xla" => Some(Choice::Xla),
            _ => None,
        }
    }
}

/// Opens the chosen backend. Returns it and, when `Auto` fell back to the
/// interpreter, a one-line note saying how to get XLA.
pub fn open(choice: Choice) -> Result<(Backend, Option<String>), String> {
    let kind = plugin::Kind::Cpu;
    let found = match choice {
        Choice::Interp => return Ok((Backend::Interp, None)),
        Choice::Auto | Choice::Xla => plugin::find(kind),
    };
    match (found, choice) {
        (Some(path), _) => match xla::Xla::get(&path) {
            Ok(x) => Ok((Backend::Xla(x), None)),
            Err(e) if choice == Choice::Auto => Ok((
                Backend::Interp,
                Some(format!(
                    "note: the XLA plugin at {} failed to load ({}); running on the interpreter",
                    path.display(),
                    e
                )),
            )),
            Err(e) => Err(format!(
                "the XLA plugin at {} failed to load: {}",
                path.display(),
                e
            )),
        },
        (None, Choice::Auto) => Ok((
            Backend::Interp,
            Some(format!(
                "note: {}; running on the interpreter",
                plugin::not_found_message(kind)
            )),
        )),
        (None, _) => Err(plugin::not_found_message(kind)),
    }
}
