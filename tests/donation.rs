//! Donation: in `x = f(x)` the old value of `x` is dead once `f` has it,
//! so the compiled `f` writes its result into that value's device buffer
//! (`src/eval/donate.rs`). A value still reachable some other way (another
//! name, a closure, a list, a second argument, a global the function reads)
//! must never be donated: reading it afterwards would fail, or worse. Each
//! program runs on the interpreter too, with the same printed output, and
//! the XLA runtime's count of donated buffers says what was donated. The
//! tests run one at a time: the count is the process's.

mod common;

use common::{outputs_agree, Captured};
use nest::backend::Backend;
use std::sync::Mutex;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn run(source: &str, backend: Backend) -> String {
    let out = Captured::default();
    let mut session = nest::Session::new(Box::new(out.clone()));
    session.set_backend(backend);
    if let Err(d) = session.run_source("<test>", source) {
        panic!("{}\n{source}", session.render(&d));
    }
    drop(session);
    let text = String::from_utf8_lossy(&out.0.borrow()).into_owned();
    text
}

/// Runs `source` on both backends; checks that they print the same and
/// that XLA donated `expected` buffers. Returns what was printed.
fn donates(source: &str, expected: usize) -> String {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let reference = run(source, Backend::Interp);
    let Some(Backend::Xla(xla)) = common::xla() else {
        return reference;
    };
    let before = xla.donations();
    let printed = run(source, Backend::Xla(xla.clone()));
    let donated = xla.donations() - before;
    if let Err(e) = outputs_agree(&printed, &reference) {
        panic!("XLA and the interpreter disagree: {e}\nXLA:\n{printed}\ninterp:\n{reference}\n{source}");
    }
    assert_eq!(donated, expected, "buffers donated\n{source}");
    printed
}

#[test]
fn a_loop_carried_value_is_donated_on_every_call() {
    let printed = donates(
        "fn step(v) { v * 0.5 + 1.0 }
var x = arange(8) * 1.0;
for i in 0..5 { x = step(x); }
print(x);",
        // The first call gives its own upload of the host value (not
        // counted), the four others the previous call's result.
        4,
    );
    // x_{k+1} = x_k / 2 + 1 from x_0 = i: 2 + (i - 2) / 32.
    assert!(
        printed.starts_with("[1.9375 ") && printed.contains(" 2.03125 "),
        "{printed}"
    );
}

#[test]
fn a_value_still_named_is_not_donated() {
    donates(
        "fn step(v) { v * 2.0 }
var x = arange(4) * 1.0;
let keep = x;
x = step(x);
let y = step(x);
print(keep, x, y);",
        // `x = step(x)` gives nothing (`keep` holds it); `let y = step(x)`
        // is no assignment to the argument.
        0,
    );
}

#[test]
fn a_value_a_closure_holds_is_not_donated() {
    donates(
        "fn step(v) { v + 1.0 }
var x = arange(4) * 1.0;
let old = |v| v * x;
x = step(x);
x = step(x);
print(old(ones([4])), x);",
        // The first call cannot give the value `old` captured; the second
        // gives the first call's result, which nothing else holds.
        1,
    );
}

#[test]
fn a_global_the_function_reads_is_not_donated() {
    donates(
        "var x = arange(4) * 1.0;
fn step(v) { v + x }
for i in 0..3 { x = step(x); }
print(x);",
        // The trace cache keeps the value `step` read, to check it.
        0,
    );
}

#[test]
fn an_argument_passed_twice_is_not_donated() {
    donates(
        "fn f(a, b) { a * b }
fn g(v) { v + 1.0 }
var x = arange(4) + 1.0;
x = f(x, x);
x = f(x, x);
x = f(g(x), x);
print(x);",
        // `g(x)`'s result is a temporary nothing else holds: it is given.
        1,
    );
}

#[test]
fn every_leaf_of_a_tree_is_donated() {
    donates(
        "fn sgd(p, g) { {w: p.w - 0.1 * g, b: p.b - 0.1 * sum(g)} }
var p = {w: ones([3, 2]), b: zeros([2])};
for i in 0..4 { p = sgd(p, ones([3, 2])); }
print(p.w, p.b);",
        // w and b on each call but the first (which gives its uploads);
        // the gradient argument has w's type too, but w takes the one
        // output of that type first.
        3 * 2,
    );
}

#[test]
fn gradients_and_other_transformed_functions_donate_too() {
    donates(
        "fn loss(v) { sum(v * v * v) / 3.0 }
var x = (arange(3) + 1.0) / 10.0;
for i in 0..3 { x = grad(loss)(x); }
print(x);",
        2,
    );
}

#[test]
fn a_local_in_a_host_loop_is_donated() {
    donates(
        "fn step(v) { v * v }
for i in 0..2 {
    var z = full([3], 1.5);
    z = step(z);
    z = step(z);
    print(z);
}",
        // In each pass, the first call gives its upload of the host
        // value, the second the first one's result.
        2,
    );
}

#[test]
fn values_of_every_dtype_are_donated() {
    donates(
        "fn c(v) { v * (1.0 + 2.0i) }
fn i(v) { v * 3 + 1 }
fn d(v) { v * 1e-300 }
var z = ones([2], dtype = c64);
var n = arange(3);
var e = full([2], 1e300, dtype = f64);
for k in 0..2 {
    z = c(z);
    n = i(n);
    e = d(e);
}
print(z, n, e);",
        3,
    );
}
