//! Reductions: sum, product, max, min, and/or over axes; argmax/argmin.

use super::elementwise::lower_extreme;
use super::expect_arity;
use super::{BinaryOp, Cmp, Prim};
use crate::ir::emit::{operands, result, Emitter, Value};
use crate::ir::Atom;
use crate::ir::Builder;
use crate::ir::PrimError;
use crate::ir::RuleResult;
use crate::prims::build::Build;
use crate::tensor::kernels::{self, Float, Int};
use crate::tensor::{Data, Tensor};
use crate::types::{DType, TensorType};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    /// Numeric dtypes. Floats accumulate in `f64` and round once at the end;
    /// `c64` in `f64` pairs; integers wrap. The sum of nothing is 0.
    Sum,
    /// As `Sum`; the product of nothing is 1.
    Prod,
    /// Integers and floats, NaN-propagating; the max of nothing is `-inf`
    /// (the integer minimum for integers).
    Max,
    /// As `Max`; the min of nothing is `+inf` (the integer maximum).
    Min,
    /// Bool only; the `and` of nothing is `true`.
    And,
    /// Bool only; the `or` of nothing is `false`.
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// Integers, floats and bool (`false < true`), not complex; the axis must be
/// non-empty. The first extreme wins ties, and a NaN counts as the extreme
/// (the first NaN wins), as in numpy.
pub enum ArgOp {
    Max,
    Min,
}

impl ReduceOp {
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "reduce_sum",
            ReduceOp::Prod => "reduce_prod",
            ReduceOp::Max => "reduce_max",
            ReduceOp::Min => "reduce_min",
            ReduceOp::And => "reduce_and",
            ReduceOp::Or => "reduce_or",
        }
    }
}

impl ArgOp {
    pub fn name(self) -> &'static str {
        match self {
            ArgOp::Max => "argmax",
            ArgOp::Min => "argmin",
        }
    }
}

// ---------------------------------------------------------------- type rules

fn operand<'a>(name: &str, inputs: &'a [TensorType]) -> RuleResult<&'a TensorType> {
    expect_arity(name, inputs, 1)?;
    inputs
        .first()
        .ok_or_else(|| format!("{} takes 1 operand", name).into())
}

/// Checks that `axes` are sorted, distinct and within the rank of `x`.
fn check_axes(name: &str, axes: &[usize], x: &TensorType) -> RuleResult<()> {
    if let Some(&a) = axes.iter().find(|&&a| a >= x.rank()) {
        return Err(format!("{}: axis {} is out of range for {}", name, a, x).into());
    }
    if axes.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!("{}: axes {:?} must be sorted and distinct", name, axes).into());
    }
    Ok(())
}

/// `shape` without the dims in `axes`.
fn drop_axes(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    let kept = shape.iter().enumerate().filter(|(k, _)| !axes.contains(k));
    kept.map(|(_, &d)| d).collect()
}

pub fn infer_reduce(
    op: ReduceOp,
    axes: &[usize],
    inputs: &[TensorType],
) -> RuleResult<Vec<TensorType>> {
    let name = op.name();
    let x = operand(name, inputs)?;
    let (ok, what) = match op {
        ReduceOp::Sum | ReduceOp::Prod => (!x.dtype.is_bool(), "a numeric"),
        ReduceOp::Max | ReduceOp::Min => (
            x.dtype.is_int() || x.dtype.is_float(),
            "an integer or float",
        ),
        ReduceOp::And | ReduceOp::Or => (x.dtype.is_bool(), "a bool"),
    };
    if !ok {
        return Err(format!("{}: expected {} operand, got {}", name, what, x).into());
    }
    check_axes(name, axes, x)?;
    Ok(vec![TensorType::new(x.dtype, drop_axes(&x.shape, axes))])
}

pub fn infer_arg_reduce(
    op: ArgOp,
    axis: usize,
    inputs: &[TensorType],
) -> RuleResult<Vec<TensorType>> {
    let name = op.name();
    let x = operand(name, inputs)?;
    if x.dtype.is_complex() {
        return Err(format!(
            "{}: expected a bool, integer or float operand, got {}",
            name, x
        )
        .into());
    }
    check_axes(name, &[axis], x)?;
    match x.shape.get(axis) {
        Some(0) => Err(format!("{}: axis {} of {} is empty", name, axis, x).into()),
        Some(&n) if n > i32::MAX as usize => Err(format!(
            "{}: axis {} of {} is too long for i32 indices",
            name, axis, x
        )
        .into()),
        _ => Ok(vec![TensorType::new(
            DType::I32,
            drop_axes(&x.shape, &[axis]),
        )]),
    }
}

