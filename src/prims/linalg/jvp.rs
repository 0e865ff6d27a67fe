//! JVP rules of the linear algebra primitives. All matrices are batches
//! `[.., n, n]`; the helpers below work on the last two dims and keep the
//! leading ones as batch dims.

use crate::ir::Atom;
use crate::ir::Builder;
use crate::prims::build::Build;
use crate::prims::Iota;
use crate::prims::{Cmp, JvpResult, Prim};
use crate::prims::{DotGeneral, Transpose, TriangularSolve};
use crate::types::DType;

type R<T> = crate::ir::RuleResult<T>;

/// `dot_general` is bilinear: `d(a·b) = da·b + a·db`, with the same
/// dimension numbers (a missing tangent drops its term).
pub fn jvp_dot_general(
    prim: &DotGeneral,
    b: &mut Builder,
    primals: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let ([x, y], [tx, ty]) = (primals, tangents) else {
        return Err("dot_general takes two operands".into());
    };
    let prim = Prim::new(prim.clone());
    let left = match tx {
        Some(tx) => Some(b.apply1(prim.clone(), &[tx.clone(), y.clone()])?),
        None => None,
    };
    let right = match ty {
        Some(ty) => Some(b.apply1(prim.clone(), &[x.clone(), ty.clone()])?),
        None => None,
    };
    Ok(vec![match (left, right) {
        (Some(l), Some(r)) => Some(b.add(&l, &r)?),
        (l, r) => l.or(r),
    }])
}

/// `L = chol(A)`, `A = L Lᵀ`. Differentiating, `dA = dL Lᵀ + L dLᵀ`, so
/// `L⁻¹ dA L⁻ᵀ = X + Xᵀ` with `X = L⁻¹ dL` lower triangular. Hence
/// `X = Φ(L⁻¹ dA L⁻ᵀ)`, where `Φ` keeps the strict lower triangle and halves
/// the diagonal, and `dL = L X` (Murray 2016, arXiv:1602.07527).
///
/// The primitive reads only the lower triangle of `A` (it factors the
/// symmetric matrix with that lower triangle), so the rule does too: the
/// tangent used is the symmetric `tril(dA) + tril(dA, -1)ᵀ`, and the upper
/// triangle of `dA` has no effect. For a symmetric `dA` this is `dA` itself.
pub fn jvp_cholesky(
    b: &mut Builder,
    _primals: &[Atom],
    outs: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let ([l], [Some(da)]) = (outs, tangents) else {
        return Ok(vec![None]);
    };
    let lower = tri_mask(b, da, Cmp::Ge)?;
    let da_t = transpose_last(b, da)?;
    let sym = b.select(&lower, da, &da_t)?;
    // sym L⁻ᵀ (x Lᵀ = sym), then L⁻¹ (sym L⁻ᵀ).
    let right = solve(false, true, b, l, &sym)?;
    let inner = solve(true, false, b, l, &right)?;
    let half = b.mul(&inner, &b.scalar(inner.ty().dtype, 0.5))?;
    let diag = keep(b, &half, Cmp::Eq, None)?;
    let phi = keep(b, &inner, Cmp::Gt, Some(&diag))?;
    Ok(vec![Some(batched_dot(b, l, &phi, 0, 1)?)])
}

/// `x` solves `op(a) x = b` (left side) or `x op(a) = b` (right side).
/// Differentiating `op(a) x = b`: `op(a) dx + op(da) x = db`, so `dx` solves
/// the same system with right-hand side `db − op(da) x` (right side:
/// `db − x op(da)`), where `da` is the part of the tangent the primitive
/// reads: its `lower` (or upper) triangle, without the diagonal when
/// `unit_diagonal`.
#[allow(clippy::too_many_arguments)]
pub fn jvp_triangular_solve(
    left_side: bool,
    lower: bool,
    transpose_a: bool,
    unit_diagonal: bool,
    b: &mut Builder,
    primals: &[Atom],
    outs: &[Atom],
    tangents: &[Option<Atom>],
) -> JvpResult {
    let ([a, _], [x], [ta, tb]) = (primals, outs, tangents) else {
        return Err("triangular_solve takes two operands".into());
    };
    let product = match ta {
        Some(da) => {
            let read = match (lower, unit_diagonal) {
                (true, false) => Cmp::Ge,
                (true, true) => Cmp::Gt,
                (false, false) => Cmp::Le,
                (false, true) => Cmp::Lt,
            };
            let da = keep(b, da, read, None)?;
            Some(op_product(left_side, transpose_a, b, &da, x)?)
        }
        None => None,
    };
    let rhs = match (tb, product) {
        (Some(db), Some(p)) => b.sub(db, &p)?,
        (None, Some(p)) => b.neg(&p)?,
        (Some(db), None) => db.clone(),
        (None, None) => return Ok(vec![None]),
    };
    let prim = Prim::new(TriangularSolve {
        left_side,
        lower,
        transpose_a,
        unit_diagonal,
    });
    Ok(vec![Some(b.apply1(prim, &[a.clone(), rhs])?)])
}

