//! File helpers shared by everything that writes user-visible files.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to a temporary file beside `path`, then renames it, so a
/// failure never leaves a partial file at `path`.
///
/// `path` must be a regular file or not exist yet: renaming onto a symbolic
/// link, a FIFO, a device node or a socket would replace it with a regular
/// file (and a directory cannot be replaced), so those are errors.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::result::Result<(), String> {
    let name = path
        .file_name()
        .ok_or_else(|| format!("`{}` is not a file path", path.display()))?;
    if let Some(kind) = not_a_regular_file(path) {
        return Err(format!(
            "cannot write `{}`: it is {}, and nest only replaces regular files",
            path.display(),
            kind
        ));
    }
    let cannot = |e: std::io::Error| format!("cannot write `{}`: {}", path.display(), e);
    let (tmp, mut file) = create_temporary(path, &name.to_string_lossy()).map_err(cannot)?;
    let written = file.write_all(bytes).and_then(|_| file.sync_all());
    drop(file);
    let renamed = written.and_then(|_| std::fs::rename(&tmp, path));
    renamed.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        cannot(e)
    })
}

/// What `path` is when it exists and is not a regular file (not following
/// a symbolic link): `"a symbolic link"`, `"a FIFO"`, ...
fn not_a_regular_file(path: &Path) -> Option<&'static str> {
    let t = std::fs::symlink_metadata(path).ok()?.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_symlink() {
        return Some("a symbolic link");
    }
    if t.is_dir() {
        return Some("a directory");
    }
    Some(special_kind(&t))
}

#[cfg(unix)]
fn special_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device node"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "not a regular file"
}

/// A new file `.NAME.tmpPID[.K]` beside `path`, created exclusively, so that
/// nothing already there (a link planted under that name) is written through.
fn create_temporary(path: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut last = None;
    for k in 0..16 {
        let suffix = if k == 0 {
            String::new()
        } else {
            format!(".{k}")
        };
        let tmp = path.with_file_name(format!(".{name}.tmp{pid}{suffix}"));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary file name is free")))
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("nest-files-{}-{}", name, std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn writes_new_files_and_replaces_regular_ones() {
        let d = dir("regular");
        let p = d.join("a.bin");
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            1,
            "no temporary left"
        );
    }

    #[test]
    fn refuses_links_and_special_files() {
        let d = dir("special");
        let target = d.join("target");
        std::fs::write(&target, b"keep").unwrap();
        let link = d.join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = write_atomically(&link, b"x").unwrap_err();
        assert!(e.contains("a symbolic link"), "{e}");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        let e = write_atomically(&d, b"x").unwrap_err();
        assert!(e.contains("a directory"), "{e}");
        let e = write_atomically(Path::new("/dev/null"), b"x").unwrap_err();
        assert!(e.contains("a device node"), "{e}");
    }

    #[test]
    fn a_planted_temporary_name_is_not_written_through() {
        let d = dir("planted");
        let victim = d.join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let p = d.join("out.bin");
        let planted = d.join(format!(".out.bin.tmp{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        write_atomically(&p, b"data").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert_eq!(std::fs::read(&p).unwrap(), b"data");
    }
}
