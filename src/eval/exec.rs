//! The evaluator's state, and running programs and modules.

use super::module::{Env, ModuleEnv};
use super::stmt::Flow;
use super::tracer::Tracer;
use super::value::{Arr, Func, Value};
use crate::diag::{Diagnostic, Result};
use crate::span::{SourceMap, Span};
use crate::syntax::ast::{ImportSource, Item, Program};
use indexmap::IndexMap;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The standard library, embedded in the binary: module name and source.
pub const STDLIB: &[(&str, &str)] = &[
    ("nn", include_str!("../../stdlib/nn.nest")),
    ("opt", include_str!("../../stdlib/opt.nest")),
    ("linalg", include_str!("../../stdlib/linalg.nest")),
    ("dense", include_str!("../../stdlib/dense.nest")),
    ("eigen", include_str!("../../stdlib/eigen.nest")),
    ("nested", include_str!("../../stdlib/nested.nest")),
    ("hyper", include_str!("../../stdlib/hyper.nest")),
    ("games", include_str!("../../stdlib/games.nest")),
    ("builtins", include_str!("../../stdlib/builtins.nest")),
];

/// The standard-library module whose functions every program sees without
/// an import (after its own names and the builtins): `implicit`,
/// `best_response`, the linear solvers of `implicit_solve`...
pub const PRELUDE: &str = "nested";

/// The names the prelude defines.
pub fn prelude_defines(name: &str) -> bool {
    static NAMES: once_cell::sync::Lazy<Vec<String>> = once_cell::sync::Lazy::new(|| {
        let text = STDLIB
            .iter()
            .find(|(n, _)| *n == PRELUDE)
            .map_or("", |(_, t)| *t);
        let items = crate::syntax::parse(text, crate::span::FileId(u32::MAX))
            .map(|p| p.items)
            .unwrap_or_default();
        (items.into_iter())
            .filter_map(|item| match item {
                Item::Fn(def) => Some(def.name.name),
                _ => None,
            })
            .collect()
    });
    NAMES.iter().any(|n| n == name)
}

/// How diagnostics name the files of the standard library (`<stdlib>/opt.nest`).
pub const STDLIB_PREFIX: &str = "<stdlib>/";

/// Where the evaluator gets the text of the source files it loads (the
/// program run by path and the files it imports): the driver reads them
/// from disk (`driver::DiskFiles`). The evaluator reads no source file
/// itself; `load` and `save` of `.npy` files are host I/O builtins.
pub trait SourceFiles {
    /// The key a file's module is loaded under, once (its canonical path,
    /// so two spellings of one file are one module).
    fn key(&self, path: &Path) -> PathBuf;
    /// The text of `path`, or why it cannot be read.
    fn read(&self, path: &Path) -> std::result::Result<String, String>;
}

/// No source files: an evaluator made with [`Evaluator::new`] runs text it
/// is given, and refuses to load files until it has [`Evaluator::with_files`].
struct NoFiles;

impl SourceFiles for NoFiles {
    fn key(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }

    fn read(&self, _: &Path) -> std::result::Result<String, String> {
        Err("this evaluator was given no source files".to_string())
    }
}

/// The state of a running program: sources, the tracer, loaded modules, and
/// where output goes.
pub struct Evaluator {
    pub sources: SourceMap,
    pub tracer: Tracer,
    pub out: Box<dyn Write>,
    /// Where source files come from.
    files: Box<dyn SourceFiles>,
    /// Show a progress bar for long host loops (when stderr is a terminal).
    pub progress: bool,
    /// The IR of the latest trace of each function called from the host.
    pub traces: IndexMap<String, crate::ir::Func>,
    /// Loaded modules by key (`std:NAME` or a canonical path).
    modules: HashMap<String, Rc<ModuleEnv>>,
    /// Files being loaded, to detect import cycles.
    loading: Vec<(PathBuf, String)>,
    /// Functions being traced, to detect recursion (which tracing cannot unroll).
    pub(super) active: Vec<usize>,
    /// `nest check`: the arrays `save` would have written, by path, for a
    /// later `load` of the same path.
    pub checked_saves: HashMap<PathBuf, Arr>,
    /// Programs traced by host calls, for calls with the same types.
    pub cache: super::trace_cache::TraceCache,
    /// Which cached program `traces` holds for each name.
    pub(super) shown: HashMap<String, usize>,
    /// The global `x` of a running `x = f(x)`, let go of when `f`'s
    /// program runs (`donate.rs`).
    pub(super) release: Option<super::donate::Release>,
}

