//! Sample applications of every primitive, for table-driven checks: the
//! StableHLO lowering against the interpreter, and derivative checks.
//!
//! The table is driven from the primitive set: each unary, binary and
//! comparison op is sampled at every dtype its shape rule accepts, each
//! conversion at every pair of dtypes, and the other primitives at a few
//! shapes each, with edge cases (empty dims, NaN and infinities, integer
//! extremes, negative padding, out-of-range indices). Inputs are
//! well-conditioned where it matters (positive-definite matrices for
//! `cholesky`, dominant diagonals for `triangular_solve`). [`variant_name`]
//! names every primitive type, and [`VARIANT_NAMES`] comes from the same
//! macro, so a test can insist that each type has a sample.

mod values;

use super::*;
use super::{ArgOp, BinaryOp, Cmp, Prim, ReduceOp, UnaryOp};
use crate::ir::{fresh_var, Atom, Eqn, Graph, Var};
use crate::tensor::{Data, Tensor, C128};
use crate::types::{DType, TensorType};
use values::{operand, tensor, LIST_A, LIST_B};

/// One application of a primitive to concrete inputs.
#[derive(Clone, Debug)]
pub struct Sample {
    pub prim: Prim,
    pub inputs: Vec<Tensor>,
    pub note: &'static str,
}

impl Sample {
    fn new(prim: Prim, inputs: Vec<Tensor>, note: &'static str) -> Sample {
        Sample { prim, inputs, note }
    }

    /// The one-equation graph `outputs = prim(inputs)` over graph inputs of
    /// the sample's input types; `Err` if the inputs fail the shape rule.
    pub fn graph(&self) -> Result<Graph, String> {
        let types: Vec<TensorType> = self.inputs.iter().map(Tensor::ty).collect();
        let inputs: Vec<Var> = types.iter().map(|t| fresh_var(t.clone())).collect();
        let outs = self.prim.infer(&types)?;
        let outputs: Vec<Var> = outs.into_iter().map(fresh_var).collect();
        Ok(Graph {
            inputs: inputs.clone(),
            eqns: vec![Eqn {
                prim: self.prim.clone(),
                inputs: inputs.into_iter().map(Atom::Var).collect(),
                outputs: outputs.clone(),
            }],
            outputs: outputs.into_iter().map(Atom::Var).collect(),
        })
    }
}

impl Sample {
    /// The sample in double precision: f32 inputs (c64 ones), and the f32
    /// (c64) values of its regions, widened to f64 (c128); the samples'
    /// regions use only primitives without a dtype parameter. Derivative
    /// checks run in double precision.
    pub fn widened(&self) -> Sample {
        Sample {
            prim: self.prim.map_regions(widened_graph),
            inputs: self.inputs.iter().map(widened).collect(),
            note: self.note,
        }
    }
}

fn widened(t: &Tensor) -> Tensor {
    let data = match t.data() {
        Data::F32(_) => Data::F64(t.to_f64_vec()),
        Data::C64(v) => Data::C128(
            v.iter()
                .map(|z| C128::new(z.re as f64, z.im as f64))
                .collect(),
        ),
        _ => return t.clone(),
    };
    Tensor::new(t.shape().to_vec(), data).unwrap_or_else(|| t.clone())
}

/// The double-precision dtype of the same kind.
fn wide(d: DType) -> DType {
    match d {
        DType::F32 => DType::F64,
        DType::C64 => DType::C128,
        d => d,
    }
}

fn widened_graph(g: &Graph) -> Graph {
    let var = |v: &Var| Var {
        id: v.id,
        ty: v.ty.with_dtype(wide(v.ty.dtype)),
    };
    let atom = |a: &Atom| match a {
        Atom::Var(v) => Atom::Var(var(v)),
        Atom::Const(t) => Atom::Const(widened(t)),
    };
    Graph {
        inputs: g.inputs.iter().map(var).collect(),
        eqns: (g.eqns.iter())
            .map(|e| Eqn {
                prim: e.prim.map_regions(widened_graph),
                inputs: e.inputs.iter().map(atom).collect(),
                outputs: e.outputs.iter().map(var).collect(),
            })
            .collect(),
        outputs: g.outputs.iter().map(atom).collect(),
    }
}

