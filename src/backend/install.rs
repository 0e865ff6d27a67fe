//! `nest plugin install KIND`: the official wheels of a plugin and of the
//! runtime libraries it needs, downloaded by pip from the package index
//! and unpacked into nest's cache as a site-packages tree
//! (`plugins/<kind>/site/`), which is the layout the plugins' own run paths
//! and XLA's search for `ptxas` expect.
//!
//! pip writes its progress to nest's stderr: a bar with the bytes, the rate
//! and the time left on a terminal, a line per wheel otherwise. The tree is
//! built beside the old one and swapped in at the end, so a failed install
//! leaves the previous one working.

use super::plugin::{kind_dir, Kind};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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
    #[error("the wheels of `{kind}` have no {}", missing.join(", "))]
    NotInWheel {
        kind: &'static str,
        missing: Vec<String>,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> PluginError + '_ {
    move |source| PluginError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Downloads and unpacks the wheels of `kind` into the cache; the path of
/// the installed plugin.
pub fn install(kind: Kind) -> Result<PathBuf, PluginError> {
    let dir = kind_dir(kind).ok_or(PluginError::NoCacheDir)?;
    std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    let work = dir.join(format!(".install-{}", std::process::id()));
    let result = build_tree(kind, &work).and_then(|site| swap_in(&site, &dir.join("site"), &work));
    let _ = std::fs::remove_dir_all(&work);
    result.map(|site| site.join(kind.site_paths()[0]))
}

/// Downloads and unpacks into `work/site`; that path.
fn build_tree(kind: Kind, work: &Path) -> Result<PathBuf, PluginError> {
    let _ = std::fs::remove_dir_all(work);
    let wheels = work.join("wheels");
    std::fs::create_dir_all(&wheels).map_err(io_error(&wheels))?;
    pip_download(kind.requirements(), &wheels)?;
    let mut found = wheel_files(&wheels)?;
    found.sort();
    let site = work.join("site");
    let bytes: u64 = found
        .iter()
        .filter_map(|w| w.metadata().ok())
        .map(|m| m.len())
        .sum();
    let _ = writeln!(
        std::io::stderr(),
        "unpacking {} wheel{} ({})",
        found.len(),
        if found.len() == 1 { "" } else { "s" },
        super::cache::human(bytes)
    );
    unpack(&found, &site)?;
    let missing = missing_files(kind, &site);
    if !missing.is_empty() {
        return Err(PluginError::NotInWheel {
            kind: kind.name(),
            missing,
        });
    }
    Ok(site)
}

/// The files of `kind` a tree at `site` lacks: the plugin, its runtime
/// libraries and tools.
pub fn missing_files(kind: Kind, site: &Path) -> Vec<String> {
    std::iter::once(kind.site_paths()[0])
        .chain(kind.runtime_libraries().iter().copied())
        .chain(kind.tools().iter().copied())
        .filter(|rel| !site.join(rel).is_file())
        .map(str::to_string)
        .collect()
}

/// Replaces `target` by `site` (the old tree, if any, is moved into `work`
/// and removed with it); `target`.
fn swap_in(site: &Path, target: &Path, work: &Path) -> Result<PathBuf, PluginError> {
    if target.exists() {
        let old = work.join("old-site");
        std::fs::rename(target, &old).map_err(io_error(target))?;
    }
    std::fs::rename(site, target).map_err(io_error(target))?;
    Ok(target.to_path_buf())
}

/// The arguments of the pip command that downloads `requirements` into `dest`.
pub fn pip_arguments(requirements: &[&str], dest: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = ["-m", "pip", "download", "--disable-pip-version-check"]
        .iter()
        .map(OsString::from)
        .collect();
    // Wheels only: a source distribution would be built, not unpacked.
    args.push("--only-binary=:all:".into());
    args.push("--dest".into());
    args.push(dest.into());
    args.extend(requirements.iter().map(OsString::from));
    args
}

/// Runs pip with its output on nest's stderr (stdout holds only the
/// result), so that its progress shows where nest's messages do.
fn pip_download(requirements: &[&str], dest: &Path) -> Result<(), PluginError> {
    let args = pip_arguments(requirements, dest);
    let to_stderr = stderr_as_stdio();
    run_python(&args, to_stderr, "pip's messages are above")
}

/// A duplicate of this process's stderr, to give a child as its stdout.
fn stderr_as_stdio() -> Stdio {
    use std::os::fd::AsFd;
    match std::io::stderr().as_fd().try_clone_to_owned() {
        Ok(fd) => Stdio::from(fd),
        Err(_) => Stdio::inherit(),
    }
}

/// Unpacks `wheels` into `dest`, keeping the files' permissions (`ptxas`
/// must stay executable, which `python3 -m zipfile -e` does not do).
/// `extract` refuses absolute paths and `..`.
fn unpack(wheels: &[PathBuf], dest: &Path) -> Result<(), PluginError> {
    const SCRIPT: &str = "import os, sys, zipfile\n\
        dest = sys.argv[1]\n\
        for wheel in sys.argv[2:]:\n\
        \x20   with zipfile.ZipFile(wheel) as z:\n\
        \x20       for info in z.infolist():\n\
        \x20           path = z.extract(info, dest)\n\
        \x20           mode = (info.external_attr >> 16) & 0o777\n\
        \x20           if mode and not info.is_dir():\n\
        \x20               os.chmod(path, mode)\n";
    let mut args: Vec<OsString> = vec!["-c".into(), SCRIPT.into(), dest.into()];
    args.extend(wheels.iter().map(OsString::from));
    run_python(&args, Stdio::null(), "")
}

fn wheel_files(dir: &Path) -> Result<Vec<PathBuf>, PluginError> {
    let entries = std::fs::read_dir(dir).map_err(io_error(dir))?;
    let wheels: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "whl"))
        .collect();
    if wheels.is_empty() {
        return Err(PluginError::Command {
            command: "python3 -m pip download".into(),
            message: format!("no wheel in {}", dir.display()),
        });
    }
    Ok(wheels)
}