impl Evaluator {
    pub fn new(out: Box<dyn Write>) -> Evaluator {
        Evaluator {
            sources: SourceMap::default(),
            tracer: Tracer::default(),
            out,
            files: Box::new(NoFiles),
            progress: false,
            traces: IndexMap::new(),
            modules: HashMap::new(),
            loading: vec![],
            active: vec![],
            checked_saves: HashMap::new(),
            cache: Default::default(),
            shown: HashMap::new(),
            release: None,
        }
    }

    /// The evaluator, loading source files from `files`.
    pub fn with_files(mut self, files: Box<dyn SourceFiles>) -> Evaluator {
        self.files = files;
        self
    }

    /// Writes `text` to the program's output (`print`), after what compiled
    /// code printed before.
    pub fn write_out(&mut self, text: &str) -> Result<()> {
        self.flush_printed()?;
        self.write_raw(text)
    }

    fn write_raw(&mut self, text: &str) -> Result<()> {
        self.out
            .write_all(text.as_bytes())
            .map_err(|e| Diagnostic::new(format!("cannot write output: {}", e)))
    }

    /// Writes what the prints of compiled programs printed.
    pub fn flush_printed(&mut self) -> Result<()> {
        for p in std::mem::take(&mut self.tracer.pending) {
            let line = match p {
                super::effects::Printed::Line(l) => l,
                super::effects::Printed::Dropped { span, ran, kept } => format!(
                    "note: the `print` at {} ran {} times; shown: its first {} and its last (a print keeps at most {} MiB)",
                    span.map_or("?".into(), |s| self.location(s)),
                    ran,
                    kept.saturating_sub(1),
                    super::effects::SITE_BYTES >> 20
                ),
            };
            self.write_raw(&format!("{}\n", line))?;
        }
        Ok(())
    }

    /// `file:line:col` of a span.
    fn location(&self, span: Span) -> String {
        let (line, col) = self.sources.line_col(span.file, span.start);
        let name = self.sources.get(span.file).map_or("?", |f| f.name.as_str());
        format!("{}:{}:{}", name, line, col)
    }

    /// A path in a program, relative to the directory of the file containing `span`.
    pub fn resolve_path(&self, span: Span, path: &str) -> PathBuf {
        let p = PathBuf::from(path);
        if p.is_absolute() {
            return p;
        }
        match self.sources.get(span.file).map(|f| PathBuf::from(&f.name)) {
            Some(file) => normalize(&file.parent().map(|d| d.join(&p)).unwrap_or(p)),
            None => p,
        }
    }

    /// Parses and checks a source text registered under `name`.
    pub fn parse_source(&mut self, name: &str, text: &str) -> Result<Program> {
        let file = self.sources.add(name, text);
        let prog = crate::syntax::parse(text, file)?;
        super::check::check_program(&prog, None)?;
        Ok(prog)
    }

