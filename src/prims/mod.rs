//! The primitive set: every array operation the IR knows.
//!
//! Each family file holds, for its primitives, everything about them: the
//! shape/dtype rule (`infer`), the interpreter kernel (`eval`), and (as the
//! transformations and backends arrive) the JVP, transpose, batching and
//! StableHLO lowering rules. The dispatch below matches every variant with no
//! wildcard arm, so a forgotten rule is a compile error.
//!
//! Conventions shared by all primitives:
//! * binary elementwise primitives take operands of equal shape and dtype: the
//!   tracer broadcasts and promotes before emitting them;
//! * axes, permutations and sizes are static parameters of the primitive;
//! * `eval` may assume its inputs passed `infer`.

pub mod batching;
pub mod control;
pub mod custom;
pub mod effects;
pub mod elementwise;
pub mod linalg;
pub mod print;
pub mod random;
pub mod reduce;
pub mod samples;
pub mod shape;

use crate::backend::stablehlo::{Emitter, Value};
use crate::diag::Diagnostic;
use crate::ir::{Atom, Eqn, Graph};
use crate::span::Span;
use crate::transform::partial_eval::Staged;
use crate::transform::Builder;

/// Outputs of a batching rule, and which of them are batched (see [`batching`]).
pub type BatchResult = Result<(Vec<Atom>, Vec<bool>), String>;

/// Output tangents of a JVP rule (`None`: a symbolic zero).
pub type JvpResult = Result<Vec<Option<Atom>>, String>;
use crate::tensor::Tensor;
use crate::types::{DType, TensorType};

pub use elementwise::{BinaryOp, Cmp, UnaryOp};
pub use reduce::{ArgOp, ReduceOp};

#[derive(Clone, Debug, PartialEq)]
pub enum Prim {
    // ---- elementwise.rs ----
    /// One operand; result has its type, except `real`/`imag`/`abs` of
    /// complex, which give the real dtype.
    Unary(UnaryOp),
    /// Two operands of equal type; `complex` takes two `f32` and gives `c64`.
    Binary(BinaryOp),
    /// Two operands of equal type; gives `bool` of their shape.
    Compare(Cmp),
    /// `select(pred, on_true, on_false)`, `pred: bool` of the same shape.
    Select,
    /// The identity, whose derivative is zero (`stop_gradient`).
    StopGradient,
    /// Value conversion: float to int truncates toward zero, complex to real
    /// keeps the real part, numbers to bool test `!= 0`.
    Convert(DType),
    /// Reinterprets the bits, between dtypes of equal width.
    BitcastConvert(DType),

    // ---- reduce.rs ----
    /// Reduces over `axes` (sorted, distinct), removing them.
    Reduce { op: ReduceOp, axes: Vec<usize> },
    /// Index of the first maximum (minimum) along `axis`, which is removed; an `i32` result.
    ArgReduce { op: ArgOp, axis: usize },

    // ---- shape.rs ----
    /// StableHLO `broadcast_in_dim`: operand dim `i` becomes output dim
    /// `dims[i]`, where its size must be 1 or equal to `shape[dims[i]]`.
    Broadcast { shape: Vec<usize>, dims: Vec<usize> },
    /// Row-major reshape to a shape of equal size.
    Reshape { shape: Vec<usize> },
    /// Output dim `i` is operand dim `perm[i]`.
    Transpose { perm: Vec<usize> },
    /// Static strided slice `[start, limit)` with `stride` per dim.
    Slice {
        start: Vec<usize>,
        limit: Vec<usize>,
        stride: Vec<usize>,
    },
    /// Inputs: operand, then one integer scalar start index per dim; starts
    /// are clamped to `[0, dim - size]` as in StableHLO.
    DynamicSlice { sizes: Vec<usize> },
    /// Inputs: operand, update, then one integer scalar start index per dim (clamped).
    DynamicUpdateSlice,
    /// Concatenates its inputs (at least one) along `axis`.
    Concat { axis: usize },
    /// Inputs: operand, padding value (scalar). Edge padding may be negative.
    Pad {
        lo: Vec<i64>,
        hi: Vec<i64>,
        interior: Vec<usize>,
    },
    /// No inputs: `0, 1, 2, ...` along `dim` of `shape`.
    Iota {
        shape: Vec<usize>,
        dim: usize,
        dtype: DType,
    },
    /// Reverses the order of elements along `axes`.
    Rev { axes: Vec<usize> },

