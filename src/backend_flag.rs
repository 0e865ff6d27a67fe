//! What `--backend` (and `$NEST_BACKEND`, its default) means to each command.
//!
//! * `run`, `repl`: where compiled programs run; `auto` unless asked.
//! * `ir`, `compile`: where the file's top-level statements run before the
//!   function is traced; the interpreter unless asked (they only provide
//!   bindings). `compile --executable` needs XLA, so `interp` is an error.
//! * `exec`: artifacts are StableHLO, which only XLA runs: `xla` and `auto`
//!   run it there, `interp` is an error.
//! * `check`, `plugin`, `cache`: nothing compiled runs, so an explicit `--backend` is
//!   an error (`$NEST_BACKEND`, set for other commands, is not).

use nest::backend::Choice;
use nest::{Diagnostic, Session};
use std::io::{self, Write};

/// What a command does with a backend; the command line maps each of its
/// commands to one (so this module needs nothing of `cli`).
#[derive(Clone, Copy, Debug)]
pub enum Use {
    /// `run`, `repl`: compiled programs run there.
    Run,
    /// `ir`, `compile` without `--executable`: top-level statements run
    /// there, only for their bindings.
    Bindings,
    /// `compile --executable`: needs XLA.
    Executable,
    /// `exec`: runs StableHLO, so XLA only.
    Exec,
    /// A command that runs nothing compiled (its name, for the message).
    Refused(&'static str),
}

/// Sets up `session` for a command that uses the backend as `what` says,
/// from the `--backend` flag and the environment, or says why the choice
/// does not apply.
pub fn configure(session: &mut Session, what: Use, flag: Option<&str>) -> Result<(), Diagnostic> {
    let env = std::env::var("NEST_BACKEND").ok();
    let asked = flag.or(env.as_deref());
    match what {
        Use::Run => open(session, asked.unwrap_or("auto")),
        Use::Bindings => match asked {
            Some(text) => open(session, text),
            None => Ok(()),
        },
        Use::Executable => {
            let text = asked.unwrap_or("auto");
            needs_xla(
                "compile --executable",
                "compile an executable",
                text,
                flag.is_some(),
            )?;
            open(session, text)
        }
        Use::Exec => needs_xla(
            "exec",
            "run an artifact",
            asked.unwrap_or("auto"),
            flag.is_some(),
        ),
        Use::Refused(command) => refuse(command, flag),
    }
}

fn parse(text: &str) -> Result<Choice, Diagnostic> {
    Choice::parse(text).ok_or_else(|| {
        Diagnostic::new(format!("unknown backend `{}`", text))
            .with_hint(format!("use {}", Choice::names()))
    })
}

/// Opens the chosen backend for the session; `auto` without a plugin
/// notes, in one line, how to get one.
fn open(session: &mut Session, text: &str) -> Result<(), Diagnostic> {
    let (backend, note) = nest::backend::open(parse(text)?).map_err(Diagnostic::new)?;
    if let Some(note) = note {
        let _ = writeln!(io::stderr(), "{}", note);
    }
    session.set_backend(backend);
    Ok(())
}

/// `xla` or `auto` (both mean XLA, which must be there); `interp` cannot
/// do `what`.
fn needs_xla(command: &str, what: &str, text: &str, from_flag: bool) -> Result<(), Diagnostic> {
    if !matches!(parse(text)?, Choice::Interp) {
        return Ok(());
    }
    let source = match from_flag {
        true => "`--backend interp`",
        false => "`NEST_BACKEND=interp`",
    };
    Err(Diagnostic::new(format!(
        "`nest {}` needs XLA: {} cannot {}",
        command, source, what
    ))
    .with_hint("the interpreter runs `.nest` files (`nest --backend interp run FILE`), not StableHLO; use `--backend xla` or leave it out"))
}

fn refuse(command: &str, flag: Option<&str>) -> Result<(), Diagnostic> {
    let Some(text) = flag else {
        return Ok(());
    };
    parse(text)?;
    let why = match command {
        "check" => "it runs nothing compiled (it traces, and checks, on types alone)",
        "cache" => "the cache of executables is shared by every plugin",
        _ => "it chooses a plugin with `nest plugin install KIND`",
    };
    Err(
        Diagnostic::new(format!("`nest {}` takes no `--backend`: {}", command, why))
            .with_hint("`--backend` applies to run, repl, ir, compile and exec"),
    )
}

/// The XLA plugin that `exec` and `compile --executable` use: the one
/// `--backend` (else `$NEST_BACKEND`) names, else the best installed one.
pub fn xla_choice(flag: Option<&str>) -> Choice {
    let env = std::env::var("NEST_BACKEND").ok();
    match flag.or(env.as_deref()).and_then(Choice::parse) {
        Some(choice @ Choice::Plugin(_)) => choice,
        _ => Choice::Xla,
    }
}
