//! Indexing: `x[i]`, `x[i, j]`, `x[a:b:s]`, `x[:, 0]`, and `t[i]` on tuples.
//! Static indices become a `slice`; a traced index a `dynamic_slice`.

use super::exec::Evaluator;
use super::expr::tuple_item;
use super::module::Env;
use super::ops;
use super::value::{Arr, Value};
use crate::diag::{Diagnostic, Result};
use crate::prims::{BinaryOp, Cmp, Prim};
use crate::prims::{DynamicSlice, Slice};
use crate::span::Span;
use crate::syntax::ast::{Expr, IndexArg};
use crate::types::DType;

/// What indexing does to one dimension.
struct DimIndex {
    start: usize,
    limit: usize,
    stride: usize,
    /// A traced index into this dimension.
    dynamic: Option<Arr>,
    /// The dimension disappears (an integer index).
    squeeze: bool,
}

impl Evaluator {
    pub fn index_value(
        &mut self,
        env: &mut Env,
        v: &Value,
        idx: &[IndexArg],
        span: Span,
    ) -> Result<Value> {
        match v {
            Value::Arr(a) => Ok(Value::Arr(self.index_array(env, a, idx, span)?)),
            Value::Tuple(_) | Value::List(_) => match idx {
                [IndexArg::Single(e)] => {
                    let i = self.static_index(env, e)?;
                    tuple_item(v, i, e.span)
                }
                _ => Err(Diagnostic::at(span, "a tuple takes one integer index")),
            },
            other => Err(Diagnostic::at(
                span,
                format!("cannot index {}", other.describe()),
            )),
        }
    }

    fn static_index(&mut self, env: &mut Env, e: &Expr) -> Result<i64> {
        match self.eval_expr(env, e)? {
            Value::Arr(a) => a.static_int().ok_or_else(|| {
                Diagnostic::at(
                    e.span,
                    format!("expected a static integer index, got {}", a.ty()),
                )
            }),
            other => Err(Diagnostic::at(
                e.span,
                format!("expected an integer index, got {}", other.describe()),
            )),
        }
    }

    fn index_array(&mut self, env: &mut Env, a: &Arr, idx: &[IndexArg], span: Span) -> Result<Arr> {
        let shape = a.shape().to_vec();
        if idx.len() > shape.len() {
            return Err(Diagnostic::at(
                span,
                format!("too many indices ({}) for {}", idx.len(), a.ty()),
            ));
        }
        let mut dims: Vec<DimIndex> = shape
            .iter()
            .map(|&n| DimIndex {
                start: 0,
                limit: n,
                stride: 1,
                dynamic: None,
                squeeze: false,
            })
            .collect();
        for (d, arg) in idx.iter().enumerate() {
            dims[d] = self.dim_index(env, arg, shape[d], d)?;
        }
        let t = &mut self.tracer;
        let mut x = ops::materialize(a);
        let sliced = dims
            .iter()
            .zip(&shape)
            .any(|(di, &n)| di.start != 0 || di.limit != n || di.stride != 1);
        if sliced {
            let prim = Prim::new(Slice {
                start: dims.iter().map(|d| d.start).collect(),
                limit: dims.iter().map(|d| d.limit).collect(),
                stride: dims.iter().map(|d| d.stride).collect(),
            });
            x = ops::apply1(t, prim, &[x]).map_err(|e| e.or_span(span))?;
        }
        if dims.iter().any(|d| d.dynamic.is_some()) {
            x = dynamic_index(t, &x, &dims).map_err(|e| e.or_span(span))?;
        }
        let out: Vec<usize> = x
            .shape()
            .iter()
            .zip(&dims)
            .filter(|(_, d)| !d.squeeze)
            .map(|(n, _)| *n)
            .collect();
        ops::reshape(t, &x, &out).map_err(|e| e.or_span(span))
    }

    fn dim_index(&mut self, env: &mut Env, arg: &IndexArg, n: usize, d: usize) -> Result<DimIndex> {
        match arg {
            IndexArg::Single(e) => {
                let a = match self.eval_expr(env, e)? {
                    Value::Arr(a) if a.rank() == 0 && (a.dtype().is_int()) => a,
                    other => {
                        return Err(Diagnostic::at(
                            e.span,
                            format!(
                                "an index must be an integer scalar, got {}",
                                other.describe()
                            ),
                        )
                        .with_hint("use `where` to select with a mask, or a slice `a:b`"))
                    }
                };
                match a.static_int() {
                    Some(i) => {
                        let j = if i < 0 { i + n as i64 } else { i };
                        if j < 0 || j >= n as i64 {
                            return Err(Diagnostic::at(
                                e.span,
                                format!(
                                    "index {} is out of range for dimension {} of size {}",
                                    i, d, n
                                ),
                            ));
                        }
                        let j = j as usize;
                        Ok(DimIndex {
                            start: j,
                            limit: j + 1,
                            stride: 1,
                            dynamic: None,
                            squeeze: true,
                        })
                    }
                    None => Ok(DimIndex {
                        start: 0,
                        limit: n,
                        stride: 1,
                        dynamic: Some(a),
                        squeeze: true,
                    }),
                }
            }
            IndexArg::Slice {
                start,
                end,
                step,
                span,
            } => {
                let mut bound = |e: &Option<Expr>| -> Result<Option<i64>> {
                    match e {
                        Some(e) => Ok(Some(self.static_index(env, e)?)),
                        None => Ok(None),
                    }
                };
                let (s, e, st) = (bound(start)?, bound(end)?, bound(step)?);
                let stride = st.unwrap_or(1);
                if stride <= 0 {
                    return Err(Diagnostic::at(
                        *span,
                        format!("slice step must be positive, got {}", stride),
                    ));
                }
                let clamp = |v: i64| -> usize {
                    let v = if v < 0 { v + n as i64 } else { v };
                    v.clamp(0, n as i64) as usize
                };
                let lo = s.map_or(0, clamp);
                let hi = e.map_or(n, clamp).max(lo);
                Ok(DimIndex {
                    start: lo,
                    limit: hi,
                    stride: stride as usize,
                    dynamic: None,
                    squeeze: false,
                })
            }
        }
    }
}

/// `dynamic_slice` of size 1 at each traced index (negative ones count from the end).
fn dynamic_index(t: &mut super::tracer::Tracer, x: &Arr, dims: &[DimIndex]) -> Result<Arr> {
    let mut inputs = vec![x.clone()];
    let mut sizes = vec![];
    for (d, di) in dims.iter().enumerate() {
        let n = x.shape()[d];
        match &di.dynamic {
            Some(i) => {
                let i = ops::cast(t, i, DType::I32)?;
                let neg = ops::compare(t, Cmp::Lt, &i, &Arr::weak_int(0))?;
                let wrapped = ops::binary(t, BinaryOp::Add, &i, &Arr::weak_int(n as i64))?;
                inputs.push(ops::select(t, &neg, &wrapped, &i)?);
                sizes.push(1);
            }
            None => {
                inputs.push(ops::scalar(DType::I32, 0.0));
                sizes.push(n);
            }
        }
    }
    ops::apply1(t, Prim::new(DynamicSlice { sizes }), &inputs)
}
