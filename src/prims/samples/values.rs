//! The input values of the samples.

use crate::ir::{fresh_var, Atom, Eqn, Graph, Var};
use crate::prims::{
    Binary, Compare, Cond, CustomJvp, CustomVjp, CustomVjpLin, DotGeneral, LinearSolve, Reshape,
    Scan, Select, TriangularSolve, Unary, While,
};
use crate::prims::{BinaryOp, Cmp, Prim, UnaryOp};
use crate::tensor::{Data, Tensor, C128, C64};
use crate::types::{DType, TensorType};

/// A tensor of `shape` over `data`; a 1-D one if the sizes disagree (the
/// sample then fails its shape rule, which a test reports).
pub fn tensor(shape: &[usize], data: Data) -> Tensor {
    let n = data.len();
    Tensor::new(shape.to_vec(), data.clone())
        .or_else(|| Tensor::new(vec![n], data))
        .unwrap_or_else(|| Tensor::zeros(&TensorType::scalar(DType::F32)))
}

/// Which list of edge values an operand cycles through.
pub const LIST_A: usize = 0;
pub const LIST_B: usize = 1;

const FLOATS: [[f64; 15]; 2] = [
    [
        -2.5,
        -1.0,
        -0.5,
        -0.0,
        0.0,
        0.25,
        0.5,
        1.0,
        1.5,
        2.5,
        3.75,
        10.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ],
    [
        1.5,
        -3.0,
        0.0,
        2.0,
        -0.0,
        0.75,
        -1.25,
        4.0,
        0.5,
        -2.5,
        1.0,
        f64::NAN,
        3.0,
        f64::NEG_INFINITY,
        f64::INFINITY,
    ],
];

/// Integers with the extremes (`MIN`, `MAX` are filled in per dtype),
/// zero divisors, `MIN / -1`, shifts past the width.
const INTS: [[i64; 15]; 2] = [
    [
        -7,
        -3,
        -1,
        0,
        1,
        2,
        3,
        5,
        7,
        100,
        i64::MIN,
        i64::MAX,
        -100,
        12,
        31,
    ],
    [3, -2, 0, 1, -1, 7, 2, 0, -4, 3, -1, -1, 7, 5, 33],
];

const U32S: [[u32; 15]; 2] = [
    [
        0,
        1,
        2,
        3,
        7,
        12,
        100,
        31,
        32,
        0x8000_0000,
        u32::MAX,
        5,
        9,
        64,
        1000,
    ],
    [1, 0, 3, 2, 1, 7, u32::MAX, 33, 1, 2, 31, 0, 4, 3, 5],
];

/// Nonzero complex numbers away from branch cuts.
const COMPLEX: [[(f32, f32); 6]; 2] = [
    [
        (1.0, 2.0),
        (-0.5, 0.25),
        (3.0, -1.0),
        (-2.0, -0.5),
        (0.1, 0.0),
        (0.0, -1.5),
    ],
    [
        (0.5, -1.0),
        (2.0, 0.5),
        (-1.0, 1.0),
        (0.25, 0.25),
        (-3.0, 0.0),
        (1.5, 2.0),
    ],
];

/// A buffer of complex dtype `d` (`c64` rounds the parts) from `(re, im)` pairs.
fn complex_data(d: DType, v: impl Iterator<Item = (f64, f64)>) -> Data {
    match d {
        DType::C128 => Data::C128(v.map(|(re, im)| C128::new(re, im)).collect()),
        _ => Data::C64(v.map(|(re, im)| C64::new(re as f32, im as f32)).collect()),
    }
}

/// `n` values of dtype `d` from edge-value list `list`, cycled.
fn data(d: DType, n: usize, list: usize) -> Data {
    let list = list.min(1);
    let ints = || (0..n).map(move |i| INTS[list][i % 15]);
    let floats = || (0..n).map(move |i| FLOATS[list][i % 15]);
    match d {
        DType::Bool => Data::Bool((0..n).map(|i| !(i + list).is_multiple_of(3)).collect()),
        DType::I32 => Data::I32(
            ints()
                .map(|x| x.clamp(i32::MIN as i64, i32::MAX as i64) as i32)
                .collect(),
        ),
        DType::I64 => Data::I64(ints().collect()),
        DType::U32 => Data::U32((0..n).map(|i| U32S[list][i % 15]).collect()),
        DType::F32 => Data::F32(floats().map(|x| x as f32).collect()),
        DType::F64 => Data::F64(floats().collect()),
        DType::C64 | DType::C128 => complex_data(
            d,
            (0..n)
                .map(|i| COMPLEX[list][i % 6])
                .map(|(re, im)| (re as f64, im as f64)),
        ),
    }
}