// ---------------------------------------------------------------- kernels

/// Where the elements of one reduction live: output element `j` folds
/// `src[outer[j] + i]` for `i` in `inner`, in row-major order.
struct Plan {
    outer: Vec<usize>,
    inner: Vec<usize>,
}

impl Plan {
    fn new(shape: &[usize], axes: &[usize]) -> Plan {
        let strides = kernels::strides(shape);
        let table = |k: usize| kernels::axis_table(0, 1, shape[k], strides[k]);
        let (reduced, kept): (Vec<usize>, Vec<usize>) =
            (0..shape.len()).partition(|k| axes.contains(k));
        Plan {
            outer: kernels::offsets(&kept.into_iter().map(table).collect::<Vec<_>>()),
            inner: kernels::offsets(&reduced.into_iter().map(table).collect::<Vec<_>>()),
        }
    }

    /// Folds each group with `step` from `init`, then maps the accumulator by `finish`.
    fn fold<T: Copy, A: Copy, R>(
        &self,
        src: &[T],
        init: A,
        step: impl Fn(A, T) -> A,
        finish: impl Fn(A) -> R,
    ) -> RuleResult<Vec<R>> {
        let mut out = Vec::with_capacity(self.outer.len());
        // Reducing trailing axes reads each group as one slice.
        let inner = &self.inner;
        let run = inner
            .first()
            .filter(|_| inner.windows(2).all(|w| w[1] == w[0] + 1));
        for &o in &self.outer {
            let acc = match run {
                Some(&first) => {
                    let (a, b) = (o + first, o + first + inner.len());
                    let group = src.get(a..b).ok_or_else(|| out_of_range(b))?;
                    group.iter().fold(init, |acc, &x| step(acc, x))
                }
                None => inner.iter().try_fold(init, |acc, &i| {
                    let x = *src.get(o + i).ok_or_else(|| out_of_range(o + i))?;
                    Ok::<A, String>(step(acc, x))
                })?,
            };
            out.push(finish(acc));
        }
        Ok(out)
    }
}

fn out_of_range(i: usize) -> PrimError {
    PrimError::internal(format!("reduction offset {} out of range", i))
}

fn single(ty: Vec<TensorType>, data: Data) -> RuleResult<Vec<Tensor>> {
    let ty = ty
        .into_iter()
        .next()
        .ok_or_else(|| PrimError::internal("no output type"))?;
    Ok(vec![kernels::tensor(ty.shape, data)?])
}

pub fn eval_reduce(op: ReduceOp, axes: &[usize], inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let types: Vec<TensorType> = inputs.iter().map(Tensor::ty).collect();
    let out = infer_reduce(op, axes, &types)?;
    let x = inputs
        .first()
        .ok_or_else(|| PrimError::internal("no operand"))?;
    let plan = Plan::new(x.shape(), axes);
    let data = match x.data() {
        Data::F32(v) => Data::F32(float_reduce(op, &plan, v)?),
        Data::F64(v) => Data::F64(float_reduce(op, &plan, v)?),
        Data::I32(v) => Data::I32(int_reduce(op, &plan, v)?),
        Data::I64(v) => Data::I64(int_reduce(op, &plan, v)?),
        Data::U32(v) => Data::U32(int_reduce(op, &plan, v)?),
        Data::C64(v) => Data::C64(complex_reduce(op, &plan, v)?),
        Data::C128(v) => Data::C128(complex_reduce(op, &plan, v)?),
        Data::Bool(v) => Data::Bool(bool_reduce(op, &plan, v)?),
    };
    single(out, data)
}

fn no_kernel(op: ReduceOp, d: DType) -> PrimError {
    PrimError::internal(format!("{} has no kernel for {}", op.name(), d))
}

/// NaN-propagating max (`pick_later(a, x) = x > a`) or min (`x < a`).
fn nan_extreme<T: Float>(pick_later: fn(&T, &T) -> bool) -> impl Fn(T, T) -> T {
    move |a: T, x: T| {
        if a.is_nan() || !(x.is_nan() || pick_later(&x, &a)) {
            a
        } else {
            x
        }
    }
}

