//! The arguments a function is traced with from the command line (`nest ir`,
//! `nest compile`): values known by type only, from the types of `--args`
//! (written as annotations are: `{w: f32[3], b: f32}, f32[8, 3]`) or else
//! from the function's own annotations. No argument data is made, so a type
//! may name an array larger than the host's memory.

use crate::diag::{Diagnostic, Result};
use crate::eval::call::type_text;
use crate::eval::value::{Arr, Value};
use crate::span::{SourceMap, Span};
use crate::syntax::ast::{Dim, FnDef, Param, TypeExpr};
use crate::types::{DType, TensorType};
use std::rc::Rc;

const WHOLE_DIMS: &str =
    "tracing from the command line needs every dimension as an integer, e.g. `f32[3, 4]`";

/// The name `--args` text has in diagnostics.
pub const ARGS_SOURCE: &str = "--args";

/// One abstract value per argument of `def` (called `name`), each with the
/// span to blame for it: its type in `--args` when `args` is given (the
/// text is added to `sources`), else the parameter.
pub fn arg_values(
    sources: &mut SourceMap,
    def: &FnDef,
    name: &str,
    args: Option<&str>,
) -> Result<Vec<(Value, Span)>> {
    match args {
        Some(text) => {
            let file = sources.add(ARGS_SOURCE, text);
            let types = crate::syntax::parse_types(text, file)?;
            check_count(def, name, types.len(), Span::new(file, 0, text.len()))?;
            values(types.iter().map(|t| (t, type_span(t))), WHOLE_DIMS)
        }
        None => values(
            annotations(def, name)?.into_iter(),
            &format!("{}, or give the types with `--args`", WHOLE_DIMS),
        ),
    }
}

/// The abstract value of each type, checked for size at its span.
fn values<'a>(
    typed: impl Iterator<Item = (&'a TypeExpr, Span)>,
    dims_hint: &str,
) -> Result<Vec<(Value, Span)>> {
    typed
        .map(|(t, blame)| {
            let v = value_of(t, dims_hint)?;
            check_size(&v, blame)?;
            Ok((v, blame))
        })
        .collect()
}

/// Every parameter's annotation (one with a default needs one too: the
/// command line traces every parameter as an input).
fn annotations<'a>(def: &'a FnDef, name: &str) -> Result<Vec<(&'a TypeExpr, Span)>> {
    let missing: Vec<&Param> = def.params.iter().filter(|p| p.ty.is_none()).collect();
    let Some(first) = missing.first() else {
        return Ok(def
            .params
            .iter()
            .filter_map(|p| p.ty.as_ref().map(|t| (t, p.name.span)))
            .collect());
    };
    let names: Vec<&str> = missing.iter().map(|p| p.name.name.as_str()).collect();
    Err(Diagnostic::at(
        first.name.span,
        format!("`{}` has parameters without a type: {}", name, quoted(&names)),
    )
    .with_hint(format!(
        "annotate each, e.g. `{}: f32[3]`, or give every argument's type with `--args`, e.g. `--args \"{}\"`",
        first.name.name,
        example_args(def)
    )))
}

/// `--args` gives one type per parameter (a parameter with a default
/// included: each is an input of the trace).
fn check_count(def: &FnDef, name: &str, given: usize, span: Span) -> Result<()> {
    let expected = def.params.len();
    if given == expected {
        return Ok(());
    }
    let names: Vec<&str> = def.params.iter().map(|p| p.name.name.as_str()).collect();
    let message = format!(
        "`{}` takes {} argument{} ({}), and `--args` gives {} type{}",
        name,
        expected,
        plural(expected),
        quoted(&names),
        given,
        plural(given)
    );
    let hint = match given < expected {
        true => format!(
            "no type for {}: `--args` lists one type per parameter, in order",
            quoted(&names[given..])
        ),
        false => format!(
            "`--args` lists one type per parameter, in order; remove the last {}",
            given - expected
        ),
    };
    Err(Diagnostic::at(span, message)
        .with_hint(hint)
        .with_note(format!("`{}` is defined here", name), Some(def.name.span)))
}

/// An example `--args` for `def`: its annotations where it has them.
fn example_args(def: &FnDef) -> String {
    let types: Vec<String> = def
        .params
        .iter()
        .map(|p| p.ty.as_ref().map_or("f32[3]".to_string(), type_text))
        .collect();
    types.join(", ")
}

fn quoted(names: &[&str]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("`{}`", n)).collect();
    q.join(", ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn type_span(t: &TypeExpr) -> Span {
    match t {
        TypeExpr::Tensor { span, .. } | TypeExpr::Tuple(_, span) | TypeExpr::Record(_, span) => {
            *span
        }
    }
}

/// The abstract value of a concrete type: every dimension an integer
/// (`dims_hint` says how to give one).
fn value_of(t: &TypeExpr, dims_hint: &str) -> Result<Value> {
    match t {
        TypeExpr::Tensor { dtype, dims, .. } if dtype.name == "key" && dims.is_empty() => {
            Ok(abstract_key())
        }
        TypeExpr::Tensor { dtype, dims, .. } => {
            let d = DType::from_name(&dtype.name).ok_or_else(|| {
                Diagnostic::at(dtype.span, format!("unknown dtype `{}`", dtype.name))
                    .with_hint(format!("dtypes are {} (and `key`)", DType::user_names()))
            })?;
            let shape = dims
                .iter()
                .map(|d| concrete_dim(d, dims_hint))
                .collect::<Result<Vec<_>>>()?;
            Ok(Value::Arr(Arr::Traced(crate::ir::fresh_var(
                TensorType::new(d, shape),
            ))))
        }
        TypeExpr::Tuple(ts, _) => Ok(Value::Tuple(Rc::new(
            ts.iter()
                .map(|t| value_of(t, dims_hint))
                .collect::<Result<_>>()?,
        ))),
        TypeExpr::Record(fs, _) => {
            let mut r = indexmap::IndexMap::new();
            for (n, t) in fs {
                r.insert(n.name.clone(), value_of(t, dims_hint)?);
            }
            Ok(Value::Record(Rc::new(r)))
        }
    }
}

fn concrete_dim(d: &Dim, hint: &str) -> Result<usize> {
    match d {
        Dim::Int(n, span) => {
            usize::try_from(*n).map_err(|_| Diagnostic::at(*span, "a dimension cannot be negative"))
        }
        Dim::Name(id) => Err(Diagnostic::at(
            id.span,
            format!("the dimension `{}` has no size here", id.name),
        )
        .with_hint(hint)),
    }
}

fn abstract_key() -> Value {
    Value::Key(Arr::Traced(crate::ir::fresh_var(TensorType::new(
        DType::U32,
        vec![2],
    ))))
}

/// An error at `span` when an array is over the element limit.
fn check_size(v: &Value, span: Span) -> Result<()> {
    let (leaves, _) = crate::eval::tree::flatten(v);
    let types: Vec<TensorType> = leaves.iter().map(Arr::ty).collect();
    crate::tensor::alloc::check_elements(&types).map_err(|m| {
        Diagnostic::at(span, format!("this argument is too large: {}", m))
            .with_hint("arrays may have at most 2^31 elements")
    })
}