    // ---- linalg.rs ----
    /// StableHLO `dot_general`; the result's dims are batch, lhs free, rhs free.
    DotGeneral {
        lhs_batch: Vec<usize>,
        rhs_batch: Vec<usize>,
        lhs_contract: Vec<usize>,
        rhs_contract: Vec<usize>,
    },
    /// Lower Cholesky factor of each `[.., n, n]` matrix (upper part zero;
    /// NaN where the matrix is not positive definite).
    Cholesky,
    /// Inputs `a: [.., n, n]`, `b`: solves `op(a) x = b` (`left_side`, `b: [.., n, k]`)
    /// or `x op(a) = b` (`b: [.., k, n]`), with `op(a) = aᵀ` if `transpose_a`,
    /// reading only the `lower` (or upper) triangle of `a`.
    TriangularSolve {
        left_side: bool,
        lower: bool,
        transpose_a: bool,
        unit_diagonal: bool,
    },

    // ---- random.rs ----
    /// Threefry-2x32 block cipher, as `jax.random` uses: inputs `k0, k1: u32[]`,
    /// `x0, x1: u32[s]`; outputs `y0, y1: u32[s]`.
    Threefry2x32,

    // ---- control.rs ----
    /// Inputs: `n_consts` loop-invariant values, then the initial carries.
    /// `cond: (consts, carries) -> bool[]`, `body: (consts, carries) -> carries`.
    /// Outputs: the final carries. `trip_count` is set when the tracer knows
    /// the number of iterations statically (a `for` over a static range).
    While {
        cond: Box<Graph>,
        body: Box<Graph>,
        n_consts: usize,
        trip_count: Option<u64>,
        /// Where the loop is in the source, for errors about it (`None`
        /// for loops nest makes itself).
        span: Option<Span>,
    },
    /// A loop of `length` iterations (see `control/scan.rs`). Inputs:
    /// `n_consts` loop-invariant values, `n_carries` initial carries, then
    /// stacked inputs with a leading dim of `length`.
    /// `body: (consts, carries, one slice of each stacked input) -> (carries,
    /// one slice of each stacked output)`. Outputs: the final carries, then
    /// the stacked outputs. With `reverse`, iteration `k` works on index
    /// `length - 1 - k`.
    Scan {
        body: Box<Graph>,
        n_consts: usize,
        n_carries: usize,
        length: usize,
        reverse: bool,
    },
    /// Inputs: an `i32` scalar index, then the operands passed to every branch.
    /// Runs `branches[index]` (an out-of-range index runs the last branch).
    Cond { branches: Vec<Graph> },

    // ---- custom.rs ----
    /// `primal(inputs)`, whose JVP is the `jvp` graph: `(inputs, a tangent
    /// per float input) -> (outputs, a tangent per float output)`. The first
    /// `closed` inputs are values the functions close over, which the rule
    /// does not differentiate: a tangent for one of them is an error.
    CustomJvp {
        primal: Box<Graph>,
        jvp: Box<Graph>,
        closed: usize,
    },
    /// `primal(inputs)`, differentiated in reverse mode only: `fwd` gives
    /// `(outputs, residuals)`, and the cotangents of the float inputs past
    /// the first `closed` are `bwd(closed inputs, residuals, cotangents of
    /// the float outputs)`. A tangent for a closed input is an error.
    CustomVjp {
        primal: Box<Graph>,
        fwd: Box<Graph>,
        bwd: Box<Graph>,
        closed: usize,
    },
    /// The tangent map of a `custom_vjp`, known only through its transpose
    /// `bwd`: inputs `n_res` values (the closed inputs and the residuals),
    /// then the tangents of the float arguments; outputs the tangents of
    /// the float outputs. It can be transposed, never evaluated.
    CustomVjpLin { bwd: Box<Graph>, n_res: usize },
    /// Inputs: `n_consts` constants, then a right-hand side `b`. Gives
    /// `solve(consts, b) ≈ A⁻¹b` for the linear map `A·u = matvec(consts,
    /// u)`, differentiated through `A` only; `transpose_solve` solves with
    /// `Aᵀ`.
    LinearSolve {
        matvec: Box<Graph>,
        solve: Box<Graph>,
        transpose_solve: Box<Graph>,
        n_consts: usize,
    },

    // ---- print.rs ----
    /// `print` inside a function: the operands are the printed values,
    /// `pieces` the text around them; no outputs (kept for its effect).
    /// Each operand has `batch` leading batch dims (from `vmap`).
    Print {
        pieces: Vec<print::Piece>,
        batch: usize,
        span: Option<Span>,
    },
}

