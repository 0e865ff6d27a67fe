//! The parser: the only code that touches pest. Source text to [`Program`].
//!
//! Parsing runs in three steps: a scan that bounds nesting depth and finds
//! unterminated strings (`scan`), the pest grammar (`grammar/nest.pest`,
//! which documents the syntax decisions), and a walk over pest's tree that
//! builds the AST with exact spans and reports what the grammar leaves open
//! (a missing `;` between expressions, positional arguments after keyword
//! arguments, literals out of range, duplicate names).

mod expr;
mod scan;
mod syntax_error;

use super::ast::*;
use crate::diag::{Diagnostic, Result};
use crate::span::{FileId, Span};
use pest::iterators::{Pair, Pairs};
use pest::Parser as _;
use std::iter::Peekable;
use syntax_error as se;

#[derive(pest_derive::Parser)]
#[grammar = "grammar/nest.pest"]
struct Grammar;

type P<'i> = Pair<'i, Rule>;

/// The largest AST depth the parser builds (chains like `a + b + c` count
/// one level per operator), so that later recursive passes cannot overflow.
const MAX_HEIGHT: usize = 1000;

/// The stack of the thread that parses: pest and the tree walk recurse a
/// few frames per nesting level, and [`scan::MAX_NESTING`] and
/// [`MAX_HEIGHT`] bound the levels, so this is ample whatever the caller's
/// own stack (only touched pages are ever allocated).
const PARSER_STACK: usize = 64 << 20;

/// Parses a whole file (or REPL entry). A final expression without `;`
/// becomes [`Program::tail`].
///
/// Runs on a thread of its own with a large stack, so that nesting up to the
/// limits parses the same from any caller; deeper nesting is an error.
pub fn parse(source: &str, file: FileId) -> Result<Program> {
    scan::prescan(source, file)?;
    on_parser_thread(|| parse_here(source, file))
}

/// Parses a comma-separated list of types, as in a `fn`'s annotations:
/// `{w: f32[3], b: f32}, f32[8, 3]` (`--args` of `nest ir` and `nest compile`).
pub fn parse_types(source: &str, file: FileId) -> Result<Vec<TypeExpr>> {
    scan::prescan(source, file)?;
    on_parser_thread(|| {
        let mut pairs =
            Grammar::parse(Rule::type_list, source).map_err(|e| grammar_error(source, file, e))?;
        let list = pairs
            .next()
            .ok_or_else(|| Diagnostic::internal("the grammar produced no type list"))?;
        let mut b = Builder {
            src: source,
            file,
            height: 0,
        };
        Kids::of(list)
            .rest()
            .filter(|k| k.as_rule() == Rule::type_expr)
            .map(|k| b.type_expr(k))
            .collect()
    })
}

/// Runs `f` on a thread with a stack of [`PARSER_STACK`].
fn on_parser_thread<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("nest-parser".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, f)
            .map_err(|e| Diagnostic::internal(format!("cannot start the parser thread: {e}")))?
            .join()
            .map_err(|_| Diagnostic::internal("the parser thread panicked"))?
    })
}

fn parse_here(source: &str, file: FileId) -> Result<Program> {
    let mut pairs =
        Grammar::parse(Rule::program, source).map_err(|e| grammar_error(source, file, e))?;
    let program = pairs
        .next()
        .ok_or_else(|| Diagnostic::internal("the grammar produced no program"))?;
    let mut b = Builder {
        src: source,
        file,
        height: 0,
    };
    b.program(program)
}

fn grammar_error(src: &str, file: FileId, e: pest::error::Error<Rule>) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let offset = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    match e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            se::expected_error(src, file, offset, &expected_names(&positives))
        }
        // The stack or call limit of pest: only reachable on absurd input.
        ErrorVariant::CustomError { .. } => Diagnostic::at(
            Span::new(file, offset, offset),
            "the program is nested too deeply",
        )
        .with_hint("split the expression with `let` bindings or helper functions"),
    }
}

