//! Linear algebra primitives: dot_general, cholesky, triangular_solve.
//!
//! Semantics follow StableHLO. Kernels compute `f32` in `f64` and round once
//! at the end; integer products wrap on overflow, as XLA's do.

use super::expect_arity;
use crate::ir::emit::{list, operands, result, Emitter, Value};
use crate::ir::{PrimError, RuleResult};
use crate::tensor::kernels;
use crate::tensor::{Data, Tensor, C128, C64};
use crate::types::{DType, ShapeDisplay, TensorType};
use num_complex::Complex;

pub fn infer_dot_general(
    lhs_batch: &[usize],
    rhs_batch: &[usize],
    lhs_contract: &[usize],
    rhs_contract: &[usize],
    inputs: &[TensorType],
) -> RuleResult<Vec<TensorType>> {
    expect_arity("dot_general", inputs, 2)?;
    let (lhs, rhs) = (&inputs[0], &inputs[1]);
    if lhs.dtype != rhs.dtype {
        return Err(format!("operand dtypes differ: {} and {}", lhs, rhs).into());
    }
    if lhs.dtype.is_bool() {
        return Err(format!("operands must be numeric, got {}", lhs).into());
    }
    if lhs_batch.len() != rhs_batch.len() || lhs_contract.len() != rhs_contract.len() {
        return Err("lhs and rhs must name as many batch and contracting dims".into());
    }
    let lhs_free = free_dims(&lhs.shape, lhs_batch, lhs_contract, "lhs")?;
    let rhs_free = free_dims(&rhs.shape, rhs_batch, rhs_contract, "rhs")?;
    let pairs = lhs_batch.iter().zip(rhs_batch).map(|p| ("batch", p));
    let pairs = pairs.chain(
        lhs_contract
            .iter()
            .zip(rhs_contract)
            .map(|p| ("contracting", p)),
    );
    for (kind, (&l, &r)) in pairs {
        if lhs.shape[l] != rhs.shape[r] {
            return Err(format!(
                "{} dims differ: lhs dim {} of {} has size {}, rhs dim {} of {} has size {}",
                kind, l, lhs, lhs.shape[l], r, rhs, rhs.shape[r]
            )
            .into());
        }
    }
    let mut shape: Vec<usize> = lhs_batch.iter().map(|&d| lhs.shape[d]).collect();
    shape.extend(lhs_free.iter().map(|&d| lhs.shape[d]));
    shape.extend(rhs_free.iter().map(|&d| rhs.shape[d]));
    Ok(vec![TensorType::new(lhs.dtype, shape)])
}

/// The dims of `shape` that are neither batch nor contracting, checking that
/// those are in range and distinct.
fn free_dims(
    shape: &[usize],
    batch: &[usize],
    contract: &[usize],
    side: &str,
) -> RuleResult<Vec<usize>> {
    let mut used = vec![false; shape.len()];
    for &d in batch.iter().chain(contract) {
        match used.get_mut(d) {
            None => {
                return Err(format!(
                    "{} dim {} is out of range for shape {}",
                    side,
                    d,
                    ShapeDisplay(shape)
                )
                .into())
            }
            Some(true) => return Err(format!("{} dim {} is named twice", side, d).into()),
            Some(u) => *u = true,
        }
    }
    Ok((0..shape.len()).filter(|&d| !used[d]).collect())
}

