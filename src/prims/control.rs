//! Control flow: while loops and conditionals, with nested graphs.
//!
//! `while` follows StableHLO `while` (the loop-invariant operands are passed
//! first, as `n_consts` extra inputs of both regions); `cond` follows
//! StableHLO `case`: an index outside `[0, branches)` runs the last branch.

use crate::interp::run_graph;
use crate::ir::emit::{Emitter, Value};
use crate::ir::Graph;
use crate::ir::PrimError;
use crate::ir::RuleResult;
use crate::tensor::{Data, Tensor};
use crate::types::{DType, TensorType};

pub fn infer_while(
    cond: &Graph,
    body: &Graph,
    n_consts: usize,
    inputs: &[TensorType],
) -> RuleResult<Vec<TensorType>> {
    if n_consts > inputs.len() {
        return Err(format!(
            "while has {} operand(s) but declares {} loop-invariant one(s)",
            inputs.len(),
            n_consts
        )
        .into());
    }
    let carries = &inputs[n_consts..];
    check_types("while condition inputs", &cond.input_types(), inputs)?;
    check_types(
        "while condition result",
        &cond.output_types(),
        &[TensorType::scalar(DType::Bool)],
    )?;
    check_types("while body inputs", &body.input_types(), inputs)?;
    check_types("while body results", &body.output_types(), carries)?;
    Ok(carries.to_vec())
}

pub fn eval_while(
    cond: &Graph,
    body: &Graph,
    n_consts: usize,
    inputs: &[Tensor],
) -> RuleResult<Vec<Tensor>> {
    let consts = inputs.get(..n_consts).ok_or("too few operands")?;
    let mut args = inputs.to_vec();
    while scalar_bool(&run_graph(cond, &args)?)? {
        let carries = run_graph(body, &args)?;
        args.truncate(consts.len());
        args.extend(carries);
    }
    Ok(args.split_off(n_consts))
}

pub fn infer_cond(branches: &[Graph], inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    let (index, operands) = inputs
        .split_first()
        .ok_or("cond takes an index operand, got none")?;
    if *index != TensorType::scalar(DType::I32) {
        return Err(format!("cond index must be i32[], got {}", index).into());
    }
    let first = branches.first().ok_or("cond needs at least one branch")?;
    let results = first.output_types();
    for (i, branch) in branches.iter().enumerate() {
        check_types(
            &format!("cond branch {} inputs", i),
            &branch.input_types(),
            operands,
        )?;
        check_types(
            &format!("cond branch {} results", i),
            &branch.output_types(),
            &results,
        )?;
    }
    Ok(results)
}

pub fn eval_cond(branches: &[Graph], inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let (index, operands) = inputs.split_first().ok_or("missing index operand")?;
    let index = index
        .as_int_scalar()
        .ok_or("index is not an integer scalar")?;
    // StableHLO `case`: an index outside [0, n) selects the last branch.
    let chosen = usize::try_from(index)
        .ok()
        .and_then(|i| branches.get(i))
        .or_else(|| branches.last())
        .ok_or("cond has no branches")?;
    run_graph(chosen, operands)
}

/// The value of a `bool[]` result list of one element.
fn scalar_bool(results: &[Tensor]) -> RuleResult<bool> {
    match results {
        [t] if t.shape().is_empty() => match t.data() {
            Data::Bool(v) => v.first().copied().ok_or_else(|| "empty predicate".into()),
            _ => Err(format!("condition returned {}, expected bool[]", t.ty()).into()),
        },
        _ => Err(format!(
            "condition returned {} values, expected one bool[]",
            results.len()
        )
        .into()),
    }
}

/// Checks that a region's types equal the expected ones, naming what differs.
pub(crate) fn check_types(
    what: &str,
    got: &[TensorType],
    expected: &[TensorType],
) -> RuleResult<()> {
    if got.len() != expected.len() {
        return Err(format!(
            "{}: expected {} value(s) {}, got {} {}",
            what,
            expected.len(),
            list(expected),
            got.len(),
            list(got)
        )
        .into());
    }
    for (i, (g, e)) in got.iter().zip(expected).enumerate() {
        if g != e {
            return Err(format!("{}: value {} has type {}, expected {}", what, i, g, e).into());
        }
    }
    Ok(())
}

