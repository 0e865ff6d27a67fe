//! Tests of the elementwise rules and kernels; expected values are computed by
//! hand or with numpy.

use super::*;

fn t(shape: &[usize], data: Data) -> Tensor {
    Tensor::new(shape.to_vec(), data).expect("test tensor")
}
fn v1(data: Data) -> Tensor {
    let n = data.len();
    t(&[n], data)
}
fn only(r: RuleResult<Vec<Tensor>>) -> Data {
    let out = r.expect("kernel result");
    assert_eq!(out.len(), 1);
    out[0].data().clone()
}
fn un(op: UnaryOp, x: Data) -> Data {
    only(eval_unary(op, &[v1(x)]))
}
fn bin(op: BinaryOp, x: Data, y: Data) -> Data {
    only(eval_binary(op, &[v1(x), v1(y)]))
}
fn cmp(c: Cmp, x: Data, y: Data) -> Vec<bool> {
    match only(eval_compare(c, &[v1(x), v1(y)])) {
        Data::Bool(b) => b,
        d => panic!("compare gave {:?}", d),
    }
}
fn f32s(d: Data) -> Vec<f32> {
    match d {
        Data::F32(v) => v,
        d => panic!("expected f32 data, got {:?}", d),
    }
}
fn c64s(d: Data) -> Vec<C64> {
    match d {
        Data::C64(v) => v,
        d => panic!("expected c64 data, got {:?}", d),
    }
}
fn close(got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{:?} vs {:?}", got, want);
    for (g, w) in got.iter().zip(want) {
        let ok = g == w || (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-6 * w.abs().max(1.0);
        assert!(ok, "got {:?}, want {:?}", got, want);
    }
}
fn close_c(got: &[C64], want: &[(f32, f32)]) {
    let re: Vec<f32> = got.iter().map(|z| z.re).collect();
    let im: Vec<f32> = got.iter().map(|z| z.im).collect();
    close(&re, &want.iter().map(|w| w.0).collect::<Vec<_>>());
    close(&im, &want.iter().map(|w| w.1).collect::<Vec<_>>());
}
fn ty(d: DType, shape: &[usize]) -> TensorType {
    TensorType::new(d, shape.to_vec())
}

#[test]
fn float_unary_values() {
    use UnaryOp::*;
    let x = || Data::F32(vec![1.5, -2.0, 0.0]);
    close(&f32s(un(Neg, x())), &[-1.5, 2.0, -0.0]);
    close(&f32s(un(Abs, x())), &[1.5, 2.0, 0.0]);
    close(&f32s(un(Exp, Data::F32(vec![1.5, 0.0]))), &[4.481689, 1.0]);
    close(
        &f32s(un(Log, Data::F32(vec![3.0, 0.0]))),
        &[1.0986123, f32::NEG_INFINITY],
    );
    // log1p/expm1 keep full relative precision near 0
    close(&f32s(un(Log1p, Data::F32(vec![1e-10]))), &[1e-10]);
    close(&f32s(un(Expm1, Data::F32(vec![1e-10]))), &[1e-10]);
    close(
        &f32s(un(Sqrt, Data::F32(vec![4.0, -1.0]))),
        &[2.0, f32::NAN],
    );
    close(&f32s(un(Rsqrt, Data::F32(vec![4.0]))), &[0.5]);
    close(&f32s(un(Sin, Data::F32(vec![0.5]))), &[0.47942554]);
    close(&f32s(un(Cos, Data::F32(vec![0.5]))), &[0.87758255]);
    close(&f32s(un(Tanh, Data::F32(vec![0.5]))), &[0.46211717]);
    // logistic(2) = 1 / (1 + e^-2); saturates without NaN at the extremes
    close(
        &f32s(un(Logistic, Data::F32(vec![2.0, -1000.0, 1000.0]))),
        &[0.8807971, 0.0, 1.0],
    );
    close(&f32s(un(Floor, Data::F32(vec![-1.5, 1.5]))), &[-2.0, 1.0]);
    close(&f32s(un(Ceil, Data::F32(vec![-1.5, 1.5]))), &[-1.0, 2.0]);
    let halves = Data::F32(vec![0.5, 1.5, 2.5, -0.5, -1.5, 2.4]);
    close(&f32s(un(Round, halves)), &[0.0, 2.0, 2.0, -0.0, -2.0, 2.0]);
    close(&f32s(un(Real, x())), &[1.5, -2.0, 0.0]);
    close(&f32s(un(Imag, x())), &[0.0, 0.0, 0.0]);
    close(&f32s(un(Conj, x())), &[1.5, -2.0, 0.0]);
}

#[test]
fn sign_of_zero_and_nan() {
    let got = f32s(un(
        UnaryOp::Sign,
        Data::F32(vec![-3.0, 0.0, -0.0, 7.0, f32::NAN]),
    ));
    assert_eq!(&got[..4], &[-1.0, 0.0, 0.0, 1.0]);
    assert!(got[2].is_sign_negative());
    assert!(got[4].is_nan());
    let d = un(UnaryOp::Sign, Data::F64(vec![-0.25, 0.0]));
    assert_eq!(d, Data::F64(vec![-1.0, 0.0]));
}

#[test]
fn f64_unary_is_full_precision() {
    // 1e-300 would underflow in f32
    assert_eq!(
        un(UnaryOp::Sqrt, Data::F64(vec![1e-300])),
        Data::F64(vec![1e-150])
    );
    assert_eq!(un(UnaryOp::Exp, Data::F64(vec![0.0])), Data::F64(vec![1.0]));
}

#[test]
fn int_unary_values() {
    use UnaryOp::*;
    let x = || Data::I32(vec![5, -3, 0, i32::MIN]);
    assert_eq!(un(Neg, x()), Data::I32(vec![-5, 3, 0, i32::MIN]));
    assert_eq!(un(Abs, x()), Data::I32(vec![5, 3, 0, i32::MIN]));
    assert_eq!(un(Sign, x()), Data::I32(vec![1, -1, 0, -1]));
    assert_eq!(un(Not, x()), Data::I32(vec![-6, 2, -1, i32::MAX]));
    assert_eq!(un(Real, x()), x());
    assert_eq!(un(Imag, x()), Data::I32(vec![0; 4]));
    assert_eq!(un(Conj, x()), x());
    assert_eq!(un(Neg, Data::I64(vec![7])), Data::I64(vec![-7]));
    let u = || Data::U32(vec![0, 1, 9]);
    assert_eq!(un(Neg, u()), Data::U32(vec![0, u32::MAX, u32::MAX - 8]));
    assert_eq!(un(Abs, u()), u());
    assert_eq!(un(Sign, u()), Data::U32(vec![0, 1, 1]));
    assert_eq!(
        un(Not, u()),
        Data::U32(vec![u32::MAX, u32::MAX - 1, u32::MAX - 9])
    );
    assert_eq!(
        un(Not, Data::Bool(vec![true, false])),
        Data::Bool(vec![false, true])
    );
}

#[test]
fn complex_unary_values() {
    use UnaryOp::*;
    let z = || Data::C64(vec![C64::new(3.0, 4.0), C64::new(0.0, 0.0)]);
    assert_eq!(un(Abs, z()), Data::F32(vec![5.0, 0.0]));
    assert_eq!(un(Real, z()), Data::F32(vec![3.0, 0.0]));
    assert_eq!(un(Imag, z()), Data::F32(vec![4.0, 0.0]));
    close_c(&c64s(un(Conj, z())), &[(3.0, -4.0), (0.0, -0.0)]);
    close_c(&c64s(un(Neg, z())), &[(-3.0, -4.0), (-0.0, -0.0)]);
    close_c(&c64s(un(Sign, z())), &[(0.6, 0.8), (0.0, 0.0)]);
    let w = || Data::C64(vec![C64::new(1.0, 2.0)]);
    close_c(&c64s(un(Exp, w())), &[(-1.1312044, 2.4717267)]);
    // log(1+2i) = ln √5 + i atan2(2, 1)
    close_c(&c64s(un(Log, w())), &[(0.804719, 1.1071488)]);
    let neg4 = Data::C64(vec![C64::new(-4.0, 0.0)]);
    close_c(&c64s(un(Sqrt, neg4.clone())), &[(0.0, 2.0)]);
    close_c(&c64s(un(Rsqrt, neg4)), &[(0.0, -0.5)]);
    let h = Data::C64(vec![C64::new(0.5, 0.25)]);
    close_c(&c64s(un(Tanh, h)), &[(0.48548728, 0.19805545)]);
    // logistic(0) = 1/2; sin(i) = i sinh 1; cos(i) = cosh 1
    let zero = Data::C64(vec![C64::new(0.0, 0.0)]);
    close_c(&c64s(un(Logistic, zero)), &[(0.5, 0.0)]);
    let i = || Data::C64(vec![C64::new(0.0, 1.0)]);
    close_c(&c64s(un(Sin, i())), &[(0.0, 1.1752012)]);
    close_c(&c64s(un(Cos, i())), &[(1.5430806, 0.0)]);
    // near 0: log1p(z) ≈ z - z²/2 and expm1(z) ≈ z + z²/2, z² = 2e-16 i
    let small = || Data::C64(vec![C64::new(1e-8, 1e-8)]);
    close_c(&c64s(un(Log1p, small())), &[(1e-8, 0.9999999e-8)]);
    close_c(&c64s(un(Expm1, small())), &[(1e-8, 1e-8)]);
}

#[test]
fn unary_rules() {
    let f = ty(DType::F32, &[2]);
    let c = ty(DType::C64, &[2]);
    let out = infer_unary(UnaryOp::Abs, std::slice::from_ref(&c));
    assert_eq!(out, Ok(vec![ty(DType::F32, &[2])]));
    assert_eq!(
        infer_unary(UnaryOp::Exp, std::slice::from_ref(&c)),
        Ok(vec![c.clone()])
    );
    assert_eq!(
        infer_unary(UnaryOp::Neg, std::slice::from_ref(&f)),
        Ok(vec![f.clone()])
    );
    let err = |op, d| {
        infer_unary(op, &[ty(d, &[3])])
            .expect_err("must fail")
            .to_string()
    };
    assert_eq!(
        err(UnaryOp::Exp, DType::I32),
        "exp: expected a float or complex operand, got i32[3]"
    );
    assert_eq!(
        err(UnaryOp::Floor, DType::C64),
        "floor: expected a float operand, got c64[3]"
    );
    assert_eq!(
        err(UnaryOp::Not, DType::F32),
        "not: expected a bool or integer operand, got f32[3]"
    );
    assert_eq!(
        err(UnaryOp::Neg, DType::Bool),
        "neg: expected a numeric operand, got bool[3]"
    );
    assert_eq!(
        infer_unary(UnaryOp::Neg, &[]),
        Err("neg takes 1 operand(s), got 0".into())
    );
    assert!(eval_unary(UnaryOp::Sin, &[v1(Data::I32(vec![1]))]).is_err());
    assert!(eval_unary(UnaryOp::Sin, &[]).is_err());
}

#[test]
fn float_binary_values() {
    use BinaryOp::*;
    let a = || Data::F32(vec![-7.5, 7.5, 1.0, f32::NAN]);
    let b = || Data::F32(vec![2.0, 2.0, 3.0, 1.0]);
    close(&f32s(bin(Add, a(), b())), &[-5.5, 9.5, 4.0, f32::NAN]);
    close(&f32s(bin(Sub, a(), b())), &[-9.5, 5.5, -2.0, f32::NAN]);
    close(&f32s(bin(Mul, a(), b())), &[-15.0, 15.0, 3.0, f32::NAN]);
    close(
        &f32s(bin(Div, a(), b())),
        &[-3.75, 3.75, 1.0 / 3.0, f32::NAN],
    );
    // fmod: the sign of the dividend
    close(&f32s(bin(Rem, a(), b())), &[-1.5, 1.5, 1.0, f32::NAN]);
    close(&f32s(bin(Pow, a(), b())), &[56.25, 56.25, 1.0, f32::NAN]);
    close(&f32s(bin(Max, a(), b())), &[2.0, 7.5, 3.0, f32::NAN]);
    close(&f32s(bin(Min, a(), b())), &[-7.5, 2.0, 1.0, f32::NAN]);
    let nan_first = bin(Max, Data::F64(vec![1.0]), Data::F64(vec![f64::NAN]));
    assert!(matches!(nan_first, Data::F64(v) if v[0].is_nan()));
    close(
        &f32s(bin(Atan2, Data::F32(vec![1.0]), Data::F32(vec![-1.0]))),
        &[2.3561945],
    );
    let p = bin(Pow, Data::F64(vec![0.0, 2.0]), Data::F64(vec![0.0, -1.0]));
    assert_eq!(p, Data::F64(vec![1.0, 0.5]));
    let z = bin(Complex, Data::F32(vec![1.0]), Data::F32(vec![-2.0]));
    assert_eq!(z, Data::C64(vec![C64::new(1.0, -2.0)]));
}

#[test]
fn int_binary_values() {
    use BinaryOp::*;
    let a = || Data::I32(vec![7, -7, 7, i32::MIN, i32::MAX]);
    let b = || Data::I32(vec![2, 2, 0, -1, 1]);
    assert_eq!(
        bin(Div, a(), b()),
        Data::I32(vec![3, -3, -1, i32::MIN, i32::MAX])
    );
    assert_eq!(bin(Rem, a(), b()), Data::I32(vec![1, -1, 7, 0, 0]));
    assert_eq!(
        bin(Add, a(), b()),
        Data::I32(vec![9, -5, 7, i32::MAX, i32::MIN])
    );
    assert_eq!(
        bin(Sub, a(), b()),
        Data::I32(vec![5, -9, 7, i32::MIN + 1, i32::MAX - 1])
    );
    assert_eq!(
        bin(Mul, a(), b()),
        Data::I32(vec![14, -14, 0, i32::MIN, i32::MAX])
    );
    assert_eq!(bin(Max, a(), b()), Data::I32(vec![7, 2, 7, -1, i32::MAX]));
    assert_eq!(bin(Min, a(), b()), Data::I32(vec![2, -7, 0, i32::MIN, 1]));
    let p = bin(
        Pow,
        Data::I64(vec![3, -2, 2, -1, 5]),
        Data::I64(vec![4, 3, -1, -3, 0]),
    );
    assert_eq!(p, Data::I64(vec![81, -8, 0, -1, 1]));
    let x = || Data::I32(vec![0b1100, -1, 1, 1]);
    let y = || Data::I32(vec![0b1010, 28, 32, -1]);
    assert_eq!(bin(And, x(), y()), Data::I32(vec![0b1000, 28, 0, 1]));
    assert_eq!(bin(Or, x(), y()), Data::I32(vec![0b1110, -1, 33, -1]));
    assert_eq!(bin(Xor, x(), y()), Data::I32(vec![0b0110, -29, 33, -2]));
    assert_eq!(
        bin(ShiftLeft, x(), y()),
        Data::I32(vec![0b1100 << 10, -1 << 28, 0, 0])
    );
    assert_eq!(
        bin(ShiftRightLogical, x(), y()),
        Data::I32(vec![0, 15, 0, 0])
    );
    let u = bin(Div, Data::U32(vec![7, 7]), Data::U32(vec![0, 2]));
    assert_eq!(u, Data::U32(vec![u32::MAX, 3]));
    assert_eq!(
        bin(Sub, Data::U32(vec![0]), Data::U32(vec![1])),
        Data::U32(vec![u32::MAX])
    );
    assert_eq!(
        bin(Rem, Data::I64(vec![-7]), Data::I64(vec![0])),
        Data::I64(vec![-7])
    );
}

#[test]
fn bool_and_complex_binary_values() {
    use BinaryOp::*;
    let p = || Data::Bool(vec![true, true, false, false]);
    let q = || Data::Bool(vec![true, false, true, false]);
    assert_eq!(
        bin(And, p(), q()),
        Data::Bool(vec![true, false, false, false])
    );
    assert_eq!(bin(Or, p(), q()), Data::Bool(vec![true, true, true, false]));
    assert_eq!(
        bin(Xor, p(), q()),
        Data::Bool(vec![false, true, true, false])
    );
    assert_eq!(bin(Max, p(), q()), bin(Or, p(), q()));
    assert_eq!(bin(Min, p(), q()), bin(And, p(), q()));
    let a = || Data::C64(vec![C64::new(1.0, 2.0), C64::new(0.0, 0.0)]);
    let b = || Data::C64(vec![C64::new(3.0, -1.0), C64::new(0.0, 0.0)]);
    close_c(&c64s(bin(Add, a(), b())), &[(4.0, 1.0), (0.0, 0.0)]);
    close_c(&c64s(bin(Sub, a(), b())), &[(-2.0, 3.0), (0.0, 0.0)]);
    // (1+2i)(3-i) = 3 - i + 6i + 2 = 5 + 5i; (1+2i)/(3-i) = (5+5i)·... = (1+7i)/10
    close_c(&c64s(bin(Mul, a(), b())), &[(5.0, 5.0), (0.0, 0.0)]);
    let d = c64s(bin(Div, a(), b()));
    close_c(&d[..1], &[(0.1, 0.7)]);
    let w = Data::C64(vec![C64::new(0.5, -1.0), C64::new(0.0, 0.0)]);
    close_c(
        &c64s(bin(Pow, a(), w)),
        &[(4.382565, -1.1243975), (1.0, 0.0)],
    );
}

#[test]
fn binary_rules() {
    let f3 = ty(DType::F32, &[3]);
    let f4 = ty(DType::F32, &[4]);
    let err = infer_binary(BinaryOp::Add, &[f3.clone(), f4]);
    assert_eq!(
        err,
        Err("add: operand types differ: f32[3] and f32[4]".into())
    );
    let err = infer_binary(BinaryOp::Mul, &[f3.clone(), ty(DType::F64, &[3])]);
    assert_eq!(
        err,
        Err("mul: operand types differ: f32[3] and f64[3]".into())
    );
    let bad = |op, d| {
        infer_binary(op, &[ty(d, &[]), ty(d, &[])])
            .expect_err("must fail")
            .to_string()
    };
    assert_eq!(
        bad(BinaryOp::Add, DType::Bool),
        "add: expected a numeric operand, got bool[]"
    );
    assert_eq!(
        bad(BinaryOp::Rem, DType::C64),
        "rem: expected an integer or float operand, got c64[]"
    );
    assert_eq!(
        bad(BinaryOp::Max, DType::C64),
        "max: expected a real operand, got c64[]"
    );
    assert_eq!(
        bad(BinaryOp::Atan2, DType::I32),
        "atan2: expected a float operand, got i32[]"
    );
    assert_eq!(
        bad(BinaryOp::Complex, DType::I32),
        "complex: expected a float operand, got i32[]"
    );
    assert_eq!(
        bad(BinaryOp::Complex, DType::C64),
        "complex: expected a float operand, got c64[]"
    );
    assert_eq!(
        bad(BinaryOp::Xor, DType::F32),
        "xor: expected a bool or integer operand, got f32[]"
    );
    assert_eq!(
        bad(BinaryOp::ShiftLeft, DType::Bool),
        "shift_left: expected an integer operand, got bool[]"
    );
    let c = infer_binary(BinaryOp::Complex, &[f3.clone(), f3.clone()]);
    assert_eq!(c, Ok(vec![ty(DType::C64, &[3])]));
    let d3 = ty(DType::F64, &[3]);
    let c = infer_binary(BinaryOp::Complex, &[d3.clone(), d3]);
    assert_eq!(c, Ok(vec![ty(DType::C128, &[3])]));
    assert!(infer_binary(BinaryOp::Add, std::slice::from_ref(&f3)).is_err());
    assert!(eval_binary(BinaryOp::Add, &[v1(Data::F32(vec![1.0]))]).is_err());
}

#[test]
fn comparisons() {
    use Cmp::*;
    let a = || Data::F32(vec![1.0, 2.0, f32::NAN]);
    let b = || Data::F32(vec![2.0, 2.0, f32::NAN]);
    assert_eq!(cmp(Eq, a(), b()), vec![false, true, false]);
    assert_eq!(cmp(Ne, a(), b()), vec![true, false, true]);
    assert_eq!(cmp(Lt, a(), b()), vec![true, false, false]);
    assert_eq!(cmp(Le, a(), b()), vec![true, true, false]);
    assert_eq!(cmp(Gt, a(), b()), vec![false, false, false]);
    assert_eq!(cmp(Ge, a(), b()), vec![false, true, false]);
    let i = cmp(Lt, Data::I64(vec![-1, 3]), Data::I64(vec![0, 3]));
    assert_eq!(i, vec![true, false]);
    assert_eq!(
        cmp(Gt, Data::U32(vec![u32::MAX]), Data::U32(vec![0])),
        vec![true]
    );
    assert_eq!(
        cmp(Ge, Data::I32(vec![-5]), Data::I32(vec![-5])),
        vec![true]
    );
    assert_eq!(
        cmp(Le, Data::F64(vec![0.5]), Data::F64(vec![0.25])),
        vec![false]
    );
    let p = cmp(
        Gt,
        Data::Bool(vec![true, false]),
        Data::Bool(vec![false, false]),
    );
    assert_eq!(p, vec![true, false]);
    let z = || Data::C64(vec![C64::new(1.0, 1.0), C64::new(1.0, 2.0)]);
    let w = || Data::C64(vec![C64::new(1.0, 1.0), C64::new(1.0, 0.0)]);
    assert_eq!(cmp(Eq, z(), w()), vec![true, false]);
    assert_eq!(cmp(Ne, z(), w()), vec![false, true]);
    let c = ty(DType::C64, &[2]);
    let err = infer_compare(Lt, &[c.clone(), c]);
    assert_eq!(
        err,
        Err("lt: expected an ordered (non-complex) operand, got c64[2]".into())
    );
    let ok = infer_compare(Eq, &[ty(DType::Bool, &[2]), ty(DType::Bool, &[2])]);
    assert_eq!(ok, Ok(vec![ty(DType::Bool, &[2])]));
}

#[test]
fn select_values_and_rules() {
    let p = v1(Data::Bool(vec![true, false, true]));
    let a = v1(Data::I64(vec![1, 2, 3]));
    let b = v1(Data::I64(vec![-1, -2, -3]));
    let out = only(eval_select(&[p.clone(), a.clone(), b.clone()]));
    assert_eq!(out, Data::I64(vec![1, -2, 3]));
    let err = infer_select(&[a.ty(), a.ty(), b.ty()]);
    assert_eq!(
        err,
        Err("select: predicate must be bool[3], got i64[3]".into())
    );
    let err = infer_select(&[ty(DType::Bool, &[2]), a.ty(), b.ty()]);
    assert_eq!(
        err,
        Err("select: predicate must be bool[3], got bool[2]".into())
    );
    let err = infer_select(&[p.ty(), a.ty(), ty(DType::F32, &[3])]);
    assert_eq!(
        err,
        Err("select: branch types differ: i64[3] and f32[3]".into())
    );
    assert!(infer_select(&[p.ty(), a.ty()]).is_err());
}

fn conv(x: Data, d: DType) -> Data {
    only(eval_convert(d, &[v1(x)]))
}

#[test]
fn conversions() {
    let f = || Data::F32(vec![3.9, -3.9, f32::NAN, 1e20, -1e20]);
    assert_eq!(
        conv(f(), DType::I32),
        Data::I32(vec![3, -3, 0, i32::MAX, i32::MIN])
    );
    assert_eq!(conv(f(), DType::U32), Data::U32(vec![3, 0, 0, u32::MAX, 0]));
    assert_eq!(conv(f(), DType::Bool), Data::Bool(vec![true; 5]));
    let z = Data::C64(vec![
        C64::new(2.5, 1.0),
        C64::new(0.0, 1.0),
        C64::new(0.0, 0.0),
    ]);
    assert_eq!(conv(z.clone(), DType::F64), Data::F64(vec![2.5, 0.0, 0.0]));
    assert_eq!(conv(z.clone(), DType::I64), Data::I64(vec![2, 0, 0]));
    assert_eq!(conv(z, DType::Bool), Data::Bool(vec![true, true, false]));
    let b = || Data::Bool(vec![true, false]);
    assert_eq!(conv(b(), DType::F32), Data::F32(vec![1.0, 0.0]));
    assert_eq!(
        conv(b(), DType::C64),
        Data::C64(vec![C64::new(1.0, 0.0), C64::new(0.0, 0.0)])
    );
    assert_eq!(conv(b(), DType::I32), Data::I32(vec![1, 0]));
    assert_eq!(
        conv(Data::I32(vec![-1]), DType::U32),
        Data::U32(vec![u32::MAX])
    );
    assert_eq!(
        conv(Data::I64(vec![1 << 33]), DType::I32),
        Data::I32(vec![0])
    );
    // 2^53 + 1 rounds to 2^53 in f32 (9007199254740992)
    let big = conv(Data::I64(vec![(1 << 53) + 1]), DType::F32);
    assert_eq!(big, Data::F32(vec![9_007_199_254_740_992.0]));
    assert_eq!(conv(Data::F64(vec![0.1]), DType::F32), Data::F32(vec![0.1]));
    assert_eq!(
        conv(Data::U32(vec![0, 2]), DType::Bool),
        Data::Bool(vec![false, true])
    );
    let r = infer_convert(DType::I32, &[ty(DType::F32, &[2, 3])]);
    assert_eq!(r, Ok(vec![ty(DType::I32, &[2, 3])]));
}

#[test]
fn bitcasts() {
    let bc = |x, d| only(eval_bitcast(d, &[v1(x)]));
    assert_eq!(
        bc(Data::F32(vec![1.0]), DType::I32),
        Data::I32(vec![1_065_353_216])
    );
    assert_eq!(
        bc(Data::F32(vec![-2.0]), DType::U32),
        Data::U32(vec![3_221_225_472])
    );
    assert_eq!(
        bc(Data::U32(vec![3_221_225_472]), DType::F32),
        Data::F32(vec![-2.0])
    );
    assert_eq!(
        bc(Data::I32(vec![-1]), DType::U32),
        Data::U32(vec![u32::MAX])
    );
    let one = bc(Data::F64(vec![1.0]), DType::I64);
    assert_eq!(one, Data::I64(vec![4_607_182_418_800_017_408]));
    assert_eq!(bc(one, DType::F64), Data::F64(vec![1.0]));
    let err = infer_bitcast(DType::F64, &[ty(DType::F32, &[2])]);
    assert_eq!(
        err,
        Err("bitcast_convert: cannot reinterpret f32[2] as f64 (widths must match; bool and complex are not allowed)".into())
    );
    assert!(infer_bitcast(DType::I32, &[ty(DType::Bool, &[])]).is_err());
    assert!(infer_bitcast(DType::I64, &[ty(DType::C64, &[])]).is_err());
}

#[test]
fn shapes_are_kept() {
    let x = t(&[2, 2], Data::F32(vec![1.0, 2.0, 3.0, 4.0]));
    let out = eval_unary(UnaryOp::Neg, std::slice::from_ref(&x)).expect("neg");
    assert_eq!(out[0].shape(), &[2, 2]);
    let out = eval_compare(Cmp::Lt, &[x.clone(), x]).expect("lt");
    assert_eq!(out[0].ty(), ty(DType::Bool, &[2, 2]));
}
