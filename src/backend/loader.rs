//! What a plugin needs around its loading, so that a machine needs no
//! `LD_LIBRARY_PATH` and no JAX:
//!
//! * the NVIDIA runtime libraries a CUDA plugin opens by name (`libcudart`,
//!   `libcublas`, cuDNN, ...) are preloaded from the site-packages tree the
//!   plugin sits in, with their symbols global, so that the plugin's own
//!   `dlopen` finds them already loaded (what JAX's
//!   `_load_nvidia_libraries` does);
//! * the plugin's INFO logging is off unless the user asked for it
//!   (`TF_CPP_MIN_LOG_LEVEL`, set to 1 when unset);
//! * the GPU client's memory options come from `NEST_GPU_MEM_FRACTION`,
//!   `NEST_GPU_PREALLOCATE` and `NEST_GPU_ALLOCATOR` (JAX's
//!   `XLA_PYTHON_CLIENT_MEM_FRACTION`, `..._PREALLOCATE`, `..._ALLOCATOR`).

use super::pjrt::{preload, CreateOption, OptionValue};
use super::plugin::{kind_of, Kind};
use std::path::{Path, PathBuf};

/// The environment variable of the fraction of GPU memory XLA may use.
pub const MEM_FRACTION_ENV: &str = "NEST_GPU_MEM_FRACTION";
/// The environment variable saying whether XLA takes that memory at start.
pub const PREALLOCATE_ENV: &str = "NEST_GPU_PREALLOCATE";
/// The environment variable choosing XLA's GPU allocator.
pub const ALLOCATOR_ENV: &str = "NEST_GPU_ALLOCATOR";
/// The logging threshold of XLA's C++ code (0 INFO, 1 WARNING, 2 ERROR).
const LOG_LEVEL_ENV: &str = "TF_CPP_MIN_LOG_LEVEL";

/// Prepares the loading of the plugin at `path`: the logging default, the
/// runtime libraries of its kind, and the options its client is created
/// with.
pub fn prepare(path: &Path) -> Result<Vec<CreateOption>, String> {
    quiet_logging();
    let Some((kind, root)) = kind_of(path) else {
        return Ok(Vec::new());
    };
    preload_all(&libraries(kind, &root))?;
    client_options(kind, |name| std::env::var(name).ok())
}

/// Sets `TF_CPP_MIN_LOG_LEVEL=1` unless the user set it. Called before the
/// first plugin is loaded, when no XLA thread can be reading the environment.
fn quiet_logging() {
    if std::env::var_os(LOG_LEVEL_ENV).is_none() {
        std::env::set_var(LOG_LEVEL_ENV, "1");
    }
}

/// The runtime libraries of `kind` present under `root`, in preload order.
/// One that is missing is left to the system's loader (a CUDA installed
/// outside Python, found through `ldconfig` or `LD_LIBRARY_PATH`).
pub fn libraries(kind: Kind, root: &Path) -> Vec<PathBuf> {
    (kind.runtime_libraries().iter())
        .map(|rel| root.join(rel))
        .filter(|p| p.is_file())
        .collect()
}

/// Loads `paths` in order; one that fails (a dependency not loaded yet) is
/// tried again after the others, until a round loads nothing new. The
/// order given makes one round enough; the retries make it robust to a
/// wheel that adds a dependency.
fn preload_all(paths: &[PathBuf]) -> Result<(), String> {
    preload_with(paths, preload)
}

fn preload_with(
    paths: &[PathBuf],
    mut load: impl FnMut(&Path) -> Result<(), String>,
) -> Result<(), String> {
    let mut left: Vec<&PathBuf> = paths.iter().collect();
    loop {
        let before = left.len();
        let mut failed = Vec::new();
        let mut last_error = String::new();
        for p in left {
            if let Err(e) = load(p) {
                last_error = e;
                failed.push(p);
            }
        }
        if failed.is_empty() {
            return Ok(());
        }
        if failed.len() == before {
            return Err(format!(
                "cannot load the GPU runtime library {}: {}",
                failed[0].display(),
                last_error
            ));
        }
        left = failed;
    }
}

