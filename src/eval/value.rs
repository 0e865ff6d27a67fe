//! Runtime values of the evaluator: arrays (concrete or traced), trees,
//! functions, keys and the small host-only values.

use super::module::ModuleEnv;
use crate::backend::runtime::Handle;
use crate::ir::Var;
use crate::syntax::ast::{Expr, FnDef, Param};
use crate::tensor::{Data, Tensor, C128, C64};
use crate::types::{DType, Mesh, TensorType, Weak};
use indexmap::IndexMap;
use std::rc::Rc;
use std::sync::Arc;

/// An array: a concrete host tensor or a variable of the trace being built.
#[derive(Clone, Debug)]
pub enum Arr {
    /// A known value. Weak literals (`2.0`, `3`) are concrete scalars kept at
    /// full precision (f64, i64 or c128) with `weak` set; their dtype is decided
    /// by the operand they meet, as Python scalars are in JAX.
    Const { value: Tensor, weak: Option<Weak> },
    /// A value known only by type, inside a trace.
    Traced(Var),
    /// A known value a runtime holds, e.g. in an XLA device buffer
    /// (fetched when read).
    Device(Handle),
}

impl Arr {
    pub fn new(value: Tensor) -> Arr {
        Arr::Const { value, weak: None }
    }

    pub fn weak_float(v: f64) -> Arr {
        Arr::Const {
            value: Tensor::scalar_f64(v),
            weak: Some(Weak::Float),
        }
    }
    pub fn weak_int(v: i64) -> Arr {
        Arr::Const {
            value: Tensor::scalar_i64(v),
            weak: Some(Weak::Int),
        }
    }
    pub fn weak_complex(re: f64, im: f64) -> Arr {
        Arr::Const {
            value: Tensor::scalar_c128(crate::tensor::C128::new(re, im)),
            weak: Some(Weak::Complex),
        }
    }

    /// The dtype the array has on its own (a weak literal's default dtype).
    pub fn dtype(&self) -> DType {
        match self {
            Arr::Const {
                value,
                weak: Some(w),
            } => weak_default(value, *w),
            Arr::Const { value, weak: None } => value.dtype(),
            Arr::Traced(v) => v.ty.dtype,
            Arr::Device(d) => d.ty().dtype,
        }
    }

    pub fn shape(&self) -> &[usize] {
        match self {
            Arr::Const { value, .. } => value.shape(),
            Arr::Traced(v) => &v.ty.shape,
            Arr::Device(d) => &d.ty().shape,
        }
    }

    pub fn ty(&self) -> TensorType {
        TensorType::new(self.dtype(), self.shape().to_vec())
    }

    pub fn rank(&self) -> usize {
        self.shape().len()
    }

    /// Whether the value is known (on the host or on a device), not traced.
    pub fn is_known(&self) -> bool {
        !matches!(self, Arr::Traced(_))
    }

    pub fn weak(&self) -> Option<Weak> {
        match self {
            Arr::Const { weak, .. } => *weak,
            Arr::Traced(_) | Arr::Device(_) => None,
        }
    }

    /// The concrete tensor, in its own dtype (weak literals converted to their default).
    pub fn concrete(&self) -> Option<Tensor> {
        match self {
            Arr::Const { value, weak: None } => Some(value.clone()),
            Arr::Const {
                value,
                weak: Some(w),
            } => Some(convert_scalar(value, weak_default(value, *w))),
            Arr::Traced(_) => None,
            Arr::Device(d) => d.to_host().ok(),
        }
    }

    /// A concrete integer scalar (static index, size, axis), if this is one.
    pub fn static_int(&self) -> Option<i64> {
        match self {
            Arr::Const { value, .. } if value.rank() == 0 => value.as_int_scalar(),
            Arr::Device(d) if d.ty().shape.is_empty() => d.to_host().ok()?.as_int_scalar(),
            _ => None,
        }
    }
}

/// The dtype a weak literal takes alone: its kind's default (`i32`, `f32`,
/// `c64`), except that an integer outside `i32`'s range is `i64`, as NumPy
/// makes a Python int, so that it never wraps.
pub fn weak_default(value: &Tensor, w: Weak) -> DType {
    match (w, value.as_int_scalar()) {
        (Weak::Int, Some(v)) if i32::try_from(v).is_err() => DType::I64,
        _ => w.default_dtype(),
    }
}

/// Converts a concrete scalar (as weak literals hold them) to `dtype`.
pub fn convert_scalar(t: &Tensor, dtype: DType) -> Tensor {
    if t.dtype() == dtype {
        return t.clone();
    }
    match (t.to_c64_vec().first(), dtype) {
        (Some(&(re, im)), DType::C64) => Tensor::scalar_c64(C64::new(re as f32, im as f32)),
        (Some(&(re, im)), DType::C128) => Tensor::scalar_c128(C128::new(re, im)),
        _ => convert_real_scalar(t, dtype),
    }
}

