//! The IR printer, verifier and simplification passes, on hand-built graphs.

use nest::interp::run_graph;
use nest::ir::print::{print_func, print_graph};
use nest::ir::simplify::{cse, dce, fold_constants, forward_trivial, simplify};
use nest::ir::verify::verify;
use nest::ir::{fresh_var, Atom, Eqn, Func, Graph, Var};
use nest::prims::{
    Binary, Broadcast, Compare, Cond, Convert, DotGeneral, Iota, Reduce, Reshape, Scan,
    Threefry2x32, Transpose, Unary, While,
};
use nest::prims::{BinaryOp, Cmp, Prim, ReduceOp, UnaryOp};
use nest::tensor::{Data, Tensor, C64};
use nest::types::{DType, TensorType};

// ---- builders ----

fn f32s(shape: &[usize]) -> TensorType {
    TensorType::new(DType::F32, shape.to_vec())
}

fn scalar(dtype: DType) -> TensorType {
    TensorType::scalar(dtype)
}

fn var(ty: TensorType) -> Var {
    fresh_var(ty)
}

fn a(v: &Var) -> Atom {
    Atom::Var(v.clone())
}

fn c(t: Tensor) -> Atom {
    Atom::Const(t)
}

fn tensor(shape: &[usize], xs: &[f32]) -> Tensor {
    Tensor::new(shape.to_vec(), Data::F32(xs.to_vec())).expect("sizes agree")
}

/// `out = prim(inputs)` with one output of type `ty`, appended to `eqns`.
fn push(eqns: &mut Vec<Eqn>, prim: Prim, inputs: Vec<Atom>, ty: TensorType) -> Var {
    let out = var(ty);
    eqns.push(Eqn {
        prim,
        inputs,
        outputs: vec![out.clone()],
    });
    out
}

fn bin(op: BinaryOp) -> Prim {
    Prim::new(Binary(op))
}

fn sum(axes: &[usize]) -> Prim {
    Prim::new(Reduce {
        op: ReduceOp::Sum,
        axes: axes.to_vec(),
    })
}

fn graph(inputs: &[&Var], eqns: Vec<Eqn>, outputs: Vec<Atom>) -> Graph {
    Graph {
        inputs: inputs.iter().map(|v| (*v).clone()).collect(),
        eqns,
        outputs,
    }
}

/// `mse(w, x, y) = sum((x @ w - y)^2) / 4`.
fn mse() -> Func {
    let (w, x, y) = (var(f32s(&[3])), var(f32s(&[4, 3])), var(f32s(&[4])));
    let mut e = Vec::new();
    let dot = Prim::new(DotGeneral {
        lhs_batch: vec![],
        rhs_batch: vec![],
        lhs_contract: vec![1],
        rhs_contract: vec![0],
    });
    let p = push(&mut e, dot, vec![a(&x), a(&w)], f32s(&[4]));
    let r = push(&mut e, bin(BinaryOp::Sub), vec![a(&p), a(&y)], f32s(&[4]));
    let sq = push(&mut e, bin(BinaryOp::Mul), vec![a(&r), a(&r)], f32s(&[4]));
    let s = push(&mut e, sum(&[0]), vec![a(&sq)], f32s(&[]));
    let four = c(Tensor::scalar_f32(4.0));
    let m = push(&mut e, bin(BinaryOp::Div), vec![a(&s), four], f32s(&[]));
    Func {
        name: "mse".into(),
        graph: graph(&[&w, &x, &y], e, vec![a(&m)]),
    }
}

/// `x * scale^10` by a loop: consts `(scale)`, carries `(i, x)`.
fn power_loop() -> Graph {
    let scale = var(f32s(&[]));
    let x0 = var(f32s(&[]));
    let (cs, ci, cx) = (var(f32s(&[])), var(scalar(DType::I32)), var(f32s(&[])));
    let mut ce = Vec::new();
    let lt = Prim::new(Compare(Cmp::Lt));
    let go = push(
        &mut ce,
        lt,
        vec![a(&ci), c(Tensor::scalar_i32(10))],
        scalar(DType::Bool),
    );
    let cond = graph(&[&cs, &ci, &cx], ce, vec![a(&go)]);
    let (bs, bi, bx) = (var(f32s(&[])), var(scalar(DType::I32)), var(f32s(&[])));
    let mut be = Vec::new();
    let i1 = push(
        &mut be,
        bin(BinaryOp::Add),
        vec![a(&bi), c(Tensor::scalar_i32(1))],
        scalar(DType::I32),
    );
    let x1 = push(&mut be, bin(BinaryOp::Mul), vec![a(&bx), a(&bs)], f32s(&[]));
    let body = graph(&[&bs, &bi, &bx], be, vec![a(&i1), a(&x1)]);
    let (oi, ox) = (var(scalar(DType::I32)), var(f32s(&[])));
    let w = Eqn {
        prim: Prim::new(While {
            cond: Box::new(cond),
            body: Box::new(body),
            n_consts: 1,
            trip_count: Some(10),
            span: None,
        }),
        inputs: vec![a(&scale), c(Tensor::scalar_i32(0)), a(&x0)],
        outputs: vec![oi, ox.clone()],
    };
    graph(&[&scale, &x0], vec![w], vec![a(&ox)])
}

fn eval(g: &Graph, inputs: &[Tensor]) -> Vec<Tensor> {
    run_graph(g, inputs).unwrap_or_else(|e| panic!("{}\n{}", e, print_graph(g)))
}

/// `after` verifies and computes what `before` does on `inputs`.
fn assert_same_results(before: &Graph, after: &Graph, inputs: &[Tensor]) {
    verify(before).unwrap_or_else(|e| panic!("before: {}\n{}", e, print_graph(before)));
    verify(after).unwrap_or_else(|e| panic!("after: {}\n{}", e, print_graph(after)));
    // Compared through `Debug` so that a NaN matches a NaN (and `-0.0` not `0.0`).
    let (x, y) = (eval(before, inputs), eval(after, inputs));
    assert_eq!(format!("{:?}", x), format!("{:?}", y));
}

