//! The command line as a new user meets it: the REPL's output and exit
//! status, programs on standard input, `--backend` on every command, and
//! `--args` for `ir` and `compile`. Each runs the built binary from the
//! repository root.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn nest(args: &[&str]) -> Output {
    nest_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, None)
}

/// Runs `nest ARGS` in `dir`, with `input` (if any) piped to stdin.
fn nest_in(dir: &Path, args: &[&str], input: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nest"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the nest binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(input.unwrap_or("").as_bytes())
        .expect("write to stdin");
    drop(stdin);
    child.wait_with_output().expect("nest ends")
}

fn piped(args: &[&str], input: &str) -> Output {
    nest_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, Some(input))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory for one test.
fn tmp(test: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli_edges")
        .join(test);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temporary directory");
    d
}

#[test]
fn repl_prints_nothing_for_a_unit_result() {
    let o = piped(&["repl"], "print(1.5)\n()\nlet x = 2;\nx * 3\n");
    assert_eq!(stdout(&o), "1.5\n6\n", "{}", stderr(&o));
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn piped_repl_exits_1_when_an_entry_failed() {
    // The session goes on after the error, then reports it in its status.
    let o = piped(&["repl"], "let y = 1 + \"a\";\nprint(2)\n");
    assert_eq!(stdout(&o), "2\n");
    assert!(stderr(&o).contains("error:"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(1));
    // So do an unknown `:command` and a failed `:type`.
    for input in [":frobnicate\n", ":type undefined_name\n"] {
        let o = piped(&["repl"], input);
        assert_eq!(o.status.code(), Some(1), "{input}: {}", stderr(&o));
    }
    let o = piped(&["repl"], "let y = 1;\n:type y\n:quit\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn run_dash_reads_the_program_from_stdin() {
    let program = "let x = ones([2]) * 3.0;\nprint(x);\nfn main() { print(\"main\"); }\n";
    let o = piped(&["run", "-"], program);
    assert_eq!(stdout(&o), "[3. 3.]\nmain\n", "{}", stderr(&o));
    assert!(o.status.success());
    // Diagnostics name it `<stdin>`.
    let o = piped(&["run", "-"], "let a = 1.0;\nlet b = a + c;\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("<stdin>:2:13: error: unknown name `c`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn run_dash_resolves_paths_from_the_current_directory() {
    let dir = tmp("stdin_paths");
    std::fs::create_dir_all(dir.join("lib")).expect("lib/");
    std::fs::write(dir.join("lib/helpers.nest"), "fn twice(x) { 2.0 * x }\n").expect("module");
    let program = "import \"lib/helpers.nest\"\n\
                   save(\"saved.npy\", helpers.twice(ones([3])));\n\
                   print(load(\"saved.npy\"));\n";
    let o = nest_in(&dir, &["run", "-"], Some(program));
    assert_eq!(stdout(&o), "[2. 2. 2.]\n", "{}", stderr(&o));
    assert!(dir.join("saved.npy").exists());
}
