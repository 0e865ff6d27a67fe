//! Device meshes and sharding (docs/language.md, "Sharding"), modeled on
//! `jax.sharding`: `mesh(shape, axes)` names the axes of an array of
//! devices; `shard(x, m, spec)` lays out every array leaf of `x` over the
//! mesh as the `PartitionSpec`-like `spec` says. A known leaf is placed on
//! the devices by the runtime; a traced one gets a `sharding_constraint`.

use super::{Args, Builtin};
use crate::backend::runtime::Array;
use crate::diag::{Diagnostic, Result};
use crate::eval::exec::Evaluator;
use crate::eval::ops;
use crate::eval::value::{Arr, Value};
use crate::prims::{Prim, ShardingConstraint};
use crate::types::{Mesh, Sharding};
use indexmap::IndexMap;
use std::rc::Rc;
use std::sync::Arc;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "mesh",
        params: "shape, axes",
        host_only: false,
        imp: mesh,
    },
    Builtin {
        name: "shard",
        params: "x, m, spec",
        host_only: false,
        imp: shard,
    },
];

const MESH_HINT: &str =
    "a mesh is a shape and one distinct axis name per dimension: `mesh([4], (\"data\",))`, `mesh([2, 2], (\"data\", \"model\"))`";

const SPEC_HINT: &str =
    "a spec names, for each leading dimension, the mesh axis that splits it or `none`: `(\"data\", none)`; `()` replicates";

/// `mesh(shape, axes)`: a mesh of `shape` devices with one name per axis.
fn mesh(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let shape = args.shape(0).map_err(|e| e.with_hint(MESH_HINT))?;
    // `names` refuses `none` here, so every name is there.
    let axes: Vec<String> = names(args, 1, "axis names", false)?
        .into_iter()
        .flatten()
        .collect();
    // The argument the error is about, in the order `Mesh::new` checks.
    let culprit = if shape.is_empty() || (shape.len() == axes.len() && shape.contains(&0)) {
        0
    } else {
        1
    };
    let m = Mesh::new(shape, axes).map_err(|m| args.error(culprit, m).with_hint(MESH_HINT))?;
    ev.tracer.runtime.check_mesh(&m).map_err(|m| {
        Diagnostic::at(args.call, m)
            .with_hint("the interpreter (`--backend interp`) runs any mesh as one device")
    })?;
    Ok(Value::Mesh(Arc::new(m)))
}

/// Argument `i` as names: a tuple or list of strings (or `none`, where
/// `allow_none`), or one string.
fn names(args: &Args, i: usize, what: &str, allow_none: bool) -> Result<Vec<Option<String>>> {
    let hint = if allow_none { SPEC_HINT } else { MESH_HINT };
    let items: Vec<Value> = match args.get(i)? {
        Value::Tuple(xs) | Value::List(xs) => xs.to_vec(),
        v @ Value::Str(_) => vec![v.clone()],
        v => {
            return Err(args
                .error(
                    i,
                    format!(
                        "`{}` expects a tuple of {what} here, got {}",
                        args.name,
                        v.describe()
                    ),
                )
                .with_hint(hint))
        }
    };
    (items.iter())
        .map(|v| match v {
            Value::Str(s) => Ok(Some(s.to_string())),
            Value::None if allow_none => Ok(None),
            v => Err(args
                .error(
                    i,
                    format!(
                        "`{}` expects {what}, got {} among them",
                        args.name,
                        v.describe()
                    ),
                )
                .with_hint(hint)),
        })
        .collect()
}

/// `shard(x, m, spec)`: `x` laid out over `m` as `spec` says, leaf by
/// leaf; the values do not change.
fn shard(ev: &mut Evaluator, args: &Args) -> Result<Value> {
    let m = match args.get(1)? {
        Value::Mesh(m) => m.clone(),
        v => {
            return Err(args
                .error(
                    1,
                    format!("`shard` expects a mesh here, got {}", v.describe()),
                )
                .with_hint("make one with `mesh(shape, axes)`: `let m = mesh([4], (\"data\",))`"))
        }
    };
    let spec = names(args, 2, "mesh axis names or `none`", true)?;
    let sharding = Sharding::new(m, &spec).map_err(|m| args.error(2, m).with_hint(SPEC_HINT))?;
    let sharding = Arc::new(sharding);
    shard_tree(ev, args, args.get(0)?, &sharding)
}

/// Shards every array leaf of `v`; keys pass unchanged.
fn shard_tree(ev: &mut Evaluator, args: &Args, v: &Value, s: &Arc<Sharding>) -> Result<Value> {
    let mut seq = |xs: &[Value]| -> Result<Rc<Vec<Value>>> {
        Ok(Rc::new(
            xs.iter()
                .map(|x| shard_tree(ev, args, x, s))
                .collect::<Result<_>>()?,
        ))
    };
    Ok(match v {
        Value::Arr(a) => Value::Arr(shard_leaf(ev, args, a, s)?),
        Value::Key(_) => v.clone(),
        Value::Tuple(xs) => Value::Tuple(seq(xs)?),
        Value::List(xs) => Value::List(seq(xs)?),
        Value::Record(r) => {
            let mut out = IndexMap::new();
            for (k, x) in r.iter() {
                out.insert(k.clone(), shard_tree(ev, args, x, s)?);
            }
            Value::Record(Rc::new(out))
        }
        Value::Func(_)
        | Value::Str(_)
        | Value::DType(_)
        | Value::None
        | Value::Module(_)
        | Value::Mesh(_) => {
            return Err(args.error(
                0,
                format!(
                    "`shard` expects an array or a tree of arrays, got {} in it",
                    v.describe()
                ),
            ))
        }
    })
}

/// One leaf: placed by the runtime when known (a weak literal in its
/// default dtype first), constrained when traced.
fn shard_leaf(ev: &mut Evaluator, args: &Args, a: &Arr, s: &Arc<Sharding>) -> Result<Arr> {
    let a = ops::materialize(a);
    s.check(a.shape()).map_err(|m| {
        args.error(
            0,
            format!("cannot shard an array {} as {}: {}", a.ty(), s, m),
        )
        .with_hint("a spec has at most one entry per dimension of every leaf, and a split dimension's size is a multiple of its mesh axis' size")
    })?;
    let t = &mut ev.tracer;
    if !a.is_known() {
        return ops::apply1(
            t,
            Prim::new(ShardingConstraint {
                sharding: s.clone(),
            }),
            &[a],
        )
        .map_err(|e| e.or_span(args.call));
    }
    // `nest check` runs nothing: the value stays where it is.
    if t.is_checking() {
        return Ok(a);
    }
    let array = match &a {
        Arr::Device(h) => Array::Held(h.clone()),
        _ => Array::Host(
            a.concrete()
                .ok_or_else(|| Diagnostic::internal("a known array without a value"))?,
        ),
    };
    match t.runtime.place(array, s) {
        Ok(Array::Host(t)) => Ok(Arr::new(t)),
        Ok(Array::Held(h)) => Ok(Arr::Device(h)),
        Err(m) => Err(Diagnostic::at(args.call, m)),
    }
}
