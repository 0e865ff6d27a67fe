//! How values print: arrays as NumPy's `str()`, trees as `(a, b)` and `{w: a}`.

use super::value::{Arr, Func, Value};
use crate::tensor::format::format_tensor;

/// The text `print` shows for a value.
pub fn display(v: &Value) -> String {
    match v {
        Value::Arr(a) => display_arr(a),
        Value::Tuple(xs) if xs.len() == 1 => format!("({},)", display(&xs[0])),
        Value::Tuple(xs) => format!("({})", join(xs)),
        Value::List(xs) => format!("[{}]", join(xs)),
        Value::Record(r) => {
            let fields: Vec<String> = r
                .iter()
                .map(|(k, x)| format!("{}: {}", k, display(x)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        Value::Func(f) => match &**f {
            Func::Def { def, .. } => format!("<fn {}>", def.name.name),
            Func::Lambda { .. } => "<lambda>".into(),
            Func::Builtin(id) => format!(
                "<builtin {}>",
                super::builtins::TABLE.get(*id).map_or("?", |b| b.name)
            ),
            Func::Grad { .. } => "<grad>".into(),
            Func::Pullback(_) => "<pullback>".into(),
            Func::Vmap { .. } => "<vmap>".into(),
            Func::Jacobian { .. } => "<jacobian>".into(),
            Func::Graph { .. } => "<traced function>".into(),
            Func::CustomJvp { .. } => "<custom_jvp>".into(),
            Func::CustomVjp { .. } => "<custom_vjp>".into(),
        },
        Value::Key(a) => format!("key({})", display_arr(a)),
        Value::Str(s) => s.to_string(),
        Value::DType(d) => d.to_string(),
        Value::None => "none".into(),
        Value::Module(m) => format!("<module {}>", m.name),
    }
}

fn join(xs: &[Value]) -> String {
    xs.iter().map(display).collect::<Vec<_>>().join(", ")
}

fn display_arr(a: &Arr) -> String {
    match a.concrete() {
        Some(t) => format_tensor(&t),
        None => format!("<traced {}>", a.ty()),
    }
}

/// The type of a value as `:type` shows it: `f32[3]`, `(f32[], i32[])`, `{w: f32[3]}`.
pub fn type_string(v: &Value) -> String {
    match v {
        Value::Arr(a) => match a.weak() {
            Some(_) => format!("{} (weak)", a.ty()),
            None => a.ty().to_string(),
        },
        Value::Tuple(xs) => format!(
            "({})",
            xs.iter().map(type_string).collect::<Vec<_>>().join(", ")
        ),
        Value::List(xs) => format!(
            "[{}]",
            xs.iter().map(type_string).collect::<Vec<_>>().join(", ")
        ),
        Value::Record(r) => {
            format!(
                "{{{}}}",
                r.iter()
                    .map(|(k, x)| format!("{}: {}", k, type_string(x)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        Value::Func(_) => "fn".into(),
        Value::Key(_) => "key".into(),
        Value::Str(_) => "str".into(),
        Value::DType(_) => "dtype".into(),
        Value::None => "none".into(),
        Value::Module(_) => "module".into(),
    }
}
