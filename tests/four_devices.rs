//! Sharded programs on four CPU devices: every `tests/sharded/NAME.nest`
//! runs on the XLA CPU plugin asked for four devices and on the
//! interpreter (one device: it ignores placement), their outputs must
//! agree (numbers within `common::RTOL`), the interpreter's must equal
//! `NAME.out`, and each program must really have run partitioned on XLA.
//! The programs also compare, themselves, their sharded results with the
//! same computation on unsharded values.

mod common;

use nest::backend::Backend;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sharded")
}

fn names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("tests/sharded is readable")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".nest").map(str::to_string))
        .collect();
    names.sort();
    names
}

/// The XLA backend with four devices. The variable is read when the
/// plugin's client is made, the first time a test of this process opens
/// XLA (every test here wants four devices).
fn four_devices() -> Option<Backend> {
    std::env::set_var(nest::backend::loader::DEVICES_ENV, "4");
    common::xla()
}

#[test]
fn sharded_programs_agree_with_one_device_and_run_partitioned() {
    let bless = std::env::var_os("NEST_BLESS").is_some_and(|v| v == "1");
    let xla = four_devices();
    let mut failures = vec![];
    for name in names() {
        let path = dir().join(format!("{name}.nest"));
        let reference = match common::run_script(&path, Backend::Interp) {
            Ok(text) => text,
            Err(e) => {
                failures.push(format!("{name}.nest failed on the interpreter:\n{e}"));
                continue;
            }
        };
        let golden = dir().join(format!("{name}.out"));
        if bless {
            std::fs::write(&golden, &reference).expect("write the golden output");
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected != reference {
            failures.push(format!(
                "{name}.nest: the interpreter printed\n{reference}\nexpected ({}):\n{expected}",
                golden.display()
            ));
        }
        let Some(Backend::Xla(runtime)) = &xla else {
            continue;
        };
        let before = runtime.partitioned_runs();
        match common::run_script(&path, Backend::Xla(runtime.clone())) {
            Ok(text) => {
                if let Err(e) = common::outputs_agree(&reference, &text) {
                    failures.push(format!(
                        "{name}.nest: four devices and the interpreter disagree: {e}\n{text}"
                    ));
                }
            }
            Err(e) => failures.push(format!("{name}.nest failed on four devices:\n{e}")),
        }
        if runtime.partitioned_runs() == before {
            failures.push(format!("{name}.nest ran nothing partitioned on XLA"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
