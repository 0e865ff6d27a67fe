//! Donation of loop-carried values: in `x = f(x)` the old value of `x` is
//! dead once `f` has it, so a compiled `f` may write its result into the
//! old value's device buffer instead of a new one (what
//! `jax.jit(f, donate_argnums = 0)` asks for by hand).
//!
//! The evaluator only makes the old value unreachable: the binding lets
//! go of it before the program runs, so the argument is the one reference
//! left. The runtime then donates every input it holds the only reference
//! to (`Runtime::run_prepared`), which covers temporaries too (`f(g(x))`).
//! A value also held elsewhere (another variable, a closure, a list, a
//! second argument, a global the function read) is never donated.
//!
//! When the binding lets go: a local at once, after the arguments are
//! evaluated (no function can read another's locals, and a lambda holds
//! its own copy). A global only once the call's program is found or
//! traced, just before it runs: the function may read the global, and the
//! trace cache checks the globals a program read against their values.

use super::exec::Evaluator;
use super::module::{Env, ModuleEnv};
use super::names::names_in_expr;
use super::value::{Func, Value};
use crate::diag::Result;
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind, Ident};
use std::rc::Rc;

/// A global whose value the statement being run gives to its call.
pub struct Release {
    module: Rc<ModuleEnv>,
    name: String,
    /// The function called: only its call lets go of the value.
    callee: Rc<Func>,
}

/// Drops the global's reference to its value, if the call has one to let
/// go of (the statement assigns a new value when the call returns).
pub fn let_go(release: Option<Release>) {
    let Some(r) = release else { return };
    let mut globals = r.module.globals.borrow_mut();
    if let Some(b) = globals.get_mut(&r.name) {
        b.value = Value::unit();
    }
}

/// The call of `x = f(..., x, ...)`: `value` is a call with `target` as one
/// positional argument, named nowhere else in the call.
fn donating_call<'a>(target: &str, value: &'a Expr) -> Option<(&'a Expr, &'a [Expr])> {
    let ExprKind::Call {
        callee,
        args,
        kwargs,
    } = &value.kind
    else {
        return None;
    };
    let is_target = |a: &Expr| matches!(&a.kind, ExprKind::Name(n) if n == target);
    let mut others = vec![];
    names_in_expr(callee, &mut others);
    args.iter()
        .filter(|a| !is_target(a))
        .for_each(|a| names_in_expr(a, &mut others));
    kwargs
        .iter()
        .for_each(|(_, a)| names_in_expr(a, &mut others));
    let once = args.iter().filter(|a| is_target(a)).count() == 1;
    (once && kwargs.is_empty() && !others.iter().any(|n| n == target)).then_some((callee, args))
}

impl Evaluator {
    /// The value of `target = value`, where the old value of a `var` passed
    /// to the call on the right is let go of before the call runs (see the
    /// module's comment). `None` when the statement is not of that form.
    pub(super) fn eval_donating(
        &mut self,
        env: &mut Env,
        target: &Ident,
        value: &Expr,
    ) -> Option<Result<Value>> {
        let (callee, args) = donating_call(&target.name, value)?;
        if !env.is_var(&target.name) || self.tracer.is_tracing() {
            return None;
        }
        Some(self.call_donating(env, &target.name, callee, args, value.span))
    }

    fn call_donating(
        &mut self,
        env: &mut Env,
        target: &str,
        callee: &Expr,
        args: &[Expr],
        span: Span,
    ) -> Result<Value> {
        let (f, pos, kws) = self.eval_call_parts(env, callee, args, &[])?;
        let local = env.scopes.iter_mut().rev().find_map(|s| s.get_mut(target));
        match (local, &f) {
            (Some(b), _) => b.value = Value::unit(),
            (None, Value::Func(callee)) => {
                self.release = Some(Release {
                    module: env.module.clone(),
                    name: target.to_string(),
                    callee: callee.clone(),
                });
            }
            (None, _) => {}
        }
        let r = self.call(&f, pos, kws, span);
        self.release = None;
        r
    }

    /// The global the running statement gives to a call of `f`, if any
    /// (taken: no other call lets go of it).
    pub(super) fn release_for(&mut self, f: &Value) -> Option<Release> {
        let r = self.release.take()?;
        match f {
            Value::Func(func) if Rc::ptr_eq(func, &r.callee) => Some(r),
            _ => None,
        }
    }
}
