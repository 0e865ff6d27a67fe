//! The trace cache: host calls with the same key run the program traced
//! before; every change of key traces again; results are those of calls
//! traced afresh, on both backends.

mod common;

use common::{backends, outputs_agree, Captured};
use nest::backend::Backend;

/// Runs `source` on `backend` with the trace cache on or off: what it
/// printed, and how many host calls traced.
fn run(source: &str, backend: &Backend, cache: bool) -> (String, usize) {
    let out = Captured::default();
    let mut session = nest::Session::new(Box::new(out.clone()));
    session.set_backend(backend.clone());
    session.set_trace_cache(cache);
    if let Err(d) = session.run_source("<test>", source) {
        panic!("{}", session.render(&d));
    }
    let (traces, _) = session.trace_stats();
    drop(session);
    let text = String::from_utf8_lossy(&out.0.borrow()).into_owned();
    (text, traces)
}

/// Checks that `source` traces `traces` times with the cache and prints
/// `expected` (as the same program does without the cache), on every backend.
fn check(source: &str, traces: usize, expected: &str) {
    for b in backends() {
        let name = b.name();
        let (cached, n) = run(source, &b, true);
        let (fresh, _) = run(source, &b, false);
        if let Err(e) = outputs_agree(&cached, expected) {
            panic!("on {name}: {e}\ngot:\n{cached}\nexpected:\n{expected}");
        }
        if let Err(e) = outputs_agree(&cached, &fresh) {
            panic!("on {name}, cached vs fresh: {e}\n{cached}\nvs\n{fresh}");
        }
        assert_eq!(n, traces, "traces on {name}:\n{source}");
    }
}

#[test]
fn host_loop_of_grad_traces_once() {
    let src = "fn f(x) { sum(x * x) }
var x = ones([3]);
for i in 0..100 { x = x - 0.25 * grad(f)(x); }
print(x);";
    // x halves each step: 2^-100.
    check(src, 1, "[7.888609e-31 7.888609e-31 7.888609e-31]");
}

#[test]
fn transformed_functions_trace_once_each() {
    let src = "fn f(x) { sum(sin(x) * x) }
let x = linspace(0.0, 1.0, 4);
var s = 0.0;
for i in 0..5 {
    s = s + sum(grad(f)(x)) + sum(vmap(grad(f))(expand_dims(x, 1)));
    s = s + sum(jacobian(f)(x)) + sum(value_and_grad(f)(x).1);
    s = s + sum(jvp(grad(f), (x,), (ones([4]),)).1) + sum(hvp(f, x, ones([4])));
}
print(s);
var t = 0.0;
for i in 0..3 { t = t + f(x) + (|y| sum(y * y))(x); }
print(t);";
    // grad, vmap(grad), jacobian, value_and_grad, jvp, hvp, then f and a
    // fresh lambda each pass.
    check(src, 8, &expected_sums());
}

/// The values of `transformed_functions_trace_once_each`, computed on the
/// host in f64: d/dx sum(sin x · x) = sin x + x cos x, and its
/// derivative 2 cos x − x sin x (the Hessian is diagonal).
fn expected_sums() -> String {
    let xs: Vec<f64> = (0..4).map(|i| i as f64 / 3.0).collect();
    let d1: f64 = xs.iter().map(|x| x.sin() + x * x.cos()).sum();
    let d2: f64 = xs.iter().map(|x| 2.0 * x.cos() - x * x.sin()).sum();
    let g = 4.0 * d1 + 2.0 * d2;
    let f: f64 = xs.iter().map(|x| x.sin() * x).sum();
    let sq: f64 = xs.iter().map(|x| x * x).sum();
    format!("{}\n{}\n", 5.0 * g, 3.0 * (f + sq))
}

#[test]
fn each_key_change_traces_again() {
    let src = "fn f(x) { x * 2.0 }
fn g(x) { x * 3.0 }
print(f(ones([2])), f(ones([2])));
print(g(ones([2])));
print(f(ones([3])));
print(f(cast(ones([2]), f64)));
print(f((ones([2]),)), f({a: ones([2])}), f({a: ones([2])}));
fn z(n) { zeros([n]) + 1.0 }
print(z(2), z(2), z(3));
fn h(x, i) { x * i }
for i in 0..4 { print(h(ones([1]), i)); }";
    // f; g; f on f32[3]; on f64; on a tuple; on a record; z(2) and z(3)
    // (a static size); h once (its integer stays an input).
    let expected = "[2. 2.] [2. 2.]
[3. 3.]
[2. 2. 2.]
[2. 2.]
([2. 2.],) {a: [2. 2.]} {a: [2. 2.]}
[1. 1.] [1. 1.] [1. 1. 1.]
[0.]
[1.]
[2.]
[3.]";
    check(src, 9, expected);
}