/// `(f32[3], i32[])`.
fn list(types: &[TensorType]) -> String {
    let parts: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    format!("({})", parts.join(", "))
}

// ---------------------------------------------------------------- helpers of the rules

/// `(xs[..n], xs[n..])`, or `None` if `xs` is shorter than `n`.
pub(crate) fn split<T>(xs: &[T], n: usize) -> Option<(&[T], &[T])> {
    (n <= xs.len()).then(|| xs.split_at(n))
}

/// `Some` of the next value for each marked position, `None` elsewhere.
pub(crate) fn spread<T: Clone>(values: &[T], marked: &[bool]) -> Vec<Option<T>> {
    let mut it = values.iter();
    (marked.iter())
        .map(|&m| if m { it.next().cloned() } else { None })
        .collect()
}

// ---------------------------------------------------------------- lowering

/// `stablehlo.while` over all the inputs: both regions take the constants
/// and the carries, and the body returns the constants unchanged before
/// the new carries. The results past the constants are the outputs.
pub fn lower_while(
    cond: &Graph,
    body: &Graph,
    n_consts: usize,
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let args: Vec<&Value> = inputs.iter().collect();
    let types: Vec<TensorType> = inputs.iter().map(|v| v.ty.clone()).collect();
    let regions = [types.clone(), types.clone()];
    let results = em.region_op(
        "stablehlo.while",
        &args,
        &regions,
        "",
        &types,
        &mut |em, r, block| {
            if r == 0 {
                return em.lower_graph(cond, block);
            }
            let carries = em.lower_graph(body, block)?;
            Ok(block
                .iter()
                .take(n_consts)
                .cloned()
                .chain(carries)
                .collect())
        },
    )?;
    let finals: Vec<Value> = results.into_iter().skip(n_consts).collect();
    if finals.len() != outs.len() {
        return Err(PrimError::internal(
            "while results do not match its carries",
        ));
    }
    Ok(finals)
}

/// `stablehlo.case` on the `i32` index; its branches read the operands
/// from the enclosing scope. An out-of-range index runs the last branch in
/// both StableHLO and the kernel.
pub fn lower_cond(
    branches: &[Graph],
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let (index, operands) = inputs
        .split_first()
        .ok_or_else(|| PrimError::internal("cond has no index"))?;
    let regions = vec![vec![]; branches.len()];
    em.region_op(
        "stablehlo.case",
        &[index],
        &regions,
        "",
        outs,
        &mut |em, r, _| {
            let branch = branches
                .get(r)
                .ok_or_else(|| PrimError::internal("no such branch"))?;
            em.lower_graph(branch, operands)
        },
    )
}

// ---- JVP rules: in `control/jvp.rs`; `scan`: in `control/scan.rs` ----

mod jvp;
mod partial_eval;
mod scan;
mod stage;
mod transpose;
use crate::ir::transforms::pick;
pub use jvp::{jvp_cond, jvp_scan, jvp_while};
pub use partial_eval::{partial_eval_cond, partial_eval_scan, partial_eval_while};
pub use scan::{as_while, eval_scan, infer_scan, lower_scan};
pub use stage::{stage_cond, stage_scan, stage_while};
pub use transpose::{transpose_cond, transpose_scan};

// ---- batching rules: in `control/batch.rs` ----