pub fn eval_dot_general(
    lhs_batch: &[usize],
    rhs_batch: &[usize],
    lhs_contract: &[usize],
    rhs_contract: &[usize],
    inputs: &[Tensor],
) -> RuleResult<Vec<Tensor>> {
    let [lhs, rhs] = inputs else {
        return Err("expected two operands".into());
    };
    let out_ty = infer_dot_general(
        lhs_batch,
        rhs_batch,
        lhs_contract,
        rhs_contract,
        &[lhs.ty(), rhs.ty()],
    )?
    .remove(0);
    // lhs as [batch, free, contract] = [B, M, K]; rhs as [batch, contract, free] = [B, K, N].
    let lhs_free = free_dims(lhs.shape(), lhs_batch, lhs_contract, "lhs")?;
    let rhs_free = free_dims(rhs.shape(), rhs_batch, rhs_contract, "rhs")?;
    let lhs_perm = [lhs_batch, &lhs_free, lhs_contract].concat();
    let rhs_perm = [rhs_batch, rhs_contract, &rhs_free].concat();
    let prod = |s: &[usize], dims: &[usize]| dims.iter().map(|&d| s[d]).product::<usize>();
    let dims = MatDims {
        b: prod(lhs.shape(), lhs_batch),
        m: prod(lhs.shape(), &lhs_free),
        k: prod(lhs.shape(), lhs_contract),
        n: prod(rhs.shape(), &rhs_free),
    };
    let data = match (lhs.data(), rhs.data()) {
        (Data::F32(a), Data::F32(b)) => Data::F32(dot(a, b, lhs, rhs, &lhs_perm, &rhs_perm, dims)),
        (Data::F64(a), Data::F64(b)) => Data::F64(dot(a, b, lhs, rhs, &lhs_perm, &rhs_perm, dims)),
        (Data::I32(a), Data::I32(b)) => Data::I32(dot(a, b, lhs, rhs, &lhs_perm, &rhs_perm, dims)),
        (Data::I64(a), Data::I64(b)) => Data::I64(dot(a, b, lhs, rhs, &lhs_perm, &rhs_perm, dims)),
        (Data::U32(a), Data::U32(b)) => Data::U32(dot(a, b, lhs, rhs, &lhs_perm, &rhs_perm, dims)),
        (Data::C64(a), Data::C64(b)) => Data::C64(dot(a, b, lhs, rhs, &lhs_perm, &rhs_perm, dims)),
        (Data::C128(a), Data::C128(b)) => {
            Data::C128(dot(a, b, lhs, rhs, &lhs_perm, &rhs_perm, dims))
        }
        _ => return Err(format!("unsupported operands {} and {}", lhs.ty(), rhs.ty()).into()),
    };
    Tensor::new(out_ty.shape, data)
        .map(|t| vec![t])
        .ok_or_else(|| PrimError::internal("result size mismatch"))
}

/// Sizes of the batched matrix product `[B, M, K] x [B, K, N] -> [B, M, N]`.
#[derive(Clone, Copy)]
struct MatDims {
    b: usize,
    m: usize,
    k: usize,
    n: usize,
}

/// Element types of `dot_general`, with the type they accumulate in.
trait DotElem: Copy {
    type Acc: Copy;
    fn zero() -> Self::Acc;
    fn widen(self) -> Self::Acc;
    /// `acc + a * b`.
    fn mul_add(acc: Self::Acc, a: Self::Acc, b: Self::Acc) -> Self::Acc;
    fn narrow(acc: Self::Acc) -> Self;
}

macro_rules! float_elem {
    ($t:ty) => {
        impl DotElem for $t {
            type Acc = f64;
            fn zero() -> f64 {
                0.0
            }
            fn widen(self) -> f64 {
                self as f64
            }
            fn mul_add(acc: f64, a: f64, b: f64) -> f64 {
                acc + a * b
            }
            fn narrow(acc: f64) -> $t {
                acc as $t
            }
        }
    };
}
float_elem!(f32);
float_elem!(f64);

macro_rules! int_elem {
    ($t:ty) => {
        impl DotElem for $t {
            type Acc = $t;
            fn zero() -> $t {
                0
            }
            fn widen(self) -> $t {
                self
            }
            fn mul_add(acc: $t, a: $t, b: $t) -> $t {
                acc.wrapping_add(a.wrapping_mul(b))
            }
            fn narrow(acc: $t) -> $t {
                acc
            }
        }
    };
}
int_elem!(i32);
int_elem!(i64);
int_elem!(u32);

macro_rules! complex_elem {
    ($t:ty) => {
        impl DotElem for $t {
            type Acc = Complex<f64>;
            fn zero() -> Complex<f64> {
                Complex::new(0.0, 0.0)
            }
            fn widen(self) -> Complex<f64> {
                kernels::Complex::widen(self)
            }
            fn mul_add(acc: Complex<f64>, a: Complex<f64>, b: Complex<f64>) -> Complex<f64> {
                acc + a * b
            }
            fn narrow(acc: Complex<f64>) -> $t {
                kernels::Complex::narrow(acc)
            }
        }
    };
}
complex_elem!(C64);
complex_elem!(C128);

/// Permutes both operands into matrix layout, then multiplies.
fn dot<T: DotElem>(
    a: &[T],
    b: &[T],
    lhs: &Tensor,
    rhs: &Tensor,
    lhs_perm: &[usize],
    rhs_perm: &[usize],
    d: MatDims,
) -> Vec<T> {
    let a: Vec<T::Acc> = permute(a, lhs.shape(), lhs_perm)
        .into_iter()
        .map(T::widen)
        .collect();
    let b: Vec<T::Acc> = permute(b, rhs.shape(), rhs_perm)
        .into_iter()
        .map(T::widen)
        .collect();
    let mut out = vec![T::zero(); d.b * d.m * d.n];
    // i-k-j order: the inner loop runs over contiguous rows of `b` and `out`.
    for bi in 0..d.b {
        for i in 0..d.m {
            let row = &mut out[(bi * d.m + i) * d.n..][..d.n];
            for k in 0..d.k {
                let x = a[(bi * d.m + i) * d.k + k];
                let brow = &b[(bi * d.k + k) * d.n..][..d.n];
                for (o, &y) in row.iter_mut().zip(brow) {
                    *o = T::mul_add(*o, x, y);
                }
            }
        }
    }
    out.into_iter().map(T::narrow).collect()
}