fn float_reduce<T: Float>(op: ReduceOp, plan: &Plan, v: &[T]) -> RuleResult<Vec<T>> {
    let id = |a: T| a;
    match op {
        ReduceOp::Sum => plan.fold(v, 0.0, |a, x: T| a + x.to_f64(), T::from_f64),
        ReduceOp::Prod => plan.fold(v, 1.0, |a, x: T| a * x.to_f64(), T::from_f64),
        ReduceOp::Max => plan.fold(v, T::NEG_INFINITY, nan_extreme(PartialOrd::gt), id),
        ReduceOp::Min => plan.fold(v, T::INFINITY, nan_extreme(PartialOrd::lt), id),
        ReduceOp::And | ReduceOp::Or => Err(no_kernel(op, DType::F64)),
    }
}

fn int_reduce<T: Int>(op: ReduceOp, plan: &Plan, v: &[T]) -> RuleResult<Vec<T>> {
    let id = |a: T| a;
    match op {
        ReduceOp::Sum => plan.fold(v, T::ZERO, T::wadd, id),
        ReduceOp::Prod => plan.fold(v, T::ONE, T::wmul, id),
        ReduceOp::Max => plan.fold(v, T::MIN, Ord::max, id),
        ReduceOp::Min => plan.fold(v, T::MAX, Ord::min, id),
        ReduceOp::And | ReduceOp::Or => Err(no_kernel(op, DType::I64)),
    }
}

fn complex_reduce<T: kernels::Complex>(op: ReduceOp, plan: &Plan, v: &[T]) -> RuleResult<Vec<T>> {
    let zero = num_complex::Complex::new(0.0, 0.0);
    let one = num_complex::Complex::new(1.0, 0.0);
    match op {
        ReduceOp::Sum => plan.fold(v, zero, |a, z: T| a + z.widen(), T::narrow),
        ReduceOp::Prod => plan.fold(v, one, |a, z: T| a * z.widen(), T::narrow),
        ReduceOp::Max | ReduceOp::Min | ReduceOp::And | ReduceOp::Or => {
            Err(no_kernel(op, T::DTYPE))
        }
    }
}

fn bool_reduce(op: ReduceOp, plan: &Plan, v: &[bool]) -> RuleResult<Vec<bool>> {
    let id = |a: bool| a;
    match op {
        ReduceOp::And => plan.fold(v, true, |a, x| a & x, id),
        ReduceOp::Or => plan.fold(v, false, |a, x| a | x, id),
        ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Max | ReduceOp::Min => {
            Err(no_kernel(op, DType::Bool))
        }
    }
}

pub fn eval_arg_reduce(op: ArgOp, axis: usize, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    let types: Vec<TensorType> = inputs.iter().map(Tensor::ty).collect();
    let out = infer_arg_reduce(op, axis, &types)?;
    let x = inputs
        .first()
        .ok_or_else(|| PrimError::internal("no operand"))?;
    let plan = Plan::new(x.shape(), &[axis]);
    let indices = match x.data() {
        Data::F32(v) => arg_float(op, &plan, v)?,
        Data::F64(v) => arg_float(op, &plan, v)?,
        Data::I32(v) => arg_ord(op, &plan, v)?,
        Data::I64(v) => arg_ord(op, &plan, v)?,
        Data::U32(v) => arg_ord(op, &plan, v)?,
        Data::Bool(v) => arg_ord(op, &plan, v)?,
        Data::C64(_) | Data::C128(_) => {
            return Err(PrimError::internal(format!(
                "{} has no kernel for {}",
                op.name(),
                x.dtype()
            )))
        }
    };
    single(out, Data::I32(indices))
}

/// The index of the first element along the axis that no later one beats.
fn arg_by<T: Copy>(plan: &Plan, v: &[T], beats: impl Fn(T, T) -> bool) -> RuleResult<Vec<i32>> {
    let mut out = Vec::with_capacity(plan.outer.len());
    for &o in &plan.outer {
        let mut best: Option<(T, usize)> = None;
        for (j, &i) in plan.inner.iter().enumerate() {
            let x = *v.get(o + i).ok_or_else(|| out_of_range(o + i))?;
            match best {
                Some((b, _)) if !beats(x, b) => {}
                _ => best = Some((x, j)),
            }
        }
        out.push(best.map_or(0, |(_, j)| j as i32));
    }
    Ok(out)
}

fn arg_float<T: Float>(op: ArgOp, plan: &Plan, v: &[T]) -> RuleResult<Vec<i32>> {
    // Once a NaN is the best nothing beats it; a NaN beats any number.
    match op {
        ArgOp::Max => arg_by(plan, v, |x: T, b: T| !b.is_nan() && (x.is_nan() || x > b)),
        ArgOp::Min => arg_by(plan, v, |x: T, b: T| !b.is_nan() && (x.is_nan() || x < b)),
    }
}