fn prims(g: &Graph) -> Vec<&'static str> {
    g.eqns.iter().map(|e| e.prim.name()).collect()
}

fn while_parts(g: &Graph) -> (&Graph, &Graph, usize, &Eqn) {
    for e in &g.eqns {
        if let Some(While {
            cond,
            body,
            n_consts,
            ..
        }) = e.prim.downcast_ref::<While>()
        {
            return (cond, body, *n_consts, e);
        }
    }
    panic!("no while in\n{}", print_graph(g));
}

// ---- printer ----

#[test]
fn prints_a_function() {
    let expected = "\
fn mse(%0: f32[3], %1: f32[4, 3], %2: f32[4]) -> (f32[]) {
  %3: f32[4] = dot_general[lhs_contract=[1], rhs_contract=[0]] %1, %0
  %4: f32[4] = sub %3, %2
  %5: f32[4] = mul %4, %4
  %6: f32[] = reduce_sum[axes=[0]] %5
  %7: f32[] = div %6, 4.0:f32
  return %7
}
";
    assert_eq!(print_func(&mse()), expected);
}

#[test]
fn numbering_does_not_depend_on_global_ids() {
    let first = print_func(&mse());
    for _ in 0..17 {
        var(f32s(&[]));
    }
    assert_eq!(print_func(&mse()), first);
}

#[test]
fn prints_regions_indented_and_numbered_before_results() {
    let expected = "\
graph(%0: f32[], %1: f32[]) -> (f32[]) {
  %11: i32[], %12: f32[] = while[n_consts=1, trip_count=10] %0, 0:i32, %1
    cond(%2: f32[], %3: i32[], %4: f32[]) -> (bool[]) {
      %5: bool[] = lt %3, 10:i32
      return %5
    }
    body(%6: f32[], %7: i32[], %8: f32[]) -> (i32[], f32[]) {
      %9: i32[] = add %7, 1:i32
      %10: f32[] = mul %8, %6
      return %9, %10
    }
  return %12
}
";
    assert_eq!(print_graph(&power_loop()), expected);
}

#[test]
fn prints_constants() {
    let x = var(f32s(&[2, 2]));
    let mut e = Vec::new();
    let m = tensor(&[2, 2], &[1.0, 2.5, -3.0, 0.1]);
    let y = push(&mut e, bin(BinaryOp::Add), vec![a(&x), c(m)], f32s(&[2, 2]));
    let big = c(Tensor::zeros(&f32s(&[100, 3])));
    let ints = Tensor::new(vec![3], Data::I32(vec![1, -2, 3])).expect("sizes agree");
    let special = tensor(&[3], &[f32::NAN, f32::INFINITY, f32::NEG_INFINITY]);
    let z = C64::new(1.0, -2.0);
    let g = graph(
        &[&x],
        e,
        vec![
            a(&y),
            big,
            c(ints),
            c(special),
            c(Tensor::scalar_bool(true)),
            c(Tensor::scalar_i64(7)),
            c(Tensor::scalar_f64(0.5)),
            c(Tensor::scalar_c64(z)),
            c(Tensor::zeros(&f32s(&[0]))),
        ],
    );
    let expected = "\
graph(%0: f32[2, 2]) -> (f32[2, 2], f32[100, 3], i32[3], f32[3], bool[], i64[], f64[], c64[], f32[0]) {
  %1: f32[2, 2] = add %0, [[1.0, 2.5], [-3.0, 0.1]]:f32[2, 2]
  return %1, const:f32[100, 3], [1, -2, 3]:i32[3], [nan, inf, -inf]:f32[3], true, 7:i64, 0.5:f64, 1.0-2.0i:c64, []:f32[0]
}
";
    assert_eq!(print_graph(&g), expected);
}

#[test]
fn prints_multiple_outputs_parameters_and_branches() {
    let (k0, k1) = (var(scalar(DType::U32)), var(scalar(DType::U32)));
    let x = var(TensorType::new(DType::U32, vec![3]));
    let (y0, y1) = (var(x.ty.clone()), var(x.ty.clone()));
    let threefry = Eqn {
        prim: Prim::new(Threefry2x32),
        inputs: vec![a(&k0), a(&k1), a(&x), a(&x)],
        outputs: vec![y0.clone(), y1.clone()],
    };
    let mut e = vec![threefry];
    let iota = Prim::new(Iota {
        shape: vec![3],
        dim: 0,
        dtype: DType::F32,
    });
    let i = push(&mut e, iota, vec![], f32s(&[3]));
    let t = push(
        &mut e,
        Prim::new(Transpose { perm: vec![0] }),
        vec![a(&i)],
        f32s(&[3]),
    );
    let (p0, p1) = (var(f32s(&[3])), var(f32s(&[3])));
    let neg = var(f32s(&[3]));
    let branch0 = graph(&[&p0], vec![], vec![a(&p0)]);
    let branch1 = graph(
        &[&p1],
        vec![Eqn {
            prim: Prim::new(Unary(UnaryOp::Neg)),
            inputs: vec![a(&p1)],
            outputs: vec![neg.clone()],
        }],
        vec![a(&neg)],
    );
    let cond = Prim::new(Cond {
        branches: vec![branch0, branch1],
    });
    let r = push(
        &mut e,
        cond,
        vec![c(Tensor::scalar_i32(1)), a(&t)],
        f32s(&[3]),
    );
    let g = graph(&[&k0, &k1, &x], e, vec![a(&y0), a(&y1), a(&r)]);
    let expected = "\
graph(%0: u32[], %1: u32[], %2: u32[3]) -> (u32[3], u32[3], f32[3]) {
  %3: u32[3], %4: u32[3] = threefry2x32 %0, %1, %2, %2
  %5: f32[3] = iota[dim=0]
  %6: f32[3] = transpose[perm=[0]] %5
  %10: f32[3] = cond 1:i32, %6
    branch0(%7: f32[3]) -> (f32[3]) {
      return %7
    }
    branch1(%8: f32[3]) -> (f32[3]) {
      %9: f32[3] = neg %8
      return %9
    }
  return %3, %4, %10
}
";
    assert_eq!(print_graph(&g), expected);
}

