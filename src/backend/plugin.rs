//! Finding and installing the XLA PJRT plugins.
//!
//! A plugin is looked up, in order, at
//! 1. `$NEST_PJRT_PLUGIN`, a path to the `.so` (used for every kind);
//! 2. nest's plugin cache, `plugins/<kind>/<file>` under `$NEST_CACHE_DIR`,
//!    else `$XDG_CACHE_HOME/nest`, else `~/.cache/nest`;
//! 3. Python's site-packages, where `pip install xla-cpu-pjrt` puts it.
//!
//! [`install`] fills the cache from the official wheels with
//! `python3 -m pip download`; a wheel is a zip file, unpacked with
//! `python3 -m zipfile`, so nothing but Python and pip is needed.

use super::pjrt::Plugin;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable naming a plugin file directly.
pub const PLUGIN_ENV: &str = "NEST_PJRT_PLUGIN";

/// A kind of plugin, i.e. a device family with its own wheel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Cpu,
    Cuda12,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Cpu, Kind::Cuda12];

    /// The name used on the command line and in the cache: `cpu`, `cuda12`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Cpu => "cpu",
            Kind::Cuda12 => "cuda12",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The wheel [`install`] downloads.
    pub fn package(self) -> &'static str {
        match self {
            Kind::Cpu => "xla-cpu-pjrt",
            Kind::Cuda12 => "xla-cuda12-pjrt",
        }
    }

    /// Where the shared library sits inside site-packages (and inside the
    /// unpacked wheel), for each wheel that ships this kind.
    fn site_paths(self) -> &'static [&'static str] {
        match self {
            Kind::Cpu => &["xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so"],
            Kind::Cuda12 => &[
                "xla_plugins/xla_cuda12_pjrt/xla_gpu_pjrt.so",
                "jax_plugins/xla_cuda12/xla_cuda_plugin.so",
            ],
        }
    }

    /// The file name of the plugin in the cache.
    fn file_name(self) -> &'static str {
        match self {
            Kind::Cpu => "xla_cpu_pjrt.so",
            Kind::Cuda12 => "xla_gpu_pjrt.so",
        }
    }
}

/// Where a plugin was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `$NEST_PJRT_PLUGIN`.
    Env,
    /// nest's plugin cache.
    Cache,
    /// A Python site-packages directory.
    SitePackages,
}

impl Source {
    pub fn describe(self) -> &'static str {
        match self {
            Source::Env => PLUGIN_ENV,
            Source::Cache => "nest cache",
            Source::SitePackages => "python site-packages",
        }
    }
}

/// A plugin file found on this machine.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub path: PathBuf,
    /// `None` for `$NEST_PJRT_PLUGIN`, whose kind nest cannot tell.
    pub kind: Option<Kind>,
    pub source: Source,
    /// Its PJRT C API `(major, minor)`, or why it could not be loaded.
    pub api_version: Result<(i32, i32), String>,
}

/// What can go wrong while installing a plugin.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("no cache directory: set NEST_CACHE_DIR, XDG_CACHE_HOME or HOME")]
    NoCacheDir,
    #[error("`{command}` failed: {message}")]
    Command { command: String, message: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the wheel of `{package}` has no {file}")]
    NotInWheel { package: &'static str, file: String },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> PluginError + '_ {
    move |source| PluginError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// nest's cache directory: `$NEST_CACHE_DIR`, `$XDG_CACHE_HOME/nest` or
/// `~/.cache/nest`.
pub fn cache_dir() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("NEST_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = non_empty("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("nest"));
    }
    non_empty("HOME").map(|home| PathBuf::from(home).join(".cache").join("nest"))
}

/// Where [`install`] puts the plugin of `kind`.
pub fn cache_path(kind: Kind) -> Option<PathBuf> {
    cache_dir().map(|dir| dir.join("plugins").join(kind.name()).join(kind.file_name()))
}

/// The plugin to use for `kind`: `$NEST_PJRT_PLUGIN`, else the cache, else
/// site-packages. `None` when there is none; see [`not_found_message`].
pub fn find(kind: Kind) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(PLUGIN_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(path));
    }
    if let Some(path) = cache_path(kind).filter(|p| p.is_file()) {
        return Some(path);
    }
    site_candidates(kind).into_iter().find(|p| p.is_file())
}

/// The one line to print when no plugin of `kind` is found.
pub fn not_found_message(kind: Kind) -> String {
    format!(
        "no XLA plugin for {k} found; install it with `nest plugin install {k}` (or set {PLUGIN_ENV}); running on the interpreter",
        k = kind.name()
    )
}

