//! The evaluator's side of `vmap(f, in_axes, out_axes)` (LANGUAGE.md §7).
//!
//! Calling a batched function moves each mapped argument leaf's axis to the
//! front, traces `f` on one example (the mapped leaves become graph inputs
//! of the per-example type; unmapped ones are used as they are, so static
//! values stay static), batches the graph with `vmap_graph`, applies it with
//! `Tracer::call_graph` (inlined inside a `fn`, one compiled program at top
//! level), and moves each result's batch axis to its `out_axes` position.

use super::exec::Evaluator;
use super::ops;
use super::transform::Closed;
use super::tree::{flatten, unflatten, TreeDef};
use super::value::{Arr, Value};
use crate::diag::{Diagnostic, Result};
use crate::ir::simplify::simplify;
use crate::prims::Broadcast;
use crate::prims::Prim;
use crate::span::Span;
use crate::transform::vmap::vmap_graph;
use crate::types::TensorType;

/// `in_axes` or `out_axes`: where the batch axis is (`None`: not mapped).
#[derive(Clone, Debug)]
pub enum Axes {
    /// The same for every argument (every result leaf).
    All(Option<i64>),
    /// One entry per positional argument (per element of a tuple result).
    Each(Vec<Option<i64>>),
}

impl Axes {
    /// Parses an integer, `none`, or a tuple of those.
    pub fn parse(v: &Value) -> Option<Axes> {
        match v {
            Value::Tuple(xs) | Value::List(xs) => xs
                .iter()
                .map(axis_entry)
                .collect::<Option<_>>()
                .map(Axes::Each),
            other => axis_entry(other).map(Axes::All),
        }
    }
}

fn axis_entry(v: &Value) -> Option<Option<i64>> {
    match v {
        Value::None => Some(None),
        Value::Arr(a) if a.rank() == 0 && a.dtype().is_int() => a.static_int().map(Some),
        _ => None,
    }
}

/// Records the batch size of argument `i` (size `n` along axis `a`), or
/// fails if an earlier argument had another.
fn check_size(
    size: &mut Option<(usize, String)>,
    n: usize,
    i: usize,
    a: i64,
    span: Span,
) -> Result<()> {
    let here = format!("argument {} has size {} along axis {}", i, n, a);
    match size {
        Some((m, there)) if *m != n => Err(Diagnostic::at(
            span,
            format!("`vmap`: batch sizes differ: {}, {}", there, here),
        )
        .with_hint("every mapped argument needs the same size along its mapped axis")),
        Some(_) => Ok(()),
        None => {
            *size = Some((n, here));
            Ok(())
        }
    }
}

/// `a` in `[-rank, rank)` to `[0, rank)`.
fn normalize(a: i64, rank: usize) -> Option<usize> {
    let r = i64::try_from(rank).ok()?;
    let a = if a < 0 { a + r } else { a };
    usize::try_from(a).ok().filter(|&a| a < rank)
}

/// The mapped leaves of the arguments: their axis moved to the front.
struct Mapped {
    size: usize,
    /// Per argument, per leaf: the per-example type of a mapped leaf.
    plans: Vec<Vec<Option<TensorType>>>,
    /// The mapped leaves, batch axis first, in order.
    leaves: Vec<Arr>,
}

impl Evaluator {
    /// Calls the function made by `vmap(f, in_axes, out_axes)`.
    pub fn vmap_call(
        &mut self,
        f: &Value,
        in_axes: &Axes,
        out_axes: &Axes,
        args: Vec<Value>,
        span: Span,
    ) -> Result<Value> {
        let axes = per_argument(in_axes, args.len(), span)?;
        let mapped = self.map_arguments(&args, &axes, span)?;
        let closed = self.trace_examples(f, &args, &mapped.plans, span)?;
        let n_consts = closed.consts.len();
        let mut flags = vec![false; n_consts];
        flags.extend(std::iter::repeat_n(true, mapped.leaves.len()));
        let batched =
            vmap_graph(&closed.graph, &flags, mapped.size).map_err(|m| Diagnostic::at(span, m))?;
        let graph = simplify(&batched.graph);
        if cfg!(debug_assertions) {
            crate::ir::verify::verify(&graph)
                .map_err(|m| Diagnostic::internal(format!("invalid batched IR: {}", m)))?;
        }
        let mut inputs = closed.consts.clone();
        inputs.extend(mapped.leaves);
        let outs = self
            .tracer
            .call_graph("vmap", &graph, &inputs)
            .map_err(|m| Diagnostic::at(span, m))?;
        let placed = self.place_results(
            &closed.output,
            outs,
            &batched.out_batched,
            out_axes,
            mapped.size,
            span,
        )?;
        unflatten(&closed.output, &mut placed.into_iter())
    }

