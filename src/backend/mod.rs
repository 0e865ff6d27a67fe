//! Backends that run IR graphs: the reference interpreter, and XLA through a
//! PJRT plugin (with the discovery and installation of plugins).

pub mod cache;
pub mod install;
pub mod loader;
pub mod pjrt;
pub mod plugin;
pub mod runtime;
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

    /// The runtime the evaluator calls (see `runtime.rs`).
    pub fn runtime(&self) -> Arc<dyn runtime::Runtime> {
        match self {
            Backend::Interp => Arc::new(runtime::Interp),
            Backend::Xla(x) => x.clone(),
        }
    }
}

/// How the user chose the backend (`--backend`, `NEST_BACKEND`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// XLA on the best installed plugin, else the interpreter (with a note).
    Auto,
    Interp,
    /// XLA on the best installed plugin, and an error when none opens.
    Xla,
    /// XLA on the plugin of this kind (`cpu`, `cuda13`, ...).
    Plugin(plugin::Kind),
}

impl Choice {
    pub fn parse(text: &str) -> Option<Choice> {
        match text {
            "auto" => Some(Choice::Auto),
            "interp" => Some(Choice::Interp),
            "xla" => Some(Choice::Xla),
            _ => plugin::Kind::parse(text).map(Choice::Plugin),
        }
    }

    /// The accepted names, for messages.
    pub fn names() -> String {
        format!(
            "`auto`, `xla`, `interp`, or a plugin: {}",
            plugin::Kind::names()
        )
    }
}

/// Opens the chosen backend. Returns it and, when something was passed
/// over (an installed plugin that failed to open, or XLA altogether under
/// `Auto`), a note saying so.
pub fn open(choice: Choice) -> Result<(Backend, Option<String>), String> {
    match choice {
        Choice::Interp => Ok((Backend::Interp, None)),
        Choice::Plugin(kind) => {
            let path = plugin::find(kind).ok_or_else(|| plugin::not_found_message(kind))?;
            let x = open_plugin(&path)?;
            Ok((Backend::Xla(x), None))
        }
        Choice::Auto | Choice::Xla => open_best(choice),
    }
}

fn open_plugin(path: &std::path::Path) -> Result<Arc<xla::Xla>, String> {
    xla::Xla::get(path).map_err(|e| {
        let e = e.trim_end().trim_end_matches('.');
        format!("the XLA plugin at {} failed to load: {}", path.display(), e)
    })
}

/// `$NEST_PJRT_PLUGIN` if set, else the installed plugins in order of
/// preference (accelerators first, see [`plugin::Kind::PREFERENCE`]): the
/// first that opens. Python's site-packages are searched only when the
/// cache has none that opens.
fn open_best(choice: Choice) -> Result<(Backend, Option<String>), String> {
    let mut failures: Vec<String> = Vec::new();
    if let Some(path) = plugin::env_plugin() {
        match open_plugin(&path) {
            Ok(x) => return Ok((Backend::Xla(x), None)),
            Err(e) => failures.push(e),
        }
    } else {
        let mut tried = 0;
        for site in [false, true] {
            for (kind, path) in plugin::installed(site).into_iter().skip(tried) {
                tried += 1;
                match open_plugin(&path) {
                    Ok(x) => return Ok((Backend::Xla(x), passed_over(&failures, kind))),
                    Err(e) => failures.push(e),
                }
            }
        }
    }
    let why = match failures.is_empty() {
        true => plugin::not_found_message(plugin::Kind::Cpu),
        false => failures.join("; "),
    };
    match choice {
        Choice::Auto => Ok((
            Backend::Interp,
            Some(format!("note: {}; running on the interpreter", why)),
        )),
        _ => Err(why),
    }
}

/// The note for plugins that failed before `used` opened.
fn passed_over(failures: &[String], used: plugin::Kind) -> Option<String> {
    (!failures.is_empty()).then(|| {
        format!(
            "note: {}; running on the {} plugin",
            failures.join("; "),
            used.name()
        )
    })
}
