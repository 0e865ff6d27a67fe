//! The on-disk cache of compiled executables: one `HASH.pjrt` file per
//! module (see `Xla::disk_path` for the key), bounded in size, the least
//! recently used evicted first.
//!
//! The directory is `$NEST_EXECUTABLE_CACHE_DIR`, else `executables/` in
//! nest's cache directory (beside the plugins, which it does not touch).
//! The bound is `$NEST_EXECUTABLE_CACHE_SIZE` (`500M`, `2G`, bytes), else
//! 1 GiB. A hit sets the file's modification time, which is what "recently
//! used" means here (access times are often not kept).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// The environment variable naming the executable cache's directory.
pub const DIR_ENV: &str = "NEST_EXECUTABLE_CACHE_DIR";
/// The environment variable giving its size bound.
pub const SIZE_ENV: &str = "NEST_EXECUTABLE_CACHE_SIZE";
/// The bound when `$NEST_EXECUTABLE_CACHE_SIZE` is unset: 1 GiB.
pub const DEFAULT_LIMIT: u64 = 1 << 30;
const EXTENSION: &str = "pjrt";

/// The directory of the process's executable cache.
pub fn dir() -> Option<PathBuf> {
    match std::env::var_os(DIR_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => super::plugin::cache_dir().map(|d| d.join("executables")),
    }
}

/// The size bound: `$NEST_EXECUTABLE_CACHE_SIZE`, else [`DEFAULT_LIMIT`].
/// An unreadable value is an error, so that a typo does not go unnoticed.
pub fn limit() -> Result<u64, String> {
    match std::env::var(SIZE_ENV) {
        Ok(text) if !text.trim().is_empty() => parse_size(&text).ok_or_else(|| {
            format!("{SIZE_ENV}=`{text}` is not a size (bytes, or e.g. `500M`, `2G`)")
        }),
        _ => Ok(DEFAULT_LIMIT),
    }
}

/// `123`, `64K`, `500M`, `2G`, `1T` (powers of 1024; a trailing `B` or
/// `iB` is allowed: `2GiB`, `500MB`).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: u64 = match unit.trim() {
        "" => 1,
        "K" | "k" => 1 << 10,
        "M" | "m" => 1 << 20,
        "G" | "g" => 1 << 30,
        "T" | "t" => 1 << 40,
        _ => return None,
    };
    let value: f64 = number.parse().ok()?;
    let bytes = value * scale as f64;
    (bytes.is_finite() && bytes >= 0.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// An executable cache directory with its bound.
pub struct Cache {
    dir: PathBuf,
    limit: u64,
    /// The bytes this process believes are in the directory (`None` until
    /// first counted): a new entry adds to it, and only when it passes the
    /// bound is the directory listed again.
    used: Mutex<Option<u64>>,
}

/// One cached executable.
#[derive(Debug)]
struct Entry {
    path: PathBuf,
    bytes: u64,
    used: SystemTime,
}

impl Cache {
    pub fn new(dir: PathBuf, limit: u64) -> Cache {
        Cache {
            dir,
            limit,
            used: Mutex::new(None),
        }
    }

    /// The process's cache: [`dir`] and [`limit`] (`None` without a
    /// directory; an unreadable bound falls back to the default).
    pub fn from_env() -> Option<Cache> {
        Some(Cache::new(dir()?, limit().unwrap_or(DEFAULT_LIMIT)))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Where the executable with this key (a hex digest) lives.
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.{EXTENSION}"))
    }

    /// The bytes stored under `key`, marking them as just used.
    pub fn load(&self, key: &str) -> Option<Vec<u8>> {
        let path = self.path(key);
        let bytes = std::fs::read(&path).ok()?;
        touch(&path);
        Some(bytes)
    }

    /// Stores `bytes` under `key` (atomically), then evicts the least
    /// recently used entries while the cache is over its bound. A cache
    /// that cannot be written only costs a compile next time, so failures
    /// are ignored.
    pub fn store(&self, key: &str, bytes: &[u8]) {
        if (bytes.len() as u64) > self.limit {
            return;
        }
        let _ = std::fs::create_dir_all(&self.dir);
        if crate::files::write_atomically(&self.path(key), bytes).is_err() {
            return;
        }
        let Ok(mut used) = self.used.lock() else {
            return;
        };
        let total = match *used {
            Some(n) => n + bytes.len() as u64,
            None => entries(&self.dir).iter().map(|e| e.bytes).sum(),
        };
        *used = Some(match total > self.limit {
            true => self.evict(),
            false => total,
        });
    }

    /// Removes the entry under `key`, if there is one.
    pub fn remove(&self, key: &str) {
        if let Ok(meta) = std::fs::metadata(self.path(key)) {
            if std::fs::remove_file(self.path(key)).is_ok() {
                if let Ok(mut used) = self.used.lock() {
                    *used = used.map(|n| n.saturating_sub(meta.len()));
                }
            }
        }
    }

    /// Removes the least recently used entries until the rest fit in the
    /// bound; the bytes left.
    fn evict(&self) -> u64 {
        let mut all = entries(&self.dir);
        all.sort_by_key(|e| e.used);
        let mut total: u64 = all.iter().map(|e| e.bytes).sum();
        for e in &all {
            if total <= self.limit {
                break;
            }
            // Another process may have removed it first: either way it is gone.
            let _ = std::fs::remove_file(&e.path);
            total -= e.bytes;
        }
        total
    }

    /// The number of entries and their total size.
    pub fn usage(&self) -> (usize, u64) {
        let all = entries(&self.dir);
        (all.len(), all.iter().map(|e| e.bytes).sum())
    }

    /// Removes every entry; their number and total size.
    pub fn clear(&self) -> (usize, u64) {
        let mut removed = (0, 0);
        for e in entries(&self.dir) {
            if std::fs::remove_file(&e.path).is_ok() {
                removed.0 += 1;
                removed.1 += e.bytes;
            }
        }
        if let Ok(mut used) = self.used.lock() {
            *used = None;
        }
        removed
    }
}

/// The process's cache, or why there is none.
fn from_env_or_error() -> Result<Cache, String> {
    let dir = dir().ok_or("no cache directory: set NEST_CACHE_DIR, XDG_CACHE_HOME or HOME")?;
    Ok(Cache::new(dir, limit()?))
}

/// `nest cache info`: the directory, the entries and the bound.
pub fn info() -> Result<String, String> {
    let cache = from_env_or_error()?;
    let (n, bytes) = cache.usage();
    Ok(format!(
        "{}: {} compiled executable{}, {} of {} ({} to change)",
        cache.dir().display(),
        n,
        if n == 1 { "" } else { "s" },
        human(bytes),
        human(cache.limit()),
        SIZE_ENV
    ))
}

/// `nest cache clear`: removes every entry and says how many.
pub fn clear() -> Result<String, String> {
    let cache = from_env_or_error()?;
    let (n, bytes) = cache.clear();
    Ok(format!(
        "removed {} compiled executable{} ({}) from {}",
        n,
        if n == 1 { "" } else { "s" },
        human(bytes),
        cache.dir().display()
    ))
}

/// Sets the modification time of `path` to now.
fn touch(path: &Path) {
    if let Ok(f) = std::fs::File::options().append(true).open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

/// The `.pjrt` files of `dir` (not the temporary files of writes in flight).
fn entries(dir: &Path) -> Vec<Entry> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    read.filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == EXTENSION))
        .filter_map(|e| {
            let meta = e.metadata().ok().filter(|m| m.is_file())?;
            Some(Entry {
                path: e.path(),
                bytes: meta.len(),
                used: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            })
        })
        .collect()
}