impl Prim {
    /// The primitive's name, as the IR printer shows it.
    pub fn name(&self) -> &'static str {
        match self {
            Prim::Unary(op) => op.name(),
            Prim::Binary(op) => op.name(),
            Prim::Compare(c) => c.name(),
            Prim::Select => "select",
            Prim::StopGradient => "stop_gradient",
            Prim::Convert(_) => "convert",
            Prim::BitcastConvert(_) => "bitcast_convert",
            Prim::Reduce { op, .. } => op.name(),
            Prim::ArgReduce { op, .. } => op.name(),
            Prim::Broadcast { .. } => "broadcast_in_dim",
            Prim::Reshape { .. } => "reshape",
            Prim::Transpose { .. } => "transpose",
            Prim::Slice { .. } => "slice",
            Prim::DynamicSlice { .. } => "dynamic_slice",
            Prim::DynamicUpdateSlice => "dynamic_update_slice",
            Prim::Concat { .. } => "concatenate",
            Prim::Pad { .. } => "pad",
            Prim::Iota { .. } => "iota",
            Prim::Rev { .. } => "reverse",
            Prim::DotGeneral { .. } => "dot_general",
            Prim::Cholesky => "cholesky",
            Prim::TriangularSolve { .. } => "triangular_solve",
            Prim::Threefry2x32 => "threefry2x32",
            Prim::While { .. } => "while",
            Prim::Scan { .. } => "scan",
            Prim::Cond { .. } => "cond",
            Prim::CustomJvp { .. } => "custom_jvp",
            Prim::CustomVjp { .. } => "custom_vjp",
            Prim::CustomVjpLin { .. } => "custom_vjp_lin",
            Prim::LinearSolve { .. } => "linear_solve",
            Prim::Print { .. } => "print",
        }
    }

    /// The nested graphs of a control-flow primitive.
    pub fn regions(&self) -> Vec<&Graph> {
        match self {
            Prim::While { cond, body, .. } => vec![cond, body],
            Prim::Scan { body, .. } => vec![body],
            Prim::CustomJvp { primal, jvp, .. } => vec![primal, jvp],
            Prim::CustomVjp {
                primal, fwd, bwd, ..
            } => vec![primal, fwd, bwd],
            Prim::CustomVjpLin { bwd, .. } => vec![bwd],
            Prim::LinearSolve {
                matvec,
                solve,
                transpose_solve,
                ..
            } => vec![matvec, solve, transpose_solve],
            Prim::Cond { branches } => branches.iter().collect(),
            _ => vec![],
        }
    }

    /// The primitive with each nested graph replaced by `f(graph)` (the
    /// primitive itself when it has none).
    pub fn map_regions(&self, mut f: impl FnMut(&Graph) -> Graph) -> Prim {
        match self {
            Prim::While {
                cond,
                body,
                n_consts,
                trip_count,
                span,
            } => Prim::While {
                cond: Box::new(f(cond)),
                body: Box::new(f(body)),
                n_consts: *n_consts,
                trip_count: *trip_count,
                span: *span,
            },
            Prim::Scan {
                body,
                n_consts,
                n_carries,
                length,
                reverse,
            } => Prim::Scan {
                body: Box::new(f(body)),
                n_consts: *n_consts,
                n_carries: *n_carries,
                length: *length,
                reverse: *reverse,
            },
            Prim::Cond { branches } => Prim::Cond {
                branches: branches.iter().map(f).collect(),
            },
            Prim::CustomJvp {
                primal,
                jvp,
                closed,
            } => Prim::CustomJvp {
                primal: Box::new(f(primal)),
                jvp: Box::new(f(jvp)),
                closed: *closed,
            },
            Prim::CustomVjp {
                primal,
                fwd,
                bwd,
                closed,
            } => Prim::CustomVjp {
                primal: Box::new(f(primal)),
                fwd: Box::new(f(fwd)),
                bwd: Box::new(f(bwd)),
                closed: *closed,
            },
            Prim::CustomVjpLin { bwd, n_res } => Prim::CustomVjpLin {
                bwd: Box::new(f(bwd)),
                n_res: *n_res,
            },
            Prim::LinearSolve {
                matvec,
                solve,
                transpose_solve,
                n_consts,
            } => Prim::LinearSolve {
                matvec: Box::new(f(matvec)),
                solve: Box::new(f(solve)),
                transpose_solve: Box::new(f(transpose_solve)),
                n_consts: *n_consts,
            },
            _ => self.clone(),
        }
    }

    /// The shape/dtype rule: output types from input types, or a message
    /// saying what is wrong.
    pub fn infer(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
        match self {
            Prim::Unary(op) => elementwise::infer_unary(*op, inputs),
            Prim::Binary(op) => elementwise::infer_binary(*op, inputs),
            Prim::Compare(c) => elementwise::infer_compare(*c, inputs),
            Prim::Select => elementwise::infer_select(inputs),
            Prim::StopGradient => elementwise::infer_identity(inputs),
            Prim::Convert(d) => elementwise::infer_convert(*d, inputs),
            Prim::BitcastConvert(d) => elementwise::infer_bitcast(*d, inputs),
            Prim::Reduce { op, axes } => reduce::infer_reduce(*op, axes, inputs),
            Prim::ArgReduce { op, axis } => reduce::infer_arg_reduce(*op, *axis, inputs),
            Prim::Broadcast { shape, dims } => shape::infer_broadcast(shape, dims, inputs),
            Prim::Reshape { shape } => shape::infer_reshape(shape, inputs),
            Prim::Transpose { perm } => shape::infer_transpose(perm, inputs),
            Prim::Slice {
                start,
                limit,
                stride,
            } => shape::infer_slice(start, limit, stride, inputs),
            Prim::DynamicSlice { sizes } => shape::infer_dynamic_slice(sizes, inputs),
            Prim::DynamicUpdateSlice => shape::infer_dynamic_update_slice(inputs),
            Prim::Concat { axis } => shape::infer_concat(*axis, inputs),
            Prim::Pad { lo, hi, interior } => shape::infer_pad(lo, hi, interior, inputs),
            Prim::Iota { shape, dim, dtype } => shape::infer_iota(shape, *dim, *dtype, inputs),
            Prim::Rev { axes } => shape::infer_rev(axes, inputs),
            Prim::DotGeneral {
                lhs_batch,
                rhs_batch,
                lhs_contract,
                rhs_contract,
            } => {
                linalg::infer_dot_general(lhs_batch, rhs_batch, lhs_contract, rhs_contract, inputs)
            }
            Prim::Cholesky => linalg::infer_cholesky(inputs),
            Prim::TriangularSolve {
                left_side,
                lower: _,
                transpose_a: _,
                unit_diagonal: _,
            } => linalg::infer_triangular_solve(*left_side, inputs),
            Prim::Threefry2x32 => random::infer_threefry(inputs),
            Prim::While {
                cond,
                body,
                n_consts,
                trip_count: _,
                span: _,
            } => control::infer_while(cond, body, *n_consts, inputs),
            Prim::Scan {
                body,
                n_consts,
                n_carries,
                length,
                reverse: _,
            } => control::infer_scan(body, *n_consts, *n_carries, *length, inputs),
            Prim::Cond { branches } => control::infer_cond(branches, inputs),
            Prim::CustomJvp { primal, jvp, .. } => custom::infer_custom_jvp(primal, jvp, inputs),
            Prim::CustomVjp {
                primal,
                fwd,
                bwd,
                closed,
            } => custom::infer_custom_vjp(primal, fwd, bwd, *closed, inputs),
            Prim::CustomVjpLin { bwd, n_res } => custom::infer_custom_vjp_lin(bwd, *n_res, inputs),
            Prim::LinearSolve {
                matvec,
                solve,
                transpose_solve,
                n_consts,
            } => custom::infer_linear_solve(matvec, solve, transpose_solve, *n_consts, inputs),
            Prim::Print { pieces, batch, .. } => print::infer_print(pieces, *batch, inputs),
        }
    }

    /// The interpreter kernel. Assumes `inputs` passed [`Prim::infer`].
    pub fn eval(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
        match self {
            Prim::Unary(op) => elementwise::eval_unary(*op, inputs),
            Prim::Binary(op) => elementwise::eval_binary(*op, inputs),
            Prim::Compare(c) => elementwise::eval_compare(*c, inputs),
            Prim::Select => elementwise::eval_select(inputs),
            Prim::StopGradient => Ok(inputs.to_vec()),
            Prim::Convert(d) => elementwise::eval_convert(*d, inputs),
            Prim::BitcastConvert(d) => elementwise::eval_bitcast(*d, inputs),
            Prim::Reduce { op, axes } => reduce::eval_reduce(*op, axes, inputs),
            Prim::ArgReduce { op, axis } => reduce::eval_arg_reduce(*op, *axis, inputs),
            Prim::Broadcast { shape, dims } => shape::eval_broadcast(shape, dims, inputs),
            Prim::Reshape { shape } => shape::eval_reshape(shape, inputs),
            Prim::Transpose { perm } => shape::eval_transpose(perm, inputs),
            Prim::Slice {
                start,
                limit,
                stride,
            } => shape::eval_slice(start, limit, stride, inputs),
            Prim::DynamicSlice { sizes } => shape::eval_dynamic_slice(sizes, inputs),
            Prim::DynamicUpdateSlice => shape::eval_dynamic_update_slice(inputs),
            Prim::Concat { axis } => shape::eval_concat(*axis, inputs),
            Prim::Pad { lo, hi, interior } => shape::eval_pad(lo, hi, interior, inputs),
            Prim::Iota { shape, dim, dtype } => shape::eval_iota(shape, *dim, *dtype, inputs),
            Prim::Rev { axes } => shape::eval_rev(axes, inputs),
            Prim::DotGeneral {
                lhs_batch,
                rhs_batch,
                lhs_contract,
                rhs_contract,
            } => linalg::eval_dot_general(lhs_batch, rhs_batch, lhs_contract, rhs_contract, inputs),
            Prim::Cholesky => linalg::eval_cholesky(inputs),
            Prim::TriangularSolve {
                left_side,
                lower,
                transpose_a,
                unit_diagonal,
            } => linalg::eval_triangular_solve(
                *left_side,
                *lower,
                *transpose_a,
                *unit_diagonal,
                inputs,
            ),
            Prim::Threefry2x32 => random::eval_threefry(inputs),
            Prim::While {
                cond,
                body,
                n_consts,
                trip_count: _,
                span: _,
            } => control::eval_while(cond, body, *n_consts, inputs),
            Prim::Scan {
                body,
                n_consts,
                n_carries,
                length,
                reverse,
            } => control::eval_scan(body, *n_consts, *n_carries, *length, *reverse, inputs),
            Prim::Cond { branches } => control::eval_cond(branches, inputs),
            Prim::CustomJvp { primal, .. } | Prim::CustomVjp { primal, .. } => {
                custom::eval_custom_jvp(primal, inputs)
            }
            Prim::CustomVjpLin { .. } => Err(custom::FORWARD_MODE_OF_CUSTOM_VJP.into()),
            Prim::LinearSolve { solve, .. } => custom::eval_linear_solve(solve, inputs),
            Prim::Print { .. } => print::eval_print(),
        }
    }

    /// The StableHLO lowering: emits the ops computing the results (of
    /// types `outs`) from the lowered `inputs`, with the kernel's semantics
    /// (see each family's `lower_*` for where XLA needed help to agree).
    pub fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> Result<Vec<Value>, String> {
        match self {
            Prim::Unary(op) => elementwise::lower_unary(*op, em, inputs, outs),
            Prim::Binary(op) => elementwise::lower_binary(*op, em, inputs, outs),
            Prim::Compare(c) => elementwise::lower_compare(*c, em, inputs, outs),
            Prim::Select => elementwise::lower_select(em, inputs, outs),
            Prim::StopGradient => Ok(inputs.to_vec()),
            Prim::Convert(d) => elementwise::lower_convert(*d, em, inputs, outs),
            Prim::BitcastConvert(d) => elementwise::lower_bitcast(*d, em, inputs, outs),
            Prim::Reduce { op, axes } => reduce::lower_reduce(*op, axes, em, inputs, outs),
            Prim::ArgReduce { op, axis } => reduce::lower_arg_reduce(*op, *axis, em, inputs, outs),
            Prim::Broadcast { shape, dims } => shape::lower_broadcast(shape, dims, em, inputs),
            Prim::Reshape { shape: _ } => shape::lower_reshape(em, inputs, outs),
            Prim::Transpose { perm } => shape::lower_transpose(perm, em, inputs, outs),
            Prim::Slice {
                start,
                limit,
                stride,
            } => shape::lower_slice(start, limit, stride, em, inputs, outs),
            Prim::DynamicSlice { sizes } => shape::lower_dynamic_slice(sizes, em, inputs, outs),
            Prim::DynamicUpdateSlice => shape::lower_dynamic_update_slice(em, inputs, outs),
            Prim::Concat { axis } => shape::lower_concat(*axis, em, inputs, outs),
            Prim::Pad { lo, hi, interior } => shape::lower_pad(lo, hi, interior, em, inputs, outs),
            Prim::Iota { shape, dim, dtype } => shape::lower_iota(shape, *dim, *dtype, em),
            Prim::Rev { axes } => shape::lower_rev(axes, em, inputs),
            Prim::DotGeneral {
                lhs_batch,
                rhs_batch,
                lhs_contract,
                rhs_contract,
            } => linalg::lower_dot_general(
                lhs_batch,
                rhs_batch,
                lhs_contract,
                rhs_contract,
                em,
                inputs,
                outs,
            ),
            Prim::Cholesky => linalg::lower_cholesky(em, inputs, outs),
            Prim::TriangularSolve {
                left_side,
                lower,
                transpose_a,
                unit_diagonal,
            } => linalg::lower_triangular_solve(
                *left_side,
                *lower,
                *transpose_a,
                *unit_diagonal,
                em,
                inputs,
                outs,
            ),
            Prim::Threefry2x32 => random::lower_threefry(em, inputs, outs),
            Prim::While {
                cond,
                body,
                n_consts,
                trip_count: _,
                span: _,
            } => control::lower_while(cond, body, *n_consts, em, inputs, outs),
            Prim::Scan {
                body,
                n_consts,
                n_carries,
                length,
                reverse,
            } => control::lower_scan(body, *n_consts, *n_carries, *length, *reverse, em, inputs),
            Prim::Cond { branches } => control::lower_cond(branches, em, inputs, outs),
            Prim::CustomJvp { primal, .. } | Prim::CustomVjp { primal, .. } => {
                custom::lower_custom_jvp(primal, em, inputs)
            }
            Prim::CustomVjpLin { .. } => Err(custom::FORWARD_MODE_OF_CUSTOM_VJP.into()),
            Prim::LinearSolve { solve, .. } => custom::lower_linear_solve(solve, em, inputs),
            Prim::Print { .. } => print::lower_print(),
        }
    }
    /// The transpose rule of a primitive that is linear in the inputs marked
    /// `linear` (the others are constants): cotangents of those inputs from
    /// the outputs' cotangents (`None` is a zero cotangent, in and out).
    /// Like JVP rules, transpose rules emit IR through the builder.
    pub fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> JvpResult {
        match self {
            Prim::Unary(op) => elementwise::transpose_unary(*op, b, inputs, cts),
            Prim::Binary(op) => elementwise::transpose_binary(*op, b, inputs, linear, cts),
            Prim::Select => elementwise::transpose_select(b, inputs, linear, cts),
            Prim::Convert(d) => elementwise::transpose_convert(*d, b, inputs, cts),
            Prim::Reduce { op, axes } => reduce::transpose_reduce(*op, axes, b, inputs, cts),
            Prim::Broadcast { .. }
            | Prim::Reshape { .. }
            | Prim::Transpose { .. }
            | Prim::Slice { .. }
            | Prim::Rev { .. }
            | Prim::Pad { .. }
            | Prim::Concat { .. }
            | Prim::DynamicSlice { .. }
            | Prim::DynamicUpdateSlice => shape::transpose_shape(self, b, inputs, linear, cts),
            Prim::DotGeneral { .. } => linalg::transpose_dot_general(self, b, inputs, linear, cts),
            Prim::TriangularSolve {
                left_side,
                lower,
                transpose_a,
                unit_diagonal,
            } => linalg::transpose_triangular_solve(
                *left_side,
                *lower,
                *transpose_a,
                *unit_diagonal,
                b,
                inputs,
                linear,
                cts,
            ),
            Prim::Scan {
                body,
                n_consts,
                n_carries,
                length,
                reverse,
            } => control::transpose_scan(
                body, *n_consts, *n_carries, *length, *reverse, b, inputs, linear, cts,
            ),
            Prim::Cond { branches } => control::transpose_cond(branches, b, inputs, linear, cts),
            Prim::LinearSolve { .. } => {
                custom::transpose_linear_solve(self, b, inputs, linear, cts)
            }
            Prim::CustomVjpLin { bwd, n_res } => {
                custom::transpose_custom_vjp_lin(bwd, *n_res, b, inputs, linear, cts)
            }
            // The JVPs of custom_jvp and custom_vjp are their rules, inlined:
            // they never appear linearly.
            Prim::CustomJvp { .. } | Prim::CustomVjp { .. } => {
                Err(format!("{} is not linear in its inputs", self.name()))
            }
            Prim::Print { .. } => print::transpose_print(),
            // The JVP of stop_gradient has no tangent, so it never appears linearly.
            Prim::StopGradient
            | Prim::Compare(_)
            | Prim::BitcastConvert(_)
            | Prim::ArgReduce { .. }
            | Prim::Iota { .. }
            | Prim::Cholesky
            | Prim::Threefry2x32
            | Prim::While { .. } => Err(format!(
                "{} is not linear in its inputs; it cannot be transposed",
                self.name()
            )),
        }
    }

    /// The JVP rule: tangents of the outputs from the primal inputs, the
    /// primal outputs and the input tangents (`None` is a symbolic zero).
    /// Rules emit IR through the builder and never compute numbers; an output
    /// of integer or bool dtype has no tangent.
    pub fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> JvpResult {
        match self {
            Prim::Unary(op) => elementwise::jvp_unary(*op, b, primals, outs, tangents),
            Prim::Binary(op) => elementwise::jvp_binary(*op, b, primals, outs, tangents),
            Prim::Compare(_) => Ok(vec![None]),
            Prim::Select => elementwise::jvp_select(b, primals, outs, tangents),
            Prim::StopGradient => Ok(vec![None]),
            Prim::Convert(d) => elementwise::jvp_convert(*d, b, primals, outs, tangents),
            // Reinterpreting bits has no derivative, except as the identity.
            Prim::BitcastConvert(d) => Ok(vec![tangents[0]
                .clone()
                .filter(|_| primals[0].ty().dtype == *d)]),
            Prim::Reduce { op, axes } => reduce::jvp_reduce(*op, axes, b, primals, outs, tangents),
            Prim::ArgReduce { .. } => Ok(vec![None]),
            Prim::Broadcast { .. }
            | Prim::Reshape { .. }
            | Prim::Transpose { .. }
            | Prim::Slice { .. }
            | Prim::Rev { .. } => shape::jvp_unary_linear(self, b, primals, tangents),
            Prim::DynamicSlice { .. } => shape::jvp_dynamic_slice(self, b, primals, tangents),
            Prim::DynamicUpdateSlice => shape::jvp_dynamic_update_slice(b, primals, tangents),
            Prim::Concat { .. } => shape::jvp_concat(self, b, primals, tangents),
            Prim::Pad { .. } => shape::jvp_pad(self, b, primals, tangents),
            Prim::Iota { .. } => Ok(vec![None]),
            Prim::DotGeneral { .. } => linalg::jvp_dot_general(self, b, primals, tangents),
            Prim::Cholesky => linalg::jvp_cholesky(b, primals, outs, tangents),
            Prim::TriangularSolve {
                left_side,
                lower,
                transpose_a,
                unit_diagonal,
            } => linalg::jvp_triangular_solve(
                *left_side,
                *lower,
                *transpose_a,
                *unit_diagonal,
                b,
                primals,
                outs,
                tangents,
            ),
            Prim::Threefry2x32 => Ok(vec![None, None]),
            Prim::While {
                cond,
                body,
                n_consts,
                trip_count,
                span,
            } => control::jvp_while(
                cond,
                body,
                *n_consts,
                (*trip_count, *span),
                b,
                primals,
                tangents,
            ),
            Prim::Scan {
                body,
                n_consts,
                n_carries,
                length,
                reverse,
            } => control::jvp_scan(
                body, *n_consts, *n_carries, *length, *reverse, b, primals, tangents,
            ),
            Prim::Cond { branches } => control::jvp_cond(branches, b, primals, tangents),
            Prim::CustomJvp { jvp, closed, .. } => {
                custom::jvp_custom_jvp(jvp, *closed, b, primals, outs, tangents)
            }
            Prim::CustomVjp { .. } => custom::jvp_custom_vjp(self, b, primals, outs, tangents),
            Prim::CustomVjpLin { .. } => Err(custom::FORWARD_MODE_OF_CUSTOM_VJP.into()),
            Prim::LinearSolve { .. } => custom::jvp_linear_solve(self, b, primals, outs, tangents),
            Prim::Print { .. } => print::jvp_print(),
        }
    }
}

