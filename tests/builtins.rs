//! Every builtin of LANGUAGE.md §6 except host I/O, called through the
//! builtin table both eagerly and inside a trace (the recorded graph then run
//! by the reference interpreter). Expected values were computed with NumPy
//! 2.4 and JAX 0.10.2 (default config: threefry keys,
//! `jax_threefry_partitionable = True`, x64 off) and are hard-coded here.

#[path = "builtins/harness.rs"]
mod harness;

use harness::*;
use nest::eval::builtins::{signature, TABLE};
use nest::eval::value::Value;
use nest::types::DType;
use std::rc::Rc;

/// Relative tolerance for `f32` transcendental functions.
#[allow(dead_code)]
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
    let cases: [(Value, Vec<Value>, &[[u32; 2]]); 3] = [
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
        ("reshape", vec![x(), ints(&[4])], None, "cannot reshape"),
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
            None,
            "needs 2",
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

#[test]
fn zeros() {
    check_exact(
        "zeros",
        vec![ints(&[2, 3])],
        vec![],
        f32a(&[2, 3], &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    );
    check_exact("zeros", vec![wi(3)], vec![], f32a(&[3], &[0.0, 0.0, 0.0]));
    check_exact(
        "zeros",
        vec![ints(&[2])],
        vec![("dtype", dt(DType::I32))],
        i32a(&[2], &[0, 0]),
    );
}

#[test]
fn ones() {
    check_exact(
        "ones",
        vec![ints(&[2, 2]), dt(DType::F64)],
        vec![],
        f64a(&[2, 2], &[1.0, 1.0, 1.0, 1.0]),
    );
    check_exact("ones", vec![ints(&[])], vec![], f32a(&[], &[1.0]));
}

#[test]
fn full() {
    check_exact(
        "full",
        vec![ints(&[2, 3]), wf(1.5)],
        vec![],
        f32a(&[2, 3], &[1.5, 1.5, 1.5, 1.5, 1.5, 1.5]),
    );
    check_exact("full", vec![ints(&[2]), wi(3)], vec![], i32a(&[2], &[3, 3]));
    check_exact(
        "full",
        vec![ints(&[3]), f64a(&[], &[2.25])],
        vec![],
        f64a(&[3], &[2.25, 2.25, 2.25]),
    );
    check_exact(
        "full",
        vec![ints(&[2, 2]), wf(2.0), dt(DType::I32)],
        vec![],
        i32a(&[2, 2], &[2, 2, 2, 2]),
    );
    check_exact(
        "full",
        vec![ints(&[2, 3]), f32a(&[3], &[1.0, 2.0, 3.0])],
        vec![],
        f32a(&[2, 3], &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]),
    );
}

#[test]
fn zeros_like() {
    check_exact(
        "zeros_like",
        vec![i32a(&[2, 2], &[1, 2, 3, 4])],
        vec![],
        i32a(&[2, 2], &[0, 0, 0, 0]),
    );
}

#[test]
fn ones_like() {
    check_exact(
        "ones_like",
        vec![f64a(&[2], &[1.5, 2.0])],
        vec![],
        f64a(&[2], &[1.0, 1.0]),
    );
}

#[test]
fn arange() {
    check_exact("arange", vec![wi(5)], vec![], i32a(&[5], &[0, 1, 2, 3, 4]));
    check_exact("arange", vec![wi(0)], vec![], i32a(&[0], &[]));
}

#[test]
fn linspace() {
    check_exact(
        "linspace",
        vec![wf(0.0), wf(1.0), wi(5)],
        vec![],
        f32a(&[5], &[0.0, 0.25, 0.5, 0.75, 1.0]),
    );
    check(
        "linspace",
        vec![f32a(&[], &[-1.0]), f32a(&[], &[2.5]), wi(7)],
        vec![],
        f32a(
            &[7],
            &[
                -1.0,
                -0.41666663,
                0.16666675,
                0.75000006,
                1.3333335,
                1.9166667,
                2.5,
            ],
        ),
        1e-07,
    );
    check_exact(
        "linspace",
        vec![f32a(&[], &[0.1]), f32a(&[], &[0.7]), wi(4)],
        vec![],
        f32a(&[4], &[0.1, 0.3, 0.5, 0.7]),
    );
    check_exact(
        "linspace",
        vec![wi(2), wi(3), wi(1)],
        vec![],
        f32a(&[1], &[2.0]),
    );
    check_exact(
        "linspace",
        vec![wi(1), wi(2), wi(0)],
        vec![],
        f32a(&[0], &[]),
    );
}

#[test]
fn eye() {
    check_exact(
        "eye",
        vec![wi(3)],
        vec![],
        f32a(&[3, 3], &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]),
    );
    check_exact(
        "eye",
        vec![wi(2), dt(DType::F64)],
        vec![],
        f64a(&[2, 2], &[1.0, 0.0, 0.0, 1.0]),
    );
}

