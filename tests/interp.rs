//! The reference interpreter (`interp::run_graph`) on small graphs.
#![allow(clippy::unwrap_used)]

use nest::interp::run_graph;
use nest::ir::{fresh_var, Atom, Eqn, Graph, PrimError, Var};
use nest::prims::{Cholesky, DotGeneral, Prim};
use nest::tensor::{Data, Tensor};
use nest::types::{DType, TensorType};

fn matmul() -> Prim {
    Prim::new(DotGeneral {
        lhs_batch: vec![],
        rhs_batch: vec![],
        lhs_contract: vec![1],
        rhs_contract: vec![0],
    })
}

fn f64s(shape: &[usize], v: Vec<f64>) -> Tensor {
    Tensor::new(shape.to_vec(), Data::F64(v)).unwrap()
}

/// `(a, b) -> (a @ b, (a @ b) @ c, b)` with `c` a constant.
fn chain() -> (Graph, Tensor) {
    let m = TensorType::new(DType::F64, vec![2, 2]);
    let (a, b) = (fresh_var(m.clone()), fresh_var(m.clone()));
    let (ab, abc) = (fresh_var(m.clone()), fresh_var(m));
    let c = f64s(&[2, 2], vec![0., 1., 1., 0.]);
    let eqn = |x: &Var, y: Atom, out: &Var| Eqn {
        prim: matmul(),
        inputs: vec![Atom::Var(x.clone()), y],
        outputs: vec![out.clone()],
    };
    let graph = Graph {
        eqns: vec![
            eqn(&a, Atom::Var(b.clone()), &ab),
            eqn(&ab, Atom::Const(c.clone()), &abc),
        ],
        outputs: vec![Atom::Var(ab), Atom::Var(abc), Atom::Var(b.clone())],
        inputs: vec![a, b],
    };
    (graph, c)
}

#[test]
fn runs_equations_in_order_with_constants() {
    let (graph, _) = chain();
    let a = f64s(&[2, 2], vec![1., 2., 3., 4.]);
    let b = f64s(&[2, 2], vec![1., 0., 0., 2.]);
    let out = run_graph(&graph, &[a, b.clone()]).unwrap();
    assert_eq!(out[0].to_f64_vec(), vec![1., 4., 3., 8.]);
    // Multiplying by the swap matrix swaps columns.
    assert_eq!(out[1].to_f64_vec(), vec![4., 1., 8., 3.]);
    assert_eq!(out[2], b);
}

#[test]
fn graph_with_no_equations_returns_inputs_and_constants() {
    let v = fresh_var(TensorType::scalar(DType::I32));
    let graph = Graph {
        inputs: vec![v.clone()],
        eqns: vec![],
        outputs: vec![Atom::Const(Tensor::scalar_bool(true)), Atom::Var(v)],
    };
    let out = run_graph(&graph, &[Tensor::scalar_i32(4)]).unwrap();
    assert_eq!(out, vec![Tensor::scalar_bool(true), Tensor::scalar_i32(4)]);
}

#[test]
fn rejects_arguments_of_the_wrong_count_or_type() {
    let (graph, _) = chain();
    let a = f64s(&[2, 2], vec![0.; 4]);
    let err = run_graph(&graph, std::slice::from_ref(&a)).unwrap_err();
    assert_eq!(
        err,
        PrimError::Invalid("expected 2 argument(s), got 1".into())
    );
    let wrong_shape = f64s(&[4], vec![0.; 4]);
    let err = run_graph(&graph, &[a.clone(), wrong_shape]).unwrap_err();
    assert_eq!(
        err,
        PrimError::Invalid("argument 1 has type f64[4], expected f64[2, 2]".into())
    );
    let wrong_dtype = Tensor::new(vec![2, 2], Data::F32(vec![0.; 4])).unwrap();
    let err = run_graph(&graph, &[wrong_dtype, a]).unwrap_err();
    assert_eq!(
        err,
        PrimError::Invalid("argument 0 has type f32[2, 2], expected f64[2, 2]".into())
    );
}

#[test]
fn kernel_errors_name_the_primitive() {
    let x = fresh_var(TensorType::new(DType::I32, vec![2, 2]));
    let y = fresh_var(TensorType::new(DType::I32, vec![2, 2]));
    let graph = Graph {
        eqns: vec![Eqn {
            prim: Prim::new(Cholesky),
            inputs: vec![Atom::Var(x.clone())],
            outputs: vec![y.clone()],
        }],
        inputs: vec![x],
        outputs: vec![Atom::Var(y)],
    };
    let t = Tensor::new(vec![2, 2], Data::I32(vec![1, 0, 0, 1])).unwrap();
    let err = run_graph(&graph, &[t]).unwrap_err();
    assert!(!err.is_internal(), "{:?}", err);
    let err = err.to_string();
    assert!(
        err.starts_with("cholesky: operand must be f32 or f64"),
        "{}",
        err
    );
}

#[test]
fn results_disagreeing_with_declared_types_are_internal_errors() {
    let m = TensorType::new(DType::F64, vec![2, 2]);
    let (a, out) = (fresh_var(m.clone()), fresh_var(m.with_dtype(DType::F32)));
    let graph = Graph {
        eqns: vec![Eqn {
            prim: matmul(),
            inputs: vec![Atom::Var(a.clone()), Atom::Var(a.clone())],
            outputs: vec![out.clone()],
        }],
        inputs: vec![a],
        outputs: vec![Atom::Var(out)],
    };
    let err = run_graph(&graph, &[f64s(&[2, 2], vec![0.; 4])]).unwrap_err();
    assert!(err.is_internal(), "{:?}", err);
    let err = err.to_string();
    assert!(
        err.starts_with("internal error: dot_general produced (f64[2, 2])"),
        "{}",
        err
    );
}

#[test]
fn undefined_variables_are_internal_errors() {
    let v = fresh_var(TensorType::scalar(DType::F32));
    let graph = Graph {
        inputs: vec![],
        eqns: vec![],
        outputs: vec![Atom::Var(v)],
    };
    let err = run_graph(&graph, &[]).unwrap_err();
    assert!(err.is_internal(), "{:?}", err);
    let err = err.to_string();
    assert!(err.starts_with("internal error: variable %"), "{}", err);
    assert!(err.contains("used before its definition"), "{}", err);
}
