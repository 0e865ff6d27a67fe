//! Source to diagnostics, IR or results: the API shared by the CLI, the REPL
//! and library users.

use crate::diag::{Diagnostic, Result};
use crate::eval::display::{display, type_string};
use crate::eval::exec::{Evaluator, SourceFiles};
use crate::eval::module::ModuleEnv;
use crate::eval::value::{Arr, Func, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Source files read from disk: the one place nest reads `.nest` files
/// (the evaluator asks through [`SourceFiles`]).
pub struct DiskFiles;

impl SourceFiles for DiskFiles {
    fn key(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    }

    fn read(&self, path: &Path) -> std::result::Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    }
}

/// One nest session: loaded sources, global bindings, traced functions.
/// `print` output goes to the session's writer.
pub struct Session {
    ev: Evaluator,
    repl: Rc<ModuleEnv>,
    entries: usize,
}

impl Session {
    /// A session printing to `out`.
    pub fn new(out: Box<dyn Write>) -> Session {
        Session {
            ev: Evaluator::new(out).with_files(Box::new(DiskFiles)),
            repl: ModuleEnv::new("repl", None),
            entries: 0,
        }
    }

    /// Chooses where compiled programs run (the interpreter by default).
    pub fn set_backend(&mut self, backend: crate::backend::Backend) {
        self.ev.tracer.runtime = backend.runtime();
    }

