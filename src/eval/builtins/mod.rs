//! Builtin functions: one table of signatures (used by the checker for arity
//! and keyword checks, and by the evaluator to bind arguments) and their
//! implementations, grouped by family as in LANGUAGE.md §6.
//!
//! Adding a builtin is one [`Builtin`] entry in its family's `BUILTINS` list
//! and one function; for a composite of other builtins, that function checks
//! the arguments and calls its nest side in `stdlib/builtins.nest`
//! (`composite.rs`; docs/architecture.md, "Builtins: Rust or nest").

mod args;
mod composite;
mod creation;
mod host;
mod library;
mod linalg;
mod math;
mod nn;
mod plot;
mod random;
mod reduce;
mod shape;
mod sharding;
mod transform;
mod util;

pub use args::Args;

use super::exec::Evaluator;
use super::value::Value;
use crate::diag::{Diagnostic, Result};
use crate::span::Span;
use crate::types::DType;
use once_cell::sync::Lazy;

/// The implementation of a builtin.
pub type Imp = fn(&mut Evaluator, &Args) -> Result<Value>;

/// One builtin function.
pub struct Builtin {
    pub name: &'static str,
    /// Parameters, e.g. `"x, axis = none, keepdims = false"`; a parameter
    /// with `= default` is optional. `"..."` alone means any number of
    /// positional arguments (`print`); a parameter `*rest` takes the
    /// positional arguments past the ones before it, as a tuple, and the
    /// parameters after it are keyword-only (`hvp(f, x, v, *args, wrt = 0)`).
    pub params: &'static str,
    /// Only at top level (I/O): an error inside a `fn`.
    pub host_only: bool,
    pub imp: Imp,
}

/// The error for a host-only builtin called inside a function.
pub fn host_only_error(b: &Builtin, span: Span) -> Diagnostic {
    let hint = match b.name {
        "time" => "`time()` reads the host's clock, and a function runs later as one compiled program: time its call at top level (`let t0 = time(); let y = f(x); print(time() - t0);`)".to_string(),
        _ => format!(
            "`{}` does I/O on the host: call it at top level with the function's result",
            b.name
        ),
    };
    Diagnostic::at(span, format!("`{}` is not allowed inside a `fn`", b.name)).with_hint(hint)
}

/// A parsed parameter list.
pub struct Signature {
    pub names: Vec<&'static str>,
    /// The default of each parameter, as source text (`none`, `false`, `f32`, `1e-5`).
    pub defaults: Vec<Option<&'static str>>,
    pub variadic: bool,
    /// The position of the `*rest` parameter, if there is one.
    pub rest: Option<usize>,
}

impl Signature {
    /// Number of parameters without a default.
    pub fn required(&self) -> usize {
        self.defaults.iter().filter(|d| d.is_none()).count()
    }
}

/// Every builtin, in one list; index = id stored in `Func::Builtin`.
pub static TABLE: Lazy<Vec<&'static Builtin>> = Lazy::new(|| {
    [
        creation::BUILTINS,
        shape::BUILTINS,
        &math::UNARY_BUILTINS,
        &math::BINARY_BUILTINS,
        math::BUILTINS,
        reduce::BUILTINS,
        linalg::BUILTINS,
        nn::BUILTINS,
        random::BUILTINS,
        transform::BUILTINS,
        library::BUILTINS,
        host::BUILTINS,
        plot::BUILTINS,
        sharding::BUILTINS,
    ]
    .into_iter()
    .flatten()
    .collect()
});

static SIGNATURES: Lazy<Vec<Signature>> =
    Lazy::new(|| TABLE.iter().map(|b| parse_params(b.params)).collect());

/// The id of a builtin by name.
pub fn lookup(name: &str) -> Option<usize> {
    TABLE.iter().position(|b| b.name == name)
}

pub fn signature(id: usize) -> Option<&'static Signature> {
    SIGNATURES.get(id)
}

