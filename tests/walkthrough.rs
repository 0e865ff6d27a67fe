//! The README's `nest compile` / `nest exec` walk-through runs as written:
//! its commands, taken from the README, run in a copy of the layout they
//! expect (`examples/model.nest`, a `target/` directory), with the built
//! binary in place of `target/release/nest`.

mod common;

use nest::tensor::npy;
use std::path::{Path, PathBuf};
use std::process::Command;

const MARKER: &str = "<!-- The commands below are run, exactly, by tests/walkthrough.rs. -->";

/// The lines of the fenced block right after the README's marker.
fn walkthrough_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let after = readme
        .split_once(MARKER)
        .expect("the README marks its walk-through")
        .1;
    let mut lines = after.lines().skip_while(|l| l.trim().is_empty());
    assert_eq!(lines.next(), Some("```"), "a code block follows the marker");
    lines
        .take_while(|l| *l != "```")
        .map(str::to_string)
        .collect()
}

fn read(path: &Path) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    npy::read_npy(&bytes).expect("a valid .npy").to_f64_vec()
}

/// A fresh directory holding `examples/model.nest` and an empty `target/`.
fn layout() -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("walkthrough");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("examples")).expect("examples/");
    std::fs::create_dir_all(root.join("target")).expect("target/");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/model.nest");
    std::fs::copy(example, root.join("examples/model.nest")).expect("copy the example");
    root
}

#[test]
fn the_readme_walkthrough_compiles_and_execs_the_example() {
    // `compile --executable` and `exec` need the XLA plugin.
    if common::xla().is_none() {
        return;
    }
    let commands = walkthrough_commands();
    assert_eq!(commands.len(), 4, "{commands:?}");
    let root = layout();
    let mut outputs = vec![];
    for line in &commands {
        assert!(line.contains("target/release/nest "), "{line}");
        let line = line.replace(
            "target/release/nest ",
            &format!("{} ", env!("CARGO_BIN_EXE_nest")),
        );
        let o = Command::new("sh")
            .arg("-c")
            .arg(&line)
            .current_dir(&root)
            .env_remove("NEST_BACKEND")
            .output()
            .expect("sh runs");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "`{line}` failed:\n{stderr}");
        outputs.push(String::from_utf8_lossy(&o.stdout).into_owned());
    }
    // exec's predictions are x @ w + b of the saved parameters and batch.
    let (w, b, x) = (
        read(&root.join("target/model_w.npy")),
        read(&root.join("target/model_b.npy")),
        read(&root.join("target/model_x.npy")),
    );
    let got = read(&root.join("target/model/results/out.npy"));
    assert_eq!((w.len(), b.len(), x.len(), got.len()), (3, 1, 24, 8));
    for (r, g) in got.iter().enumerate() {
        let want: f64 = (0..3).map(|c| x[r * 3 + c] * w[c]).sum::<f64>() + b[0];
        assert!(
            (g - want).abs() <= 1e-5 * (1.0 + want.abs()),
            "row {r}: {g} vs {want}"
        );
    }
    // The last command prints them, as `run` printed its own predictions.
    let printed = outputs[0]
        .split_once("predict ")
        .expect("run prints its predictions")
        .1;
    assert_eq!(outputs[3], printed);
}

#[test]
fn the_help_of_compile_names_a_file_that_exists() {
    // `nest compile --help` named a `model.nest` that did not exist.
    let o = Command::new(env!("CARGO_BIN_EXE_nest"))
        .args(["compile", "--help"])
        .output()
        .expect("nest runs");
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    let example = help
        .split_once("Example:\n  nest compile ")
        .expect("an example")
        .1;
    let file = example.split_whitespace().next().expect("a file");
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(file).is_file(),
        "{file} does not exist"
    );
    assert!(
        walkthrough_commands()
            .iter()
            .any(|c| c.contains(&format!("nest compile {file} "))),
        "the README compiles {file}"
    );
}
