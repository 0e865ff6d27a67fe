//! The interactive loop: read an entry (one or more lines), run it in a
//! persistent [`Session`], print its value or its error, repeat.
//!
//! On a terminal it uses line editing and keeps history in `~/.nest_history`;
//! when stdin is a pipe it reads the same entries line by line with no
//! prompts, so scripts and tests can drive it.

use crate::shell::report;
use nest::{Diagnostic, Session};
use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;

const PROMPT: &str = "nest> ";
const CONTINUE: &str = "....> ";

const HELP: &str = "\
Enter statements, `fn` definitions, imports or an expression; an expression's value is printed.
An entry continues on the next line while brackets are open or a line ends with an operator.
Commands:
  :type EXPR   show the type of an expression
  :ir NAME     show the IR of the last trace of function NAME
  :help        show this text
  :quit        leave (Ctrl-D too)";

/// Where entries come from: a line editor on a terminal, or plain stdin.
enum Input {
    Editor(Box<DefaultEditor>),
    Pipe(io::StdinLock<'static>),
}

/// What reading one line gave.
enum Line {
    Text(String),
    /// Ctrl-C: drop the entry being typed.
    Cancel,
    /// Ctrl-D or end of input.
    End,
}

impl Input {
    fn open() -> Input {
        if io::stdin().is_terminal() {
            if let Ok(mut editor) = DefaultEditor::new() {
                if let Some(path) = history_path() {
                    let _ = editor.load_history(&path);
                }
                return Input::Editor(Box::new(editor));
            }
        }
        Input::Pipe(io::stdin().lock())
    }

    fn read(&mut self, prompt: &str) -> Line {
        match self {
            Input::Editor(editor) => match editor.readline(prompt) {
                Ok(line) => Line::Text(line),
                Err(ReadlineError::Interrupted) => Line::Cancel,
                Err(_) => Line::End,
            },
            Input::Pipe(stdin) => {
                let mut line = String::new();
                match stdin.read_line(&mut line) {
                    Ok(0) | Err(_) => Line::End,
                    Ok(_) => Line::Text(line.trim_end_matches(['\n', '\r']).to_string()),
                }
            }
        }
    }

    fn remember(&mut self, entry: &str) {
        if let Input::Editor(editor) = self {
            let _ = editor.add_history_entry(entry);
        }
    }

    fn close(&mut self) {
        if let (Input::Editor(editor), Some(path)) = (self, history_path()) {
            let _ = editor.save_history(&path);
        }
    }
}

fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".nest_history"))
}

/// Runs the loop until `:quit` or end of input. Errors are reported and the
/// loop goes on. Returns whether the session succeeded: false when input
/// came from a pipe and some entry failed, so that a script feeding the REPL
/// sees the failure in its exit status (an interactive session always
/// succeeds: its errors were read by the user).
pub fn run(session: &mut Session) -> bool {
    let mut input = Input::open();
    let interactive = matches!(input, Input::Editor(_));
    if interactive {
        println!("nest {} (:help for help, :quit to leave)", nest::VERSION);
    }
    let mut failed = false;
    while let Some(entry) = read_entry(&mut input) {
        if entry.trim().is_empty() {
            continue;
        }
        input.remember(&entry);
        match handle(session, entry.trim()) {
            Outcome::Quit => break,
            Outcome::Failed => failed = true,
            Outcome::Done => {}
        }
    }
    input.close();
    interactive || !failed
}

/// What running one entry gave.
enum Outcome {
    Done,
    /// An error was reported.
    Failed,
    /// The user asked to leave.
    Quit,
}

/// Reads lines until they form a complete entry; `None` at the end of input.
fn read_entry(input: &mut Input) -> Option<String> {
    let mut entry = String::new();
    loop {
        let prompt = if entry.is_empty() { PROMPT } else { CONTINUE };
        match input.read(prompt) {
            Line::Text(line) => {
                if !entry.is_empty() {
                    entry.push('\n');
                }
                entry.push_str(&line);
                let command = entry.trim_start().starts_with(':');
                if command || is_complete(&entry) {
                    return Some(entry);
                }
            }
            Line::Cancel => entry.clear(),
            // Whatever was typed before the end still runs (and reports its syntax error).
            Line::End => return (!entry.trim().is_empty()).then_some(entry),
        }
    }
}

/// Runs one entry: an expression or statements, or a `:command`.
fn handle(session: &mut Session, entry: &str) -> Outcome {
    let Some(command) = entry.strip_prefix(':') else {
        let r = session.eval_repl(entry);
        return shown(session, r);
    };
    let (name, arg) = match command.split_once(char::is_whitespace) {
        Some((name, arg)) => (name, arg.trim()),
        None => (command, ""),
    };
    let r = match name {
        "quit" | "q" => return Outcome::Quit,
        "help" | "h" => Ok(HELP.to_string()),
        "type" | "t" => session.type_of(arg),
        "ir" => session.ir_of_name(arg),
        _ => {
            let _ = writeln!(
                io::stderr(),
                "error: unknown command `:{}`\n  = hint: :help lists the commands",
                name
            );
            return Outcome::Failed;
        }
    };
    shown(session, r.map(Some))
}

/// Prints an entry's text, if it has one, or reports its error.
fn shown(session: &Session, r: Result<Option<String>, Diagnostic>) -> Outcome {
    match r {
        Ok(text) => {
            if let Some(text) = text {
                print_line(&text);
            }
            Outcome::Done
        }
        Err(diag) => {
            report(session, &diag);
            Outcome::Failed
        }
    }
}

fn print_line(text: &str) {
    let mut out = io::stdout();
    let _ = out.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
}

/// Whether an entry is complete: every bracket it opens is closed and its
/// last line does not end with a binary operator, `=` or `,`. Brackets in
/// strings and comments do not count; an extra closing bracket ends the
/// entry (the parser reports it).
pub fn is_complete(entry: &str) -> bool {
    let mut depth: i64 = 0;
    let mut last = None;
    for line in entry.lines() {
        let code = strip_comment(line);
        let mut in_string = false;
        for c in code.chars() {
            match c {
                '"' => in_string = !in_string,
                '(' | '[' | '{' if !in_string => depth += 1,
                ')' | ']' | '}' if !in_string => depth -= 1,
                _ => {}
            }
        }
        if let Some(c) = code.trim_end().chars().last() {
            last = Some(c);
        }
    }
    let dangling = last.is_some_and(|c| "+-*/%@=<>&|!,.".contains(c));
    depth <= 0 && !dangling
}

/// The part of a line before a `#` comment (a `#` inside a string does not start one).
fn strip_comment(line: &str) -> &str {
    let mut in_string = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '#' if !in_string => return &line[..i],
            _ => {}
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::is_complete;

    #[test]
    fn complete_entries() {
        assert!(is_complete("let x = 1;"));
        assert!(is_complete("fn f(x) { x + 1 }"));
        assert!(is_complete("print(\"(\", 1)"));
        assert!(is_complete("x # a comment with ( and +"));
        assert!(is_complete("f(x))"));
        assert!(is_complete(""));
    }

    #[test]
    fn incomplete_entries() {
        assert!(!is_complete("fn f(x) {"));
        assert!(!is_complete("let x = [1,"));
        assert!(!is_complete("let y = x +"));
        assert!(!is_complete("let y = x *  # more below"));
        assert!(!is_complete("let z ="));
        assert!(!is_complete("fn f(x) {\n  let y = x;\n"));
    }

    #[test]
    fn closed_after_continuation() {
        assert!(is_complete("fn f(x) {\n  x + 1\n}"));
        assert!(is_complete("let y = 1 +\n 2;"));
    }
}
