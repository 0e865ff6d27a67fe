//! The trace cache: a host call of a function with arguments of the same
//! types as an earlier call runs the program traced then, without tracing,
//! transforming or lowering it again (docs/architecture.md, "Trace cache").
//!
//! An entry is found by the called function's identity and checked against
//! everything its trace depended on: the function value (its definition,
//! the values a lambda captured, the functions a transformation wraps, its
//! options), the argument structure and the type of each leaf (and the
//! value of each weak integer traced as a constant), and every module
//! global the trace read, compared with its value now. Values are compared
//! by identity (arrays are immutable) or, when small, by their bytes, so a
//! global that was given a new value makes the call trace again.

use super::module::GlobalRead;
use super::tree::TreeDef;
use super::value::{Arr, Func, Value};
use crate::backend::runtime::Prepared;
use crate::types::{TensorType, Weak};
use std::collections::HashMap;
use std::rc::Rc;

/// Arrays up to this many elements are compared by value, larger ones by
/// identity only.
const BY_VALUE: usize = 64;

/// Entries kept per function identity; the oldest goes first.
const PER_FUNCTION: usize = 16;

/// A traced call ready to run again.
pub struct Program {
    /// The program's name (a function's name, or the transformation's).
    pub name: String,
    pub graph: crate::ir::Graph,
    /// The structure of the result.
    pub output: TreeDef,
    /// Whether the weak integer leaves of the arguments are constants of
    /// the program (not inputs).
    pub statics: bool,
    /// The runtime's prepared program; `None` when the graph prints (it
    /// then runs as any program with prints does, see `effects.rs`).
    pub prepared: Option<Rc<dyn Prepared>>,
    /// A number unique to this program in its evaluator.
    pub id: usize,
    /// For a host `vjp` call, how the pullbacks it returns run. Its
    /// program gives the result's leaves (`output` is the result's
    /// structure), then the residuals.
    pub pullback: Option<Rc<super::transform::PullbackPlan>>,
}

/// What identifies the arguments of a call: their structure and a
/// signature per leaf.
pub struct ArgKey {
    pub def: TreeDef,
    pub leaves: Vec<Leaf>,
}

/// One argument leaf: its type (a weak literal's default dtype: its
/// input has that type), and its value when a weak integer (which a trace
/// may have made a constant).
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    ty: TensorType,
    int: Option<i64>,
}

impl Leaf {
    pub fn of(a: &Arr) -> Leaf {
        Leaf {
            ty: a.ty(),
            int: (a.weak() == Some(Weak::Int))
                .then(|| a.static_int())
                .flatten(),
        }
    }

    /// Whether a call with leaf `other` can run a program traced for `self`.
    fn admits(&self, other: &Leaf, statics: bool) -> bool {
        self.ty == other.ty && (!statics || self.int == other.int)
    }
}

struct Entry {
    /// The function called (kept, so that what it captured stays alive and
    /// identities stay unique).
    func: Value,
    args: ArgKey,
    reads: Vec<GlobalRead>,
    program: Rc<Program>,
}

impl Entry {
    fn admits(&self, func: &Value, args: &ArgKey) -> bool {
        let p = &self.program;
        same_value(&self.func, func)
            && self.args.leaves.len() == args.leaves.len()
            && (self.args.leaves.iter().zip(&args.leaves)).all(|(a, b)| a.admits(b, p.statics))
            && same_def(&self.args.def, &args.def)
            && self
                .reads
                .iter()
                .all(|(m, name, v)| match (m.get(name), v) {
                    (Some(now), Some(then)) => same_value(&now, then),
                    (None, None) => true,
                    _ => false,
                })
    }
}

/// The programs traced from the host, and how often calls traced.
pub struct TraceCache {
    /// Off: every host call traces, as a cache that never hits would
    /// (and transformed functions run their parts as separate programs).
    pub enabled: bool,
    entries: HashMap<usize, Vec<Entry>>,
    /// Host calls that traced (a cache miss).
    pub traces: usize,
    /// Host calls that ran a cached program.
    pub hits: usize,
    next_id: usize,
}

impl Default for TraceCache {
    fn default() -> TraceCache {
        TraceCache {
            enabled: true,
            entries: HashMap::new(),
            traces: 0,
            hits: 0,
            next_id: 0,
        }
    }
}

