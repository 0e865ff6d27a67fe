//! The nested-workload benchmarks (`benches/nested/*.nest`, run against JAX
//! by `benches/nested/run.py`) cannot rot: each script runs here at its tiny
//! sizes on the interpreter and, with a plugin, on XLA, prints a checksum
//! and a steady-state time, and the two backends' checksums agree. Nothing
//! is timed; the JAX half needs Python and is the runner's job.

mod common;

use common::run_script as run;
use common::{number, tiny};
use nest::backend::Backend;
use std::path::{Path, PathBuf};

fn scripts() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/nested");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("benches/nested/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "nest"))
        .collect();
    paths.sort();
    paths
}

/// Runs the tiny copy of `script` on `backend`: its checksum, after
/// checking that it also printed a steady-state time.
fn checksum(script: &Path, backend: Backend) -> Result<f64, String> {
    let out = run(script, backend)?;
    number(&out, "steady_s").ok_or_else(|| format!("no `steady_s` line in:\n{out}"))?;
    number(&out, "checksum")
        .filter(|c| c.is_finite())
        .ok_or_else(|| format!("no finite `checksum` line in:\n{out}"))
}

#[test]
fn nested_bench_scripts_run_at_tiny_sizes_and_backends_agree() {
    let paths = scripts();
    assert!(paths.len() >= 6, "benches/nested has the six workloads");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench_scripts");
    std::fs::create_dir_all(&tmp).expect("the test's directory can be made");
    let xla = common::xla();
    let mut failures = vec![];
    for p in &paths {
        if !p.with_extension("py").exists() {
            failures.push(format!("{} has no JAX twin (.py)", p.display()));
        }
        let text = std::fs::read_to_string(p).expect("the script is readable");
        let small = tmp.join(p.file_name().expect("a file name"));
        match tiny(&text, p) {
            Ok(t) => std::fs::write(&small, t).expect("the tiny copy is written"),
            Err(e) => {
                failures.push(e);
                continue;
            }
        }
        let reference = match checksum(&small, Backend::Interp) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{} on the interpreter: {e}", p.display()));
                continue;
            }
        };
        if let Some(x) = &xla {
            match checksum(&small, x.clone()) {
                Ok(c) if (c - reference).abs() <= 1e-4 * reference.abs().max(1e-3) => {}
                Ok(c) => failures.push(format!(
                    "{}: checksums disagree: interpreter {reference}, XLA {c}",
                    p.display()
                )),
                Err(e) => failures.push(format!("{} on XLA: {e}", p.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_size_line_without_a_tiny_value_is_reported() {
    let file = Path::new("x.nest");
    assert_eq!(
        tiny("let n = 512;  # size (tiny: 8)\nprint(n);\n", file).as_deref(),
        Ok("let n = 8;\nprint(n);\n")
    );
    let err = tiny("let a = 1;\nlet n = 512;  # size\n", file).unwrap_err();
    assert!(err.starts_with("x.nest:2:"), "{err}");
}
