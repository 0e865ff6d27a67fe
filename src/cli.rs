//! The command line: argument parsing and one function per subcommand.
//!
//! Every user error reaches here as a [`Diagnostic`], is rendered once to
//! stderr, and turns into exit status 1.

use crate::backend_flag::{self, Use};
use crate::repl;
use crate::shell::report;
use clap::{Parser, Subcommand};
use nest::{Diagnostic, Session};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// nest: a small language for nested optimization in deep learning.
#[derive(Parser, Debug)]
#[command(
    name = "nest",
    version,
    propagate_version = true,
    after_help = "Example:\n  nest run examples/quickstart.nest"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Where compiled programs run: `xla` (the best installed plugin:
    /// cuda13, cuda12, tpu, then cpu), a plugin by name (`cpu`, `cuda12`,
    /// `cuda13`, `tpu`), `interp` (the reference interpreter), or `auto`
    /// (XLA when a plugin opens, else the interpreter). The default is
    /// `$NEST_BACKEND`, else `auto` (for `ir` and `compile`, which run
    /// top-level statements only for their bindings, `interp`). `exec` runs
    /// on XLA only; `check` and `plugin` take no backend.
    #[arg(long, global = true, value_name = "BACKEND")]
    pub backend: Option<String>,
    /// How many devices the CPU plugin creates, so that programs sharded
    /// over a mesh of that many run on one machine (`$NEST_DEVICES`; other
    /// plugins have their hardware's devices).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub devices: Option<u16>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a script: its top-level statements, then `main()` if it defines one.
    #[command(
        after_help = "Example:\n  nest run examples/quickstart.nest\n  echo 'print(ones([2]) * 3)' | nest run -"
    )]
    Run {
        /// The `.nest` file to run, or `-` to read the program from standard input.
        file: PathBuf,
    },
    /// Parse and check a script without running it; prints `FILE: ok` on success.
    #[command(after_help = "Example:\n  nest check examples/quickstart.nest")]
    Check {
        /// The `.nest` file to check.
        file: PathBuf,
    },
    /// Print the IR of a function traced with the given argument types.
    #[command(
        after_help = "Example:\n  nest ir examples/quickstart.nest --fn predict --args \"f32[64, 3], f32[3], f32\""
    )]
    Ir {
        /// The `.nest` file that defines the function.
        file: PathBuf,
        /// The function's name.
        #[arg(long = "fn", value_name = "NAME")]
        name: String,
        /// Argument types, one per parameter, written as annotations are:
        /// "f32[3, 4], f32[4]" or "{w: f32[3], b: f32}, (f32[2], i32)";
        /// needed unless every parameter has a concrete annotation.
        #[arg(long, value_name = "TYPES")]
        args: Option<String>,
        /// Print the StableHLO module XLA compiles instead of the IR.
        #[arg(long)]
        stablehlo: bool,
    },
    /// Compile a function, traced with its annotations or `--args`, into a reusable artifact.
    #[command(
        after_help = "Example:\n  nest compile examples/model.nest --fn predict -o target/model --executable"
    )]
    Compile {
        /// The `.nest` file that defines the function.
        file: PathBuf,
        /// The function's name.
        #[arg(long = "fn", value_name = "NAME")]
        name: String,
        /// Argument types, one per parameter, as for `nest ir`; needed
        /// unless every parameter has a concrete annotation.
        #[arg(long, value_name = "TYPES")]
        args: Option<String>,
        /// The directory to write NAME.mlir, NAME.json and the rest into.
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: PathBuf,
        /// Also write the serialized PJRT executable (needs the XLA plugin).
        #[arg(long)]
        executable: bool,
    },
    /// Run a compiled artifact on `.npy` inputs, writing `.npy` outputs.
    #[command(
        after_help = "Example:\n  nest exec target/model/predict.json --in target/model_w.npy target/model_b.npy target/model_x.npy --out target/model/results"
    )]
    Exec {
        /// The artifact's manifest, `DIR/NAME.json`.
        manifest: PathBuf,
        /// Input `.npy` files, in the manifest's input order.
        #[arg(long = "in", value_name = "NPY", num_args = 0..)]
        inputs: Vec<PathBuf>,
        /// The directory to write one `.npy` per output into.
        #[arg(long = "out", value_name = "DIR")]
        out: PathBuf,
    },
    /// Install or list XLA PJRT plugins.
    #[command(after_help = "Examples:\n  nest plugin install cpu\n  nest plugin list")]
    Plugin {
        #[command(subcommand)]
        action: PluginAction,
    },
    /// Show or clear the cache of compiled executables.
    #[command(after_help = "Examples:\n  nest cache info\n  nest cache clear")]
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
    /// Start an interactive session (reads entries from stdin when it is not a terminal).
    #[command(after_help = "Example:\n  nest repl\n  echo 'ones([2, 3]) * 2' | nest repl")]
    Repl,
}