/// Defines [`variant_name`] and [`VARIANT_NAMES`] from one list of the
/// primitive types, so that neither can miss one.
macro_rules! variants {
    ($($ty:ident => $name:literal),* $(,)?) => {
        /// The name of a primitive's type (`"unary"`, `"while"`, ...), or
        /// `"unlisted"` for a type missing from the list.
        pub fn variant_name(p: &Prim) -> &'static str {
            $(if p.downcast_ref::<$ty>().is_some() {
                return $name;
            })*
            "unlisted"
        }
        /// Every primitive type's name, in the order of the list.
        pub const VARIANT_NAMES: &[&str] = &[$($name),*];
    };
}

variants! {
    Unary => "unary",
    Binary => "binary",
    Compare => "compare",
    Select => "select",
    StopGradient => "stop_gradient",
    Convert => "convert",
    BitcastConvert => "bitcast_convert",
    Reduce => "reduce",
    ArgReduce => "arg_reduce",
    Broadcast => "broadcast_in_dim",
    Reshape => "reshape",
    Transpose => "transpose",
    Slice => "slice",
    DynamicSlice => "dynamic_slice",
    DynamicUpdateSlice => "dynamic_update_slice",
    Concat => "concatenate",
    Pad => "pad",
    Iota => "iota",
    Rev => "reverse",
    DotGeneral => "dot_general",
    Cholesky => "cholesky",
    TriangularSolve => "triangular_solve",
    Threefry2x32 => "threefry2x32",
    While => "while",
    Scan => "scan",
    Cond => "cond",
    CustomJvp => "custom_jvp",
    CustomVjp => "custom_vjp",
    CustomVjpLin => "custom_vjp_lin",
    LinearSolve => "linear_solve",
    Print => "print",
    ShardingConstraint => "sharding_constraint",
}

/// Defines a constant array of every value of a fieldless enum, checked
/// complete by an exhaustive match generated from the same list.
macro_rules! all_of {
    ($name:ident: $ty:ident [$($v:ident),* $(,)?]) => {
        pub const $name: &[$ty] = &[$($ty::$v),*];
        const _: fn($ty) = |x| match x {
            $($ty::$v => ()),*
        };
    };
}

/// Every unary op (generated with the op's enum from its table).
pub const UNARY_OPS: &[UnaryOp] = UnaryOp::ALL;
/// Every binary op (generated with the op's enum from its table).
pub const BINARY_OPS: &[BinaryOp] = BinaryOp::ALL;
all_of!(CMPS: Cmp [Eq, Ne, Lt, Le, Gt, Ge]);
all_of!(REDUCE_OPS: ReduceOp [Sum, Prod, Max, Min, And, Or]);
all_of!(ARG_OPS: ArgOp [Max, Min]);
all_of!(DTYPES: DType [Bool, I32, I64, U32, F32, F64, C64, C128]);

/// Every sample: see the module documentation.
pub fn samples() -> Vec<Sample> {
    let mut out = vec![];
    elementwise(&mut out);
    conversions(&mut out);
    reductions(&mut out);
    shapes(&mut out);
    slicing(&mut out);
    linalg(&mut out);
    random(&mut out);
    control(&mut out);
    sharding(&mut out);
    out
}

fn ty(d: DType, shape: &[usize]) -> TensorType {
    TensorType::new(d, shape.to_vec())
}