fn arg_ord<T: Copy + Ord>(op: ArgOp, plan: &Plan, v: &[T]) -> RuleResult<Vec<i32>> {
    match op {
        ArgOp::Max => arg_by(plan, v, |x: T, b: T| x > b),
        ArgOp::Min => arg_by(plan, v, |x: T, b: T| x < b),
    }
}

// ---------------------------------------------------------------- lowering

/// The combining op of a reduction, and its identity (the kernel's result
/// for no elements): `-inf` / the integer minimum for `max`, and so on.
fn reducer(op: ReduceOp, d: DType) -> (&'static str, f64) {
    let (lowest, highest) = match d {
        DType::I32 => (i32::MIN as f64, i32::MAX as f64),
        // i64::MAX as f64 is 2^63, which `scalar_of` saturates back to MAX.
        DType::I64 => (i64::MIN as f64, i64::MAX as f64),
        DType::U32 => (0.0, u32::MAX as f64),
        DType::Bool => (0.0, 1.0),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    };
    match op {
        ReduceOp::Sum => ("stablehlo.add", 0.0),
        ReduceOp::Prod => ("stablehlo.multiply", 1.0),
        ReduceOp::Max => ("stablehlo.maximum", lowest),
        ReduceOp::Min => ("stablehlo.minimum", highest),
        ReduceOp::And => ("stablehlo.and", 1.0),
        ReduceOp::Or => ("stablehlo.or", 0.0),
    }
}

/// `stablehlo.reduce` with the combining op (`max`/`min` of floats as
/// [`lower_extreme`], so that NaN propagates). XLA accumulates `f32` sums in
/// `f32` (as `jax` does), where the kernel accumulates in `f64`: sums agree
/// to rounding, not bit for bit.
pub fn lower_reduce(
    op: ReduceOp,
    axes: &[usize],
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [x] = operands(op.name(), inputs)?;
    let (name, id) = reducer(op, x.ty.dtype);
    let init = em.splat(&TensorType::scalar(x.ty.dtype), id)?;
    em.reduce(&[x], &[&init], axes, outs, &mut |em, a, b| {
        Ok(vec![match op {
            ReduceOp::Max => lower_extreme("GE", em, &a[0], &b[0]),
            ReduceOp::Min => lower_extreme("LE", em, &a[0], &b[0]),
            _ => em.elementwise(name, &[&a[0], &b[0]], &a[0].ty),
        }])
    })
}

/// A variadic `stablehlo.reduce` over `(value, index)` pairs along `axis`
/// whose combiner keeps the better pair, which makes it associative and
/// commutative, as XLA requires (it may combine in any order):
///
/// * if either value is NaN, the NaN wins, the lower index among two NaNs;
/// * otherwise the greater (for argmin, lesser) value wins, the lower index
///   on a tie.
///
/// The init `(-inf, 0)` (`(+inf, 0)` for argmin; the integer extremes)
/// never beats an element, so the result is the kernel's first extreme.
pub fn lower_arg_reduce(
    op: ArgOp,
    axis: usize,
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [x] = operands(op.name(), inputs)?;
    let index_ty = result(op.name(), outs)?.clone();
    let scalar = TensorType::scalar(x.ty.dtype);
    let (dir, init) = match op {
        ArgOp::Max => ("GT", reducer(ReduceOp::Max, x.ty.dtype).1),
        ArgOp::Min => ("LT", reducer(ReduceOp::Min, x.ty.dtype).1),
    };
    let iota = em.iota(&x.ty.shape, axis, DType::I32);
    let init_v = em.splat(&scalar, init)?;
    let init_i = em.splat(&TensorType::scalar(DType::I32), 0.0)?;
    let outs = [
        TensorType::new(x.ty.dtype, index_ty.shape.clone()),
        index_ty,
    ];
    let float = x.ty.dtype.is_float();
    let mut combine =
        |em: &mut Emitter, a: &[Value], b: &[Value]| arg_combine(em, dir, float, a, b);
    let r = em.reduce(
        &[x, &iota],
        &[&init_v, &init_i],
        &[axis],
        &outs,
        &mut combine,
    )?;
    Ok(r.into_iter().skip(1).collect())
}