/// What an expected rule is called in an error message.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// A token or construct worth naming.
    Name(&'static str),
    /// Something that could continue an expression (an operator, `(` of a
    /// call, ...): named only when nothing else was expected.
    Continue,
    /// Never named.
    Hidden,
}

fn expected_names(rules: &[Rule]) -> Vec<&'static str> {
    let all: Vec<Expect> = rules.iter().map(|r| expectation(*r)).collect();
    let mut names: Vec<&'static str> = Vec::new();
    for e in &all {
        if let Expect::Name(n) = e {
            if !names.contains(n) {
                names.push(n);
            }
        }
    }
    // After an expression statement a new statement may follow too, but a
    // missing `;` is the likely mistake.
    if names.contains(&se::SEMI) {
        names.retain(|n| ![se::A_STATEMENT, se::END_OF_INPUT, "`}`"].contains(n));
    }
    if names.len() > 1 {
        names.retain(|n| *n != se::END_OF_INPUT);
    }
    // Constructs ("a statement") read best before tokens ("`}`").
    names.sort_by_key(|n| n.starts_with('`'));
    if names.is_empty() && all.contains(&Expect::Continue) {
        names.push("an operator");
    }
    names
}

fn expectation(rule: Rule) -> Expect {
    use Expect::{Continue, Hidden, Name};
    use Rule::*;
    match rule {
        EOI => Name(se::END_OF_INPUT),
        ident | binder | var_stmt => Name(se::A_NAME),
        // Silent rules are never reported.
        ident_peek | WHITESPACE | COMMENT | ident_char | keyword | digits | exponent
        | float_body | primary | record_start => Hidden,
        wild => Name("`_`"),
        kw_fn | fn_def => Name("`fn`"),
        kw_let => Name("`let`"),
        kw_var => Name("`var`"),
        kw_if => Name("`if`"),
        kw_else | else_if | else_block => Name("`else`"),
        kw_for => Name("`for`"),
        kw_in => Name("`in`"),
        kw_while => Name("`while`"),
        kw_return => Name("`return`"),
        kw_import | import => Name("`import`"),
        kw_as => Name("`as`"),
        semi => Name(se::SEMI),
        comma => Name("`,`"),
        colon => Name("`:`"),
        lparen => Name("`(`"),
        rparen => Name("`)`"),
        lbracket => Name("`[`"),
        rbracket => Name("`]`"),
        lbrace | block => Name("`{`"),
        rbrace => Name("`}`"),
        arrow => Name("`->`"),
        range_op => Name("`..`"),
        pipe => Name("`|`"),
        no_params => Name("`||`"),
        assign_eq => Name("`=`"),
        string => Name("a string"),
        tuple_num => Name("a tuple index"),
        dim => Name("a dimension (an integer or a name)"),
        int => Name("an integer"),
        param | fn_param => Name(se::A_PARAMETER),
        type_expr | tensor_type | tuple_type | record_type | type_list => Name("a type"),
        type_field | rec_pat_field | rec_field => Name("a field"),
        pattern | tuple_pat | record_pat => Name(se::A_PATTERN),
        program | item | block_item | stmt | let_stmt | assign_stmt | for_stmt | while_stmt
        | return_stmt | expr_stmt => Name(se::A_STATEMENT),
        arg | kwarg => Name("an expression"),
        index_arg | slice_rest => Name("an index"),
        expr | lambda_head | or_expr | and_expr | cmp_expr | add_expr | mul_expr | unary
        | power | postfix_expr | slice_end | slice_step | paren | list | record | if_expr
        | imag | float | kw_true | kw_false | op_unary => Name("an expression"),
        assign_op | call_open | index_open | dot | kwarg_eq | op_or | op_and | op_cmp | op_add
        | op_mul | op_pow | call_args | index_args | field | tuple_index => Continue,
    }
}

/// The children of a pair, consumed in order.
struct Kids<'i> {
    it: Peekable<Pairs<'i, Rule>>,
}

impl<'i> Kids<'i> {
    fn of(p: P<'i>) -> Kids<'i> {
        Kids {
            it: p.into_inner().peekable(),
        }
    }

    fn next(&mut self) -> Result<P<'i>> {
        self.it
            .next()
            .ok_or_else(|| Diagnostic::internal("the parse tree ended early"))
    }