#[test]
fn reshape() {
    check_exact(
        "reshape",
        vec![
            f32a(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            ints(&[3, -1]),
        ],
        vec![],
        f32a(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    );
    check_exact(
        "reshape",
        vec![f32a(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), ints(&[6])],
        vec![],
        f32a(&[6], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    );
    check_exact(
        "reshape",
        vec![i32a(&[1], &[7]), ints(&[])],
        vec![],
        i32a(&[], &[7]),
    );
}

#[test]
fn transpose() {
    check_exact(
        "transpose",
        vec![f32a(
            &[2, 3, 4],
            &[
                0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0,
                15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0,
            ],
        )],
        vec![],
        f32a(
            &[4, 3, 2],
            &[
                0.0, 12.0, 4.0, 16.0, 8.0, 20.0, 1.0, 13.0, 5.0, 17.0, 9.0, 21.0, 2.0, 14.0, 6.0,
                18.0, 10.0, 22.0, 3.0, 15.0, 7.0, 19.0, 11.0, 23.0,
            ],
        ),
    );
    check_exact(
        "transpose",
        vec![
            f32a(
                &[2, 3, 4],
                &[
                    0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0,
                    15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0,
                ],
            ),
            ints(&[1, 0, 2]),
        ],
        vec![],
        f32a(
            &[3, 2, 4],
            &[
                0.0, 1.0, 2.0, 3.0, 12.0, 13.0, 14.0, 15.0, 4.0, 5.0, 6.0, 7.0, 16.0, 17.0, 18.0,
                19.0, 8.0, 9.0, 10.0, 11.0, 20.0, 21.0, 22.0, 23.0,
            ],
        ),
    );
    check_exact(
        "transpose",
        vec![
            f32a(
                &[2, 3, 4],
                &[
                    0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0,
                    15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0,
                ],
            ),
            ints(&[0, -1, 1]),
        ],
        vec![],
        f32a(
            &[2, 4, 3],
            &[
                0.0, 4.0, 8.0, 1.0, 5.0, 9.0, 2.0, 6.0, 10.0, 3.0, 7.0, 11.0, 12.0, 16.0, 20.0,
                13.0, 17.0, 21.0, 14.0, 18.0, 22.0, 15.0, 19.0, 23.0,
            ],
        ),
    );
}

#[test]
fn expand_dims() {
    check_exact(
        "expand_dims",
        vec![f32a(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), wi(0)],
        vec![],
        f32a(&[1, 2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    );
    check_exact(
        "expand_dims",
        vec![f32a(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), wi(-1)],
        vec![],
        f32a(&[2, 3, 1], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    );
    check_exact(
        "expand_dims",
        vec![
            f32a(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            tup(vec![wi(0), wi(3)]),
        ],
        vec![],
        f32a(&[1, 2, 3, 1], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    );
}

#[test]
fn squeeze() {
    check_exact(
        "squeeze",
        vec![f32a(&[1, 3, 1], &[1.0, 2.0, 3.0])],
        vec![],
        f32a(&[3], &[1.0, 2.0, 3.0]),
    );
    check_exact(
        "squeeze",
        vec![f32a(&[1, 3, 1], &[1.0, 2.0, 3.0]), wi(0)],
        vec![],
        f32a(&[3, 1], &[1.0, 2.0, 3.0]),
    );
    check_exact(
        "squeeze",
        vec![f32a(&[1, 3, 1], &[1.0, 2.0, 3.0]), tup(vec![wi(0), wi(-1)])],
        vec![],
        f32a(&[3], &[1.0, 2.0, 3.0]),
    );
}

#[test]
fn broadcast_to() {
    check_exact(
        "broadcast_to",
        vec![f32a(&[3], &[1.0, 2.0, 3.0]), ints(&[2, 3])],
        vec![],
        f32a(&[2, 3], &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]),
    );
    check_exact(
        "broadcast_to",
        vec![wf(2.5), ints(&[2])],
        vec![],
        f32a(&[2], &[2.5, 2.5]),
    );
}

#[test]
fn concat() {
    check_exact(
        "concat",
        vec![list(vec![
            f32a(&[2, 2], &[1.0, 2.0, 3.0, 4.0]),
            f32a(&[1, 2], &[5.0, 6.0]),
        ])],
        vec![],
        f32a(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    );
    check_exact(
        "concat",
        vec![
            list(vec![
                f32a(&[2, 2], &[1.0, 2.0, 3.0, 4.0]),
                f32a(&[2, 1], &[5.0, 6.0]),
            ]),
            wi(1),
        ],
        vec![],
        f32a(&[2, 3], &[1.0, 2.0, 5.0, 3.0, 4.0, 6.0]),
    );
    check_exact(
        "concat",
        vec![tup(vec![i32a(&[2], &[1, 2]), f32a(&[3], &[3.5, 4.0, 5.0])])],
        vec![],
        f32a(&[5], &[1.0, 2.0, 3.5, 4.0, 5.0]),
    );
    check_exact(
        "concat",
        vec![list(vec![i32a(&[2], &[1, 2]), i64a(&[1], &[3])])],
        vec![],
        i64a(&[3], &[1, 2, 3]),
    );
}

#[test]
fn stack() {
    check_exact(
        "stack",
        vec![list(vec![f32a(&[2], &[1.0, 2.0]), f32a(&[2], &[3.0, 4.0])])],
        vec![],
        f32a(&[2, 2], &[1.0, 2.0, 3.0, 4.0]),
    );
    check_exact(
        "stack",
        vec![
            list(vec![
                f32a(&[2], &[1.0, 2.0]),
                f32a(&[2], &[3.0, 4.0]),
                f32a(&[2], &[5.0, 6.0]),
            ]),
            wi(1),
        ],
        vec![],
        f32a(&[2, 3], &[1.0, 3.0, 5.0, 2.0, 4.0, 6.0]),
    );
    check_exact(
        "stack",
        vec![
            list(vec![f32a(&[2], &[1.0, 2.0]), i32a(&[2], &[3, 4])]),
            wi(-1),
        ],
        vec![],
        f32a(&[2, 2], &[1.0, 3.0, 2.0, 4.0]),
    );
    check_exact(
        "stack",
        vec![list(vec![f32a(&[], &[1.0]), f32a(&[], &[2.0])])],
        vec![],
        f32a(&[2], &[1.0, 2.0]),
    );
}

#[test]
fn flatten() {
    check_exact(
        "flatten",
        vec![f32a(
            &[2, 3, 4],
            &[
                0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0,
                15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0,
            ],
        )],
        vec![],
        f32a(
            &[24],
            &[
                0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0,
                15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0,
            ],
        ),
    );
}

#[test]
fn exp() {
    check(
        "exp",
        vec![f32a(&[4], &[-1.0, 0.0, 0.5, 2.0])],
        vec![],
        f32a(&[4], &[0.36787942, 1.0, 1.6487212, 7.3890557]),
        2e-06,
    );
}

#[test]
fn exp_f64() {
    check(
        "exp",
        vec![f64a(&[4], &[-1.0, 0.0, 0.5, 2.0])],
        vec![],
        f64a(
            &[4],
            &[
                0.36787944117144233,
                1.0,
                1.6487212707001282,
                7.38905609893065,
            ],
        ),
        1e-14,
    );
}

#[test]
fn exp_int() {
    check(
        "exp",
        vec![i32a(&[3], &[0, 1, 2])],
        vec![],
        f32a(&[3], &[1.0, 2.7182817, 7.389056]),
        2e-06,
    );
}

#[test]
fn log() {
    check(
        "log",
        vec![f32a(&[4], &[0.5, 1.0, 2.0, 10.0])],
        vec![],
        f32a(&[4], &[-0.6931472, 0.0, 0.6931472, 2.3025851]),
        2e-06,
    );
}

#[test]
fn log1p() {
    check(
        "log1p",
        vec![f32a(&[4], &[-0.5, 0.0, 1e-05, 3.0])],
        vec![],
        f32a(&[4], &[-0.6931472, 0.0, 9.99995e-06, 1.3862944]),
        2e-06,
    );
}

#[test]
fn expm1() {
    check(
        "expm1",
        vec![f32a(&[4], &[-1.0, 0.0, 1e-05, 2.0])],
        vec![],
        f32a(&[4], &[-0.63212055, 0.0, 1.000005e-05, 6.389056]),
        2e-06,
    );
}

#[test]
fn sqrt() {
    check(
        "sqrt",
        vec![f32a(&[4], &[0.0, 1.0, 2.0, 9.0])],
        vec![],
        f32a(&[4], &[0.0, 1.0, 1.4142135, 3.0]),
        2e-06,
    );
}

#[test]
fn rsqrt() {
    check(
        "rsqrt",
        vec![f32a(&[4], &[0.25, 1.0, 2.0, 9.0])],
        vec![],
        f32a(&[4], &[2.0, 1.0, 0.70710677, 0.33333334]),
        2e-06,
    );
}

#[test]
fn abs() {
    check_exact(
        "abs",
        vec![f32a(&[3], &[-1.5, 0.0, 2.0])],
        vec![],
        f32a(&[3], &[1.5, 0.0, 2.0]),
    );
}

#[test]
fn abs_int() {
    check_exact(
        "abs",
        vec![i32a(&[2], &[-3, 2])],
        vec![],
        i32a(&[2], &[3, 2]),
    );
}

#[test]
fn abs_complex() {
    check(
        "abs",
        vec![c64a(&[3], &[3.0, 4.0, -1.0, 0.0, 1.0, -1.0])],
        vec![],
        f32a(&[3], &[5.0, 1.0, 1.4142135]),
        2e-06,
    );
}

#[test]
fn sign() {
    check_exact(
        "sign",
        vec![f32a(&[3], &[-2.0, 0.0, 3.0])],
        vec![],
        f32a(&[3], &[-1.0, 0.0, 1.0]),
    );
}

#[test]
fn sin() {
    check(
        "sin",
        vec![f32a(&[3], &[0.0, 1.0, -2.5])],
        vec![],
        f32a(&[3], &[0.0, 0.841471, -0.5984722]),
        2e-06,
    );
}

#[test]
fn cos() {
    check(
        "cos",
        vec![f32a(&[3], &[0.0, 1.0, -2.5])],
        vec![],
        f32a(&[3], &[1.0, 0.5403023, -0.8011436]),
        2e-06,
    );
}

#[test]
fn tanh() {
    check(
        "tanh",
        vec![f32a(&[4], &[-1.0, 0.0, 0.5, 20.0])],
        vec![],
        f32a(&[4], &[-0.7615942, 0.0, 0.4621172, 1.0]),
        2e-06,
    );
}

#[test]
fn sigmoid() {
    check(
        "sigmoid",
        vec![f32a(&[4], &[-3.0, 0.0, 2.0, 50.0])],
        vec![],
        f32a(&[4], &[0.047425874, 0.5, 0.880797, 1.0]),
        2e-06,
    );
}

#[test]
fn floor() {
    check_exact(
        "floor",
        vec![f32a(&[6], &[-1.5, -0.5, 0.5, 1.5, 2.5, 2.7])],
        vec![],
        f32a(&[6], &[-2.0, -1.0, 0.0, 1.0, 2.0, 2.0]),
    );
}

#[test]
fn ceil() {
    check_exact(
        "ceil",
        vec![f32a(&[6], &[-1.5, -0.5, 0.5, 1.5, 2.5, 2.7])],
        vec![],
        f32a(&[6], &[-1.0, -0.0, 1.0, 2.0, 3.0, 3.0]),
    );
}

#[test]
fn round() {
    check_exact(
        "round",
        vec![f32a(&[6], &[-1.5, -0.5, 0.5, 1.5, 2.5, 2.7])],
        vec![],
        f32a(&[6], &[-2.0, -0.0, 0.0, 2.0, 2.0, 3.0]),
    );
}

#[test]
fn relu() {
    check_exact(
        "relu",
        vec![f32a(&[3], &[-1.0, 0.0, 2.0])],
        vec![],
        f32a(&[3], &[0.0, 0.0, 2.0]),
    );
}

#[test]
fn relu_int() {
    check_exact(
        "relu",
        vec![i32a(&[3], &[-1, 0, 2])],
        vec![],
        i32a(&[3], &[0, 0, 2]),
    );
}

#[test]
fn softplus() {
    check(
        "softplus",
        vec![f32a(&[6], &[-30.0, -1.0, 0.0, 1.0, 30.0, 100.0])],
        vec![],
        f32a(
            &[6],
            &[9.357623e-14, 0.3132617, 0.6931472, 1.3132617, 30.0, 100.0],
        ),
        2e-06,
    );
}

#[test]
fn maximum() {
    check_exact(
        "maximum",
        vec![f32a(&[3], &[-1.0, 0.25, 2.0]), wf(0.5)],
        vec![],
        f32a(&[3], &[0.5, 0.5, 2.0]),
    );
    check_exact(
        "maximum",
        vec![f32a(&[2, 1], &[1.0, 4.0]), f32a(&[3], &[0.0, 2.0, 5.0])],
        vec![],
        f32a(&[2, 3], &[1.0, 2.0, 5.0, 4.0, 4.0, 5.0]),
    );
}

#[test]
fn minimum() {
    check_exact(
        "minimum",
        vec![i32a(&[3], &[1, 5, -2]), f32a(&[3], &[2.0, 2.0, 2.0])],
        vec![],
        f32a(&[3], &[1.0, 2.0, -2.0]),
    );
}

#[test]
fn clip() {
    check_exact(
        "clip",
        vec![f32a(&[3], &[-1.0, 0.5, 2.0]), wf(0.0), wf(1.0)],
        vec![],
        f32a(&[3], &[0.0, 0.5, 1.0]),
    );
    check_exact(
        "clip",
        vec![f32a(&[3], &[-1.0, 0.5, 2.0])],
        vec![("hi", wf(1.0))],
        f32a(&[3], &[-1.0, 0.5, 1.0]),
    );
    check_exact(
        "clip",
        vec![i32a(&[3], &[-5, 0, 5]), wi(-2), wi(2)],
        vec![],
        i32a(&[3], &[-2, 0, 2]),
    );
}

#[test]
fn where_() {
    check_exact(
        "where",
        vec![
            boola(&[3], &[true, false, true]),
            f32a(&[3], &[1.0, 2.0, 3.0]),
            wf(0.0),
        ],
        vec![],
        f32a(&[3], &[1.0, 0.0, 3.0]),
    );
    check_exact(
        "where",
        vec![
            boola(&[2, 1], &[true, false]),
            f32a(&[2], &[1.0, 2.0]),
            i32a(&[2], &[7, 8]),
        ],
        vec![],
        f32a(&[2, 2], &[1.0, 2.0, 7.0, 8.0]),
    );
}

#[test]
fn pow() {
    check(
        "pow",
        vec![f32a(&[3], &[1.0, 2.0, 3.0]), wf(2.0)],
        vec![],
        f32a(&[3], &[1.0, 4.0, 9.0]),
        2e-06,
    );
    check_exact(
        "pow",
        vec![i32a(&[3], &[1, 2, 3]), i32a(&[3], &[3, 2, 1])],
        vec![],
        i32a(&[3], &[1, 4, 3]),
    );
}

#[test]
fn complex() {
    check_exact(
        "complex",
        vec![f32a(&[2], &[1.0, 2.0]), f32a(&[2], &[3.0, -4.0])],
        vec![],
        c64a(&[2], &[1.0, 3.0, 2.0, -4.0]),
    );
    check_exact(
        "complex",
        vec![f64a(&[2], &[1.5, 2.0]), wf(0.5)],
        vec![],
        c64a(&[2], &[1.5, 0.5, 2.0, 0.5]),
    );
}

#[test]
fn real() {
    check_exact(
        "real",
        vec![c64a(&[3], &[1.0, 2.0, -3.0, -4.0, -1.0, 0.0])],
        vec![],
        f32a(&[3], &[1.0, -3.0, -1.0]),
    );
    check_exact(
        "real",
        vec![f32a(&[2], &[1.0, 2.0])],
        vec![],
        f32a(&[2], &[1.0, 2.0]),
    );
}

#[test]
fn imag() {
    check_exact(
        "imag",
        vec![c64a(&[3], &[1.0, 2.0, -3.0, -4.0, -1.0, 0.0])],
        vec![],
        f32a(&[3], &[2.0, -4.0, 0.0]),
    );
    check_exact(
        "imag",
        vec![f32a(&[2], &[1.0, 2.0])],
        vec![],
        f32a(&[2], &[0.0, 0.0]),
    );
}

#[test]
fn conj() {
    check_exact(
        "conj",
        vec![c64a(&[3], &[1.0, 2.0, -3.0, -4.0, -1.0, 0.0])],
        vec![],
        c64a(&[3], &[1.0, -2.0, -3.0, 4.0, -1.0, -0.0]),
    );
    check_exact(
        "conj",
        vec![f32a(&[2], &[1.0, 2.0])],
        vec![],
        f32a(&[2], &[1.0, 2.0]),
    );
}

#[test]
fn angle() {
    check(
        "angle",
        vec![c64a(&[3], &[1.0, 2.0, -3.0, -4.0, -1.0, 0.0])],
        vec![],
        f32a(&[3], &[1.1071488, -2.2142975, 3.1415927]),
        2e-06,
    );
    check(
        "angle",
        vec![f32a(&[2], &[-1.0, 2.0])],
        vec![],
        f32a(&[2], &[3.1415927, 0.0]),
        2e-06,
    );
}

#[test]
fn cast() {
    check_exact(
        "cast",
        vec![f32a(&[3], &[1.7, -1.7, 0.0]), dt(DType::I32)],
        vec![],
        i32a(&[3], &[1, -1, 0]),
    );
    check_exact(
        "cast",
        vec![i32a(&[2], &[1, 2]), dt(DType::F64)],
        vec![],
        f64a(&[2], &[1.0, 2.0]),
    );
    check_exact(
        "cast",
        vec![f32a(&[2], &[1.5, 0.0]), dt(DType::Bool)],
        vec![],
        boola(&[2], &[true, false]),
    );
    check_exact(
        "cast",
        vec![f32a(&[2], &[1.5, 0.0]), dt(DType::C64)],
        vec![],
        c64a(&[2], &[1.5, 0.0, 0.0, 0.0]),
    );
}

#[test]
fn sum() {
    check_exact(
        "sum",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0])],
        vec![],
        f32a(&[], &[5.0]),
    );
    check_exact(
        "sum",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]), wi(0)],
        vec![],
        f32a(&[3], &[5.0, 3.0, -3.0]),
    );
    check_exact(
        "sum",
        vec![
            f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]),
            tup(vec![wi(0), wi(1)]),
            b(true),
        ],
        vec![],
        f32a(&[1, 1], &[5.0]),
    );
    check_exact(
        "sum",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0])],
        vec![("axis", wi(-1)), ("keepdims", b(true))],
        f32a(&[2, 1], &[2.0, 3.0]),
    );
    check_exact(
        "sum",
        vec![boola(&[3], &[true, false, true])],
        vec![],
        i32a(&[], &[2]),
    );
    check_exact("sum", vec![f32a(&[], &[2.5])], vec![], f32a(&[], &[2.5]));
}

