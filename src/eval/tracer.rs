//! The tracer: applies primitives either eagerly (all operands concrete) or
//! by recording an equation in the graph being built.
//!
//! Traces nest: a function trace is the outermost frame, and each `while`
//! or `cond` region being traced inside it is a frame above it. A region may
//! use a variable of an enclosing frame; the tracer then captures it as an
//! extra region input (closure conversion), so every finished graph is closed.

use super::value::Arr;
use crate::diag::{Diagnostic, Result};
use crate::ir::{fresh_var, Atom, Eqn, Graph, Var, VarId};
use crate::prims::Prim;
use crate::tensor::Tensor;
use crate::types::TensorType;
use std::collections::{HashMap, HashSet};

#[derive(Default)]
struct Frame {
    inputs: Vec<Var>,
    eqns: Vec<Eqn>,
    defined: HashSet<VarId>,
    /// (variable of an enclosing frame, the local input standing for it)
    captures: Vec<(Var, Var)>,
    capture_of: HashMap<VarId, Var>,
}

/// A finished region: a graph over its declared inputs, plus the enclosing
/// variables it captured. [`Region::close`] turns it into a closed graph.
pub struct Region {
    pub graph: Graph,
    pub captures: Vec<(Var, Var)>,
}

impl Region {
    /// The closed graph taking `consts` (enclosing variables, a superset of
    /// the captures) before its declared inputs.
    pub fn close(&self, consts: &[Var]) -> Graph {
        let mut inputs: Vec<Var> = consts
            .iter()
            .map(
                |outer| match self.captures.iter().find(|(o, _)| o.id == outer.id) {
                    Some((_, local)) => local.clone(),
                    None => fresh_var(outer.ty.clone()),
                },
            )
            .collect();
        inputs.extend(self.graph.inputs.iter().cloned());
        Graph {
            inputs,
            eqns: self.graph.eqns.clone(),
            outputs: self.graph.outputs.clone(),
        }
    }
}

/// The union of the captures of several regions, in first-seen order.
pub fn union_captures(regions: &[&Region]) -> Vec<Var> {
    let mut seen = HashSet::new();
    let mut out = vec![];
    for r in regions {
        for (outer, _) in &r.captures {
            if seen.insert(outer.id) {
                out.push(outer.clone());
            }
        }
    }
    out
}

#[derive(Default)]
pub struct Tracer {
    frames: Vec<Frame>,
}

impl Tracer {
    /// Whether a trace is being built (inside a `fn` body).
    pub fn is_tracing(&self) -> bool {
        !self.frames.is_empty()
    }

    /// Starts a new frame (a function trace or a region inside one).
    pub fn begin(&mut self) {
        self.frames.push(Frame::default());
    }

    /// Adds an input of type `ty` to the current frame.
    pub fn input(&mut self, ty: TensorType) -> Result<Arr> {
        let v = fresh_var(ty);
        let frame = self.top()?;
        frame.defined.insert(v.id);
        frame.inputs.push(v.clone());
        Ok(Arr::Traced(v))
    }

    /// Ends the current frame with `outputs`.
    pub fn finish(&mut self, outputs: &[Arr]) -> Result<Region> {
        let atoms = outputs
            .iter()
            .map(|a| self.atom(a))
            .collect::<Result<Vec<_>>>()?;
        let frame = self
            .frames
            .pop()
            .ok_or_else(|| Diagnostic::internal("finish without a frame"))?;
        Ok(Region {
            graph: Graph {
                inputs: frame.inputs,
                eqns: frame.eqns,
                outputs: atoms,
            },
            captures: frame.captures,
        })
    }

    /// Drops the current frame (after an error inside it).
    pub fn abandon(&mut self) {
        self.frames.pop();
    }

    fn top(&mut self) -> Result<&mut Frame> {
        self.frames
            .last_mut()
            .ok_or_else(|| Diagnostic::internal("no trace frame"))
    }

    /// The operand for `a` in the current frame: constants as they are,
    /// variables of enclosing frames captured.
    pub fn atom(&mut self, a: &Arr) -> Result<Atom> {
        match a {
            Arr::Const { .. } => a
                .concrete()
                .map(Atom::Const)
                .ok_or_else(|| Diagnostic::internal("constant without a value")),
            Arr::Traced(v) => {
                let level = self.frames.len().checked_sub(1).ok_or_else(|| escaped(v))?;
                Ok(Atom::Var(self.var_at(level, v)?))
            }
        }
    }

    fn var_at(&mut self, level: usize, v: &Var) -> Result<Var> {
        let frame = &self.frames[level];
        if frame.defined.contains(&v.id) {
            return Ok(v.clone());
        }
        if let Some(local) = frame.capture_of.get(&v.id) {
            return Ok(local.clone());
        }
        let Some(parent) = level.checked_sub(1) else {
            return Err(escaped(v));
        };
        let outer = self.var_at(parent, v)?;
        let local = fresh_var(v.ty.clone());
        let frame = &mut self.frames[level];
        frame.defined.insert(local.id);
        frame.capture_of.insert(v.id, local.clone());
        frame.captures.push((outer, local.clone()));
        Ok(local)
    }

    /// Applies `prim`: eagerly if every operand is concrete, otherwise by
    /// recording an equation. Errors are the primitive's own message.
    /// Inside a trace, primitives that make arrays out of scalars (`iota`,
    /// `broadcast_in_dim`) are always recorded, so that constants stay
    /// scalars and the IR stays small.
    pub fn apply(&mut self, prim: Prim, inputs: &[Arr]) -> Result<Vec<Arr>, String> {
        let expands = matches!(prim, Prim::Iota { .. } | Prim::Broadcast { .. });
        let all_const = inputs.iter().all(|a| matches!(a, Arr::Const { .. }));
        if all_const && !(expands && self.is_tracing()) {
            let tensors: Vec<Tensor> = inputs.iter().filter_map(Arr::concrete).collect();
            prim.infer(&tensors.iter().map(Tensor::ty).collect::<Vec<_>>())?;
            return Ok(prim.eval(&tensors)?.into_iter().map(Arr::new).collect());
        }
        let atoms = inputs
            .iter()
            .map(|a| self.atom(a))
            .collect::<Result<Vec<_>>>()
            .map_err(|d| d.message)?;
        let out_types = prim.infer(&atoms.iter().map(Atom::ty).collect::<Vec<_>>())?;
        let outputs: Vec<Var> = out_types.into_iter().map(fresh_var).collect();
        let frame = self.top().map_err(|d| d.message)?;
        for v in &outputs {
            frame.defined.insert(v.id);
        }
        frame.eqns.push(Eqn {
            prim,
            inputs: atoms,
            outputs: outputs.clone(),
        });
        Ok(outputs.into_iter().map(Arr::Traced).collect())
    }

    /// Applies a single-output primitive.
    pub fn apply1(&mut self, prim: Prim, inputs: &[Arr]) -> Result<Arr, String> {
        let name = prim.name();
        self.apply(prim, inputs)?
            .into_iter()
            .next()
            .ok_or_else(|| format!("{} gave no result", name))
    }
}

fn escaped(v: &Var) -> Diagnostic {
    Diagnostic::internal(format!(
        "traced value %{} ({}) used outside the trace that made it",
        v.id.0, v.ty
    ))
}
