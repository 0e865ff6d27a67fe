//! Calling builtins through the table, eagerly and inside a trace, and
//! comparing results with hard-coded expectations.

#![allow(dead_code)]

use nest::eval::builtins::{bind, lookup};
use nest::eval::exec::Evaluator;
use nest::eval::value::{Arr, Value};
use nest::interp::run_graph;
use nest::span::{FileId, Span};
use nest::tensor::{Data, Tensor, C128, C64};
use nest::types::DType;
use nest::Diagnostic;
use std::rc::Rc;

// ---- argument constructors ----

fn tensor(shape: &[usize], data: Data) -> Tensor {
    Tensor::new(shape.to_vec(), data).expect("shape and data agree")
}
pub fn f32a(shape: &[usize], v: &[f32]) -> Value {
    Value::tensor(tensor(shape, Data::F32(v.to_vec())))
}
pub fn f64a(shape: &[usize], v: &[f64]) -> Value {
    Value::tensor(tensor(shape, Data::F64(v.to_vec())))
}
pub fn i32a(shape: &[usize], v: &[i32]) -> Value {
    Value::tensor(tensor(shape, Data::I32(v.to_vec())))
}
pub fn i64a(shape: &[usize], v: &[i64]) -> Value {
    Value::tensor(tensor(shape, Data::I64(v.to_vec())))
}
pub fn u32a(shape: &[usize], v: &[u32]) -> Value {
    Value::tensor(tensor(shape, Data::U32(v.to_vec())))
}
pub fn boola(shape: &[usize], v: &[bool]) -> Value {
    Value::tensor(tensor(shape, Data::Bool(v.to_vec())))
}
/// A `c64` array from interleaved (re, im) pairs.
pub fn c64a(shape: &[usize], v: &[f32]) -> Value {
    let data = v.chunks(2).map(|p| C64::new(p[0], p[1])).collect();
    Value::tensor(tensor(shape, Data::C64(data)))
}
/// A `c128` array from interleaved (re, im) pairs.
pub fn c128a(shape: &[usize], v: &[f64]) -> Value {
    let data = v.chunks(2).map(|p| C128::new(p[0], p[1])).collect();
    Value::tensor(tensor(shape, Data::C128(data)))
}
/// A weak integer literal (`3`).
pub fn wi(v: i64) -> Value {
    Value::Arr(Arr::weak_int(v))
}
/// A weak float literal (`2.5`).
pub fn wf(v: f64) -> Value {
    Value::Arr(Arr::weak_float(v))
}
pub fn wc(re: f32, im: f32) -> Value {
    Value::Arr(Arr::weak_complex(re as f64, im as f64))
}
pub fn b(v: bool) -> Value {
    Value::tensor(Tensor::scalar_bool(v))
}
/// A list of weak integers (`[2, 3]`, a shape).
pub fn ints(v: &[i64]) -> Value {
    list(v.iter().map(|x| wi(*x)).collect())
}
pub fn list(v: Vec<Value>) -> Value {
    Value::List(Rc::new(v))
}
pub fn tup(v: Vec<Value>) -> Value {
    Value::Tuple(Rc::new(v))
}
pub fn dt(d: DType) -> Value {
    Value::DType(d)
}
pub fn key_of(k0: u32, k1: u32) -> Value {
    Value::Key(Arr::new(tensor(&[2], Data::U32(vec![k0, k1]))))
}

// ---- calling ----

fn span(i: usize) -> Span {
    Span::new(FileId(0), 10 * i + 10, 10 * i + 15)
}
pub const CALL: Span = Span {
    file: FileId(0),
    start: 0,
    end: 200,
};

/// Calls builtin `name` with positional and keyword arguments; argument `i`
/// has the span `[10 i + 10, 10 i + 15)`, the call `[0, 200)`.
pub fn call(
    ev: &mut Evaluator,
    name: &str,
    pos: Vec<Value>,
    kw: Vec<(&str, Value)>,
) -> Result<Value, Diagnostic> {
    let id = lookup(name).unwrap_or_else(|| panic!("no builtin `{}`", name));
    let n = pos.len();
    let pos = pos
        .into_iter()
        .enumerate()
        .map(|(i, v)| (v, span(i)))
        .collect();
    let kw = kw
        .into_iter()
        .enumerate()
        .map(|(i, (k, v))| (k.to_string(), span(n + i), v, span(n + i)))
        .collect();
    let args = bind(id, pos, kw, CALL)?;
    let imp = nest::eval::builtins::TABLE[id].imp;
    imp(ev, &args)
}

pub fn evaluator() -> Evaluator {
    Evaluator::new(Box::new(Vec::new()))
}

pub fn eager(name: &str, pos: Vec<Value>, kw: Vec<(&str, Value)>) -> Value {
    let mut ev = evaluator();
    call(&mut ev, name, pos, kw).unwrap_or_else(|e| panic!("{}: {:?}", name, e))
}

/// The error of a call (eagerly), which must fail.
pub fn error(name: &str, pos: Vec<Value>, kw: Vec<(&str, Value)>) -> Diagnostic {
    let mut ev = evaluator();
    match call(&mut ev, name, pos, kw) {
        Ok(v) => panic!("{} should fail, gave {:?}", name, v),
        Err(e) => e,
    }
}

