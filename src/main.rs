//! The `nest` command: a thin layer over [`nest::Session`].

mod backend_flag;
mod cli;
mod repl;
mod shell;

fn main() -> std::process::ExitCode {
    cli::main()
}