#[test]
fn mean() {
    check(
        "mean",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0])],
        vec![],
        f32a(&[], &[0.8333333]),
        2e-06,
    );
    check(
        "mean",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]), wi(1)],
        vec![],
        f32a(&[2], &[0.6666667, 1.0]),
        2e-06,
    );
    check(
        "mean",
        vec![i32a(&[3], &[1, 2, 4])],
        vec![],
        f32a(&[], &[2.3333333]),
        2e-06,
    );
}

#[test]
fn max() {
    check_exact(
        "max",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0])],
        vec![],
        f32a(&[], &[5.0]),
    );
    check_exact(
        "max",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]), wi(1)],
        vec![],
        f32a(&[2], &[3.0, 5.0]),
    );
    check_exact(
        "max",
        vec![boola(&[2], &[false, true])],
        vec![],
        boola(&[], &[true]),
    );
}

#[test]
fn min() {
    check_exact(
        "min",
        vec![
            f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]),
            wi(0),
            b(true),
        ],
        vec![],
        f32a(&[1, 3], &[1.0, -2.0, -6.0]),
    );
    check_exact(
        "min",
        vec![boola(&[2], &[false, true])],
        vec![],
        boola(&[], &[false]),
    );
}

#[test]
fn prod() {
    check_exact(
        "prod",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]), wi(1)],
        vec![],
        f32a(&[2], &[-6.0, -120.0]),
    );
    check_exact(
        "prod",
        vec![i32a(&[3], &[2, 3, 4])],
        vec![],
        i32a(&[], &[24]),
    );
}