    /// The next child if it is a `rule`.
    fn eat(&mut self, rule: Rule) -> Option<P<'i>> {
        self.it.next_if(|p| p.as_rule() == rule)
    }

    /// The remaining children, without punctuation.
    fn rest(self) -> impl Iterator<Item = P<'i>> {
        self.it.filter(|p| !is_punct(p.as_rule()))
    }
}

fn is_punct(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::comma
            | Rule::colon
            | Rule::semi
            | Rule::lparen
            | Rule::rparen
            | Rule::lbracket
            | Rule::rbracket
            | Rule::lbrace
            | Rule::rbrace
            | Rule::pipe
            | Rule::no_params
            | Rule::call_open
            | Rule::index_open
            | Rule::dot
            | Rule::arrow
            | Rule::assign_eq
            | Rule::kwarg_eq
            | Rule::range_op
    )
}

fn unexpected(p: &P) -> Diagnostic {
    Diagnostic::internal(format!("unexpected {:?} in the parse tree", p.as_rule()))
}

/// An expression statement as parsed, before it is known whether it is a
/// statement or the tail of its block.
struct ExprItem {
    expr: Expr,
    semi: bool,
    block_like: bool,
}

/// An item or statement, or an expression item still to be settled.
enum Entry<T> {
    Done(T),
    Expr(ExprItem),
}

struct Builder<'s> {
    src: &'s str,
    file: FileId,
    /// An upper bound on the AST depth of the node being built.
    height: usize,
}

impl<'s> Builder<'s> {
    /// The span of a pair, without the whitespace pest may leave at its end:
    /// it ends where its last token ends.
    fn span(&self, p: &P) -> Span {
        let start = p.as_span().start();
        let mut last = p.clone();
        while let Some(child) = last.clone().into_inner().next_back() {
            last = child;
        }
        let end = last.as_span().end().max(start);
        Span::new(self.file, start, end)
    }

    fn ident(&self, p: P) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    /// Runs `f` `cost` levels deeper in the AST, failing past [`MAX_HEIGHT`].
    fn deeper<T>(
        &mut self,
        cost: usize,
        at: Span,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        if self.height + cost > MAX_HEIGHT {
            return Err(Diagnostic::at(
                at,
                format!("this expression is nested too deeply (more than {MAX_HEIGHT} levels)"),
            )
            .with_hint("split it with `let` bindings"));
        }
        self.height += cost;
        let result = f(self);
        self.height -= cost;
        result
    }

    // ------------------------------------------------------------ items

    fn program(&mut self, p: P) -> Result<Program> {
        let mut entries = Vec::new();
        for item in Kids::of(p).rest() {
            if item.as_rule() == Rule::EOI {
                continue;
            }
            let Some(inner) = Kids::of(item).rest().next() else {
                continue; // a lone `;`
            };
            entries.push(match inner.as_rule() {
                Rule::import => Entry::Done(Item::Import(self.import(inner)?)),
                Rule::fn_def => Entry::Done(Item::Fn(self.fn_def(inner)?)),
                _ => match self.stmt(inner)? {
                    Entry::Done(stmt) => Entry::Done(Item::Stmt(stmt)),
                    Entry::Expr(e) => Entry::Expr(e),
                },
            });
        }
        let (items, tail) = self.settle(entries, |s| Item::Stmt(Stmt::Expr(s)))?;
        Ok(Program { items, tail })
    }

    /// Turns expression items into statements, or into the tail when last.
    fn settle<T>(
        &self,
        entries: Vec<Entry<T>>,
        wrap: impl Fn(Expr) -> T,
    ) -> Result<(Vec<T>, Option<Expr>)> {
        let count = entries.len();
        let mut out = Vec::with_capacity(count);
        let mut tail = None;
        for (i, entry) in entries.into_iter().enumerate() {
            match entry {
                Entry::Done(item) => out.push(item),
                Entry::Expr(e) if e.semi => out.push(wrap(e.expr)),
                Entry::Expr(e) if i + 1 == count => tail = Some(e.expr),
                Entry::Expr(e) if e.block_like => out.push(wrap(e.expr)),
                Entry::Expr(e) => {
                    let end = e.expr.span.end as usize;
                    return Err(se::expected_error(self.src, self.file, end, &[se::SEMI]));
                }
            }
        }
        Ok((out, tail))
    }

