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

/// The XLA backend with four devices (`common::xla` asks the CPU plugin
/// for four unless `NEST_DEVICES` says otherwise), and a guard that keeps
/// the tests of this file from running at once: they count the runtime's
/// partitioned runs, which another test's runs would change.
fn four_devices() -> (std::sync::MutexGuard<'static, ()>, Option<Backend>) {
    static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let xla = common::xla();
    if let Some(Backend::Xla(x)) = &xla {
        assert!(
            x.devices() >= 4,
            "the four-device tests need NEST_DEVICES >= 4"
        );
    }
    (guard, xla)
}

#[test]
fn sharded_programs_agree_with_one_device_and_run_partitioned() {
    let bless = std::env::var_os("NEST_BLESS").is_some_and(|v| v == "1");
    let (_alone, xla) = four_devices();
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

/// A function that shards its input and its result, compiled into an
/// artifact: the manifest records the mesh and the layouts, and the
/// artifact runs over four devices through the library and `nest exec`.
#[test]
fn a_sharded_artifact_records_its_mesh_and_runs_on_four_devices() {
    use nest::artifact::Artifact;
    use nest::tensor::{npy, Data, Tensor};
    let (_alone, Some(Backend::Xla(xla))) = four_devices() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("nest-sharded-artifact-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let source = dir.join("step.nest");
    std::fs::write(
        &source,
        "let m = mesh([4], (\"data\",));\n\
         fn step(w, x) {\n    let xs = shard(x, m, (\"data\", none));\n    shard(tanh(xs @ w), m, (\"data\",))\n}\n",
    )
    .expect("write the source");
    let mut session = nest::Session::new(Box::new(std::io::sink()));
    session.set_backend(Backend::Xla(xla.clone()));
    let manifest = session
        .compile_file(
            &source,
            "step",
            Some("f32[3], f32[8, 3]"),
            &dir.join("out"),
            Some(&xla),
        )
        .unwrap_or_else(|d| panic!("{}", d.message));
    let artifact = Artifact::load(&manifest).expect("loads");
    let m = &artifact.manifest;
    let mesh = m.mesh.as_ref().expect("the manifest records the mesh");
    assert_eq!(
        (mesh.shape.clone(), mesh.axes.clone()),
        (vec![4], vec!["data".to_string()])
    );
    assert_eq!(m.inputs[0].sharding, Some(vec![]));
    assert_eq!(m.inputs[1].sharding, Some(vec![Some("data".into()), None]));
    assert_eq!(m.outputs[0].sharding, Some(vec![Some("data".into())]));

    let w = vec![0.5f32, -1.0, 0.25];
    let x: Vec<f32> = (0..24).map(|i| (i as f32 - 12.0) * 0.1).collect();
    let expected: Vec<f64> = (0..8)
        .map(|r| f64::from((0..3).map(|c| x[r * 3 + c] * w[c]).sum::<f32>().tanh()))
        .collect();
    let inputs = [
        Tensor::new(vec![3], Data::F32(w)).expect("w"),
        Tensor::new(vec![8, 3], Data::F32(x)).expect("x"),
    ];
    let close = |got: &[f64]| {
        got.iter()
            .zip(&expected)
            .all(|(a, b)| (a - b).abs() <= 1e-6)
    };
    let before = xla.partitioned_runs();
    let results = artifact.call(&xla, &inputs).expect("runs");
    assert!(
        close(&results[0].to_f64_vec()),
        "{:?}",
        results[0].to_f64_vec()
    );
    assert!(
        xla.partitioned_runs() == before,
        "artifacts run through their own executable"
    );

    // `nest exec` makes the four devices itself (NEST_DEVICES unset).
    let files: Vec<std::path::PathBuf> = ["w", "x"]
        .iter()
        .map(|n| dir.join(format!("{n}.npy")))
        .collect();
    for (f, t) in files.iter().zip(&inputs) {
        std::fs::write(f, npy::write_npy(t).expect("npy")).expect("write an input");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nest"))
        .arg("exec")
        .arg(&manifest)
        .arg("--in")
        .args(&files)
        .arg("--out")
        .arg(dir.join("results"))
        .env_remove(nest::backend::loader::DEVICES_ENV)
        .output()
        .expect("nest runs");
    assert!(
        out.status.success(),
        "exec failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(dir.join("results/out.npy")).expect("out.npy written");
    assert!(close(
        &npy::read_npy(&bytes).expect("valid npy").to_f64_vec()
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The scaling benchmarks (`benches/distributed/*.nest`, run on 1, 2 and 4
/// devices by `benches/distributed/run.py`) cannot rot: each runs here at
/// its tiny sizes (a mesh of two devices) partitioned on XLA and on the
/// interpreter, with the same checksum.
#[test]
fn distributed_bench_scripts_run_at_tiny_sizes() {
    let (_alone, Some(Backend::Xla(xla))) = four_devices() else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/distributed");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("distributed_bench");
    std::fs::create_dir_all(&tmp).expect("the test's directory can be made");
    for name in ["mlp", "hypergrad"] {
        let path = dir.join(format!("{name}.nest"));
        let text = std::fs::read_to_string(&path).expect("the script is readable");
        let small = tmp.join(format!("{name}.nest"));
        std::fs::write(&small, common::tiny(&text, &path).expect("size lines")).expect("write");
        let checksum = |backend| {
            let out = common::run_script(&small, backend).unwrap_or_else(|e| panic!("{e}"));
            assert!(common::number(&out, "steady_s").is_some(), "{out}");
            common::number(&out, "checksum").expect("a checksum")
        };
        let reference = checksum(Backend::Interp);
        let before = xla.partitioned_runs();
        let got = checksum(Backend::Xla(xla.clone()));
        assert!(
            xla.partitioned_runs() > before,
            "{name} ran nothing partitioned"
        );
        assert!(
            reference.is_finite() && (got - reference).abs() <= 1e-4 * reference.abs().max(1e-3),
            "{name}: interpreter {reference}, four devices {got}"
        );
    }
}