#[test]
fn prints_an_undefined_variable_by_its_raw_id() {
    let stray = var(f32s(&[]));
    let g = graph(&[], vec![], vec![a(&stray)]);
    let expected = format!("graph() -> (f32[]) {{\n  return %?{}\n}}\n", stray.id.0);
    assert_eq!(print_graph(&g), expected);
}

// ---- verifier ----

#[test]
fn verifies_well_formed_graphs() {
    verify(&mse().graph).expect("mse verifies");
}

#[test]
fn rejects_a_variable_defined_twice() {
    let x = var(f32s(&[]));
    let g = graph(&[&x, &x], vec![], vec![a(&x)]);
    let err = verify(&g).expect_err("input twice");
    assert!(
        err.contains("%0: f32[]") && err.contains("more than once"),
        "{}",
        err
    );

    let mut e = Vec::new();
    let y = push(
        &mut e,
        Prim::new(Unary(UnaryOp::Neg)),
        vec![a(&x)],
        f32s(&[]),
    );
    e.push(Eqn {
        prim: Prim::new(Unary(UnaryOp::Exp)),
        inputs: vec![a(&x)],
        outputs: vec![y.clone()],
    });
    let err = verify(&graph(&[&x], e, vec![a(&y)])).expect_err("output twice");
    assert!(
        err.contains("`%1: f32[] = exp %0`") && err.contains("more than once"),
        "{}",
        err
    );
}

#[test]
fn rejects_a_use_before_definition() {
    let x = var(f32s(&[]));
    let later = var(f32s(&[]));
    let mut e = Vec::new();
    let y = push(
        &mut e,
        bin(BinaryOp::Add),
        vec![a(&x), a(&later)],
        f32s(&[]),
    );
    e.push(Eqn {
        prim: Prim::new(Unary(UnaryOp::Neg)),
        inputs: vec![a(&x)],
        outputs: vec![later.clone()],
    });
    let err = verify(&graph(&[&x], e, vec![a(&y)])).expect_err("use before def");
    assert!(err.contains("`%1: f32[] = add %0, %2`"), "{}", err);
    assert!(err.contains("%2 is used before its definition"), "{}", err);
}

#[test]
fn rejects_an_undefined_variable() {
    let x = var(f32s(&[]));
    let ghost = var(f32s(&[]));
    let mut e = Vec::new();
    let y = push(
        &mut e,
        bin(BinaryOp::Mul),
        vec![a(&x), a(&ghost)],
        f32s(&[]),
    );
    let err = verify(&graph(&[&x], e, vec![a(&y)])).expect_err("undefined");
    assert!(
        err.contains(&format!("%?{} is never defined", ghost.id.0)),
        "{}",
        err
    );
    assert!(err.contains("mul %0"), "{}", err);
}

#[test]
fn rejects_an_undefined_output() {
    let x = var(f32s(&[]));
    let ghost = var(f32s(&[]));
    let err = verify(&graph(&[&x], vec![], vec![a(&ghost)])).expect_err("undefined output");
    assert!(
        err.contains("graph output") && err.contains("never defined"),
        "{}",
        err
    );
}

#[test]
fn rejects_a_region_using_an_outer_variable() {
    let mut g = power_loop();
    let outer = g.inputs[0].clone();
    let Some(While { body, .. }) = g.eqns[0].prim.downcast_mut::<While>() else {
        panic!("a while");
    };
    // The body multiplies by the outer `scale` instead of its own input.
    body.eqns[1].inputs[1] = a(&outer);
    let err = verify(&g).expect_err("region not closed");
    assert!(
        err.contains("in body of `%11: i32[], %12: f32[] = while"),
        "{}",
        err
    );
    assert!(err.contains("`%10: f32[] = mul %8, %0`"), "{}", err);
    assert!(err.contains("%0 is defined outside this region"), "{}", err);
}

#[test]
fn rejects_a_use_at_another_type() {
    let x = var(f32s(&[3]));
    let wrong = Var {
        id: x.id,
        ty: f32s(&[4]),
    };
    let mut e = Vec::new();
    let y = push(
        &mut e,
        Prim::new(Unary(UnaryOp::Exp)),
        vec![a(&wrong)],
        f32s(&[4]),
    );
    let err = verify(&graph(&[&x], e, vec![a(&y)])).expect_err("type of use");
    assert!(
        err.contains("%0 is used as f32[4] but defined as f32[3]"),
        "{}",
        err
    );
}

#[test]
fn rejects_wrong_output_types() {
    let x = var(f32s(&[3]));
    let mut e = Vec::new();
    let y = push(
        &mut e,
        Prim::new(Unary(UnaryOp::Exp)),
        vec![a(&x)],
        f32s(&[4]),
    );
    let err = verify(&graph(&[&x], e, vec![a(&y)])).expect_err("output type");
    assert!(err.contains("`%1: f32[4] = exp %0`"), "{}", err);
    assert!(
        err.contains("declared output types (f32[4]) differ from the inferred (f32[3])"),
        "{}",
        err
    );
}

#[test]
fn rejects_operands_the_shape_rule_refuses() {
    let (x, y) = (var(f32s(&[3])), var(f32s(&[4])));
    let mut e = Vec::new();
    let z = push(&mut e, bin(BinaryOp::Add), vec![a(&x), a(&y)], f32s(&[3]));
    let err = verify(&graph(&[&x, &y], e, vec![a(&z)])).expect_err("shape rule");
    assert!(err.starts_with("`%2: f32[3] = add %0, %1`: "), "{}", err);
}

