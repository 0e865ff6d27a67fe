//! The command line: argument parsing and one function per subcommand.
//!
//! Every user error reaches here as a [`Diagnostic`], is rendered once to
//! stderr, and turns into exit status 1.

use crate::repl;
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
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a script: its top-level statements, then `main()` if it defines one.
    #[command(after_help = "Example:\n  nest run examples/quickstart.nest")]
    Run {
        /// The `.nest` file to run.
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
        /// Argument types, e.g. "f32[3, 4], f32[4]"; needed unless the
        /// function's annotations are concrete.
        #[arg(long, value_name = "TYPES")]
        args: Option<String>,
    },
    /// Start an interactive session (reads entries from stdin when it is not a terminal).
    #[command(after_help = "Example:\n  nest repl\n  echo 'ones([2, 3]) * 2' | nest repl")]
    Repl,
}

/// Parses the command line and runs it; the process's exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut session = Session::new(Box::new(io::stdout()));
    let result = match cli.command {
        Command::Run { file } => {
            session.set_progress(io::stderr().is_terminal());
            session.run_file(&file)
        }
        Command::Check { file } => check(&mut session, &file),
        Command::Ir { file, name, args } => ir(&mut session, &file, &name, args.as_deref()),
        Command::Repl => {
            repl::run(&mut session);
            Ok(())
        }
    };
    let _ = io::stdout().flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(diag) => {
            report(&session, &diag);
            ExitCode::FAILURE
        }
    }
}

fn check(session: &mut Session, file: &Path) -> Result<(), Diagnostic> {
    session.check_file(file)?;
    let _ = writeln!(io::stdout(), "{}: ok", file.display());
    Ok(())
}

fn ir(
    session: &mut Session,
    file: &Path,
    name: &str,
    args: Option<&str>,
) -> Result<(), Diagnostic> {
    let text = session.ir_of_file(file, name, args)?;
    let mut out = io::stdout();
    let _ = out.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = writeln!(out);
    }
    Ok(())
}

/// Renders a diagnostic to stderr, after whatever the program printed.
pub fn report(session: &Session, diag: &Diagnostic) {
    let _ = io::stdout().flush();
    let _ = io::stderr().write_all(session.render(diag).as_bytes());
}
