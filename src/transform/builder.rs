//! A builder that emits equations with fresh output variables, for rules
//! that produce IR (rules emit IR, they never compute numbers, so the result
//! of a transformation can be transformed again).

use crate::ir::{fresh_var, Atom, Eqn, Graph, VarId};
use crate::prims::{BinaryOp, Cmp, Prim, ReduceOp, UnaryOp};
use crate::tensor::Tensor;
use crate::types::{DType, TensorType};
use std::collections::HashMap;

/// Equations under construction.
#[derive(Default)]
pub struct Builder {
    pub eqns: Vec<Eqn>,
    /// Set by a rule whose emitted equations also compute the primal outputs
    /// (the JVP of a loop carries primals and tangents together): the
    /// transformation then uses these instead of the original equation.
    pub primals: Option<Vec<Atom>>,
}

pub type R<T> = Result<T, String>;

impl Builder {
    /// Emits `prim(inputs)`; the outputs' types come from the primitive's shape rule.
    pub fn apply(&mut self, prim: Prim, inputs: &[Atom]) -> R<Vec<Atom>> {
        let types = prim.infer(&inputs.iter().map(Atom::ty).collect::<Vec<_>>())?;
        let outputs: Vec<_> = types.into_iter().map(fresh_var).collect();
        self.eqns.push(Eqn {
            prim,
            inputs: inputs.to_vec(),
            outputs: outputs.clone(),
        });
        Ok(outputs.into_iter().map(Atom::Var).collect())
    }

    pub fn apply1(&mut self, prim: Prim, inputs: &[Atom]) -> R<Atom> {
        let name = prim.name();
        self.apply(prim, inputs)?
            .into_iter()
            .next()
            .ok_or_else(|| format!("{} gave no output", name))
    }

    pub fn unary(&mut self, op: UnaryOp, x: &Atom) -> R<Atom> {
        self.apply1(Prim::Unary(op), std::slice::from_ref(x))
    }

    /// A binary elementwise op; a scalar constant operand is broadcast to the other's shape.
    pub fn binary(&mut self, op: BinaryOp, x: &Atom, y: &Atom) -> R<Atom> {
        let (x, y) = self.match_shapes(x, y)?;
        self.apply1(Prim::Binary(op), &[x, y])
    }

    pub fn add(&mut self, x: &Atom, y: &Atom) -> R<Atom> {
        self.binary(BinaryOp::Add, x, y)
    }
    pub fn sub(&mut self, x: &Atom, y: &Atom) -> R<Atom> {
        self.binary(BinaryOp::Sub, x, y)
    }
    pub fn mul(&mut self, x: &Atom, y: &Atom) -> R<Atom> {
        self.binary(BinaryOp::Mul, x, y)
    }
    pub fn div(&mut self, x: &Atom, y: &Atom) -> R<Atom> {
        self.binary(BinaryOp::Div, x, y)
    }
    pub fn neg(&mut self, x: &Atom) -> R<Atom> {
        self.unary(UnaryOp::Neg, x)
    }

    pub fn compare(&mut self, c: Cmp, x: &Atom, y: &Atom) -> R<Atom> {
        let (x, y) = self.match_shapes(x, y)?;
        self.apply1(Prim::Compare(c), &[x, y])
    }

    /// `select(pred, a, b)`, broadcasting scalar constants.
    pub fn select(&mut self, pred: &Atom, a: &Atom, b: &Atom) -> R<Atom> {
        let (a, b) = self.match_shapes(a, b)?;
        let shape = a.ty().shape;
        let pred = self.broadcast_scalar(pred, &shape)?;
        self.apply1(Prim::Select, &[pred, a, b])
    }

    pub fn convert(&mut self, x: &Atom, dtype: DType) -> R<Atom> {
        if x.ty().dtype == dtype {
            return Ok(x.clone());
        }
        self.apply1(Prim::Convert(dtype), std::slice::from_ref(x))
    }