    /// Parses, checks and runs a file (its text from [`SourceFiles`]) as a module. `from` is the span
    /// of the `import` that asked for it.
    pub fn load_file(&mut self, path: &Path, from: Option<Span>) -> Result<Rc<ModuleEnv>> {
        let key = self.files.key(path);
        if let Some(m) = self.modules.get(&key.display().to_string()) {
            return Ok(m.clone());
        }
        if self.loading.iter().any(|(k, _)| *k == key) {
            let names = self.loading.iter().map(|(_, name)| name.clone());
            let chain: Vec<String> = names.chain([path.display().to_string()]).collect();
            return Err(with_span(Diagnostic::new("import cycle"), from)
                .with_hint(format!("the cycle: {}", chain.join(" -> "))));
        }
        let text = self.files.read(path).map_err(|e| {
            with_span(
                Diagnostic::new(format!("cannot read `{}`: {}", path.display(), e)),
                from,
            )
        })?;
        let prog = self.parse_source(&path.display().to_string(), &text)?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let module = ModuleEnv::new(stem, Some(path.to_path_buf()));
        self.loading.push((key.clone(), path.display().to_string()));
        let r = self.run_program(&prog, module.clone());
        self.loading.pop();
        r?;
        self.modules
            .insert(key.display().to_string(), module.clone());
        Ok(module)
    }

    /// A function of the prelude (see [`PRELUDE`]).
    pub fn prelude_fn(&mut self, name: &str, span: Span) -> Result<Value> {
        let prelude = self.load_std(PRELUDE, span)?;
        prelude
            .get(name)
            .ok_or_else(|| Diagnostic::internal(format!("the prelude does not define `{}`", name)))
    }

    /// A standard-library module, loaded once.
    pub fn load_std(&mut self, name: &str, span: Span) -> Result<Rc<ModuleEnv>> {
        let key = format!("std:{}", name);
        if let Some(m) = self.modules.get(&key) {
            return Ok(m.clone());
        }
        let Some((_, text)) = STDLIB.iter().find(|(n, _)| *n == name) else {
            let names: Vec<&str> = STDLIB.iter().map(|(n, _)| *n).collect();
            return Err(
                Diagnostic::at(span, format!("no standard-library module `{}`", name)).with_hint(
                    format!(
                        "available: {}; import a file with `import \"path.nest\" as name`",
                        names.join(", ")
                    ),
                ),
            );
        };
        let prog = self.parse_source(&format!("{}{}.nest", STDLIB_PREFIX, name), text)?;
        let module = ModuleEnv::new(name, None);
        self.run_program(&prog, module.clone())?;
        self.modules.insert(key, module.clone());
        Ok(module)
    }

    /// Runs a program's items in `module`: function definitions first (so
    /// they may call each other), then imports and statements in order.
    /// Returns the value of a trailing expression.
    pub fn run_program(&mut self, prog: &Program, module: Rc<ModuleEnv>) -> Result<Option<Value>> {
        for item in &prog.items {
            if let Item::Fn(def) = item {
                let f = Func::Def {
                    def: Rc::new(def.clone()),
                    module: module.clone(),
                };
                module.define(&def.name.name, Value::Func(Rc::new(f)), false);
            }
        }
        let mut env = Env::top(module);
        for item in &prog.items {
            match item {
                Item::Fn(_) => {}
                Item::Import(imp) => {
                    let (m, default_name) = match &imp.source {
                        ImportSource::Std(id) => {
                            (self.load_std(&id.name, id.span)?, id.name.clone())
                        }
                        ImportSource::Path(p, span) => {
                            let path = self.resolve_path(*span, p);
                            let m = self.load_file(&path, Some(*span))?;
                            let name = m.name.clone();
                            (m, name)
                        }
                    };
                    let name = imp.alias.as_ref().map_or(default_name, |a| a.name.clone());
                    env.define(&name, Value::Module(m), false);
                }
                Item::Stmt(s) => {
                    if let Some(Flow::Return(_, span)) = self.exec_stmt(&mut env, s)? {
                        return Err(Diagnostic::at(span, "`return` outside a function"));
                    }
                }
            }
        }
        let tail = match &prog.tail {
            Some(e) => (self.eval_expr_flow(&mut env, e))
                .and_then(|v| v.value_only(e.span))
                .map(Some),
            None => Ok(None),
        };
        self.flush_printed()?;
        tail
    }
}

/// Removes `.` and `dir/..` components without touching the file system,
/// so paths in messages read as the user would write them.
fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn with_span(d: Diagnostic, span: Option<Span>) -> Diagnostic {
    match span {
        Some(s) => d.with_span(s),
        None => d,
    }
}