/// The row-major data of `x.transpose(perm)`: output dim `i` is input dim `perm[i]`.
fn permute<T: Copy>(data: &[T], shape: &[usize], perm: &[usize]) -> Vec<T> {
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return data.to_vec();
    }
    let mut strides = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        strides[i] = strides[i + 1] * shape[i + 1];
    }
    let out_shape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let out_strides: Vec<usize> = perm.iter().map(|&p| strides[p]).collect();
    let mut out = Vec::with_capacity(data.len());
    let mut index = vec![0usize; perm.len()];
    let mut offset = 0usize;
    for _ in 0..data.len() {
        out.push(data[offset]);
        // Odometer increment over the output index, tracking the input offset.
        for ax in (0..index.len()).rev() {
            index[ax] += 1;
            offset += out_strides[ax];
            if index[ax] < out_shape[ax] {
                break;
            }
            offset -= out_strides[ax] * index[ax];
            index[ax] = 0;
        }
    }
    out
}

/// Checks a `[.., n, n]` float matrix operand; returns `n`.
fn square_float(what: &str, t: &TensorType) -> RuleResult<usize> {
    if !t.dtype.is_float() {
        return Err(format!("{} must be f32 or f64, got {}", what, t).into());
    }
    match t.shape.as_slice() {
        [.., r, c] if r == c => Ok(*r),
        _ => Err(format!(
            "{} must be a batch of square matrices [.., n, n], got {}",
            what, t
        )
        .into()),
    }
}

pub fn infer_cholesky(inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    expect_arity("cholesky", inputs, 1)?;
    square_float("operand", &inputs[0])?;
    Ok(vec![inputs[0].clone()])
}

pub fn eval_cholesky(inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let [a] = inputs else {
        return Err("expected one operand".into());
    };
    let n = square_float("operand", &a.ty())?;
    let mut data = a.to_f64_vec();
    if n > 0 {
        for m in data.chunks_mut(n * n) {
            cholesky_in_place(m, n);
        }
    }
    Ok(vec![from_f64(a, data)?])
}

/// Overwrites the `n x n` matrix `m` with its lower Cholesky factor, reading
/// only its lower triangle: `l[j][j] = sqrt(a[j][j] - Σ_{k<j} l[j][k]²)`,
/// `l[i][j] = (a[i][j] - Σ_{k<j} l[i][k] l[j][k]) / l[j][j]` for `i > j`.
/// Like LAPACK `potrf` under `jax.lax.linalg.cholesky`, a non-positive pivot
/// (the matrix is not positive definite) makes the whole factor NaN.
fn cholesky_in_place(m: &mut [f64], n: usize) {
    for j in 0..n {
        let pivot = m[j * n + j] - (0..j).map(|k| m[j * n + k] * m[j * n + k]).sum::<f64>();
        if pivot.is_nan() || pivot <= 0.0 {
            m.iter_mut().for_each(|x| *x = f64::NAN);
            return;
        }
        let d = pivot.sqrt();
        m[j * n + j] = d;
        for i in j + 1..n {
            let s: f64 = (0..j).map(|k| m[i * n + k] * m[j * n + k]).sum();
            m[i * n + j] = (m[i * n + j] - s) / d;
        }
        for i in 0..j {
            m[i * n + j] = 0.0;
        }
    }
}

pub fn infer_triangular_solve(
    left_side: bool,
    inputs: &[TensorType],
) -> RuleResult<Vec<TensorType>> {
    expect_arity("triangular_solve", inputs, 2)?;
    let (a, b) = (&inputs[0], &inputs[1]);
    let n = square_float("a", a)?;
    if a.dtype != b.dtype {
        return Err(format!("a and b dtypes differ: {} and {}", a, b).into());
    }
    let batch = &a.shape[..a.rank() - 2];
    let (expected, layout) = if left_side {
        (b.shape.get(b.rank().wrapping_sub(2)), "[.., n, k]")
    } else {
        (b.shape.last(), "[.., k, n]")
    };
    if b.rank() != a.rank() || &b.shape[..b.rank() - 2] != batch || expected != Some(&n) {
        return Err(format!(
            "b must be {} with the batch dims of a = {} (n = {}), got {}",
            layout, a, n, b
        )
        .into());
    }
    Ok(vec![b.clone()])
}

