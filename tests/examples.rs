//! Every example runs on the interpreter and, with a plugin, on XLA, and the
//! two agree (numbers within `common::RTOL`).

mod common;

use common::run_script as run;
use nest::backend::Backend;
use std::path::Path;

#[test]
fn examples_run_and_backends_agree() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "nest"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    let xla = common::xla();
    let mut failures = vec![];
    for p in &paths {
        let reference = match run(p, Backend::Interp) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{} failed on the interpreter:\n{}", p.display(), e));
                continue;
            }
        };
        if let Some(x) = &xla {
            match run(p, x.clone()) {
                Ok(t) => {
                    if let Err(e) = common::outputs_agree(&reference, &t) {
                        failures.push(format!("{}: backends disagree: {}", p.display(), e));
                    }
                }
                Err(e) => failures.push(format!("{} failed on XLA:\n{}", p.display(), e)),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