#[test]
fn captured_values_that_change_are_seen() {
    // A global read by a function, given a new value between calls (a
    // changed value with an unchanged type must not reuse the old result),
    // a large global array, and a global whose type changes, read by
    // lambdas made at top level (which read globals when called).
    let src = "var w = 1.0;
fn f(x) { x * w }
print(f(1.0));
w = 2.0;
print(f(1.0));
var big = ones([100]);
fn g(x) { sum(big * x) }
print(g(1.0));
big = big * 3.0;
print(g(1.0), g(1.0));
var c = ones([2]);
let h = |x| x + c;
print(h(1.0));
c = ones([3]);
let k = |x| x + c;
print(k(1.0), h(1.0));
fn make(a) { |x| x * a }
let m2 = make(2.0);
let m3 = make(3.0);
print(m2(1.0), m3(1.0), m2(1.0));
var s = 1.0;
fn loss(x) { s * x * x }
print(grad(loss)(1.0));
s = 3.0;
print(grad(loss)(1.0));";
    // f twice (w changed), g twice (big changed), h, k, h again (c
    // changed), and one lambda with two captured values (`make` runs on
    // the host: its result is a function), and `grad` of a function
    // reading a global, twice (the global changed).
    let expected = "1.0\n2.0\n100.0\n300.0 300.0\n[2. 2.]\n[2. 2. 2.] [2. 2. 2.]\n\
        2.0 3.0 2.0\n2.0\n6.0";
    check(src, 11, expected);
}

#[test]
fn lambdas_made_again_reuse_the_trace() {
    // A lambda evaluated on each pass, capturing the same value, is the
    // same function; one capturing a new value is another.
    let src = "var total = 0.0;
let scale = 2.0;
for i in 0..10 { total = total + grad(|x| scale * x * x)(1.0); }
print(total);
for i in 0..3 { let k = 1.0 * i; total = total + (|x| k * x)(1.0); }
print(total);";
    // One trace for the first loop; the second captures k = 0, 1, 2.
    check(src, 4, "40.0\n43.0");
}

#[test]
fn prints_inside_cached_programs_print_on_every_call() {
    let src = "fn f(x) { print(\"x is\", x); x + 1.0 }
var y = 0.0;
for i in 0..3 { y = f(y); }
print(y);";
    // The first call's weak `0.0` is an f32 input, as the later f32 values.
    check(src, 1, "x is 0.0\nx is 1.0\nx is 2.0\n3.0");
}

#[test]
fn keys_are_arguments_so_each_call_draws_anew() {
    // A key passed to a cached program is an input: a new key, new draws;
    // the same key, the same draws (as without the cache).
    let src = "fn draw(k) { normal(k, [3]) }
var k = key(0);
var a = draw(k);
let again = draw(k);
print(sum(abs(a - again)));
for i in 0..3 {
    let (k1, k2) = split(k);
    k = k1;
    print(sum(abs(draw(k2) - a)) > 0.0);
}";
    check(src, 1, "0.0\nTrue\nTrue\nTrue");
}

#[test]
fn meshes_are_static_arguments_compared_by_value() {
    let src = r#"fn place(x, m) { shard(x * 2.0, m, ("data",)) }
let a = mesh([1], ("data",));
print(place(ones([2]), a), place(ones([2]), mesh([1], ("data",))));
print(place(ones([2]), mesh([1, 1], ("data", "model"))));
let b = mesh([1], ("data",));
fn global(x) { shard(x, b, ("data",)) + 1.0 }
print(global(ones([2])), global(ones([2])));"#;
    // An equal mesh made again reuses the trace; another mesh traces
    // again; a global mesh is read like any global.
    check(src, 3, "[2. 2.] [2. 2.]\n[2. 2.]\n[2. 2.] [2. 2.]");
}

/// A host loop of `vjp` traces, linearizes and transposes once; its
/// pullbacks run one kept program. A function with another result
/// structure, or arguments of other types, traces again; a pullback keeps
/// the residuals of its own call.
#[test]
fn host_loop_of_vjp_traces_once() {
    let src = "fn f(x, k) { (sum(x * x * k), x * k) }
var x = ones([3]);
for i in 0..20 {
    let (y, pb) = vjp(f, x, 2.0);
    let g = pb((1.0, zeros([3])));
    x = x - 0.125 * g.0;
}
print(x);
let (y1, pb1) = vjp(f, x, 2.0);
let (y2, pb2) = vjp(f, 2.0 * x, 2.0);
print(pb1((1.0, ones([3]))), pb2((1.0, ones([3]))));
let (y3, pb3) = vjp(f, ones([2]), 2.0);
let (y4, pb4) = vjp(|v| sum(v), ones([3]));
print(y3, pb3((1.0, ones([2]))), y4, pb4(1.0));";
    // x ← x - 0.125·4x = x/2 each step: 2^-20. With the cotangent (1, 1),
    // the gradient is 2kx + k = 4x + 2 for x and sum(x² + x) for k.
    check(
        src,
        3,
        "[9.536743e-07 9.536743e-07 9.536743e-07]
([2.0000038 2.0000038 2.0000038], 2.8610257e-06) ([2.0000076 2.0000076 2.0000076], 5.722057e-06)
(4.0, [2. 2.]) ([6. 6.], 4.0) 3.0 ([1. 1. 1.],)",
    );
}

/// The kept `vjp` programs of complex functions: the pullback of
/// `z ↦ c·z` multiplies by `c`, not its conjugate (docs/language.md), on
/// every call of the loop, at tiny and huge magnitudes alike.
#[test]
fn host_vjp_of_complex_functions_keeps_its_convention() {
    let src = "let c = (1.0 + 2.0i) * ones([2], dtype = c64);
fn f(z) { c * z }
for s in [1e-30, 1.0, 1e30] {
    let (y, pb) = vjp(f, s * ones([2], dtype = c64));
    print(pb(ones([2], dtype = c64)).0);
}";
    check(src, 1, "[1.+2.j 1.+2.j]\n[1.+2.j 1.+2.j]\n[1.+2.j 1.+2.j]");
}
