//! Every builtin of LANGUAGE.md §6 except host I/O, called through the
//! builtin table both eagerly and inside a trace (the recorded graph then run
//! by the reference interpreter). Expected values were computed with NumPy
//! 2.4 and JAX 0.10.2 (default config: threefry keys,
//! `jax_threefry_partitionable = True`, x64 off) and are hard-coded here.

#![allow(clippy::approx_constant)]

#[path = "builtins/harness.rs"]
mod harness;

#[path = "builtins/creation_shape.rs"]
mod creation_shape;
#[path = "builtins/math.rs"]
mod math;
#[path = "builtins/nn_random.rs"]
mod nn_random;
#[path = "builtins/reduce_linalg.rs"]
mod reduce_linalg;

use harness::*;
use nest::eval::builtins::{signature, TABLE};
use nest::eval::value::Value;
use nest::types::DType;
use std::rc::Rc;

/// Relative tolerance for `f32` transcendental functions.
const TOL: f64 = 2e-6;

#[test]
fn table_has_every_builtin_with_a_valid_signature() {
    let names = [
        "zeros",
        "ones",
        "full",
        "zeros_like",
        "ones_like",
        "arange",
        "linspace",
        "eye",
        "shape",
        "size",
        "reshape",
        "transpose",
        "expand_dims",
        "squeeze",
        "broadcast_to",
        "concat",
        "stack",
        "flatten",
        "exp",
        "log",
        "log1p",
        "expm1",
        "sqrt",
        "rsqrt",
        "abs",
        "sign",
        "sin",
        "cos",
        "tanh",
        "sigmoid",
        "erf",
        "relu",
        "softplus",
        "floor",
        "ceil",
        "round",
        "maximum",
        "minimum",
        "clip",
        "where",
        "pow",
        "sum",
        "mean",
        "max",
        "min",
        "prod",
        "logsumexp",
        "argmax",
        "argmin",
        "norm",
        "tree_sum",
        "dot",
        "outer",
        "trace",
        "diag",
        "cholesky",
        "triangular_solve",
        "solve",
        "softmax",
        "log_softmax",
        "one_hot",
        "complex",
        "real",
        "imag",
        "conj",
        "angle",
        "cast",
        "key",
        "split",
        "normal",
        "uniform",
        "bernoulli",
        "randint",
    ];
    for n in names {
        let id = nest::eval::builtins::lookup(n).unwrap_or_else(|| panic!("missing `{}`", n));
        let sig = signature(id).expect("signature");
        assert!(!sig.variadic && sig.required() >= 1, "`{}`", n);
        assert!(!TABLE[id].host_only, "`{}` is host-only", n);
    }
    for (i, b) in TABLE.iter().enumerate() {
        assert_eq!(
            nest::eval::builtins::lookup(b.name),
            Some(i),
            "`{}` twice",
            b.name
        );
    }
}

#[test]
fn shape_and_size_give_weak_ints() {
    let x = f32a(&[2, 3], &[0.0; 6]);
    for v in [
        eager("shape", vec![x.clone()], vec![]),
        traced("shape", vec![x.clone()], vec![]),
    ] {
        let dims = items(&v);
        assert_eq!(dims.len(), 2);
        assert_tensor("shape", &tensor_of(&dims[1]), &i32a(&[], &[3]), 0.0);
    }
    match eager("shape", vec![x.clone()], vec![]) {
        Value::Tuple(d) => assert!(matches!(&d[0], Value::Arr(a) if a.weak().is_some())),
        v => panic!("{:?}", v),
    }
    match eager("size", vec![x], vec![]) {
        Value::Arr(a) => {
            assert!(a.weak().is_some());
            assert_eq!(a.static_int(), Some(6));
        }
        v => panic!("{:?}", v),
    }
    let s = eager("shape", vec![wf(1.0)], vec![]);
    assert!(items(&s).is_empty());
}

#[test]
fn unary_functions_map_over_trees() {
    let tree = tup(vec![f32a(&[2], &[0.0, 1.0]), f64a(&[], &[2.0])]);
    for v in [
        eager("exp", vec![tree.clone()], vec![]),
        traced("exp", vec![tree.clone()], vec![]),
    ] {
        let xs = items(&v);
        assert_tensor(
            "exp.0",
            &tensor_of(&xs[0]),
            &f32a(&[2], &[1.0, 2.718_281_8]),
            TOL,
        );
        assert_tensor(
            "exp.1",
            &tensor_of(&xs[1]),
            &f64a(&[], &[7.38905609893065]),
            1e-14,
        );
    }
    let z = eager("zeros_like", vec![tree.clone()], vec![]);
    assert_tensor(
        "zeros_like",
        &tensor_of(&items(&z)[1]),
        &f64a(&[], &[0.0]),
        0.0,
    );
    let c = traced("cast", vec![tree, dt(DType::I32)], vec![]);
    assert_tensor("cast", &tensor_of(&items(&c)[0]), &i32a(&[2], &[0, 1]), 0.0);
}