#[test]
fn logsumexp() {
    check(
        "logsumexp",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0])],
        vec![],
        f32a(&[], &[5.4203267]),
        2e-06,
    );
    check(
        "logsumexp",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]), wi(1)],
        vec![],
        f32a(&[2], &[3.1328452, 5.313274]),
        2e-06,
    );
    check(
        "logsumexp",
        vec![
            f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]),
            wi(0),
            b(true),
        ],
        vec![],
        f32a(&[1, 3], &[4.0485873, 5.000911, 3.0001233]),
        2e-06,
    );
    check(
        "logsumexp",
        vec![
            f32a(
                &[3, 2],
                &[
                    f32::NEG_INFINITY,
                    f32::NEG_INFINITY,
                    0.0,
                    1.0,
                    1000.0,
                    1000.0,
                ],
            ),
            wi(1),
        ],
        vec![],
        f32a(&[3], &[f32::NEG_INFINITY, 1.3132616, 1000.6932]),
        2e-06,
    );
}

#[test]
fn argmax() {
    check_exact(
        "argmax",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0])],
        vec![],
        i32a(&[], &[4]),
    );
    check_exact(
        "argmax",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]), wi(0)],
        vec![],
        i32a(&[3], &[1, 1, 0]),
    );
    check_exact(
        "argmax",
        vec![f32a(&[4], &[1.0, 3.0, 3.0, 2.0])],
        vec![],
        i32a(&[], &[1]),
    );
}

