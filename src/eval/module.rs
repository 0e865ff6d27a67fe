//! Environments: a module's globals and the local scopes of a body.

use super::value::Value;
use crate::diag::{Diagnostic, Result};
use crate::span::Span;
use indexmap::IndexMap;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

/// A name's value, and whether it was declared with `var`.
#[derive(Clone, Debug)]
pub struct Binding {
    pub value: Value,
    pub mutable: bool,
}

/// The global environment of one file (or of the REPL).
#[derive(Debug, Default)]
pub struct ModuleEnv {
    pub name: String,
    /// The file it was loaded from (`None` for the REPL and the stdlib).
    pub path: Option<PathBuf>,
    pub globals: RefCell<IndexMap<String, Binding>>,
}

impl ModuleEnv {
    pub fn new(name: impl Into<String>, path: Option<PathBuf>) -> Rc<ModuleEnv> {
        Rc::new(ModuleEnv {
            name: name.into(),
            path,
            globals: RefCell::default(),
        })
    }

    pub fn get(&self, name: &str) -> Option<Value> {
        self.globals.borrow().get(name).map(|b| b.value.clone())
    }

    /// [`ModuleEnv::get`], noted for the trace being recorded (see
    /// [`record_reads`]): a traced program depends on the globals it read.
    pub fn read(self: &Rc<Self>, name: &str) -> Option<Value> {
        let value = self.get(name);
        READS.with(|r| {
            if let Some(top) = r.borrow_mut().last_mut() {
                top.push((self.clone(), name.to_string(), value.clone()));
            }
        });
        value
    }

    pub fn define(&self, name: &str, value: Value, mutable: bool) {
        self.globals
            .borrow_mut()
            .insert(name.to_string(), Binding { value, mutable });
    }
}

/// The names visible in a body: nested local scopes over a module's globals.
pub struct Env {
    pub scopes: Vec<IndexMap<String, Binding>>,
    pub module: Rc<ModuleEnv>,
    /// Inside a function body: globals are read-only there (functions are pure).
    pub in_fn: bool,
}

impl Env {
    /// The top level of a module (no local scope: bindings are globals).
    pub fn top(module: Rc<ModuleEnv>) -> Env {
        Env {
            scopes: vec![],
            module,
            in_fn: false,
        }
    }

    /// A function body: one local scope.
    pub fn body(module: Rc<ModuleEnv>) -> Env {
        Env {
            scopes: vec![IndexMap::new()],
            module,
            in_fn: true,
        }
    }

    pub fn push(&mut self) {
        self.scopes.push(IndexMap::new());
    }

    pub fn pop(&mut self) {
        self.scopes.pop();
    }

    pub fn lookup(&self, name: &str) -> Option<Value> {
        for s in self.scopes.iter().rev() {
            if let Some(b) = s.get(name) {
                return Some(b.value.clone());
            }
        }
        self.module.read(name)
    }

    /// Declares a name in the innermost scope (a global at top level).
    pub fn define(&mut self, name: &str, value: Value, mutable: bool) {
        match self.scopes.last_mut() {
            Some(s) => {
                s.insert(name.to_string(), Binding { value, mutable });
            }
            None => self.module.define(name, value, mutable),
        }
    }

    /// Assigns to an existing `var`.
    pub fn assign(&mut self, name: &str, value: Value, span: Span) -> Result<()> {
        for s in self.scopes.iter_mut().rev() {
            if let Some(b) = s.get_mut(name) {
                return set(b, name, value, span);
            }
        }
        let mut globals = self.module.globals.borrow_mut();
        if self.in_fn && globals.contains_key(name) {
            return Err(Diagnostic::at(
                span,
                format!("cannot assign to the global `{}` inside a function", name),
            )
            .with_hint("functions are pure: return the new value and assign it at top level"));
        }
        match globals.get_mut(name) {
            Some(b) => set(b, name, value, span),
            None => Err(Diagnostic::at(
                span,
                format!("cannot assign to `{}`: it is not declared", name),
            )
            .with_hint(format!("declare it first with `var {} = ...;`", name))),
        }
    }

    /// Whether `name` is a `var` visible here.
    pub fn is_var(&self, name: &str) -> bool {
        for s in self.scopes.iter().rev() {
            if let Some(b) = s.get(name) {
                return b.mutable;
            }
        }
        self.module
            .globals
            .borrow()
            .get(name)
            .is_some_and(|b| b.mutable)
    }

    /// Snapshot of the local bindings (what a lambda captures).
    pub fn locals(&self) -> Vec<(String, Value)> {
        let mut out: IndexMap<String, Value> = IndexMap::new();
        for s in &self.scopes {
            for (k, b) in s {
                out.insert(k.clone(), b.value.clone());
            }
        }
        out.into_iter().collect()
    }
}

fn set(b: &mut Binding, name: &str, value: Value, span: Span) -> Result<()> {
    if !b.mutable {
        return Err(Diagnostic::at(
            span,
            format!("cannot assign to `{}`: it was bound with `let`", name),
        )
        .with_hint(format!(
            "declare it with `var {} = ...;` to make it assignable",
            name
        )));
    }
    b.value = value;
    Ok(())
}

/// A global read while a trace was recorded: the module, the name, and the
/// value it had (`None`: not defined then).
pub type GlobalRead = (Rc<ModuleEnv>, String, Option<Value>);

thread_local! {
    /// The globals read by each trace being recorded, innermost last.
    static READS: RefCell<Vec<Vec<GlobalRead>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f`, returning with its result the globals it read (through
/// [`ModuleEnv::read`]). Recordings nest: what an inner one reads is
/// read by the outer one too.
pub fn record_reads<T>(f: impl FnOnce() -> T) -> (T, Vec<GlobalRead>) {
    READS.with(|r| r.borrow_mut().push(vec![]));
    let out = f();
    let reads = READS.with(|r| {
        let mut stack = r.borrow_mut();
        let reads = stack.pop().unwrap_or_default();
        if let Some(outer) = stack.last_mut() {
            outer.extend(reads.iter().cloned());
        }
        reads
    });
    (out, reads)
}