#[test]
fn rejects_a_region_with_the_wrong_signature() {
    let mut g = power_loop();
    let Some(While { cond, .. }) = g.eqns[0].prim.downcast_mut::<While>() else {
        panic!("a while");
    };
    // The condition now returns an f32 instead of a bool.
    cond.outputs = vec![a(&cond.inputs[0].clone())];
    let err = verify(&g).expect_err("cond signature");
    assert!(
        err.contains("= while[n_consts=1, trip_count=10]"),
        "{}",
        err
    );
}

// ---- dead-code elimination ----

#[test]
fn dce_removes_unused_equations_and_keeps_used_ones() {
    let x = var(f32s(&[3]));
    let mut e = Vec::new();
    let dead = push(
        &mut e,
        Prim::new(Unary(UnaryOp::Exp)),
        vec![a(&x)],
        f32s(&[3]),
    );
    let _dead2 = push(
        &mut e,
        Prim::new(Unary(UnaryOp::Log)),
        vec![a(&dead)],
        f32s(&[3]),
    );
    let live = push(
        &mut e,
        Prim::new(Unary(UnaryOp::Sin)),
        vec![a(&x)],
        f32s(&[3]),
    );
    let g = graph(&[&x], e, vec![a(&live)]);
    let out = dce(&g);
    assert_eq!(prims(&out), ["sin"]);
    assert_same_results(&g, &out, &[tensor(&[3], &[0.5, 1.0, 2.0])]);
}

#[test]
fn dce_cleans_regions() {
    let mut g = power_loop();
    let Some(While { body, .. }) = g.eqns[0].prim.downcast_mut::<While>() else {
        panic!("a while");
    };
    let bx = body.inputs[2].clone();
    let unused = var(f32s(&[]));
    body.eqns.push(Eqn {
        prim: Prim::new(Unary(UnaryOp::Exp)),
        inputs: vec![a(&bx)],
        outputs: vec![unused],
    });
    let out = dce(&g);
    let (_, body, _, _) = while_parts(&out);
    assert_eq!(prims(body), ["add", "mul"]);
    assert_same_results(
        &g,
        &out,
        &[Tensor::scalar_f32(1.5), Tensor::scalar_f32(2.0)],
    );
}

/// A loop with consts `(k, junk)` and carries `(i, x, y, w, z)`: the result
/// is `x`; `x` is updated from `y`, `y` from `w`, `w` from `k`, `z` only from
/// itself, and the condition reads `i`. So `z` and `junk` are dropped; `i`,
/// `x`, `y`, `w` (needed through two steps) and `k` are kept.
fn loop_with_dead_parts() -> Graph {
    let (k, junk, x0) = (var(f32s(&[])), var(f32s(&[2])), var(f32s(&[])));
    let vars = || {
        [
            var(f32s(&[])),
            var(f32s(&[2])),
            var(scalar(DType::I32)),
            var(f32s(&[])),
            var(f32s(&[])),
            var(f32s(&[])),
            var(f32s(&[])),
        ]
    };
    let [ck, cj, ci, cx, cy, cw, cz] = vars();
    let mut ce = Vec::new();
    let go = push(
        &mut ce,
        Prim::new(Compare(Cmp::Lt)),
        vec![a(&ci), c(Tensor::scalar_i32(5))],
        scalar(DType::Bool),
    );
    let cond = graph(&[&ck, &cj, &ci, &cx, &cy, &cw, &cz], ce, vec![a(&go)]);
    let [bk, bj, bi, bx, by, bw, bz] = vars();
    let mut be = Vec::new();
    let i1 = push(
        &mut be,
        bin(BinaryOp::Add),
        vec![a(&bi), c(Tensor::scalar_i32(1))],
        scalar(DType::I32),
    );
    let x1 = push(&mut be, bin(BinaryOp::Add), vec![a(&bx), a(&by)], f32s(&[]));
    let y1 = push(&mut be, bin(BinaryOp::Mul), vec![a(&by), a(&bw)], f32s(&[]));
    let w1 = push(&mut be, bin(BinaryOp::Mul), vec![a(&bw), a(&bk)], f32s(&[]));
    let z1 = push(
        &mut be,
        Prim::new(Unary(UnaryOp::Cos)),
        vec![a(&bz)],
        f32s(&[]),
    );
    let body = graph(
        &[&bk, &bj, &bi, &bx, &by, &bw, &bz],
        be,
        vec![a(&i1), a(&x1), a(&y1), a(&w1), a(&z1)],
    );
    let outs = [
        var(scalar(DType::I32)),
        var(f32s(&[])),
        var(f32s(&[])),
        var(f32s(&[])),
        var(f32s(&[])),
    ];
    let w = Eqn {
        prim: Prim::new(While {
            cond: Box::new(cond),
            body: Box::new(body),
            n_consts: 2,
            trip_count: Some(5),
            span: None,
        }),
        inputs: vec![
            a(&k),
            a(&junk),
            c(Tensor::scalar_i32(0)),
            a(&x0),
            a(&x0),
            a(&x0),
            a(&x0),
        ],
        outputs: outs.to_vec(),
    };
    graph(&[&k, &junk, &x0], vec![w], vec![a(&outs[1])])
}

#[test]
fn dce_drops_unused_loop_consts_and_carries() {
    let g = loop_with_dead_parts();
    let out = dce(&g);
    let (cond, body, n_consts, w) = while_parts(&out);
    assert_eq!(n_consts, 1);
    assert_eq!(
        w.inputs.len(),
        5,
        "k, then i, x, y, w\n{}",
        print_graph(&out)
    );
    assert_eq!(w.outputs.len(), 4);
    assert_eq!(cond.inputs.len(), 5);
    assert_eq!(body.inputs.len(), 5);
    assert_eq!(prims(body), ["add", "add", "mul", "mul"]);
    let inputs = [
        Tensor::scalar_f32(1.5),
        tensor(&[2], &[0.0, 1.0]),
        Tensor::scalar_f32(2.0),
    ];
    assert_same_results(&g, &out, &inputs);
}