mod batch;
pub use batch::{batch_cond, batch_scan, batch_while};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ir::{fresh_var, Atom, Eqn, Var};
    use crate::prims::{Binary, Compare, DotGeneral, Prim};

    fn ty(d: DType, s: &[usize]) -> TensorType {
        TensorType::new(d, s.to_vec())
    }

    /// A graph over inputs of `types` that returns its inputs picked by `outs`.
    fn passthrough(types: &[TensorType], outs: &[usize]) -> Graph {
        let inputs: Vec<Var> = types.iter().map(|t| fresh_var(t.clone())).collect();
        let outputs = outs.iter().map(|&i| Atom::Var(inputs[i].clone())).collect();
        Graph {
            inputs,
            eqns: vec![],
            outputs,
        }
    }

    /// A graph returning constants, ignoring its inputs.
    fn constant(types: &[TensorType], outs: Vec<Tensor>) -> Graph {
        Graph {
            inputs: types.iter().map(|t| fresh_var(t.clone())).collect(),
            eqns: vec![],
            outputs: outs.into_iter().map(Atom::Const).collect(),
        }
    }

    #[test]
    fn while_infer_checks_regions() {
        let f = ty(DType::F32, &[3]);
        let b = TensorType::scalar(DType::Bool);
        let ins = [f.clone(), f.clone()];
        let cond = constant(&ins, vec![Tensor::scalar_bool(false)]);
        let body = passthrough(&ins, &[1]);
        assert_eq!(infer_while(&cond, &body, 1, &ins), Ok(vec![f.clone()]));
        // Body returning the const and the carry: one value too many.
        let bad_body = passthrough(&ins, &[0, 1]);
        let err = infer_while(&cond, &bad_body, 1, &ins)
            .unwrap_err()
            .to_string();
        assert!(err.contains("while body results"), "{}", err);
        // Condition returning f32.
        let bad_cond = passthrough(&ins, &[0]);
        let err = infer_while(&bad_cond, &body, 1, &ins)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("condition result") && err.contains("f32[3]"),
            "{}",
            err
        );
        let err = infer_while(&cond, &body, 3, &ins).unwrap_err().to_string();
        assert!(err.contains("loop-invariant"), "{}", err);
        let err = infer_while(&cond, &body, 0, &[f, b])
            .unwrap_err()
            .to_string();
        assert!(err.contains("while condition inputs"), "{}", err);
    }

    #[test]
    fn while_with_false_condition_returns_initial_carries() {
        let u = TensorType::scalar(DType::U32);
        let cond = constant(std::slice::from_ref(&u), vec![Tensor::scalar_bool(false)]);
        let body = passthrough(std::slice::from_ref(&u), &[0]);
        let x = Tensor::new(vec![], Data::U32(vec![7])).unwrap();
        let out = eval_while(&cond, &body, 0, std::slice::from_ref(&x)).unwrap();
        assert_eq!(out, vec![x]);
    }

    #[test]
    fn while_runs_body_until_condition_fails() {
        // Carry (i: u32[], go: bool[]); cond returns `go`; body sets i = 5, go = false.
        let u = TensorType::scalar(DType::U32);
        let b = TensorType::scalar(DType::Bool);
        let cond = passthrough(&[u.clone(), b.clone()], &[1]);
        let body = Graph {
            inputs: vec![fresh_var(u.clone()), fresh_var(b.clone())],
            eqns: vec![],
            outputs: vec![
                Atom::Const(Tensor::new(vec![], Data::U32(vec![5])).unwrap()),
                Atom::Const(Tensor::scalar_bool(false)),
            ],
        };
        let i0 = Tensor::new(vec![], Data::U32(vec![0])).unwrap();
        let out = eval_while(&cond, &body, 0, &[i0, Tensor::scalar_bool(true)]).unwrap();
        assert_eq!(out[0].as_int_scalar(), Some(5));
        assert_eq!(out[1], Tensor::scalar_bool(false));
    }

    #[test]
    fn while_with_consts_passes_them_to_every_iteration() {
        // Loop on a dot product: carry v: f64[2] -> m @ v, with m a const; cond
        // stops after the first iteration because it reads a const `false` carry.
        let m_ty = ty(DType::F64, &[2, 2]);
        let v_ty = ty(DType::F64, &[2]);
        let b = TensorType::scalar(DType::Bool);
        let ins = [m_ty.clone(), v_ty.clone(), b.clone()];
        let body_in: Vec<Var> = ins.iter().map(|t| fresh_var(t.clone())).collect();
        let mv = fresh_var(v_ty.clone());
        let body = Graph {
            eqns: vec![Eqn {
                prim: Prim::new(DotGeneral {
                    lhs_batch: vec![],
                    rhs_batch: vec![],
                    lhs_contract: vec![1],
                    rhs_contract: vec![0],
                }),
                inputs: vec![Atom::Var(body_in[0].clone()), Atom::Var(body_in[1].clone())],
                outputs: vec![mv.clone()],
            }],
            outputs: vec![Atom::Var(mv), Atom::Const(Tensor::scalar_bool(false))],
            inputs: body_in,
        };
        let cond = passthrough(&ins, &[2]);
        let prim = Prim::new(While {
            cond: Box::new(cond),
            body: Box::new(body),
            n_consts: 1,
            trip_count: None,
            span: None,
        });
        assert_eq!(prim.infer(&ins), Ok(vec![v_ty, b]));
        let m = Tensor::new(vec![2, 2], Data::F64(vec![0.0, 1.0, 1.0, 0.0])).unwrap();
        let v = Tensor::new(vec![2], Data::F64(vec![3.0, 4.0])).unwrap();
        let out = prim.eval(&[m, v, Tensor::scalar_bool(true)]).unwrap();
        assert_eq!(out[0].to_f64_vec(), vec![4.0, 3.0]);
    }

    fn branches() -> Vec<Graph> {
        let f = TensorType::scalar(DType::F32);
        (0..3)
            .map(|i| constant(std::slice::from_ref(&f), vec![Tensor::scalar_f32(i as f32)]))
            .collect()
    }

    #[test]
    fn cond_picks_branch_and_clamps_out_of_range_to_last() {
        let br = branches();
        let x = Tensor::scalar_f32(9.0);
        for (index, expected) in [(0, 0.0), (1, 1.0), (2, 2.0), (3, 2.0), (-1, 2.0), (99, 2.0)] {
            let out = eval_cond(&br, &[Tensor::scalar_i32(index), x.clone()]).unwrap();
            assert_eq!(out, vec![Tensor::scalar_f32(expected)], "index {}", index);
        }
    }

    #[test]
    fn cond_infer_checks_index_and_branches() {
        let f = TensorType::scalar(DType::F32);
        let i = TensorType::scalar(DType::I32);
        let br = branches();
        assert_eq!(
            infer_cond(&br, &[i.clone(), f.clone()]),
            Ok(vec![f.clone()])
        );
        let err = infer_cond(&br, &[TensorType::scalar(DType::I64), f.clone()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("index must be i32[]"), "{}", err);
        let err = infer_cond(&br, &[i.clone(), ty(DType::F32, &[2])])
            .unwrap_err()
            .to_string();
        assert!(err.contains("branch 0 inputs"), "{}", err);
        let mut mixed = branches();
        mixed[2] = constant(std::slice::from_ref(&f), vec![Tensor::scalar_f64(1.0)]);
        let err = infer_cond(&mixed, &[i.clone(), f.clone()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("branch 2 results") && err.contains("f64[]"),
            "{}",
            err
        );
        let err = infer_cond(&[], &[i.clone(), f]).unwrap_err().to_string();
        assert!(err.contains("at least one branch"), "{}", err);
        assert!(infer_cond(&br, &[]).is_err());
    }

    /// An operand of a test equation: a graph input or a constant.
    enum Arg {
        In(usize),
        Const(Tensor),
    }

    /// Fresh inputs of `types` and the equation `prim(a, b)` over them.
    fn binary(types: &[TensorType], prim: Prim, a: Arg, b: Arg) -> (Vec<Var>, Eqn) {
        let inputs: Vec<Var> = types.iter().map(|t| fresh_var(t.clone())).collect();
        let atom = |arg| match arg {
            Arg::In(i) => Atom::Var(inputs[i].clone()),
            Arg::Const(t) => Atom::Const(t),
        };
        let (a, b) = (atom(a), atom(b));
        let out_ty = prim.infer(&[a.ty(), b.ty()]).unwrap().remove(0);
        let eqn = Eqn {
            prim,
            inputs: vec![a, b],
            outputs: vec![fresh_var(out_ty)],
        };
        (inputs, eqn)
    }

    #[test]
    fn while_loop_doubles_until_counter_reaches_limit() {
        use crate::prims::{BinaryOp, Cmp};
        // consts: n: i32[]; carries: i: i32[], x: f32[2].
        // cond: i < n;  body: (i + 1, x + x).  Result: (n, x * 2^n).
        let (i32_, f32_2) = (TensorType::scalar(DType::I32), ty(DType::F32, &[2]));
        let types = [i32_.clone(), i32_.clone(), f32_2.clone()];
        let (cin, lt) = binary(&types, Prim::new(Compare(Cmp::Lt)), Arg::In(1), Arg::In(0));
        let cond = Graph {
            outputs: vec![Atom::Var(lt.outputs[0].clone())],
            eqns: vec![lt],
            inputs: cin,
        };
        let one = Arg::Const(Tensor::scalar_i32(1));
        let (bin, inc) = binary(&types, Prim::new(Binary(BinaryOp::Add)), Arg::In(1), one);
        let x = Atom::Var(bin[2].clone());
        let doubled = fresh_var(f32_2.clone());
        let dbl = Eqn {
            prim: Prim::new(Binary(BinaryOp::Add)),
            inputs: vec![x.clone(), x],
            outputs: vec![doubled.clone()],
        };
        let body = Graph {
            outputs: vec![Atom::Var(inc.outputs[0].clone()), Atom::Var(doubled)],
            eqns: vec![inc, dbl],
            inputs: bin,
        };
        let prim = Prim::new(While {
            cond: Box::new(cond),
            body: Box::new(body),
            n_consts: 1,
            trip_count: None,
            span: None,
        });
        assert_eq!(prim.infer(&types), Ok(vec![i32_, f32_2]));
        let x0 = Tensor::new(vec![2], Data::F32(vec![1.0, -0.5])).unwrap();
        let out = prim
            .eval(&[Tensor::scalar_i32(10), Tensor::scalar_i32(0), x0.clone()])
            .unwrap();
        assert_eq!(out[0], Tensor::scalar_i32(10));
        assert_eq!(out[1].to_f64_vec(), vec![1024.0, -512.0]);
        // A limit already reached runs the body zero times.
        let out = prim
            .eval(&[Tensor::scalar_i32(0), Tensor::scalar_i32(3), x0.clone()])
            .unwrap();
        assert_eq!(out, vec![Tensor::scalar_i32(3), x0]);
    }

    #[test]
    fn cond_runs_arithmetic_branches() {
        use crate::prims::BinaryOp;
        let f = ty(DType::F64, &[2]);
        let branch = |op| {
            let (inputs, eqn) = binary(
                std::slice::from_ref(&f),
                Prim::new(Binary(op)),
                Arg::In(0),
                Arg::Const(f64s(&[2.0, 3.0])),
            );
            Graph {
                outputs: vec![Atom::Var(eqn.outputs[0].clone())],
                eqns: vec![eqn],
                inputs,
            }
        };
        let prim = Prim::new(Cond {
            branches: vec![branch(BinaryOp::Add), branch(BinaryOp::Mul)],
        });
        let i = TensorType::scalar(DType::I32);
        assert_eq!(prim.infer(&[i, f.clone()]), Ok(vec![f]));
        let x = f64s(&[1.0, 4.0]);
        let run = |k| prim.eval(&[Tensor::scalar_i32(k), x.clone()]).unwrap()[0].to_f64_vec();
        assert_eq!(run(0), vec![3.0, 7.0]);
        assert_eq!(run(1), vec![2.0, 12.0]);
        assert_eq!(run(-5), vec![2.0, 12.0]);
    }

    fn f64s(v: &[f64]) -> Tensor {
        Tensor::new(vec![v.len()], Data::F64(v.to_vec())).unwrap()
    }
}

mod prune;
mod rules;
pub use rules::*;