pub fn eval_triangular_solve(
    left_side: bool,
    lower: bool,
    transpose_a: bool,
    unit_diagonal: bool,
    inputs: &[Tensor],
) -> RuleResult<Vec<Tensor>> {
    let [a, b] = inputs else {
        return Err("expected two operands".into());
    };
    infer_triangular_solve(left_side, &[a.ty(), b.ty()])?;
    let n = a.shape().last().copied().unwrap_or(0);
    let (a_data, mut x) = (a.to_f64_vec(), b.to_f64_vec());
    let tri = Triangle {
        n,
        lower,
        unit_diagonal,
        // Left side: m = op(a). Right side: x op(a) = b  <=>  op(a)ᵀ xᵀ = bᵀ,
        // so m = op(a)ᵀ. Either way m = aᵀ exactly when transpose_a == left_side.
        transpose: transpose_a == left_side,
    };
    let batches = if n == 0 { 0 } else { a_data.len() / (n * n) };
    if batches == 0 || x.is_empty() {
        return Ok(vec![b.clone()]);
    }
    let per_batch = x.len() / batches;
    let k = per_batch / n;
    for (am, bm) in a_data.chunks(n * n).zip(x.chunks_mut(per_batch)) {
        let m = tri.effective(am);
        for j in 0..k {
            // Left: column j of b [n, k]; right: row j of b [k, n].
            let (start, stride) = if left_side { (j, k) } else { (j * n, 1) };
            tri.solve(&m, bm, start, stride);
        }
    }
    Ok(vec![from_f64(b, x)?])
}

/// The triangular system `m y = c` a triangular_solve reduces to.
struct Triangle {
    n: usize,
    /// Which triangle of `a` is read.
    lower: bool,
    unit_diagonal: bool,
    /// Whether `m = aᵀ` (else `m = a`).
    transpose: bool,
}

impl Triangle {
    /// The dense `m`: the read triangle of `a`, transposed if asked, zeros elsewhere.
    fn effective(&self, a: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut m = vec![0.0; n * n];
        for p in 0..n {
            for q in 0..n {
                let read = if self.lower { p >= q } else { p <= q };
                let v = if p == q && self.unit_diagonal {
                    1.0
                } else if read {
                    a[p * n + q]
                } else {
                    0.0
                };
                let (i, j) = if self.transpose { (q, p) } else { (p, q) };
                m[i * n + j] = v;
            }
        }
        m
    }

    /// Solves `m y = c` in place, `c[i]` at `data[start + i * stride]`, by
    /// forward substitution if `m` is lower triangular, backward otherwise.
    fn solve(&self, m: &[f64], data: &mut [f64], start: usize, stride: usize) {
        let n = self.n;
        let m_lower = self.lower != self.transpose;
        for step in 0..n {
            let i = if m_lower { step } else { n - 1 - step };
            let known = if m_lower { 0..i } else { i + 1..n };
            let s: f64 = known.map(|j| m[i * n + j] * data[start + j * stride]).sum();
            let at = start + i * stride;
            data[at] = (data[at] - s) / m[i * n + i];
        }
    }
}

/// A tensor of `like`'s shape and float dtype holding `data`.
fn from_f64(like: &Tensor, data: Vec<f64>) -> RuleResult<Tensor> {
    let data = match like.dtype() {
        DType::F32 => Data::F32(data.into_iter().map(|x| x as f32).collect()),
        DType::F64 => Data::F64(data),
        d => return Err(format!("expected f32 or f64, got {}", d).into()),
    };
    Tensor::new(like.shape().to_vec(), data).ok_or_else(|| PrimError::internal("size mismatch"))
}

// ---------------------------------------------------------------- lowering

/// The `precision_config` of every `stablehlo.dot_general` nest emits, for
/// both operands: `DEFAULT`, as `jax.jit` emits when neither `precision=`
/// nor `jax_default_matmul_precision` is given. It lets XLA choose: on CPU
/// every precision computes the same (f32 products in f32); on NVIDIA GPUs
/// since Ampere `DEFAULT` allows TF32 tensor-core products for `f32`
/// operands (about 10 mantissa bits, much faster), where `HIGHEST` would
/// keep full `f32` (docs/backends.md, "Matrix products and precision").
pub const DOT_PRECISION: &str = "DEFAULT";