fn elementwise(out: &mut Vec<Sample>) {
    for &op in UNARY_OPS {
        for &d in DTYPES {
            if Prim::new(Unary(op)).infer(&[ty(d, &[15])]).is_ok() {
                let x = operand(d, &[15], LIST_A);
                out.push(Sample::new(Prim::new(Unary(op)), vec![x], "edge values"));
                let s = operand(d, &[], LIST_B);
                out.push(Sample::new(Prim::new(Unary(op)), vec![s], "scalar"));
            }
        }
    }
    for zero in [
        Data::C64(vec![Default::default(); 2]),
        Data::C128(vec![Default::default(); 2]),
    ] {
        out.push(Sample::new(
            Prim::new(Unary(UnaryOp::Sign)),
            vec![tensor(&[2], zero)],
            "sign of complex 0",
        ));
    }
    // erf changes formulas at |x| = 0.5, 1 and 6; XLA's has its own ranges.
    let erf_x = [
        1e-30, -1e-8, 0.3, -0.49, 0.5, 0.75, -0.99, 1.0, 1.2, 2.9, -4.5, 5.99, 6.0, 27.0,
    ];
    for d in [
        Data::F32(erf_x.map(|x| x as f32).to_vec()),
        Data::F64(erf_x.to_vec()),
    ] {
        let x = tensor(&[erf_x.len()], d);
        out.push(Sample::new(
            Prim::new(Unary(UnaryOp::Erf)),
            vec![x],
            "tiny to large",
        ));
    }
    for &op in BINARY_OPS {
        for &d in DTYPES {
            if Prim::new(Binary(op))
                .infer(&[ty(d, &[3, 5]), ty(d, &[3, 5])])
                .is_ok()
            {
                let (a, b) = (operand(d, &[3, 5], LIST_A), operand(d, &[3, 5], LIST_B));
                out.push(Sample::new(
                    Prim::new(Binary(op)),
                    vec![a, b],
                    "edge values",
                ));
            }
        }
    }
    for d in [DType::I32, DType::I64, DType::U32] {
        let (a, b) = values::pow_operands(d);
        out.push(Sample::new(
            Prim::new(Binary(BinaryOp::Pow)),
            vec![a, b],
            "large and negative exponents",
        ));
    }
    let e = operand(DType::F32, &[0, 2], LIST_A);
    out.push(Sample::new(
        Prim::new(Binary(BinaryOp::Add)),
        vec![e.clone(), e],
        "empty",
    ));
    for &c in CMPS {
        for &d in DTYPES {
            if Prim::new(Compare(c))
                .infer(&[ty(d, &[15]), ty(d, &[15])])
                .is_ok()
            {
                let (a, b) = (operand(d, &[15], LIST_A), operand(d, &[15], LIST_B));
                out.push(Sample::new(
                    Prim::new(Compare(c)),
                    vec![a, b],
                    "edge values",
                ));
            }
        }
    }
    for &d in DTYPES {
        let p = operand(DType::Bool, &[3, 5], LIST_A);
        let (a, b) = (operand(d, &[3, 5], LIST_A), operand(d, &[3, 5], LIST_B));
        out.push(Sample::new(Prim::new(Select), vec![p, a, b], "every dtype"));
        out.push(Sample::new(
            Prim::new(StopGradient),
            vec![operand(d, &[3, 5], LIST_A)],
            "every dtype",
        ));
    }
}

fn conversions(out: &mut Vec<Sample>) {
    for &from in DTYPES {
        for &to in DTYPES {
            let x = values::conversion_operand(from);
            out.push(Sample::new(
                Prim::new(Convert(to)),
                vec![x],
                "saturation, NaN, rounding",
            ));
        }
    }
    for &from in DTYPES {
        for &to in DTYPES {
            if Prim::new(BitcastConvert(to))
                .infer(&[ty(from, &[4])])
                .is_ok()
            {
                let x = values::conversion_operand(from);
                out.push(Sample::new(Prim::new(BitcastConvert(to)), vec![x], "bits"));
            }
        }
    }
}

fn reductions(out: &mut Vec<Sample>) {
    let cases: [(&[usize], &[usize], &str); 6] = [
        (&[3, 5], &[1], "rows"),
        (&[3, 5], &[0], "columns"),
        (&[3, 5], &[0, 1], "all"),
        (&[3, 5], &[], "no axes"),
        (&[0, 3], &[0], "empty axis gives the identity"),
        (&[2, 3, 4], &[0, 2], "outer and inner axes"),
    ];
    for &op in REDUCE_OPS {
        for &d in DTYPES {
            for &(shape, axes, note) in &cases {
                let prim = Prim::new(Reduce {
                    op,
                    axes: axes.to_vec(),
                });
                if prim.infer(&[ty(d, shape)]).is_ok() {
                    out.push(Sample::new(
                        prim,
                        vec![values::reduce_operand(d, shape)],
                        note,
                    ));
                }
            }
        }
    }
    for op in [ReduceOp::Max, ReduceOp::Min] {
        for d in [DType::F32, DType::F64] {
            for axes in [vec![0], vec![1]] {
                let prim = Prim::new(Reduce { op, axes });
                let x = operand(d, &[3, 5], LIST_A);
                out.push(Sample::new(prim, vec![x], "NaN and infinities"));
            }
        }
    }
    for &op in ARG_OPS {
        for &d in DTYPES {
            for axis in [0, 1] {
                let prim = Prim::new(ArgReduce { op, axis });
                if prim.infer(&[ty(d, &[4, 5])]).is_ok() {
                    let x = values::arg_operand(d);
                    out.push(Sample::new(prim, vec![x], "ties, NaN, extremes"));
                }
            }
        }
    }
}

