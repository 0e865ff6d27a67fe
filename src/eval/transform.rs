//! The evaluator's side of transformations: tracing a function value into a
//! closed graph over the leaves of its arguments, transforming the graph,
//! and applying the result (run on the host, or inlined into a trace).

use super::exec::Evaluator;
use super::ops;
use super::tree::{flatten, same_structure, unflatten, TreeDef};
use super::value::{Arr, Value};
use crate::diag::{Diagnostic, Result};
use crate::ir::Graph;
use crate::span::Span;
use crate::transform::jvp::jvp_graph;
use std::rc::Rc;

/// A function traced on the leaves of its arguments.
pub struct Closed {
    /// Inputs: the enclosing trace's values it uses (`consts`), then the argument leaves.
    pub graph: Graph,
    pub consts: Vec<Arr>,
    /// The structure of the result.
    pub output: TreeDef,
}

impl Evaluator {
    /// Traces `f(args...)` into a closed graph.
    pub fn trace_closed(&mut self, f: &Value, args: &[Value], span: Span) -> Result<Closed> {
        let (leaves, def) = flatten(&Value::Tuple(Rc::new(args.to_vec())));
        self.tracer.begin();
        let traced = (|| {
            let ins = leaves
                .iter()
                .map(|a| self.tracer.input(ops::materialize(a).ty()))
                .collect::<Result<Vec<_>>>()?;
            let Value::Tuple(vals) = unflatten(&def, &mut ins.into_iter())? else {
                return Err(Diagnostic::internal("arguments lost their structure"));
            };
            let pos = vals.iter().map(|v| (v.clone(), span)).collect();
            self.call(f, pos, vec![], span)
        })();
        let result = match traced {
            Ok(v) => v,
            Err(e) => {
                self.tracer.abandon();
                return Err(e);
            }
        };
        let (outs, output) = flatten(&result);
        let region = self.tracer.finish(&outs)?;
        let consts: Vec<_> = region
            .captures
            .iter()
            .map(|(outer, _)| outer.clone())
            .collect();
        let graph = region.close(&consts);
        Ok(Closed {
            graph,
            consts: consts.into_iter().map(Arr::Traced).collect(),
            output,
        })
    }

    /// `jvp(f, primals, tangents)`: `(f(*primals), J·tangents)`.
    pub fn jvp_value(
        &mut self,
        f: &Value,
        primals: &Value,
        tangents: &Value,
        span: Span,
    ) -> Result<Value> {
        let (Value::Tuple(ps), Value::Tuple(_)) = (primals, tangents) else {
            return Err(
                Diagnostic::at(span, "`jvp` takes tuples of primals and tangents")
                    .with_hint("write `jvp(f, (x,), (t,))` for a function of one argument"),
            );
        };
        let (p_leaves, p_def) = flatten(primals);
        let (t_leaves, t_def) = flatten(tangents);
        if !same_structure(&p_def, &t_def) || p_leaves.len() != t_leaves.len() {
            return Err(Diagnostic::at(
                span,
                "the tangents must have the structure of the primals",
            ));
        }
        let closed = self.trace_closed(f, ps, span)?;
        let n_consts = closed.consts.len();
        let mut nonzero = vec![false; n_consts];
        nonzero.extend(
            p_leaves
                .iter()
                .map(|a| ops::materialize(a).dtype().is_inexact()),
        );
        let jvp = jvp_graph(&closed.graph, &nonzero).map_err(|m| Diagnostic::at(span, m))?;
        let mut inputs = closed.consts.clone();
        inputs.extend(p_leaves.iter().map(ops::materialize));
        for (p, t) in p_leaves.iter().zip(&t_leaves) {
            let p = ops::materialize(p);
            if !p.dtype().is_inexact() {
                continue;
            }
            let t = ops::cast(&mut self.tracer, t, p.dtype()).map_err(|d| d.or_span(span))?;
            if t.shape() != p.shape() {
                return Err(Diagnostic::at(
                    span,
                    format!("a tangent {} for a primal {}", t.ty(), p.ty()),
                ));
            }
            inputs.push(t);
        }
        let outs = self
            .tracer
            .call_graph("jvp", &jvp.graph, &inputs)
            .map_err(|m| Diagnostic::at(span, m))?;
        let n_out = closed.graph.outputs.len();
        let (primal_out, rest) = outs.split_at(n_out);
        let mut tangent_it = rest.iter();
        let mut tangent_out = vec![];
        for (p, nz) in primal_out.iter().zip(&jvp.out_nonzero) {
            tangent_out.push(match (nz, tangent_it.next().filter(|_| *nz)) {
                (true, Some(t)) => t.clone(),
                _ => self.zeros_like(p).map_err(|d| d.or_span(span))?,
            });
        }
        let y = unflatten(&closed.output, &mut primal_out.iter().cloned())?;
        let ty = unflatten(&closed.output, &mut tangent_out.into_iter())?;
        Ok(Value::Tuple(Rc::new(vec![y, ty])))
    }

    fn zeros_like(&mut self, a: &Arr) -> Result<Arr> {
        let zero = ops::scalar(a.dtype(), 0.0);
        ops::broadcast_to(&mut self.tracer, &zero, a.shape())
    }
}