impl TraceCache {
    /// The program for a call of `func` with arguments `args`, if one was traced.
    pub fn find(&mut self, func: &Value, args: &ArgKey) -> Option<Rc<Program>> {
        if !self.enabled {
            return None;
        }
        let bucket = self.entries.get(&identity(func))?;
        let entry = bucket.iter().rev().find(|e| e.admits(func, args))?;
        self.hits += 1;
        Some(entry.program.clone())
    }

    /// A fresh program id.
    pub fn next_id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    /// Keeps `program`, traced for `func` on `args` having read `reads`.
    pub fn insert(
        &mut self,
        func: Value,
        args: ArgKey,
        mut reads: Vec<GlobalRead>,
        program: Rc<Program>,
    ) {
        if !self.enabled {
            return;
        }
        let mut seen = std::collections::HashSet::new();
        reads.retain(|(m, name, _)| seen.insert((Rc::as_ptr(m), name.clone())));
        let bucket = self.entries.entry(identity(&func)).or_default();
        if bucket.len() >= PER_FUNCTION {
            bucket.remove(0);
        }
        bucket.push(Entry {
            func,
            args,
            reads,
            program,
        });
    }
}

/// A number equal for functions that may be the same (their definitions),
/// to find the entries to check.
fn identity(v: &Value) -> usize {
    let Value::Func(f) = v else { return 0 };
    let inner = |f: &Value, tag: usize| identity(f).wrapping_mul(31).wrapping_add(tag);
    match &**f {
        Func::Def { def, .. } => Rc::as_ptr(def) as usize,
        // A lambda expression evaluated again makes a new body: its place
        // in the source is what stays.
        Func::Lambda { body, .. } => span_identity(body.span),
        Func::Builtin(id) => *id,
        Func::Grad { f, .. } => inner(f, 1),
        Func::Vmap { f, .. } => inner(f, 2),
        Func::Jacobian { f, .. } => inner(f, 3),
        Func::CustomJvp { f, .. } => inner(f, 4),
        Func::CustomVjp { f, .. } => inner(f, 5),
        Func::Pullback(p) => Rc::as_ptr(p) as usize,
        Func::Graph { graph, .. } => Rc::as_ptr(graph) as usize,
    }
}

fn span_identity(s: crate::span::Span) -> usize {
    (s.file.0 as usize) << 40 ^ (s.start as usize) << 20 ^ s.end as usize
}

/// Whether two values are the same for a trace: identical, or equal
/// small arrays, or trees and functions made of such.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Arr(x), Value::Arr(y)) | (Value::Key(x), Value::Key(y)) => same_arr(x, y),
        (Value::Tuple(x), Value::Tuple(y)) | (Value::List(x), Value::List(y)) => {
            Rc::ptr_eq(x, y) || same_values(x, y)
        }
        (Value::Record(x), Value::Record(y)) => {
            Rc::ptr_eq(x, y)
                || (x.len() == y.len()
                    && (x.iter().zip(y.iter())).all(|((k, u), (l, v))| k == l && same_value(u, v)))
        }
        (Value::Func(x), Value::Func(y)) => Rc::ptr_eq(x, y) || same_func(x, y),
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::DType(x), Value::DType(y)) => x == y,
        (Value::None, Value::None) => true,
        (Value::Module(x), Value::Module(y)) => Rc::ptr_eq(x, y),
        (Value::Mesh(x), Value::Mesh(y)) => x == y,
        (Value::Arr(_), _)
        | (Value::Key(_), _)
        | (Value::Tuple(_), _)
        | (Value::List(_), _)
        | (Value::Record(_), _)
        | (Value::Func(_), _)
        | (Value::Str(_), _)
        | (Value::DType(_), _)
        | (Value::None, _)
        | (Value::Module(_), _)
        | (Value::Mesh(_), _) => false,
    }
}

fn same_values(x: &[Value], y: &[Value]) -> bool {
    x.len() == y.len() && x.iter().zip(y).all(|(u, v)| same_value(u, v))
}

/// The same array: the same host data (or equal bytes when small), the
/// same device array, or the same traced variable.
fn same_arr(a: &Arr, b: &Arr) -> bool {
    match (a, b) {
        (Arr::Const { value: x, weak: u }, Arr::Const { value: y, weak: v }) => {
            u == v
                && x.dtype() == y.dtype()
                && x.shape() == y.shape()
                && (x.same_buffer(y) || (x.data().len() <= BY_VALUE && x.same_bits(y)))
        }
        (Arr::Device(x), Arr::Device(y)) => {
            std::ptr::eq(Rc::as_ptr(x) as *const u8, Rc::as_ptr(y) as *const u8)
        }
        (Arr::Traced(x), Arr::Traced(y)) => x.id == y.id,
        (Arr::Const { .. }, _) | (Arr::Device(_), _) | (Arr::Traced(_), _) => false,
    }
}

