//! Finding the XLA PJRT plugins, and what each kind is made of.
//!
//! A plugin is looked up, in order, at
//! 1. `$NEST_PJRT_PLUGIN`, a path to the `.so` (used for every kind);
//! 2. nest's plugin cache: `plugins/<kind>/site/<plugin file>` under
//!    `$NEST_CACHE_DIR`, else `$XDG_CACHE_HOME/nest`, else `~/.cache/nest`,
//!    where `nest plugin install` unpacks the wheels (`install.rs`);
//! 3. Python's site-packages, where `pip install` puts the same wheels.
//!
//! In 2 and 3 the plugin sits in a site-packages tree with the NVIDIA
//! runtime wheels beside it, which is where `loader.rs` finds the
//! libraries it preloads and where XLA finds `ptxas` and `libdevice`.

pub use super::install::{install, PluginError};
use super::pjrt::Plugin;
use once_cell::sync::Lazy;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable naming a plugin file directly.
pub const PLUGIN_ENV: &str = "NEST_PJRT_PLUGIN";

/// A kind of plugin, i.e. a device family with its own wheels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Cpu,
    Cuda12,
    Cuda13,
    Tpu,
}

/// The runtime wheels of the CUDA plugins: the `with-cuda` extra of
/// `jax-cuda13-plugin` 0.12.0.1, whose PJRT wheel is pinned beside them.
const CUDA13: &[&str] = &[
    "jax-cuda13-pjrt==0.12.0.1",
    "nvidia-cublas>=13.0.0.19",
    "nvidia-cuda-cupti>=13.0.48",
    "nvidia-cuda-nvcc>=13.0.48",
    "nvidia-cuda-runtime>=13.0.48",
    "nvidia-cudnn-cu13>=9.12.0.46,<10.0",
    "nvidia-cufft>=12.0.0.15",
    "nvidia-cusolver>=12.0.3.29",
    "nvidia-cusparse>=12.6.2.49",
    "nvidia-nccl-cu13>=2.27.7",
    "nvidia-nvjitlink>=13.0.39",
    "nvidia-cuda-nvrtc>=13.0.48",
    "nvidia-nvshmem-cu13>=3.3.20",
    "nvidia-nvvm",
];

/// As [`CUDA13`], from `jax-cuda12-plugin` 0.12.0.1.
const CUDA12: &[&str] = &[
    "jax-cuda12-pjrt==0.12.0.1",
    "nvidia-cublas-cu12>=12.1.3.1",
    "nvidia-cuda-cupti-cu12>=12.1.105",
    "nvidia-cuda-nvcc-cu12>=12.6.85",
    "nvidia-cuda-runtime-cu12>=12.1.105",
    "nvidia-cudnn-cu12>=9.10.2.21,<10.0",
    "nvidia-cufft-cu12>=11.0.2.54",
    "nvidia-cusolver-cu12>=11.4.5.107",
    "nvidia-cusparse-cu12>=12.1.0.106",
    "nvidia-nccl-cu12>=2.18.1",
    "nvidia-nvjitlink-cu12>=12.1.105",
    "nvidia-cuda-nvrtc-cu12>=12.1.55",
    "nvidia-nvshmem-cu12>=3.2.5",
];

/// The libraries a CUDA 13 plugin opens by name, in the order `loader.rs`
/// preloads them (each after the ones it links against), as JAX's
/// `_load_nvidia_libraries` does.
const CUDA13_LIBRARIES: &[&str] = &[
    "nvidia/cu13/lib/libcudart.so.13",
    "nvidia/cu13/lib/libnvJitLink.so.13",
    "nvidia/cu13/lib/libnvrtc.so.13",
    "nvidia/cu13/lib/libcublasLt.so.13",
    "nvidia/cu13/lib/libcublas.so.13",
    "nvidia/nccl/lib/libnccl.so.2",
    "nvidia/cu13/lib/libcupti.so.13",
    "nvidia/cu13/lib/libcusparse.so.12",
    "nvidia/cu13/lib/libcusolver.so.12",
    "nvidia/cu13/lib/libcufft.so.12",
    "nvidia/nvshmem/lib/libnvshmem_host.so.3",
    "nvidia/cudnn/lib/libcudnn.so.9",
];

