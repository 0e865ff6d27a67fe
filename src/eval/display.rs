//! How values print: arrays as NumPy's `str()`, trees as `(a, b)` and `{w: a}`.

use super::value::{Arr, Func, Value};
use crate::prims::print::Piece;
use crate::tensor::format::format_tensor;

/// The text `print` shows for a value.
pub fn display(v: &Value) -> String {
    let mut out = Pieces::default();
    render(v, &mut out);
    out.text
}

/// What [`display`] shows for `values` separated by spaces, when some of
/// their arrays are traced (a `print` inside a function): the text, with
/// each traced array an operand piece, and those arrays.
pub fn display_traced(values: &[Value]) -> (Vec<Piece>, Vec<Arr>) {
    let mut out = Pieces {
        traced: true,
        ..Pieces::default()
    };
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.text.push(' ');
        }
        render(v, &mut out);
    }
    if !out.text.is_empty() {
        out.pieces.push(Piece::Text(std::mem::take(&mut out.text)));
    }
    (out.pieces, out.operands)
}

/// Rendered text; with `traced`, traced arrays become operand pieces.
#[derive(Default)]
struct Pieces {
    traced: bool,
    text: String,
    pieces: Vec<Piece>,
    operands: Vec<Arr>,
}

impl Pieces {
    fn arr(&mut self, a: &Arr) {
        match a.concrete() {
            Some(t) => self.text.push_str(&format_tensor(&t)),
            None if self.traced => {
                self.pieces
                    .push(Piece::Text(std::mem::take(&mut self.text)));
                self.pieces.push(Piece::Operand(self.operands.len()));
                self.operands.push(a.clone());
            }
            None => self.text.push_str(&format!("<traced {}>", a.ty())),
        }
    }
}

fn render(v: &Value, out: &mut Pieces) {
    match v {
        Value::Arr(a) => out.arr(a),
        Value::Tuple(xs) if xs.len() == 1 => {
            out.text.push('(');
            render(&xs[0], out);
            out.text.push_str(",)");
        }
        Value::Tuple(xs) => render_seq(xs, "(", ")", out),
        Value::List(xs) => render_seq(xs, "[", "]", out),
        Value::Record(r) => {
            out.text.push('{');
            for (i, (k, x)) in r.iter().enumerate() {
                if i > 0 {
                    out.text.push_str(", ");
                }
                out.text.push_str(&format!("{}: ", k));
                render(x, out);
            }
            out.text.push('}');
        }
        Value::Key(a) => {
            out.text.push_str("key(");
            out.arr(a);
            out.text.push(')');
        }
        other => out.text.push_str(&display_leaf(other)),
    }
}

fn render_seq(xs: &[Value], open: &str, close: &str, out: &mut Pieces) {
    out.text.push_str(open);
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            out.text.push_str(", ");
        }
        render(x, out);
    }
    out.text.push_str(close);
}

/// The text of a value holding no array.
fn display_leaf(v: &Value) -> String {
    match v {
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
        Value::Str(s) => s.to_string(),
        Value::DType(d) => d.to_string(),
        Value::None => "none".into(),
        Value::Module(m) => format!("<module {}>", m.name),
        Value::Mesh(m) => m.to_string(),
        Value::Arr(_) | Value::Tuple(_) | Value::List(_) | Value::Record(_) | Value::Key(_) => {
            display(v)
        }
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
        Value::Mesh(_) => "mesh".into(),
    }
}