    /// Checks the mapped axes and batch sizes, and moves each mapped axis to the front.
    fn map_arguments(
        &mut self,
        args: &[Value],
        axes: &[Option<i64>],
        span: Span,
    ) -> Result<Mapped> {
        let mut size: Option<(usize, String)> = None;
        let (mut plans, mut moved) = (vec![], vec![]);
        for (i, (arg, axis)) in args.iter().zip(axes).enumerate() {
            let (leaves, def) = flatten(arg);
            let mut plan = vec![];
            for (leaf, is_key) in leaves.iter().zip(leaf_is_key(&def)) {
                let Some(a) = axis else {
                    plan.push(None);
                    continue;
                };
                if is_key {
                    return Err(Diagnostic::at(span, format!("`vmap` cannot map over the key in argument {}", i))
                        .with_hint("pass keys with `none` in `in_axes` (split them first for one key per example)"));
                }
                let (x, n) = self.move_axis_to_front(leaf, *a, i, span)?;
                check_size(&mut size, n, i, *a, span)?;
                plan.push(Some(TensorType::new(x.dtype(), x.shape()[1..].to_vec())));
                moved.push(x);
            }
            plans.push(plan);
        }
        let Some((size, _)) = size else {
            return Err(
                Diagnostic::at(span, "`vmap`: no argument is mapped").with_hint(
                    "`in_axes` must map at least one array argument (an integer, not `none`)",
                ),
            );
        };
        Ok(Mapped {
            size,
            plans,
            leaves: moved,
        })
    }

    /// Argument `i`'s leaf with its axis `a` moved to the front, and the size of that axis.
    fn move_axis_to_front(
        &mut self,
        leaf: &Arr,
        a: i64,
        i: usize,
        span: Span,
    ) -> Result<(Arr, usize)> {
        let leaf = ops::materialize(leaf);
        let rank = leaf.rank();
        let Some(a) = normalize(a, rank) else {
            return Err(axis_out_of_range(span, a, i, &leaf));
        };
        let n = leaf.shape()[a];
        let perm: Vec<usize> = std::iter::once(a)
            .chain((0..rank).filter(|&d| d != a))
            .collect();
        let moved = ops::transpose(&mut self.tracer, &leaf, &perm).map_err(|d| d.or_span(span))?;
        Ok((moved, n))
    }

    /// Traces `f` on one example: mapped leaves become inputs of their
    /// per-example types, after the enclosing trace's values `f` uses.
    fn trace_examples(
        &mut self,
        f: &Value,
        args: &[Value],
        plans: &[Vec<Option<TensorType>>],
        span: Span,
    ) -> Result<Closed> {
        let mut output = TreeDef::Tuple(vec![]);
        // The mapped leaves become inputs as `example_args` meets them.
        let (graph, consts) = self.trace_fn(&[], |ev, _| {
            let pos = ev.example_args(args, plans, span)?;
            let (outs, def) = flatten(&ev.call(f, pos, vec![], span)?);
            output = def;
            Ok(outs)
        })?;
        Ok(Closed {
            graph,
            consts,
            output,
        })
    }

    /// The arguments of one example, in the trace being built: each mapped
    /// leaf a new input of its per-example type, the others as they are.
    fn example_args(
        &mut self,
        args: &[Value],
        plans: &[Vec<Option<TensorType>>],
        span: Span,
    ) -> Result<Vec<(Value, Span)>> {
        let mut pos = vec![];
        for (arg, plan) in args.iter().zip(plans) {
            let (leaves, def) = flatten(arg);
            let mut example = vec![];
            for (leaf, ty) in leaves.into_iter().zip(plan) {
                example.push(match ty {
                    Some(ty) => self.tracer.input(ty.clone())?,
                    None => leaf,
                });
            }
            pos.push((unflatten(&def, &mut example.into_iter())?, span));
        }
        Ok(pos)
    }

    /// Moves each result leaf's batch axis to its `out_axes` position (an
    /// unbatched leaf with an axis is broadcast along the batch there).
    fn place_results(
        &mut self,
        def: &TreeDef,
        outs: Vec<Arr>,
        batched: &[bool],
        out_axes: &Axes,
        size: usize,
        span: Span,
    ) -> Result<Vec<Arr>> {
        let axes = per_result(def, out_axes, span)?;
        let leaves = (outs.into_iter().zip(batched)).zip(axes.into_iter().zip(leaf_is_key(def)));
        let mut placed = vec![];
        for (k, ((x, &is_batched), (axis, is_key))) in leaves.enumerate() {
            let leaf = ResultLeaf {
                name: result_name(def, k),
                is_batched,
                is_key,
                rank: x.rank() + usize::from(!is_batched),
            };
            placed.push(match leaf.target(axis, span)? {
                Some(t) => self
                    .place(x, is_batched, t, size)
                    .map_err(|d| d.or_span(span))?,
                None => x,
            });
        }
        Ok(placed)
    }

    /// A result with its batch axis at `t`.
    fn place(&mut self, x: Arr, is_batched: bool, t: usize, size: usize) -> Result<Arr> {
        if is_batched {
            let perm: Vec<usize> = (1..=t)
                .chain(std::iter::once(0))
                .chain(t + 1..x.rank())
                .collect();
            return ops::transpose(&mut self.tracer, &x, &perm);
        }
        let mut shape = x.shape().to_vec();
        shape.insert(t, size);
        let dims: Vec<usize> = (0..x.rank())
            .map(|d| if d < t { d } else { d + 1 })
            .collect();
        ops::apply1(
            &mut self.tracer,
            Prim::new(Broadcast { shape, dims }),
            &[ops::materialize(&x)],
        )
    }
}