fn parse_params(spec: &'static str) -> Signature {
    let mut sig = Signature {
        names: vec![],
        defaults: vec![],
        variadic: false,
        rest: None,
    };
    if spec.trim() == "..." {
        sig.variadic = true;
        return sig;
    }
    for p in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, default) = match p.split_once('=') {
            Some((n, d)) => (n.trim(), Some(d.trim())),
            None => (p, None),
        };
        let name = match name.strip_prefix('*') {
            Some(rest) => {
                sig.rest = Some(sig.names.len());
                rest
            }
            None => name,
        };
        sig.names.push(name);
        sig.defaults.push(default);
    }
    sig
}

fn default_value(text: &str) -> Value {
    use super::value::Arr;
    match text {
        "none" => Value::None,
        "true" => Value::tensor(crate::tensor::Tensor::scalar_bool(true)),
        "false" => Value::tensor(crate::tensor::Tensor::scalar_bool(false)),
        _ => {
            if let Some(d) = DType::from_name(text) {
                Value::DType(d)
            } else if let Ok(i) = text.parse::<i64>() {
                Value::Arr(Arr::weak_int(i))
            } else {
                Value::Arr(Arr::weak_float(text.parse::<f64>().unwrap_or(f64::NAN)))
            }
        }
    }
}

/// Binds positional and keyword arguments to a builtin's parameters.
pub fn bind(
    id: usize,
    positional: Vec<(Value, Span)>,
    keywords: Vec<(String, Span, Value, Span)>,
    call: Span,
) -> Result<Args> {
    let (Some(b), Some(sig)) = (TABLE.get(id), signature(id)) else {
        return Err(Diagnostic::internal("unknown builtin id"));
    };
    if sig.variadic {
        if let Some((name, nspan, _, _)) = keywords.first() {
            return Err(Diagnostic::at(
                *nspan,
                format!("`{}` takes no keyword argument `{}`", b.name, name),
            ));
        }
        let (values, spans) = positional.into_iter().unzip();
        return Ok(Args {
            name: b.name,
            values,
            spans,
            call,
        });
    }
    let mut positional = positional;
    let mut rest = None;
    if let Some(r) = sig.rest {
        let extra = positional.split_off(r.min(positional.len()));
        let span = extra.first().map_or(call, |(_, s)| *s);
        let tuple = Value::Tuple(std::rc::Rc::new(
            extra.into_iter().map(|(v, _)| v).collect(),
        ));
        rest = Some((tuple, span));
    }
    if positional.len() > sig.names.len() {
        let extra = positional[sig.names.len()].1;
        return Err(Diagnostic::at(
            extra,
            format!(
                "`{}` takes at most {} argument(s), got {}",
                b.name,
                sig.names.len(),
                positional.len()
            ),
        )
        .with_hint(format!("`{}({})`", b.name, b.params)));
    }
    let mut values: Vec<Option<(Value, Span)>> = vec![None; sig.names.len()];
    for (i, v) in positional.into_iter().enumerate() {
        values[i] = Some(v);
    }
    if let (Some(r), Some(rest)) = (sig.rest, rest) {
        values[r] = Some(rest);
    }
    for (name, nspan, v, vspan) in keywords {
        let position = sig.names.iter().position(|n| *n == name);
        let Some(i) = position.filter(|&i| Some(i) != sig.rest) else {
            return Err(
                Diagnostic::at(nspan, format!("`{}` has no parameter `{}`", b.name, name))
                    .with_hint(format!("`{}({})`", b.name, b.params)),
            );
        };
        if values[i].is_some() {
            return Err(Diagnostic::at(
                nspan,
                format!("argument `{}` of `{}` given twice", name, b.name),
            ));
        }
        values[i] = Some((v, vspan));
    }
    let mut out = Args {
        name: b.name,
        values: vec![],
        spans: vec![],
        call,
    };
    for (i, v) in values.into_iter().enumerate() {
        match (v, &sig.defaults[i]) {
            (Some((v, s)), _) => {
                out.values.push(v);
                out.spans.push(s);
            }
            (None, Some(d)) => {
                out.values.push(default_value(d));
                out.spans.push(call);
            }
            (None, None) => {
                return Err(Diagnostic::at(
                    call,
                    format!("`{}` is missing its argument `{}`", b.name, sig.names[i]),
                )
                .with_hint(format!("`{}({})`", b.name, b.params)))
            }
        }
    }
    Ok(out)
}
