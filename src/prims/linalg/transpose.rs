//! Transpose rules of the linear algebra primitives.

use crate::ir::Atom;
use crate::ir::Builder;
use crate::prims::{DotGeneral, Transpose, TriangularSolve};
use crate::prims::{JvpResult, Prim};

type R<T> = crate::ir::RuleResult<T>;

/// `dot_general` is bilinear; with one operand linear (the other a
/// constant) its transpose is a `dot_general` of the cotangent with the
/// constant, contracting the cotangent's dims that came from the constant's
/// free dims, followed by a transpose to the linear operand's dim order
/// (as JAX's `_dot_general_transpose_lhs/rhs`). Both operands linear is not
/// a linear map, and is an error.
pub fn transpose_dot_general(
    prim: &DotGeneral,
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    let DotGeneral {
        lhs_batch,
        rhs_batch,
        lhs_contract,
        rhs_contract,
    } = prim;
    let ([x, y], [ct]) = (inputs, cts) else {
        return Err("dot_general takes two operands and gives one output".into());
    };
    let Some(ct) = ct else {
        return Ok(vec![None, None]);
    };
    match linear {
        [true, false] => {
            let dims = Dims {
                batch: (lhs_batch, rhs_batch),
                contract: (lhs_contract, rhs_contract),
            };
            let ct_x = transpose_lhs(b, ct, x, y, &dims, false)?;
            Ok(vec![Some(ct_x), None])
        }
        [false, true] => {
            let dims = Dims {
                batch: (rhs_batch, lhs_batch),
                contract: (rhs_contract, lhs_contract),
            };
            let ct_y = transpose_lhs(b, ct, y, x, &dims, true)?;
            Ok(vec![None, Some(ct_y)])
        }
        [false, false] => Ok(vec![None, None]),
        _ => Err("dot_general is not linear in both operands at once".into()),
    }
}

/// Dimension numbers with the linear operand `x` first.
struct Dims<'a> {
    batch: (&'a [usize], &'a [usize]),
    contract: (&'a [usize], &'a [usize]),
}

/// The cotangent of `x` in `out = dot_general(x, y)`, or, with `swap`, in
/// `out = dot_general(y, x)` (then `out`'s free dims of `y` come first).
///
/// `out` has dims (batch, x kept, y kept) (or (batch, y kept, x kept)).
/// Contracting `ct`'s y-kept dims with `y`'s kept dims, batching `ct`'s
/// batch dims with `y`'s, gives dims (x batch, x kept, then `y`'s
/// contracting dims in increasing order, i.e. `x`'s contracting dims
/// ordered by their partners in `y`); the transpose puts them back in order.
fn transpose_lhs(b: &mut Builder, ct: &Atom, x: &Atom, y: &Atom, d: &Dims, swap: bool) -> R<Atom> {
    let (x_batch, y_batch) = d.batch;
    let (x_contract, y_contract) = d.contract;
    let x_kept = remaining(x.ty().rank(), x_batch, x_contract);
    let y_kept = remaining(y.ty().rank(), y_batch, y_contract);
    let nb = x_batch.len();
    let ans_batch: Vec<usize> = (0..nb).collect();
    let ans_y: Vec<usize> = if swap {
        (nb..nb + y_kept.len()).collect()
    } else {
        let start = nb + x_kept.len();
        (start..start + y_kept.len()).collect()
    };
    let dot = Prim::new(DotGeneral {
        lhs_batch: ans_batch,
        rhs_batch: y_batch.to_vec(),
        lhs_contract: ans_y,
        rhs_contract: y_kept,
    });
    let r = b.apply1(dot, &[ct.clone(), y.clone()])?;
    // `x`'s contracting dims, sorted by their partners in `y`.
    let mut pairs: Vec<(usize, usize)> = y_contract
        .iter()
        .copied()
        .zip(x_contract.iter().copied())
        .collect();
    pairs.sort_unstable();
    let mut order: Vec<usize> = x_batch.to_vec();
    order.extend(x_kept);
    order.extend(pairs.into_iter().map(|(_, xd)| xd));
    // Result dim `j` is `x` dim `order[j]`: output dim `i` takes result dim
    // `argsort(order)[i]`.
    let mut perm = vec![0; order.len()];
    for (j, &xd) in order.iter().enumerate() {
        *perm
            .get_mut(xd)
            .ok_or("bad dot_general dimension numbers")? = j;
    }
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return Ok(r);
    }
    b.apply1(Prim::new(Transpose { perm }), &[r])
}

/// The dims of a rank-`n` operand that are neither batch nor contracting, in order.
fn remaining(n: usize, batch: &[usize], contract: &[usize]) -> Vec<usize> {
    (0..n)
        .filter(|d| !batch.contains(d) && !contract.contains(d))
        .collect()
}

/// `x = op(a)⁻¹ b` (left side) or `x = b op(a)⁻¹` (right side) is linear in
/// `b`; its transpose is `op(a)⁻ᵀ ct` (or `ct op(a)⁻ᵀ`): the same solve with
/// `transpose_a` flipped, reading the same triangle of `a`. The solve is
/// not linear in `a`, so a linear `a` is an error.
#[allow(clippy::too_many_arguments)]
pub fn transpose_triangular_solve(
    left_side: bool,
    lower: bool,
    transpose_a: bool,
    unit_diagonal: bool,
    b: &mut Builder,
    inputs: &[Atom],
    linear: &[bool],
    cts: &[Option<Atom>],
) -> JvpResult {
    let ([a, _], [ct]) = (inputs, cts) else {
        return Err("triangular_solve takes two operands and gives one output".into());
    };
    if linear.first() == Some(&true) {
        return Err("triangular_solve is not linear in the matrix `a`".into());
    }
    let Some(ct) = ct else {
        return Ok(vec![None, None]);
    };
    let solve = Prim::new(TriangularSolve {
        left_side,
        lower,
        transpose_a: !transpose_a,
        unit_diagonal,
    });
    let ct_b = b.apply1(solve, &[a.clone(), ct.clone()])?;
    Ok(vec![None, (linear.get(1) == Some(&true)).then_some(ct_b)])
}
