//! Trees: tuples and records of arrays. Flattening to leaves and rebuilding,
//! and leaf-by-leaf maps.

use super::value::{Arr, Value};
use crate::diag::{Diagnostic, Result};
use indexmap::IndexMap;
use std::rc::Rc;

/// Applies `f` to every array leaf of `v`, keeping the structure.
pub fn map_arrays(v: &Value, f: &mut dyn FnMut(&Arr) -> Result<Arr>) -> Result<Value> {
    match v {
        Value::Arr(a) => Ok(Value::Arr(f(a)?)),
        Value::Tuple(xs) => Ok(Value::Tuple(Rc::new(
            xs.iter().map(|x| map_arrays(x, f)).collect::<Result<_>>()?,
        ))),
        Value::List(xs) => Ok(Value::List(Rc::new(
            xs.iter().map(|x| map_arrays(x, f)).collect::<Result<_>>()?,
        ))),
        Value::Record(r) => {
            let mut out = IndexMap::new();
            for (k, x) in r.iter() {
                out.insert(k.clone(), map_arrays(x, f)?);
            }
            Ok(Value::Record(Rc::new(out)))
        }
        other => Err(Diagnostic::new(format!(
            "expected an array or a tree of arrays, got {}",
            other.describe()
        ))),
    }
}

/// The structure of a tree, with its array leaves taken out.
#[derive(Clone, Debug)]
pub enum TreeDef {
    Arr,
    Key,
    Tuple(Vec<TreeDef>),
    List(Vec<TreeDef>),
    Record(Vec<(String, TreeDef)>),
    /// A non-array leaf (function, string, dtype, none, module), kept as is.
    Static(Value),
}

/// The array leaves of `v` in order, and its structure.
pub fn flatten(v: &Value) -> (Vec<Arr>, TreeDef) {
    let mut leaves = vec![];
    let def = flatten_into(v, &mut leaves);
    (leaves, def)
}

fn flatten_into(v: &Value, leaves: &mut Vec<Arr>) -> TreeDef {
    match v {
        Value::Arr(a) => {
            leaves.push(a.clone());
            TreeDef::Arr
        }
        Value::Key(a) => {
            leaves.push(a.clone());
            TreeDef::Key
        }
        Value::Tuple(xs) => TreeDef::Tuple(xs.iter().map(|x| flatten_into(x, leaves)).collect()),
        Value::List(xs) => TreeDef::List(xs.iter().map(|x| flatten_into(x, leaves)).collect()),
        Value::Record(r) => TreeDef::Record(
            r.iter()
                .map(|(k, x)| (k.clone(), flatten_into(x, leaves)))
                .collect(),
        ),
        other => TreeDef::Static(other.clone()),
    }
}

/// Rebuilds a value of structure `def` from leaves.
pub fn unflatten(def: &TreeDef, leaves: &mut dyn Iterator<Item = Arr>) -> Result<Value> {
    let missing = || Diagnostic::internal("too few leaves to rebuild a tree");
    Ok(match def {
        TreeDef::Arr => Value::Arr(leaves.next().ok_or_else(missing)?),
        TreeDef::Key => Value::Key(leaves.next().ok_or_else(missing)?),
        TreeDef::Tuple(xs) => Value::Tuple(Rc::new(
            xs.iter()
                .map(|d| unflatten(d, leaves))
                .collect::<Result<_>>()?,
        )),
        TreeDef::List(xs) => Value::List(Rc::new(
            xs.iter()
                .map(|d| unflatten(d, leaves))
                .collect::<Result<_>>()?,
        )),
        TreeDef::Record(fs) => {
            let mut out = IndexMap::new();
            for (k, d) in fs {
                out.insert(k.clone(), unflatten(d, leaves)?);
            }
            Value::Record(Rc::new(out))
        }
        TreeDef::Static(v) => v.clone(),
    })
}