impl Prim {
    /// The partial-evaluation rule of a primitive with regions, for an
    /// equation whose inputs are partly `unknown` (see
    /// `transform/partial_eval.rs`); `None` for the others, whose outputs
    /// are all unknown as soon as one input is.
    pub fn partial_eval(&self, eqn: &Eqn, unknown: &[bool]) -> Result<Option<Staged>, Diagnostic> {
        match self {
            Prim::While {
                cond: _,
                body,
                n_consts,
                trip_count,
                span,
            } => control::partial_eval_while(body, *n_consts, (*trip_count, *span), eqn, unknown)
                .map(Some),
            Prim::Scan {
                body,
                n_consts,
                n_carries,
                length,
                reverse,
            } => control::partial_eval_scan(
                body,
                [*n_consts, *n_carries, *length],
                *reverse,
                eqn,
                unknown,
            )
            .map(Some),
            Prim::Cond { branches } => control::partial_eval_cond(branches, eqn, unknown).map(Some),
            // Split as a whole: in a JVP they appear only with known inputs
            // (custom_jvp, inlined by its rule) or as a linear map of the
            // tangents (linear_solve).
            Prim::CustomJvp { .. }
            | Prim::CustomVjp { .. }
            | Prim::CustomVjpLin { .. }
            | Prim::LinearSolve { .. } => Ok(None),
            Prim::Unary(_)
            | Prim::Binary(_)
            | Prim::Compare(_)
            | Prim::Select
            | Prim::StopGradient
            | Prim::Convert(_)
            | Prim::BitcastConvert(_)
            | Prim::Reduce { .. }
            | Prim::ArgReduce { .. }
            | Prim::Broadcast { .. }
            | Prim::Reshape { .. }
            | Prim::Transpose { .. }
            | Prim::Slice { .. }
            | Prim::DynamicSlice { .. }
            | Prim::DynamicUpdateSlice
            | Prim::Concat { .. }
            | Prim::Pad { .. }
            | Prim::Iota { .. }
            | Prim::Rev { .. }
            | Prim::DotGeneral { .. }
            | Prim::Cholesky
            | Prim::TriangularSolve { .. }
            | Prim::Threefry2x32
            | Prim::Print { .. } => Ok(None),
        }
    }
}

