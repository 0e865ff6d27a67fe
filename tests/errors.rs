//! Error snapshots: the built `nest` runs every `tests/errors/NAME.nest` from
//! the repository root (`nest run tests/errors/NAME.nest`); it must exit with
//! status 1 and print exactly `tests/errors/NAME.err` to stderr.
//!
//! `NEST_BLESS=1` rewrites the `.err` files from the actual output (review the
//! diff before committing it). Files in subdirectories of `tests/errors` are
//! helpers (imported modules, data), not tests.

use std::fs;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn error_programs() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join("tests/errors"))
        .expect("tests/errors is readable")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".nest").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// Checks one program; a failure message, if any.
fn check(name: &str, bless: bool) -> Option<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_nest"))
        .current_dir(root())
        .args(["run", &format!("tests/errors/{name}.nest")])
        .output()
        .expect("the nest binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let golden = root().join(format!("tests/errors/{name}.err"));
    let mut problems = vec![];
    if output.status.code() != Some(1) {
        problems.push(format!(
            "exit status {:?}, expected 1",
            output.status.code()
        ));
    }
    if bless {
        if let Err(e) = fs::write(&golden, &stderr) {
            problems.push(format!("cannot write {name}.err: {e}"));
        }
    } else {
        match fs::read_to_string(&golden) {
            Ok(expected) if expected == stderr => {}
            Ok(expected) => problems.push(format!(
                "stderr differs from {name}.err\n--- expected\n{expected}--- actual\n{stderr}"
            )),
            Err(_) => problems.push(format!("no {name}.err; stderr was:\n{stderr}")),
        }
    }
    (!problems.is_empty()).then(|| format!("tests/errors/{name}.nest: {}", problems.join("; ")))
}

#[test]
fn errors_are_reported_as_documented() {
    let bless = std::env::var_os("NEST_BLESS").is_some_and(|v| v == "1");
    let names = error_programs();
    assert!(!names.is_empty(), "no programs in tests/errors");
    let failures: Vec<String> = names.iter().filter_map(|n| check(n, bless)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} error programs failed:\n\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}
