//! Which names a block assigns to: the `var`s a loop or a traced `if` must carry.

use crate::syntax::ast::{Block, Expr, ExprKind, IndexArg, Stmt};

/// Adds, in first-seen order, every name assigned in `block` (nested blocks included,
/// lambdas excluded: they cannot assign outer variables).
pub fn assigned_in_block(block: &Block, out: &mut Vec<String>) {
    for s in &block.stmts {
        assigned_in_stmt(s, out);
    }
    if let Some(e) = &block.tail {
        assigned_in_expr(e, out);
    }
}

fn push(out: &mut Vec<String>, name: &str) {
    if !out.iter().any(|n| n == name) {
        out.push(name.to_string());
    }
}

fn assigned_in_stmt(s: &Stmt, out: &mut Vec<String>) {
    match s {
        Stmt::Assign { target, value, .. } => {
            assigned_in_expr(value, out);
            push(out, &target.name);
        }
        Stmt::Let { value, .. } | Stmt::Var { value, .. } => assigned_in_expr(value, out),
        Stmt::For {
            start, end, body, ..
        } => {
            assigned_in_expr(start, out);
            assigned_in_expr(end, out);
            assigned_in_block(body, out);
        }
        Stmt::While { cond: e, body, .. } | Stmt::ForEach { items: e, body, .. } => {
            assigned_in_expr(e, out);
            assigned_in_block(body, out);
        }
        Stmt::Return { value, .. } => {
            if let Some(e) = value {
                assigned_in_expr(e, out);
            }
        }
        Stmt::Expr(e) => assigned_in_expr(e, out),
    }
}

/// Adds every name assigned inside an expression (its blocks and `if`s).
pub fn assigned_in_expr(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Block(b) => assigned_in_block(b, out),
        ExprKind::If { cond, then, else_ } => {
            assigned_in_expr(cond, out);
            assigned_in_block(then, out);
            if let Some(x) = else_ {
                assigned_in_expr(x, out);
            }
        }
        ExprKind::Unary(_, x) | ExprKind::Field(x, _) | ExprKind::TupleIndex(x, _, _) => {
            assigned_in_expr(x, out)
        }
        ExprKind::Binary(_, a, b) => {
            assigned_in_expr(a, out);
            assigned_in_expr(b, out);
        }
        ExprKind::Call {
            callee,
            args,
            kwargs,
        } => {
            assigned_in_expr(callee, out);
            args.iter().for_each(|a| assigned_in_expr(a, out));
            kwargs.iter().for_each(|(_, a)| assigned_in_expr(a, out));
        }
        ExprKind::Index(x, idx) => {
            assigned_in_expr(x, out);
            for i in idx {
                match i {
                    IndexArg::Single(a) => assigned_in_expr(a, out),
                    IndexArg::Slice {
                        start, end, step, ..
                    } => {
                        for a in [start, end, step].into_iter().flatten() {
                            assigned_in_expr(a, out);
                        }
                    }
                }
            }
        }
        ExprKind::Tuple(xs) | ExprKind::List(xs) => {
            xs.iter().for_each(|x| assigned_in_expr(x, out))
        }
        ExprKind::Record(fs) => fs.iter().for_each(|(_, x)| assigned_in_expr(x, out)),
        ExprKind::Lambda { .. }
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Imag(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Name(_) => {}
    }
}
