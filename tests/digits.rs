//! The digits data of `examples/data/` loads as documented, and
//! `examples/ift_weight_decay_digits.nest`, run for a few rounds, tunes
//! decays that lower the validation loss, on the interpreter and on XLA.

mod common;

use nest::backend::Backend;
use std::fs;
use std::path::{Path, PathBuf};

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory holding a copy of `examples/data` and an empty `out/`.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("data")).expect("scratch directory");
    fs::create_dir_all(dir.join("out")).expect("scratch out/");
    for f in ["digits_x.npy", "digits_y.npy"] {
        fs::copy(
            manifest().join("examples/data").join(f),
            dir.join("data").join(f),
        )
        .expect("examples/data is readable");
    }
    dir
}

fn run(path: &Path, backend: Backend) -> String {
    common::run_script(path, backend).unwrap_or_else(|e| panic!("{} failed:\n{e}", path.display()))
}

fn backends() -> Vec<Backend> {
    std::iter::once(Backend::Interp)
        .chain(common::xla())
        .collect()
}

// Shapes, range, per-split class counts and the first labels, as NumPy reads
// the committed files (examples/data/README.md gives the split).
const DATA_PROGRAM: &str = r#"
let x = load("data/digits_x.npy");
let y = load("data/digits_y.npy");
print(shape(x), shape(y), min(x), max(x));
print(sum(one_hot(y[:300], 10), axis = 0));
print(sum(one_hot(y[300:900], 10), axis = 0));
print(sum(one_hot(y[900:], 10), axis = 0));
print(y[:12]);
"#;

const DATA_EXPECTED: &str = "\
(1797, 64) (1797,) 0.0 1.0
[19. 27. 29. 27. 24. 34. 40. 34. 31. 35.]
[70. 64. 63. 66. 52. 74. 49. 44. 61. 57.]
[ 89.  91.  85.  90. 105.  74.  92. 101.  82.  88.]
[2 8 2 6 6 7 1 9 8 5 2 8]
";

#[test]
fn digits_data_loads_as_documented() {
    let dir = scratch("digits_data");
    let path = dir.join("data_check.nest");
    fs::write(&path, DATA_PROGRAM).expect("write the program");
    for b in backends() {
        let text = run(&path, b);
        common::outputs_agree(DATA_EXPECTED, &text)
            .unwrap_or_else(|e| panic!("{e}\nexpected:\n{DATA_EXPECTED}got:\n{text}"));
    }
}

/// The number after `val_loss: ` on the line that starts with `label`.
fn val_loss(text: &str, label: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no line `{label}` in:\n{text}"));
    let rest = line.split("val_loss: ").nth(1).expect("a val_loss field");
    rest.split(',')
        .next()
        .unwrap()
        .trim()
        .parse()
        .expect("a number")
}

#[test]
fn digits_example_tuned_decays_lower_validation_loss() {
    let source = fs::read_to_string(manifest().join("examples/ift_weight_decay_digits.nest"))
        .expect("the example is readable");
    let full = "let rounds = 60;";
    assert!(source.contains(full), "the example sets `{full}`");
    let short = source.replace(full, "let rounds = 3;");
    let dir = scratch("digits_example");
    let path = dir.join("digits.nest");
    fs::write(&path, short).expect("write the program");
    let mut outputs = vec![];
    for b in backends() {
        let text = run(&path, b);
        assert!(text.starts_with("650 weights and as many decays"), "{text}");
        let before = val_loss(&text, "before tuning");
        let global = val_loss(&text, "one global decay");
        let per_weight = val_loss(&text, "per-weight decays {");
        assert!(
            global < before,
            "global decay: {global} !< {before}\n{text}"
        );
        assert!(
            per_weight < before,
            "per-weight decays: {per_weight} !< {before}\n{text}"
        );
        assert!(dir.join("out/digits_val_loss.png").exists());
        outputs.push(text);
    }
    if let [interp, xla] = &outputs[..] {
        common::outputs_agree(interp, xla).unwrap_or_else(|e| panic!("backends disagree: {e}"));
    }
}
