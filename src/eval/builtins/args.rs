//! Bound arguments of a builtin call, with typed accessors whose errors point
//! at the offending argument.

use crate::diag::{Diagnostic, Result};
use crate::eval::value::{Arr, Value};
use crate::span::Span;
use crate::types::{DType, Shape};

/// The arguments of one builtin call, in parameter order (defaults filled in).
pub struct Args {
    pub name: &'static str,
    pub values: Vec<Value>,
    /// The span of each argument (the call's span for defaults).
    pub spans: Vec<Span>,
    /// The span of the whole call.
    pub call: Span,
}

impl Args {
    pub fn len(&self) -> usize {
        self.values.len()
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn get(&self, i: usize) -> Result<&Value> {
        self.values
            .get(i)
            .ok_or_else(|| Diagnostic::internal(format!("`{}` has no argument {}", self.name, i)))
    }

    pub fn span(&self, i: usize) -> Span {
        self.spans.get(i).copied().unwrap_or(self.call)
    }

    /// An error about argument `i`.
    pub fn error(&self, i: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.span(i), message)
    }

    /// Whether argument `i` is `none`.
    pub fn is_none(&self, i: usize) -> bool {
        matches!(self.values.get(i), Some(Value::None))
    }

    /// An array argument.
    pub fn arr(&self, i: usize) -> Result<Arr> {
        match self.get(i)? {
            Value::Arr(a) => Ok(a.clone()),
            v => Err(self.error(
                i,
                format!(
                    "`{}` expects an array here, got {}",
                    self.name,
                    v.describe()
                ),
            )),
        }
    }

    /// A static integer (known before the program runs: a literal, a size).
    pub fn int(&self, i: usize) -> Result<i64> {
        match self.get(i)? {
            Value::Arr(a) if a.rank() == 0 => a.static_int().ok_or_else(|| {
                self.error(
                    i,
                    format!(
                        "`{}` expects a static integer here, got {}",
                        self.name,
                        self.get_ty(i)
                    ),
                )
                .with_hint(
                    "this value must be known when the function is traced (a literal or a shape)",
                )
            }),
            v => Err(self.error(
                i,
                format!(
                    "`{}` expects an integer here, got {}",
                    self.name,
                    v.describe()
                ),
            )),
        }
    }

    /// A non-negative static integer.
    pub fn usize(&self, i: usize) -> Result<usize> {
        let v = self.int(i)?;
        usize::try_from(v).map_err(|_| {
            self.error(
                i,
                format!(
                    "`{}` expects a non-negative integer here, got {}",
                    self.name, v
                ),
            )
        })
    }

    /// A static number (int or float literal, or a concrete scalar).
    pub fn float(&self, i: usize) -> Result<f64> {
        match self.get(i)? {
            Value::Arr(a) if a.rank() == 0 => match a.concrete() {
                Some(t) if !t.dtype().is_complex() => Ok(t.get_f64(0)),
                _ => Err(self.error(i, format!("`{}` expects a static number here", self.name))),
            },
            v => Err(self.error(
                i,
                format!(
                    "`{}` expects a number here, got {}",
                    self.name,
                    v.describe()
                ),
            )),
        }
    }

    /// A static bool.
    pub fn bool(&self, i: usize) -> Result<bool> {
        match self.get(i)? {
            Value::Arr(a) if a.rank() == 0 && a.dtype() == DType::Bool => match a.concrete() {
                Some(t) => Ok(t.get_f64(0) != 0.0),
                None => Err(self.error(i, format!("`{}` expects a static bool here", self.name))),
            },
            v => Err(self.error(
                i,
                format!(
                    "`{}` expects `true` or `false` here, got {}",
                    self.name,
                    v.describe()
                ),
            )),
        }
    }

    /// A dtype name such as `f64`.
    pub fn dtype(&self, i: usize) -> Result<DType> {
        match self.get(i)? {
            Value::DType(d) => Ok(*d),
            v => Err(self.error(
                i,
                format!(
                    "`{}` expects a dtype ({}) here, got {}",
                    self.name,
                    DType::user_names(),
                    v.describe()
                ),
            )),
        }
    }

    /// A shape: a list or tuple of static non-negative integers, or one integer.
    pub fn shape(&self, i: usize) -> Result<Shape> {
        let items: Vec<Value> = match self.get(i)? {
            Value::List(xs) | Value::Tuple(xs) => xs.to_vec(),
            v @ Value::Arr(_) => vec![v.clone()],
            v => {
                return Err(self.error(
                    i,
                    format!(
                        "`{}` expects a shape such as `[3, 4]`, got {}",
                        self.name,
                        v.describe()
                    ),
                ))
            }
        };
        items
            .iter()
            .map(|v| match v {
                Value::Arr(a) => a.static_int().and_then(|d| usize::try_from(d).ok()),
                _ => None,
            })
            .collect::<Option<Shape>>()
            .ok_or_else(|| {
                self.error(
                    i,
                    format!(
                        "`{}` expects a shape of static non-negative integers",
                        self.name
                    ),
                )
                .with_hint("shapes must be known when the function is traced")
            })
    }

    /// One axis of an array of rank `rank` (negative counts from the end).
    pub fn axis(&self, i: usize, rank: usize) -> Result<usize> {
        let a = self.int(i)?;
        normalize_axis(a, rank).ok_or_else(|| {
            self.error(
                i,
                format!("axis {} is out of range for an array of rank {}", a, rank),
            )
        })
    }

    /// `none` (all axes), an int, or a tuple/list of ints, normalized and checked.
    pub fn axes(&self, i: usize, rank: usize) -> Result<Vec<usize>> {
        let items: Vec<Value> = match self.get(i)? {
            Value::None => return Ok((0..rank).collect()),
            Value::Tuple(xs) | Value::List(xs) => xs.to_vec(),
            v => vec![v.clone()],
        };
        let mut out = vec![];
        for v in &items {
            let a = match v {
                Value::Arr(a) => a.static_int(),
                _ => None,
            }
            .ok_or_else(|| self.error(i, "an axis must be a static integer"))?;
            let n = normalize_axis(a, rank).ok_or_else(|| {
                self.error(
                    i,
                    format!("axis {} is out of range for an array of rank {}", a, rank),
                )
            })?;
            if out.contains(&n) {
                return Err(self.error(i, format!("axis {} appears twice", a)));
            }
            out.push(n);
        }
        Ok(out)
    }

    /// A string argument.
    pub fn str(&self, i: usize) -> Result<String> {
        match self.get(i)? {
            Value::Str(s) => Ok(s.to_string()),
            v => Err(self.error(
                i,
                format!(
                    "`{}` expects a string here, got {}",
                    self.name,
                    v.describe()
                ),
            )),
        }
    }

    fn get_ty(&self, i: usize) -> String {
        self.values.get(i).map(Value::describe).unwrap_or_default()
    }
}

/// `axis` in `[-rank, rank)` to `[0, rank)`.
pub fn normalize_axis(axis: i64, rank: usize) -> Option<usize> {
    let r = rank as i64;
    let a = if axis < 0 { axis + r } else { axis };
    (0..r).contains(&a).then_some(a as usize)
}
