//! Tests of the shape primitives' rules and kernels.

use super::*;

fn t(shape: &[usize], data: Data) -> Tensor {
    Tensor::new(shape.to_vec(), data).expect("test tensor")
}
fn ty(d: DType, shape: &[usize]) -> TensorType {
    TensorType::new(d, shape.to_vec())
}
fn one(r: RuleResult<Vec<Tensor>>) -> Tensor {
    let mut out = r.expect("kernel result");
    assert_eq!(out.len(), 1);
    out.pop().expect("one output")
}
/// `0, 1, .., n-1` as f32 of `shape`.
fn count(shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    t(shape, Data::F32((0..n).map(|i| i as f32).collect()))
}
fn f32s(v: &[f32]) -> Data {
    Data::F32(v.to_vec())
}
/// The message of a user error (a broken invariant fails the test).
fn err(r: RuleResult<Vec<TensorType>>) -> String {
    match r.expect_err("must fail") {
        PrimError::Invalid(m) => m,
        e @ PrimError::Internal(_) => panic!("not a user error: {}", e),
    }
}

#[test]
fn broadcast_values() {
    let x = t(&[3], f32s(&[1.0, 2.0, 3.0]));
    let rows = one(eval_broadcast(&[2, 3], &[1], std::slice::from_ref(&x)));
    assert_eq!(rows.data(), &f32s(&[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]));
    let cols = one(eval_broadcast(&[3, 2], &[0], &[x]));
    assert_eq!(cols.data(), &f32s(&[1.0, 1.0, 2.0, 2.0, 3.0, 3.0]));
    let unit = t(&[1, 2], Data::I64(vec![7, 8]));
    let b = one(eval_broadcast(&[2, 2], &[0, 1], &[unit]));
    assert_eq!(
        (b.shape(), b.data()),
        (&[2, 2][..], &Data::I64(vec![7, 8, 7, 8]))
    );
    let s = one(eval_broadcast(&[2], &[], &[Tensor::scalar_bool(true)]));
    assert_eq!(s.data(), &Data::Bool(vec![true, true]));
}

#[test]
fn broadcast_rules() {
    let x = [ty(DType::F32, &[3])];
    assert_eq!(
        infer_broadcast(&[2, 3], &[1], &x),
        Ok(vec![ty(DType::F32, &[2, 3])])
    );
    assert_eq!(
        err(infer_broadcast(&[2, 3], &[0], &x)),
        "broadcast_in_dim: dim 0 of f32[3] (size 3) cannot broadcast to dim 0 of [2, 3] (size 2)"
    );
    assert_eq!(
        err(infer_broadcast(&[3], &[1], &x)),
        "broadcast_in_dim: dim 1 is out of range for shape [3]"
    );
    assert_eq!(
        err(infer_broadcast(&[3], &[], &x)),
        "broadcast_in_dim: dims [] must give one output dim for each of the 1 dims of f32[3]"
    );
    let m = [ty(DType::F32, &[1, 1])];
    assert_eq!(
        err(infer_broadcast(&[2, 2], &[1, 1], &m)),
        "broadcast_in_dim: dims [1, 1] must be distinct"
    );
    let huge = [usize::MAX, 2];
    assert!(infer_broadcast(&huge, &[], &[ty(DType::F32, &[])]).is_err());
    assert!(infer_broadcast(&[2], &[], &[]).is_err());
}

#[test]
fn reshape_and_transpose() {
    let r = one(eval_reshape(&[3, 2], &[count(&[2, 3])]));
    assert_eq!((r.shape(), r.data()), (&[3, 2][..], count(&[6]).data()));
    assert_eq!(
        err(infer_reshape(&[4], &[ty(DType::F32, &[2, 3])])),
        "reshape: cannot reshape f32[2, 3] (6 elements) to [4] (4 elements)"
    );
    let tr = one(eval_transpose(&[1, 0], &[count(&[2, 3])]));
    assert_eq!(tr.shape(), &[3, 2]);
    assert_eq!(tr.data(), &f32s(&[0.0, 3.0, 1.0, 4.0, 2.0, 5.0]));
    // out[i, j, k] = x[j, k, i] = 12 j + 4 k + i for x = count([2, 3, 4])
    let tr = one(eval_transpose(&[2, 0, 1], &[count(&[2, 3, 4])]));
    assert_eq!(tr.shape(), &[4, 2, 3]);
    let mut want = vec![];
    for i in 0..4 {
        for j in 0..2 {
            for k in 0..3 {
                want.push((12 * j + 4 * k + i) as f32);
            }
        }
    }
    assert_eq!(tr.data(), &Data::F32(want));
    let x = [ty(DType::I32, &[2, 3])];
    assert_eq!(
        err(infer_transpose(&[0, 0], &x)),
        "transpose: [0, 0] is not a permutation of the 2 dims of i32[2, 3]"
    );
    assert!(infer_transpose(&[0], &x).is_err());
    assert!(infer_transpose(&[0, 2], &x).is_err());
}

