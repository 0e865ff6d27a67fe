//! Staging prints out of a program: each `print` equation becomes updates
//! of buffers that leave the program as extra outputs, and the host prints
//! them after it ran, in program order.
//!
//! Every print *site* (one `print` equation, after all transformations)
//! has a state threaded through the program: a count of the times it ran,
//! and, with room for `capacity` records, the values it printed and a
//! global sequence number for each. The sequence number is one `i32`
//! counter threaded through the whole program: sorting every site's
//! records by it gives the order the prints ran in, across loops,
//! conditionals and sites. Loops carry the state of the sites inside them,
//! a conditional takes and returns it (a branch that did not run leaves it
//! as it was), and a function with a custom derivative or a linear solve
//! runs the region it stands for inlined.
//!
//! The walk knows no primitive: each primitive with a print inside asks
//! its rule (`Primitive::stage`), which stages its regions with
//! [`Stager::stage_region`]. A graph without a print is left alone, so a
//! program without one compiles to the same StableHLO as before.

use super::builder::Builder;
use super::transforms::Tx;
use super::{fresh_var, Atom, Eqn, Graph, Var, VarId};
use crate::span::Span;
use crate::types::{DType, TensorType};
use std::collections::HashMap;

type R<T> = crate::ir::RuleResult<T>;

/// A piece of a printed line: literal text, or the value of an operand.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Text(String),
    Operand(usize),
}

/// The types of a site's state: its count, then, with room for `capacity`
/// records, the sequence numbers and each operand's values.
pub fn state_types(capacity: usize, operands: &[TensorType]) -> Vec<TensorType> {
    let scalar = TensorType::new(DType::I32, vec![]);
    let stacked = |t: &TensorType| {
        let mut shape = vec![capacity];
        shape.extend(&t.shape);
        TensorType::new(t.dtype, shape)
    };
    std::iter::once(scalar.clone())
        .chain(std::iter::once(stacked(&scalar)))
        .chain(operands.iter().map(stacked))
        .collect()
}

/// One print site of a staged program.
#[derive(Clone, Debug)]
pub struct Site {
    pub pieces: Vec<Piece>,
    /// Leading batch dims of every operand (printed one example at a time).
    pub batch: usize,
    pub operands: Vec<TensorType>,
    pub span: Option<Span>,
    /// How many records its buffers hold.
    pub capacity: usize,
}

/// Chooses a site's capacity from its index, operand types and bound.
pub type Capacity<'a> = &'a dyn Fn(usize, &[TensorType], Option<u64>) -> usize;

/// The sites found so far, and the bound on the iterations of the loops
/// around the region being staged.
pub struct Stager<'a> {
    sites: Vec<Site>,
    bound: Option<u64>,
    capacity: Capacity<'a>,
    transforms: Tx,
}

/// A staged region: the graph with extra inputs and outputs (the sequence
/// counter, then the state of each site in `sites`), and those sites.
pub struct Region {
    pub graph: Graph,
    pub sites: Vec<usize>,
}

/// The walk over one graph: the equations emitted, the current value of
/// the sequence counter and of each site's state, and the state inputs
/// the graph needs (sites first met in it or in its regions).
pub struct Walk {
    pub b: Builder,
    pub seq: Atom,
    seq_in: Var,
    state: HashMap<usize, Vec<Atom>>,
    inputs: Vec<(usize, Vec<Var>)>,
}

fn i32_scalar() -> TensorType {
    TensorType::new(DType::I32, vec![])
}

impl Walk {
    /// The current state of `site`, made an input of this graph when met
    /// for the first time.
    pub fn state_of(&mut self, st: &Stager, site: usize) -> Vec<Atom> {
        if let Some(s) = self.state.get(&site) {
            return s.clone();
        }
        let vars: Vec<Var> = st.state_types(site).into_iter().map(fresh_var).collect();
        let atoms: Vec<Atom> = vars.iter().cloned().map(Atom::Var).collect();
        self.inputs.push((site, vars));
        self.state.insert(site, atoms.clone());
        atoms
    }

    pub fn set_state(&mut self, site: usize, atoms: Vec<Atom>) {
        self.state.insert(site, atoms);
    }

    /// The values a region staged over `sites` takes as extra inputs: the
    /// sequence counter, then each site's state.
    pub fn thread_in(&mut self, st: &Stager, sites: &[usize]) -> Vec<Atom> {
        let mut out = vec![self.seq.clone()];
        for &s in sites {
            out.extend(self.state_of(st, s));
        }
        out
    }

    /// Takes a region's extra outputs (as [`Walk::thread_in`] orders them)
    /// as the new counter and states.
    pub fn thread_out(&mut self, st: &Stager, sites: &[usize], outs: &[Atom]) -> R<()> {
        let (seq, mut rest) = outs
            .split_first()
            .ok_or("a staged region lost its counter")?;
        self.seq = seq.clone();
        for &s in sites {
            let n = st.state_types(s).len();
            if rest.len() < n {
                return Err("a staged region lost a print's state".into());
            }
            self.state.insert(s, rest[..n].to_vec());
            rest = &rest[n..];
        }
        Ok(())
    }
}