const CUDA12_LIBRARIES: &[&str] = &[
    "nvidia/cuda_runtime/lib/libcudart.so.12",
    "nvidia/nvjitlink/lib/libnvJitLink.so.12",
    "nvidia/cuda_nvrtc/lib/libnvrtc.so.12",
    "nvidia/cublas/lib/libcublasLt.so.12",
    "nvidia/cublas/lib/libcublas.so.12",
    "nvidia/nccl/lib/libnccl.so.2",
    "nvidia/cuda_cupti/lib/libcupti.so.12",
    "nvidia/cusparse/lib/libcusparse.so.12",
    "nvidia/cusolver/lib/libcusolver.so.11",
    "nvidia/cufft/lib/libcufft.so.11",
    "nvidia/nvshmem/lib/libnvshmem_host.so.3",
    "nvidia/cudnn/lib/libcudnn.so.9",
];

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Cpu, Kind::Cuda12, Kind::Cuda13, Kind::Tpu];

    /// The order in which `--backend xla` tries the installed plugins:
    /// accelerators first.
    pub const PREFERENCE: [Kind; 4] = [Kind::Cuda13, Kind::Cuda12, Kind::Tpu, Kind::Cpu];

    /// The name used on the command line and in the cache: `cpu`, `cuda12`, ...
    pub fn name(self) -> &'static str {
        match self {
            Kind::Cpu => "cpu",
            Kind::Cuda12 => "cuda12",
            Kind::Cuda13 => "cuda13",
            Kind::Tpu => "tpu",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// `cpu`, `cuda12`, `cuda13` or `tpu`, for messages.
    pub fn names() -> String {
        let names: Vec<String> = Kind::ALL
            .iter()
            .map(|k| format!("`{}`", k.name()))
            .collect();
        format!(
            "{} or {}",
            names[..names.len() - 1].join(", "),
            names[names.len() - 1]
        )
    }

    /// The pip requirements [`install`] downloads: the plugin's wheel and
    /// the runtime wheels it needs.
    pub fn requirements(self) -> &'static [&'static str] {
        match self {
            Kind::Cpu => &["xla-cpu-pjrt"],
            Kind::Cuda12 => CUDA12,
            Kind::Cuda13 => CUDA13,
            Kind::Tpu => &["libtpu"],
        }
    }

    /// Where the plugin sits in a site-packages tree, for each wheel that
    /// ships this kind (the first is the one [`install`] downloads).
    pub fn site_paths(self) -> &'static [&'static str] {
        match self {
            Kind::Cpu => &["xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so"],
            Kind::Cuda12 => &[
                "jax_plugins/xla_cuda12/xla_cuda_plugin.so",
                "xla_plugins/xla_cuda12_pjrt/xla_gpu_pjrt.so",
            ],
            Kind::Cuda13 => &["jax_plugins/xla_cuda13/xla_cuda_plugin.so"],
            Kind::Tpu => &["libtpu/libtpu.so"],
        }
    }

    /// The runtime libraries to preload from the same site-packages tree,
    /// in dependency order (see `loader.rs`).
    pub fn runtime_libraries(self) -> &'static [&'static str] {
        match self {
            Kind::Cpu | Kind::Tpu => &[],
            Kind::Cuda12 => CUDA12_LIBRARIES,
            Kind::Cuda13 => CUDA13_LIBRARIES,
        }
    }

    /// Other files of the tree the plugin needs: XLA runs `ptxas` and
    /// links `libdevice`, which it looks for relative to the plugin file
    /// (`../../nvidia/cu13`, `../../nvidia/cuda_nvcc`).
    pub fn tools(self) -> &'static [&'static str] {
        match self {
            Kind::Cpu | Kind::Tpu => &[],
            Kind::Cuda12 => &[
                "nvidia/cuda_nvcc/bin/ptxas",
                "nvidia/cuda_nvcc/nvvm/libdevice/libdevice.10.bc",
            ],
            Kind::Cuda13 => &[
                "nvidia/cu13/bin/ptxas",
                "nvidia/cu13/nvvm/libdevice/libdevice.10.bc",
            ],
        }
    }

    /// Whether the plugin is one of the NVIDIA GPU ones.
    pub fn is_cuda(self) -> bool {
        matches!(self, Kind::Cuda12 | Kind::Cuda13)
    }
}