#[test]
fn dce_keeps_a_carry_only_the_condition_reads() {
    let mut g = loop_with_dead_parts();
    // Return the `z` carry's result instead: now `x`, `y`, `w` and `k` are
    // dead, and `i` is still needed by the condition.
    g.outputs = vec![a(&g.eqns[0].outputs[4].clone())];
    let out = dce(&g);
    let (_, body, n_consts, w) = while_parts(&out);
    assert_eq!(n_consts, 0);
    assert_eq!(w.outputs.len(), 2, "i and z\n{}", print_graph(&out));
    assert_eq!(prims(body), ["add", "cos"]);
    let inputs = [
        Tensor::scalar_f32(1.5),
        tensor(&[2], &[0.0, 1.0]),
        Tensor::scalar_f32(2.0),
    ];
    assert_same_results(&g, &out, &inputs);
}

#[test]
fn dce_removes_a_loop_whose_results_are_unused() {
    let mut g = power_loop();
    g.outputs = vec![a(&g.inputs[1].clone())];
    assert!(dce(&g).eqns.is_empty());
}

#[test]
fn dce_drops_unused_cond_results_and_operands() {
    let (i, x, y) = (var(scalar(DType::I32)), var(f32s(&[])), var(f32s(&[])));
    let branch = |f: UnaryOp| {
        let (p, q) = (var(f32s(&[])), var(f32s(&[])));
        let mut e = Vec::new();
        let r = push(&mut e, Prim::new(Unary(f)), vec![a(&p)], f32s(&[]));
        let s = push(
            &mut e,
            Prim::new(Unary(UnaryOp::Neg)),
            vec![a(&q)],
            f32s(&[]),
        );
        graph(&[&p, &q], e, vec![a(&r), a(&s)])
    };
    let (r, s) = (var(f32s(&[])), var(f32s(&[])));
    let eqn = Eqn {
        prim: Prim::new(Cond {
            branches: vec![branch(UnaryOp::Sin), branch(UnaryOp::Cos)],
        }),
        inputs: vec![a(&i), a(&x), a(&y)],
        outputs: vec![r.clone(), s],
    };
    let g = graph(&[&i, &x, &y], vec![eqn], vec![a(&r)]);
    let out = dce(&g);
    let e = &out.eqns[0];
    assert_eq!(e.inputs.len(), 2, "index and x\n{}", print_graph(&out));
    assert_eq!(e.outputs.len(), 1);
    for b in e.prim.regions() {
        assert_eq!(b.inputs.len(), 1);
        assert_eq!(b.eqns.len(), 1);
    }
    for k in [0, 1, 7] {
        let inputs = [
            Tensor::scalar_i32(k),
            Tensor::scalar_f32(0.5),
            Tensor::scalar_f32(2.0),
        ];
        assert_same_results(&g, &out, &inputs);
    }
}

// ---- common-subexpression elimination ----

#[test]
fn cse_merges_identical_equations() {
    let x = var(f32s(&[3]));
    let mut e = Vec::new();
    let e1 = push(
        &mut e,
        Prim::new(Unary(UnaryOp::Exp)),
        vec![a(&x)],
        f32s(&[3]),
    );
    let e2 = push(
        &mut e,
        Prim::new(Unary(UnaryOp::Exp)),
        vec![a(&x)],
        f32s(&[3]),
    );
    // Equal after the first merge: `add e1, 1` and `add e2, 1` (another buffer).
    let s1 = push(
        &mut e,
        bin(BinaryOp::Add),
        vec![a(&e1), c(tensor(&[3], &[1.0; 3]))],
        f32s(&[3]),
    );
    let s2 = push(
        &mut e,
        bin(BinaryOp::Add),
        vec![a(&e2), c(tensor(&[3], &[1.0; 3]))],
        f32s(&[3]),
    );
    let m = push(&mut e, bin(BinaryOp::Mul), vec![a(&s1), a(&s2)], f32s(&[3]));
    let g = graph(&[&x], e, vec![a(&m), a(&s2)]);
    let out = cse(&g);
    assert_eq!(prims(&out), ["exp", "add", "mul"]);
    assert_eq!(out.outputs[1], a(&s1));
    assert_same_results(&g, &out, &[tensor(&[3], &[0.0, 1.0, -1.0])]);
}

#[test]
fn cse_keeps_different_parameters_and_constants() {
    let x = var(f32s(&[2, 2]));
    let mut e = Vec::new();
    let ty = f32s(&[2, 2]);
    let t1 = push(
        &mut e,
        Prim::new(Transpose { perm: vec![1, 0] }),
        vec![a(&x)],
        ty.clone(),
    );
    let t2 = push(
        &mut e,
        Prim::new(Transpose { perm: vec![0, 1] }),
        vec![a(&x)],
        ty.clone(),
    );
    let p = push(
        &mut e,
        bin(BinaryOp::Div),
        vec![c(Tensor::scalar_f32(1.0)), c(Tensor::scalar_f32(0.0))],
        f32s(&[]),
    );
    let n = push(
        &mut e,
        bin(BinaryOp::Div),
        vec![c(Tensor::scalar_f32(1.0)), c(Tensor::scalar_f32(-0.0))],
        f32s(&[]),
    );
    let d = push(
        &mut e,
        bin(BinaryOp::Div),
        vec![c(Tensor::scalar_f64(1.0)), c(Tensor::scalar_f64(0.0))],
        scalar(DType::F64),
    );
    let g = graph(&[&x], e, vec![a(&t1), a(&t2), a(&p), a(&n), a(&d)]);
    let out = cse(&g);
    assert_eq!(out, g);
}