#[derive(Subcommand, Debug)]
pub enum PluginAction {
    /// Download the official plugin wheels (with the CUDA runtime for `cuda12`
    /// and `cuda13`) with pip and unpack them into nest's cache.
    Install {
        /// `cpu`, `cuda12`, `cuda13` or `tpu`.
        #[arg(default_value = "cpu")]
        kind: String,
    },
    /// Show every plugin found, where it came from and its PJRT API version.
    List,
}

#[derive(Subcommand, Debug)]
pub enum CacheAction {
    /// Print the cache's directory, its entries, their size and the bound.
    Info,
    /// Remove every compiled executable (not the plugins).
    Clear,
}

/// Parses the command line and runs it; the process's exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(n) = cli.devices {
        // Read when the plugin's client is made, which has not happened yet
        // (no other thread runs either).
        std::env::set_var(nest::backend::loader::DEVICES_ENV, n.to_string());
    }
    let mut session = Session::new(Box::new(io::stdout()));
    if let Err(diag) =
        backend_flag::configure(&mut session, use_of(&cli.command), cli.backend.as_deref())
    {
        report(&session, &diag);
        return ExitCode::FAILURE;
    }
    let backend = cli.backend.as_deref();
    let result = match cli.command {
        Command::Run { file } => {
            session.set_progress(io::stderr().is_terminal());
            run(&mut session, &file)
        }
        Command::Check { file } => check(&mut session, &file),
        Command::Ir {
            file,
            name,
            args,
            stablehlo,
        } => ir(&mut session, &file, &name, args.as_deref(), stablehlo),
        Command::Plugin { action } => plugin(action),
        Command::Cache { action } => cache(action),
        Command::Compile {
            file,
            name,
            args,
            out,
            executable,
        } => compile(
            &mut session,
            &file,
            &name,
            args.as_deref(),
            &out,
            executable,
            backend,
        ),
        Command::Exec {
            manifest,
            inputs,
            out,
        } => exec(&manifest, &inputs, &out, backend),
        Command::Repl => match repl::run(&mut session) {
            true => Ok(()),
            false => return ExitCode::FAILURE,
        },
    };
    let _ = io::stdout().flush();
    print_compile_stats();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(diag) => {
            report(&session, &diag);
            ExitCode::FAILURE
        }
    }
}

/// With `NEST_COMPILE_STATS=1`, one line on stderr counting XLA's compiles
/// and disk-cache loads in this process (tests read it; see
/// docs/performance.md, "Warm starts").
fn print_compile_stats() {
    if std::env::var_os("NEST_COMPILE_STATS").is_some_and(|v| v == "1") {
        if let Some(xla) = nest::backend::xla::Xla::current() {
            eprintln!("{}", xla.stats_line());
        }
    }
}

/// What `--backend` means to `command` (see `backend_flag.rs`).
fn use_of(command: &Command) -> Use {
    match command {
        Command::Run { .. } | Command::Repl => Use::Run,
        Command::Ir { .. }
        | Command::Compile {
            executable: false, ..
        } => Use::Bindings,
        Command::Compile {
            executable: true, ..
        } => Use::Executable,
        Command::Exec { .. } => Use::Exec,
        Command::Check { .. } => Use::Refused("check"),
        Command::Plugin { .. } => Use::Refused("plugin"),
        Command::Cache { .. } => Use::Refused("cache"),
    }
}

/// Runs `file`, or with `-` the program on standard input (as `<stdin>`).
fn run(session: &mut Session, file: &Path) -> Result<(), Diagnostic> {
    if file != Path::new("-") {
        return session.run_file(file);
    }
    let mut text = String::new();
    io::Read::read_to_string(&mut io::stdin(), &mut text).map_err(|e| {
        Diagnostic::new(format!(
            "cannot read the program from standard input: {}",
            e
        ))
    })?;
    session.run_source("<stdin>", &text)
}

fn check(session: &mut Session, file: &Path) -> Result<(), Diagnostic> {
    session.check_file(file)?;
    let _ = writeln!(io::stdout(), "{}: ok", file.display());
    Ok(())
}

/// The XLA runtime, which `compile --executable` and `exec` require.
/// `flag` is `--backend`, which may name the plugin.
fn xla_runtime(flag: Option<&str>) -> Result<std::sync::Arc<nest::backend::xla::Xla>, Diagnostic> {
    match nest::backend::open(backend_flag::xla_choice(flag)).map_err(Diagnostic::new)? {
        (nest::backend::Backend::Xla(x), _) => Ok(x),
        _ => Err(Diagnostic::internal("the XLA backend did not open")),
    }
}