#[test]
fn static_slices() {
    // rows 0, 2 and columns 1, 3 of count([3, 4])
    let s = one(eval_slice(&[0, 1], &[3, 4], &[2, 2], &[count(&[3, 4])]));
    assert_eq!(
        (s.shape(), s.data()),
        (&[2, 2][..], &f32s(&[1.0, 3.0, 9.0, 11.0]))
    );
    let e = one(eval_slice(&[2], &[2], &[1], &[count(&[4])]));
    assert_eq!(e.shape(), &[0]);
    let x = [ty(DType::F32, &[2, 3])];
    assert_eq!(
        infer_slice(&[0, 0], &[2, 3], &[1, 2], &x),
        Ok(vec![ty(DType::F32, &[2, 2])])
    );
    assert_eq!(
        err(infer_slice(&[0, 2], &[2, 4], &[1, 1], &x)),
        "slice: [2, 4) is out of bounds for dim 1 of f32[2, 3]"
    );
    assert_eq!(
        err(infer_slice(&[1, 0], &[0, 3], &[1, 1], &x)),
        "slice: [1, 0) is out of bounds for dim 0 of f32[2, 3]"
    );
    assert_eq!(
        err(infer_slice(&[0, 0], &[2, 3], &[1, 0], &x)),
        "slice: stride in dim 1 must be at least 1, got 0"
    );
    assert_eq!(
        err(infer_slice(&[0], &[2, 3], &[1, 1], &x)),
        "slice: start, limit and stride need 2 entries each for f32[2, 3], got 1, 2 and 2"
    );
}

#[test]
fn dynamic_slices_clamp() {
    let x = count(&[3, 4]);
    // start (2, -1) clamps to (1, 0): rows 1-2, columns 0-1
    let idx = [Tensor::scalar_i32(2), Tensor::scalar_i32(-1)];
    let s = one(eval_dynamic_slice(
        &[2, 2],
        &[x.clone(), idx[0].clone(), idx[1].clone()],
    ));
    assert_eq!(s.data(), &f32s(&[4.0, 5.0, 8.0, 9.0]));
    let at = [x, Tensor::scalar_i64(0), Tensor::scalar_i64(1)];
    assert_eq!(
        one(eval_dynamic_slice(&[1, 3], &at)).data(),
        &f32s(&[1.0, 2.0, 3.0])
    );
    let op = t(&[3, 3], Data::I32(vec![0; 9]));
    let up = t(&[1, 2], Data::I32(vec![1, 2]));
    // start (5, 1) clamps to (2, 1)
    let ins = [op, up, Tensor::scalar_i32(5), Tensor::scalar_i32(1)];
    let u = one(eval_dynamic_update_slice(&ins));
    assert_eq!(u.data(), &Data::I32(vec![0, 0, 0, 0, 0, 0, 0, 1, 2]));
    assert_eq!(
        ins[0].data(),
        &Data::I32(vec![0; 9]),
        "the operand is not mutated"
    );
}

#[test]
fn dynamic_slice_rules() {
    let x = ty(DType::F32, &[3, 4]);
    let i = ty(DType::I32, &[]);
    let ok = infer_dynamic_slice(&[2, 2], &[x.clone(), i.clone(), i.clone()]);
    assert_eq!(ok, Ok(vec![ty(DType::F32, &[2, 2])]));
    assert_eq!(
        err(infer_dynamic_slice(
            &[2, 5],
            &[x.clone(), i.clone(), i.clone()]
        )),
        "dynamic_slice: size 5 exceeds dim 1 of f32[3, 4]"
    );
    assert_eq!(
        err(infer_dynamic_slice(&[2, 2], &[x.clone(), i.clone()])),
        "dynamic_slice takes 3 operand(s), got 2"
    );
    assert_eq!(
        err(infer_dynamic_slice(
            &[2, 2],
            &[x.clone(), i.clone(), ty(DType::F32, &[])]
        )),
        "dynamic_slice: start index 1 must be an integer scalar, got f32[]"
    );
    assert_eq!(
        err(infer_dynamic_slice(
            &[2, 2],
            &[x.clone(), i.clone(), ty(DType::I64, &[])]
        )),
        "dynamic_slice: start indices have different types: i32[] and i64[]"
    );
    assert_eq!(
        err(infer_dynamic_slice(
            &[2],
            &[x.clone(), i.clone(), i.clone()]
        )),
        "dynamic_slice: sizes [2] need 2 entries for f32[3, 4]"
    );
    let u = ty(DType::F32, &[1, 5]);
    assert_eq!(
        err(infer_dynamic_update_slice(&[
            x.clone(),
            u,
            i.clone(),
            i.clone()
        ])),
        "dynamic_update_slice: update f32[1, 5] does not fit in operand f32[3, 4]"
    );
    let u = ty(DType::F64, &[1, 1]);
    assert!(infer_dynamic_update_slice(&[x.clone(), u, i.clone(), i.clone()]).is_err());
    let u = ty(DType::F32, &[1, 1]);
    assert!(infer_dynamic_update_slice(&[x.clone(), u.clone(), i.clone()]).is_err());
    let ok = infer_dynamic_update_slice(&[x.clone(), u, i.clone(), i]);
    assert_eq!(ok, Ok(vec![x]));
    assert!(infer_dynamic_update_slice(&[]).is_err());
}

