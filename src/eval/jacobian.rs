//! `jacobian(f, wrt)` and `hessian(f, wrt)`: dense derivatives, for small
//! problems.
//!
//! The Jacobian is reverse mode batched over a basis: the pullback of
//! `f(args)` is mapped (`vmap`) over the rows of an identity, one row per
//! element of the result, which gives every row of the Jacobian in one
//! program. The Hessian is the Jacobian of the gradient.
//!
//! As in JAX, the Jacobian of a result leaf of shape `s` with respect to an
//! argument leaf of shape `t` has shape `s + t`; trees nest: the result's
//! structure, each leaf replaced by the argument's structure.

use super::exec::Evaluator;
use super::ops;
use super::tree::{flatten, graft, unflatten};
use super::value::{Arr, Func, Value};
use super::vmap::Axes;
use crate::diag::{Diagnostic, Result};
use crate::prims::Prim;
use crate::prims::{Convert, Slice};
use crate::span::Span;
use crate::tensor::Tensor;
use std::rc::Rc;

impl Evaluator {
    /// Calls a function made by `jacobian(f, wrt)`: for each argument
    /// position in `wrt` (a tuple of them when `tuple`), the Jacobian of
    /// `f(args)` with respect to it.
    pub fn jacobian_call(
        &mut self,
        f: &Value,
        wrt: &[usize],
        tuple: bool,
        args: Vec<Value>,
        span: Span,
    ) -> Result<Value> {
        super::transform::check_wrt(wrt, args.len(), span)?;
        let (y, pb) = self.vjp_value(f, args, Some(wrt), false, span)?;
        let (outs, out_def) = flatten(&y);
        if let Some(o) = outs.iter().find(|o| !o.dtype().is_inexact()) {
            return Err(Diagnostic::at(
                span,
                format!(
                    "`jacobian` needs a function with float results, got {}",
                    o.ty()
                ),
            ));
        }
        let basis = basis_rows(&outs, span)?;
        let pullback = Value::Func(Rc::new(Func::Pullback(pb)));
        let basis = unflatten(&out_def, &mut basis.into_iter())?;
        let all = Axes::All(Some(0));
        let rows = self.vmap_call(&pullback, &all, &all, vec![basis], span)?;
        let Value::Tuple(per_arg) = rows else {
            return Err(Diagnostic::internal("a pullback did not give a tuple"));
        };
        let mut jacobians = vec![];
        for &w in wrt {
            let arg_rows = per_arg
                .get(w)
                .ok_or_else(|| Diagnostic::internal("no cotangent"))?;
            jacobians.push(self.split_rows(&outs, &out_def, arg_rows, span)?);
        }
        Ok(match tuple {
            true => Value::Tuple(Rc::new(jacobians)),
            false => jacobians.into_iter().next().unwrap_or(Value::unit()),
        })
    }

    /// From the rows `[m, *t]` of each argument leaf (one row per element of
    /// the result, all result leaves one after the other), the Jacobian
    /// tree: for result leaf `k` of shape `s`, its rows reshaped to `s + t`.
    fn split_rows(
        &mut self,
        outs: &[Arr],
        out_def: &super::tree::TreeDef,
        rows: &Value,
        span: Span,
    ) -> Result<Value> {
        let (row_leaves, arg_def) = flatten(rows);
        let mut per_out = vec![];
        let mut start = 0;
        for o in outs {
            let n = o.ty().size();
            let mut leaves = vec![];
            for r in &row_leaves {
                let r = ops::materialize(r);
                let rest = &r.shape()[1..];
                let picked = self
                    .take_rows(&r, start, start + n)
                    .map_err(|d| d.or_span(span))?;
                let shape = [o.shape(), rest].concat();
                leaves.push(
                    ops::reshape(&mut self.tracer, &picked, &shape).map_err(|d| d.or_span(span))?,
                );
            }
            per_out.push(unflatten(&arg_def, &mut leaves.into_iter())?);
            start += n;
        }
        graft(out_def, &mut per_out.into_iter())
    }

    /// `r[a:b]` along the leading dim (`r` itself when that is all of it).
    fn take_rows(&mut self, r: &Arr, a: usize, b: usize) -> Result<Arr> {
        let shape = r.shape().to_vec();
        if a == 0 && b == shape[0] {
            return Ok(r.clone());
        }
        let mut start = vec![0; shape.len()];
        let mut limit = shape.clone();
        start[0] = a;
        limit[0] = b;
        let stride = vec![1; shape.len()];
        ops::apply1(
            &mut self.tracer,
            Prim::new(Slice {
                start,
                limit,
                stride,
            }),
            std::slice::from_ref(r),
        )
    }
}

/// One basis cotangent per element of the result, batched along a leading
/// dim: the rows of an `m × m` identity (`m` elements in all), cut into
/// one `[m, *s_k]` array per result leaf of shape `s_k`, in its dtype.
fn basis_rows(outs: &[Arr], span: Span) -> Result<Vec<Arr>> {
    let m: usize = outs.iter().map(|o| o.ty().size()).sum();
    let mut start = 0;
    let mut basis = vec![];
    for o in outs {
        let ty = o.ty();
        let n = ty.size();
        let mut data = vec![0.0; m * n];
        for j in 0..n {
            data[(start + j) * n + j] = 1.0;
        }
        let mut shape = vec![m];
        shape.extend(&ty.shape);
        let t = Tensor::new(shape, crate::tensor::Data::F64(data))
            .ok_or_else(|| Diagnostic::internal("basis of the wrong size"))?;
        let t = (Prim::new(Convert(ty.dtype)).eval(&[t]).ok())
            .and_then(|mut ts| ts.pop())
            .ok_or_else(|| Diagnostic::internal("cannot convert the basis"))?;
        basis.push(Arr::new(t));
        start += n;
    }
    if m == 0 {
        return Err(Diagnostic::at(
            span,
            "`jacobian` of a function with an empty result",
        ));
    }
    Ok(basis)
}