/// The kind of the plugin at `path` and the root of the site-packages tree
/// it sits in, when the path ends in one of the kinds' site paths.
pub fn kind_of(path: &Path) -> Option<(Kind, PathBuf)> {
    Kind::ALL.into_iter().find_map(|kind| {
        kind.site_paths().iter().find_map(|rel| {
            let depth = Path::new(rel).components().count();
            let root = path.ancestors().nth(depth)?;
            (root.join(rel) == path).then(|| (kind, root.to_path_buf()))
        })
    })
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
    /// `None` for a `$NEST_PJRT_PLUGIN` whose kind nest cannot tell.
    pub kind: Option<Kind>,
    pub source: Source,
    /// Its PJRT C API `(major, minor)`, or why it could not be loaded.
    pub api_version: Result<(i32, i32), String>,
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

/// The directory [`install`] fills for `kind`: `plugins/<kind>` in the cache.
pub fn kind_dir(kind: Kind) -> Option<PathBuf> {
    cache_dir().map(|dir| dir.join("plugins").join(kind.name()))
}

/// Where [`install`] puts the plugin of `kind`.
pub fn cache_path(kind: Kind) -> Option<PathBuf> {
    kind_dir(kind).map(|dir| dir.join("site").join(kind.site_paths()[0]))
}

/// The plugin of `kind` in the cache, if installed: where [`install`]
/// puts it, or where earlier versions of nest put the CPU one.
fn cached(kind: Kind) -> Option<PathBuf> {
    let legacy = match kind {
        Kind::Cpu => kind_dir(kind).map(|d| d.join("xla_cpu_pjrt.so")),
        Kind::Cuda12 | Kind::Cuda13 | Kind::Tpu => None,
    };
    [cache_path(kind), legacy]
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
}

/// The plugin to use for `kind`: `$NEST_PJRT_PLUGIN`, else the cache, else
/// site-packages. `None` when there is none; see [`not_found_message`].
pub fn find(kind: Kind) -> Option<PathBuf> {
    if let Some(path) = env_plugin() {
        return Some(path);
    }
    cached(kind).or_else(|| site_candidates(kind).into_iter().find(|p| p.is_file()))
}

/// `$NEST_PJRT_PLUGIN`, when set.
pub fn env_plugin() -> Option<PathBuf> {
    std::env::var_os(PLUGIN_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The installed plugins `--backend xla` may use, best first: the cached
/// ones in [`Kind::PREFERENCE`] order, then those in site-packages (which
/// asks Python, so only when `site` is true). An accelerator's plugin is
/// left out when the machine has no device of its vendor (see
/// [`device_present`]).
pub fn installed(site: bool) -> Vec<(Kind, PathBuf)> {
    let vendors = pci_vendors(Path::new(PCI_DEVICES));
    let usable: Vec<Kind> = (Kind::PREFERENCE.into_iter())
        .filter(|&k| device_present(k, &vendors))
        .collect();
    let mut out: Vec<(Kind, PathBuf)> = (usable.iter())
        .filter_map(|&k| cached(k).map(|p| (k, p)))
        .collect();
    if site {
        for &k in &usable {
            if let Some(p) = site_candidates(k).into_iter().find(|p| p.is_file()) {
                out.push((k, p));
            }
        }
    }
    out
}

/// Where Linux lists the PCI devices, each with a `vendor` file.
const PCI_DEVICES: &str = "/sys/bus/pci/devices";

/// Whether a machine whose PCI devices have `vendors` may have a device of
/// `kind`: NVIDIA's vendor id for CUDA, Google's for a TPU. A guess, to
/// decide whether `--backend xla` tries the plugin (libtpu without a TPU
/// spends minutes asking for cloud metadata); a plugin chosen by name is
/// always tried.
pub fn device_present(kind: Kind, vendors: &[String]) -> bool {
    let vendor = match kind {
        Kind::Cpu => return true,
        Kind::Cuda12 | Kind::Cuda13 => "0x10de",
        Kind::Tpu => "0x1ae0",
    };
    vendors.iter().any(|v| v == vendor)
}

/// The vendor ids of the PCI devices listed under `dir`.
pub fn pci_vendors(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("vendor")).ok())
        .map(|v| v.trim().to_ascii_lowercase())
        .collect()
}

/// The one line to print when no plugin of `kind` is found.
pub fn not_found_message(kind: Kind) -> String {
    format!(
        "no XLA plugin for {k} found; install it with `nest plugin install {k}` (or set {PLUGIN_ENV})",
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
            let api_version = api_version_of(&path);
            found.push(Found {
                path,
                kind,
                source,
                api_version,
            });
        }
    };
    if let Some(path) = env_plugin() {
        let kind = kind_of(&path).map(|(k, _)| k);
        add(path, kind, Source::Env);
    }
    for kind in Kind::ALL {
        if let Some(path) = cached(kind) {
            add(path, Some(kind), Source::Cache);
        }
    }
    let dirs = site_packages();
    for kind in Kind::ALL {
        for path in candidates_in(dirs, kind) {
            add(path, Some(kind), Source::SitePackages);
        }
    }
    found
}