#[test]
fn concatenation() {
    let a = t(&[2, 1], f32s(&[1.0, 2.0]));
    let b = t(&[2, 2], f32s(&[3.0, 4.0, 5.0, 6.0]));
    let c = one(eval_concat(1, &[a.clone(), b]));
    assert_eq!(
        (c.shape(), c.data()),
        (&[2, 3][..], &f32s(&[1.0, 3.0, 4.0, 2.0, 5.0, 6.0]))
    );
    let r = one(eval_concat(
        0,
        &[a.clone(), a.clone(), t(&[0, 1], f32s(&[]))],
    ));
    assert_eq!(
        (r.shape(), r.data()),
        (&[4, 1][..], &f32s(&[1.0, 2.0, 1.0, 2.0]))
    );
    assert_eq!(one(eval_concat(0, std::slice::from_ref(&a))), a);
    let x = ty(DType::F32, &[2, 3]);
    assert_eq!(
        err(infer_concat(0, &[x.clone(), ty(DType::F32, &[2, 4])])),
        "concatenate: operand types f32[2, 3] and f32[2, 4] differ outside axis 0"
    );
    assert_eq!(
        err(infer_concat(1, &[x.clone(), ty(DType::I32, &[2, 4])])),
        "concatenate: operand types f32[2, 3] and i32[2, 4] differ outside axis 1"
    );
    assert_eq!(
        err(infer_concat(2, std::slice::from_ref(&x))),
        "concatenate: axis 2 is out of range for f32[2, 3]"
    );
    assert_eq!(
        err(infer_concat(0, &[])),
        "concatenate takes at least 1 operand, got 0"
    );
    assert!(infer_concat(0, &[x, ty(DType::F32, &[2])]).is_err());
}

#[test]
fn padding() {
    let x = t(&[3], f32s(&[1.0, 2.0, 3.0]));
    let zero = Tensor::scalar_f32(0.0);
    let p = one(eval_pad(&[1], &[2], &[1], &[x.clone(), zero.clone()]));
    assert_eq!(p.data(), &f32s(&[0.0, 1.0, 0.0, 2.0, 0.0, 3.0, 0.0, 0.0]));
    // [1, 0, 2, 0, 3] cropped by one on each side
    let p = one(eval_pad(&[-1], &[-1], &[1], &[x.clone(), zero.clone()]));
    assert_eq!(p.data(), &f32s(&[0.0, 2.0, 0.0]));
    let p = one(eval_pad(&[-3], &[0], &[0], &[x, zero]));
    assert_eq!(p.shape(), &[0]);
    let m = t(&[2, 2], Data::I32(vec![1, 2, 3, 4]));
    let p = one(eval_pad(
        &[0, 1],
        &[1, 0],
        &[0, 0],
        &[m, Tensor::scalar_i32(9)],
    ));
    assert_eq!(p.shape(), &[3, 3]);
    assert_eq!(p.data(), &Data::I32(vec![9, 1, 2, 9, 3, 4, 9, 9, 9]));
    let e = t(&[0], f32s(&[]));
    let p = one(eval_pad(&[1], &[1], &[5], &[e, Tensor::scalar_f32(7.0)]));
    assert_eq!(p.data(), &f32s(&[7.0, 7.0]));
}

