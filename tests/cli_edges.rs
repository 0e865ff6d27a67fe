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

/// A file with an unannotated function, for `--args`.
fn unannotated(test: &str) -> (PathBuf, String) {
    let dir = tmp(test);
    let file = dir.join("model.nest");
    std::fs::write(
        &file,
        "fn predict(p, x) { x @ p.w + p.b }\nfn pair(t, k) { t.0 * cast(t.1, f32) }\n",
    )
    .expect("write the program");
    let path = file.to_str().expect("a UTF-8 path").to_string();
    (dir, path)
}

#[test]
fn args_take_tuple_and_record_types() {
    let (_dir, file) = unannotated("args_trees");
    let o = nest(&[
        "ir",
        &file,
        "--fn",
        "predict",
        "--args",
        "{w: f32[3], b: f32}, f32[4, 3]",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("fn predict(%0: f32[3], %1: f32[], %2: f32[4, 3]) -> (f32[4])"),
        "{}",
        stdout(&o)
    );
    let o = nest(&["ir", &file, "--fn", "pair", "--args", "(f32[2], i32), key"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("fn pair(%0: f32[2], %1: i32[], %2: u32[2])"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn compile_takes_args() {
    let (dir, file) = unannotated("compile_args");
    let out = dir.join("build");
    let o = nest(&[
        "compile",
        &file,
        "--fn",
        "predict",
        "--args",
        "{w: f32[3], b: f32}, f32[4, 3]",
        "-o",
        out.to_str().expect("a UTF-8 path"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("predict.json")).expect("a manifest");
    let m: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let names: Vec<&str> = m["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|s| s["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(names, ["p.w", "p.b", "x"]);
    assert_eq!(m["outputs"][0]["shape"], serde_json::json!([4]));
}

#[test]
fn a_wrong_number_of_args_says_what_is_expected() {
    let (dir, file) = unannotated("args_count");
    let out = dir.join("build");
    let out = out.to_str().expect("a UTF-8 path");
    for cmd in [
        vec![
            "ir",
            &file,
            "--fn",
            "predict",
            "--args",
            "{w: f32[3], b: f32}",
        ],
        vec![
            "compile",
            &file,
            "--fn",
            "predict",
            "-o",
            out,
            "--args",
            "{w: f32[3], b: f32}",
        ],
    ] {
        let o = nest(&cmd);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.starts_with(
                "--args:1:1: error: `predict` takes 2 arguments (`p`, `x`), and `--args` gives 1 type\n"
            ),
            "{err}"
        );
        assert!(err.contains("hint: no type for `x`"), "{err}");
        assert!(!err.contains("unknown name"), "{err}");
    }
    let o = nest(&[
        "ir",
        &file,
        "--fn",
        "predict",
        "--args",
        "f32[3], f32[4, 3], f32",
    ]);
    let err = stderr(&o);
    assert!(err.contains("and `--args` gives 3 types"), "{err}");
    assert!(err.contains("remove the last 1"), "{err}");
    assert!(
        !Path::new(out).join("predict.json").exists(),
        "no partial artifact"
    );
}

#[test]
fn args_errors_point_into_the_args() {
    let (_dir, file) = unannotated("args_errors");
    let o = nest(&[
        "ir",
        &file,
        "--fn",
        "predict",
        "--args",
        "{w: f32[n], b: f32}, f32[4, 3]",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with("--args:1:9: error: the dimension `n` has no size here"),
        "{err}"
    );
    let o = nest(&[
        "ir",
        &file,
        "--fn",
        "predict",
        "--args",
        "{w: f33[3], b: f32}, f32",
    ]);
    assert!(
        stderr(&o).starts_with("--args:1:5: error: unknown dtype `f33`"),
        "{}",
        stderr(&o)
    );
    // Without `--args`, every parameter needs an annotation; all are named.
    let o = nest(&["compile", &file, "--fn", "predict", "-o", "unused"]);
    let err = stderr(&o);
    assert!(
        err.contains("error: `predict` has parameters without a type: `p`, `x`"),
        "{err}"
    );
}

/// `nest ARGS` with extra environment variables.
fn nest_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nest"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the nest binary runs")
}

#[test]
fn check_and_plugin_refuse_a_backend() {
    let o = nest(&["--backend", "xla", "check", "examples/quickstart.nest"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: `nest check` takes no `--backend`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
    let o = nest(&["plugin", "list", "--backend", "interp"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: `nest plugin` takes no `--backend`"),
        "{}",
        stderr(&o)
    );
    // `NEST_BACKEND`, set for the commands that run code, is no error.
    let o = nest_env(
        &["check", "examples/quickstart.nest"],
        &[("NEST_BACKEND", "interp")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // A misspelled backend is an error on every command.
    let o = nest(&["--backend", "xal", "check", "examples/quickstart.nest"]);
    assert!(
        stderr(&o).starts_with("error: unknown backend `xal`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn exec_and_compile_executable_refuse_the_interpreter() {
    let o = nest(&[
        "--backend",
        "interp",
        "exec",
        "build/f.json",
        "--in",
        "x.npy",
        "--out",
        "out",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .starts_with("error: `nest exec` needs XLA: `--backend interp` cannot run an artifact"),
        "{}",
        stderr(&o)
    );
    let o = nest_env(
        &["exec", "build/f.json", "--in", "x.npy", "--out", "out"],
        &[("NEST_BACKEND", "interp")],
    );
    assert!(
        stderr(&o).starts_with("error: `nest exec` needs XLA: `NEST_BACKEND=interp`"),
        "{}",
        stderr(&o)
    );
    let dir = tmp("compile_interp");
    let o = nest(&[
        "--backend",
        "interp",
        "compile",
        "tests/artifacts/model.nest",
        "--fn",
        "predict",
        "-o",
        dir.to_str().expect("a UTF-8 path"),
        "--executable",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot compile an executable"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("predict.json").exists());
}

#[test]
fn ir_runs_the_top_level_statements_on_the_chosen_backend() {
    // `--backend xla` is honored: with no plugin to load, it is an error
    // (the interpreter, used by default, needs none).
    let args = ["ir", "tests/artifacts/model.nest", "--fn", "predict"];
    let broken = [("NEST_PJRT_PLUGIN", "/nonexistent/plugin.so")];
    let o = nest_env(&args, &broken);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut with_xla = vec!["--backend", "xla"];
    with_xla.extend(args);
    let o = nest_env(&with_xla, &broken);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("/nonexistent/plugin.so"),
        "{}",
        stderr(&o)
    );
}
