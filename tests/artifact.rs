//! Artifacts: `nest compile` writes one, `nest exec` and `Artifact::load` +
//! `call` run it, and a corrupted artifact is refused.

mod common;

use nest::artifact::Artifact;
use nest::backend::Backend;
use nest::tensor::{npy, Data, Tensor, C128};
use std::path::{Path, PathBuf};
use std::process::Command;

fn nest(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nest"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the nest binary runs")
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("artifact")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temporary directory");
    d
}

fn f32s(shape: &[usize], v: Vec<f32>) -> Tensor {
    Tensor::new(shape.to_vec(), Data::F32(v)).expect("sizes agree")
}

fn save(path: &Path, t: &Tensor) {
    std::fs::write(path, npy::write_npy(t).expect("npy")).expect("write npy");
}

/// The inputs, in manifest order (p.w, p.b, x), and the expected output
/// `2 * (x @ w) + b`.
fn case() -> (Vec<Tensor>, Vec<f32>) {
    let w = vec![1.0, -2.0, 0.5];
    let x: Vec<f32> = (0..12).map(|i| i as f32 * 0.25).collect();
    let b = 0.75;
    let expected = (0..4)
        .map(|r| 2.0 * (0..3).map(|c| x[r * 3 + c] * w[c]).sum::<f32>() + b)
        .collect();
    (
        vec![f32s(&[3], w), f32s(&[], vec![b]), f32s(&[4, 3], x)],
        expected,
    )
}

fn compile(dir: &Path) {
    let out = nest(&[
        "compile",
        "tests/artifacts/model.nest",
        "--fn",
        "predict",
        "-o",
        dir.to_str().expect("utf-8"),
        "--executable",
    ]);
    assert!(
        out.status.success(),
        "compile failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn compiled_artifact_runs_through_exec_and_the_library() {
    let Some(Backend::Xla(xla)) = common::xla() else {
        return;
    };
    let dir = tmp("run");
    compile(&dir);
    for f in ["predict.mlir", "predict.json", "predict.pjrt"] {
        assert!(dir.join(f).exists(), "{f} was not written");
    }
    let manifest = Artifact::load(&dir.join("predict.json")).expect("loads");
    let names: Vec<&str> = manifest
        .manifest
        .inputs
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["p.w", "p.b", "x"]);
    // The tree lists fields in the inputs' order (it was sorted: b before w).
    let p = &manifest.manifest.input_tree["record"]["p"]["record"];
    let fields: Vec<&String> = p.as_object().expect("a record").keys().collect();
    assert_eq!(fields, ["w", "b"]);
    assert_eq!(manifest.manifest.outputs[0].shape, vec![4]);

    let (inputs, expected) = case();
    let results = manifest.call(&xla, &inputs).expect("runs");
    assert_eq!(
        results[0].to_f64_vec(),
        expected.iter().map(|&v| v as f64).collect::<Vec<_>>()
    );

    let files: Vec<PathBuf> = ["w", "b", "x"]
        .iter()
        .map(|n| dir.join(format!("{n}.npy")))
        .collect();
    for (f, t) in files.iter().zip(&inputs) {
        save(f, t);
    }
    let out_dir = dir.join("out");
    let mut args: Vec<String> = vec![
        "exec".into(),
        dir.join("predict.json")
            .to_str()
            .expect("utf-8")
            .to_string(),
        "--in".into(),
    ];
    args.extend(files.iter().map(|f| f.to_str().expect("utf-8").to_string()));
    args.extend(["--out".into(), out_dir.to_str().expect("utf-8").to_string()]);
    let out = nest(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        out.status.success(),
        "exec failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(out_dir.join("out.npy")).expect("out.npy written");
    let got = npy::read_npy(&bytes).expect("valid npy");
    assert_eq!(
        got.to_f64_vec(),
        expected.iter().map(|&v| v as f64).collect::<Vec<_>>()
    );
}

#[test]
fn corrupted_artifacts_are_refused() {
    let Some(Backend::Xla(xla)) = common::xla() else {
        return;
    };
    let dir = tmp("corrupt");
    compile(&dir);
    let manifest_path = dir.join("predict.json");

    // A changed module no longer matches the manifest's hash.
    let module = dir.join("predict.mlir");
    let text = std::fs::read_to_string(&module).expect("module");
    std::fs::write(&module, text.replace("stablehlo.add", "stablehlo.subtract")).expect("rewrite");
    let err = Artifact::load(&manifest_path)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("hash"), "{err}");
    let out = nest(&[
        "exec",
        manifest_path.to_str().expect("utf-8"),
        "--out",
        dir.join("o").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not match its manifest"));
    std::fs::write(&module, text).expect("restore");

    // Inputs that do not match the manifest's shapes are refused before the plugin sees them.
    let artifact = Artifact::load(&manifest_path).expect("loads again");
    let (mut inputs, _) = case();
    inputs[2] = f32s(&[3, 4], vec![0.0; 12]);
    let err = artifact
        .call(&xla, &inputs)
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("input `x` must be f32[4, 3], got f32[3, 4]"),
        "{err}"
    );

    // A manifest that is not JSON.
    std::fs::write(&manifest_path, "{ not json").expect("write");
    let err = Artifact::load(&manifest_path)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("not a valid manifest"), "{err}");
}