fn compile(
    session: &mut Session,
    file: &Path,
    name: &str,
    args: Option<&str>,
    out: &Path,
    executable: bool,
    backend: Option<&str>,
) -> Result<(), Diagnostic> {
    let xla = if executable {
        Some(xla_runtime(backend)?)
    } else {
        None
    };
    let manifest = session.compile_file(file, name, args, out, xla.as_deref())?;
    let _ = writeln!(io::stdout(), "wrote {}", manifest.display());
    Ok(())
}

fn exec(
    manifest: &Path,
    inputs: &[PathBuf],
    out: &Path,
    backend: Option<&str>,
) -> Result<(), Diagnostic> {
    use nest::artifact::Artifact;
    let artifact = Artifact::load(manifest).map_err(|e| Diagnostic::new(e.to_string()))?;
    if let Some(mesh) = &artifact.manifest.mesh {
        // A partitioned artifact runs on as many devices as its mesh has:
        // the CPU plugin makes them unless told otherwise. The runtime is
        // not open yet, and no other thread runs.
        let devices = nest::backend::loader::DEVICES_ENV;
        if std::env::var_os(devices).is_none() {
            std::env::set_var(devices, mesh.shape.iter().product::<usize>().to_string());
        }
    }
    let mut tensors = vec![];
    for p in inputs {
        let bytes = std::fs::read(p)
            .map_err(|e| Diagnostic::new(format!("cannot read `{}`: {}", p.display(), e)))?;
        let t = nest::tensor::npy::read_npy(&bytes).map_err(|m| {
            Diagnostic::new(format!("`{}` is not a valid .npy file: {}", p.display(), m))
        })?;
        tensors.push(t);
    }
    let xla = xla_runtime(backend)?;
    let results = artifact
        .call(&xla, &tensors)
        .map_err(|e| Diagnostic::new(e.to_string()))?;
    std::fs::create_dir_all(out)
        .map_err(|e| Diagnostic::new(format!("cannot create `{}`: {}", out.display(), e)))?;
    for (spec, t) in artifact.manifest.outputs.iter().zip(&results) {
        let path = out.join(format!("{}.npy", spec.name));
        let bytes = nest::tensor::npy::write_npy(t).map_err(Diagnostic::new)?;
        nest::files::write_atomically(&path, &bytes).map_err(Diagnostic::new)?;
        let _ = writeln!(io::stdout(), "wrote {}", path.display());
    }
    Ok(())
}

fn plugin(action: PluginAction) -> Result<(), Diagnostic> {
    use nest::backend::plugin;
    match action {
        PluginAction::Install { kind } => {
            let k = plugin::Kind::parse(&kind).ok_or_else(|| {
                Diagnostic::new(format!("unknown plugin kind `{}`", kind))
                    .with_hint(format!("use {}", plugin::Kind::names()))
            })?;
            let path = plugin::install(k).map_err(|e| Diagnostic::new(e.to_string()))?;
            let _ = writeln!(io::stdout(), "installed {}", path.display());
        }
        PluginAction::List => {
            let found = plugin::list();
            if found.is_empty() {
                let _ = writeln!(
                    io::stdout(),
                    "{}",
                    plugin::not_found_message(plugin::Kind::Cpu)
                );
            }
            for f in found {
                let kind = f.kind.map_or("?", |k| k.name());
                let version = match &f.api_version {
                    Ok((major, minor)) => format!("PJRT C API {}.{}", major, minor),
                    Err(e) => format!("cannot load: {}", e),
                };
                let _ = writeln!(
                    io::stdout(),
                    "{:<7} {}  ({}; {})",
                    kind,
                    f.path.display(),
                    f.source.describe(),
                    version
                );
            }
        }
    }
    Ok(())
}

fn cache(action: CacheAction) -> Result<(), Diagnostic> {
    use nest::backend::cache;
    let text = match action {
        CacheAction::Info => cache::info(),
        CacheAction::Clear => cache::clear(),
    }
    .map_err(Diagnostic::new)?;
    let _ = writeln!(io::stdout(), "{}", text);
    Ok(())
}

fn ir(
    session: &mut Session,
    file: &Path,
    name: &str,
    args: Option<&str>,
    stablehlo: bool,
) -> Result<(), Diagnostic> {
    let text = if stablehlo {
        session.stablehlo_of_file(file, name, args)?
    } else {
        session.ir_of_file(file, name, args)?
    };
    let mut out = io::stdout();
    let _ = out.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = writeln!(out);
    }
    Ok(())
}
