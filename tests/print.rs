//! `print` inside a function: what it costs (nothing without one), what
//! simplification keeps, and what a print that overflows its buffers shows.
//! What it prints is checked by `tests/programs/print_fn.nest`.

mod common;

use common::Captured;
use nest::backend::stablehlo::lower_module;
use nest::backend::Backend;
use nest::eval::effects::staged_graph;
use nest::eval::exec::Evaluator;
use nest::eval::module::ModuleEnv;
use nest::ir::{Func, Graph};
use nest::Session;
use std::path::Path;

/// Runs `source`; the IR of each function it traced.
fn traces(source: &str) -> Vec<Func> {
    let mut ev = Evaluator::new(Box::new(std::io::sink()));
    let prog = ev
        .parse_source("test.nest", source)
        .unwrap_or_else(|e| panic!("{}", e.message));
    ev.run_program(&prog, ModuleEnv::new("test", None))
        .unwrap_or_else(|e| panic!("{}", e.message));
    ev.traces.values().cloned().collect()
}

/// Equations applying `print`, in `g` and its regions.
fn prints(g: &Graph) -> usize {
    g.eqns
        .iter()
        .map(|e| {
            usize::from(e.prim.name() == "print")
                + e.prim.regions().iter().map(|r| prints(r)).sum::<usize>()
        })
        .sum()
}

const WITHOUT_PRINT: &str = r#"
fn loops(x, n) {
    var s = x;
    for i in 0..3 { s = s * 2.0; }
    var k = 0;
    while k < n { if k % 2 == 0 { s = s + 1.0; } k += 1; }
    s
}
let a = loops(ones([2]), 3);
fn smooth(x) { var s = x; for i in 0..3 { s = sin(s) * 2.0; } sum(s) }
fn gradient(x) { grad(smooth)(x) }
let b = gradient(ones([2]));
fn batched(x) { vmap(|y| loops(y, 1))(x) }
let c = batched(ones([3, 2]));
"#;

#[test]
fn a_program_without_print_runs_the_module_it_traced() {
    let funcs = traces(WITHOUT_PRINT);
    assert_eq!(funcs.len(), 3);
    for f in funcs {
        assert!(!f.graph.has_effects(), "{}", f.name);
        let staged = staged_graph(&f.graph).unwrap();
        assert_eq!(
            staged, f.graph,
            "{}: staging changed a graph without print",
            f.name
        );
        let before = lower_module(&f.name, &f.graph).unwrap().text;
        let after = lower_module(&f.name, &staged).unwrap().text;
        assert_eq!(before, after, "{}", f.name);
    }
}

#[test]
fn a_print_adds_outputs_to_the_module() {
    let source = WITHOUT_PRINT.replace("s = s * 2.0;", "s = s * 2.0; print(\"s\", s);");
    let funcs = traces(&source);
    let f = funcs.iter().find(|f| f.name == "loops").unwrap();
    assert_eq!(prints(&f.graph), 1);
    let staged = staged_graph(&f.graph).unwrap();
    nest::ir::verify::verify(&staged).unwrap();
    // The count, sequence numbers and values of the one print site.
    assert_eq!(staged.outputs.len(), f.graph.outputs.len() + 3);
    assert_eq!(prints(&staged), 0);
}