    /// `broadcast_in_dim`.
    pub fn broadcast(&mut self, x: &Atom, shape: &[usize], dims: &[usize]) -> R<Atom> {
        if x.ty().shape == shape {
            return Ok(x.clone());
        }
        self.apply1(
            Prim::Broadcast {
                shape: shape.to_vec(),
                dims: dims.to_vec(),
            },
            std::slice::from_ref(x),
        )
    }

    /// A scalar broadcast to `shape` (a no-op for arrays already of that shape).
    pub fn broadcast_scalar(&mut self, x: &Atom, shape: &[usize]) -> R<Atom> {
        if x.ty().shape == shape {
            return Ok(x.clone());
        }
        if !x.ty().shape.is_empty() {
            return Err(format!("cannot broadcast {} to {:?}", x.ty(), shape));
        }
        self.broadcast(x, shape, &[])
    }

    pub fn reshape(&mut self, x: &Atom, shape: &[usize]) -> R<Atom> {
        if x.ty().shape == shape {
            return Ok(x.clone());
        }
        self.apply1(
            Prim::Reshape {
                shape: shape.to_vec(),
            },
            std::slice::from_ref(x),
        )
    }

    pub fn reduce_sum(&mut self, x: &Atom, axes: &[usize]) -> R<Atom> {
        if axes.is_empty() {
            return Ok(x.clone());
        }
        self.apply1(
            Prim::Reduce {
                op: ReduceOp::Sum,
                axes: axes.to_vec(),
            },
            std::slice::from_ref(x),
        )
    }

    /// A scalar constant of `dtype`.
    pub fn scalar(&self, dtype: DType, v: f64) -> Atom {
        Atom::Const(Tensor::scalar_of(dtype, v))
    }

    /// Zeros of a type (a broadcast scalar, so the IR stays small).
    pub fn zeros(&mut self, ty: &TensorType) -> R<Atom> {
        let z = self.scalar(ty.dtype, 0.0);
        self.broadcast_scalar(&z, &ty.shape)
    }

    /// Emits the equations of the closed graph `g` applied to `inputs`, and
    /// returns its outputs. The equations are a fresh copy, so one graph may
    /// be inlined more than once.
    pub fn inline(&mut self, g: &Graph, inputs: &[Atom]) -> R<Vec<Atom>> {
        let g = g.fresh_copy();
        if g.input_types() != inputs.iter().map(Atom::ty).collect::<Vec<_>>() {
            return Err(format!(
                "cannot inline a graph over {} input(s) into {} operand(s) of other types",
                g.inputs.len(),
                inputs.len()
            ));
        }
        let subst: HashMap<VarId, Atom> = (g.inputs.iter().map(|v| v.id))
            .zip(inputs.iter().cloned())
            .collect();
        let look = |a: &Atom| match a {
            Atom::Var(v) => subst.get(&v.id).cloned().unwrap_or_else(|| a.clone()),
            Atom::Const(_) => a.clone(),
        };
        for mut eqn in g.eqns {
            eqn.inputs = eqn.inputs.iter().map(look).collect();
            self.eqns.push(eqn);
        }
        Ok(g.outputs.iter().map(look).collect())
    }

    /// Broadcasts whichever operand is a scalar to the other's shape.
    fn match_shapes(&mut self, x: &Atom, y: &Atom) -> R<(Atom, Atom)> {
        let (sx, sy) = (x.ty().shape, y.ty().shape);
        if sx == sy {
            return Ok((x.clone(), y.clone()));
        }
        if sx.is_empty() {
            return Ok((self.broadcast_scalar(x, &sy)?, y.clone()));
        }
        if sy.is_empty() {
            return Ok((x.clone(), self.broadcast_scalar(y, &sx)?));
        }
        Err(format!("operand shapes differ: {} and {}", x.ty(), y.ty()))
    }
}
