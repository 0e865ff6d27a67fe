//! Elementwise, complex and cast builtins (NumPy values; `f32` transcendental
//! functions within a few ulp).

use super::harness::*;
use nest::types::DType;

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
fn erf() {
    check(
        "erf",
        vec![f32a(&[4], &[-3.0, 0.0, 0.5, 2.0])],
        vec![],
        f32a(&[4], &[-0.9999779, 0.0, 0.5204999, 0.9953223]),
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
    // f64 parts give c128 (a weak literal takes the other part's dtype).
    check_exact(
        "complex",
        vec![f64a(&[2], &[1.5, 0.1]), wf(0.1)],
        vec![],
        c128a(&[2], &[1.5, 0.1, 0.1, 0.1]),
    );
    check_exact(
        "complex",
        vec![f32a(&[1], &[1.5]), f64a(&[1], &[0.1])],
        vec![],
        c128a(&[1], &[1.5, 0.1]),
    );
    check_exact(
        "complex",
        vec![wf(0.5), wf(0.25)],
        vec![],
        c64a(&[], &[0.5, 0.25]),
    );
}

#[test]
fn parts_of_c128_are_f64() {
    let z = || vec![c128a(&[2], &[0.1, -0.2, -3.0, 4.0])];
    check_exact("real", z(), vec![], f64a(&[2], &[0.1, -3.0]));
    check_exact("imag", z(), vec![], f64a(&[2], &[-0.2, 4.0]));
    check_exact("conj", z(), vec![], c128a(&[2], &[0.1, 0.2, -3.0, -4.0]));
    let abs = (0.1f64.powi(2) + 0.2f64.powi(2)).sqrt();
    check("abs", z(), vec![], f64a(&[2], &[abs, 5.0]), 1e-15);
    let angles = [(-0.2f64).atan2(0.1), 4.0f64.atan2(-3.0)];
    check("angle", z(), vec![], f64a(&[2], &angles), 1e-15);
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
    check_exact(
        "cast",
        vec![f64a(&[2], &[0.1, 0.0]), dt(DType::C128)],
        vec![],
        c128a(&[2], &[0.1, 0.0, 0.0, 0.0]),
    );
    check_exact(
        "cast",
        vec![c128a(&[1], &[0.1, -0.1]), dt(DType::C64)],
        vec![],
        c64a(&[1], &[0.1, -0.1]),
    );
}