/// An operand of dtype `d` and `shape` from edge-value list `list`.
pub fn operand(d: DType, shape: &[usize], list: usize) -> Tensor {
    tensor(shape, data(d, shape.iter().product(), list))
}

/// Bases and exponents for integer `pow`, with exponents of 64 and more
/// (past the bits XLA's own `power` looks at) and negative ones.
pub fn pow_operands(d: DType) -> (Tensor, Tensor) {
    let base = [2, 3, -1, 1, 0, -2, 5, 7, -1, 3, 2, 0];
    let exp = [64, 100, -3, -4, 0, 63, 65, 200, -4, 33, 31, -1];
    let to = |v: &[i64]| match d {
        DType::I32 => Data::I32(v.iter().map(|&x| x as i32).collect()),
        DType::U32 => Data::U32(v.iter().map(|&x| x.unsigned_abs() as u32).collect()),
        _ => Data::I64(v.to_vec()),
    };
    (tensor(&[12], to(&base)), tensor(&[12], to(&exp)))
}

/// Values that probe a conversion: fractions of both signs, halves,
/// magnitudes past every integer range, NaN and infinities, integer extremes.
pub fn conversion_operand(d: DType) -> Tensor {
    let floats = [
        -2.7,
        -0.5,
        -0.0,
        0.0,
        0.5,
        1.5,
        2.5,
        1e10,
        -1e10,
        3e9,
        1e20,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        4_294_967_040.0,
        16_777_217.0,
    ];
    let data = match d {
        DType::F32 => Data::F32(floats.iter().map(|&x| x as f32).collect()),
        DType::F64 => Data::F64(floats.to_vec()),
        DType::C64 | DType::C128 => complex_data(
            d,
            (floats.iter().enumerate()).map(|(i, &x)| (x, if i % 3 == 0 { 0.0 } else { 1.5 })),
        ),
        DType::I64 => Data::I64(vec![
            i64::MIN,
            i64::MAX,
            -1,
            0,
            1,
            1 << 40,
            -(1 << 33),
            16_777_217,
            (1 << 53) + 1,
            2_147_483_648,
            -2_147_483_649,
            4_294_967_295,
            3,
            -3,
            255,
            256,
        ]),
        _ => data(d, 16, 0),
    };
    tensor(&[16], data)
}

/// A `[shape]` reduction operand: finite floats (NaN has its own samples),
/// integers with their extremes, so that sums wrap.
pub fn reduce_operand(d: DType, shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    let data = match d {
        DType::F32 | DType::F64 => {
            let v: Vec<f64> = (0..n)
                .map(|i| ((i * 7 % 11) as f64 - 5.0) * 0.375)
                .collect();
            match d {
                DType::F32 => Data::F32(v.iter().map(|&x| x as f32).collect()),
                _ => Data::F64(v),
            }
        }
        _ => data(d, n, (n % 2) * LIST_B),
    };
    tensor(shape, data)
}

/// A `[4, 5]` operand for argmax/argmin with ties, a NaN (floats) and the extremes.
pub fn arg_operand(d: DType) -> Tensor {
    let v: [f64; 20] = [
        1.0,
        3.0,
        3.0,
        -2.0,
        0.0, //
        f64::NAN,
        2.0,
        f64::NAN,
        9.0,
        -9.0, //
        -1.0,
        -1.0,
        -1.0,
        -1.0,
        -1.0, //
        4.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        4.0,
        2.0,
    ];
    let data = match d {
        DType::F32 => Data::F32(v.iter().map(|&x| x as f32).collect()),
        DType::F64 => Data::F64(v.to_vec()),
        _ => data(d, 20, LIST_A),
    };
    tensor(&[4, 5], data)
}