    fn import(&mut self, p: P) -> Result<Import> {
        let span = self.span(&p);
        let mut kids = Kids::of(p);
        kids.eat(Rule::kw_import);
        let what = kids.next()?;
        let source = match what.as_rule() {
            Rule::string => {
                let s = self.span(&what);
                ImportSource::Path(self.string_value(&what)?, s)
            }
            _ => ImportSource::Std(self.ident(what)),
        };
        let alias = match kids.eat(Rule::kw_as) {
            Some(_) => Some(self.ident(kids.next()?)),
            None => None,
        };
        Ok(Import {
            source,
            alias,
            span,
        })
    }

    fn fn_def(&mut self, p: P) -> Result<FnDef> {
        let span = self.span(&p);
        let mut kids = Kids::of(p);
        kids.eat(Rule::kw_fn);
        let name = self.ident(kids.next()?);
        let mut params = Vec::new();
        let mut ret = None;
        let mut body = None;
        for k in kids.rest() {
            match k.as_rule() {
                Rule::fn_param => params.push(self.fn_param(k)?),
                Rule::type_expr => ret = Some(self.type_expr(k)?),
                Rule::block => body = Some(self.block(k)?),
                _ => return Err(unexpected(&k)),
            }
        }
        check_unique(params.iter().map(|p| &p.name), "parameter")?;
        check_defaults_last(&params)?;
        let body = body.ok_or_else(|| Diagnostic::internal("a function without a body"))?;
        Ok(FnDef {
            name,
            params,
            ret,
            body,
            span,
        })
    }

    fn param(&mut self, p: P) -> Result<Param> {
        let mut kids = Kids::of(p);
        let name = self.ident(kids.next()?);
        let ty = match kids.rest().next() {
            Some(t) => Some(self.type_expr(t)?),
            None => None,
        };
        Ok(Param {
            name,
            ty,
            default: None,
        })
    }

    /// A parameter of a `fn`, with its default value if it has one.
    fn fn_param(&mut self, p: P) -> Result<Param> {
        let mut kids = Kids::of(p);
        let mut param = self.param(kids.next()?)?;
        if let Some(e) = kids.rest().next() {
            param.default = Some(self.expr(e)?);
        }
        Ok(param)
    }

    // ------------------------------------------------------------ types

    fn type_expr(&mut self, p: P) -> Result<TypeExpr> {
        let inner = Kids::of(p).next()?;
        let span = self.span(&inner);
        match inner.as_rule() {
            Rule::tensor_type => {
                let mut kids = Kids::of(inner);
                let dtype = self.ident(kids.next()?);
                let dims = kids.rest().map(|d| self.dim(d)).collect::<Result<_>>()?;
                Ok(TypeExpr::Tensor { dtype, dims, span })
            }
            Rule::tuple_type => {
                let mut elems = Vec::new();
                let mut commas = 0;
                for k in Kids::of(inner).it {
                    match k.as_rule() {
                        Rule::type_expr => elems.push(self.type_expr(k)?),
                        Rule::comma => commas += 1,
                        _ => {}
                    }
                }
                match (elems.len(), commas) {
                    (1, 0) => elems.pop().ok_or_else(|| unexpected_len(span)),
                    _ => Ok(TypeExpr::Tuple(elems, span)),
                }
            }
            Rule::record_type => {
                let mut fields = Vec::new();
                for f in Kids::of(inner).rest() {
                    let mut kids = Kids::of(f);
                    let name = self.ident(kids.next()?);
                    let ty =
                        self.type_expr(kids.rest().next().ok_or_else(|| unexpected_len(span))?)?;
                    fields.push((name, ty));
                }
                check_unique(fields.iter().map(|f| &f.0), "field")?;
                Ok(TypeExpr::Record(fields, span))
            }
            _ => Err(unexpected(&inner)),
        }
    }