#[test]
fn compile_needs_concrete_annotations() {
    let dir = tmp("bad");
    let out = nest(&[
        "compile",
        "tests/artifacts/model.nest",
        "--fn",
        "norm2",
        "-o",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("model.nest:9:17: error: the dimension `n` has no size here"),
        "{err}"
    );
    assert!(!dir.join("norm2.json").exists(), "no partial artifact");
}

/// Rewrites the manifest at `path` through `edit`.
fn edit_manifest(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let text = std::fs::read_to_string(path).expect("manifest");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    edit(&mut json);
    std::fs::write(path, serde_json::to_string_pretty(&json).expect("JSON")).expect("write");
}

fn load_error(path: &Path) -> String {
    Artifact::load(path).err().expect("refused").to_string()
}

#[test]
fn an_edited_manifest_cannot_reinterpret_the_executable() {
    let Some(Backend::Xla(xla)) = common::xla() else {
        return;
    };
    let dir = tmp("reinterpret");
    compile(&dir);
    let manifest = dir.join("predict.json");
    // `x: f32[4, 3]` relabelled `f32[12]` (as many bytes): the deserialized
    // executable had no signature to check, so it ran on the bytes.
    edit_manifest(&manifest, |m| {
        m["inputs"][2]["shape"] = serde_json::json!([12])
    });
    let err = load_error(&manifest);
    assert!(
        err.contains("not the parameters of `predict.mlir`'s @main"),
        "{err}"
    );
    // i32 for f32: same size, other meaning.
    compile(&dir);
    edit_manifest(&manifest, |m| {
        m["inputs"][0]["dtype"] = serde_json::json!("i32")
    });
    assert!(load_error(&manifest).contains("not the parameters"));
    // The executable itself checks its arguments against the module's
    // signature, deserialized as compiled.
    compile(&dir);
    let text = std::fs::read_to_string(dir.join("predict.mlir")).expect("module");
    let bytes = std::fs::read(dir.join("predict.pjrt")).expect("executable");
    let exe = xla.deserialize(&bytes, &text).expect("deserializes");
    let (inputs, _) = case();
    let mut bufs: Vec<_> = inputs
        .iter()
        .map(|t| xla.upload(t).expect("upload"))
        .collect();
    bufs[2] = xla.upload(&f32s(&[12], vec![0.0; 12])).expect("upload");
    let args: Vec<_> = bufs.iter().map(|d| d.buffer()).collect();
    let err = exe.execute(&args).err().expect("refused").to_string();
    assert!(
        err.contains("argument 2 is f32[12], the program expects f32[4, 3]"),
        "{err}"
    );
    // Results that are not what the manifest lists.
    edit_manifest(&manifest, |m| {
        m["outputs"][0]["shape"] = serde_json::json!([2, 2])
    });
    let artifact = Artifact::load(&manifest).expect("loads");
    let err = artifact
        .call(&xla, &inputs)
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("returned (f32[4]), which is not what its manifest lists"),
        "{err}"
    );
}

