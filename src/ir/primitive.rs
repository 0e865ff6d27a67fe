//! The interface every primitive implements, and the handle the IR holds.
//!
//! A primitive is one type with one set of rules: [`Primitive`] has no
//! default bodies, so a primitive that leaves out a rule does not compile.
//! The concrete primitives live in `crate::prims` (above this layer); the
//! IR, the interpreter, the simplifier and the transformations only call
//! the trait. Primitives without regions share the region rules through
//! `no_regions!`, invoked explicitly in each impl.

use super::builder::Builder;
use super::emit::{Emitter, Value};
use super::stage::{Stager, Walk};
use super::transforms::{Staged, Tx};
use super::{Atom, Eqn, Graph, Var, VarId};
use crate::diag::Diagnostic;
use crate::tensor::kernels::KernelError;
use crate::tensor::Tensor;
use crate::types::TensorType;
use std::any::Any;
use std::collections::HashSet;
use std::fmt::Debug;
use std::sync::Arc;

/// What a rule of [`Primitive`] reports when it cannot apply: inputs that
/// do not fit (`Invalid`, a message for the user, as `infer` gives), or a
/// broken invariant (`Internal`, a bug in nest). A `String` or `&str`
/// converts to `Invalid`, so rules written with `?` on messages keep
/// working; the `Display` of `Internal` starts with `internal error: `.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PrimError {
    #[error("{0}")]
    Invalid(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl PrimError {
    /// A broken invariant: `internal error: {m}`.
    pub fn internal(m: impl Into<String>) -> PrimError {
        PrimError::Internal(m.into())
    }

    /// The transpose rule of a primitive that never appears linearly.
    pub fn not_linear(name: &str) -> PrimError {
        PrimError::Invalid(format!(
            "{name} is not linear in its inputs; it cannot be transposed"
        ))
    }
}

impl PrimError {
    /// The same kind of error with `prefix: ` before its message (the
    /// primitive or pass it came from).
    pub fn context(self, prefix: impl std::fmt::Display) -> PrimError {
        match self {
            PrimError::Invalid(m) => PrimError::Invalid(format!("{}: {}", prefix, m)),
            PrimError::Internal(m) => PrimError::Internal(format!("{}: {}", prefix, m)),
        }
    }

    /// Whether this is a broken invariant rather than a user error.
    pub fn is_internal(&self) -> bool {
        matches!(self, PrimError::Internal(_))
    }
}

/// A kernel fails only on a broken invariant.
impl From<KernelError> for PrimError {
    fn from(e: KernelError) -> PrimError {
        PrimError::Internal(e.0)
    }
}

impl From<String> for PrimError {
    fn from(m: String) -> PrimError {
        PrimError::Invalid(m)
    }
}

impl From<&str> for PrimError {
    fn from(m: &str) -> PrimError {
        PrimError::Invalid(m.to_string())
    }
}

/// For the passes that still report errors as messages.
impl From<PrimError> for String {
    fn from(e: PrimError) -> String {
        e.to_string()
    }
}

impl From<PrimError> for Diagnostic {
    fn from(e: PrimError) -> Diagnostic {
        match e {
            PrimError::Invalid(m) => Diagnostic::new(m),
            PrimError::Internal(m) => Diagnostic::internal(m),
        }
    }
}

/// The result of a rule of [`Primitive`].
pub type RuleResult<T> = Result<T, PrimError>;

/// Output tangents (or input cotangents) of a rule (`None`: a symbolic zero).
pub type JvpResult = Result<Vec<Option<Atom>>, String>;

/// Outputs of a batching rule, and which of them are batched.
pub type BatchResult = Result<(Vec<Atom>, Vec<bool>), String>;

/// Comparison and downcasting of primitives behind `dyn`; implemented for
/// every `PartialEq` type, so a primitive only derives `PartialEq`.
pub trait DynEq {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn dyn_eq(&self, other: &dyn Any) -> bool;
}

impl<T: PartialEq + 'static> DynEq for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn dyn_eq(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<T>().is_some_and(|o| o == self)
    }
}

