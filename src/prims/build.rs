//! Builder helpers that emit concrete primitives, as an extension of
//! [`Builder`] (`use crate::prims::build::Build`).

use super::{Binary, BinaryOp, Broadcast, Cmp, Compare, Convert, Reduce, ReduceOp, Reshape};
use super::{Select, Unary, UnaryOp};
use crate::ir::{Atom, Builder, Prim};
use crate::types::{DType, TensorType};

type R<T> = crate::ir::RuleResult<T>;

pub trait Build {
    fn unary(&mut self, op: UnaryOp, x: &Atom) -> R<Atom>;
    /// A binary elementwise op; a scalar constant operand is broadcast to the other's shape.
    fn binary(&mut self, op: BinaryOp, x: &Atom, y: &Atom) -> R<Atom>;
    fn add(&mut self, x: &Atom, y: &Atom) -> R<Atom>;
    fn sub(&mut self, x: &Atom, y: &Atom) -> R<Atom>;
    fn mul(&mut self, x: &Atom, y: &Atom) -> R<Atom>;
    fn div(&mut self, x: &Atom, y: &Atom) -> R<Atom>;
    fn neg(&mut self, x: &Atom) -> R<Atom>;
    fn compare(&mut self, c: Cmp, x: &Atom, y: &Atom) -> R<Atom>;
    /// `select(pred, a, b)`, broadcasting scalar constants.
    fn select(&mut self, pred: &Atom, a: &Atom, b: &Atom) -> R<Atom>;
    fn convert(&mut self, x: &Atom, dtype: DType) -> R<Atom>;
    /// `broadcast_in_dim`.
    fn broadcast(&mut self, x: &Atom, shape: &[usize], dims: &[usize]) -> R<Atom>;
    /// A scalar broadcast to `shape` (a no-op for arrays already of that shape).
    fn broadcast_scalar(&mut self, x: &Atom, shape: &[usize]) -> R<Atom>;
    fn reshape(&mut self, x: &Atom, shape: &[usize]) -> R<Atom>;
    fn reduce_sum(&mut self, x: &Atom, axes: &[usize]) -> R<Atom>;
    /// Zeros of a type (a broadcast scalar, so the IR stays small).
    fn zeros(&mut self, ty: &TensorType) -> R<Atom>;
    /// The tangent `t`, or zeros of the primal's type for a symbolic zero.
    fn tangent_or_zero(&mut self, t: &Option<Atom>, primal: &Atom) -> R<Atom>;
    /// Broadcasts whichever operand is a scalar to the other's shape.
    fn match_shapes(&mut self, x: &Atom, y: &Atom) -> R<(Atom, Atom)>;
}

impl Build for Builder {
    fn unary(&mut self, op: UnaryOp, x: &Atom) -> R<Atom> {
        self.apply1(Prim::new(Unary(op)), std::slice::from_ref(x))
    }

    fn binary(&mut self, op: BinaryOp, x: &Atom, y: &Atom) -> R<Atom> {
        let (x, y) = self.match_shapes(x, y)?;
        self.apply1(Prim::new(Binary(op)), &[x, y])
    }

    fn add(&mut self, x: &Atom, y: &Atom) -> R<Atom> {
        self.binary(BinaryOp::Add, x, y)
    }
    fn sub(&mut self, x: &Atom, y: &Atom) -> R<Atom> {
        self.binary(BinaryOp::Sub, x, y)
    }
    fn mul(&mut self, x: &Atom, y: &Atom) -> R<Atom> {
        self.binary(BinaryOp::Mul, x, y)
    }
    fn div(&mut self, x: &Atom, y: &Atom) -> R<Atom> {
        self.binary(BinaryOp::Div, x, y)
    }
    fn neg(&mut self, x: &Atom) -> R<Atom> {
        self.unary(UnaryOp::Neg, x)
    }

    fn compare(&mut self, c: Cmp, x: &Atom, y: &Atom) -> R<Atom> {
        let (x, y) = self.match_shapes(x, y)?;
        self.apply1(Prim::new(Compare(c)), &[x, y])
    }

    fn select(&mut self, pred: &Atom, a: &Atom, b: &Atom) -> R<Atom> {
        let (a, b) = self.match_shapes(a, b)?;
        let shape = a.ty().shape;
        let pred = self.broadcast_scalar(pred, &shape)?;
        self.apply1(Prim::new(Select), &[pred, a, b])
    }

    fn convert(&mut self, x: &Atom, dtype: DType) -> R<Atom> {
        if x.ty().dtype == dtype {
            return Ok(x.clone());
        }
        self.apply1(Prim::new(Convert(dtype)), std::slice::from_ref(x))
    }

    fn broadcast(&mut self, x: &Atom, shape: &[usize], dims: &[usize]) -> R<Atom> {
        if x.ty().shape == shape {
            return Ok(x.clone());
        }
        let prim = Broadcast {
            shape: shape.to_vec(),
            dims: dims.to_vec(),
        };
        self.apply1(Prim::new(prim), std::slice::from_ref(x))
    }

    fn broadcast_scalar(&mut self, x: &Atom, shape: &[usize]) -> R<Atom> {
        if x.ty().shape == shape {
            return Ok(x.clone());
        }
        if !x.ty().shape.is_empty() {
            return Err(format!("cannot broadcast {} to {:?}", x.ty(), shape).into());
        }
        self.broadcast(x, shape, &[])
    }

    fn reshape(&mut self, x: &Atom, shape: &[usize]) -> R<Atom> {
        if x.ty().shape == shape {
            return Ok(x.clone());
        }
        let prim = Reshape {
            shape: shape.to_vec(),
        };
        self.apply1(Prim::new(prim), std::slice::from_ref(x))
    }

    fn reduce_sum(&mut self, x: &Atom, axes: &[usize]) -> R<Atom> {
        if axes.is_empty() {
            return Ok(x.clone());
        }
        let prim = Reduce {
            op: ReduceOp::Sum,
            axes: axes.to_vec(),
        };
        self.apply1(Prim::new(prim), std::slice::from_ref(x))
    }

    fn zeros(&mut self, ty: &TensorType) -> R<Atom> {
        let z = self.scalar(ty.dtype, 0.0);
        self.broadcast_scalar(&z, &ty.shape)
    }

    fn tangent_or_zero(&mut self, t: &Option<Atom>, primal: &Atom) -> R<Atom> {
        match t {
            Some(t) => Ok(t.clone()),
            None => self.zeros(&primal.ty()),
        }
    }

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
        Err(format!("operand shapes differ: {} and {}", x.ty(), y.ty()).into())
    }
}

/// The tangent `t`, or zeros of the primal's type for a symbolic zero.
pub fn tangent_or_zero(b: &mut Builder, t: &Option<Atom>, primal: &Atom) -> R<Atom> {
    b.tangent_or_zero(t, primal)
}