    fn dim(&self, p: P) -> Result<Dim> {
        let inner = Kids::of(p).next()?;
        match inner.as_rule() {
            Rule::int => Ok(Dim::Int(self.int_value(&inner)?, self.span(&inner))),
            _ => Ok(Dim::Name(self.ident(inner))),
        }
    }
}

fn unexpected_len(span: Span) -> Diagnostic {
    Diagnostic::internal("a parse-tree node has the wrong number of children").with_span(span)
}

/// Rejects a name used twice in one list (parameters, fields, keywords).
fn check_unique<'a>(names: impl Iterator<Item = &'a Ident>, what: &str) -> Result<()> {
    let mut seen: Vec<&Ident> = Vec::new();
    for name in names {
        if name.name == "_" {
            continue;
        }
        if let Some(first) = seen.iter().find(|s| s.name == name.name) {
            return Err(
                Diagnostic::at(name.span, format!("{what} `{}` appears twice", name.name))
                    .with_note("first given here", Some(first.span)),
            );
        }
        seen.push(name);
    }
    Ok(())
}

/// Parameters with a default come after those without one, as in Python, so
/// that positional arguments always fill the parameters that need them.
fn check_defaults_last(params: &[Param]) -> Result<()> {
    let first_default = params.iter().find(|p| p.default.is_some());
    match (
        first_default,
        params.iter().rev().find(|p| p.default.is_none()),
    ) {
        (Some(d), Some(p)) if p.name.span.start > d.name.span.start => Err(Diagnostic::at(
            p.name.span,
            format!(
                "parameter `{}` has no default but follows `{}`, which has one",
                p.name.name, d.name.name
            ),
        )
        .with_hint("put the parameters with a default last")),
        _ => Ok(()),
    }
}

/// The meaningful children of `p` (no punctuation, no keywords), exactly `N`.
fn take<const N: usize>(p: P) -> Result<[P; N]> {
    let rule = p.as_rule();
    let parts: Vec<P> = Kids::of(p)
        .rest()
        .filter(|k| !is_keyword(k.as_rule()))
        .collect();
    parts.try_into().map_err(|_: Vec<P>| {
        Diagnostic::internal(format!("a {rule:?} node has the wrong number of children"))
    })
}

fn is_keyword(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        kw_fn
            | kw_let
            | kw_var
            | kw_if
            | kw_else
            | kw_for
            | kw_in
            | kw_while
            | kw_return
            | kw_import
            | kw_as
    )
}

/// The elements of a parenthesized, comma-separated list and whether it
/// had a comma (`(a)` is `a`, `(a,)` a one-tuple).
fn comma_list(p: P) -> (Vec<P>, bool) {
    let mut elems = Vec::new();
    let mut comma = false;
    for k in p.into_inner() {
        match k.as_rule() {
            Rule::comma => comma = true,
            r if is_punct(r) => {}
            _ => elems.push(k),
        }
    }
    (elems, comma)
}

impl<'s> Builder<'s> {
    // ------------------------------------------------------------ statements

    fn block(&mut self, p: P) -> Result<Block> {
        let span = self.span(&p);
        self.deeper(1, span, |b| {
            let mut entries = Vec::new();
            for item in Kids::of(p).rest() {
                if let Some(inner) = Kids::of(item).rest().next() {
                    entries.push(b.stmt(inner)?);
                }
            }
            let (stmts, tail) = b.settle(entries, Stmt::Expr)?;
            Ok(Block {
                stmts,
                tail: tail.map(Box::new),
                span,
            })
        })
    }