#[test]
fn argmin() {
    check_exact(
        "argmin",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]), wi(1)],
        vec![],
        i32a(&[2], &[1, 2]),
    );
    check_exact(
        "argmin",
        vec![
            f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]),
            Value::None,
            b(true),
        ],
        vec![],
        i32a(&[1, 1], &[5]),
    );
}

#[test]
fn norm() {
    check(
        "norm",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0])],
        vec![],
        f32a(&[], &[9.539392]),
        2e-06,
    );
    check(
        "norm",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]), wi(1)],
        vec![],
        f32a(&[2], &[3.7416575, 8.774964]),
        2e-06,
    );
    check(
        "norm",
        vec![c64a(&[2], &[3.0, 4.0, 1.0, -1.0])],
        vec![],
        f32a(&[], &[5.196152]),
        2e-06,
    );
    check(
        "norm",
        vec![i32a(&[2], &[3, 4])],
        vec![],
        f32a(&[], &[5.0]),
        2e-06,
    );
}

#[test]
fn dot() {
    check_exact(
        "dot",
        vec![f32a(&[3], &[1.0, 2.0, 3.0]), f32a(&[3], &[4.0, -5.0, 6.0])],
        vec![],
        f32a(&[], &[12.0]),
    );
    check_exact(
        "dot",
        vec![
            f32a(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            f32a(&[3], &[1.0, 2.0, 3.0]),
        ],
        vec![],
        f32a(&[2], &[14.0, 32.0]),
    );
    check_exact(
        "dot",
        vec![
            f32a(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            f32a(&[3, 2], &[1.0, 0.0, 2.0, 1.0, 0.0, -1.0]),
        ],
        vec![],
        f32a(&[2, 2], &[5.0, -1.0, 14.0, -1.0]),
    );
    check_exact(
        "dot",
        vec![wf(2.0), f32a(&[3], &[1.0, 2.0, 3.0])],
        vec![],
        f32a(&[3], &[2.0, 4.0, 6.0]),
    );
    check_exact(
        "dot",
        vec![i32a(&[2], &[1, 2]), f32a(&[2], &[0.5, 0.25])],
        vec![],
        f32a(&[], &[1.0]),
    );
    check_exact(
        "dot",
        vec![
            f32a(
                &[2, 2, 3],
                &[
                    -5.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0,
                ],
            ),
            f32a(&[3, 2], &[1.0, 0.0, 2.0, 1.0, 0.0, -1.0]),
        ],
        vec![],
        f32a(
            &[2, 2, 2],
            &[-13.0, -1.0, -4.0, -1.0, 5.0, -1.0, 14.0, -1.0],
        ),
    );
    check_exact(
        "dot",
        vec![
            f32a(&[3], &[1.0, 2.0, 3.0]),
            f32a(
                &[2, 3, 3],
                &[
                    0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0,
                    15.0, 16.0, 17.0,
                ],
            ),
        ],
        vec![],
        f32a(&[2, 3], &[24.0, 30.0, 36.0, 78.0, 84.0, 90.0]),
    );
}

#[test]
fn outer() {
    check_exact(
        "outer",
        vec![f32a(&[2], &[1.0, 2.0]), f32a(&[3], &[3.0, 4.0, 5.0])],
        vec![],
        f32a(&[2, 3], &[3.0, 4.0, 5.0, 6.0, 8.0, 10.0]),
    );
    check_exact(
        "outer",
        vec![i32a(&[2], &[1, 2]), i32a(&[2, 1], &[3, 4])],
        vec![],
        i32a(&[2, 2], &[3, 4, 6, 8]),
    );
}

#[test]
fn trace() {
    check_exact(
        "trace",
        vec![f32a(
            &[3, 3],
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        )],
        vec![],
        f32a(&[], &[15.0]),
    );
    check_exact(
        "trace",
        vec![f32a(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])],
        vec![],
        f32a(&[], &[6.0]),
    );
    check_exact(
        "trace",
        vec![i32a(&[2, 2], &[1, 2, 3, 4])],
        vec![],
        i32a(&[], &[5]),
    );
}

#[test]
fn diag() {
    check_exact(
        "diag",
        vec![f32a(&[3], &[1.0, 2.0, 3.0])],
        vec![],
        f32a(&[3, 3], &[1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 3.0]),
    );
    check_exact(
        "diag",
        vec![f32a(
            &[3, 3],
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        )],
        vec![],
        f32a(&[3], &[1.0, 5.0, 9.0]),
    );
    check_exact(
        "diag",
        vec![f32a(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])],
        vec![],
        f32a(&[2], &[1.0, 5.0]),
    );
    check_exact("diag", vec![i32a(&[1], &[7])], vec![], i32a(&[1, 1], &[7]));
}

