//! `print` inside a function (as `jax.debug.print`): an equation with the
//! printed values as operands and no outputs, kept for its effect.
//!
//! A print computes nothing, so the transformations treat it as follows
//! (JAX's choices for `jax.debug.print`):
//! * JVP: it stays on the primal values and gives no tangents, so `jvp` and
//!   `grad` print the forward pass's values once (linearization puts it on
//!   the known side);
//! * transpose: never linear; printing a tangent under reverse mode is an
//!   error, as in JAX;
//! * batching: the batched operands are printed one example at a time
//!   (`batch` counts the leading batch dims of every operand).
//!
//! Nothing runs a print directly: before a graph runs, `transform/stage.rs`
//! rewrites each one (`ir/stage.rs`) into updates of buffers that leave the program as
//! extra outputs, and the host prints them (see `eval/effects.rs`). The
//! kernel and the lowering therefore refuse it, so a print that escaped
//! staging is a loud error, never a silent no-op.

use super::build::Build;
use super::{BatchResult, DynamicUpdateSlice, JvpResult, Prim};
use crate::ir::emit::{Emitter, Value};
use crate::ir::primitive::no_regions;
use crate::ir::stage::{Stager, Walk};
use crate::ir::{Atom, Builder, PrimError, Primitive, RuleResult, Var};
use crate::span::Span;
use crate::tensor::Tensor;
use crate::types::TensorType;

pub use crate::ir::stage::{state_types, Piece};

type R<T> = crate::ir::RuleResult<T>;

/// What the kernel and the lowering say about a print that was not staged.
const UNSTAGED: &str = "a print reached a backend without being staged out";

/// No outputs; batched operands share their leading `batch` dims.
pub fn infer_print(pieces: &[Piece], batch: usize, inputs: &[TensorType]) -> R<Vec<TensorType>> {
    for p in pieces {
        if let Piece::Operand(i) = p {
            if *i >= inputs.len() {
                return Err(format!("print names operand {} of {}", i, inputs.len()).into());
            }
        }
    }
    let lead = |t: &TensorType| t.shape.get(..batch).map(<[usize]>::to_vec);
    let first = inputs.first().map(lead);
    if inputs
        .iter()
        .any(|t| Some(lead(t)) != first || lead(t).is_none())
    {
        return Err(format!("print operands without {} common batch dim(s)", batch).into());
    }
    Ok(vec![])
}

pub fn eval_print() -> RuleResult<Vec<Tensor>> {
    Err(PrimError::internal(UNSTAGED))
}

pub fn lower_print<T>() -> RuleResult<Vec<T>> {
    Err(PrimError::internal(UNSTAGED))
}

/// A print has no outputs, hence no tangents.
pub fn jvp_print() -> JvpResult {
    Ok(vec![])
}

pub fn transpose_print() -> JvpResult {
    Err("`print` of a value that depends on a tangent cannot be transposed (reverse mode); print primal values".into())
}

/// Every operand batched (an unbatched one broadcast), one more batch dim.
pub fn batch_print(
    pieces: &[Piece],
    batch: usize,
    span: Option<Span>,
    b: &mut Builder,
    inputs: &[Atom],
    batched: &[bool],
    size: usize,
) -> BatchResult {
    let ops = super::batching::all_batched(b, inputs, batched, size)?;
    let prim = Prim::new(Print {
        pieces: pieces.to_vec(),
        batch: batch + 1,
        span,
    });
    b.apply(prim, &ops)?;
    Ok((vec![], vec![]))
}

/// Staging: records the operands in the site's buffers at its count, and
/// the global sequence number beside them.
/// `seqs[count] = seq; buf_k[count] = x_k; count += 1; seq += 1` (the
/// index is clamped to the last slot, so an overflowing site keeps its
/// first values and its latest one; the host then reruns or says so).
pub fn stage_print(
    pieces: &[Piece],
    batch: usize,
    span: Option<Span>,
    st: &mut Stager,
    w: &mut Walk,
    inputs: &[Atom],
) -> R<Vec<Atom>> {
    let types: Vec<TensorType> = inputs.iter().map(Atom::ty).collect();
    let site = st.new_site(pieces.to_vec(), batch, types, span);
    let state = w.state_of(st, site);
    let (count, rest) = state.split_first().ok_or("a print site without a count")?;
    let zero = Atom::Const(Tensor::scalar_i32(0));
    let one = Atom::Const(Tensor::scalar_i32(1));
    let seq = w.seq.clone();
    let mut new = vec![w.b.add(count, &one)?];
    let values = std::iter::once(&seq).chain(inputs);
    for (buf, x) in rest.iter().zip(values) {
        let ty = x.ty();
        let mut shape = vec![1];
        shape.extend(&ty.shape);
        let row = w.b.reshape(x, &shape)?;
        let mut ins = vec![buf.clone(), row, count.clone()];
        ins.extend((0..ty.rank()).map(|_| zero.clone()));
        new.push(w.b.apply1(Prim::new(DynamicUpdateSlice), &ins)?);
    }
    w.set_state(site, new);
    w.seq = w.b.add(&seq, &one)?;
    Ok(vec![])
}

/// `print` inside a function: the operands are the printed values,
/// `pieces` the text around them; no outputs (kept for its effect).
/// Each operand has `batch` leading batch dims (from `vmap`).
#[derive(Clone, Debug, PartialEq)]
pub struct Print {
    pub pieces: Vec<Piece>,
    pub batch: usize,
    pub span: Option<Span>,
}

impl Primitive for Print {
    fn name(&self) -> &'static str {
        "print"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_print(&self.pieces, self.batch, inputs)
    }
    fn eval(&self, _inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        eval_print()
    }
    fn lower(
        &self,
        _em: &mut Emitter,
        _inputs: &[Value],
        _outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_print()
    }
    fn jvp(
        &self,
        _b: &mut Builder,
        _primals: &[Atom],
        _outs: &[Atom],
        _tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_print()?)
    }
    fn transpose(
        &self,
        _b: &mut Builder,
        _inputs: &[Atom],
        _linear: &[bool],
        _cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_print()?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        Ok(batch_print(
            &self.pieces,
            self.batch,
            self.span,
            b,
            inputs,
            batched,
            size,
        )?)
    }
    fn params(&self) -> Vec<String> {
        let mut ps = vec![format!("format={:?}", print_format(&self.pieces))];
        if self.batch > 0 {
            ps.push(format!("batch={}", self.batch));
        }
        ps
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        None
    }
    fn own_effect(&self) -> bool {
        true
    }
    fn stage(
        &self,
        st: &mut Stager,
        w: &mut Walk,
        inputs: &[Atom],
        _outs: &[Var],
    ) -> RuleResult<Vec<Atom>> {
        stage_print(&self.pieces, self.batch, self.span, st, w, inputs)
    }
    no_regions!();
}

/// A print's text with `{i}` for operand `i` (braces in the text doubled).
fn print_format(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.replace('{', "{{").replace('}', "}}"),
            Piece::Operand(i) => format!("{{{}}}", i),
        })
        .collect()
}