/// `op(da) x` (left side) or `x op(da)` (right side), `op(da) = daᵀ` if
/// `transpose`, as one batched contraction.
fn op_product(left: bool, transpose: bool, b: &mut Builder, da: &Atom, x: &Atom) -> R<Atom> {
    // Dims counted from the end: 1 is the row dim, 0 the column dim.
    match (left, transpose) {
        (true, false) => batched_dot(b, da, x, 0, 1),
        (true, true) => batched_dot(b, da, x, 1, 1),
        (false, false) => batched_dot(b, x, da, 0, 1),
        (false, true) => batched_dot(b, x, da, 0, 0),
    }
}

/// `dot_general` of two batches of matrices of equal rank `r`, contracting
/// dim `r − 1 − lc` of `x` with dim `r − 1 − rc` of `y`, batched over the
/// leading `r − 2` dims; `batched_dot(x, y, 0, 1)` is the matrix product.
fn batched_dot(b: &mut Builder, x: &Atom, y: &Atom, lc: usize, rc: usize) -> R<Atom> {
    let r = matrix_rank(x)?;
    let batch: Vec<usize> = (0..r - 2).collect();
    let prim = Prim::new(DotGeneral {
        lhs_batch: batch.clone(),
        rhs_batch: batch,
        lhs_contract: vec![r - 1 - lc],
        rhs_contract: vec![r - 1 - rc],
    });
    b.apply1(prim, &[x.clone(), y.clone()])
}

/// Swaps the last two dims.
fn transpose_last(b: &mut Builder, x: &Atom) -> R<Atom> {
    let r = matrix_rank(x)?;
    let mut perm: Vec<usize> = (0..r).collect();
    perm.swap(r - 2, r - 1);
    b.apply1(Prim::new(Transpose { perm }), std::slice::from_ref(x))
}

/// `x` where `row <cmp> column` holds, else `other` (zeros if `None`).
fn keep(b: &mut Builder, x: &Atom, cmp: Cmp, other: Option<&Atom>) -> R<Atom> {
    let mask = tri_mask(b, x, cmp)?;
    let zero = b.scalar(x.ty().dtype, 0.0);
    b.select(&mask, x, other.unwrap_or(&zero))
}

/// The `bool` array of `x`'s shape that is true where `row <cmp> column`.
fn tri_mask(b: &mut Builder, x: &Atom, cmp: Cmp) -> R<Atom> {
    let r = matrix_rank(x)?;
    let shape = x.ty().shape;
    let iota = |dim| {
        Prim::new(Iota {
            shape: shape.clone(),
            dim,
            dtype: DType::I32,
        })
    };
    let rows = b.apply1(iota(r - 2), &[])?;
    let cols = b.apply1(iota(r - 1), &[])?;
    b.compare(cmp, &rows, &cols)
}

/// A triangular solve against the lower triangular `l`: `l y = c` if
/// `left`, `y l = c` otherwise, with `l` transposed if `transpose`.
fn solve(left: bool, transpose: bool, b: &mut Builder, l: &Atom, c: &Atom) -> R<Atom> {
    let prim = Prim::new(TriangularSolve {
        left_side: left,
        lower: true,
        transpose_a: transpose,
        unit_diagonal: false,
    });
    b.apply1(prim, &[l.clone(), c.clone()])
}

/// The rank of a batch of matrices (at least 2).
fn matrix_rank(x: &Atom) -> R<usize> {
    match x.ty().rank() {
        r if r >= 2 => Ok(r),
        _ => Err(format!("expected a batch of matrices, got {}", x.ty()).into()),
    }
}