/// The better of the pairs `a = (va, ia)` and `b = (vb, ib)`; see
/// [`lower_arg_reduce`].
fn arg_combine(
    em: &mut Emitter,
    dir: &str,
    float: bool,
    a: &[Value],
    b: &[Value],
) -> RuleResult<Vec<Value>> {
    let ([va, ia], [vb, ib]) = (a, b) else {
        return Err(PrimError::internal("argmax combines two pairs"));
    };
    let first = em.compare("LT", ia, ib);
    // Numbers: a wins if it is better, or equal and first.
    let better = em.compare(dir, va, vb);
    let equal = em.compare("EQ", va, vb);
    let tie = em.elementwise("stablehlo.and", &[&equal, &first], &first.ty);
    let mut take_a = em.elementwise("stablehlo.or", &[&better, &tie], &first.ty);
    if float {
        // Some NaN: a wins if it is NaN and (b is not, or a comes first).
        let a_nan = em.compare("NE", va, va);
        let b_nan = em.compare("NE", vb, vb);
        let b_num = em.elementwise("stablehlo.not", &[&b_nan], &b_nan.ty);
        let a_nan_wins = em.elementwise("stablehlo.or", &[&b_num, &first], &first.ty);
        let nan_case = em.elementwise("stablehlo.and", &[&a_nan, &a_nan_wins], &first.ty);
        let any_nan = em.elementwise("stablehlo.or", &[&a_nan, &b_nan], &first.ty);
        take_a = em.select(&any_nan, &nan_case, &take_a);
    }
    Ok(vec![em.select(&take_a, va, vb), em.select(&take_a, ia, ib)])
}

// ---- JVP rules ----

/// Sums and products are differentiated exactly (zeros included); `max` and
/// `min` take the mean tangent of the elements equal to the extreme (ties
/// share, as in JAX); `and`/`or` have no tangent. Reducing over no axes is
/// the identity.
pub fn jvp_reduce(
    op: ReduceOp,
    axes: &[usize],
    b: &mut Builder,
    primals: &[Atom],
    outs: &[Atom],
    tangents: &[Option<Atom>],
) -> crate::prims::JvpResult {
    let missing = || PrimError::internal("reduce needs an operand and a result");
    let (x, y) = (
        primals.first().ok_or_else(missing)?,
        outs.first().ok_or_else(missing)?,
    );
    let t = match tangents.first() {
        Some(Some(t)) if y.ty().dtype.is_inexact() => t,
        _ => return Ok(vec![None]),
    };
    if axes.is_empty() {
        return Ok(vec![Some(t.clone())]);
    }
    let dt = match op {
        ReduceOp::Sum => b.reduce_sum(t, axes)?,
        ReduceOp::Prod => prod_tangent(b, axes, x, t)?,
        ReduceOp::Max | ReduceOp::Min => extreme_tangent(b, axes, x, y, t)?,
        ReduceOp::And | ReduceOp::Or => return Ok(vec![None]),
    };
    Ok(vec![Some(dt)])
}

/// `d prod(x) = sum_i t_i prod_(j != i) x_j`, computed with `n` the number
/// of zeros along the axes and `p` the product of the nonzero elements:
/// `n = 0` gives `p sum(t / x)`; `n = 1` gives `p t_k` for the zero `x_k`;
/// `n >= 2` gives 0 (every partial product has a zero factor).
fn prod_tangent(b: &mut Builder, axes: &[usize], x: &Atom, t: &Atom) -> RuleResult<Atom> {
    let d = x.ty().dtype;
    let (zero, one) = (b.scalar(d, 0.0), b.scalar(d, 1.0));
    let is_zero = b.compare(Cmp::Eq, x, &zero)?;
    let safe_x = b.select(&is_zero, &one, x)?;
    let prod = Prim::new(Reduce {
        op: ReduceOp::Prod,
        axes: axes.to_vec(),
    });
    let p = b.apply1(prod, std::slice::from_ref(&safe_x))?;
    let ones = b.broadcast_scalar(&one, &x.ty().shape)?;
    let zero_mask = b.select(&is_zero, &ones, &zero)?;
    let n = b.reduce_sum(&zero_mask, axes)?;
    let ratio = b.div(t, &safe_x)?;
    let ratio = b.select(&is_zero, &zero, &ratio)?;
    let no_zero = b.reduce_sum(&ratio, axes)?;
    let at_zero = b.select(&is_zero, t, &zero)?;
    let one_zero = b.reduce_sum(&at_zero, axes)?;
    let n_is_1 = b.compare(Cmp::Eq, &n, &one)?;
    let s = b.select(&n_is_1, &one_zero, &zero)?;
    let n_is_0 = b.compare(Cmp::Eq, &n, &zero)?;
    let s = b.select(&n_is_0, &no_zero, &s)?;
    b.mul(&p, &s)
}

