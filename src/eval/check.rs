//! Static checks before anything runs: every name resolves, direct calls of
//! builtins and top-level functions have the right arity and keyword names,
//! assignments target a `var`, and I/O builtins are not called inside a `fn`.

use super::builtins;
use crate::diag::{Diagnostic, Result};
use crate::span::Span;
use crate::syntax::ast::*;
use crate::types::DType;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Let,
    Var,
    /// A top-level `fn`, by index in the program's items.
    Fn(usize),
    Module,
}

struct Checker<'a> {
    prog: &'a Program,
    /// Every top-level name of the file (visible inside function bodies).
    all_globals: HashMap<String, Kind>,
    /// Top-level names defined so far (visible to top-level statements).
    globals: HashMap<String, Kind>,
    scopes: Vec<HashMap<String, Kind>>,
    in_fn: bool,
    /// Inside `fn main()`, whose body runs on the host and may do I/O.
    in_main: bool,
}

/// Checks a program; `known` lists names defined before it (the REPL's
/// earlier entries), with whether each is a `var`.
pub fn check_program(prog: &Program, known: Option<&[(String, bool)]>) -> Result<()> {
    let mut c = Checker {
        prog,
        all_globals: HashMap::new(),
        globals: HashMap::new(),
        scopes: vec![],
        in_fn: false,
        in_main: false,
    };
    for (name, is_var) in known.unwrap_or(&[]) {
        let k = if *is_var { Kind::Var } else { Kind::Let };
        c.globals.insert(name.clone(), k);
        c.all_globals.insert(name.clone(), k);
    }
    c.collect_globals();
    for (i, item) in prog.items.iter().enumerate() {
        match item {
            Item::Fn(f) => c.fn_def(f, i)?,
            Item::Import(imp) => {
                let name = match (&imp.alias, &imp.source) {
                    (Some(a), _) => a.name.clone(),
                    (None, ImportSource::Std(id)) => id.name.clone(),
                    (None, ImportSource::Path(p, _)) => path_stem(p),
                };
                c.globals.insert(name, Kind::Module);
            }
            Item::Stmt(s) => c.stmt(s)?,
        }
    }
    if let Some(e) = &prog.tail {
        c.expr(e)?;
    }
    Ok(())
}

/// `nest run` calls `main()` with no arguments, and its body runs on the
/// host; a `main` with parameters is neither, so it is refused before its
/// body is checked as an ordinary `fn`'s.
fn main_takes_no_parameters(f: &FnDef) -> Result<()> {
    let (Some(first), Some(last)) = (f.params.first(), f.params.last()) else {
        return Ok(());
    };
    if f.name.name != "main" {
        return Ok(());
    }
    let span = first.name.span.to(last.name.span);
    Err(Diagnostic::at(span, "`main` takes no parameters")
        .with_hint("`nest run` calls `main()` with no arguments: load its inputs inside it, or rename a function that takes parameters"))
}

fn path_stem(p: &str) -> String {
    std::path::Path::new(p)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default()
}