/// Opens the plugin at `path` only to read its version.
fn api_version_of(path: &Path) -> Result<(i32, i32), String> {
    Plugin::api_version_of(path).map_err(|e| e.to_string())
}

fn site_candidates(kind: Kind) -> Vec<PathBuf> {
    candidates_in(site_packages(), kind)
}

fn candidates_in(dirs: &[PathBuf], kind: Kind) -> Vec<PathBuf> {
    dirs.iter()
        .flat_map(|dir| kind.site_paths().iter().map(move |rel| dir.join(rel)))
        .collect()
}

/// Python's site-packages directories (user and system, then the rest of
/// `sys.path`); empty when there is no `python3`. Asked once per process.
fn site_packages() -> &'static [PathBuf] {
    static DIRS: Lazy<Vec<PathBuf>> = Lazy::new(ask_python);
    &DIRS
}

fn ask_python() -> Vec<PathBuf> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.name()), Some(kind));
        }
        assert_eq!(Kind::parse("gpu"), None);
        assert_eq!(Kind::names(), "`cpu`, `cuda12`, `cuda13` or `tpu`");
    }

    #[test]
    fn message_names_the_install_command() {
        assert!(not_found_message(Kind::Cpu).contains("`nest plugin install cpu`"));
        assert!(not_found_message(Kind::Cuda13).contains("`nest plugin install cuda13`"));
    }

    #[test]
    fn the_cuda_wheels_are_pinned_and_of_their_cuda_version() {
        for (kind, pjrt, suffix) in [
            (Kind::Cuda12, "jax-cuda12-pjrt==", "cu12"),
            (Kind::Cuda13, "jax-cuda13-pjrt==", "cu13"),
        ] {
            let reqs = kind.requirements();
            assert!(reqs[0].starts_with(pjrt), "{:?}", reqs[0]);
            for r in &reqs[1..] {
                assert!(r.starts_with("nvidia-"), "{r}");
                // CUDA 12 wheels all say so; CUDA 13 ones only where the
                // package name is shared with other CUDA versions.
                let name = r.split(['>', '<', '=']).next().unwrap_or(r);
                match kind {
                    Kind::Cuda12 => assert!(name.ends_with(suffix), "{r}"),
                    _ => assert!(!name.ends_with("cu12"), "{r}"),
                }
            }
            assert!(reqs.iter().any(|r| r.contains("cuda-nvcc")));
            assert!(reqs.iter().any(|r| r.contains("cudnn")));
        }
        assert_eq!(Kind::Cpu.requirements(), ["xla-cpu-pjrt"]);
        assert_eq!(Kind::Tpu.requirements(), ["libtpu"]);
    }

    #[test]
    fn a_plugin_path_gives_its_kind_and_tree() {
        let root = Path::new("/x/site-packages");
        for kind in Kind::ALL {
            for rel in kind.site_paths() {
                assert_eq!(kind_of(&root.join(rel)), Some((kind, root.to_path_buf())));
            }
        }
        assert_eq!(kind_of(Path::new("/opt/custom/plugin.so")), None);
        assert_eq!(kind_of(Path::new("xla_cuda_plugin.so")), None);
    }

    #[test]
    fn accelerators_are_tried_only_with_a_device_of_their_vendor() {
        let dir = std::env::temp_dir().join(format!("nest-pci-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (device, vendor) in [("0000:00:01.0", "0x8086\n"), ("0000:3b:00.0", "0x10DE\n")] {
            std::fs::create_dir_all(dir.join(device)).expect("mkdir");
            std::fs::write(dir.join(device).join("vendor"), vendor).expect("write");
        }
        let vendors = pci_vendors(&dir);
        assert!(device_present(Kind::Cpu, &vendors));
        assert!(device_present(Kind::Cuda13, &vendors));
        assert!(device_present(Kind::Cuda12, &vendors));
        assert!(!device_present(Kind::Tpu, &vendors));
        assert!(!device_present(Kind::Cuda13, &[]));
        assert!(device_present(Kind::Tpu, &["0x1ae0".to_string()]));
        assert!(pci_vendors(&dir.join("absent")).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_cache_path_is_inside_the_kinds_tree() {
        let Some(base) = cache_dir() else {
            return;
        };
        for kind in Kind::ALL {
            let site = base.join("plugins").join(kind.name()).join("site");
            assert_eq!(cache_path(kind), Some(site.join(kind.site_paths()[0])));
        }
    }
}