/// The client-creation options of a plugin of `kind`, from the environment
/// variables `env` gives. Only the CUDA plugins take these (a plugin
/// refuses options it does not know).
pub fn client_options(
    kind: Kind,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Vec<CreateOption>, String> {
    let mut out = Vec::new();
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if kind == Kind::Cpu {
        // The CPU plugin makes as many devices as it is asked for: sharded
        // programs run and are tested on one machine. Unasked, one, as in
        // JAX (the plugin's own default follows the host's processors, so
        // a mesh would fit on one machine and not on another).
        let n = devices(set(DEVICES_ENV))?.unwrap_or(1);
        out.push(("cpu_device_count", OptionValue::Int(n as i64)));
    }
    // The variables may be set for every machine of a user: on another
    // plugin they mean nothing.
    if !kind.is_cuda() {
        return Ok(out);
    }
    if let Some(text) = set(MEM_FRACTION_ENV) {
        let x: f32 = text.trim().parse().map_err(|_| not_a_fraction(&text))?;
        if !(x > 0.0 && x <= 1.0) {
            return Err(not_a_fraction(&text));
        }
        out.push(("memory_fraction", OptionValue::Float(x)));
    }
    if let Some(text) = set(PREALLOCATE_ENV) {
        let b = match text.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" => false,
            _ => return Err(format!("{PREALLOCATE_ENV}=`{text}`: use `true` or `false`")),
        };
        out.push(("preallocate", OptionValue::Bool(b)));
    }
    if let Some(text) = set(ALLOCATOR_ENV) {
        let name = text.trim();
        if !["default", "platform", "bfc", "cuda_async"].contains(&name) {
            return Err(format!(
                "{ALLOCATOR_ENV}=`{text}`: use `default`, `bfc`, `platform` or `cuda_async`"
            ));
        }
        out.push(("allocator", OptionValue::Str(name.to_string())));
    }
    Ok(out)
}

/// The variable `nest run --devices N` sets: how many devices the CPU
/// plugin creates (on other plugins, the devices are the hardware's).
pub const DEVICES_ENV: &str = "NEST_DEVICES";

/// The device count `NEST_DEVICES` asks for: a whole number from 1 to 1024.
pub fn devices(text: Option<String>) -> Result<Option<usize>, String> {
    let Some(text) = text else {
        return Ok(None);
    };
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(Some(n)),
        _ => Err(format!(
            "{DEVICES_ENV}=`{text}` is not a device count: use a whole number from 1 to 1024"
        )),
    }
}

