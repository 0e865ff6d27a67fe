//! The cache of compiled executables: tests keep it out of the user's
//! cache, the binary keeps it within its size bound, and `nest cache`
//! reports and clears it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `nest ARGS` with its executable cache in `dir`, bounded by `size`.
fn nest(dir: &Path, size: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nest"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NEST_EXECUTABLE_CACHE_DIR", dir)
        .env("NEST_EXECUTABLE_CACHE_SIZE", size)
        .env_remove("NEST_NO_DISK_CACHE")
        .args(args)
        .output()
        .expect("the nest binary runs")
}

fn fresh(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The number and total size of the cached executables in `dir`.
fn usage(dir: &Path) -> (usize, u64) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    read.filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "pjrt"))
        .fold((0, 0), |(n, b), e| {
            (n + 1, b + e.metadata().map(|m| m.len()).unwrap_or(0))
        })
}

/// Runs the quickstart on XLA with the cache in `dir`; `false` (after a
/// note) when there is no plugin and none is required.
fn run_quickstart(dir: &Path, size: &str) -> bool {
    let o = nest(
        dir,
        size,
        &["--backend", "xla", "run", "examples/quickstart.nest"],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    if !o.status.success() && stderr.contains("no XLA plugin") {
        let required = std::env::var("NEST_REQUIRE_XLA").is_ok_and(|v| v == "1");
        assert!(!required, "NEST_REQUIRE_XLA=1: {stderr}");
        eprintln!("note: skipping: {stderr}");
        return false;
    }
    assert!(o.status.success(), "{stderr}");
    true
}

#[test]
fn tests_keep_their_executables_out_of_the_users_cache() {
    // `.cargo/config.toml` sets it for every process `cargo test` starts.
    let dir = std::env::var("NEST_EXECUTABLE_CACHE_DIR").expect("set by .cargo/config.toml");
    assert!(
        Path::new(&dir).starts_with(env!("CARGO_MANIFEST_DIR")),
        "{dir}"
    );
}

#[test]
fn the_cache_keeps_to_its_bound_evicting_the_oldest() {
    let all = fresh("cache-unbounded");
    if !run_quickstart(&all, "1G") {
        return;
    }
    let (n, bytes) = usage(&all);
    assert!(n >= 2, "{n} executables");
    // Half the room: some must go, and what stays fits.
    let half = bytes / 2;
    let bounded = fresh("cache-bounded");
    assert!(run_quickstart(&bounded, &half.to_string()));
    let (m, kept) = usage(&bounded);
    assert!(m >= 1 && m < n, "{m} of {n} executables kept");
    assert!(kept <= half, "{kept} bytes kept, bound {half}");
    // A second run with the cache still works (entries evicted or not).
    assert!(run_quickstart(&bounded, &half.to_string()));
    assert!(usage(&bounded).1 <= half);
}

#[test]
fn cache_info_and_clear() {
    let dir = fresh("cache-clear");
    if !run_quickstart(&dir, "1G") {
        return;
    }
    let (n, _) = usage(&dir);
    let info = nest(&dir, "1G", &["cache", "info"]);
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(info.status.success());
    assert!(
        text.contains(&format!("{n} compiled executables")),
        "{text}"
    );
    assert!(text.contains("of 1.0 GiB"), "{text}");
    let clear = nest(&dir, "1G", &["cache", "clear"]);
    let text = String::from_utf8_lossy(&clear.stdout);
    assert!(
        text.starts_with(&format!("removed {n} compiled executables")),
        "{text}"
    );
    assert_eq!(usage(&dir), (0, 0));
}

#[test]
fn a_bad_size_is_an_error_naming_the_variable() {
    let dir = fresh("cache-bad-size");
    let o = nest(&dir, "lots", &["cache", "info"]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("NEST_EXECUTABLE_CACHE_SIZE=`lots`"),
        "{stderr}"
    );
}

/// The `nest: compiled N modules ... loaded M from the disk cache` line
/// that `NEST_COMPILE_STATS=1` prints: (N, M).
fn compile_stats(stderr: &str) -> (usize, usize) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("nest: compiled "))
        .unwrap_or_else(|| panic!("no statistics line in: {stderr}"));
    let number = |after: &str| -> usize {
        let rest = &line[line.find(after).expect(after) + after.len()..];
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    (number("compiled "), number("loaded "))
}

/// Runs `args` on XLA with statistics; `None` without a plugin (when none
/// is required).
fn stats_of(dir: &Path, args: &[&str]) -> Option<(usize, usize)> {
    let o = Command::new(env!("CARGO_BIN_EXE_nest"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NEST_EXECUTABLE_CACHE_DIR", dir)
        .env("NEST_COMPILE_STATS", "1")
        .env_remove("NEST_NO_DISK_CACHE")
        .args(["--backend", "xla"])
        .args(args)
        .output()
        .expect("the nest binary runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    if !o.status.success() && stderr.contains("no XLA plugin") {
        let required = std::env::var("NEST_REQUIRE_XLA").is_ok_and(|v| v == "1");
        assert!(!required, "NEST_REQUIRE_XLA=1: {stderr}");
        return None;
    }
    assert!(o.status.success(), "{stderr}");
    Some(compile_stats(&stderr))
}

/// Matrix products large enough for XLA's library kernels, products with
/// vectors, a Cholesky factor and triangular solves, in compiled
/// functions and at top level.
const MATMULS: &str = r#"
fn gram(a) { a @ transpose(a) + 256.0 * eye(256) }
fn solve(a, b) {
    let l = cholesky(gram(a));
    triangular_solve(l, b, lower = true)
}
let a = reshape(sin(arange(65536) * 0.01), (256, 256));
let b = cos(arange(256) * 0.1);
print(round(sum(solve(a, b)) * 1000.0));
print(round(sum(a @ a @ b) * 1000.0));
print(round(sum(b @ a) * 1000.0));
"#;

#[test]
fn a_second_process_compiles_nothing() {
    let dir = fresh("cache-warm");
    let program = Path::new(env!("CARGO_TARGET_TMPDIR")).join("matmuls.nest");
    std::fs::write(&program, MATMULS).expect("write the program");
    let args = ["run", program.to_str().expect("a UTF-8 path")];
    let Some((compiled, _)) = stats_of(&dir, &args) else {
        return;
    };
    assert!(compiled > 0, "the first run compiled nothing");
    assert_eq!(stats_of(&dir, &args), Some((0, compiled)));
}

/// A loss history grown by `concat` in a host loop from a compiled
/// function's results (device arrays on XLA): every step has a new shape.
const HISTORY: &str = r#"
fn loss(w: f32[4]) -> f32 { sum(w * w) }
var w = ones([4]);
var losses = zeros([0]);
for step in 0..40 {
    losses = concat([losses, stack([loss(w)])]);
    w = w * 0.5;
}
print(size(losses), losses[39] * 1e20);
"#;

#[test]
fn small_device_values_do_not_compile_one_program_per_shape() {
    let dir = fresh("cache-history");
    let program = Path::new(env!("CARGO_TARGET_TMPDIR")).join("history.nest");
    std::fs::write(&program, HISTORY).expect("write the program");
    let args = ["run", program.to_str().expect("a UTF-8 path")];
    let Some((compiled, _)) = stats_of(&dir, &args) else {
        return;
    };
    // `loss` once; the 40 concatenations of small values run on the host.
    assert!(compiled <= 2, "compiled {compiled} modules");
}