#[test]
fn pad_rules() {
    let x = ty(DType::F32, &[2, 3]);
    let v = ty(DType::F32, &[]);
    let ok = infer_pad(&[1, -1], &[0, 2], &[1, 0], &[x.clone(), v.clone()]);
    assert_eq!(ok, Ok(vec![ty(DType::F32, &[4, 4])]));
    assert_eq!(
        err(infer_pad(
            &[-3, 0],
            &[0, 0],
            &[0, 0],
            &[x.clone(), v.clone()]
        )),
        "pad: dim 0 of f32[2, 3] would have size -1 (lo -3, hi 0, interior 0)"
    );
    assert_eq!(
        err(infer_pad(
            &[0, 0],
            &[0, 0],
            &[0, 0],
            &[x.clone(), ty(DType::F64, &[])]
        )),
        "pad: padding value must be f32[], got f64[]"
    );
    assert_eq!(
        err(infer_pad(
            &[0, 0],
            &[0, 0],
            &[0, 0],
            &[x.clone(), ty(DType::F32, &[1])]
        )),
        "pad: padding value must be f32[], got f32[1]"
    );
    assert_eq!(
        err(infer_pad(&[0], &[0, 0], &[0, 0], &[x.clone(), v.clone()])),
        "pad: lo, hi and interior need 2 entries each for f32[2, 3], got 1, 2 and 2"
    );
    assert!(infer_pad(&[i64::MAX, 0], &[i64::MAX, 0], &[0, 0], &[x.clone(), v]).is_err());
    assert!(infer_pad(&[0, 0], &[0, 0], &[0, 0], &[x]).is_err());
}

#[test]
fn iota_values_and_rules() {
    let i = one(eval_iota(&[2, 3], 1, DType::I32, &[]));
    assert_eq!(i.data(), &Data::I32(vec![0, 1, 2, 0, 1, 2]));
    let f = one(eval_iota(&[2, 3], 0, DType::F32, &[]));
    assert_eq!(f.data(), &f32s(&[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]));
    let c = one(eval_iota(&[2], 0, DType::C64, &[]));
    assert_eq!(
        c.data(),
        &Data::C64(vec![C64::new(0.0, 0.0), C64::new(1.0, 0.0)])
    );
    let u = one(eval_iota(&[3], 0, DType::U32, &[]));
    assert_eq!(u.data(), &Data::U32(vec![0, 1, 2]));
    assert_eq!(
        one(eval_iota(&[2], 0, DType::I64, &[])).data(),
        &Data::I64(vec![0, 1])
    );
    assert_eq!(
        one(eval_iota(&[2], 0, DType::F64, &[])).data(),
        &Data::F64(vec![0.0, 1.0])
    );
    assert_eq!(
        err(infer_iota(&[3], 1, DType::I32, &[])),
        "iota: dim 1 is out of range for shape [3]"
    );
    assert_eq!(
        err(infer_iota(&[], 0, DType::I32, &[])),
        "iota: dim 0 is out of range for shape []"
    );
    assert_eq!(
        err(infer_iota(&[3], 0, DType::Bool, &[])),
        "iota: expected a numeric dtype, got bool"
    );
    let x = ty(DType::F32, &[]);
    assert_eq!(
        err(infer_iota(&[3], 0, DType::I32, &[x])),
        "iota takes 0 operand(s), got 1"
    );
}

#[test]
fn reverse_values_and_rules() {
    let r = one(eval_rev(&[1], &[count(&[2, 3])]));
    assert_eq!(r.data(), &f32s(&[2.0, 1.0, 0.0, 5.0, 4.0, 3.0]));
    let r = one(eval_rev(&[1, 0], &[count(&[2, 3])]));
    assert_eq!(r.data(), &f32s(&[5.0, 4.0, 3.0, 2.0, 1.0, 0.0]));
    assert_eq!(one(eval_rev(&[], &[count(&[2, 3])])), count(&[2, 3]));
    let x = [ty(DType::F32, &[2, 3])];
    assert_eq!(
        err(infer_rev(&[2], &x)),
        "reverse: axis 2 is out of range for f32[2, 3]"
    );
    assert_eq!(
        err(infer_rev(&[0, 0], &x)),
        "reverse: axes [0, 0] must be distinct"
    );
}

#[test]
fn kernels_reject_bad_inputs_without_panicking() {
    assert!(eval_transpose(&[0, 0], &[count(&[2, 2])]).is_err());
    assert!(eval_slice(&[0], &[5], &[1], &[count(&[4])]).is_err());
    assert!(eval_dynamic_slice(&[2], &[count(&[4])]).is_err());
    assert!(eval_pad(&[0], &[0], &[0], &[count(&[2])]).is_err());
    assert!(eval_concat(0, &[]).is_err());
    assert!(eval_rev(&[3], &[count(&[2])]).is_err());
    assert!(eval_reshape(&[3], &[count(&[2])]).is_err());
    assert!(eval_broadcast(&[2], &[0], &[count(&[3])]).is_err());
}