#[test]
fn cholesky() {
    check(
        "cholesky",
        vec![f32a(
            &[3, 3],
            &[4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0],
        )],
        vec![],
        f32a(&[3, 3], &[2.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.2, 0.4, 1.67332]),
        2e-06,
    );
    check(
        "cholesky",
        vec![f64a(
            &[3, 3],
            &[
                4.0,
                2.0,
                0.4000000059604645,
                2.0,
                5.0,
                1.0,
                0.4000000059604645,
                1.0,
                3.0,
            ],
        )],
        vec![],
        f64a(
            &[3, 3],
            &[
                2.0,
                0.0,
                0.0,
                1.0,
                2.0,
                0.0,
                0.20000000298023224,
                0.3999999985098839,
                1.6733200530681511,
            ],
        ),
        1e-12,
    );
    check(
        "cholesky",
        vec![f32a(
            &[2, 3, 3],
            &[
                4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0, 8.0, 4.0, 0.8, 4.0, 10.0, 2.0, 0.8,
                2.0, 6.0,
            ],
        )],
        vec![],
        f32a(
            &[2, 3, 3],
            &[
                2.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.2, 0.4, 1.67332, 2.828427, 0.0, 0.0, 1.4142135,
                2.828427, 0.0, 0.28284273, 0.56568545, 2.366432,
            ],
        ),
        2e-06,
    );
}