    /// The name of the backend in use (`interp` or `xla`).
    pub fn backend_name(&self) -> &'static str {
        self.ev.tracer.runtime.name()
    }

    /// How many host calls traced a program, and how many ran one traced
    /// before (the trace cache, `eval/trace_cache.rs`).
    pub fn trace_stats(&self) -> (usize, usize) {
        (self.ev.cache.traces, self.ev.cache.hits)
    }

    /// Turns the trace cache on (the default) or off.
    pub fn set_trace_cache(&mut self, on: bool) {
        self.ev.cache.enabled = on;
    }

    /// Shows a progress bar for long host loops when stderr is a terminal.
    pub fn set_progress(&mut self, on: bool) {
        self.ev.progress = on;
    }

    /// Parses, checks and runs a file: its top-level statements, then `main()` if defined.
    pub fn run_file(&mut self, path: &Path) -> Result<()> {
        let module = self.ev.load_file(path, None)?;
        let ran = self.run_main_of(&module);
        let printed = self.ev.flush_printed();
        ran.and(printed)?;
        self.ev
            .out
            .flush()
            .map_err(|e| Diagnostic::new(format!("cannot write output: {}", e)))
    }

    /// Runs a program given as text (`nest run -` reads it from standard
    /// input), shown in diagnostics as `name`. Its relative `import` and
    /// file paths resolve from the current directory, as it has none.
    pub fn run_source(&mut self, name: &str, text: &str) -> Result<()> {
        let prog = self.ev.parse_source(name, text)?;
        let module = ModuleEnv::new("main", None);
        self.ev.run_program(&prog, module.clone())?;
        self.run_main_of(&module)?;
        self.ev
            .out
            .flush()
            .map_err(|e| Diagnostic::new(format!("cannot write output: {}", e)))
    }

    /// Calls the module's `main()`, if it defines one.
    fn run_main_of(&mut self, module: &Rc<ModuleEnv>) -> Result<()> {
        let main = module.get("main");
        // The static checks refused a `main` with parameters.
        if let Some(Value::Func(f)) = main {
            if let Func::Def { def, .. } = &*f {
                self.ev.run_main(def, module.clone())?;
            }
        }
        Ok(())
    }

    /// Checks a file without running it: the static checks, then its
    /// top-level statements and `main()` with nothing compiled run, nothing
    /// printed or saved (the session stays in this mode). Every function
    /// called from the host is traced on its argument types, so what tracing
    /// finds (recursion, shape mismatches, static indices out of range) is
    /// reported; `load` reads small files and only the header of large ones;
    /// values that would take running compiled code, or large host
    /// computations, are known by type only. A host loop runs its first two
    /// iterations, and a host `if` on a value known by type checks both
    /// branches.
    pub fn check_file(&mut self, path: &Path) -> Result<()> {
        self.ev.tracer.start_checking();
        self.ev.progress = false;
        let module = self.ev.load_file(path, None)?;
        self.run_main_of(&module)
    }

    /// The IR of function `name` in `path`, printed. `arg_types` (e.g.
    /// `"f32[3, 4], f32[4]"`) gives the argument types; without it the
    /// function's annotations must be concrete. The file's top-level
    /// statements run first (their output discarded), as the function may use
    /// their bindings.
    pub fn ir_of_file(
        &mut self,
        path: &Path,
        name: &str,
        arg_types: Option<&str>,
    ) -> Result<String> {
        Ok(crate::ir::print::print_func(
            &self.trace_of_file(path, name, arg_types)?,
        ))
    }

    /// The StableHLO module of function `name` in `path`, as `ir_of_file` traces it.
    pub fn stablehlo_of_file(
        &mut self,
        path: &Path,
        name: &str,
        arg_types: Option<&str>,
    ) -> Result<String> {
        let f = self.trace_of_file(path, name, arg_types)?;
        let cannot =
            |m: String| Diagnostic::new(format!("cannot lower `{}` to StableHLO: {}", name, m));
        // The program that runs: with its prints staged out.
        let graph = crate::eval::effects::staged_graph(&f.graph).map_err(cannot)?;
        crate::backend::stablehlo::lower_program(name, &graph)
            .map(|(l, _)| l.text)
            .map_err(|m| Diagnostic::new(format!("cannot lower `{}` to StableHLO: {}", name, m)))
    }

    /// Traces function `name` of `path` (see [`Session::ir_of_file`]).
    pub fn trace_of_file(
        &mut self,
        path: &Path,
        name: &str,
        arg_types: Option<&str>,
    ) -> Result<crate::ir::Func> {
        let (f, def) = self.load_fn(path, name)?;
        let args = crate::args::arg_values(&mut self.ev.sources, &def, name, arg_types)?;
        let traced = self.ev.trace_call(&f, name, args, def.name.span)?;
        Ok(crate::ir::Func {
            name: name.to_string(),
            graph: traced.graph,
        })
    }

    /// Compiles function `name` of `path` into an artifact in `dir`; with
    /// `xla`, the serialized executable too. `arg_types` gives the argument
    /// types as for [`Session::ir_of_file`]; without it every parameter
    /// needs a concrete annotation. Returns the manifest's path.
    pub fn compile_file(
        &mut self,
        path: &Path,
        name: &str,
        arg_types: Option<&str>,
        dir: &Path,
        xla: Option<&crate::backend::xla::Xla>,
    ) -> Result<std::path::PathBuf> {
        use crate::artifact::{leaf_specs, tree_json, Parts};
        use crate::eval::tree::{flatten, TreeDef};
        let (f, def) = self.load_fn(path, name)?;
        let args = crate::args::arg_values(&mut self.ev.sources, &def, name, arg_types)?;
        let mut inputs = vec![];
        let mut tree = vec![];
        for (p, (v, _)) in def.params.iter().zip(&args) {
            let (leaves, d) = flatten(v);
            inputs.extend(leaf_specs(
                &d,
                &p.name.name,
                &mut leaves.iter().map(Arr::ty),
            ));
            tree.push((p.name.name.clone(), d));
        }
        let span = def.name.span;
        let traced = self.ev.trace_call(&f, name, args, span)?;
        if traced.graph.has_effects() {
            return Err(Diagnostic::at(
                span,
                format!("`{}` prints: `nest compile` cannot compile a function with `print` inside", name),
            )
            .with_hint("an artifact has no output for printed text: remove the `print`, or run the file with `nest run`"));
        }
        let (lowered, layout) = crate::backend::stablehlo::lower_program(name, &traced.graph)
            .map_err(|m| Diagnostic::new(format!("cannot lower `{}` to StableHLO: {}", name, m)))?;
        let parts = Parts {
            name,
            text: &lowered.text,
            hoisted: &lowered.hoisted,
            inputs,
            outputs: leaf_specs(
                &traced.output,
                "out",
                &mut traced.graph.output_types().into_iter(),
            ),
            input_tree: tree_json(&TreeDef::Record(tree)),
            output_tree: tree_json(&traced.output),
            layout: layout.as_ref(),
        };
        crate::artifact::write(dir, &parts, xla).map_err(|e| Diagnostic::new(e.to_string()))
    }

    /// Loads `path` (its output discarded) and finds its `fn name`.
    fn load_fn(
        &mut self,
        path: &Path,
        name: &str,
    ) -> Result<(Rc<Func>, Rc<crate::syntax::ast::FnDef>)> {
        let out = std::mem::replace(&mut self.ev.out, Box::new(std::io::sink()));
        let module = self.ev.load_file(path, None);
        self.ev.out = out;
        let Some(Value::Func(f)) = module?.get(name) else {
            return Err(Diagnostic::new(format!(
                "`{}` has no function `{}`",
                path.display(),
                name
            )));
        };
        match &*f {
            Func::Def { def, .. } => Ok((f.clone(), def.clone())),
            _ => Err(Diagnostic::new(format!(
                "`{}` is not a `fn` definition",
                name
            ))),
        }
    }

    /// Runs a REPL entry (statements, `fn` definitions, imports, or an
    /// expression). Returns the printed value of a trailing expression,
    /// none for `()` (what `print(...)` gives), as Python's REPL shows
    /// nothing for `None`.
    pub fn eval_repl(&mut self, source: &str) -> Result<Option<String>> {
        self.entries += 1;
        let name = format!("<repl:{}>", self.entries);
        let file = self.ev.sources.add(&name, source);
        let prog = crate::syntax::parse(source, file)?;
        let known: Vec<(String, bool)> = self
            .repl
            .globals
            .borrow()
            .iter()
            .map(|(k, b)| (k.clone(), b.mutable))
            .collect();
        crate::eval::check::check_program(&prog, Some(&known))?;
        let v = self.ev.run_program(&prog, self.repl.clone());
        let printed = self.ev.flush_printed();
        let v = v.and_then(|v| printed.map(|()| v))?;
        let _ = self.ev.out.flush();
        Ok(v.filter(|v| !is_unit(v)).map(|v| display(&v)))
    }

    /// The type of an expression, e.g. `f32[3, 4]` or `{w: f32[3], b: f32[]}` (REPL `:type`).
    pub fn type_of(&mut self, source: &str) -> Result<String> {
        self.entries += 1;
        let name = format!("<repl:{}>", self.entries);
        let file = self.ev.sources.add(&name, source);
        let prog = crate::syntax::parse(source, file)?;
        if !prog.items.is_empty() || prog.tail.is_none() {
            return Err(Diagnostic::new("`:type` takes one expression"));
        }
        let known: Vec<(String, bool)> = self
            .repl
            .globals
            .borrow()
            .iter()
            .map(|(k, b)| (k.clone(), b.mutable))
            .collect();
        crate::eval::check::check_program(&prog, Some(&known))?;
        let v = self
            .ev
            .run_program(&prog, self.repl.clone())?
            .unwrap_or(Value::unit());
        Ok(type_string(&v))
    }

    /// The IR of the most recent trace of function `name` (REPL `:ir NAME`).
    pub fn ir_of_name(&mut self, name: &str) -> Result<String> {
        match self.ev.traces.get(name) {
            Some(f) => Ok(crate::ir::print::print_func(f)),
            None => Err(
                Diagnostic::new(format!("`{}` has not been called yet", name)).with_hint(
                    "functions are traced when called; call it once, then ask for its IR",
                ),
            ),
        }
    }

    /// Renders a diagnostic against this session's sources.
    pub fn render(&self, diag: &Diagnostic) -> String {
        diag.render(&self.ev.sources)
    }
}

impl Evaluator {
    /// Runs `main`'s body as host code (I/O allowed), like top-level statements.
    fn run_main(&mut self, def: &crate::syntax::ast::FnDef, module: Rc<ModuleEnv>) -> Result<()> {
        let mut env = crate::eval::module::Env::body(module);
        self.exec_block(&mut env, &def.body)?;
        Ok(())
    }
}

fn is_unit(v: &Value) -> bool {
    matches!(v, Value::Tuple(xs) if xs.is_empty())
}