impl Checker<'_> {
    fn collect_globals(&mut self) {
        for (i, item) in self.prog.items.iter().enumerate() {
            match item {
                Item::Fn(f) => {
                    self.all_globals.insert(f.name.name.clone(), Kind::Fn(i));
                    self.globals.insert(f.name.name.clone(), Kind::Fn(i));
                }
                Item::Import(imp) => {
                    let name = match (&imp.alias, &imp.source) {
                        (Some(a), _) => a.name.clone(),
                        (None, ImportSource::Std(id)) => id.name.clone(),
                        (None, ImportSource::Path(p, _)) => path_stem(p),
                    };
                    self.all_globals.insert(name, Kind::Module);
                }
                Item::Stmt(Stmt::Let { pat, .. }) => {
                    let mut names = vec![];
                    pattern_names(pat, &mut names);
                    for n in names {
                        self.all_globals.insert(n.name, Kind::Let);
                    }
                }
                Item::Stmt(Stmt::Var { name, .. }) => {
                    self.all_globals.insert(name.name.clone(), Kind::Var);
                }
                Item::Stmt(_) => {}
            }
        }
    }

    fn lookup(&self, name: &str) -> Option<Kind> {
        for s in self.scopes.iter().rev() {
            if let Some(k) = s.get(name) {
                return Some(*k);
            }
        }
        let globals = if self.in_fn {
            &self.all_globals
        } else {
            &self.globals
        };
        globals.get(name).copied()
    }

    fn define(&mut self, name: &str, kind: Kind) {
        match self.scopes.last_mut() {
            Some(s) => {
                s.insert(name.to_string(), kind);
            }
            None => {
                self.globals.insert(name.to_string(), kind);
            }
        }
    }

    fn fn_def(&mut self, f: &FnDef, _index: usize) -> Result<()> {
        main_takes_no_parameters(f)?;
        let was = self.in_fn;
        self.in_fn = true;
        self.in_main = f.name.name == "main";
        // Defaults are evaluated in the module's scope, not the body's.
        for default in f.params.iter().filter_map(|p| p.default.as_ref()) {
            if let Err(e) = self.expr(default) {
                self.in_fn = was;
                return Err(e);
            }
        }
        self.scopes.push(HashMap::new());
        let r = (|| {
            for p in &f.params {
                self.param(p)?;
            }
            if let Some(t) = &f.ret {
                type_expr(t)?;
            }
            self.block(&f.body)
        })();
        self.scopes.pop();
        self.in_fn = was;
        self.in_main = false;
        r
    }

    fn param(&mut self, p: &Param) -> Result<()> {
        if let Some(t) = &p.ty {
            type_expr(t)?;
        }
        self.define(&p.name.name, Kind::Let);
        Ok(())
    }

    fn block(&mut self, b: &Block) -> Result<()> {
        self.scopes.push(HashMap::new());
        let r = (|| {
            for s in &b.stmts {
                self.stmt(s)?;
            }
            match &b.tail {
                Some(e) => self.expr(e),
                None => Ok(()),
            }
        })();
        self.scopes.pop();
        r
    }

    fn stmt(&mut self, s: &Stmt) -> Result<()> {
        match s {
            Stmt::Let { pat, value, .. } => {
                self.expr(value)?;
                let mut names = vec![];
                pattern_names(pat, &mut names);
                for n in names {
                    self.define(&n.name, Kind::Let);
                }
            }
            Stmt::Var { name, value, .. } => {
                self.expr(value)?;
                self.define(&name.name, Kind::Var);
            }
            Stmt::Assign { target, value, .. } => {
                self.expr(value)?;
                self.assign_target(target)?;
            }
            Stmt::For {
                var,
                start,
                end,
                body,
                ..
            } => {
                self.expr(start)?;
                self.expr(end)?;
                self.scopes
                    .push(HashMap::from([(var.name.clone(), Kind::Let)]));
                let r = self.block(body);
                self.scopes.pop();
                r?;
            }
            Stmt::ForEach {
                var, items, body, ..
            } => {
                self.expr(items)?;
                self.scopes
                    .push(HashMap::from([(var.name.clone(), Kind::Let)]));
                let r = self.block(body);
                self.scopes.pop();
                r?;
            }
            Stmt::While { cond, body, .. } => {
                self.expr(cond)?;
                self.block(body)?;
            }
            Stmt::Return { value, span } => {
                if !self.in_fn {
                    return Err(Diagnostic::at(*span, "`return` outside a function"));
                }
                if let Some(e) = value {
                    self.expr(e)?;
                }
            }
            Stmt::Expr(e) => self.expr(e)?,
        }
        Ok(())
    }

    fn assign_target(&self, target: &Ident) -> Result<()> {
        match self.lookup(&target.name) {
            Some(Kind::Var) => {
                let is_global = self.scopes.iter().all(|s| !s.contains_key(&target.name));
                if self.in_fn && is_global {
                    return Err(Diagnostic::at(
                        target.span,
                        format!(
                            "cannot assign to the global `{}` inside a function",
                            target.name
                        ),
                    )
                    .with_hint(
                        "functions are pure: return the new value and assign it at top level",
                    ));
                }
                Ok(())
            }
            Some(_) => Err(Diagnostic::at(
                target.span,
                format!(
                    "cannot assign to `{}`: it was bound with `let`",
                    target.name
                ),
            )
            .with_hint(format!(
                "declare it with `var {} = ...;` to make it assignable",
                target.name
            ))),
            None => Err(Diagnostic::at(
                target.span,
                format!("cannot assign to `{}`: it is not declared", target.name),
            )
            .with_hint(format!(
                "declare it first with `var {} = ...;`",
                target.name
            ))),
        }
    }

    fn name(&self, name: &str, span: Span) -> Result<()> {
        if self.lookup(name).is_some()
            || builtins::lookup(name).is_some()
            || super::exec::prelude_defines(name)
            || DType::from_name(name).is_some()
            || name == "none"
        {
            return Ok(());
        }
        let mut d = Diagnostic::at(span, format!("unknown name `{}`", name));
        if let Some(s) = self.suggest(name) {
            d = d.with_hint(format!("did you mean `{}`?", s));
        }
        Err(d)
    }

    /// The closest visible name, if one is close enough to be a typo.
    fn suggest(&self, name: &str) -> Option<String> {
        let globals = if self.in_fn {
            &self.all_globals
        } else {
            &self.globals
        };
        let candidates = self
            .scopes
            .iter()
            .flat_map(|s| s.keys())
            .chain(globals.keys())
            .map(String::as_str)
            .chain(builtins::TABLE.iter().map(|b| b.name))
            .filter(|c| !c.is_empty());
        let best = candidates
            .map(|c| (edit_distance(name, c), c))
            .min_by_key(|(d, _)| *d)?;
        (best.0 <= 2 && best.0 < name.len()).then(|| best.1.to_string())
    }

    fn expr(&mut self, e: &Expr) -> Result<()> {
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Imag(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_) => Ok(()),
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Unary(_, x) | ExprKind::Field(x, _) | ExprKind::TupleIndex(x, _, _) => {
                self.expr(x)
            }
            ExprKind::Binary(_, a, b) => {
                self.expr(a)?;
                self.expr(b)
            }
            ExprKind::Call {
                callee,
                args,
                kwargs,
            } => {
                self.expr(callee)?;
                for a in args {
                    self.expr(a)?;
                }
                for (_, a) in kwargs {
                    self.expr(a)?;
                }
                self.call(callee, args, kwargs, e.span)
            }
            ExprKind::Index(x, idx) => {
                self.expr(x)?;
                for i in idx {
                    match i {
                        IndexArg::Single(a) => self.expr(a)?,
                        IndexArg::Slice {
                            start, end, step, ..
                        } => {
                            for a in [start, end, step].into_iter().flatten() {
                                self.expr(a)?;
                            }
                        }
                    }
                }
                Ok(())
            }
            ExprKind::Tuple(xs) | ExprKind::List(xs) => xs.iter().try_for_each(|x| self.expr(x)),
            ExprKind::Record(fs) => fs.iter().try_for_each(|(_, x)| self.expr(x)),
            ExprKind::Block(b) => self.block(b),
            ExprKind::If { cond, then, else_ } => {
                self.expr(cond)?;
                self.block(then)?;
                match else_ {
                    Some(x) => self.expr(x),
                    None => Ok(()),
                }
            }
            ExprKind::Lambda { params, body } => {
                let was = self.in_fn;
                self.in_fn = true;
                self.scopes.push(HashMap::new());
                let r = (|| {
                    for p in params {
                        self.param(p)?;
                    }
                    self.expr(body)
                })();
                self.scopes.pop();
                self.in_fn = was;
                r
            }
        }
    }

    /// Arity and keyword checks of a call to a builtin or top-level `fn` by name.
    fn call(
        &self,
        callee: &Expr,
        args: &[Expr],
        kwargs: &[(Ident, Expr)],
        span: Span,
    ) -> Result<()> {
        let ExprKind::Name(name) = &callee.kind else {
            return Ok(());
        };
        match self.lookup(name) {
            Some(Kind::Fn(i)) => {
                let Some(Item::Fn(f)) = self.prog.items.get(i) else {
                    return Ok(());
                };
                let names: Vec<&str> = f.params.iter().map(|p| p.name.name.as_str()).collect();
                let required = f.params.iter().filter(|p| p.default.is_none()).count();
                check_arity(name, &names, required, false, args, kwargs, span)
            }
            Some(_) => Ok(()),
            None => {
                let Some(id) = builtins::lookup(name) else {
                    return Ok(());
                };
                let (Some(b), Some(sig)) = (builtins::TABLE.get(id), builtins::signature(id))
                else {
                    return Ok(());
                };
                if b.host_only && self.in_fn && !self.in_main {
                    return Err(builtins::host_only_error(b, span));
                }
                // Arguments collected by `*rest` are checked when bound.
                if sig.variadic || sig.rest.is_some() {
                    return Ok(());
                }
                check_arity(name, &sig.names, sig.required(), true, args, kwargs, span)
                    .map_err(|d| d.with_hint(format!("`{}({})`", b.name, b.params)))
            }
        }
    }
}