#[test]
fn triangular_solve() {
    check(
        "triangular_solve",
        vec![
            f32a(&[3, 3], &[2.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.2, 0.4, 1.67332]),
            f32a(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        ],
        vec![],
        f32a(&[3, 2], &[0.5, 1.0, 1.25, 1.5, 2.629503, 3.1075945]),
        2e-06,
    );
    check(
        "triangular_solve",
        vec![
            f32a(&[3, 3], &[2.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.2, 0.4, 1.67332]),
            f32a(&[3], &[1.0, -1.0, 2.0]),
        ],
        vec![],
        f32a(&[3], &[0.5, -0.75, 1.3147515]),
        2e-06,
    );
    check(
        "triangular_solve",
        vec![
            f32a(&[3, 3], &[2.0, 1.0, 0.2, 0.0, 2.0, 0.4, 0.0, 0.0, 1.67332]),
            f32a(&[3], &[1.0, -1.0, 2.0]),
            b(false),
        ],
        vec![],
        f32a(&[3], &[0.75, -0.73904574, 1.1952286]),
        2e-06,
    );
    check(
        "triangular_solve",
        vec![
            f32a(&[3, 3], &[2.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.2, 0.4, 1.67332]),
            f32a(&[3], &[1.0, -1.0, 2.0]),
        ],
        vec![("transpose_a", b(true))],
        f32a(&[3], &[0.75, -0.73904574, 1.1952286]),
        2e-06,
    );
    check(
        "triangular_solve",
        vec![
            f32a(&[3, 3], &[2.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.2, 0.4, 1.67332]),
            f32a(&[2, 3], &[1.0, 2.0, 3.0, 0.0, -1.0, 1.0]),
        ],
        vec![("left_side", b(false))],
        f32a(
            &[2, 3],
            &[0.0, 0.6414314, 1.7928429, 0.25, -0.61952287, 0.5976143],
        ),
        2e-06,
    );
}

#[test]
fn solve() {
    check(
        "solve",
        vec![
            f32a(&[3, 3], &[4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0]),
            f32a(&[3], &[1.0, -1.0, 2.0]),
        ],
        vec![],
        f32a(&[3], &[0.4375, -0.5321429, 0.78571427]),
        1e-05,
    );
    check(
        "solve",
        vec![
            f32a(&[3, 3], &[4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0]),
            f32a(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        ],
        vec![],
        f32a(
            &[3, 2],
            &[-0.0625, 0.125, 0.31071427, 0.37857142, 1.5714285, 1.8571428],
        ),
        1e-05,
    );
    check(
        "solve",
        vec![
            f64a(
                &[3, 3],
                &[
                    4.0,
                    2.0,
                    0.4000000059604645,
                    2.0,
                    5.0,
                    1.0,
                    0.4000000059604645,
                    1.0,
                    3.0,
                ],
            ),
            f64a(&[3], &[1.0, -1.0, 2.0]),
        ],
        vec![],
        f64a(
            &[3],
            &[0.4374999985364931, -0.5321428563711899, 0.7857142847829632],
        ),
        1e-12,
    );
}

#[test]
fn softmax() {
    check(
        "softmax",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0])],
        vec![],
        f32a(
            &[2, 3],
            &[
                0.11849965,
                0.00589975,
                0.8756006,
                0.26893815,
                0.73104966,
                1.2209773e-05,
            ],
        ),
        2e-06,
    );
    check(
        "softmax",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0]), wi(0)],
        vec![],
        f32a(
            &[2, 3],
            &[
                0.047425874,
                0.00091105123,
                0.9998766,
                0.95257413,
                0.999089,
                0.00012339458,
            ],
        ),
        2e-06,
    );
    check(
        "softmax",
        vec![f32a(&[3], &[1000.0, 1000.0, f32::NEG_INFINITY])],
        vec![],
        f32a(&[3], &[0.5, 0.5, 0.0]),
        2e-06,
    );
}

#[test]
fn log_softmax() {
    check(
        "log_softmax",
        vec![f32a(&[2, 3], &[1.0, -2.0, 3.0, 4.0, 5.0, -6.0])],
        vec![],
        f32a(
            &[2, 3],
            &[
                -2.1328452,
                -5.1328454,
                -0.13284527,
                -1.3132739,
                -0.31327385,
                -11.313273,
            ],
        ),
        2e-06,
    );
    check(
        "log_softmax",
        vec![
            f32a(&[2, 2], &[1000.0, 0.0, -3.0, -3.0]),
            tup(vec![wi(0), wi(1)]),
        ],
        vec![],
        f32a(&[2, 2], &[0.0, -1000.0, -1003.0, -1003.0]),
        2e-06,
    );
}

#[test]
fn one_hot() {
    check_exact(
        "one_hot",
        vec![i32a(&[5], &[0, 2, 1, 5, -1]), wi(3)],
        vec![],
        f32a(
            &[5, 3],
            &[
                1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            ],
        ),
    );
    check_exact(
        "one_hot",
        vec![i32a(&[2, 1], &[0, 1]), wi(2)],
        vec![],
        f32a(&[2, 1, 2], &[1.0, 0.0, 0.0, 1.0]),
    );
}

#[test]
fn key() {
    check_exact("key", vec![wi(0)], vec![], u32a(&[2], &[0x0, 0x0]));
    check_exact(
        "key",
        vec![i32a(&[], &[0])],
        vec![],
        u32a(&[2], &[0x0, 0x0]),
    );
    check_exact("key", vec![wi(42)], vec![], u32a(&[2], &[0x0, 0x2a]));
    check_exact(
        "key",
        vec![i32a(&[], &[42])],
        vec![],
        u32a(&[2], &[0x0, 0x2a]),
    );
    check_exact("key", vec![wi(-1)], vec![], u32a(&[2], &[0x0, 0xffffffff]));
    check_exact(
        "key",
        vec![i32a(&[], &[-1])],
        vec![],
        u32a(&[2], &[0x0, 0xffffffff]),
    );
    check_exact(
        "key",
        vec![wi(2147483647)],
        vec![],
        u32a(&[2], &[0x0, 0x7fffffff]),
    );
    check_exact(
        "key",
        vec![i32a(&[], &[2147483647])],
        vec![],
        u32a(&[2], &[0x0, 0x7fffffff]),
    );
}

