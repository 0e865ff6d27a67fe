//! The tracer: applies primitives either eagerly (all operands concrete) or
//! by recording an equation in the graph being built.
//!
//! Traces nest: a function trace is the outermost frame, and each `while`
//! or `cond` region being traced inside it is a frame above it. A region may
//! use a variable of an enclosing frame; the tracer then captures it as an
//! extra region input (closure conversion), so every finished graph is closed.

use super::value::Arr;
use crate::backend::runtime::{Array, Interp, Runtime};
use crate::diag::{Diagnostic, Result};
use crate::ir::Prim;
use crate::ir::{fresh_var, Atom, Eqn, Graph, Var, VarId};
use crate::prims::{Broadcast, Iota, Print};
use crate::types::TensorType;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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

/// In `nest check`, host primitives on known values are computed when their
/// inputs and outputs have at most this many elements together (sizes and
/// indices derived from small data stay known); larger results are known by
/// type only.
const CHECK_COMPUTES: usize = 1 << 16;

pub struct Tracer {
    frames: Vec<Frame>,
    /// Where known values are computed when no trace is being built (the
    /// runtime decides where each primitive runs).
    pub runtime: Arc<dyn Runtime>,
    /// `nest check`: nothing compiled runs. `frames[0]` is then a frame of
    /// the host itself, which records what would be computed (results
    /// known only by type); every other frame is a trace as usual.
    checking: bool,
    /// What the prints of compiled programs printed, for the evaluator to
    /// write out.
    pub pending: Vec<super::effects::Printed>,
    /// Capacities of print sites that outgrew their first guess, by program
    /// name and site (see `eval/effects.rs`).
    pub print_capacities: HashMap<String, HashMap<usize, usize>>,
}

impl Default for Tracer {
    fn default() -> Tracer {
        Tracer {
            frames: vec![],
            runtime: Arc::new(Interp),
            checking: false,
            pending: vec![],
            print_capacities: HashMap::new(),
        }
    }
}

impl Tracer {
    /// Whether a trace is being built (inside a `fn` body).
    pub fn is_tracing(&self) -> bool {
        self.frames.len() > usize::from(self.checking)
    }

    /// Whether this is `nest check` (see [`Tracer::start_checking`]).
    pub fn is_checking(&self) -> bool {
        self.checking
    }

    /// From now on, host values that would take running compiled code (or
    /// large host computations) are known by type only, in a host frame.
    pub fn start_checking(&mut self) {
        if !self.checking {
            self.checking = true;
            self.frames.insert(0, Frame::default());
        }
    }

    /// An array known only by its type (`nest check`): an input of the host
    /// frame, or of the current trace.
    pub fn abstract_value(&mut self, ty: TensorType) -> Result<Arr> {
        self.input(ty)
    }