    fn stmt(&mut self, p: P) -> Result<Entry<Stmt>> {
        let inner = Kids::of(p).next()?;
        let span = self.span(&inner);
        let stmt = match inner.as_rule() {
            Rule::let_stmt => {
                let [pat, value] = take(inner)?;
                let pat = self.pattern(pat)?;
                let value = self.node(value)?;
                Stmt::Let { pat, value, span }
            }
            Rule::var_stmt => {
                let [name, value] = take(inner)?;
                let name = self.ident(name);
                let value = self.node(value)?;
                Stmt::Var { name, value, span }
            }
            Rule::assign_stmt => {
                let [target, op, value] = take(inner)?;
                let op = assign_op(&op)?;
                Stmt::Assign {
                    target: self.ident(target),
                    op,
                    value: self.node(value)?,
                    span,
                }
            }
            Rule::for_stmt => self.for_stmt(inner, span)?,
            Rule::while_stmt => {
                let [cond, body] = take(inner)?;
                let cond = self.node(cond)?;
                let body = self.block(body)?;
                Stmt::While { cond, body, span }
            }
            Rule::return_stmt => {
                let value = match Kids::of(inner).rest().find(|k| k.as_rule() == Rule::expr) {
                    Some(e) => Some(self.node(e)?),
                    None => None,
                };
                Stmt::Return { value, span }
            }
            Rule::expr_stmt => return self.expr_stmt(inner).map(Entry::Expr),
            _ => return Err(unexpected(&inner)),
        };
        Ok(Entry::Done(stmt))
    }

    fn for_stmt(&mut self, p: P, span: Span) -> Result<Stmt> {
        let has_range = Kids::of(p.clone())
            .it
            .any(|k| k.as_rule() == Rule::range_op);
        if !has_range {
            let [var, items, body] = take(p)?;
            return Ok(Stmt::ForEach {
                var: self.ident(var),
                items: self.node(items)?,
                body: self.block(body)?,
                span,
            });
        }
        let [var, start, end, body] = take(p)?;
        Ok(Stmt::For {
            var: self.ident(var),
            start: self.node(start)?,
            end: self.node(end)?,
            body: self.block(body)?,
            span,
        })
    }

    fn expr_stmt(&mut self, p: P) -> Result<ExprItem> {
        let mut kids = Kids::of(p);
        let e = kids.next()?;
        let block_like = matches!(e.as_rule(), Rule::if_expr | Rule::block);
        let expr = self.node(e)?;
        let semi = kids.eat(Rule::semi).is_some();
        Ok(ExprItem {
            expr,
            semi,
            block_like,
        })
    }

    fn pattern(&mut self, p: P) -> Result<Pattern> {
        let inner = Kids::of(p).next()?;
        let span = self.span(&inner);
        match inner.as_rule() {
            Rule::wild => Ok(Pattern::Wild(span)),
            Rule::ident => Ok(Pattern::Name(self.ident(inner))),
            Rule::tuple_pat => {
                let (elems, comma) = comma_list(inner);
                let mut pats = elems
                    .into_iter()
                    .map(|e| self.pattern(e))
                    .collect::<Result<Vec<_>>>()?;
                match (pats.pop(), comma) {
                    (Some(only), false) if pats.is_empty() => Ok(only),
                    (last, _) => {
                        pats.extend(last);
                        Ok(Pattern::Tuple(pats, span))
                    }
                }
            }
            Rule::record_pat => {
                let mut fields = Vec::new();
                for f in Kids::of(inner).rest() {
                    let mut kids = Kids::of(f).rest();
                    let name = self.ident(kids.next().ok_or_else(|| unexpected_len(span))?);
                    let pat = match kids.next() {
                        Some(pat) => Some(self.pattern(pat)?),
                        None => None,
                    };
                    fields.push((name, pat));
                }
                check_unique(fields.iter().map(|f| &f.0), "field")?;
                Ok(Pattern::Record(fields, span))
            }
            _ => Err(unexpected(&inner)),
        }
    }
}

fn assign_op(p: &P) -> Result<AssignOp> {
    Ok(match p.as_str() {
        "=" => AssignOp::Set,
        "+=" => AssignOp::Add,
        "-=" => AssignOp::Sub,
        "*=" => AssignOp::Mul,
        "/=" => AssignOp::Div,
        "//=" => AssignOp::FloorDiv,
        _ => return Err(unexpected(p)),
    })
}