#[test]
fn uniform() {
    check_exact(
        "uniform",
        vec![key_of(0x0, 0x0), ints(&[3])],
        vec![],
        f32a(&[3], &[0.947667, 0.9785799, 0.33229148]),
    );
    check_exact(
        "uniform",
        vec![key_of(0x0, 0x0), ints(&[])],
        vec![],
        f32a(&[], &[0.947667]),
    );
    check_exact(
        "uniform",
        vec![key_of(0x0, 0x2a), ints(&[2, 2])],
        vec![],
        f32a(&[2, 2], &[0.48870957, 0.6797972, 0.6162715, 0.5610161]),
    );
    check_exact(
        "uniform",
        vec![key_of(0x0, 0x7), ints(&[5])],
        vec![],
        f32a(
            &[5],
            &[0.6740899, 0.9746169, 0.30284357, 0.44395852, 0.7308866],
        ),
    );
    check_exact(
        "uniform",
        vec![key_of(0x0, 0x0), ints(&[3]), wi(-2), wi(2)],
        vec![],
        f32a(&[3], &[1.790668, 1.9143195, -0.67083406]),
    );
    check_exact(
        "uniform",
        vec![
            key_of(0x0, 0x2a),
            ints(&[2, 3]),
            f32a(&[3], &[0.0, 1.0, 2.0]),
            wf(5.0),
        ],
        vec![],
        f32a(
            &[2, 3],
            &[
                2.4435477, 3.7191887, 3.8488145, 2.8050804, 2.8025784, 3.7575974,
            ],
        ),
    );
}

#[test]
fn normal() {
    check(
        "normal",
        vec![key_of(0x0, 0x0), ints(&[3])],
        vec![],
        f32a(&[3], &[1.6226422, 2.0252647, -0.43359444]),
        2e-06,
    );
    check(
        "normal",
        vec![key_of(0x0, 0x2a), ints(&[2, 2])],
        vec![],
        f32a(&[2, 2], &[-0.028304616, 0.46713185, 0.29570296, 0.15354592]),
        2e-06,
    );
    check(
        "normal",
        vec![key_of(0x0, 0x7), ints(&[64])],
        vec![],
        f32a(
            &[64],
            &[
                0.45123515,
                1.9534509,
                -0.51623946,
                -0.1409403,
                0.6154967,
                0.3343165,
                -0.12932467,
                -0.2237365,
                -1.4775506,
                -1.3424062,
                -0.32869324,
                0.9996132,
                0.52814233,
                -1.7463409,
                1.4739919,
                -0.037714627,
                -0.25475407,
                0.73174816,
                -0.34261695,
                1.9511223,
                1.5149523,
                -0.26132467,
                -0.38455066,
                0.46573624,
                0.6907401,
                -1.1954111,
                0.7940756,
                -0.36323383,
                0.06224542,
                -0.5420344,
                1.7182565,
                -1.8809546,
                1.3867744,
                -0.5918525,
                -1.923303,
                1.6507231,
                -1.4010015,
                0.051272605,
                0.21730588,
                -0.37970227,
                -0.9704457,
                0.98872983,
                -0.89217246,
                -0.11146477,
                0.14866407,
                0.86877286,
                -0.39218947,
                0.5619302,
                -0.26435784,
                -0.5872075,
                -0.20053692,
                -0.024088403,
                -0.8702885,
                0.51145864,
                0.29909074,
                0.29150906,
                -0.64096606,
                0.56024927,
                0.047346503,
                -0.16491579,
                -0.5851354,
                1.8290392,
                -1.713772,
                -0.29829136,
            ],
        ),
        2e-06,
    );
    check(
        "normal",
        vec![key_of(0x0, 0x3), ints(&[])],
        vec![],
        f32a(&[], &[-1.446257]),
        2e-06,
    );
}

#[test]
fn bernoulli() {
    check_exact(
        "bernoulli",
        vec![key_of(0x0, 0x0), wf(0.5), ints(&[3])],
        vec![],
        boola(&[3], &[false, false, true]),
    );
    check_exact(
        "bernoulli",
        vec![key_of(0x0, 0x0), wf(0.3), ints(&[6])],
        vec![],
        boola(&[6], &[false, false, false, false, false, true]),
    );
    check_exact(
        "bernoulli",
        vec![key_of(0x0, 0x7), f32a(&[4], &[0.1, 0.5, 0.9, 0.99])],
        vec![],
        boola(&[4], &[false, false, true, true]),
    );
}

#[test]
fn randint() {
    check_exact(
        "randint",
        vec![key_of(0x0, 0x0), ints(&[3]), wi(0), wi(10)],
        vec![],
        i32a(&[3], &[9, 0, 2]),
    );
    check_exact(
        "randint",
        vec![key_of(0x0, 0x0), ints(&[5]), wi(-3), wi(3)],
        vec![],
        i32a(&[5], &[-2, -3, -1, -2, 2]),
    );
    check_exact(
        "randint",
        vec![
            key_of(0x0, 0x2a),
            ints(&[2, 3]),
            wi(-2147483648),
            wi(2147483647),
        ],
        vec![],
        i32a(
            &[2, 3],
            &[
                977810628,
                1236381714,
                -1367112521,
                -1019495231,
                -1671904627,
                -1277190805,
            ],
        ),
    );
    check_exact(
        "randint",
        vec![
            key_of(0x0, 0x7),
            ints(&[4]),
            i32a(&[4], &[0, 10, 100, 5]),
            wi(7),
        ],
        vec![],
        i32a(&[4], &[0, 10, 100, 6]),
    );
    check_exact(
        "randint",
        vec![
            key_of(0x0, 0x7),
            ints(&[3]),
            i32a(&[], &[5]),
            i32a(&[], &[1000]),
        ],
        vec![],
        i32a(&[3], &[924, 897, 825]),
    );
}