/// A value of structure `def` whose array leaves are replaced by the given
/// values (trees of trees: a Jacobian's result structure over its argument
/// structure). Keys and static parts are kept.
pub fn graft(def: &TreeDef, subtrees: &mut dyn Iterator<Item = Value>) -> Result<Value> {
    let missing = || Diagnostic::internal("too few subtrees to graft");
    Ok(match def {
        TreeDef::Arr => subtrees.next().ok_or_else(missing)?,
        TreeDef::Key | TreeDef::Static(_) => unflatten(def, &mut std::iter::empty())?,
        TreeDef::Tuple(xs) => Value::Tuple(Rc::new(
            xs.iter()
                .map(|d| graft(d, subtrees))
                .collect::<Result<_>>()?,
        )),
        TreeDef::List(xs) => Value::List(Rc::new(
            xs.iter()
                .map(|d| graft(d, subtrees))
                .collect::<Result<_>>()?,
        )),
        TreeDef::Record(fs) => {
            let mut out = IndexMap::new();
            for (k, d) in fs {
                out.insert(k.clone(), graft(d, subtrees)?);
            }
            Value::Record(Rc::new(out))
        }
    })
}

/// Whether a structure has a function among its non-array leaves.
pub fn holds_functions(def: &TreeDef) -> bool {
    match def {
        TreeDef::Arr | TreeDef::Key => false,
        TreeDef::Tuple(xs) | TreeDef::List(xs) => xs.iter().any(holds_functions),
        TreeDef::Record(fs) => fs.iter().any(|(_, d)| holds_functions(d)),
        TreeDef::Static(v) => matches!(v, Value::Func(_)),
    }
}

/// Whether two structures are the same (array leaves not compared).
pub fn same_structure(a: &TreeDef, b: &TreeDef) -> bool {
    match (a, b) {
        (TreeDef::Arr, TreeDef::Arr) | (TreeDef::Key, TreeDef::Key) => true,
        (TreeDef::Tuple(x), TreeDef::Tuple(y)) | (TreeDef::List(x), TreeDef::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_structure(p, q))
        }
        (TreeDef::Record(x), TreeDef::Record(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, p), (k2, q))| k1 == k2 && same_structure(p, q))
        }
        (TreeDef::Static(_), TreeDef::Static(_)) => true,
        _ => false,
    }
}

/// Combines two trees leaf by leaf; a plain array on one side meets every
/// leaf of the other (`p - lr * g`, `2.0 * p`).
pub fn zip_arrays(
    a: &Value,
    b: &Value,
    f: &mut dyn FnMut(&Arr, &Arr) -> Result<Arr>,
) -> Result<Value> {
    match (a, b) {
        (Value::Arr(x), Value::Arr(y)) => Ok(Value::Arr(f(x, y)?)),
        (Value::Arr(x), tree) => map_arrays(tree, &mut |y| f(x, y)),
        (tree, Value::Arr(y)) => map_arrays(tree, &mut |x| f(x, y)),
        (Value::Tuple(xs), Value::Tuple(ys)) if xs.len() == ys.len() => Ok(Value::Tuple(Rc::new(
            xs.iter()
                .zip(ys.iter())
                .map(|(x, y)| zip_arrays(x, y, f))
                .collect::<Result<_>>()?,
        ))),
        (Value::List(xs), Value::List(ys)) if xs.len() == ys.len() => Ok(Value::List(Rc::new(
            xs.iter()
                .zip(ys.iter())
                .map(|(x, y)| zip_arrays(x, y, f))
                .collect::<Result<_>>()?,
        ))),
        (Value::Record(xs), Value::Record(ys))
            if xs.len() == ys.len() && xs.keys().all(|k| ys.contains_key(k)) =>
        {
            let mut out = IndexMap::new();
            for (k, x) in xs.iter() {
                let y = ys
                    .get(k)
                    .ok_or_else(|| Diagnostic::internal("record field vanished"))?;
                out.insert(k.clone(), zip_arrays(x, y, f)?);
            }
            Ok(Value::Record(Rc::new(out)))
        }
        _ => Err(Diagnostic::new(format!(
            "cannot combine {} with {}: their structures differ",
            a.describe(),
            b.describe()
        ))
        .with_hint(
            "leafwise arithmetic needs two trees of the same structure, or a tree and an array",
        )),
    }
}