impl Prim {
    /// The batching rule (see [`batching`] for the convention): outputs on
    /// a batch of `size` from inputs of which those marked `batched` have a
    /// leading batch dim, and which outputs are batched. Rules emit IR
    /// through the builder; with no input batched the primitive is applied
    /// as it is.
    pub fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> BatchResult {
        if inputs.len() != batched.len() {
            return Err(format!(
                "{} operands but {} batching flags",
                inputs.len(),
                batched.len()
            ));
        }
        if !batched.contains(&true) {
            let outs = b.apply(self.clone(), inputs)?;
            let n = outs.len();
            return Ok((outs, vec![false; n]));
        }
        match self {
            Prim::Unary(_)
            | Prim::Binary(_)
            | Prim::Compare(_)
            | Prim::Select
            | Prim::StopGradient
            | Prim::Convert(_)
            | Prim::BitcastConvert(_) => {
                elementwise::batch_elementwise(self, b, inputs, batched, size)
            }
            Prim::Reduce { op, axes } => reduce::batch_reduce(*op, axes, b, inputs),
            Prim::ArgReduce { op, axis } => reduce::batch_arg_reduce(*op, *axis, b, inputs),
            Prim::Broadcast { shape, dims } => shape::batch_broadcast(shape, dims, b, inputs, size),
            Prim::Reshape { shape } => shape::batch_reshape(shape, b, inputs, size),
            Prim::Transpose { perm } => shape::batch_transpose(perm, b, inputs),
            Prim::Slice {
                start,
                limit,
                stride,
            } => shape::batch_slice(start, limit, stride, b, inputs, size),
            Prim::DynamicSlice { sizes } => {
                shape::batch_dynamic_slice(sizes, b, inputs, batched, size)
            }
            Prim::DynamicUpdateSlice => shape::batch_dynamic_update_slice(b, inputs, batched, size),
            Prim::Concat { axis } => shape::batch_concat(*axis, b, inputs, batched, size),
            Prim::Pad { lo, hi, interior } => {
                shape::batch_pad(lo, hi, interior, b, inputs, batched, size)
            }
            // No operands, so never batched: handled above.
            Prim::Iota { .. } => Err("iota has no operand to batch".into()),
            Prim::Rev { axes } => shape::batch_rev(axes, b, inputs),
            Prim::DotGeneral {
                lhs_batch,
                rhs_batch,
                lhs_contract,
                rhs_contract,
            } => {
                let dims = linalg::DotDims {
                    lhs_batch,
                    rhs_batch,
                    lhs_contract,
                    rhs_contract,
                };
                linalg::batch_dot_general(&dims, b, inputs, batched)
            }
            Prim::Cholesky => linalg::batch_cholesky(b, inputs),
            Prim::TriangularSolve { .. } => {
                linalg::batch_triangular_solve(self, b, inputs, batched, size)
            }
            Prim::Threefry2x32 => random::batch_threefry(b, inputs, batched, size),
            Prim::While {
                cond,
                body,
                n_consts,
                trip_count,
                span,
            } => control::batch_while(
                cond,
                body,
                *n_consts,
                (*trip_count, *span),
                b,
                inputs,
                batched,
                size,
            ),
            Prim::Scan {
                body,
                n_consts,
                n_carries,
                length,
                reverse,
            } => control::batch_scan(
                body,
                [*n_consts, *n_carries, *length],
                *reverse,
                b,
                inputs,
                batched,
                size,
            ),
            Prim::Cond { branches } => control::batch_cond(branches, b, inputs, batched, size),
            Prim::CustomJvp {
                primal,
                jvp,
                closed,
            } => custom::batch_custom_jvp(primal, jvp, *closed, b, inputs, batched, size),
            Prim::CustomVjp { .. } => custom::batch_custom_vjp(self, b, inputs, batched, size),
            Prim::CustomVjpLin { bwd, n_res } => {
                custom::batch_custom_vjp_lin(bwd, *n_res, b, inputs, batched, size)
            }
            Prim::LinearSolve { .. } => custom::batch_linear_solve(self, b, inputs, batched, size),
            Prim::Print {
                pieces,
                batch,
                span,
            } => print::batch_print(pieces, *batch, *span, b, inputs, batched, size),
        }
    }
}

/// Checks the number of inputs of a primitive.
pub(crate) fn expect_arity(name: &str, inputs: &[TensorType], n: usize) -> Result<(), String> {
    if inputs.len() == n {
        Ok(())
    } else {
        Err(format!(
            "{} takes {} operand(s), got {}",
            name,
            n,
            inputs.len()
        ))
    }
}