#[test]
fn cse_does_not_merge_across_regions() {
    let x = var(f32s(&[]));
    let mut e = Vec::new();
    let outer = push(
        &mut e,
        Prim::new(Unary(UnaryOp::Exp)),
        vec![a(&x)],
        f32s(&[]),
    );
    let p = var(f32s(&[]));
    let mut be = Vec::new();
    let inner1 = push(
        &mut be,
        Prim::new(Unary(UnaryOp::Exp)),
        vec![a(&p)],
        f32s(&[]),
    );
    let inner2 = push(
        &mut be,
        Prim::new(Unary(UnaryOp::Exp)),
        vec![a(&p)],
        f32s(&[]),
    );
    let sum2 = push(
        &mut be,
        bin(BinaryOp::Add),
        vec![a(&inner1), a(&inner2)],
        f32s(&[]),
    );
    let branch = graph(&[&p], be, vec![a(&sum2)]);
    let r = push(
        &mut e,
        Prim::new(Cond {
            branches: vec![branch.clone(), branch],
        }),
        vec![c(Tensor::scalar_i32(0)), a(&x)],
        f32s(&[]),
    );
    // Two copies of one branch share variable ids: rename the second.
    let Some(Cond { branches }) = e[1].prim.downcast_mut::<Cond>() else {
        panic!("a cond");
    };
    branches[1] = renamed(&branches[1]);
    let s = push(
        &mut e,
        bin(BinaryOp::Add),
        vec![a(&outer), a(&r)],
        f32s(&[]),
    );
    let g = graph(&[&x], e, vec![a(&s)]);
    verify(&g).expect("valid");
    let out = cse(&g);
    assert_eq!(prims(&out), ["exp", "cond", "add"]);
    for b in out.eqns[1].prim.regions() {
        assert_eq!(prims(b), ["exp", "add"], "merged inside each branch");
    }
    assert_same_results(&g, &out, &[Tensor::scalar_f32(0.25)]);
}

/// A copy of a region without nested regions, with fresh variables.
fn renamed(g: &Graph) -> Graph {
    let mut map = std::collections::HashMap::new();
    let mut fresh = |v: &Var| map.entry(v.id).or_insert_with(|| var(v.ty.clone())).clone();
    let inputs = g.inputs.iter().map(&mut fresh).collect();
    let mut eqns = Vec::new();
    for e in &g.eqns {
        let ins = e
            .inputs
            .iter()
            .map(|x| match x {
                Atom::Var(v) => Atom::Var(fresh(v)),
                k => k.clone(),
            })
            .collect();
        let outs = e.outputs.iter().map(&mut fresh).collect();
        eqns.push(Eqn {
            prim: e.prim.clone(),
            inputs: ins,
            outputs: outs,
        });
    }
    let outputs = g
        .outputs
        .iter()
        .map(|x| match x {
            Atom::Var(v) => Atom::Var(fresh(v)),
            k => k.clone(),
        })
        .collect();
    Graph {
        inputs,
        eqns,
        outputs,
    }
}

// ---- constant folding ----

#[test]
fn folds_chains_of_constants() {
    let x = var(f32s(&[2]));
    let mut e = Vec::new();
    let k = push(
        &mut e,
        bin(BinaryOp::Add),
        vec![c(tensor(&[2], &[1.0, 2.0])), c(tensor(&[2], &[3.0, 4.0]))],
        f32s(&[2]),
    );
    let k2 = push(
        &mut e,
        Prim::new(Unary(UnaryOp::Neg)),
        vec![a(&k)],
        f32s(&[2]),
    );
    let y = push(&mut e, bin(BinaryOp::Mul), vec![a(&x), a(&k2)], f32s(&[2]));
    let g = graph(&[&x], e, vec![a(&y), a(&k2)]);
    let out = fold_constants(&g);
    assert_eq!(prims(&out), ["mul"]);
    assert_eq!(out.eqns[0].inputs[1], c(tensor(&[2], &[-4.0, -6.0])));
    assert_eq!(out.outputs[1], c(tensor(&[2], &[-4.0, -6.0])));
    assert_same_results(&g, &out, &[tensor(&[2], &[0.5, 2.0])]);
}

#[test]
fn folds_inside_regions() {
    let mut g = power_loop();
    let Some(While { body, .. }) = g.eqns[0].prim.downcast_mut::<While>() else {
        panic!("a while");
    };
    // `x * (scale)` becomes `x * (2 * 0.5)`.
    let bx = body.inputs[2].clone();
    let mut e = vec![body.eqns[0].clone()];
    let k = push(
        &mut e,
        bin(BinaryOp::Mul),
        vec![c(Tensor::scalar_f32(2.0)), c(Tensor::scalar_f32(0.5))],
        f32s(&[]),
    );
    let x1 = push(&mut e, bin(BinaryOp::Mul), vec![a(&bx), a(&k)], f32s(&[]));
    body.eqns = e;
    body.outputs[1] = a(&x1);
    let out = fold_constants(&g);
    let (_, body, _, _) = while_parts(&out);
    assert_eq!(prims(body), ["add", "mul"]);
    assert_eq!(body.eqns[1].inputs[1], c(Tensor::scalar_f32(1.0)));
    // The body now ignores `scale`: DCE drops it from the loop.
    let (_, _, n_consts, _) = while_parts(&dce(&out));
    assert_eq!(n_consts, 0);
    assert_same_results(
        &g,
        &simplify(&g),
        &[Tensor::scalar_f32(3.0), Tensor::scalar_f32(2.0)],
    );
}