impl<'a> Stager<'a> {
    /// A stager for a whole program (run once).
    pub fn new(capacity: Capacity<'a>, transforms: Tx) -> Stager<'a> {
        Stager {
            sites: vec![],
            bound: Some(1),
            capacity,
            transforms,
        }
    }

    /// The number of sites found so far.
    pub fn n_sites(&self) -> usize {
        self.sites.len()
    }

    /// The sites found.
    pub fn into_sites(self) -> Vec<Site> {
        self.sites
    }

    /// Adds a site met in the region being staged.
    pub fn new_site(
        &mut self,
        pieces: Vec<Piece>,
        batch: usize,
        operands: Vec<TensorType>,
        span: Option<Span>,
    ) -> usize {
        let index = self.sites.len();
        let capacity = (self.capacity)(index, &operands, self.bound).max(1);
        self.sites.push(Site {
            pieces,
            batch,
            operands,
            span,
            capacity,
        });
        index
    }

    /// The types of a site's state.
    pub fn state_types(&self, site: usize) -> Vec<TensorType> {
        let s = &self.sites[site];
        state_types(s.capacity, &s.operands)
    }

    /// Stages `g`, a region that runs `trips` times each time its
    /// equation does (`None`: a number known only at run time).
    pub fn stage_region(&mut self, g: &Graph, trips: Option<u64>) -> R<Region> {
        let outer = self.bound;
        self.bound = match (outer, trips) {
            (Some(a), Some(b)) => a.checked_mul(b),
            _ => None,
        };
        let r = self.walk(g);
        self.bound = outer;
        r
    }

    fn walk(&mut self, g: &Graph) -> R<Region> {
        let seq_in = fresh_var(i32_scalar());
        let mut w = Walk {
            b: Builder::new(self.transforms),
            seq: Atom::Var(seq_in.clone()),
            seq_in,
            state: HashMap::new(),
            inputs: vec![],
        };
        let mut subst: HashMap<VarId, Atom> = HashMap::new();
        let look = |subst: &HashMap<VarId, Atom>, a: &Atom| match a {
            Atom::Var(v) => subst.get(&v.id).cloned().unwrap_or_else(|| a.clone()),
            Atom::Const(_) => a.clone(),
        };
        for eqn in &g.eqns {
            let inputs: Vec<Atom> = eqn.inputs.iter().map(|a| look(&subst, a)).collect();
            if !eqn.prim.has_effect() {
                w.b.eqns.push(Eqn {
                    inputs,
                    ..eqn.clone()
                });
                continue;
            }
            let outs = eqn.prim.stage(self, &mut w, &inputs, &eqn.outputs)?;
            if outs.len() != eqn.outputs.len() {
                return Err(format!("staging {} lost its outputs", eqn.prim.name()).into());
            }
            for (v, a) in eqn.outputs.iter().zip(outs) {
                subst.insert(v.id, a);
            }
        }
        let outputs: Vec<Atom> = g.outputs.iter().map(|a| look(&subst, a)).collect();
        Ok(w.finish(g.inputs.clone(), outputs))
    }
}

impl Walk {
    /// The staged region over `inputs` and `outputs` (the graph's own), with
    /// the counter and the state of the sites met as extra inputs and outputs.
    fn finish(self, mut inputs: Vec<Var>, mut outputs: Vec<Atom>) -> Region {
        let sites: Vec<usize> = self.inputs.iter().map(|(s, _)| *s).collect();
        inputs.push(self.seq_in);
        inputs.extend(self.inputs.into_iter().flat_map(|(_, vs)| vs));
        outputs.push(self.seq);
        for s in &sites {
            outputs.extend(self.state[s].iter().cloned());
        }
        Region {
            graph: Graph {
                inputs,
                eqns: self.b.eqns,
                outputs,
            },
            sites,
        }
    }
}

/// `g` with fresh inputs of `types` appended, which it does not read (a
/// loop condition, which cannot pass the state along).
pub fn with_unused_inputs(g: &Graph, types: &[TensorType]) -> Graph {
    let mut g = g.clone();
    g.inputs.extend(types.iter().cloned().map(fresh_var));
    g
}

impl Stager<'_> {
    /// Stages the region `g` run once in place of its equation (the primal
    /// of a custom-derivative function, the solve of a linear solve), inlined.
    pub fn stage_inline(&mut self, w: &mut Walk, g: &Graph, inputs: &[Atom]) -> R<Vec<Atom>> {
        let r = self.stage_region(g, Some(1))?;
        let mut args = inputs.to_vec();
        args.extend(w.thread_in(self, &r.sites));
        let outs = w.b.inline(&r.graph, &args)?;
        let n = g.outputs.len();
        w.thread_out(
            self,
            &r.sites,
            outs.get(n..).ok_or("staging lost the outputs")?,
        )?;
        Ok(outs[..n].to_vec())
    }
}

/// The atoms of variables.
pub fn atoms(vars: &[Var]) -> Vec<Atom> {
    vars.iter().cloned().map(Atom::Var).collect()
}