fn shapes(out: &mut Vec<Sample>) {
    let f = |shape: &[usize]| operand(DType::F32, shape, LIST_A);
    let b = |shape: &[usize], dims: &[usize]| {
        Prim::new(Broadcast {
            shape: shape.to_vec(),
            dims: dims.to_vec(),
        })
    };
    out.push(Sample::new(b(&[2, 3], &[1]), vec![f(&[3])], "rows"));
    out.push(Sample::new(
        b(&[4, 3], &[0, 1]),
        vec![f(&[1, 3])],
        "size-1 dim",
    ));
    out.push(Sample::new(b(&[2, 2], &[]), vec![f(&[])], "scalar"));
    for &d in DTYPES {
        let x = operand(d, &[3], LIST_B);
        out.push(Sample::new(b(&[3, 2], &[0]), vec![x], "every dtype"));
        let r = Prim::new(Reshape { shape: vec![3, 2] });
        out.push(Sample::new(
            r,
            vec![operand(d, &[2, 3], LIST_A)],
            "every dtype",
        ));
    }
    let reshape = |s: &[usize]| Prim::new(Reshape { shape: s.to_vec() });
    out.push(Sample::new(reshape(&[]), vec![f(&[1, 1])], "to a scalar"));
    out.push(Sample::new(reshape(&[3, 0]), vec![f(&[0, 3])], "empty"));
    let tr = |p: &[usize]| Prim::new(Transpose { perm: p.to_vec() });
    out.push(Sample::new(tr(&[2, 0, 1]), vec![f(&[2, 3, 4])], "rank 3"));
    for (d, note) in [(DType::C64, "c64"), (DType::C128, "c128")] {
        out.push(Sample::new(
            tr(&[1, 0]),
            vec![operand(d, &[2, 3], LIST_A)],
            note,
        ));
    }
    out.push(Sample::new(tr(&[]), vec![f(&[])], "scalar"));
    let cat = |axis| Prim::new(Concat { axis });
    out.push(Sample::new(cat(1), vec![f(&[2, 3]), f(&[2, 1])], "columns"));
    out.push(Sample::new(
        cat(0),
        vec![f(&[1, 3]), f(&[0, 3]), f(&[2, 3])],
        "with an empty one",
    ));
    let i = |s: &[usize]| operand(DType::I64, s, LIST_A);
    out.push(Sample::new(cat(0), vec![i(&[2]), i(&[3])], "i64"));
    let pad = |lo: &[i64], hi: &[i64], interior: &[usize]| {
        Prim::new(Pad {
            lo: lo.to_vec(),
            hi: hi.to_vec(),
            interior: interior.to_vec(),
        })
    };
    let v = Tensor::scalar_f32(-9.0);
    out.push(Sample::new(
        pad(&[1], &[2], &[1]),
        vec![f(&[3]), v.clone()],
        "interior",
    ));
    out.push(Sample::new(
        pad(&[-1], &[-2], &[2]),
        vec![f(&[4]), v.clone()],
        "negative edges",
    ));
    out.push(Sample::new(
        pad(&[0, -1], &[2, 1], &[1, 0]),
        vec![f(&[2, 3]), v.clone()],
        "2-D",
    ));
    out.push(Sample::new(
        pad(&[2], &[1], &[3]),
        vec![f(&[0]), v],
        "empty operand",
    ));
    let pi = Tensor::scalar_i32(7);
    out.push(Sample::new(
        pad(&[1], &[0], &[0]),
        vec![operand(DType::I32, &[3], LIST_A), pi],
        "i32",
    ));
    for &d in DTYPES {
        let prim = Prim::new(Iota {
            shape: vec![2, 3],
            dim: 1,
            dtype: d,
        });
        if prim.infer(&[]).is_ok() {
            out.push(Sample::new(prim, vec![], "every dtype"));
        }
    }
    let iota0 = Prim::new(Iota {
        shape: vec![4, 2],
        dim: 0,
        dtype: DType::F64,
    });
    out.push(Sample::new(iota0, vec![], "dim 0"));
    let rev = |axes: &[usize]| {
        Prim::new(Rev {
            axes: axes.to_vec(),
        })
    };
    out.push(Sample::new(rev(&[0, 1]), vec![f(&[2, 3])], "both axes"));
    out.push(Sample::new(
        rev(&[1]),
        vec![operand(DType::Bool, &[2, 3], LIST_A)],
        "bool",
    ));
    out.push(Sample::new(rev(&[]), vec![f(&[4])], "no axes"));
}