/// [`convert_scalar`] to a real dtype (a complex scalar keeps its real part).
fn convert_real_scalar(t: &Tensor, dtype: DType) -> Tensor {
    match (t.data(), dtype) {
        (Data::I64(v), DType::I32) => Tensor::scalar_i32(v[0] as i32),
        (_, d) => Tensor::scalar_of(d, t.get_f64(0)),
    }
}

/// How a function made by `grad` or `value_and_grad` differentiates.
#[derive(Clone, Debug)]
pub struct GradOptions {
    /// The positions of the arguments differentiated (a tuple of gradients when `tuple`).
    pub wrt: Vec<usize>,
    pub tuple: bool,
    /// `value_and_grad`: the value comes too.
    pub with_value: bool,
    /// `f` returns `(value, aux)`; `aux` is passed through, not differentiated.
    pub has_aux: bool,
}

/// A function value.
#[derive(Clone, Debug)]
pub enum Func {
    /// A `fn` definition; its free names resolve in its module's globals.
    Def {
        def: Rc<FnDef>,
        module: Rc<ModuleEnv>,
    },
    /// A lambda and the variables it captured, by value, when it was made.
    Lambda {
        params: Rc<Vec<Param>>,
        body: Rc<Expr>,
        captured: Rc<Vec<(String, Value)>>,
        module: Rc<ModuleEnv>,
    },
    /// A builtin function, by its index in the builtin table.
    Builtin(usize),
    /// `grad(f, ...)` or `value_and_grad(f, ...)`.
    Grad { f: Value, how: GradOptions },
    /// The pullback `vjp` returns: output cotangents to argument cotangents.
    Pullback(Rc<crate::eval::transform::Pullback>),
    /// `vmap(f, in_axes, out_axes)`: `f` mapped over a batch axis of its arguments.
    Vmap {
        f: Value,
        in_axes: crate::eval::vmap::Axes,
        out_axes: crate::eval::vmap::Axes,
    },
    /// A graph applied to the values it closes over, then the leaves of its
    /// arguments, which must have the structure `args` (a tuple) and the
    /// types it was traced for: a linear map handed to a solver,
    /// `closure_convert`'s function, `ravel`'s `unravel`.
    Graph {
        graph: Rc<crate::ir::Graph>,
        consts: Vec<Arr>,
        args: crate::eval::tree::TreeDef,
        output: crate::eval::tree::TreeDef,
    },
    /// `custom_jvp(f, rule)`: `f` with its own forward-mode rule.
    CustomJvp { f: Value, rule: Value },
    /// `custom_vjp(f, fwd, bwd)`: `f` with its own reverse-mode rule.
    CustomVjp { f: Value, fwd: Value, bwd: Value },
    /// `jacobian(f, wrt)` (`hessian` is the Jacobian of `grad(f, wrt)`).
    Jacobian {
        f: Value,
        wrt: Vec<usize>,
        tuple: bool,
    },
}

/// A value of the language.
#[derive(Clone, Debug)]
pub enum Value {
    Arr(Arr),
    Tuple(Rc<Vec<Value>>),
    Record(Rc<IndexMap<String, Value>>),
    /// `[a, b]`: shapes and lists of arrays.
    List(Rc<Vec<Value>>),
    Func(Rc<Func>),
    /// A PRNG key: raw `u32[2]` data.
    Key(Arr),
    Str(Rc<str>),
    DType(DType),
    /// `none` (e.g. in `in_axes` or `axis = none`).
    None,
    Module(Rc<ModuleEnv>),
    /// A device mesh (`mesh(...)`): a static host value, like a string.
    Mesh(Arc<Mesh>),
}

impl Value {
    pub fn unit() -> Value {
        Value::Tuple(Rc::new(vec![]))
    }

    pub fn tensor(t: Tensor) -> Value {
        Value::Arr(Arr::new(t))
    }

    /// What kind of value this is, for messages: "an array f32[3]", "a record", ...
    pub fn describe(&self) -> String {
        match self {
            Value::Arr(a) => format!("an array {}", a.ty()),
            Value::Tuple(t) => format!("a tuple of {}", t.len()),
            Value::Record(_) => "a record".into(),
            Value::List(_) => "a list".into(),
            Value::Func(_) => "a function".into(),
            Value::Key(_) => "a key".into(),
            Value::Str(_) => "a string".into(),
            Value::DType(d) => format!("the dtype {}", d),
            Value::None => "none".into(),
            Value::Module(_) => "a module".into(),
            Value::Mesh(_) => "a mesh".into(),
        }
    }
}