/// Runs `python3 ARGS`; on failure, the last line of its stderr when it is
/// captured, else `note`.
fn run_python(args: &[OsString], stdout: Stdio, note: &str) -> Result<(), PluginError> {
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().lines().next().unwrap_or("").to_string())
        .collect();
    let command = format!("python3 {}", shown.join(" "));
    let captured = note.is_empty();
    let stderr = if captured {
        Stdio::piped()
    } else {
        Stdio::inherit()
    };
    let out = Command::new("python3")
        .args(args)
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .map_err(|e| PluginError::Command {
            command: command.clone(),
            message: e.to_string(),
        })?;
    if out.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let last = text.lines().rev().find(|l| !l.trim().is_empty());
    let message = match (captured, last) {
        (true, Some(line)) => line.trim().to_string(),
        _ => format!(
            "{} ({})",
            out.status,
            if captured { "no output" } else { note }
        ),
    };
    Err(PluginError::Command { command, message })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pip_downloads_wheels_only_into_the_work_directory() {
        let args = pip_arguments(Kind::Cuda13.requirements(), Path::new("/w/wheels"));
        let args: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args[..7],
            [
                "-m",
                "pip",
                "download",
                "--disable-pip-version-check",
                "--only-binary=:all:",
                "--dest",
                "/w/wheels"
            ]
        );
        assert_eq!(args[7], "jax-cuda13-pjrt==0.12.0.1");
        assert_eq!(args.len(), 7 + Kind::Cuda13.requirements().len());
    }

    #[test]
    fn a_tree_missing_files_names_them() {
        let site = std::env::temp_dir().join(format!("nest-install-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&site);
        let kind = Kind::Cuda13;
        let all = missing_files(kind, &site);
        assert_eq!(
            all.len(),
            1 + kind.runtime_libraries().len() + kind.tools().len()
        );
        for rel in
            std::iter::once(kind.site_paths()[0]).chain(kind.runtime_libraries().iter().copied())
        {
            let p = site.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, b"").expect("write");
        }
        assert_eq!(missing_files(kind, &site), kind.tools());
        let _ = std::fs::remove_dir_all(&site);
    }

    /// Unpacks a wheel made by Python's `zipfile` with an executable entry.
    #[test]
    fn unpacking_keeps_the_executable_bit() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("nest-unpack-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let wheel = dir.join("t-1.0-py3-none-any.whl");
        const MAKE: &str = "import sys, zipfile\n\
            z = zipfile.ZipFile(sys.argv[1], 'w')\n\
            i = zipfile.ZipInfo('nvidia/cu13/bin/ptxas')\n\
            i.external_attr = 0o755 << 16\n\
            z.writestr(i, 'tool')\n\
            z.writestr('nvidia/cu13/lib/libx.so', 'lib')\n\
            z.close()\n";
        let made = Command::new("python3")
            .args(["-c", MAKE])
            .arg(&wheel)
            .status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("note: skipping: no python3 to make a wheel");
            return;
        }
        let site = dir.join("site");
        unpack(&[wheel], &site).unwrap_or_else(|e| panic!("{e}"));
        let mode =
            |rel: &str| std::fs::metadata(site.join(rel)).map(|m| m.permissions().mode() & 0o111);
        assert_eq!(mode("nvidia/cu13/bin/ptxas").ok(), Some(0o111));
        assert!(site.join("nvidia/cu13/lib/libx.so").is_file());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