/// The rules of one primitive (or of one family with an op enum).
///
/// Conventions shared by all primitives:
/// * binary elementwise primitives take operands of equal shape and dtype:
///   the tracer broadcasts and promotes before emitting them;
/// * axes, permutations and sizes are static parameters of the primitive;
/// * `eval` and `lower` may assume their inputs passed `infer`;
/// * rules that transform emit IR through the [`Builder`] and never compute
///   numbers, so a transformed graph can be transformed again.
pub trait Primitive: Debug + Send + Sync + Any + DynEq {
    /// The name the IR printer shows.
    fn name(&self) -> &'static str;

    /// The shape/dtype rule: output types from input types, or a message
    /// saying what is wrong.
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>>;

    /// The interpreter kernel.
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>>;

    /// The StableHLO lowering: emits the ops computing the results (of
    /// types `outs`) from the lowered `inputs`, with the kernel's semantics.
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>>;

    /// The JVP rule: tangents of the outputs from the primal inputs, the
    /// primal outputs and the input tangents (`None` is a symbolic zero).
    /// An output of integer or bool dtype has no tangent.
    fn jvp(
        &self,
        b: &mut Builder,
        primals: &[Atom],
        outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>>;

    /// The transpose rule of a primitive linear in the inputs marked
    /// `linear` (the others are constants): cotangents of those inputs from
    /// the outputs' cotangents (`None` is a zero cotangent, in and out).
    fn transpose(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>>;

    /// The batching rule, called with at least one input batched (see
    /// `prims/batching.rs` for the convention; [`Prim::batch`] handles the
    /// rest): outputs on a batch of `size`, and which of them are batched.
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)>;

    /// The partial-evaluation rule of a primitive with regions, for an
    /// equation whose inputs are partly `unknown`; `None` when the equation
    /// goes to the unknown side whole as soon as one input is unknown.
    fn partial_eval(
        &self,
        t: Tx,
        eqn: &Eqn,
        unknown: &[bool],
    ) -> Result<Option<Staged>, Diagnostic>;

    /// The nested graphs of the primitive.
    fn regions(&self) -> Vec<&Graph>;

    /// The primitive with each nested graph replaced by `f(graph)`.
    fn map_regions(&self, f: &mut dyn FnMut(&Graph) -> Graph) -> Prim;

    /// The regions with the names the IR printer shows them under.
    fn region_labels(&self) -> Vec<(String, &Graph)>;

    /// The static parameters the IR printer shows (`axes=[0]`).
    fn params(&self) -> Vec<String>;

    /// Whether the primitive itself has an effect (a `print`); an equation
    /// whose regions hold one has an effect too ([`Prim::has_effect`]).
    fn own_effect(&self) -> bool;

    /// The staging rule (see `ir/stage.rs`) of an equation with an effect:
    /// emits through `w` equations that also thread the print state, and
    /// returns the atoms standing for the equation's `outs`.
    fn stage(
        &self,
        st: &mut Stager,
        w: &mut Walk,
        inputs: &[Atom],
        outs: &[Var],
    ) -> RuleResult<Vec<Atom>>;

    /// The dead-code rule of a kept equation (its regions already pruned):
    /// drops operands and results that nothing needs; `live` holds the
    /// variables used after it. Sets `changed` if it removed anything.
    fn prune(&self, eqn: Eqn, live: &HashSet<VarId>, changed: &mut bool) -> Eqn;

    /// For loop-invariant code motion: the loop body whose first `n_consts`
    /// inputs are the same on every iteration (`None`: not a loop).
    fn loop_body(&self) -> Option<(&Graph, usize)>;

    /// The loop with `body` in place of its body and `new` inputs added
    /// after its constants (as [`Primitive::loop_body`] describes it).
    fn with_loop_body(&self, body: Graph, new: Vec<Var>) -> Option<Prim>;

    /// For simplification: the operand the equation returns unchanged, if
    /// any (`x * 1`, a reshape to the same shape, `select` on a constant).
    fn forwards(&self, inputs: &[Atom], out: &TensorType) -> Option<usize>;
}

/// The region rules of a primitive without regions, and the simplification
/// rules that follow from having none (to invoke in its `impl Primitive`).
macro_rules! no_regions {
    () => {
        fn regions(&self) -> Vec<&$crate::ir::Graph> {
            vec![]
        }
        fn map_regions(
            &self,
            _f: &mut dyn FnMut(&$crate::ir::Graph) -> $crate::ir::Graph,
        ) -> $crate::ir::Prim {
            $crate::ir::Prim::new(self.clone())
        }
        fn region_labels(&self) -> Vec<(String, &$crate::ir::Graph)> {
            vec![]
        }
        fn partial_eval(
            &self,
            _t: $crate::ir::transforms::Tx,
            _eqn: &$crate::ir::Eqn,
            _unknown: &[bool],
        ) -> Result<Option<$crate::ir::transforms::Staged>, $crate::diag::Diagnostic> {
            Ok(None)
        }
        fn prune(
            &self,
            eqn: $crate::ir::Eqn,
            _live: &std::collections::HashSet<$crate::ir::VarId>,
            _changed: &mut bool,
        ) -> $crate::ir::Eqn {
            eqn
        }
        fn loop_body(&self) -> Option<(&$crate::ir::Graph, usize)> {
            None
        }
        fn with_loop_body(
            &self,
            _body: $crate::ir::Graph,
            _new: Vec<$crate::ir::Var>,
        ) -> Option<$crate::ir::Prim> {
            None
        }
    };
}

/// The effect rules of a primitive without an effect and without regions
/// (to invoke in its `impl Primitive` beside `no_regions!`).
macro_rules! no_effect {
    () => {
        fn own_effect(&self) -> bool {
            false
        }
        fn stage(
            &self,
            _st: &mut $crate::ir::stage::Stager,
            _w: &mut $crate::ir::stage::Walk,
            _inputs: &[$crate::ir::Atom],
            _outs: &[$crate::ir::Var],
        ) -> $crate::ir::primitive::RuleResult<Vec<$crate::ir::Atom>> {
            // No region, hence no effect: never asked.
            Err(format!("{} has no effect to stage", self.name()).into())
        }
    };
}

pub(crate) use {no_effect, no_regions};

/// A primitive as the IR holds it: shared, cloned cheaply, compared by
/// value.
#[derive(Clone)]
pub struct Prim(Arc<dyn Primitive>);

impl Prim {
    pub fn new(p: impl Primitive) -> Prim {
        Prim(Arc::new(p))
    }

