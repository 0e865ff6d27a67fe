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