    /// How many frames are open: traces nested in traces and regions (not
    /// counting `nest check`'s host frame).
    pub fn depth(&self) -> usize {
        self.frames.len() - usize::from(self.checking)
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
            Arr::Const { .. } | Arr::Device(_) => a
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
        // A print inside a trace prints when the program runs, even of constants.
        let expands = prim.downcast_ref::<Iota>().is_some()
            || prim.downcast_ref::<Broadcast>().is_some()
            || prim.downcast_ref::<Print>().is_some();
        if inputs.iter().all(Arr::is_known)
            && !(expands && self.is_tracing())
            && !self.too_large_to_check(&prim, inputs)?
        {
            return self.eval_now(prim, inputs);
        }
        let atoms = inputs
            .iter()
            .map(|a| self.atom(a))
            .collect::<Result<Vec<_>>>()
            .map_err(|d| d.message)?;
        let out_types = prim.infer(&atoms.iter().map(Atom::ty).collect::<Vec<_>>())?;
        crate::tensor::alloc::check_elements(&out_types)?;
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

    /// In `nest check` on the host, whether `prim` on `inputs` is too
    /// large to compute (see [`CHECK_COMPUTES`]).
    fn too_large_to_check(&self, prim: &Prim, inputs: &[Arr]) -> Result<bool, String> {
        if !self.checking || self.is_tracing() {
            return Ok(false);
        }
        let types: Vec<TensorType> = inputs
            .iter()
            .map(|a| crate::eval::ops::materialize(a).ty())
            .collect();
        let out_types = prim.infer(&types)?;
        let elements = types
            .iter()
            .chain(&out_types)
            .fold(0usize, |n, t| n.saturating_add(t.size()));
        Ok(elements > CHECK_COMPUTES)
    }

    /// Runs a primitive on known values, where the runtime chooses.
    fn eval_now(&mut self, prim: Prim, inputs: &[Arr]) -> Result<Vec<Arr>, String> {
        let types: Vec<TensorType> = inputs
            .iter()
            .map(|a| crate::eval::ops::materialize(a).ty())
            .collect();
        let out_types = prim.infer(&types)?;
        crate::tensor::alloc::check(&out_types)?;
        let arrays = known(inputs)?;
        Ok(from_runtime(self.runtime.apply(prim, &arrays, out_types)?))
    }

    /// Applies a closed graph to `inputs`: run on the runtime when no trace is
    /// being built, otherwise inlined into the current frame (its equations
    /// copied with fresh variables).
    pub fn call_graph(
        &mut self,
        name: &str,
        graph: &Graph,
        inputs: &[Arr],
    ) -> Result<Vec<Arr>, String> {
        // In `nest check` the graph is inlined into the host frame: nothing runs.
        if !self.is_tracing() && !self.checking {
            return self.run(name, graph, inputs);
        }
        let mut subst: HashMap<VarId, Atom> = HashMap::new();
        for (v, a) in graph.inputs.iter().zip(inputs) {
            subst.insert(v.id, self.atom(a).map_err(|d| d.message)?);
        }
        let look = |subst: &HashMap<VarId, Atom>, a: &Atom| match a {
            Atom::Var(v) => subst.get(&v.id).cloned().unwrap_or_else(|| a.clone()),
            Atom::Const(_) => a.clone(),
        };
        for eqn in &graph.eqns {
            let ins: Vec<Atom> = eqn.inputs.iter().map(|a| look(&subst, a)).collect();
            let outs: Vec<Var> = eqn
                .outputs
                .iter()
                .map(|v| fresh_var(v.ty.clone()))
                .collect();
            for (old, new) in eqn.outputs.iter().zip(&outs) {
                subst.insert(old.id, Atom::Var(new.clone()));
            }
            let frame = self.top().map_err(|d| d.message)?;
            frame.defined.extend(outs.iter().map(|v| v.id));
            frame.eqns.push(Eqn {
                // A graph may be inlined more than once: its regions get fresh variables.
                prim: eqn.prim.map_regions(Graph::fresh_copy),
                inputs: ins,
                outputs: outs,
            });
        }
        Ok(graph
            .outputs
            .iter()
            .map(|a| match look(&subst, a) {
                Atom::Var(v) => Arr::Traced(v),
                Atom::Const(t) => Arr::new(t),
            })
            .collect())
    }

    /// Runs a closed graph on the runtime; what its prints print goes to
    /// [`Tracer::pending`].
    pub fn run(&mut self, name: &str, graph: &Graph, inputs: &[Arr]) -> Result<Vec<Arr>, String> {
        if graph.has_effects() {
            return super::effects::run_with_prints(self, name, graph, inputs);
        }
        self.run_plain(name, graph, inputs)
    }

    /// Runs a closed graph without prints on the runtime.
    pub fn run_plain(&self, name: &str, graph: &Graph, inputs: &[Arr]) -> Result<Vec<Arr>, String> {
        let arrays = known(inputs)?;
        Ok(from_runtime(self.runtime.run_graph(name, graph, &arrays)?))
    }

    /// Runs a program the runtime prepared (without prints). The inputs
    /// are given up: an array held nowhere else may be donated.
    pub fn run_prepared(
        &self,
        program: &dyn crate::backend::runtime::Prepared,
        inputs: Vec<Arr>,
    ) -> Result<Vec<Arr>, String> {
        let arrays = (inputs.into_iter())
            .map(|a| match a {
                Arr::Device(h) => Ok(Array::Held(h)),
                a => known_one(&a),
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(from_runtime(self.runtime.run_prepared(program, arrays)?))
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

/// Known values as the runtime takes them: arrays it holds as they are,
/// host values (weak literals in their default dtype) as tensors.
fn known(inputs: &[Arr]) -> Result<Vec<Array>, String> {
    inputs.iter().map(known_one).collect()
}

fn known_one(a: &Arr) -> Result<Array, String> {
    match a {
        Arr::Device(h) => Ok(Array::Held(h.clone())),
        _ => (a.concrete())
            .map(Array::Host)
            .ok_or_else(|| "a traced value reached a compiled call".to_string()),
    }
}

fn from_runtime(arrays: Vec<Array>) -> Vec<Arr> {
    (arrays.into_iter())
        .map(|a| match a {
            Array::Host(t) => Arr::new(t),
            Array::Held(h) => Arr::Device(h),
        })
        .collect()
}

fn escaped(v: &Var) -> Diagnostic {
    Diagnostic::internal(format!(
        "traced value %{} ({}) used outside the trace that made it",
        v.id.0, v.ty
    ))
}