/// `stablehlo.dot_general` at [`DOT_PRECISION`]; XLA accumulates `f32` in
/// `f32`, the kernel in `f64`.
pub fn lower_dot_general(
    lhs_batch: &[usize],
    rhs_batch: &[usize],
    lhs_contract: &[usize],
    rhs_contract: &[usize],
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [a, b] = operands("dot_general", inputs)?;
    let attrs = format!(
        "dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = {}, \
         rhs_batching_dimensions = {}, lhs_contracting_dimensions = {}, \
         rhs_contracting_dimensions = {}>, \
         precision_config = [#stablehlo<precision {p}>, #stablehlo<precision {p}>]",
        list(lhs_batch),
        list(rhs_batch),
        list(lhs_contract),
        list(rhs_contract),
        p = DOT_PRECISION
    );
    Ok(em.generic("stablehlo.dot_general", &[a, b], &attrs, outs))
}

/// `stablehlo.cholesky` (`lower = true`, reading the lower triangle), made
/// to agree with the kernel where StableHLO leaves things to the
/// implementation: the upper triangle is zeroed, and a matrix whose factor
/// has a diagonal entry that is not positive (a non-positive pivot gives a
/// zero or NaN `sqrt`, and NaN spreads to later pivots) becomes all NaN:
///
/// `L = tril(cholesky(a))`; `ok = min_i L[.., i, i] > 0` per matrix;
/// result `select(ok, L, NaN)`.
pub fn lower_cholesky(
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [a] = operands("cholesky", inputs)?;
    let ty = result("cholesky", outs)?;
    let r = ty.rank();
    if r < 2 || ty.size() == 0 {
        return Ok(vec![a.clone()]);
    }
    let l = em.generic("stablehlo.cholesky", &[a], "lower = true", outs);
    let l = l
        .first()
        .ok_or_else(|| PrimError::internal("cholesky has no result"))?;
    let rows = em.iota(&ty.shape, r - 2, DType::I32);
    let cols = em.iota(&ty.shape, r - 1, DType::I32);
    let below = em.compare("GE", &rows, &cols);
    let zero = em.splat(ty, 0.0)?;
    let tril = em.select(&below, l, &zero);
    let on_diag = em.compare("EQ", &rows, &cols);
    let inf = em.splat(ty, f64::INFINITY)?;
    let diag = em.select(&on_diag, &tril, &inf);
    let batch = ty.shape[..r - 2].to_vec();
    let min_ty = TensorType::new(ty.dtype, batch.clone());
    let init = em.splat(&TensorType::scalar(ty.dtype), f64::INFINITY)?;
    let mut min = |em: &mut Emitter, x: &[Value], y: &[Value]| {
        Ok(vec![super::elementwise::lower_extreme(
            "LE", em, &x[0], &y[0],
        )])
    };
    let m = em.reduce(
        &[&diag],
        &[&init],
        &[r - 2, r - 1],
        std::slice::from_ref(&min_ty),
        &mut min,
    )?;
    let m = m
        .first()
        .ok_or_else(|| PrimError::internal("reduce has no result"))?;
    let zero_b = em.splat(&min_ty, 0.0)?;
    let ok = em.compare("GT", m, &zero_b);
    let batch_dims: Vec<usize> = (0..r - 2).collect();
    let ok = em.broadcast(&ok, &ty.shape, &batch_dims);
    let nan = em.splat(ty, f64::NAN)?;
    Ok(vec![em.select(&ok, &tril, &nan)])
}

/// `stablehlo.triangular_solve`; `transpose_a` is `TRANSPOSE` (the operands
/// are real). With no elements in `b` there is nothing to solve.
pub fn lower_triangular_solve(
    left_side: bool,
    lower: bool,
    transpose_a: bool,
    unit_diagonal: bool,
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [a, b] = operands("triangular_solve", inputs)?;
    if b.ty.size() == 0 {
        return Ok(vec![b.clone()]);
    }
    let transpose = if transpose_a {
        "TRANSPOSE"
    } else {
        "NO_TRANSPOSE"
    };
    let attrs = format!(
        "left_side = {}, lower = {}, transpose_a = #stablehlo<transpose {}>, unit_diagonal = {}",
        left_side, lower, transpose, unit_diagonal
    );
    Ok(em.generic("stablehlo.triangular_solve", &[a, b], &attrs, outs))
}

// ---- transpose rules: in `linalg/transpose.rs` ----

mod transpose;
pub use transpose::{transpose_dot_general, transpose_triangular_solve};

// ---- batching rules: in `linalg/batch.rs` ----