    /// The concrete primitive, if it is a `T`.
    pub fn downcast_ref<T: Primitive>(&self) -> Option<&T> {
        self.0.as_any().downcast_ref::<T>()
    }

    /// The concrete primitive, if it is a `T`, to change in place (copied
    /// first if another handle shares it).
    pub fn downcast_mut<T: Primitive + Clone>(&mut self) -> Option<&mut T> {
        let copy = self.downcast_ref::<T>()?.clone();
        if Arc::get_mut(&mut self.0).is_none() {
            self.0 = Arc::new(copy);
        }
        Arc::get_mut(&mut self.0)?.as_any_mut().downcast_mut::<T>()
    }

    /// Whether the equation has an effect (a `print`, or a region holding
    /// one): simplification must keep it, in place, even when its outputs
    /// are unused.
    pub fn has_effect(&self) -> bool {
        self.0.own_effect() || self.0.regions().iter().any(|g| g.has_effects())
    }

    /// The primitive with each nested graph replaced by `f(graph)`.
    pub fn map_regions(&self, mut f: impl FnMut(&Graph) -> Graph) -> Prim {
        self.0.map_regions(&mut f)
    }

    /// The batching rule with the checks every rule shares: with no input
    /// batched the primitive is applied as it is.
    pub fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        batched: &[bool],
        size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        if inputs.len() != batched.len() {
            return Err(format!(
                "{} operands but {} batching flags",
                inputs.len(),
                batched.len()
            )
            .into());
        }
        if !batched.contains(&true) {
            let outs = b.apply(self.clone(), inputs)?;
            let n = outs.len();
            return Ok((outs, vec![false; n]));
        }
        self.0.batch(b, inputs, batched, size)
    }
}

impl std::ops::Deref for Prim {
    type Target = dyn Primitive;
    fn deref(&self) -> &dyn Primitive {
        &*self.0
    }
}

impl PartialEq for Prim {
    fn eq(&self, other: &Prim) -> bool {
        self.0.dyn_eq(other.0.as_any())
    }
}

impl Debug for Prim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
