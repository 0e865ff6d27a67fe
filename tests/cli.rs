//! The `nest` command line, run as a built binary from the repository root.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn nest(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nest"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the nest binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `nest repl` with `input` piped to stdin.
fn repl(input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nest"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("repl")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the nest binary starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("write to the repl");
    child.wait_with_output().expect("the repl ends")
}

#[test]
fn version() {
    let o = nest(&["--version"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), format!("nest {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for sub in ["run", "check", "ir", "repl"] {
        let o = nest(&[sub, "--help"]);
        assert!(o.status.success(), "nest {sub} --help failed");
        let text = stdout(&o);
        assert!(text.contains(&format!("Usage: nest {sub}")), "{text}");
        assert!(text.contains(&format!("Example:\n  nest {sub}")), "{text}");
    }
    let top = stdout(&nest(&["--help"]));
    for sub in ["run", "check", "ir", "repl"] {
        assert!(
            top.contains(&format!("\n  {sub} ")),
            "{sub} missing from:\n{top}"
        );
    }
}

#[test]
fn usage_errors_do_not_panic() {
    let o = nest(&["run"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = nest(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn check_accepts_a_good_file() {
    let o = nest(&["check", "examples/quickstart.nest"]);
    assert_eq!(stderr(&o), "");
    assert!(o.status.success());
    assert_eq!(stdout(&o), "examples/quickstart.nest: ok\n");
}

#[test]
fn check_reports_a_bad_file() {
    let o = nest(&["check", "tests/errors/syntax_error.nest"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(err.starts_with("tests/errors/syntax_error.nest:"), "{err}");
    assert!(err.contains(": error: "), "{err}");
    assert!(err.contains(" | "), "no source snippet in:\n{err}");
}

#[test]
fn check_does_not_run_the_program() {
    // It prints nothing, writes nothing and runs no function, yet a file the
    // program saves can be loaded back, and a host loop and `if` on values
    // known only by type are checked.
    let path = temp_file(
        "check_no_run",
        "p.nest",
        "fn f(x) { x * 2.0 }\n\
         let y = f(ones([1000, 1000]));\n\
         print(\"y\", y);\n\
         save(\"y.npy\", y);\n\
         let z = load(\"y.npy\") @ ones([1000]);\n\
         var s = 0.0;\n\
         while s < sum(z) { s = s + f(1.0); }\n\
         if max(z) > 0.0 { print(\"positive\"); } else { print(\"not\"); }\n\
         assert_close(z, zeros([1000]));\n",
    );
    let file = path.to_str().expect("UTF-8");
    let o = nest(&["check", file]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), format!("{file}: ok\n"));
    assert!(!path.with_file_name("y.npy").exists(), "check wrote a file");
}

/// Error programs whose error needs the values (which `nest check` does not
/// compute) or more host loop iterations than it runs; figures' lengths are
/// checked by `run` only, as a history gathered in a host loop is short in `check`.
const RUN_ONLY_ERRORS: &[&str] = &[
    "assert_close_fails",
    "value_nested_too_deeply",
    "plot_xy_lengths",
    "heatmap_axis_length",
];

#[test]
fn check_finds_what_run_finds() {
    // `check` only parsed and checked names, so recursion, shape
    // mismatches, static indices out of range and missing files passed.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/errors") {
        let path = entry.expect("an entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".nest") else {
            continue;
        };
        if RUN_ONLY_ERRORS.contains(&stem) {
            continue;
        }
        let file = format!("tests/errors/{name}");
        let o = nest(&["check", &file]);
        let golden = std::fs::read_to_string(dir.join(format!("{stem}.err"))).expect("golden");
        assert_eq!(o.status.code(), Some(1), "{file}: {}", stderr(&o));
        assert_eq!(stderr(&o), golden, "{file}");
        checked += 1;
    }
    assert!(checked > 30, "only {checked} error programs");
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let o = nest(&["run", "tests/no_such_file.nest"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error: "), "{err}");
    assert!(err.contains("tests/no_such_file.nest"), "{err}");
}

#[test]
fn ir_prints_a_traced_function() {
    let path = "tests/programs/loops.nest";
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(path).exists());
    let o = nest(&["ir", path, "--fn", "sum_of_squares", "--args", "f32[5]"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("sum_of_squares"), "{text}");
    assert!(text.contains("f32[5]"), "{text}");
    assert!(text.contains("while"), "a loop in a fn is a while:\n{text}");
    assert!(text.trim_end().ends_with('}'), "{text}");
}

#[test]
fn ir_of_an_unknown_function_is_an_error() {
    let o = nest(&["ir", "tests/programs/loops.nest", "--fn", "no_such_fn"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no_such_fn"), "{}", stderr(&o));
}

#[test]
fn ir_rejects_malformed_argument_types() {
    let o = nest(&[
        "ir",
        "tests/programs/loops.nest",
        "--fn",
        "sum_of_squares",
        "--args",
        "f32[5",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error"), "{}", stderr(&o));
}

#[test]
fn repl_keeps_bindings_between_entries() {
    let o = repl("let x = ones([2, 2]) * 3.0;\nsum(x)\nx[0, 1] + 1.0\n");
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o), "12.0\n4.0\n");
    assert!(o.status.success());
}

#[test]
fn repl_continues_unbalanced_entries() {
    let input = "fn double(v) {\n    v * 2\n}\nlet y = 1 +\n    2;\ndouble(y)\n";
    let o = repl(input);
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o), "6\n");
}

#[test]
fn repl_type_and_ir_commands() {
    let o = repl(
        "let w = zeros([3, 4]);\n:type w\n:type {w, b: 1.0}\nfn f(a) { a * a }\nf(w)\n:ir f\n",
    );
    assert_eq!(stderr(&o), "");
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("f32[3, 4]"));
    assert_eq!(lines.next(), Some("{w: f32[3, 4], b: f32[] (weak)}"));
    assert!(out.contains("f32[3, 4]"));
    assert!(out.trim_end().ends_with('}'), "no IR printed:\n{out}");
}

#[test]
fn repl_recovers_after_an_error() {
    let o = repl("let a = 2;\nundefined_name + 1\na * 5\n:quit\nprint(\"not reached\")\n");
    let err = stderr(&o);
    assert!(err.contains("error: "), "{err}");
    assert!(err.contains("undefined_name"), "{err}");
    assert_eq!(stdout(&o), "10\n");
    // A piped session that had an error exits 1 (after running the rest).
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn repl_help_and_unknown_commands() {
    let o = repl(":help\n:frobnicate\n");
    assert!(stdout(&o).contains(":type EXPR"));
    assert!(stderr(&o).contains("unknown command `:frobnicate`"));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn repl_prints_no_prompt_in_a_pipe() {
    let o = repl("1 + 1\n");
    assert_eq!(stdout(&o), "2\n");
    assert!(!stdout(&o).contains("nest>"));
}

/// A file in a fresh directory under Cargo's temporary directory.
fn temp_file(test: &str, name: &str, text: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the test directory");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the test file");
    path
}

#[test]
fn a_long_chain_of_calls_runs_and_checks() {
    // 2,000 functions, each calling the previous one: the evaluator's
    // recursion overflowed the stack (SIGABRT) where `check` said ok.
    let mut text = String::from("fn f0(x) { x + 1.0 }\n");
    for i in 1..2000 {
        text.push_str(&format!("fn f{i}(x) {{ f{}(x) + 1.0 }}\n", i - 1));
    }
    text.push_str("print(f1999(0.0));\nprint(grad(f1999)(0.0));\n");
    let path = temp_file("call_chain", "chain.nest", &text);
    let file = path.to_str().expect("a UTF-8 path");
    for backend in ["interp", "auto"] {
        let o = nest(&["--backend", backend, "run", file]);
        assert!(o.status.success(), "{backend}: {}", stderr(&o));
        assert_eq!(stdout(&o), "2000.0\n1.0\n", "{backend}");
    }
    let o = nest(&["check", file]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Runs `nest ARGS` with its address space limited to `kib` KiB
/// (`ulimit -v`), so that an allocation larger than that fails.
fn nest_limited(kib: u64, args: &[&str]) -> Output {
    let mut script = format!("ulimit -v {kib} && exec \"$0\"");
    for i in 1..=args.len() {
        script.push_str(&format!(" \"${i}\""));
    }
    Command::new("sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_nest"))
        .args(args)
        .output()
        .expect("sh runs")
}

#[test]
fn tracing_a_huge_annotated_input_allocates_nothing() {
    // `f32[1000000000]` is 4 GB: tracing made a zero array of it, which
    // aborted the process under a 2 GB limit.
    let path = temp_file(
        "huge_input",
        "huge.nest",
        "fn h(x: f32[1000000000]) -> f32 { sum(x * 2.0) }\n\
         fn g(x) { x * 2.0 }\n\
         fn f(x: f32[100000000000]) -> f32 { sum(x) }\n",
    );
    let file = path.to_str().expect("a UTF-8 path");
    let out = path.with_file_name("out");
    let out = out.to_str().expect("a UTF-8 path");
    let limit = 2 << 20;
    let o = nest_limited(limit, &["ir", file, "--fn", "h"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("f32[1000000000]"), "{}", stdout(&o));
    let o = nest_limited(
        limit,
        &["ir", file, "--fn", "g", "--args", "f32[1000000000]"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = nest_limited(limit, &["compile", file, "--fn", "h", "-o", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Over the element limit: an error at the parameter, not an abort.
    let o = nest_limited(limit, &["ir", file, "--fn", "f"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("huge.nest:3:6: error: this argument is too large"),
        "{err}"
    );
}

#[test]
fn an_allocation_the_host_cannot_make_is_an_error() {
    // 16 GB under a 4 GB address-space limit: the interpreter aborted.
    let path = temp_file(
        "alloc_fails",
        "alloc.nest",
        "let x = ones([2000000000], dtype = f64);\nprint(sum(x));\n",
    );
    let file = path.to_str().expect("a UTF-8 path");
    let o = nest_limited(4 << 20, &["--backend", "interp", "run", file]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("alloc.nest:1:9: error: f64[2000000000] would need 16.0 GB of memory"),
        "{err}"
    );
    // Inside a compiled function, on the interpreter.
    let path = temp_file(
        "alloc_fails_in_fn",
        "alloc.nest",
        "fn f(n) { sum(ones([2000000000], dtype = f64) * n) }\nprint(f(2.0));\n",
    );
    let file = path.to_str().expect("a UTF-8 path");
    let o = nest_limited(4 << 20, &["--backend", "interp", "run", file]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("would need 16.0 GB of memory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn save_refuses_links_fifos_and_devices() {
    // `save` renamed its temporary file over whatever was at the path,
    // replacing a symbolic link, a FIFO or a device node with a file.
    let path = temp_file("save_special", "save.nest", "");
    let dir = path.parent().expect("a directory");
    let target = dir.join("target.npy");
    std::fs::write(&target, b"keep").expect("write the target");
    std::os::unix::fs::symlink(&target, dir.join("link.npy")).expect("symlink");
    let fifo = dir.join("fifo.npy");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let cases = [
        ("link.npy", "a symbolic link"),
        ("fifo.npy", "a FIFO"),
        ("/dev/null", "a device node"),
        (".", "a directory"),
    ];
    for (target_path, kind) in cases {
        let text = format!("save(\"{target_path}\", ones([2]));\n");
        std::fs::write(&path, text).expect("write the program");
        let o = nest(&["--backend", "interp", "run", path.to_str().expect("UTF-8")]);
        assert_eq!(o.status.code(), Some(1), "{target_path}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("save.nest:1:6: error: cannot write `"),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "it is {kind}, and nest only replaces regular files"
            )),
            "{err}"
        );
    }
    let link = std::fs::symlink_metadata(dir.join("link.npy")).expect("the link is there");
    assert!(link.file_type().is_symlink());
    assert_eq!(
        std::fs::read(&target).expect("the target is there"),
        b"keep"
    );
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo)
        .expect("the FIFO is there")
        .file_type()
        .is_fifo());
    // A regular file and a new path are written.
    std::fs::write(
        &path,
        "save(\"new.npy\", ones([2]));\nsave(\"new.npy\", zeros([3]));\n",
    )
    .expect("write the program");
    let o = nest(&["--backend", "interp", "run", path.to_str().expect("UTF-8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("new.npy").is_file());
}

/// `--devices N` makes the CPU plugin create the devices a mesh needs;
/// without it there is one, and a larger mesh is an error that says how
/// to get more.
#[test]
fn devices_flag_makes_a_mesh_fit() {
    if common::cpu_plugin().is_none() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("nest-cli-devices-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join("mesh.nest");
    std::fs::write(
        &file,
        "let m = mesh([4], (\"data\",));\nfn f(x) { sum(x * x) }\nprint(f(shard(arange(8) * 1.0, m, (\"data\",))));\n",
    )
    .expect("write the program");
    let run = |devices: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_nest"));
        cmd.env_remove("NEST_DEVICES").args(["--backend", "cpu"]);
        if let Some(n) = devices {
            cmd.args(["--devices", n]);
        }
        cmd.arg("run").arg(&file).output().expect("nest runs")
    };
    let four = run(Some("4"));
    assert!(four.status.success(), "{}", stderr(&four));
    assert_eq!(stdout(&four).trim(), "140.0");
    let one = run(None);
    assert_eq!(one.status.code(), Some(1));
    assert!(
        stderr(&one).contains("needs 4 devices, but the cpu plugin has 1"),
        "{}",
        stderr(&one)
    );
    assert!(stderr(&one).contains("--devices 4"), "{}", stderr(&one));
    let bad = run(Some("0"));
    assert_eq!(
        bad.status.code(),
        Some(2),
        "clap refuses it: {}",
        stderr(&bad)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