mod batch;
pub use batch::{batch_cholesky, batch_dot_general, batch_triangular_solve, DotDims};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn f64s(shape: &[usize], v: Vec<f64>) -> Tensor {
        Tensor::new(shape.to_vec(), Data::F64(v)).unwrap()
    }

    /// Deterministic pseudo-random values in [-1, 1).
    fn values(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
            })
            .collect()
    }

    /// Row-major strides of `shape`.
    fn strides(shape: &[usize]) -> Vec<usize> {
        let mut s = vec![1; shape.len()];
        for i in (0..shape.len().saturating_sub(1)).rev() {
            s[i] = s[i + 1] * shape[i + 1];
        }
        s
    }

    /// The multi-index of flat position `flat` in `shape`.
    fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
        let mut idx = vec![0; shape.len()];
        for ax in (0..shape.len()).rev() {
            idx[ax] = flat % shape[ax];
            flat /= shape[ax];
        }
        idx
    }

    /// dot_general straight from its definition: every output element is a
    /// sum over all contracting index tuples.
    fn reference_dot(
        lhs: &Tensor,
        rhs: &Tensor,
        dims: [&[usize]; 4],
        out_shape: &[usize],
    ) -> Vec<f64> {
        let [lb, rb, lc, rc] = dims;
        let (l, r) = (lhs.to_f64_vec(), rhs.to_f64_vec());
        let (ls, rs) = (strides(lhs.shape()), strides(rhs.shape()));
        let lfree = free_dims(lhs.shape(), lb, lc, "lhs").unwrap();
        let rfree = free_dims(rhs.shape(), rb, rc, "rhs").unwrap();
        let csizes: Vec<usize> = lc.iter().map(|&d| lhs.shape()[d]).collect();
        let csize: usize = csizes.iter().product();
        let total: usize = out_shape.iter().product();
        (0..total)
            .map(|o| {
                let idx = unravel(o, out_shape);
                let (bi, rest) = idx.split_at(lb.len());
                let (li, ri) = rest.split_at(lfree.len());
                let mut base_l: usize = lb.iter().zip(bi).map(|(&d, &i)| i * ls[d]).sum();
                let mut base_r: usize = rb.iter().zip(bi).map(|(&d, &i)| i * rs[d]).sum();
                base_l += lfree
                    .iter()
                    .zip(li)
                    .map(|(&d, &i)| i * ls[d])
                    .sum::<usize>();
                base_r += rfree
                    .iter()
                    .zip(ri)
                    .map(|(&d, &i)| i * rs[d])
                    .sum::<usize>();
                (0..csize)
                    .map(|c| {
                        let ci = unravel(c, &csizes);
                        let ol: usize = lc.iter().zip(&ci).map(|(&d, &i)| i * ls[d]).sum();
                        let or: usize = rc.iter().zip(&ci).map(|(&d, &i)| i * rs[d]).sum();
                        l[base_l + ol] * r[base_r + or]
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn matmul_2x3_3x2() {
        // [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
        let a = Tensor::new(vec![2, 3], Data::F32(vec![1., 2., 3., 4., 5., 6.])).unwrap();
        let b = Tensor::new(vec![3, 2], Data::F32(vec![7., 8., 9., 10., 11., 12.])).unwrap();
        let out = eval_dot_general(&[], &[], &[1], &[0], &[a, b]).unwrap();
        assert_eq!(out[0].shape(), &[2, 2]);
        assert_eq!(out[0].to_f64_vec(), vec![58., 64., 139., 154.]);
    }

    #[test]
    fn dot_general_matches_definition() {
        // (lhs shape, rhs shape, lhs_batch, rhs_batch, lhs_contract, rhs_contract)
        type Case = (
            Vec<usize>,
            Vec<usize>,
            Vec<usize>,
            Vec<usize>,
            Vec<usize>,
            Vec<usize>,
        );
        let cases: Vec<Case> = vec![
            (vec![4], vec![4], vec![], vec![], vec![0], vec![0]),
            (vec![3], vec![2], vec![], vec![], vec![], vec![]),
            (
                vec![2, 3, 4],
                vec![2, 4, 5],
                vec![0],
                vec![0],
                vec![2],
                vec![1],
            ),
            (
                vec![4, 2, 3],
                vec![5, 4, 2],
                vec![1],
                vec![2],
                vec![0],
                vec![1],
            ),
            (
                vec![2, 3, 4, 5],
                vec![3, 4, 6, 5],
                vec![2],
                vec![1],
                vec![3, 1],
                vec![3, 0],
            ),
            (vec![3, 0], vec![0, 2], vec![], vec![], vec![1], vec![0]),
            (vec![2, 3], vec![3, 4], vec![], vec![], vec![], vec![]),
        ];
        for (i, (ls, rs, lb, rb, lc, rc)) in cases.into_iter().enumerate() {
            let lhs = f64s(&ls, values(ls.iter().product(), i as u64));
            let rhs = f64s(&rs, values(rs.iter().product(), 100 + i as u64));
            let out = eval_dot_general(&lb, &rb, &lc, &rc, &[lhs.clone(), rhs.clone()]).unwrap();
            let want = reference_dot(&lhs, &rhs, [&lb, &rb, &lc, &rc], out[0].shape());
            let got = out[0].to_f64_vec();
            assert_eq!(got.len(), want.len(), "case {}", i);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() < 1e-12, "case {}: {} vs {}", i, g, w);
            }
        }
    }

    #[test]
    fn dot_general_result_dims_are_batch_lhs_free_rhs_free() {
        let ty = |s: &[usize]| TensorType::new(DType::F32, s.to_vec());
        let out = infer_dot_general(&[1], &[0], &[2], &[2], &[ty(&[7, 2, 3, 5]), ty(&[2, 6, 3])]);
        assert_eq!(out, Ok(vec![ty(&[2, 7, 5, 6])]));
    }

    #[test]
    fn dot_general_ints_and_complex() {
        let a = Tensor::new(vec![2], Data::I32(vec![i32::MAX, 3])).unwrap();
        let b = Tensor::new(vec![2], Data::I32(vec![2, 1])).unwrap();
        let out = eval_dot_general(&[], &[], &[0], &[0], &[a, b]).unwrap();
        // i32::MAX * 2 wraps to -2; + 3 = 1.
        assert_eq!(out[0].as_int_scalar(), Some(1));
        let c = |re, im| C64::new(re, im);
        let a = Tensor::new(vec![2], Data::C64(vec![c(1., 2.), c(0., 1.)])).unwrap();
        let b = Tensor::new(vec![2], Data::C64(vec![c(3., -1.), c(2., 0.)])).unwrap();
        let out = eval_dot_general(&[], &[], &[0], &[0], &[a, b]).unwrap();
        // (1+2i)(3-i) + i*2 = 5+5i + 2i = 5+7i
        assert_eq!(out[0].data(), &Data::C64(vec![c(5., 7.)]));
    }

    #[test]
    fn dot_general_rejects_bad_operands() {
        let ty = |d, s: &[usize]| TensorType::new(d, s.to_vec());
        let f = DType::F32;
        let err = |lc: &[usize], rc: &[usize], l: TensorType, r: TensorType| {
            infer_dot_general(&[], &[], lc, rc, &[l, r])
                .unwrap_err()
                .to_string()
        };
        let e = err(&[1], &[0], ty(f, &[2, 3]), ty(DType::F64, &[3, 2]));
        assert!(e.contains("dtypes differ"), "{}", e);
        let e = err(
            &[1],
            &[0],
            ty(DType::Bool, &[2, 3]),
            ty(DType::Bool, &[3, 2]),
        );
        assert!(e.contains("numeric"), "{}", e);
        let e = err(&[1], &[0], ty(f, &[2, 3]), ty(f, &[4, 2]));
        assert!(e.contains("contracting dims differ"), "{}", e);
        let e = err(&[2], &[0], ty(f, &[2, 3]), ty(f, &[3, 2]));
        assert!(e.contains("out of range"), "{}", e);
        let e = err(&[1, 1], &[0, 1], ty(f, &[3, 3]), ty(f, &[3, 3]));
        assert!(e.contains("named twice"), "{}", e);
        let e = err(&[1], &[], ty(f, &[2, 3]), ty(f, &[3, 2]));
        assert!(e.contains("as many"), "{}", e);
        let e = infer_dot_general(&[0], &[0], &[], &[], &[ty(f, &[2]), ty(f, &[3])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("batch dims differ"), "{}", e);
    }

    #[test]
    fn cholesky_factor_and_batching() {
        // [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]]; the upper entry
        // 99 is never read.
        let a = f64s(&[2, 2, 2], vec![4., 99., 2., 3., 9., 0., 0., 1.]);
        let l = eval_cholesky(&[a]).unwrap().remove(0).to_f64_vec();
        let want = [2., 0., 1., 2f64.sqrt(), 3., 0., 0., 1.];
        for (g, w) in l.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{:?}", l);
        }
    }

    #[test]
    fn cholesky_reconstructs_spd_f32() {
        // a = g gᵀ + n I is positive definite.
        let n = 5;
        let g = values(n * n, 7);
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n).map(|k| g[i * n + k] * g[j * n + k]).sum::<f64>();
            }
            a[i * n + i] += n as f64;
        }
        let t = Tensor::new(vec![n, n], Data::F32(a.iter().map(|&x| x as f32).collect())).unwrap();
        let l = eval_cholesky(&[t]).unwrap().remove(0);
        assert_eq!(l.dtype(), DType::F32);
        let l = l.to_f64_vec();
        for i in 0..n {
            for j in 0..n {
                let llt: f64 = (0..n).map(|k| l[i * n + k] * l[j * n + k]).sum();
                assert!((llt - a[i * n + j]).abs() < 1e-5, "{} {}", i, j);
                if j > i {
                    assert_eq!(l[i * n + j], 0.0);
                }
            }
        }
    }

    #[test]
    fn cholesky_of_indefinite_matrix_is_nan() {
        let a = f64s(&[2, 2, 2], vec![1., 2., 2., 1., 1., 0., 0., 1.]);
        let l = eval_cholesky(&[a]).unwrap().remove(0).to_f64_vec();
        assert!(l[..4].iter().all(|x| x.is_nan()), "{:?}", l);
        assert_eq!(&l[4..], &[1., 0., 0., 1.]);
    }

    #[test]
    fn cholesky_rejects_bad_operands() {
        let e = infer_cholesky(&[TensorType::new(DType::F32, vec![2, 3])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("square"), "{}", e);
        let e = infer_cholesky(&[TensorType::new(DType::I32, vec![2, 2])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("f32 or f64"), "{}", e);
        let e = infer_cholesky(&[TensorType::new(DType::F32, vec![2])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("square"), "{}", e);
    }

    /// op(a) restricted to the triangle a solve reads, as a dense matrix.
    fn op_a(a: &[f64], n: usize, lower: bool, transpose: bool, unit: bool) -> Vec<f64> {
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let (p, q) = if transpose { (j, i) } else { (i, j) };
                let keep = if lower { p >= q } else { p <= q };
                m[i * n + j] = match (p == q, unit, keep) {
                    (true, true, _) => 1.0,
                    (_, _, true) => a[p * n + q],
                    _ => 0.0,
                };
            }
        }
        m
    }

    #[test]
    fn triangular_solve_all_variants_satisfy_their_equation() {
        let (batch, n, k) = (2, 3, 2);
        // A well-conditioned a: diagonal 3 + noise; its other triangle is noise.
        let mut a = values(batch * n * n, 11);
        for bi in 0..batch {
            for i in 0..n {
                a[bi * n * n + i * n + i] += 3.0;
            }
        }
        let b = values(batch * n * k, 12);
        for bits in 0..16 {
            let [left, lower, trans, unit] = [0, 1, 2, 3].map(|s| bits >> s & 1 == 1);
            let b_shape = if left { [batch, n, k] } else { [batch, k, n] };
            let inputs = [f64s(&[batch, n, n], a.clone()), f64s(&b_shape, b.clone())];
            let x = eval_triangular_solve(left, lower, trans, unit, &inputs).unwrap();
            let x = x[0].to_f64_vec();
            for bi in 0..batch {
                let m = op_a(&a[bi * n * n..][..n * n], n, lower, trans, unit);
                let xb = &x[bi * n * k..][..n * k];
                let bb = &b[bi * n * k..][..n * k];
                for r in 0..b_shape[1] {
                    for c in 0..b_shape[2] {
                        let got: f64 = if left {
                            (0..n).map(|j| m[r * n + j] * xb[j * k + c]).sum()
                        } else {
                            (0..n).map(|j| xb[r * n + j] * m[j * n + c]).sum()
                        };
                        let want = bb[r * b_shape[2] + c];
                        assert!((got - want).abs() < 1e-12, "variant {:04b}", bits);
                    }
                }
            }
        }
    }

    #[test]
    fn triangular_solve_rejects_bad_operands() {
        let ty = |d, s: &[usize]| TensorType::new(d, s.to_vec());
        let f = DType::F32;
        assert_eq!(
            infer_triangular_solve(true, &[ty(f, &[3, 3]), ty(f, &[3, 2])]),
            Ok(vec![ty(f, &[3, 2])])
        );
        assert!(infer_triangular_solve(false, &[ty(f, &[3, 3]), ty(f, &[2, 3])]).is_ok());
        let e = infer_triangular_solve(false, &[ty(f, &[3, 3]), ty(f, &[3, 2])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("[.., k, n]"), "{}", e);
        let e = infer_triangular_solve(true, &[ty(f, &[2, 3, 3]), ty(f, &[3, 3, 2])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("batch dims"), "{}", e);
        let e = infer_triangular_solve(true, &[ty(f, &[3, 3]), ty(f, &[3])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("[.., n, k]"), "{}", e);
        let e = infer_triangular_solve(true, &[ty(f, &[3, 3]), ty(DType::F64, &[3, 1])]);
        assert!(e.unwrap_err().to_string().contains("dtypes differ"));
    }
}

// ---- JVP rules: in `linalg/jvp.rs` ----

mod jvp;
pub use jvp::{jvp_cholesky, jvp_dot_general, jvp_triangular_solve};

mod rules;
pub use rules::*;