/// Turns typed concrete arrays and keys of `v` into trace inputs, collecting
/// their values; weak literals stay constants, as in a program.
fn lift(ev: &mut Evaluator, v: &Value, inputs: &mut Vec<Tensor>) -> Value {
    let mut input = |ev: &mut Evaluator, a: &Arr| -> Arr {
        let t = a.concrete().expect("concrete");
        inputs.push(t.clone());
        ev.tracer.input(t.ty()).expect("input")
    };
    match v {
        Value::Arr(a @ Arr::Const { weak: None, value })
            if value.dtype() != DType::Bool || value.rank() > 0 =>
        {
            Value::Arr(input(ev, a))
        }
        Value::Key(a) => Value::Key(input(ev, a)),
        Value::List(xs) => list(xs.iter().map(|x| lift(ev, x, inputs)).collect()),
        Value::Tuple(xs) => tup(xs.iter().map(|x| lift(ev, x, inputs)).collect()),
        v => v.clone(),
    }
}

fn leaves(v: &Value, out: &mut Vec<Arr>) {
    match v {
        Value::Arr(a) | Value::Key(a) => out.push(a.clone()),
        Value::List(xs) | Value::Tuple(xs) => xs.iter().for_each(|x| leaves(x, out)),
        Value::Record(r) => r.values().for_each(|x| leaves(x, out)),
        _ => {}
    }
}

fn rebuild(v: &Value, vals: &mut impl Iterator<Item = Tensor>) -> Value {
    match v {
        Value::Arr(_) => Value::tensor(vals.next().expect("leaf")),
        Value::Key(_) => Value::Key(Arr::new(vals.next().expect("leaf"))),
        Value::List(xs) => list(xs.iter().map(|x| rebuild(x, vals)).collect()),
        Value::Tuple(xs) => tup(xs.iter().map(|x| rebuild(x, vals)).collect()),
        v => v.clone(),
    }
}

/// Calls the builtin inside a trace whose inputs are its array arguments
/// (the scalar bools `true`/`false` of options stay static), then runs the
/// traced graph with the reference interpreter.
pub fn traced(name: &str, pos: Vec<Value>, kw: Vec<(&str, Value)>) -> Value {
    let mut ev = evaluator();
    let mut inputs = vec![];
    ev.tracer.begin();
    let pos = pos.iter().map(|v| lift(&mut ev, v, &mut inputs)).collect();
    let kw = kw
        .iter()
        .map(|(k, v)| (*k, lift(&mut ev, v, &mut inputs)))
        .collect();
    let out = call(&mut ev, name, pos, kw).unwrap_or_else(|e| panic!("{} (traced): {:?}", name, e));
    let mut arrs = vec![];
    leaves(&out, &mut arrs);
    let region = ev.tracer.finish(&arrs).expect("finish");
    let vals =
        run_graph(&region.graph, &inputs).unwrap_or_else(|e| panic!("{} (run): {}", name, e));
    rebuild(&out, &mut vals.into_iter())
}

// ---- comparing ----

/// The tensor of an array (or key) value.
pub fn tensor_of(v: &Value) -> Tensor {
    match v {
        Value::Arr(a) | Value::Key(a) => a.concrete().expect("a concrete array"),
        v => panic!("expected an array, got {}", v.describe()),
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= tol * (1.0 + b.abs())
}

/// Checks dtype, shape and values (relative-and-absolute tolerance `tol`).
pub fn assert_tensor(what: &str, got: &Tensor, want: &Value, tol: f64) {
    let want = tensor_of(want);
    assert_eq!(got.dtype(), want.dtype(), "{}: dtype", what);
    assert_eq!(got.shape(), want.shape(), "{}: shape", what);
    let (g, w) = (got.to_c64_vec(), want.to_c64_vec());
    for (i, (x, y)) in g.iter().zip(&w).enumerate() {
        assert!(
            close(x.0, y.0, tol) && close(x.1, y.1, tol),
            "{}: element {} is {:?}, expected {:?}\n got {:?}\nwant {:?}",
            what,
            i,
            x,
            y,
            g,
            w
        );
    }
}

/// Runs the builtin eagerly and traced and checks both against `want`.
pub fn check(name: &str, pos: Vec<Value>, kw: Vec<(&str, Value)>, want: Value, tol: f64) {
    let e = eager(name, pos.clone(), kw.clone());
    assert_tensor(&format!("{} (eager)", name), &tensor_of(&e), &want, tol);
    let t = traced(name, pos, kw);
    assert_tensor(&format!("{} (traced)", name), &tensor_of(&t), &want, tol);
}

/// Like [`check`] for exact results.
pub fn check_exact(name: &str, pos: Vec<Value>, kw: Vec<(&str, Value)>, want: Value) {
    check(name, pos, kw, want, 0.0)
}

/// The leaves of a tuple result.
pub fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::Tuple(xs) | Value::List(xs) => xs.to_vec(),
        v => panic!("expected a tuple, got {}", v.describe()),
    }
}

/// Checks an error's span (the argument index, or `None` for the call) and
/// that its message contains `text`.
pub fn assert_error(e: &Diagnostic, arg: Option<usize>, text: &str) {
    let want = arg.map(span).unwrap_or(CALL);
    assert_eq!(e.span, Some(want), "span of {:?}", e);
    assert!(
        e.message.contains(text),
        "message {:?} should contain {:?}",
        e.message,
        text
    );
    assert!(!e.internal, "internal error: {:?}", e);
}