/// The same function: one definition with the same captures, or one
/// transformation of the same functions with the same options.
fn same_func(a: &Func, b: &Func) -> bool {
    match (a, b) {
        (Func::Def { def: d, module: m }, Func::Def { def: e, module: n }) => {
            Rc::ptr_eq(d, e) && Rc::ptr_eq(m, n)
        }
        (
            Func::Lambda {
                body: d,
                captured: c,
                module: m,
                ..
            },
            Func::Lambda {
                body: e,
                captured: k,
                module: n,
                ..
            },
        ) => {
            (Rc::ptr_eq(d, e) || d.span == e.span)
                && Rc::ptr_eq(m, n)
                && c.len() == k.len()
                && (c.iter().zip(k.iter())).all(|((p, u), (q, v))| p == q && same_value(u, v))
        }
        (Func::Builtin(x), Func::Builtin(y)) => x == y,
        (Func::Grad { f, how: h }, Func::Grad { f: g, how: k }) => {
            same_value(f, g)
                && (h.wrt == k.wrt)
                && (h.tuple, h.with_value, h.has_aux) == (k.tuple, k.with_value, k.has_aux)
        }
        (
            Func::Vmap {
                f,
                in_axes: i,
                out_axes: o,
            },
            Func::Vmap {
                f: g,
                in_axes: j,
                out_axes: p,
            },
        ) => same_value(f, g) && same_axes(i, j) && same_axes(o, p),
        (
            Func::Jacobian { f, wrt, tuple },
            Func::Jacobian {
                f: g,
                wrt: w,
                tuple: t,
            },
        ) => same_value(f, g) && wrt == w && tuple == t,
        (Func::CustomJvp { f, rule }, Func::CustomJvp { f: g, rule: r }) => {
            same_value(f, g) && same_value(rule, r)
        }
        (
            Func::CustomVjp { f, fwd, bwd },
            Func::CustomVjp {
                f: g,
                fwd: u,
                bwd: v,
            },
        ) => same_value(f, g) && same_value(fwd, u) && same_value(bwd, v),
        (Func::Pullback(x), Func::Pullback(y)) => Rc::ptr_eq(x, y),
        (
            Func::Graph {
                graph: x,
                consts: c,
                ..
            },
            Func::Graph {
                graph: y,
                consts: k,
                ..
            },
        ) => Rc::ptr_eq(x, y) && c.len() == k.len() && c.iter().zip(k).all(|(u, v)| same_arr(u, v)),
        (Func::Def { .. }, _)
        | (Func::Lambda { .. }, _)
        | (Func::Builtin(_), _)
        | (Func::Grad { .. }, _)
        | (Func::Vmap { .. }, _)
        | (Func::Jacobian { .. }, _)
        | (Func::CustomJvp { .. }, _)
        | (Func::CustomVjp { .. }, _)
        | (Func::Pullback(_), _)
        | (Func::Graph { .. }, _) => false,
    }
}

fn same_axes(a: &super::vmap::Axes, b: &super::vmap::Axes) -> bool {
    use super::vmap::Axes;
    match (a, b) {
        (Axes::All(x), Axes::All(y)) => x == y,
        (Axes::Each(x), Axes::Each(y)) => x == y,
        (Axes::All(_), Axes::Each(_)) | (Axes::Each(_), Axes::All(_)) => false,
    }
}

/// The same tree structure, with the same static leaves.
fn same_def(a: &TreeDef, b: &TreeDef) -> bool {
    match (a, b) {
        (TreeDef::Arr, TreeDef::Arr) | (TreeDef::Key, TreeDef::Key) => true,
        (TreeDef::Tuple(x), TreeDef::Tuple(y)) | (TreeDef::List(x), TreeDef::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_def(p, q))
        }
        (TreeDef::Record(x), TreeDef::Record(y)) => {
            x.len() == y.len() && (x.iter().zip(y)).all(|((k, p), (l, q))| k == l && same_def(p, q))
        }
        (TreeDef::Static(x), TreeDef::Static(y)) => same_value(x, y),
        (TreeDef::Arr, _)
        | (TreeDef::Key, _)
        | (TreeDef::Tuple(_), _)
        | (TreeDef::List(_), _)
        | (TreeDef::Record(_), _)
        | (TreeDef::Static(_), _) => false,
    }
}
