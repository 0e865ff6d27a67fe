//! Choosing a plugin with `--backend`: by kind, or the best installed one
//! (accelerators first, falling back past one that does not open).

mod common;

use nest::backend::plugin::{self, Kind};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `nest ARGS` with nest's cache at `cache` (and no `$NEST_PJRT_PLUGIN`).
fn nest(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nest"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NEST_CACHE_DIR", cache)
        .env_remove(plugin::PLUGIN_ENV)
        .env_remove("NEST_BACKEND")
        .args(args)
        .output()
        .expect("the nest binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fresh(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the cache");
    dir
}

/// Puts a file that is not a shared library where `kind`'s plugin goes.
fn fake_plugin(cache: &Path, kind: Kind) {
    let path = cache
        .join("plugins")
        .join(kind.name())
        .join("site")
        .join(kind.site_paths()[0]);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&path, "not a library").expect("write");
}

#[test]
fn a_plugin_by_name_that_is_not_installed_says_how_to_install_it() {
    let cache = fresh("plugins-none");
    let o = nest(
        &cache,
        &["--backend", "cuda13", "run", "examples/quickstart.nest"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "no XLA plugin for cuda13 found; install it with `nest plugin install cuda13`"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unknown_backend_lists_the_plugins() {
    let cache = fresh("plugins-unknown");
    let o = nest(
        &cache,
        &["--backend", "gpu", "run", "examples/quickstart.nest"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("`cpu`, `cuda12`, `cuda13` or `tpu`"),
        "{}",
        stderr(&o)
    );
    let o = nest(&cache, &["plugin", "install", "warp"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unknown plugin kind `warp`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_broken_plugin_by_name_is_an_error() {
    let cache = fresh("plugins-broken");
    fake_plugin(&cache, Kind::Cuda12);
    let o = nest(
        &cache,
        &["--backend", "cuda12", "run", "examples/quickstart.nest"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("failed to load"), "{}", stderr(&o));
}

#[test]
fn xla_passes_over_an_accelerator_that_is_absent_or_does_not_open() {
    let Some(cpu) = common::cpu_plugin() else {
        return;
    };
    let cache = fresh("plugins-fallback");
    fake_plugin(&cache, Kind::Cuda13);
    let site = cache
        .join("plugins/cpu/site")
        .join(Kind::Cpu.site_paths()[0]);
    std::fs::create_dir_all(site.parent().expect("a parent")).expect("mkdir");
    std::os::unix::fs::symlink(&cpu, &site).expect("link the CPU plugin");
    let o = nest(
        &cache,
        &["--backend", "xla", "run", "examples/quickstart.nest"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    // Tried (and passed over with a note) only on a machine with an NVIDIA
    // device; elsewhere not tried at all.
    let vendors = plugin::pci_vendors(Path::new("/sys/bus/pci/devices"));
    if plugin::device_present(Kind::Cuda13, &vendors) {
        assert!(e.contains("cuda13") && e.contains("failed to load"), "{e}");
        assert!(e.contains("running on the cpu plugin"), "{e}");
    } else {
        assert!(!e.contains("note:"), "{e}");
    }
    assert!(String::from_utf8_lossy(&o.stdout).contains("final loss"));
    // By name, the CPU plugin opens without a note.
    let o = nest(
        &cache,
        &["--backend", "cpu", "run", "examples/quickstart.nest"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
}