/// The tangent of `y = max(x)` (or `min`): `sum(t m) / max(sum(m), 1)` with
/// `m = (x == y)` broadcast back over the axes: the mean tangent of the
/// elements that attain the extreme. Where no element does (a NaN result,
/// or an empty axis) the tangent is 0.
fn extreme_tangent(
    b: &mut Builder,
    axes: &[usize],
    x: &Atom,
    y: &Atom,
    t: &Atom,
) -> RuleResult<Atom> {
    let ty = x.ty();
    let kept: Vec<usize> = (0..ty.rank()).filter(|k| !axes.contains(k)).collect();
    let y_full = b.broadcast(y, &ty.shape, &kept)?;
    let hit = b.compare(Cmp::Eq, x, &y_full)?;
    let (zero, one) = (b.scalar(ty.dtype, 0.0), b.scalar(ty.dtype, 1.0));
    let ones = b.broadcast_scalar(&one, &ty.shape)?;
    let mask = b.select(&hit, &ones, &zero)?;
    let count = b.reduce_sum(&mask, axes)?;
    let count = b.binary(BinaryOp::Max, &count, &one)?;
    let picked = b.select(&hit, t, &zero)?;
    let sum = b.reduce_sum(&picked, axes)?;
    b.div(&sum, &count)
}

// ---- transpose rules ----

/// The transpose of a sum is a broadcast: the cotangent of each input
/// element is that of the sum it went into, so the output cotangent is
/// broadcast back over the reduced axes (the kept axes map to the output's
/// in order). The other reductions are not linear.
pub fn transpose_reduce(
    op: ReduceOp,
    axes: &[usize],
    b: &mut Builder,
    inputs: &[Atom],
    cts: &[Option<Atom>],
) -> crate::prims::JvpResult {
    if op != ReduceOp::Sum {
        return Err(format!("{} is not linear", op.name()));
    }
    let x = inputs
        .first()
        .ok_or_else(|| PrimError::internal("no operand"))?;
    let Some(ct) = cts.first().and_then(Option::as_ref) else {
        return Ok(vec![None]);
    };
    let shape = x.ty().shape;
    let kept: Vec<usize> = (0..shape.len()).filter(|a| !axes.contains(a)).collect();
    Ok(vec![Some(b.broadcast(ct, &shape, &kept)?)])
}

// ---- batching rules: in `reduce/batch.rs` ----

