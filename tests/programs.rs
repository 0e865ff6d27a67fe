//! Golden-output tests: every `tests/programs/NAME.nest` runs in a fresh
//! [`Session`] and what it prints must equal `tests/programs/NAME.out`.
//!
//! Programs with a `tests/reference/NAME.py` have expected outputs computed
//! independently with NumPy (and `jax.random`); see `tests/reference/README.md`.
//! `NEST_BLESS=1` rewrites the `.out` of the other programs from nest's output.
//!
//! The programs run from a copy of `tests/programs` under Cargo's temporary
//! directory, with that copy as the working directory, so that relative paths
//! in them mean the same whether resolved against the file or the working
//! directory, and files they save never land in the source tree.

mod common;

use common::Captured;
use nest::backend::Backend;
use nest::Session;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs")
}

fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The names (without `.nest`) of the programs, sorted.
fn program_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("tests/programs is readable")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".nest").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// Runs one program; its output, or its rendered error.
fn run_program(name: &str) -> Result<String, String> {
    run_program_on(name, Backend::Interp)
}

fn run_program_on(name: &str, backend: Backend) -> Result<String, String> {
    let out = Captured::default();
    let mut session = Session::new(Box::new(out.clone()));
    session.set_backend(backend);
    let result = session
        .run_file(Path::new(&format!("{name}.nest")))
        .map_err(|diag| session.render(&diag));
    drop(session);
    let text = String::from_utf8_lossy(&out.0.borrow()).into_owned();
    result
        .map(|()| text.clone())
        .map_err(|rendered| format!("output before the error:\n{text}error:\n{rendered}"))
}

/// A line-by-line comparison: `-` expected, `+` actual.
fn diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            if let Some(x) = x {
                out.push_str(&format!("  line {}: - {}\n", i + 1, x));
            }
            if let Some(y) = y {
                out.push_str(&format!("  line {}: + {}\n", i + 1, y));
            }
        }
    }
    if out.is_empty() {
        out.push_str("  (the texts differ only in trailing newlines)\n");
    }
    out
}

fn has_reference(name: &str) -> bool {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/reference/{name}.py"))
        .exists()
}

/// Checks one program; a failure message, if any.
fn check(name: &str, bless: bool) -> Option<String> {
    let out_path = source_dir().join(format!("{name}.out"));
    let actual = match run_program(name) {
        Ok(text) => text,
        Err(message) => return Some(format!("{name}.nest failed\n{message}")),
    };
    if bless && !has_reference(name) {
        return fs::write(&out_path, &actual)
            .err()
            .map(|e| format!("{name}.out: cannot write: {e}"));
    }
    match fs::read_to_string(&out_path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => Some(format!(
            "{name}.nest: output differs from {name}.out\n{}",
            diff(&expected, &actual)
        )),
        Err(_) => Some(format!(
            "{name}.nest: no {name}.out (NEST_BLESS=1 writes it); output was:\n{actual}"
        )),
    }
}

#[test]
fn programs_print_their_expected_output() {
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("programs");
    let _ = fs::remove_dir_all(&work);
    copy_dir(&source_dir(), &work).expect("copy tests/programs");
    // The only test in this binary, so changing the working directory is safe.
    std::env::set_current_dir(&work).expect("enter the copy of tests/programs");
    let bless = std::env::var_os("NEST_BLESS").is_some_and(|v| v == "1");
    let names = program_names(&work);
    assert!(!names.is_empty(), "no programs in tests/programs");
    let mut failures: Vec<String> = names.iter().filter_map(|n| check(n, bless)).collect();
    if let Some(xla) = common::xla() {
        failures.extend(names.iter().filter_map(|n| check_on_xla(n, &xla)));
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs failed:\n\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}

/// Every program also runs on XLA, and its output must agree with the
/// interpreter's (numbers within `common::RTOL`).
fn check_on_xla(name: &str, xla: &Backend) -> Option<String> {
    let reference = match run_program(name) {
        Ok(text) => text,
        Err(_) => return None,
    };
    match run_program_on(name, xla.clone()) {
        Ok(text) => common::outputs_agree(&reference, &text).err().map(|e| {
            format!(
                "{name}.nest: XLA and the interpreter disagree: {e}\n{}",
                diff(&reference, &text)
            )
        }),
        Err(message) => Some(format!("{name}.nest failed on XLA\n{message}")),
    }
}