/// Deterministic values in `[-1, 1)` from `seed`.
fn uniform(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

/// A matrix operand of dtype `d`: floats in `[-1, 1)`, small integers.
pub fn matrix(d: DType, shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let v = uniform(n, seed);
    let data = match d {
        DType::F32 => Data::F32(v.iter().map(|&x| x as f32).collect()),
        DType::F64 => Data::F64(v),
        DType::I32 => Data::I32(v.iter().map(|&x| (x * 1e5) as i32).collect()),
        DType::I64 => Data::I64(v.iter().map(|&x| (x * 1e9) as i64).collect()),
        DType::U32 => Data::U32(v.iter().map(|&x| (x.abs() * 4e9) as u32).collect()),
        DType::C64 | DType::C128 => complex_data(d, v.into_iter().zip(uniform(n, seed + 99))),
        DType::Bool => Data::Bool(v.iter().map(|&x| x > 0.0).collect()),
    };
    tensor(shape, data)
}

fn floats_of(d: DType, v: Vec<f64>) -> Data {
    match d {
        DType::F32 => Data::F32(v.iter().map(|&x| x as f32).collect()),
        _ => Data::F64(v),
    }
}

/// `batch` positive-definite `n x n` matrices `m mᵀ + n I`.
pub fn spd(d: DType, batch: usize, n: usize) -> Tensor {
    let mut out = Vec::with_capacity(batch * n * n);
    for b in 0..batch {
        let m = uniform(n * n, 40 + b as u64);
        for i in 0..n {
            for j in 0..n {
                let dot: f64 = (0..n).map(|k| m[i * n + k] * m[j * n + k]).sum();
                out.push(dot + if i == j { n as f64 } else { 0.0 });
            }
        }
    }
    let shape = if batch == 1 {
        vec![n, n]
    } else {
        vec![batch, n, n]
    };
    tensor(&shape, floats_of(d, out))
}

/// Two symmetric matrices: one indefinite (a negative pivot), and one whose
/// upper triangle is garbage (only the lower one is read) but is positive
/// definite.
pub fn not_pd(d: DType) -> Tensor {
    let v = vec![1.0, 2.0, 2.0, 1.0, 4.0, 99.0, 1.0, 3.0];
    tensor(&[2, 2, 2], floats_of(d, v))
}

/// An `n x n` matrix with both triangles filled and a dominant diagonal.
pub fn triangular(d: DType, n: usize) -> Tensor {
    let v = uniform(n * n, 77);
    let a = (0..n * n)
        .map(|k| {
            if k / n == k % n {
                2.0 + (k / n) as f64
            } else {
                0.5 * v[k]
            }
        })
        .collect();
    tensor(&[n, n], floats_of(d, a))
}

/// `batch` well-conditioned triangular `f64` matrices.
pub fn batched_triangular(batch: usize, n: usize) -> Tensor {
    let one = triangular(DType::F64, n).to_f64_vec();
    let all = (0..batch)
        .flat_map(|b| one.iter().map(move |x| x * (1.0 + b as f64)))
        .collect();
    tensor(&[batch, n, n], Data::F64(all))
}

/// Builds a closed graph equation by equation.
struct Builder {
    inputs: Vec<Var>,
    eqns: Vec<Eqn>,
}

impl Builder {
    fn new(types: &[TensorType]) -> Builder {
        let inputs = types.iter().map(|t| fresh_var(t.clone())).collect();
        Builder {
            inputs,
            eqns: vec![],
        }
    }

    fn arg(&self, i: usize) -> Atom {
        self.inputs
            .get(i)
            .cloned()
            .map_or(Atom::Const(Tensor::scalar_f32(0.0)), Atom::Var)
    }

    /// Applies a one-result primitive; on a type error, returns a constant
    /// (the sample then fails its checks, which a test reports).
    fn apply(&mut self, prim: Prim, inputs: Vec<Atom>) -> Atom {
        let types: Vec<TensorType> = inputs.iter().map(Atom::ty).collect();
        let Some(ty) = prim.infer(&types).ok().and_then(|t| t.into_iter().next()) else {
            return Atom::Const(Tensor::scalar_f32(f32::NAN));
        };
        let out = fresh_var(ty);
        self.eqns.push(Eqn {
            prim,
            inputs,
            outputs: vec![out.clone()],
        });
        Atom::Var(out)
    }

    fn finish(self, outputs: Vec<Atom>) -> Graph {
        Graph {
            inputs: self.inputs,
            eqns: self.eqns,
            outputs,
        }
    }
}

fn f32s(v: &[f32]) -> Tensor {
    tensor(&[v.len()], Data::F32(v.to_vec()))
}

/// `for i in 0..5 { acc = acc * c + 1; tot = tot + big }` with `c` a loop
/// constant and `big` a 20-element constant inside the body (hoisted to an
/// argument of `@main`).
pub fn while_loop() -> (Prim, Vec<Tensor>) {
    let big = f32s(&(0..20).map(|i| i as f32 * 0.5 - 3.0).collect::<Vec<_>>());
    let types = [
        TensorType::new(DType::F32, vec![3]),
        TensorType::scalar(DType::I32),
        TensorType::new(DType::F32, vec![3]),
        TensorType::new(DType::F32, vec![20]),
    ];
    let mut cond = Builder::new(&types);
    let i = cond.arg(1);
    let lt = cond.apply(
        Prim::new(Compare(Cmp::Lt)),
        vec![i, Atom::Const(Tensor::scalar_i32(5))],
    );
    let cond = cond.finish(vec![lt]);
    let mut body = Builder::new(&types);
    let (c, i, acc, tot) = (body.arg(0), body.arg(1), body.arg(2), body.arg(3));
    let next = body.apply(
        Prim::new(Binary(BinaryOp::Add)),
        vec![i, Atom::Const(Tensor::scalar_i32(1))],
    );
    let prod = body.apply(Prim::new(Binary(BinaryOp::Mul)), vec![acc, c]);
    let ones = Atom::Const(f32s(&[1.0, 1.0, 1.0]));
    let acc = body.apply(Prim::new(Binary(BinaryOp::Add)), vec![prod, ones]);
    let tot = body.apply(
        Prim::new(Binary(BinaryOp::Add)),
        vec![tot, Atom::Const(big)],
    );
    let body = body.finish(vec![next, acc, tot]);
    let prim = Prim::new(While {
        cond: Box::new(cond),
        body: Box::new(body),
        n_consts: 1,
        trip_count: Some(5),
        span: None,
    });
    let inputs = vec![
        f32s(&[0.5, 1.5, -1.0]),
        Tensor::scalar_i32(0),
        f32s(&[1.0, 2.0, 3.0]),
        f32s(&[0.25; 20]),
    ];
    (prim, inputs)
}

/// A loop whose condition is false at once: the carries come back unchanged.
pub fn while_never() -> (Prim, Vec<Tensor>) {
    let types = [TensorType::new(DType::F64, vec![2])];
    let cond = Builder::new(&types).finish(vec![Atom::Const(Tensor::scalar_bool(false))]);
    let mut body = Builder::new(&types);
    let x = body.arg(0);
    let twice = body.apply(Prim::new(Binary(BinaryOp::Add)), vec![x.clone(), x]);
    let body = body.finish(vec![twice]);
    let prim = Prim::new(While {
        cond: Box::new(cond),
        body: Box::new(body),
        n_consts: 0,
        trip_count: None,
        span: None,
    });
    (prim, vec![tensor(&[2], Data::F64(vec![1.5, -2.0]))])
}

/// Three branches over `x: f32[18]` returning `(y, branch number)`: `x +
/// big` (a hoisted constant), `x * x`, `-x`.
pub fn cond(index: i32) -> (Prim, Vec<Tensor>) {
    let x_ty = [TensorType::new(DType::F32, vec![18])];
    let big = f32s(&(0..18).map(|i| (i * i) as f32 * 0.125).collect::<Vec<_>>());
    let mut b0 = Builder::new(&x_ty);
    let x = b0.arg(0);
    let y = b0.apply(Prim::new(Binary(BinaryOp::Add)), vec![x, Atom::Const(big)]);
    let b0 = b0.finish(vec![y, Atom::Const(Tensor::scalar_i32(0))]);
    let mut b1 = Builder::new(&x_ty);
    let x = b1.arg(0);
    let y = b1.apply(Prim::new(Binary(BinaryOp::Mul)), vec![x.clone(), x]);
    let b1 = b1.finish(vec![y, Atom::Const(Tensor::scalar_i32(1))]);
    let mut b2 = Builder::new(&x_ty);
    let x = b2.arg(0);
    let y = b2.apply(Prim::new(Unary(UnaryOp::Neg)), vec![x]);
    let b2 = b2.finish(vec![y, Atom::Const(Tensor::scalar_i32(2))]);
    let prim = Prim::new(Cond {
        branches: vec![b0, b1, b2],
    });
    let x = f32s(&(0..18).map(|i| i as f32 - 8.5).collect::<Vec<_>>());
    (prim, vec![Tensor::scalar_i32(index), x])
}

/// A scan of 4 iterations over `c: [3]` (constant), `acc: [3]` (carry) and
/// `xs: [4, 3]`: `acc = acc * c + x; y = sin(acc) * x`, giving the final
/// `acc` and the stacked `y`s (forwards or backwards over `xs`).
pub fn scan(reverse: bool, d: DType) -> (Prim, Vec<Tensor>) {
    let row = TensorType::new(d, vec![3]);
    let mut body = Builder::new(&[row.clone(), row.clone(), row]);
    let (c, acc, x) = (body.arg(0), body.arg(1), body.arg(2));
    let prod = body.apply(Prim::new(Binary(BinaryOp::Mul)), vec![acc, c]);
    let acc = body.apply(Prim::new(Binary(BinaryOp::Add)), vec![prod, x.clone()]);
    let s = body.apply(Prim::new(Unary(UnaryOp::Sin)), vec![acc.clone()]);
    let y = body.apply(Prim::new(Binary(BinaryOp::Mul)), vec![s, x]);
    let prim = Prim::new(Scan {
        body: Box::new(body.finish(vec![acc, y])),
        n_consts: 1,
        n_carries: 1,
        length: 4,
        reverse,
    });
    let xs: Vec<f64> = (0..12).map(|i| (i as f64 - 5.5) * 0.25).collect();
    let inputs = vec![
        tensor(&[3], floats_of(d, vec![0.5, -0.75, 1.25])),
        tensor(&[3], floats_of(d, vec![0.1, 0.2, -0.3])),
        tensor(&[4, 3], floats_of(d, xs)),
    ];
    (prim, inputs)
}

/// `custom_jvp` of `y = sin(x)·c` over `x, c: f64[3]` with its true JVP
/// `cos(x)·c·tx + sin(x)·tc`.
pub fn custom_jvp() -> (Prim, Vec<Tensor>) {
    let row = TensorType::new(DType::F64, vec![3]);
    let mut p = Builder::new(&[row.clone(), row.clone()]);
    let s = p.apply(Prim::new(Unary(UnaryOp::Sin)), vec![p.arg(0)]);
    let y = p.apply(Prim::new(Binary(BinaryOp::Mul)), vec![s, p.arg(1)]);
    let primal = p.finish(vec![y]);
    let mut j = Builder::new(&[row.clone(), row.clone(), row.clone(), row]);
    let (x, c, tx, tc) = (j.arg(0), j.arg(1), j.arg(2), j.arg(3));
    let s = j.apply(Prim::new(Unary(UnaryOp::Sin)), vec![x.clone()]);
    let y = j.apply(Prim::new(Binary(BinaryOp::Mul)), vec![s.clone(), c.clone()]);
    let cos = j.apply(Prim::new(Unary(UnaryOp::Cos)), vec![x]);
    let dydx = j.apply(Prim::new(Binary(BinaryOp::Mul)), vec![cos, c]);
    let t1 = j.apply(Prim::new(Binary(BinaryOp::Mul)), vec![dydx, tx]);
    let t2 = j.apply(Prim::new(Binary(BinaryOp::Mul)), vec![s, tc]);
    let t = j.apply(Prim::new(Binary(BinaryOp::Add)), vec![t1, t2]);
    let jvp = j.finish(vec![y, t]);
    let prim = Prim::new(CustomJvp {
        primal: Box::new(primal),
        jvp: Box::new(jvp),
        closed: 0,
    });
    let x = tensor(&[3], Data::F64(vec![0.3, -1.2, 2.0]));
    let c = tensor(&[3], Data::F64(vec![1.5, 0.5, -2.0]));
    (prim, vec![x, c])
}

/// The reverse rule of `y = sin(x)·c`: residuals `(cos x, sin x, c)` and
/// the cotangent `ct` give `(ct·cos(x)·c, ct·sin(x))`.
fn sin_times_bwd() -> Graph {
    let row = TensorType::new(DType::F64, vec![3]);
    let mut g = Builder::new(&[row.clone(), row.clone(), row.clone(), row]);
    let (cos, sin, c, ct) = (g.arg(0), g.arg(1), g.arg(2), g.arg(3));
    let dydx = g.apply(Prim::new(Binary(BinaryOp::Mul)), vec![cos, c]);
    let cx = g.apply(Prim::new(Binary(BinaryOp::Mul)), vec![ct.clone(), dydx]);
    let cc = g.apply(Prim::new(Binary(BinaryOp::Mul)), vec![ct, sin]);
    g.finish(vec![cx, cc])
}

/// `custom_vjp` of `y = sin(x)·c` over `x, c: f64[3]`, whose `fwd` keeps
/// `cos x, sin x, c` for its `bwd`, the true reverse rule.
pub fn custom_vjp() -> (Prim, Vec<Tensor>) {
    let row = TensorType::new(DType::F64, vec![3]);
    let mut p = Builder::new(&[row.clone(), row.clone()]);
    let s = p.apply(Prim::new(Unary(UnaryOp::Sin)), vec![p.arg(0)]);
    let y = p.apply(Prim::new(Binary(BinaryOp::Mul)), vec![s, p.arg(1)]);
    let primal = p.finish(vec![y]);
    let mut f = Builder::new(&[row.clone(), row]);
    let s = f.apply(Prim::new(Unary(UnaryOp::Sin)), vec![f.arg(0)]);
    let cos = f.apply(Prim::new(Unary(UnaryOp::Cos)), vec![f.arg(0)]);
    let y = f.apply(Prim::new(Binary(BinaryOp::Mul)), vec![s.clone(), f.arg(1)]);
    let c = f.arg(1);
    let fwd = f.finish(vec![y, cos, s, c]);
    let prim = Prim::new(CustomVjp {
        primal: Box::new(primal),
        fwd: Box::new(fwd),
        bwd: Box::new(sin_times_bwd()),
        closed: 0,
    });
    let x = tensor(&[3], Data::F64(vec![0.3, -1.2, 2.0]));
    let c = tensor(&[3], Data::F64(vec![1.5, 0.5, -2.0]));
    (prim, vec![x, c])
}

/// The tangent map of [`custom_vjp`] at `x`, `c`: residuals
/// `(cos x, sin x, c)`, then the tangents `tx, tc`.
pub fn custom_vjp_lin() -> (Prim, Vec<Tensor>) {
    let (x, c) = ([0.3f64, -1.2, 2.0], [1.5, 0.5, -2.0]);
    let f64s = |v: Vec<f64>| tensor(&[3], Data::F64(v));
    let inputs = vec![
        f64s(x.iter().map(|x| x.cos()).collect()),
        f64s(x.iter().map(|x| x.sin()).collect()),
        f64s(c.to_vec()),
        f64s(vec![1.0, -0.5, 0.25]),
        f64s(vec![0.5, 2.0, -1.0]),
    ];
    let prim = Prim::new(CustomVjpLin {
        bwd: Box::new(sin_times_bwd()),
        n_res: 3,
    });
    (prim, inputs)
}

/// `linear_solve` with the upper triangle of a non-symmetric `m: f64[3, 3]`
/// as its map: `matvec = triu(m)·u`, `solve` and `transpose_solve` exact by
/// `triangular_solve` (so that its derivatives are exact too).
pub fn linear_solve() -> (Prim, Vec<Tensor>) {
    let (m_ty, v_ty) = (
        TensorType::new(DType::F64, vec![3, 3]),
        TensorType::new(DType::F64, vec![3]),
    );
    let types = [m_ty, v_ty];
    let mut mv = Builder::new(&types);
    let dot = Prim::new(DotGeneral {
        lhs_batch: vec![],
        rhs_batch: vec![],
        lhs_contract: vec![1],
        rhs_contract: vec![0],
    });
    // The map reads only the upper triangle, as the solves do.
    let upper_mask = tensor(
        &[3, 3],
        Data::Bool((0..9).map(|k| k / 3 <= k % 3).collect()),
    );
    let zeros = Atom::Const(tensor(&[3, 3], Data::F64(vec![0.0; 9])));
    let m = mv.apply(
        Prim::new(Select),
        vec![Atom::Const(upper_mask), mv.arg(0), zeros],
    );
    let au = mv.apply(dot, vec![m, mv.arg(1)]);
    let matvec = mv.finish(vec![au]);
    let solve_with = |transpose_a: bool| {
        let mut s = Builder::new(&types);
        let b = s.apply(Prim::new(Reshape { shape: vec![3, 1] }), vec![s.arg(1)]);
        let solve = Prim::new(TriangularSolve {
            left_side: true,
            lower: false,
            transpose_a,
            unit_diagonal: false,
        });
        let x = s.apply(solve, vec![s.arg(0), b]);
        let x = s.apply(Prim::new(Reshape { shape: vec![3] }), vec![x]);
        s.finish(vec![x])
    };
    let prim = Prim::new(LinearSolve {
        matvec: Box::new(matvec),
        solve: Box::new(solve_with(false)),
        transpose_solve: Box::new(solve_with(true)),
        n_consts: 1,
    });
    let full = triangular(DType::F64, 3).to_f64_vec();
    let upper = (0..9).map(|k| if k / 3 > k % 3 { 0.0 } else { full[k] });
    let m = tensor(&[3, 3], Data::F64(upper.collect()));
    let b = tensor(&[3], Data::F64(vec![1.0, -2.0, 0.5]));
    (prim, vec![m, b])
}