fn check_arity(
    name: &str,
    params: &[&str],
    required: usize,
    builtin: bool,
    args: &[Expr],
    kwargs: &[(Ident, Expr)],
    span: Span,
) -> Result<()> {
    if args.len() > params.len() {
        let what = if builtin || required < params.len() {
            "at most "
        } else {
            ""
        };
        return Err(Diagnostic::at(
            args[params.len()].span,
            format!(
                "`{}` takes {}{} argument(s), got {}",
                name,
                what,
                params.len(),
                args.len()
            ),
        )
        .with_hint(format!("`{}({})`", name, params.join(", "))));
    }
    for (k, _) in kwargs {
        match params.iter().position(|p| *p == k.name) {
            None => {
                return Err(Diagnostic::at(
                    k.span,
                    format!("`{}` has no parameter `{}`", name, k.name),
                )
                .with_hint(format!("`{}({})`", name, params.join(", "))))
            }
            Some(i) if i < args.len() => {
                return Err(Diagnostic::at(
                    k.span,
                    format!("argument `{}` of `{}` given twice", k.name, name),
                ))
            }
            Some(_) => {}
        }
    }
    for (i, p) in params.iter().enumerate().take(required) {
        if i >= args.len() && !kwargs.iter().any(|(k, _)| k.name == *p) {
            return Err(Diagnostic::at(
                span,
                format!("`{}` is missing its argument `{}`", name, p),
            )
            .with_hint(format!("`{}({})`", name, params.join(", "))));
        }
    }
    Ok(())
}

fn type_expr(t: &TypeExpr) -> Result<()> {
    match t {
        TypeExpr::Tensor { dtype, dims, .. } => {
            if DType::from_name(&dtype.name).is_none() && !(dtype.name == "key" && dims.is_empty())
            {
                return Err(
                    Diagnostic::at(dtype.span, format!("unknown dtype `{}`", dtype.name))
                        .with_hint(format!("dtypes are {} (and `key`)", DType::user_names())),
                );
            }
            Ok(())
        }
        TypeExpr::Tuple(ts, _) => ts.iter().try_for_each(type_expr),
        TypeExpr::Record(fs, _) => fs.iter().try_for_each(|(_, t)| type_expr(t)),
    }
}

/// The names a pattern binds.
pub fn pattern_names(p: &Pattern, out: &mut Vec<Ident>) {
    match p {
        Pattern::Name(id) => out.push(id.clone()),
        Pattern::Wild(_) => {}
        Pattern::Tuple(ps, _) => ps.iter().for_each(|q| pattern_names(q, out)),
        Pattern::Record(fs, _) => {
            for (name, q) in fs {
                match q {
                    Some(q) => pattern_names(q, out),
                    None => out.push(name.clone()),
                }
            }
        }
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}