fn slicing(out: &mut Vec<Sample>) {
    let f = |shape: &[usize]| operand(DType::F32, shape, LIST_A);
    let slice = |s: &[usize], l: &[usize], t: &[usize]| {
        Prim::new(Slice {
            start: s.to_vec(),
            limit: l.to_vec(),
            stride: t.to_vec(),
        })
    };
    out.push(Sample::new(
        slice(&[1, 0], &[3, 5], &[1, 2]),
        vec![f(&[4, 5])],
        "strided",
    ));
    out.push(Sample::new(
        slice(&[2, 1], &[2, 3], &[1, 1]),
        vec![f(&[4, 5])],
        "empty result",
    ));
    out.push(Sample::new(slice(&[], &[], &[]), vec![f(&[])], "scalar"));
    let u = operand(DType::U32, &[6], LIST_A);
    out.push(Sample::new(slice(&[1], &[6], &[2]), vec![u], "u32"));
    let ds = |sizes: &[usize]| {
        Prim::new(DynamicSlice {
            sizes: sizes.to_vec(),
        })
    };
    for start in [-1, 0, 2, 4, 100] {
        let s = Tensor::scalar_i32(start);
        out.push(Sample::new(ds(&[2]), vec![f(&[5]), s], "start clamped"));
    }
    let (r, c) = (Tensor::scalar_i64(-3), Tensor::scalar_i64(3));
    out.push(Sample::new(
        ds(&[2, 2]),
        vec![f(&[3, 4]), r, c],
        "i64 starts, clamped",
    ));
    let us = tensor(&[], Data::U32(vec![u32::MAX]));
    out.push(Sample::new(ds(&[1]), vec![f(&[3]), us], "u32 start"));
    out.push(Sample::new(ds(&[]), vec![f(&[])], "scalar"));
    for start in [-2, 1, 4] {
        let upd = operand(DType::F32, &[2], LIST_B);
        let s = Tensor::scalar_i32(start);
        out.push(Sample::new(
            Prim::new(DynamicUpdateSlice),
            vec![f(&[5]), upd, s],
            "start clamped",
        ));
    }
    let upd = operand(DType::I32, &[1, 2], LIST_B);
    let (r, c) = (Tensor::scalar_i32(1), Tensor::scalar_i32(9));
    let x = operand(DType::I32, &[3, 4], LIST_A);
    out.push(Sample::new(
        Prim::new(DynamicUpdateSlice),
        vec![x, upd, r, c],
        "2-D i32",
    ));
}

