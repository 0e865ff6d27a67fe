//! Elementwise primitives: unary and binary arithmetic, comparisons, select, conversions.

use crate::tensor::Tensor;
use crate::types::{DType, TensorType};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Exp,
    Log,
    Log1p,
    Expm1,
    Sqrt,
    Rsqrt,
    Abs,
    Sign,
    Sin,
    Cos,
    Tanh,
    /// `1 / (1 + exp(-x))`
    Logistic,
    Floor,
    Ceil,
    /// Round half to even.
    Round,
    /// Logical not on bool, bitwise not on integers.
    Not,
    Real,
    Imag,
    Conj,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    /// Integer division truncates toward zero.
    Div,
    /// Truncated remainder (sign of the dividend), as StableHLO `remainder`.
    Rem,
    Pow,
    Max,
    Min,
    Atan2,
    /// `complex(re, im)`: two `f32` give `c64`.
    Complex,
    And,
    Or,
    Xor,
    ShiftLeft,
    ShiftRightLogical,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl UnaryOp {
    pub fn name(self) -> &'static str {
        match self {
            UnaryOp::Neg => "neg",
            UnaryOp::Exp => "exp",
            UnaryOp::Log => "log",
            UnaryOp::Log1p => "log1p",
            UnaryOp::Expm1 => "expm1",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Rsqrt => "rsqrt",
            UnaryOp::Abs => "abs",
            UnaryOp::Sign => "sign",
            UnaryOp::Sin => "sin",
            UnaryOp::Cos => "cos",
            UnaryOp::Tanh => "tanh",
            UnaryOp::Logistic => "logistic",
            UnaryOp::Floor => "floor",
            UnaryOp::Ceil => "ceil",
            UnaryOp::Round => "round",
            UnaryOp::Not => "not",
            UnaryOp::Real => "real",
            UnaryOp::Imag => "imag",
            UnaryOp::Conj => "conj",
        }
    }
}

impl BinaryOp {
    pub fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::Rem => "rem",
            BinaryOp::Pow => "pow",
            BinaryOp::Max => "max",
            BinaryOp::Min => "min",
            BinaryOp::Atan2 => "atan2",
            BinaryOp::Complex => "complex",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Xor => "xor",
            BinaryOp::ShiftLeft => "shift_left",
            BinaryOp::ShiftRightLogical => "shift_right_logical",
        }
    }
}

impl Cmp {
    pub fn name(self) -> &'static str {
        match self {
            Cmp::Eq => "eq",
            Cmp::Ne => "ne",
            Cmp::Lt => "lt",
            Cmp::Le => "le",
            Cmp::Gt => "gt",
            Cmp::Ge => "ge",
        }
    }
}

pub fn infer_unary(op: UnaryOp, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (op, inputs);
    Err("not yet implemented".into())
}
pub fn infer_binary(op: BinaryOp, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (op, inputs);
    Err("not yet implemented".into())
}
pub fn infer_compare(c: Cmp, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (c, inputs);
    Err("not yet implemented".into())
}
pub fn infer_select(inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = inputs;
    Err("not yet implemented".into())
}
pub fn infer_convert(d: DType, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (d, inputs);
    Err("not yet implemented".into())
}
pub fn infer_bitcast(d: DType, inputs: &[TensorType]) -> Result<Vec<TensorType>, String> {
    let _ = (d, inputs);
    Err("not yet implemented".into())
}
pub fn eval_unary(op: UnaryOp, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (op, inputs);
    Err("not yet implemented".into())
}
pub fn eval_binary(op: BinaryOp, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (op, inputs);
    Err("not yet implemented".into())
}
pub fn eval_compare(c: Cmp, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (c, inputs);
    Err("not yet implemented".into())
}
pub fn eval_select(inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = inputs;
    Err("not yet implemented".into())
}
pub fn eval_convert(d: DType, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (d, inputs);
    Err("not yet implemented".into())
}
pub fn eval_bitcast(d: DType, inputs: &[Tensor]) -> Result<Vec<Tensor>, String> {
    let _ = (d, inputs);
    Err("not yet implemented".into())
}