#[test]
fn literals_keep_their_weak_type() {
    // `abs(-2.0)` stays a weak float; `abs(3i)`... of a complex literal is real.
    match eager("abs", vec![wf(-2.0)], vec![]) {
        Value::Arr(a) => {
            assert!(a.weak().is_some() && a.concrete().map(|t| t.get_f64(0)) == Some(2.0))
        }
        v => panic!("{:?}", v),
    }
    let r = eager("abs", vec![wc(3.0, 4.0)], vec![]);
    assert_tensor("abs", &tensor_of(&r), &f32a(&[], &[5.0]), 0.0);
}

/// `split` against `jax.random.split` (key data).
#[test]
fn split() {
    type Case = (Value, Vec<Value>, &'static [[u32; 2]]);
    let cases: [Case; 3] = [
        (
            key_of(0, 0),
            vec![],
            &[[0x6b200159, 0x99ba4efe], [0x375f238f, 0xcddb151d]],
        ),
        (
            key_of(0, 0),
            vec![wi(3)],
            &[
                [0x6b200159, 0x99ba4efe],
                [0x375f238f, 0xcddb151d],
                [0xf71f4ea9, 0xa20e4081],
            ],
        ),
        (
            key_of(0, 42),
            vec![],
            &[[0x6d3e048f, 0x1022172d], [0x03d7b32d, 0xadd083f4]],
        ),
    ];
    for (k, n, want) in cases {
        let mut pos = vec![k];
        pos.extend(n);
        for v in [
            eager("split", pos.clone(), vec![]),
            traced("split", pos.clone(), vec![]),
        ] {
            let keys = items(&v);
            assert_eq!(keys.len(), want.len());
            for (got, w) in keys.iter().zip(want) {
                assert!(matches!(got, Value::Key(_)));
                assert_tensor("split", &tensor_of(got), &u32a(&[2], w), 0.0);
            }
        }
    }
}

/// A key made inside a trace from a traced seed, then used.
#[test]
fn random_from_a_traced_seed() {
    let mut ev = evaluator();
    ev.tracer.begin();
    let seed = ev
        .tracer
        .input(nest::types::TensorType::scalar(DType::I32))
        .expect("input");
    let k = call(&mut ev, "key", vec![Value::Arr(seed)], vec![]).expect("key");
    let u = call(&mut ev, "uniform", vec![k, ints(&[3])], vec![]).expect("uniform");
    let Value::Arr(u) = u else { panic!() };
    let region = ev.tracer.finish(&[u]).expect("finish");
    let out = nest::interp::run_graph(&region.graph, &[nest::tensor::Tensor::scalar_i32(0)])
        .expect("run");
    assert_tensor(
        "uniform",
        &out[0],
        &f32a(&[3], &[0.947667, 0.9785799, 0.33229148]),
        0.0,
    );
}

#[test]
fn errors_point_at_the_argument() {
    let x = || f32a(&[2, 3], &[0.0; 6]);
    let k = || key_of(0, 0);
    let cases: Vec<(&str, Vec<Value>, Option<usize>, &str)> = vec![
        (
            "reshape",
            vec![x(), ints(&[4, -1])],
            Some(1),
            "cannot infer",
        ),
        ("reshape", vec![x(), ints(&[-1, -1])], Some(1), "only one"),
        (
            "reshape",
            vec![x(), ints(&[4])],
            Some(1),
            "cannot reshape 6 elements",
        ),
        (
            "transpose",
            vec![x(), ints(&[0, 0])],
            Some(1),
            "not a permutation",
        ),
        ("squeeze", vec![x(), wi(0)], Some(1), "cannot squeeze"),
        ("expand_dims", vec![x(), wi(4)], Some(1), "out of range"),
        (
            "broadcast_to",
            vec![x(), ints(&[2, 4])],
            Some(0),
            "does not broadcast",
        ),
        (
            "concat",
            vec![list(vec![x(), f32a(&[2], &[0.0; 2])])],
            Some(0),
            "differ",
        ),
        (
            "concat",
            vec![list(vec![wf(1.0), wf(2.0)])],
            Some(0),
            "scalars",
        ),
        ("concat", vec![list(vec![])], Some(0), "at least one"),
        ("concat", vec![x()], Some(0), "list or tuple"),
        (
            "stack",
            vec![list(vec![f32a(&[2], &[0.0; 2]), f32a(&[3], &[0.0; 3])])],
            Some(0),
            "one shape",
        ),
        (
            "where",
            vec![x(), wf(1.0), wf(0.0)],
            Some(0),
            "must be bool",
        ),
        ("exp", vec![Value::Str(Rc::from("a"))], Some(0), "array"),
        (
            "complex",
            vec![c64a(&[1], &[1.0, 2.0]), wf(1.0)],
            Some(0),
            "real parts",
        ),
        ("sum", vec![x(), wi(2)], Some(1), "out of range"),
        ("sum", vec![x(), tup(vec![wi(0), wi(-2)])], Some(1), "twice"),
        ("max", vec![f32a(&[0], &[])], Some(0), "empty"),
        (
            "argmax",
            vec![x(), tup(vec![wi(0), wi(1)])],
            Some(1),
            "integer",
        ),
        ("argmax", vec![c64a(&[1], &[1.0, 2.0])], Some(0), "complex"),
        ("logsumexp", vec![c64a(&[1], &[1.0, 2.0])], Some(0), "real"),
        (
            "dot",
            vec![f32a(&[3], &[0.0; 3]), f32a(&[4], &[0.0; 4])],
            Some(1),
            "differ",
        ),
        ("trace", vec![f32a(&[3], &[0.0; 3])], Some(0), "matrix"),
        (
            "diag",
            vec![f32a(&[], &[0.0])],
            Some(0),
            "vector or a matrix",
        ),
        ("cholesky", vec![x()], Some(0), "square"),
        (
            "cholesky",
            vec![c64a(&[1, 1], &[1.0, 0.0])],
            Some(0),
            "real",
        ),
        (
            "solve",
            vec![f32a(&[2, 2], &[1.0, 0.0, 0.0, 1.0]), f32a(&[3], &[0.0; 3])],
            Some(1),
            "must number 2, not 3",
        ),
        (
            "triangular_solve",
            vec![f32a(&[2, 2], &[1.0, 0.0, 0.0, 1.0]), f32a(&[], &[1.0])],
            None,
            "scalar",
        ),
        (
            "one_hot",
            vec![f32a(&[2], &[0.0, 1.0]), wi(3)],
            Some(0),
            "integer labels",
        ),
        ("softmax", vec![f32a(&[], &[1.0])], None, "out of range"),
        (
            "linspace",
            vec![f32a(&[2], &[0.0; 2]), wf(1.0), wi(3)],
            Some(0),
            "scalar",
        ),
        ("arange", vec![wi(-1)], Some(0), "non-negative"),
        ("zeros", vec![ints(&[2, -1])], Some(0), "shape"),
        (
            "full",
            vec![ints(&[2]), f32a(&[3], &[0.0; 3])],
            Some(1),
            "does not broadcast",
        ),
        ("key", vec![wf(1.5)], Some(0), "integer scalar seed"),
        (
            "key",
            vec![i32a(&[2], &[1, 2])],
            Some(0),
            "integer scalar seed",
        ),
        ("normal", vec![x(), ints(&[3])], Some(0), "expects a key"),
        ("split", vec![k(), wi(-2)], Some(1), "non-negative"),
        (
            "uniform",
            vec![k(), ints(&[3]), f32a(&[2], &[0.0; 2])],
            Some(2),
            "does not broadcast",
        ),
        (
            "bernoulli",
            vec![k(), c64a(&[], &[0.5, 0.0])],
            Some(1),
            "real number",
        ),
        (
            "randint",
            vec![k(), ints(&[2]), boola(&[], &[true]), wi(3)],
            Some(2),
            "integer bound",
        ),
        ("cast", vec![x(), wi(1)], Some(1), "dtype"),
    ];
    for (name, pos, arg, text) in cases {
        let e = error(name, pos, vec![]);
        assert_error(&e, arg, text);
    }
}

#[test]
fn arity_and_keyword_errors() {
    let e = error("zeros", vec![], vec![]);
    assert_error(&e, None, "missing its argument `shape`");
    let e = error("exp", vec![wf(1.0)], vec![("axis", wi(0))]);
    assert_error(&e, Some(1), "no parameter `axis`");
    let e = error("exp", vec![wf(1.0), wf(2.0)], vec![]);
    assert_error(&e, Some(1), "at most 1");
}