fn linalg(out: &mut Vec<Sample>) {
    let dot = |lb: &[usize], rb: &[usize], lc: &[usize], rc: &[usize]| {
        Prim::new(DotGeneral {
            lhs_batch: lb.to_vec(),
            rhs_batch: rb.to_vec(),
            lhs_contract: lc.to_vec(),
            rhs_contract: rc.to_vec(),
        })
    };
    for &d in &[
        DType::F32,
        DType::F64,
        DType::I32,
        DType::I64,
        DType::U32,
        DType::C64,
        DType::C128,
    ] {
        let (a, b) = (values::matrix(d, &[2, 3], 1), values::matrix(d, &[3, 4], 2));
        out.push(Sample::new(dot(&[], &[], &[1], &[0]), vec![a, b], "matmul"));
    }
    let f = |shape: &[usize], seed| values::matrix(DType::F64, shape, seed);
    let batched = dot(&[0], &[0], &[2], &[1]);
    out.push(Sample::new(
        batched,
        vec![f(&[2, 2, 3], 3), f(&[2, 3, 2], 4)],
        "batched",
    ));
    out.push(Sample::new(
        dot(&[], &[], &[], &[]),
        vec![f(&[3], 5), f(&[2], 6)],
        "outer",
    ));
    out.push(Sample::new(
        dot(&[], &[], &[0], &[0]),
        vec![f(&[4], 7), f(&[4], 8)],
        "inner",
    ));
    let t = dot(&[], &[], &[0], &[1]);
    out.push(Sample::new(
        t,
        vec![f(&[3, 2], 9), f(&[4, 3], 10)],
        "transposed contraction",
    ));
    let z = dot(&[], &[], &[1], &[0]);
    out.push(Sample::new(
        z,
        vec![f(&[2, 0], 1), f(&[0, 3], 2)],
        "empty contraction",
    ));
    for d in [DType::F32, DType::F64] {
        out.push(Sample::new(
            Prim::new(Cholesky),
            vec![values::spd(d, 1, 4)],
            "positive definite",
        ));
        out.push(Sample::new(
            Prim::new(Cholesky),
            vec![values::spd(d, 2, 3)],
            "batched",
        ));
        out.push(Sample::new(
            Prim::new(Cholesky),
            vec![values::not_pd(d)],
            "not positive definite",
        ));
    }
    let empty = tensor(&[0, 0], Data::F64(vec![]));
    out.push(Sample::new(Prim::new(Cholesky), vec![empty], "0 x 0"));
    for bits in 0..16u32 {
        let prim = Prim::new(TriangularSolve {
            left_side: bits & 1 != 0,
            lower: bits & 2 != 0,
            transpose_a: bits & 4 != 0,
            unit_diagonal: bits & 8 != 0,
        });
        let d = if bits % 3 == 0 {
            DType::F32
        } else {
            DType::F64
        };
        let b = if bits & 1 != 0 { [3, 2] } else { [2, 3] };
        let inputs = vec![values::triangular(d, 3), values::matrix(d, &b, bits as u64)];
        out.push(Sample::new(prim, inputs, "every flag combination"));
    }
    let batched = Prim::new(TriangularSolve {
        left_side: true,
        lower: true,
        transpose_a: false,
        unit_diagonal: false,
    });
    let a = values::batched_triangular(2, 3);
    let b = values::matrix(DType::F64, &[2, 3, 1], 11);
    out.push(Sample::new(batched, vec![a, b], "batched"));
}

fn random(out: &mut Vec<Sample>) {
    let u = |v: u32| tensor(&[], Data::U32(vec![v]));
    let counters = |n: u32| tensor(&[n as usize], Data::U32((0..n).collect()));
    let keyed = [
        (0, 0),
        (0, 42),
        (0x1319_8A2E, 0x0370_7344),
        (u32::MAX, u32::MAX),
    ];
    for (k0, k1) in keyed {
        let inputs = vec![
            u(k0),
            u(k1),
            tensor(&[5], Data::U32(vec![0; 5])),
            counters(5),
        ];
        out.push(Sample::new(Prim::new(Threefry2x32), inputs, "keys"));
    }
    let hi = tensor(&[2, 2], Data::U32(vec![u32::MAX, 1, 0x243F_6A88, 7]));
    let lo = tensor(&[2, 2], Data::U32(vec![u32::MAX, 2, 0x85A3_08D3, 9]));
    out.push(Sample::new(
        Prim::new(Threefry2x32),
        vec![u(1), u(2), hi, lo],
        "2-D counters",
    ));
    out.push(Sample::new(
        Prim::new(Threefry2x32),
        vec![u(3), u(4), u(5), u(6)],
        "scalar",
    ));
    let none = tensor(&[0], Data::U32(vec![]));
    out.push(Sample::new(
        Prim::new(Threefry2x32),
        vec![u(3), u(4), none.clone(), none],
        "empty",
    ));
}

/// Constraints on one device (lowered to nothing) and on four (Shardy's
/// constraint, compiled only over a mesh: the differential lowering test
/// leaves them to the four-device tests), split, replicated and split on a
/// mesh axis of a 2-D mesh.
fn sharding(out: &mut Vec<Sample>) {
    let cases = [
        (constraint(&[1], &["data"], &[Some("data")]), "one device"),
        (
            constraint(&[4], &["data"], &[Some("data"), None]),
            "rows over 4 devices",
        ),
        (constraint(&[4], &["data"], &[]), "replicated on 4 devices"),
        (
            constraint(&[2, 2], &["data", "model"], &[None, Some("model")]),
            "columns over a 2-D mesh",
        ),
    ];
    for (prim, note) in cases {
        let Some(prim) = prim else { continue };
        for d in [DType::F32, DType::C64, DType::I32] {
            let x = operand(d, &[4, 2], LIST_A);
            out.push(Sample::new(prim.clone(), vec![x], note));
        }
    }
}

