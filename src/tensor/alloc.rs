//! Whether the host can hold new arrays, asked before a kernel makes them.
//!
//! Rust aborts the process when an allocation fails, and on Linux a large
//! allocation often succeeds and the process is killed later when it touches
//! the memory. So the interpreter asks here first, with the types of the
//! arrays a primitive is about to produce: the byte count (overflow-checked),
//! then, for large arrays, the memory the system says is available and a
//! fallible allocation of that size, which fails where the real one would
//! (an address-space limit, `ulimit -v`).

use crate::types::TensorType;

/// The most elements one array may have (2³¹): larger ones are an error
/// (LANGUAGE.md decisions), whatever the memory.
pub const MAX_ELEMENTS: usize = 1 << 31;

/// Arrays smaller than this together are allocated without asking the
/// system (the check costs a read of `/proc/meminfo` and an allocation).
const ASK_FROM: usize = 64 << 20;

/// `Err` with a message naming the array when the arrays of `types` cannot be
/// allocated together.
pub fn check(types: &[TensorType]) -> Result<(), String> {
    check_elements(types)?;
    // At most 2^31 elements of at most 8 bytes each: no overflow on 64 bits,
    // and a saturated sum on 32 bits is more than any memory.
    let total = types.iter().fold(0usize, |sum, t| {
        sum.saturating_add(t.size().saturating_mul(t.dtype.size()))
    });
    if total < ASK_FROM {
        return Ok(());
    }
    let what = || match types {
        [t] => t.to_string(),
        _ => "the results".to_string(),
    };
    if let Some(free) = available_bytes() {
        if total > free {
            return Err(format!(
                "{} would need {} of memory; {} are available",
                what(),
                human(total),
                human(free)
            ));
        }
    }
    let mut probe: Vec<u8> = Vec::new();
    probe.try_reserve_exact(total).map_err(|_| {
        format!(
            "{} would need {} of memory, which cannot be allocated",
            what(),
            human(total)
        )
    })
}

/// `Err` naming the first of `types` with more than [`MAX_ELEMENTS`]
/// elements (a product that overflows counts as more).
pub fn check_elements(types: &[TensorType]) -> Result<(), String> {
    match types
        .iter()
        .find(|t| elements(t).is_none_or(|n| n > MAX_ELEMENTS))
    {
        Some(t) => Err(format!("{} would have more than 2^31 elements", t)),
        None => Ok(()),
    }
}

/// The number of elements of `t`, or `None` if it overflows.
pub fn elements(t: &TensorType) -> Option<usize> {
    t.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
}

/// `MemAvailable` of `/proc/meminfo` (Linux), in bytes.
fn available_bytes() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// `16.0 GB`, `512.0 MB`.
fn human(bytes: usize) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else {
        format!("{:.1} MB", b / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::DType;

    #[test]
    fn small_arrays_pass() {
        assert!(check(&[TensorType::new(DType::F64, vec![1000, 1000])]).is_ok());
    }

    #[test]
    fn overflowing_or_huge_shapes_are_errors() {
        let huge = TensorType::new(DType::F32, vec![usize::MAX, 2]);
        assert!(check(&[huge]).is_err());
        let big = TensorType::new(DType::F32, vec![1 << 31, 2]);
        let e = check(&[big]).expect_err("2^32 elements");
        assert!(e.contains("2^31"), "{e}");
    }

    #[test]
    fn more_than_the_machine_has_is_an_error() {
        // 2^31 elements of 8 bytes, 64 times over: 1 TiB.
        let t = TensorType::new(DType::F64, vec![1 << 31]);
        let e = check(&vec![t; 64]).expect_err("1 TiB");
        assert!(e.contains("memory"), "{e}");
    }
}