/// The SHA-256 of `bytes`, in hex: a cache entry's name, a dumped
/// module's, an artifact's file hash.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    (Sha256::digest(bytes).iter())
        .map(|b| format!("{:02x}", b))
        .collect()
}

/// `1.5 KiB`, `23.4 MiB`, `1.0 GiB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{:.1} {}", value, UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A fresh directory under the system's temporary directory.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("nest-cache-{}-{}", name, std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// Sets the recorded use of `key` to `seconds` after the epoch, so the
    /// order of uses does not depend on the clock's resolution.
    fn used_at(cache: &Cache, key: &str, seconds: u64) {
        let f = std::fs::File::options().append(true).open(cache.path(key));
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        f.and_then(|f| f.set_modified(t)).expect("set the time");
    }

    fn keys(cache: &Cache) -> Vec<String> {
        let mut k: Vec<String> = entries(cache.dir())
            .iter()
            .filter_map(|e| Some(e.path.file_stem()?.to_string_lossy().into_owned()))
            .collect();
        k.sort();
        k
    }

    #[test]
    fn the_least_recently_used_entries_go_first() {
        let cache = Cache::new(scratch("lru"), 250);
        for (i, key) in ["a", "b", "c"].iter().enumerate() {
            cache.store(key, &[0; 100][..]);
            used_at(&cache, key, 1000 + i as u64);
        }
        // Three entries of 100 bytes in a 250-byte bound: `a`, the oldest, went.
        assert_eq!(keys(&cache), ["b", "c"]);
        // Reading `b` makes it the most recent; the next store evicts `c`.
        assert!(cache.load("b").is_some());
        cache.store("d", &[0; 100][..]);
        assert_eq!(keys(&cache), ["b", "d"]);
        assert_eq!(cache.usage(), (2, 200));
        let _ = std::fs::remove_dir_all(cache.dir());
    }

    #[test]
    fn an_entry_larger_than_the_bound_is_not_stored() {
        let cache = Cache::new(scratch("big"), 50);
        cache.store("a", &[0; 40][..]);
        cache.store("b", &[0; 60][..]);
        assert_eq!(keys(&cache), ["a"]);
        let _ = std::fs::remove_dir_all(cache.dir());
    }

    #[test]
    fn clear_removes_only_entries() {
        let cache = Cache::new(scratch("clear"), 1 << 20);
        cache.store("a", b"one");
        cache.store("b", b"three");
        let other = cache.dir().join("notes.txt");
        std::fs::write(&other, "kept").expect("write");
        assert_eq!(cache.clear(), (2, 8));
        assert_eq!(cache.usage(), (0, 0));
        assert!(other.is_file());
        assert!(cache.load("a").is_none());
        let _ = std::fs::remove_dir_all(cache.dir());
    }

    #[test]
    fn remove_takes_out_one_entry() {
        let cache = Cache::new(scratch("remove"), 1 << 20);
        cache.store("a", b"one");
        cache.store("b", b"two");
        cache.remove("a");
        cache.remove("missing");
        assert_eq!(keys(&cache), ["b"]);
        let _ = std::fs::remove_dir_all(cache.dir());
    }

    #[test]
    fn sizes_parse_in_powers_of_1024() {
        assert_eq!(parse_size("123"), Some(123));
        assert_eq!(parse_size("64K"), Some(64 << 10));
        assert_eq!(parse_size("500M"), Some(500 << 20));
        assert_eq!(parse_size("2G"), Some(2 << 30));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("1.5G"), Some(3 << 29));
        assert_eq!(parse_size(" 10 MB "), Some(10 << 20));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("5X"), None);
        assert_eq!(parse_size("-1"), None);
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(DEFAULT_LIMIT), "1.0 GiB");
    }
}