#[test]
fn does_not_fold_large_results_loops_or_refused_operands() {
    let mut e = Vec::new();
    let iota = |n: usize| {
        Prim::new(Iota {
            shape: vec![n],
            dim: 0,
            dtype: DType::F32,
        })
    };
    let small = push(&mut e, iota(64), vec![], f32s(&[64]));
    let big = push(&mut e, iota(65), vec![], f32s(&[65]));
    // A shape rule violation is left for the verifier to report.
    let bad = push(
        &mut e,
        bin(BinaryOp::Add),
        vec![c(tensor(&[2], &[1.0, 2.0])), c(Tensor::scalar_f32(1.0))],
        f32s(&[2]),
    );
    let g = graph(&[], e, vec![a(&small), a(&big), a(&bad)]);
    let out = fold_constants(&g);
    assert_eq!(prims(&out), ["iota", "add"]);
    assert!(matches!(&out.outputs[0], Atom::Const(t) if t.size() == 64));

    let mut lp = power_loop();
    lp.eqns[0].inputs = vec![
        c(Tensor::scalar_f32(2.0)),
        c(Tensor::scalar_i32(0)),
        c(Tensor::scalar_f32(1.0)),
    ];
    assert_eq!(prims(&fold_constants(&lp)), ["while"]);
}

// ---- forwarding ----

#[test]
fn forwards_equations_that_change_nothing() {
    let x = var(f32s(&[2, 2]));
    let ty = f32s(&[2, 2]);
    let mut e = Vec::new();
    let r = push(
        &mut e,
        Prim::new(Reshape { shape: vec![2, 2] }),
        vec![a(&x)],
        ty.clone(),
    );
    let t = push(
        &mut e,
        Prim::new(Transpose { perm: vec![0, 1] }),
        vec![a(&r)],
        ty.clone(),
    );
    let b = push(
        &mut e,
        Prim::new(Broadcast {
            shape: vec![2, 2],
            dims: vec![0, 1],
        }),
        vec![a(&t)],
        ty.clone(),
    );
    let v = push(
        &mut e,
        Prim::new(Convert(DType::F32)),
        vec![a(&b)],
        ty.clone(),
    );
    let swapped = push(
        &mut e,
        Prim::new(Transpose { perm: vec![1, 0] }),
        vec![a(&v)],
        ty.clone(),
    );
    let flipped = push(
        &mut e,
        Prim::new(Broadcast {
            shape: vec![2, 2],
            dims: vec![1, 0],
        }),
        vec![a(&v)],
        ty.clone(),
    );
    let g = graph(&[&x], e, vec![a(&swapped), a(&flipped), a(&v)]);
    let out = forward_trivial(&g);
    assert_eq!(prims(&out), ["transpose", "broadcast_in_dim"]);
    assert_eq!(out.eqns[0].inputs[0], a(&x));
    assert_eq!(out.outputs[2], a(&x));
    assert_same_results(&g, &out, &[tensor(&[2, 2], &[1.0, 2.0, 3.0, 4.0])]);
}

// ---- everything together ----

#[test]
fn simplify_reaches_a_fixed_point() {
    let x = var(f32s(&[3]));
    let mut e = Vec::new();
    let two = push(
        &mut e,
        bin(BinaryOp::Add),
        vec![c(Tensor::scalar_f32(1.0)), c(Tensor::scalar_f32(1.0))],
        f32s(&[]),
    );
    let b1 = push(
        &mut e,
        Prim::new(Broadcast {
            shape: vec![3],
            dims: vec![],
        }),
        vec![a(&two)],
        f32s(&[3]),
    );
    let r = push(
        &mut e,
        Prim::new(Reshape { shape: vec![3] }),
        vec![a(&x)],
        f32s(&[3]),
    );
    let m1 = push(&mut e, bin(BinaryOp::Mul), vec![a(&r), a(&b1)], f32s(&[3]));
    let m2 = push(&mut e, bin(BinaryOp::Mul), vec![a(&x), a(&b1)], f32s(&[3]));
    let _unused = push(
        &mut e,
        Prim::new(Unary(UnaryOp::Exp)),
        vec![a(&m2)],
        f32s(&[3]),
    );
    let s = push(&mut e, bin(BinaryOp::Sub), vec![a(&m1), a(&m2)], f32s(&[3]));
    let g = graph(&[&x], e, vec![a(&s)]);
    let out = simplify(&g);
    let expected = "\
graph(%0: f32[3]) -> (f32[3]) {
  %1: f32[3] = mul %0, [2.0, 2.0, 2.0]:f32[3]
  %2: f32[3] = sub %1, %1
  return %2
}
";
    assert_eq!(print_graph(&out), expected);
    assert_eq!(simplify(&out), out);
    assert_same_results(&g, &out, &[tensor(&[3], &[1.0, f32::INFINITY, -2.0])]);
}

#[test]
fn simplify_keeps_the_function_of_a_loop() {
    let g = loop_with_dead_parts();
    let out = simplify(&g);
    assert!(out.size() < g.size());
    let inputs = [
        Tensor::scalar_f32(0.5),
        tensor(&[2], &[3.0, 4.0]),
        Tensor::scalar_f32(-1.0),
    ];
    assert_same_results(&g, &out, &inputs);
}

// ---- random graphs ----

/// One step of a random straight-line program over `f32[2, 2]` values:
/// `(op, lhs, rhs)`, operands picking earlier values or small constants.
type Step = (u8, usize, usize);