#[test]
fn every_file_of_an_artifact_is_hashed() {
    if common::xla().is_none() {
        return;
    }
    let dir = tmp("hashes");
    compile(&dir);
    let manifest = dir.join("predict.json");
    // One byte of the executable changed: its hash was not in the manifest.
    let pjrt = dir.join("predict.pjrt");
    let mut bytes = std::fs::read(&pjrt).expect("executable");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&pjrt, &bytes).expect("write");
    let err = load_error(&manifest);
    assert!(
        err.contains("predict.pjrt` does not match its manifest"),
        "{err}"
    );
    assert!(err.contains("hash"), "{err}");
    // A constant with other values of the same shape.
    let out = nest(&[
        "compile",
        "tests/artifacts/model.nest",
        "--fn",
        "weigh",
        "-o",
        dir.to_str().expect("utf-8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let weigh = dir.join("weigh.json");
    assert!(Artifact::load(&weigh).is_ok());
    let zeros = Tensor::new(vec![20], Data::F32(vec![0.0; 20])).expect("sizes agree");
    save(&dir.join("weigh.const0.npy"), &zeros);
    let err = load_error(&weigh);
    assert!(
        err.contains("weigh.const0.npy` does not match its manifest"),
        "{err}"
    );
}

#[test]
fn names_in_a_manifest_stay_in_their_directories() {
    let dir = tmp("names");
    let out = nest(&[
        "compile",
        "tests/artifacts/model.nest",
        "--fn",
        "predict",
        "-o",
        dir.to_str().expect("utf-8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = dir.join("predict.json");
    let original = std::fs::read_to_string(&manifest).expect("manifest");
    // `nest exec` wrote `OUT/NAME.npy`: `../../x` landed outside `--out`.
    for name in ["../../x", "/tmp/x", "a/b", "..", ""] {
        std::fs::write(&manifest, &original).expect("restore");
        edit_manifest(&manifest, |m| {
            m["outputs"][0]["name"] = serde_json::json!(name)
        });
        let err = load_error(&manifest);
        assert!(
            err.contains("is not a plain, distinct file name"),
            "{name}: {err}"
        );
        let out = nest(&[
            "exec",
            manifest.to_str().expect("utf-8"),
            "--out",
            dir.join("o").to_str().expect("utf-8"),
        ]);
        assert_eq!(out.status.code(), Some(1), "{name}");
    }
    assert!(!dir.join("x.npy").exists() && !dir.parent().expect("parent").join("x.npy").exists());
    std::fs::write(&manifest, &original).expect("restore");
    edit_manifest(&manifest, |m| {
        m["module"] = serde_json::json!("../predict.mlir")
    });
    assert!(load_error(&manifest).contains("`../predict.mlir` is not a plain file name"));
}

#[test]
fn c128_artifacts_keep_double_precision() {
    let Some(Backend::Xla(xla)) = common::xla() else {
        return;
    };
    let dir = tmp("c128");
    let d = dir.to_str().expect("utf-8");
    let out = nest(&[
        "compile",
        "tests/artifacts/complex.nest",
        "--fn",
        "rotate",
        "-o",
        d,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let artifact = Artifact::load(&dir.join("rotate.json")).expect("loads");
    let m = &artifact.manifest;
    let dtypes: Vec<&str> = (m.inputs.iter().chain(&m.outputs))
        .map(|s| s.dtype.as_str())
        .collect();
    assert_eq!(dtypes, ["c128", "f64", "c128"]);
    let z: Vec<C128> = (1..4)
        .map(|k| C128::new(1.0 / k as f64, 0.1 * k as f64))
        .collect();
    let t = 0.3f64;
    let inputs = [
        Tensor::new(vec![3], Data::C128(z.clone())).expect("z"),
        Tensor::scalar_f64(t),
    ];
    let got = artifact.call(&xla, &inputs).expect("runs");
    let Data::C128(got) = got[0].data() else {
        panic!("c128 output, got {}", got[0].ty())
    };
    for (g, z) in got.iter().zip(&z) {
        let want = z * C128::new(t.cos(), t.sin());
        assert!((g - want).norm() <= 1e-15 * want.norm(), "{g} vs {want}");
    }
}

/// A function with record arguments and a record result, compiled (no
/// executable) into a fresh directory; the manifest's path.
fn compile_records(name: &str) -> PathBuf {
    let dir = tmp(name);
    let src = dir.join("records.nest");
    std::fs::write(
        &src,
        "fn f(p: {w: f32[3], b: f32}, x: f32[3]) { {z: p.w * x, a: p.b, m: {y: x, c: 1.0}} }\n",
    )
    .expect("write the program");
    let out = nest(&[
        "compile",
        src.to_str().expect("utf-8"),
        "--fn",
        "f",
        "-o",
        dir.to_str().expect("utf-8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("f.json")
}

#[test]
fn trees_keep_the_declared_order_of_record_fields() {
    let manifest = compile_records("declared_order");
    let m = Artifact::load(&manifest).expect("loads").manifest;
    let names: Vec<&str> = m.outputs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["out.z", "out.a", "out.m.y", "out.m.c"]);
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v["record"]
            .as_object()
            .expect("a record")
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(keys(&m.output_tree), ["z", "a", "m"]);
    assert_eq!(keys(&m.output_tree["record"]["m"]), ["y", "c"]);
    assert_eq!(keys(&m.input_tree["record"]["p"]), ["w", "b"]);
    // The text itself lists them so, for readers of the JSON in any language.
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let at = |k: &str| text.find(&format!("\"{k}\": ")).expect(k);
    assert!(at("z") < at("a") && at("a") < at("m") && at("y") < at("c"));
}

#[test]
fn a_manifest_with_sorted_record_fields_is_refused_clearly() {
    // Older versions wrote the fields of records sorted by name, unlike
    // the leaves of `inputs`: such a manifest is refused, not misread.
    let manifest = compile_records("sorted_fields");
    edit_manifest(&manifest, |m| {
        m["input_tree"]["record"]["p"] = serde_json::json!({"record": {"b": "array", "w": "array"}})
    });
    let err = load_error(&manifest);
    assert!(
        err.contains("`input_tree` lists its leaves as p.b, p.w, x, not in the order of the inputs (p.w, p.b, x)"),
        "{err}"
    );
    assert!(
        err.contains("compile it again with `nest compile`"),
        "{err}"
    );
    let manifest = compile_records("sorted_outputs");
    edit_manifest(
        &manifest,
        |m| m["output_tree"] = serde_json::json!({"record": {"a": "array", "m": {"record": {"c": "array", "y": "array"}}, "z": "array"}}),
    );
    assert!(load_error(&manifest).contains("`output_tree` lists its leaves as out.a, out.m.c"));
    // A field missing from an old manifest says so too.
    let manifest = compile_records("missing_field");
    edit_manifest(&manifest, |m| {
        m.as_object_mut()
            .expect("an object")
            .remove("module_sha256");
    });
    let err = load_error(&manifest);
    assert!(err.contains("missing field `module_sha256`"), "{err}");
    assert!(err.contains("a manifest of an older nest?"), "{err}");
}

#[test]
fn exec_with_too_few_inputs_lists_them_in_order() {
    if common::xla().is_none() {
        return;
    }
    let manifest = compile_records("too_few");
    let dir = manifest.parent().expect("a directory");
    let x = dir.join("x.npy");
    save(&x, &f32s(&[3], vec![1.0, 2.0, 3.0]));
    let out = nest(&[
        "exec",
        manifest.to_str().expect("utf-8"),
        "--in",
        x.to_str().expect("utf-8"),
        "--out",
        dir.join("o").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "`f` takes 3 input(s), in this order: p.w: f32[3], p.b: f32[], x: f32[3]; got 1"
        ),
        "{err}"
    );
}