mod batch;
pub use batch::{batch_arg_reduce, batch_reduce};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::C64;

    fn t(shape: &[usize], data: Data) -> Tensor {
        Tensor::new(shape.to_vec(), data).expect("test tensor")
    }
    fn red(op: ReduceOp, axes: &[usize], x: Tensor) -> Tensor {
        let mut out = eval_reduce(op, axes, &[x]).expect("reduce");
        out.pop().expect("one output")
    }
    fn arg(op: ArgOp, axis: usize, x: Tensor) -> Tensor {
        let mut out = eval_arg_reduce(op, axis, &[x]).expect("arg reduce");
        out.pop().expect("one output")
    }
    fn ty(d: DType, shape: &[usize]) -> TensorType {
        TensorType::new(d, shape.to_vec())
    }
    /// [[1, 2, 3], [4, 5, 6]] as `f32[2, 3]`.
    fn m23() -> Tensor {
        t(&[2, 3], Data::F32(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    }

    #[test]
    fn sums_over_each_axis_set() {
        let s = red(ReduceOp::Sum, &[0], m23());
        assert_eq!(
            (s.shape(), s.data()),
            (&[3][..], &Data::F32(vec![5.0, 7.0, 9.0]))
        );
        let s = red(ReduceOp::Sum, &[1], m23());
        assert_eq!(
            (s.shape(), s.data()),
            (&[2][..], &Data::F32(vec![6.0, 15.0]))
        );
        let s = red(ReduceOp::Sum, &[0, 1], m23());
        assert_eq!((s.shape(), s.data()), (&[][..], &Data::F32(vec![21.0])));
        assert_eq!(red(ReduceOp::Sum, &[], m23()), m23());
        // [2, 3, 2] over axes 0 and 2: element (i, j, k) = 6i + 2j + k
        let x = t(&[2, 3, 2], Data::I32((0..12).collect()));
        let s = red(ReduceOp::Sum, &[0, 2], x);
        // j: sum over i, k of (6i + 2j + k) = 4·2j + (0+6)·2 + (0+1)·2 = 8j + 14
        assert_eq!(s.data(), &Data::I32(vec![14, 22, 30]));
    }

    #[test]
    fn float_sums_accumulate_in_f64() {
        // in f32, 1e8 + 1 + ... + 1 would stay 1e8; in f64 the ones add up to 16
        let mut v = vec![1e8f32];
        v.extend([1.0f32; 16]);
        let s = red(ReduceOp::Sum, &[0], t(&[17], Data::F32(v)));
        assert_eq!(s.data(), &Data::F32(vec![100_000_016.0]));
    }

    #[test]
    fn products_extremes_and_logic() {
        let p = red(ReduceOp::Prod, &[1], m23());
        assert_eq!(p.data(), &Data::F32(vec![6.0, 120.0]));
        let p = red(ReduceOp::Prod, &[0], t(&[2], Data::I32(vec![65536, 65536])));
        assert_eq!(p.data(), &Data::I32(vec![0]), "2^32 wraps to 0");
        let s = red(ReduceOp::Sum, &[0], t(&[2], Data::U32(vec![u32::MAX, 2])));
        assert_eq!(s.data(), &Data::U32(vec![1]));
        let m = red(ReduceOp::Max, &[0], m23());
        assert_eq!(m.data(), &Data::F32(vec![4.0, 5.0, 6.0]));
        let m = red(
            ReduceOp::Min,
            &[1],
            t(&[2, 2], Data::I64(vec![3, -9, 7, 8])),
        );
        assert_eq!(m.data(), &Data::I64(vec![-9, 7]));
        let b = t(&[2, 2], Data::Bool(vec![true, false, true, true]));
        assert_eq!(
            red(ReduceOp::And, &[1], b.clone()).data(),
            &Data::Bool(vec![false, true])
        );
        assert_eq!(
            red(ReduceOp::Or, &[0], b).data(),
            &Data::Bool(vec![true, true])
        );
    }

    #[test]
    fn max_min_propagate_nan() {
        let x = t(&[2, 2], Data::F64(vec![f64::NAN, 1.0, 2.0, f64::NAN]));
        for op in [ReduceOp::Max, ReduceOp::Min] {
            let r = red(op, &[1], x.clone());
            assert!(matches!(r.data(), Data::F64(v) if v.iter().all(|x| x.is_nan())));
        }
    }

    #[test]
    fn empty_reductions_give_identities() {
        let e = || t(&[2, 0], Data::F32(vec![]));
        assert_eq!(
            red(ReduceOp::Sum, &[1], e()).data(),
            &Data::F32(vec![0.0, 0.0])
        );
        assert_eq!(
            red(ReduceOp::Prod, &[1], e()).data(),
            &Data::F32(vec![1.0, 1.0])
        );
        let max = red(ReduceOp::Max, &[1], e());
        assert_eq!(max.data(), &Data::F32(vec![f32::NEG_INFINITY; 2]));
        assert_eq!(
            red(ReduceOp::Min, &[1], e()).data(),
            &Data::F32(vec![f32::INFINITY; 2])
        );
        let ie = t(&[0], Data::I32(vec![]));
        assert_eq!(
            red(ReduceOp::Max, &[0], ie.clone()).data(),
            &Data::I32(vec![i32::MIN])
        );
        assert_eq!(
            red(ReduceOp::Min, &[0], ie).data(),
            &Data::I32(vec![i32::MAX])
        );
        let be = t(&[0], Data::Bool(vec![]));
        assert_eq!(
            red(ReduceOp::And, &[0], be.clone()).data(),
            &Data::Bool(vec![true])
        );
        assert_eq!(red(ReduceOp::Or, &[0], be).data(), &Data::Bool(vec![false]));
        // reducing a kept empty axis gives an empty result
        assert_eq!(red(ReduceOp::Sum, &[0], e()).shape(), &[0]);
    }

    #[test]
    fn complex_sum_and_prod() {
        let z = t(
            &[2],
            Data::C64(vec![C64::new(1.0, 2.0), C64::new(3.0, -1.0)]),
        );
        let s = red(ReduceOp::Sum, &[0], z.clone());
        assert_eq!(s.data(), &Data::C64(vec![C64::new(4.0, 1.0)]));
        // (1+2i)(3-i) = 5+5i
        let p = red(ReduceOp::Prod, &[0], z);
        assert_eq!(p.data(), &Data::C64(vec![C64::new(5.0, 5.0)]));
    }

    #[test]
    fn reduce_rules() {
        let x = ty(DType::F32, &[2, 3, 4]);
        let ok = infer_reduce(ReduceOp::Sum, &[0, 2], std::slice::from_ref(&x));
        assert_eq!(ok, Ok(vec![ty(DType::F32, &[3])]));
        let err = |op, axes: &[usize], x: &TensorType| {
            infer_reduce(op, axes, std::slice::from_ref(x))
                .expect_err("must fail")
                .to_string()
        };
        assert_eq!(
            err(ReduceOp::Sum, &[3], &x),
            "reduce_sum: axis 3 is out of range for f32[2, 3, 4]"
        );
        assert_eq!(
            err(ReduceOp::Sum, &[1, 0], &x),
            "reduce_sum: axes [1, 0] must be sorted and distinct"
        );
        assert_eq!(
            err(ReduceOp::Max, &[1, 1], &x),
            "reduce_max: axes [1, 1] must be sorted and distinct"
        );
        let b = ty(DType::Bool, &[2]);
        assert_eq!(
            err(ReduceOp::Sum, &[0], &b),
            "reduce_sum: expected a numeric operand, got bool[2]"
        );
        assert_eq!(
            err(ReduceOp::And, &[0], &x),
            "reduce_and: expected a bool operand, got f32[2, 3, 4]"
        );
        let c = ty(DType::C64, &[2]);
        assert_eq!(
            err(ReduceOp::Min, &[0], &c),
            "reduce_min: expected an integer or float operand, got c64[2]"
        );
        assert!(infer_reduce(ReduceOp::Sum, &[], &[]).is_err());
        assert!(eval_reduce(ReduceOp::Sum, &[2], &[m23()]).is_err());
    }

    #[test]
    fn argmax_argmin() {
        let x = t(&[2, 3], Data::F32(vec![1.0, 5.0, 5.0, 7.0, -1.0, 7.0]));
        let a = arg(ArgOp::Max, 1, x.clone());
        assert_eq!((a.shape(), a.data()), (&[2][..], &Data::I32(vec![1, 0])));
        assert_eq!(arg(ArgOp::Min, 1, x.clone()).data(), &Data::I32(vec![0, 1]));
        assert_eq!(arg(ArgOp::Max, 0, x).data(), &Data::I32(vec![1, 0, 1]));
        let n = t(&[4], Data::F64(vec![1.0, f64::NAN, 9.0, f64::NAN]));
        assert_eq!(arg(ArgOp::Max, 0, n.clone()).data(), &Data::I32(vec![1]));
        assert_eq!(arg(ArgOp::Min, 0, n).data(), &Data::I32(vec![1]));
        let i = t(&[3], Data::U32(vec![4, 9, 1]));
        assert_eq!(arg(ArgOp::Max, 0, i.clone()).data(), &Data::I32(vec![1]));
        assert_eq!(arg(ArgOp::Min, 0, i).data(), &Data::I32(vec![2]));
        let j = t(&[3], Data::I64(vec![-2, -2, -5]));
        assert_eq!(arg(ArgOp::Max, 0, j).data(), &Data::I32(vec![0]));
        // bool: false < true, the first extreme wins (numpy)
        let b = t(
            &[2, 3],
            Data::Bool(vec![false, true, true, false, false, false]),
        );
        assert_eq!(arg(ArgOp::Max, 1, b.clone()).data(), &Data::I32(vec![1, 0]));
        assert_eq!(arg(ArgOp::Min, 1, b.clone()).data(), &Data::I32(vec![0, 0]));
        assert_eq!(arg(ArgOp::Max, 0, b).data(), &Data::I32(vec![0, 0, 0]));
    }

    #[test]
    fn arg_reduce_rules() {
        let ok = infer_arg_reduce(ArgOp::Max, 0, &[ty(DType::I32, &[4, 2])]);
        assert_eq!(ok, Ok(vec![ty(DType::I32, &[2])]));
        let err = |axis, x: TensorType| {
            infer_arg_reduce(ArgOp::Min, axis, &[x])
                .expect_err("must fail")
                .to_string()
        };
        let b = infer_arg_reduce(ArgOp::Min, 0, &[ty(DType::Bool, &[2, 3])]);
        assert_eq!(b, Ok(vec![ty(DType::I32, &[3])]));
        assert_eq!(
            err(0, ty(DType::C64, &[2])),
            "argmin: expected a bool, integer or float operand, got c64[2]"
        );
        assert_eq!(
            err(0, ty(DType::C128, &[2])),
            "argmin: expected a bool, integer or float operand, got c128[2]"
        );
        assert_eq!(
            err(1, ty(DType::F32, &[2])),
            "argmin: axis 1 is out of range for f32[2]"
        );
        assert_eq!(
            err(1, ty(DType::F32, &[2, 0])),
            "argmin: axis 1 of f32[2, 0] is empty"
        );
        assert!(infer_arg_reduce(ArgOp::Max, 0, &[]).is_err());
    }
}

mod rules;
pub use rules::*;