fn not_a_fraction(text: &str) -> String {
    format!("{MEM_FRACTION_ENV}=`{text}` is not a fraction in (0, 1], e.g. 0.5")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn options(kind: Kind, vars: &[(&str, &str)]) -> Result<Vec<CreateOption>, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        client_options(kind, |name| map.get(name).cloned())
    }

    #[test]
    fn gpu_options_come_from_the_environment() {
        assert_eq!(options(Kind::Cuda13, &[]), Ok(vec![]));
        let all = options(
            Kind::Cuda12,
            &[
                (MEM_FRACTION_ENV, "0.5"),
                (PREALLOCATE_ENV, "false"),
                (ALLOCATOR_ENV, "platform"),
            ],
        );
        assert_eq!(
            all,
            Ok(vec![
                ("memory_fraction", OptionValue::Float(0.5)),
                ("preallocate", OptionValue::Bool(false)),
                ("allocator", OptionValue::Str("platform".into())),
            ])
        );
        let yes = options(Kind::Cuda13, &[(PREALLOCATE_ENV, "1")]);
        assert_eq!(yes, Ok(vec![("preallocate", OptionValue::Bool(true))]));
    }

    #[test]
    fn bad_gpu_options_are_errors_naming_the_variable() {
        for (name, value) in [
            (MEM_FRACTION_ENV, "half"),
            (MEM_FRACTION_ENV, "0"),
            (MEM_FRACTION_ENV, "1.5"),
            (MEM_FRACTION_ENV, "nan"),
            (PREALLOCATE_ENV, "maybe"),
            (ALLOCATOR_ENV, "big"),
        ] {
            let e = options(Kind::Cuda13, &[(name, value)]).expect_err(value);
            assert!(e.contains(&format!("{name}=`{value}`")), "{e}");
        }
    }

    #[test]
    fn gpu_options_on_another_plugin_are_ignored() {
        let one = vec![("cpu_device_count", OptionValue::Int(1))];
        for (kind, own) in [(Kind::Cpu, one), (Kind::Tpu, vec![])] {
            assert_eq!(options(kind, &[(MEM_FRACTION_ENV, "0.5")]), Ok(own.clone()));
            assert_eq!(options(kind, &[(MEM_FRACTION_ENV, "bad")]), Ok(own));
        }
    }

    #[test]
    fn the_cpu_plugin_makes_the_devices_asked_for() {
        let four = vec![("cpu_device_count", OptionValue::Int(4))];
        assert_eq!(options(Kind::Cpu, &[(DEVICES_ENV, "4")]), Ok(four));
        let one = vec![("cpu_device_count", OptionValue::Int(1))];
        assert_eq!(options(Kind::Cpu, &[]), Ok(one));
        for bad in ["0", "-1", "four", "100000"] {
            let e = options(Kind::Cpu, &[(DEVICES_ENV, bad)]).expect_err(bad);
            assert!(e.contains("not a device count"), "{e}");
        }
        // On other plugins the devices are the hardware's.
        assert_eq!(options(Kind::Tpu, &[(DEVICES_ENV, "4")]), Ok(vec![]));
    }

    /// A site-packages tree with some of `kind`'s libraries as empty files.
    fn fake_tree(name: &str, kind: Kind, skip: usize) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("nest-loader-{}-{}", name, std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for rel in kind.runtime_libraries().iter().skip(skip) {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&p, b"").expect("write");
        }
        root
    }

    #[test]
    fn libraries_are_found_in_order_and_missing_ones_skipped() {
        for kind in [Kind::Cuda12, Kind::Cuda13] {
            let root = fake_tree(kind.name(), kind, 1);
            let found = libraries(kind, &root);
            let expected: Vec<PathBuf> = (kind.runtime_libraries()[1..].iter())
                .map(|r| root.join(r))
                .collect();
            assert_eq!(found, expected);
            // The runtime first, cuDNN (which needs cuBLAS and NVRTC) last.
            assert!(kind.runtime_libraries()[0].contains("libcudart"));
            assert!(kind
                .runtime_libraries()
                .last()
                .is_some_and(|l| l.contains("libcudnn")));
            let _ = std::fs::remove_dir_all(&root);
        }
        assert!(libraries(Kind::Cpu, Path::new("/")).is_empty());
    }

    #[test]
    fn a_library_whose_dependency_comes_later_is_retried() {
        let paths: Vec<PathBuf> = ["b", "a", "c"].iter().map(PathBuf::from).collect();
        let mut loaded: Vec<String> = Vec::new();
        // `b` needs `a`.
        let result = preload_with(&paths, |p| {
            let name = p.to_string_lossy().into_owned();
            if name == "b" && !loaded.contains(&"a".to_string()) {
                return Err("libA missing".into());
            }
            loaded.push(name);
            Ok(())
        });
        assert_eq!(result, Ok(()));
        assert_eq!(loaded, ["a", "c", "b"]);
    }

    #[test]
    fn a_library_that_never_loads_is_an_error_naming_it() {
        let paths = vec![PathBuf::from("ok"), PathBuf::from("broken")];
        let result = preload_with(&paths, |p| match p.to_str() {
            Some("broken") => Err("bad ELF".into()),
            _ => Ok(()),
        });
        let e = result.expect_err("broken");
        assert!(e.contains("broken") && e.contains("bad ELF"), "{e}");
    }
}