/// Builds a graph from random steps. Few distinct operands and constants
/// make duplicates (for CSE), constant-only equations (for folding), no-op
/// reshapes and transposes (for forwarding) and unused values (for DCE).
fn random_graph(steps: &[Step], outputs: &[usize]) -> Graph {
    let ty = f32s(&[2, 2]);
    let (x, y) = (var(ty.clone()), var(ty.clone()));
    let consts = [
        c(tensor(&[2, 2], &[1.0, 2.0, 3.0, 4.0])),
        c(tensor(&[2, 2], &[0.5, -1.0, 0.0, 2.0])),
    ];
    let mut values = vec![a(&x), a(&y), consts[0].clone(), consts[1].clone()];
    let mut e = Vec::new();
    for &(op, l, r) in steps {
        let (l, r) = (
            values[l % values.len()].clone(),
            values[r % values.len()].clone(),
        );
        let prim = match op % 7 {
            0 => bin(BinaryOp::Add),
            1 => bin(BinaryOp::Mul),
            2 => bin(BinaryOp::Sub),
            3 => Prim::new(Unary(UnaryOp::Sin)),
            4 => Prim::new(Transpose { perm: vec![1, 0] }),
            5 => Prim::new(Transpose { perm: vec![0, 1] }),
            _ => Prim::new(Reshape { shape: vec![2, 2] }),
        };
        let inputs = if op % 7 < 3 { vec![l, r] } else { vec![l] };
        let out = push(&mut e, prim, inputs, ty.clone());
        values.push(a(&out));
    }
    let outs = outputs
        .iter()
        .map(|&i| values[i % values.len()].clone())
        .collect();
    graph(&[&x, &y], e, outs)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn passes_preserve_results_on_random_graphs(
        steps in proptest::collection::vec((0u8..7, 0usize..64, 0usize..64), 1..24),
        outputs in proptest::collection::vec(0usize..64, 1..4),
    ) {
        let g = random_graph(&steps, &outputs);
        let inputs = [tensor(&[2, 2], &[0.3, -1.5, 2.0, 0.0]), tensor(&[2, 2], &[1.0, 4.0, -2.0, 0.25])];
        for pass in [dce, cse, fold_constants, forward_trivial, simplify] {
            let out = pass(&g);
            proptest::prop_assert!(out.size() <= g.size());
            assert_same_results(&g, &out, &inputs);
        }
        let s = simplify(&g);
        proptest::prop_assert_eq!(print_graph(&simplify(&s)), print_graph(&s));
    }
}

// ---- scans ----

/// The f64 forward scan sample: `acc = acc * c + x; y = sin(acc) * x`.
fn scan_sample() -> nest::prims::samples::Sample {
    nest::prims::samples::samples()
        .into_iter()
        .find(|s| {
            s.prim.downcast_ref::<Scan>().is_some_and(|s| !s.reverse)
                && s.inputs[0].dtype() == DType::F64
        })
        .expect("a scan sample")
}

fn scan_body(g: &Graph) -> &Graph {
    let scan = (g.eqns.iter())
        .find_map(|e| e.prim.downcast_ref::<Scan>())
        .expect("a scan");
    &scan.body
}

#[test]
fn dce_drops_a_scans_unused_stacked_outputs() {
    let s = scan_sample();
    let mut g = s.graph().expect("sample graph");
    // Keep only the final carry: the stacked `y` and its `sin` go.
    g.outputs.truncate(1);
    let pruned = dce(&g);
    verify(&pruned).expect("valid");
    let body = scan_body(&pruned);
    assert_eq!(body.outputs.len(), 1);
    assert!(!prims(body).contains(&"sin"), "{}", print_graph(&pruned));
    // The stacked input is still read by the carry's update.
    assert_eq!(pruned.eqns[0].inputs.len(), 3);
    assert_same_results(&g, &pruned, &s.inputs);
}

#[test]
fn hoisting_moves_loop_invariants_out_of_a_scan() {
    // The sample's body with `c * c` (invariant) in place of `c`.
    let s = scan_sample();
    let Some(Scan {
        body,
        n_consts,
        n_carries,
        length,
        reverse,
    }) = s.prim.downcast_ref::<Scan>()
    else {
        unreachable!()
    };
    let mut body = (**body).clone();
    let c_var = body.inputs[0].clone();
    let mut eqns = vec![];
    let cc = push(
        &mut eqns,
        bin(BinaryOp::Mul),
        vec![a(&c_var), a(&c_var)],
        c_var.ty.clone(),
    );
    for e in &mut body.eqns {
        for x in &mut e.inputs {
            if x.as_var().map(|v| v.id) == Some(c_var.id) {
                *x = a(&cc);
            }
        }
    }
    eqns.append(&mut body.eqns);
    body.eqns = eqns;
    let prim = Prim::new(Scan {
        body: Box::new(body),
        n_consts: *n_consts,
        n_carries: *n_carries,
        length: *length,
        reverse: *reverse,
    });
    let g = nest::prims::samples::Sample {
        prim,
        inputs: s.inputs.clone(),
        note: "",
    }
    .graph()
    .expect("graph");
    let hoisted = nest::ir::simplify::hoist(&g);
    verify(&hoisted).expect("valid");
    assert_eq!(
        prims(&hoisted),
        vec!["mul", "scan"],
        "{}",
        print_graph(&hoisted)
    );
    assert_eq!(
        prims(scan_body(&hoisted))
            .iter()
            .filter(|p| **p == "mul")
            .count(),
        2
    );
    assert_same_results(&g, &hoisted, &s.inputs);
}

fn ids(g: &Graph, out: &mut std::collections::HashSet<nest::ir::VarId>) {
    out.extend(g.inputs.iter().map(|v| v.id));
    for e in &g.eqns {
        out.extend(e.outputs.iter().map(|v| v.id));
        for r in e.prim.regions() {
            ids(r, out);
        }
    }
}

// ---- fresh copies ----

#[test]
fn a_copy_shares_no_variable_and_computes_the_same() {
    for s in nest::prims::samples::samples()
        .iter()
        .filter(|s| !s.prim.regions().is_empty())
    {
        let g = s.graph().unwrap();
        let c = g.fresh_copy();
        let (mut a, mut b) = (
            std::collections::HashSet::new(),
            std::collections::HashSet::new(),
        );
        ids(&g, &mut a);
        ids(&c, &mut b);
        assert!(a.is_disjoint(&b), "{}", s.prim.name());
        let both = Graph {
            inputs: [g.inputs.clone(), c.inputs.clone()].concat(),
            eqns: [g.eqns.clone(), c.eqns.clone()].concat(),
            outputs: [g.outputs.clone(), c.outputs.clone()].concat(),
        };
        verify(&both).unwrap();
        let evaluable = |g: &Graph| nest::transform::evaluable::evaluable(g).unwrap();
        let run = |g: &Graph| run_graph(&evaluable(g), &s.inputs).unwrap();
        assert_eq!(run(&g), run(&c));
    }
}
