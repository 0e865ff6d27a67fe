//! The names an expression reads: what a lambda keeps of the local
//! variables in scope where it is made (it can read no others), so that a
//! lambda made again in a host loop captures only what it uses.

use crate::syntax::ast::{Block, Expr, ExprKind, IndexArg, Stmt};

/// Adds every name `e` mentions (nested lambdas included; a superset of
/// those it reads from outside, as names bound inside count too).
pub fn names_in_expr(e: &Expr, out: &mut Vec<String>) {
    let mut each = |xs: &[&Expr]| xs.iter().for_each(|x| names_in_expr(x, out));
    match &e.kind {
        ExprKind::Name(n) => {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
        ExprKind::Block(b) => names_in_block(b, out),
        ExprKind::If { cond, then, else_ } => {
            names_in_expr(cond, out);
            names_in_block(then, out);
            if let Some(x) = else_ {
                names_in_expr(x, out);
            }
        }
        ExprKind::Unary(_, x) | ExprKind::Field(x, _) | ExprKind::TupleIndex(x, _, _) => each(&[x]),
        ExprKind::Binary(_, a, b) => each(&[a, b]),
        ExprKind::Call {
            callee,
            args,
            kwargs,
        } => {
            names_in_expr(callee, out);
            args.iter().for_each(|a| names_in_expr(a, out));
            kwargs.iter().for_each(|(_, a)| names_in_expr(a, out));
        }
        ExprKind::Index(x, idx) => {
            names_in_expr(x, out);
            for i in idx {
                match i {
                    IndexArg::Single(a) => names_in_expr(a, out),
                    IndexArg::Slice {
                        start, end, step, ..
                    } => [start, end, step]
                        .into_iter()
                        .flatten()
                        .for_each(|a| names_in_expr(a, out)),
                }
            }
        }
        ExprKind::Tuple(xs) | ExprKind::List(xs) => xs.iter().for_each(|x| names_in_expr(x, out)),
        ExprKind::Record(fs) => fs.iter().for_each(|(_, x)| names_in_expr(x, out)),
        ExprKind::Lambda { body, .. } => names_in_expr(body, out),
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Imag(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_) => {}
    }
}

fn names_in_block(b: &Block, out: &mut Vec<String>) {
    for s in &b.stmts {
        match s {
            Stmt::Let { value, .. }
            | Stmt::Var { value, .. }
            | Stmt::Assign { value, .. }
            | Stmt::Expr(value) => names_in_expr(value, out),
            Stmt::For {
                start, end, body, ..
            } => {
                names_in_expr(start, out);
                names_in_expr(end, out);
                names_in_block(body, out);
            }
            Stmt::ForEach { items: e, body, .. } | Stmt::While { cond: e, body, .. } => {
                names_in_expr(e, out);
                names_in_block(body, out);
            }
            Stmt::Return { value, .. } => value.iter().for_each(|e| names_in_expr(e, out)),
        }
    }
    if let Some(e) = &b.tail {
        names_in_expr(e, out);
    }
}
