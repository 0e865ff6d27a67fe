//! A user error and a bug in nest cannot be confused: broken invariants are
//! typed (`PrimError::Internal`, the kernels' `KernelError`,
//! `Diagnostic::internal`), never a message that merely starts with
//! "internal error", and the CLI renders them as bugs to report.

use nest::interp::run_graph;
use nest::ir::{fresh_var, Atom, Eqn, Graph, PrimError};
use nest::prims::{Cholesky, Prim};
use nest::tensor::kernels;
use nest::tensor::{Data, Tensor};
use nest::types::{DType, TensorType};
use nest::{Diagnostic, Session};
use std::fs;
use std::path::{Path, PathBuf};

const BUG_HINT: &str =
    "  = hint: this is a bug in nest; please report it with the program that triggers it\n";

/// How the CLI prints a diagnostic (`shell::report` writes exactly this).
fn rendered(d: &Diagnostic) -> String {
    Session::new(Box::new(std::io::sink())).render(d)
}

#[test]
fn an_internal_prim_error_reaches_the_cli_as_a_bug() {
    let d = Diagnostic::from(PrimError::internal("the emitter lost %3"));
    assert!(d.internal);
    assert_eq!(
        rendered(&d),
        format!("error: internal error: the emitter lost %3\n{}", BUG_HINT)
    );
}

#[test]
fn an_internal_prim_error_passed_on_as_text_is_still_a_bug() {
    // The evaluator and the backends still pass some errors on as messages
    // (`Diagnostic::at(span, e.to_string())`); the kind must survive that.
    let text = PrimError::internal("the emitter lost %3").to_string();
    let d = Diagnostic::at(nest::span::Span::default(), text);
    assert!(d.internal);
    assert!(rendered(&d).ends_with(BUG_HINT), "{}", rendered(&d));
    let user = Diagnostic::new("cholesky: operand must be square");
    assert!(!user.internal);
}

#[test]
fn a_user_prim_error_reaches_the_cli_as_a_user_error() {
    let d = Diagnostic::from(PrimError::Invalid(
        "cholesky: operand must be square".into(),
    ));
    assert!(!d.internal);
    assert_eq!(rendered(&d), "error: cholesky: operand must be square\n");
}

/// A graph whose equation declares a result type its kernel does not give.
fn mistyped_graph() -> Graph {
    let m = TensorType::new(DType::F32, vec![2, 2]);
    let (a, out) = (fresh_var(m.clone()), fresh_var(m.with_dtype(DType::F64)));
    Graph {
        eqns: vec![Eqn {
            prim: Prim::new(Cholesky),
            inputs: vec![Atom::Var(a.clone())],
            outputs: vec![out.clone()],
        }],
        inputs: vec![a],
        outputs: vec![Atom::Var(out)],
    }
}

#[test]
fn a_broken_invariant_in_the_interpreter_is_rendered_as_a_bug() {
    let x = Tensor::new(vec![2, 2], Data::F32(vec![1., 0., 0., 1.])).expect("tensor");
    let err = run_graph(&mistyped_graph(), &[x]).expect_err("types disagree");
    assert!(err.is_internal(), "{:?}", err);
    let text = rendered(&err.into());
    assert!(
        text.starts_with("error: internal error: cholesky produced (f32[2, 2])"),
        "{}",
        text
    );
    assert!(text.ends_with(BUG_HINT), "{}", text);
}

#[test]
fn a_user_error_in_the_interpreter_is_not_internal() {
    let x = Tensor::new(vec![2], Data::F32(vec![1., 2.])).expect("tensor");
    let err = run_graph(&mistyped_graph(), &[x]).expect_err("wrong argument");
    assert_eq!(
        err,
        PrimError::Invalid("argument 0 has type f32[2], expected f32[2, 2]".into())
    );
}

#[test]
fn kernel_errors_are_internal() {
    let e = kernels::tensor(vec![2], Data::F32(vec![1.])).expect_err("sizes disagree");
    let e = PrimError::from(e);
    assert!(e.is_internal());
    assert_eq!(e.to_string(), "internal error: 1 elements for shape [2]");
}

/// The places allowed to write "internal error" into a message: the
/// `Display` of `PrimError::Internal` and `Diagnostic::internal`.
const DEFINITIONS: &[(&str, usize)] = &[("src/ir/primitive.rs", 1), ("src/diag.rs", 1)];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// String literals that start with "internal error", case-insensitively
/// (comments are not literals and are skipped).
fn literal_sites(text: &str) -> usize {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .map(|code| code.to_lowercase().matches("\"internal error").count())
        .sum()
}

#[test]
fn no_source_file_builds_an_internal_error_message_by_hand() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let mut offenders = vec![];
    for path in &files {
        let rel = path.strip_prefix(root).expect("under the root");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let text = fs::read_to_string(path).expect("readable source");
        let found = literal_sites(&text);
        let allowed = DEFINITIONS.iter().find(|(p, _)| *p == rel).map(|(_, n)| *n);
        match allowed {
            Some(n) => assert_eq!(found, n, "{}: the definition moved", rel),
            None if found > 0 => offenders.push(format!("{} ({})", rel, found)),
            None => {}
        }
    }
    assert!(
        offenders.is_empty(),
        "messages starting with \"internal error\" built by hand (use \
         PrimError::internal or Diagnostic::internal): {}",
        offenders.join(", ")
    );
}

#[test]
fn the_scan_sees_literals_and_not_comments() {
    assert_eq!(literal_sites("Err(\"internal error: x\".into())"), 1);
    assert_eq!(literal_sites("format!(\"Internal error: {}\", m)"), 1);
    assert_eq!(literal_sites("/// reported as an internal error"), 0);
    assert_eq!(literal_sites("x // \"internal error\" in a comment"), 0);
}

#[test]
fn a_prefix_keeps_the_kind() {
    let e = PrimError::internal("no operand").context("jvp of sin");
    assert!(e.is_internal());
    assert_eq!(e.to_string(), "internal error: jvp of sin: no operand");
    let e = PrimError::Invalid("bad axis".into()).context("reduce_sum");
    assert_eq!(e, PrimError::Invalid("reduce_sum: bad axis".into()));
}