#[test]
fn simplification_keeps_every_print_in_place() {
    // Two equal prints of a loop invariant in a loop (no CSE, no hoisting)
    // and a print of a value nothing else uses (no DCE), in a loop whose
    // results are unused.
    let source = r#"
fn f(x) {
    var s = x;
    for i in 0..3 {
        print("a", x * 3.0);
        print("a", x * 3.0);
        s = s + 1.0;
    }
    print("unused", s * 2.0);
    var t = x;
    for j in 0..2 { t = t - 1.0; print("t", t); }
    x
}
let y = f(1.0);
"#;
    let funcs = traces(source);
    let f = funcs.iter().find(|f| f.name == "f").unwrap();
    assert_eq!(prints(&f.graph), 4, "{}", nest::ir::print::print_func(f));
    let top = f.graph.eqns.iter().filter(|e| e.prim.name() == "print");
    assert_eq!(top.count(), 1, "one print outside the loops");
    let out = run(
        "simplified",
        source.to_string() + "print(y);\n",
        Backend::Interp,
    );
    let expected = "a 3.0\na 3.0\na 3.0\na 3.0\na 3.0\na 3.0\nunused 8.0\nt 0.0\nt -1.0\n1.0\n";
    assert_eq!(out, expected);
    if let Some(xla) = common::xla() {
        assert_eq!(
            run("simplified", source.to_string() + "print(y);\n", xla),
            expected
        );
    }
}

/// Runs a program written to a temporary file; what it printed.
fn run(name: &str, source: String, backend: Backend) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("print");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.nest"));
    std::fs::write(&path, source).unwrap();
    let out = Captured::default();
    let mut session = Session::new(Box::new(out.clone()));
    session.set_backend(backend);
    let r = session.run_file(&path);
    drop(session);
    let text = String::from_utf8_lossy(&out.0.borrow()).into_owned();
    if let Err(d) = r {
        panic!("{name} failed: {}\n{text}", d.message);
    }
    text
}

#[test]
fn a_print_past_its_buffers_shows_its_first_and_last_values_and_says_so() {
    // A record of the second print holds 4 MiB (and its sequence number),
    // a print keeps at most 64 MiB: 15 records of the 20 fit, the first 14
    // and the last, and a note says how many ran.
    let source = r#"
fn big(n) {
    var i = 0;
    while i < n {
        print("i", i, sum(zeros([1024, 1024]) + cast(i, f32)));
        print("row", i, zeros([1024, 1024]) + cast(i, f32));
        i += 1;
    }
    i
}
print(big(20));
"#;
    let out = run("overflow", source.to_string(), Backend::Interp);
    let lines: Vec<&str> = out.lines().collect();
    let sums: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("i "))
        .collect();
    assert_eq!(sums.len(), 20, "the small print keeps everything:\n{out}");
    let rows: Vec<&&str> = lines.iter().filter(|l| l.starts_with("row ")).collect();
    assert_eq!(rows.len(), 15, "{out}");
    assert!(rows[13].starts_with("row 13 "), "{}", rows[13]);
    assert!(
        rows[14].starts_with("row 19 "),
        "the last record: {}",
        rows[14]
    );
    let note = lines
        .iter()
        .find(|l| l.starts_with("note:"))
        .expect("a note");
    assert!(
        note.contains("overflow.nest:6:9") && note.contains("ran 20 times"),
        "{note}"
    );
    assert_eq!(lines.last(), Some(&"20"));
    if let Some(xla) = common::xla() {
        assert_eq!(run("overflow", source.to_string(), xla), out);
    }
}

#[test]
fn later_calls_of_a_print_that_outgrew_its_buffers_print_everything() {
    // The first call outgrows the first guess and runs again with larger
    // buffers; the later calls start from those, print more or fewer
    // records, and each prints every one.
    let source = r#"
fn count(n) {
    var i = 0;
    while i < n { print("i", i); i += 1; }
    i
}
for k in 0..3 {
    let n = 40 + 30 * k - 90 * (k // 2);   # 40, 70, 10
    print("n", count(n));
}
"#;
    let expected: String = [40, 70, 10]
        .iter()
        .map(|&n| {
            let lines: String = (0..n).map(|i| format!("i {i}\n")).collect();
            format!("{lines}n {n}\n")
        })
        .collect();
    assert_eq!(run("later", source.to_string(), Backend::Interp), expected);
    if let Some(xla) = common::xla() {
        assert_eq!(run("later", source.to_string(), xla), expected);
    }
}