/// A leaf of the result, for placing its batch axis.
struct ResultLeaf {
    name: String,
    is_batched: bool,
    is_key: bool,
    /// Its rank with the batch axis.
    rank: usize,
}

impl ResultLeaf {
    /// Where its batch axis goes for the out axis `axis` (`None`: it has
    /// none and stays as it is).
    fn target(&self, axis: Option<i64>, span: Span) -> Result<Option<usize>> {
        let Some(axis) = axis else {
            if self.is_batched {
                return Err(Diagnostic::at(
                    span,
                    format!(
                        "`vmap`: `out_axes` is `none` for {}, but it depends on the mapped arguments",
                        self.name
                    ),
                )
                .with_hint("give that result an integer out axis"));
            }
            return Ok(None);
        };
        if self.is_key {
            return Err(
                Diagnostic::at(span, "`vmap` cannot stack keys in its result")
                    .with_hint("give the key `none` in `out_axes`"),
            );
        }
        match normalize(axis, self.rank) {
            Some(t) => Ok(Some(t)),
            None => Err(Diagnostic::at(
                span,
                format!(
                    "`vmap`: out axis {} is out of range for {}, of rank {} with its batch axis",
                    axis, self.name, self.rank
                ),
            )
            .with_hint(axes_hint(self.rank))),
        }
    }
}

/// The axis of each positional argument.
fn per_argument(in_axes: &Axes, n: usize, span: Span) -> Result<Vec<Option<i64>>> {
    match in_axes {
        Axes::All(a) => Ok(vec![*a; n]),
        Axes::Each(v) if v.len() == n => Ok(v.clone()),
        Axes::Each(v) => Err(Diagnostic::at(
            span,
            format!(
                "`vmap`: `in_axes` has {} but the function was called with {} argument(s)",
                entries(v.len()),
                n
            ),
        )
        .with_hint("give one entry (an integer or `none`) per positional argument")),
    }
}

/// The axis of each result leaf: one for all, or one per element of a tuple result.
fn per_result(def: &TreeDef, out_axes: &Axes, span: Span) -> Result<Vec<Option<i64>>> {
    let counts = subtree_leaf_counts(def);
    match (out_axes, def) {
        (Axes::All(a), _) => Ok(vec![*a; counts.iter().sum()]),
        (Axes::Each(v), TreeDef::Tuple(xs)) if v.len() == xs.len() => Ok(v
            .iter()
            .zip(&counts)
            .flat_map(|(a, &n)| std::iter::repeat_n(*a, n))
            .collect()),
        (Axes::Each(v), _) => Err(Diagnostic::at(
            span,
            format!(
                "`vmap`: `out_axes` has {} but the result is not a tuple of {}",
                entries(v.len()),
                v.len()
            ),
        )),
    }
}

fn axis_out_of_range(span: Span, axis: i64, arg: usize, leaf: &Arr) -> Diagnostic {
    Diagnostic::at(
        span,
        format!(
            "`vmap`: axis {} in `in_axes` is out of range for argument {} ({})",
            axis,
            arg,
            leaf.ty()
        ),
    )
    .with_hint(axes_hint(leaf.rank()))
}

/// `1 entry`, `2 entries`.
fn entries(n: usize) -> String {
    match n {
        1 => "1 entry".into(),
        n => format!("{} entries", n),
    }
}

/// `the result`, or `leaf 2 of the result` for a tree.
fn result_name(def: &TreeDef, k: usize) -> String {
    match def {
        TreeDef::Arr => "the result".into(),
        _ => format!("leaf {} of the result", k),
    }
}

/// The valid axes of an array of rank `r`.
fn axes_hint(r: usize) -> String {
    match r {
        0 => "a scalar has no axis to map over: give it `none`".into(),
        r => format!("an array of rank {} has axes {}..{}", r, -(r as i64), r - 1),
    }
}

/// For each leaf of a tree, in order: whether it is a key.
fn leaf_is_key(def: &TreeDef) -> Vec<bool> {
    let mut out = vec![];
    keys_into(def, &mut out);
    out
}

fn keys_into(def: &TreeDef, out: &mut Vec<bool>) {
    match def {
        TreeDef::Arr => out.push(false),
        TreeDef::Key => out.push(true),
        TreeDef::Tuple(xs) | TreeDef::List(xs) => xs.iter().for_each(|x| keys_into(x, out)),
        TreeDef::Record(fs) => fs.iter().for_each(|(_, x)| keys_into(x, out)),
        TreeDef::Static(_) => {}
    }
}

/// The number of leaves of each element of a tuple (of the whole tree otherwise).
fn subtree_leaf_counts(def: &TreeDef) -> Vec<usize> {
    match def {
        TreeDef::Tuple(xs) => xs.iter().map(|x| leaf_is_key(x).len()).collect(),
        other => vec![leaf_is_key(other).len()],
    }
}