/// Every plugin on this machine, with where it came from and its PJRT C
/// API version (each is opened to ask; none is initialized).
pub fn list() -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    let mut add = |path: PathBuf, kind: Option<Kind>, source: Source| {
        let same = |f: &Found| f.path.canonicalize().ok() == path.canonicalize().ok();
        if path.is_file() && !found.iter().any(same) {
            let api_version = Plugin::api_version_of(&path).map_err(|e| e.to_string());
            found.push(Found {
                path,
                kind,
                source,
                api_version,
            });
        }
    };
    if let Some(path) = std::env::var_os(PLUGIN_ENV).filter(|v| !v.is_empty()) {
        add(PathBuf::from(path), None, Source::Env);
    }
    for kind in Kind::ALL {
        if let Some(path) = cache_path(kind) {
            add(path, Some(kind), Source::Cache);
        }
    }
    let dirs = site_packages();
    for kind in Kind::ALL {
        for path in candidates_in(&dirs, kind) {
            add(path, Some(kind), Source::SitePackages);
        }
    }
    found
}

fn site_candidates(kind: Kind) -> Vec<PathBuf> {
    candidates_in(&site_packages(), kind)
}

fn candidates_in(dirs: &[PathBuf], kind: Kind) -> Vec<PathBuf> {
    dirs.iter()
        .flat_map(|dir| kind.site_paths().iter().map(move |rel| dir.join(rel)))
        .collect()
}

/// Python's site-packages directories (user and system, then the rest of
/// `sys.path`); empty when there is no `python3`.
fn site_packages() -> Vec<PathBuf> {
    const SCRIPT: &str = "import site, sys\n\
        dirs = list(site.getsitepackages()) + [site.getusersitepackages()] + sys.path\n\
        print('\\n'.join(d for d in dirs if d))";
    let Ok(out) = Command::new("python3").args(["-c", SCRIPT]).output() else {
        return Vec::new();
    };
    if !out.status.success() {
        return Vec::new();
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let dir = PathBuf::from(line.trim());
        if dir.is_dir() && !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

/// Downloads the official wheel of `kind` with pip, unpacks it and copies
/// its plugin into the cache (atomically: a temporary name, then a
/// rename). Returns the installed path.
///
/// A `cuda12` plugin links against CUDA 12 (`libcudart`, `libcublas`,
/// cuDNN 9, `libcupti`, `libnvrtc`, the driver's `libcuda`). In
/// site-packages its run path finds them in the `nvidia-*-cu12` wheels
/// beside it; the cached copy needs them on the loader path
/// (`LD_LIBRARY_PATH` or a system CUDA install).
pub fn install(kind: Kind) -> Result<PathBuf, PluginError> {
    let target = cache_path(kind).ok_or(PluginError::NoCacheDir)?;
    let dir = target
        .parent()
        .ok_or(PluginError::NoCacheDir)?
        .to_path_buf();
    std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    let work = dir.join(format!(".download-{}", std::process::id()));
    let result = download_and_copy(kind, &work, &target);
    let _ = std::fs::remove_dir_all(&work);
    result.map(|()| target)
}

fn download_and_copy(kind: Kind, work: &Path, target: &Path) -> Result<(), PluginError> {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).map_err(io_error(work))?;
    let wheels = work.join("wheel");
    run_python(&[
        "-m".into(),
        "pip".into(),
        "download".into(),
        "--no-deps".into(),
        "--dest".into(),
        wheels.clone().into(),
        kind.package().into(),
    ])?;
    let wheel = find_wheel(&wheels)?;
    let unpacked = work.join("unpacked");
    run_python(&[
        "-m".into(),
        "zipfile".into(),
        "-e".into(),
        wheel.into(),
        unpacked.clone().into(),
    ])?;
    let source = kind
        .site_paths()
        .iter()
        .map(|rel| unpacked.join(rel))
        .find(|p| p.is_file())
        .ok_or_else(|| PluginError::NotInWheel {
            package: kind.package(),
            file: kind.site_paths().join(" or "),
        })?;
    let temp = target.with_extension(format!("so.tmp-{}", std::process::id()));
    std::fs::copy(&source, &temp).map_err(io_error(&temp))?;
    std::fs::rename(&temp, target).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io_error(target)(e)
    })
}

fn find_wheel(dir: &Path) -> Result<PathBuf, PluginError> {
    let entries = std::fs::read_dir(dir).map_err(io_error(dir))?;
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or_else(|| PluginError::Command {
            command: "python3 -m pip download".into(),
            message: format!("no wheel in {}", dir.display()),
        })
}

fn run_python(args: &[OsString]) -> Result<(), PluginError> {
    let command = format!(
        "python3 {}",
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let out = Command::new("python3")
        .args(args)
        .output()
        .map_err(|e| PluginError::Command {
            command: command.clone(),
            message: e.to_string(),
        })?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let message = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no output")
        .trim()
        .to_string();
    Err(PluginError::Command { command, message })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.name()), Some(kind));
        }
        assert_eq!(Kind::parse("tpu"), None);
    }

    #[test]
    fn message_names_the_install_command() {
        assert!(not_found_message(Kind::Cpu).contains("`nest plugin install cpu`"));
    }
}