/// A `sharding_constraint` of `spec` on a mesh of `shape` named `axes`.
fn constraint(shape: &[usize], axes: &[&str], spec: &[Option<&str>]) -> Option<Prim> {
    use crate::types::{Mesh, Sharding};
    use std::sync::Arc;
    let axes = axes.iter().map(|a| a.to_string()).collect();
    let mesh = Arc::new(Mesh::new(shape.to_vec(), axes).ok()?);
    let spec: Vec<Option<String>> = spec.iter().map(|n| n.map(str::to_string)).collect();
    let sharding = Arc::new(Sharding::new(mesh, &spec).ok()?);
    Some(Prim::new(ShardingConstraint { sharding }))
}

fn control(out: &mut Vec<Sample>) {
    let (prim, inputs) = values::while_loop();
    out.push(Sample::new(
        prim,
        inputs,
        "counted loop with a constant and a hoisted array",
    ));
    let (prim, inputs) = values::while_never();
    out.push(Sample::new(prim, inputs, "condition false at once"));
    for (reverse, d) in [(false, DType::F64), (true, DType::F64), (false, DType::F32)] {
        let (prim, inputs) = values::scan(reverse, d);
        out.push(Sample::new(
            prim,
            inputs,
            "constant, carry, stacked input and output",
        ));
    }
    let (prim, inputs) = values::custom_jvp();
    out.push(Sample::new(prim, inputs, "sin(x) c with its own JVP"));
    let (prim, inputs) = values::custom_vjp();
    out.push(Sample::new(
        prim,
        inputs,
        "sin(x) c with its own reverse rule",
    ));
    let (prim, inputs) = values::custom_vjp_lin();
    out.push(Sample::new(prim, inputs, "the tangent map of sin(x) c"));
    let (prim, inputs) = values::linear_solve();
    out.push(Sample::new(
        prim,
        inputs,
        "upper-triangular map, exact solves",
    ));
    for index in [-1, 0, 1, 2, 7] {
        let (prim, inputs) = values::cond(index);
        out.push(Sample::new(prim, inputs, "index in and out of range"));
    }
    print(out);
}

fn print(out: &mut Vec<Sample>) {
    use super::print::Piece;
    let pieces = vec![
        Piece::Text("x ".into()),
        Piece::Operand(0),
        Piece::Text(" n ".into()),
        Piece::Operand(1),
    ];
    let print = |batch| {
        Prim::new(Print {
            pieces: pieces.clone(),
            batch,
            span: None,
        })
    };
    let x = operand(DType::F32, &[3], LIST_A);
    let n = operand(DType::I32, &[], LIST_B);
    out.push(Sample::new(print(0), vec![x, n], "an array and a scalar"));
    let xs = operand(DType::F64, &[2, 3], LIST_A);
    let ns = operand(DType::I32, &[2], LIST_B);
    out.push(Sample::new(print(1), vec![xs, ns], "batched"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_variant_has_a_sample() {
        let seen: HashSet<&str> = samples().iter().map(|s| variant_name(&s.prim)).collect();
        for name in VARIANT_NAMES {
            assert!(seen.contains(name), "no sample of `{}`", name);
        }
    }

    #[test]
    fn every_op_has_a_sample() {
        let all = samples();
        for &op in UNARY_OPS {
            assert!(
                all.iter().any(|s| s.prim == Prim::new(Unary(op))),
                "{}",
                op.name()
            );
        }
        for &op in BINARY_OPS {
            assert!(
                all.iter().any(|s| s.prim == Prim::new(Binary(op))),
                "{}",
                op.name()
            );
        }
        for &c in CMPS {
            assert!(
                all.iter().any(|s| s.prim == Prim::new(Compare(c))),
                "{}",
                c.name()
            );
        }
        for &op in REDUCE_OPS {
            let hit = |s: &Sample| s.prim.downcast_ref::<Reduce>().is_some_and(|r| r.op == op);
            assert!(all.iter().any(hit), "{}", op.name());
        }
    }

    #[test]
    fn samples_cover_f64() {
        let all = samples();
        let f64_of = |name: &str| {
            all.iter().any(|s| {
                variant_name(&s.prim) == name && s.inputs.iter().any(|t| t.dtype() == DType::F64)
            })
        };
        for name in [
            "unary",
            "binary",
            "reduce",
            "dot_general",
            "cholesky",
            "triangular_solve",
        ] {
            assert!(f64_of(name), "no f64 sample of {}", name);
        }
    }
}
