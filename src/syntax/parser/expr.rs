//! Building expressions and literals from the parse tree.

use super::{check_unique, comma_list, take, unexpected, unexpected_len, Builder, Kids, Rule, P};
use crate::diag::{Diagnostic, Result};
use crate::span::Span;
use crate::syntax::ast::*;

impl<'s> Builder<'s> {
    // ------------------------------------------------------------ expressions

    /// Builds any expression node of the grammar.
    pub(super) fn node(&mut self, p: P) -> Result<Expr> {
        let p = skip_trivial_chain(p);
        match p.as_rule() {
            Rule::expr => self.expr(p),
            Rule::or_expr | Rule::and_expr | Rule::cmp_expr | Rule::add_expr | Rule::mul_expr => {
                self.binary(p)
            }
            Rule::unary => self.unary(p),
            Rule::power => self.power(p),
            Rule::postfix_expr => self.postfix(p),
            _ => self.primary(p),
        }
    }

    pub(super) fn expr(&mut self, p: P) -> Result<Expr> {
        let span = self.span(&p);
        let mut kids: Vec<P> = p.into_inner().collect();
        let body = kids
            .pop()
            .ok_or_else(|| Diagnostic::internal("an empty expression node"))?;
        self.deeper(1 + kids.len(), span, |b| {
            let mut e = b.node(body)?;
            for head in kids.into_iter().rev() {
                let start = head.as_span().start();
                let params = Kids::of(head)
                    .rest()
                    .map(|param| b.param(param))
                    .collect::<Result<Vec<_>>>()?;
                check_unique(params.iter().map(|p| &p.name), "parameter")?;
                let span = Span::new(b.file, start, e.span.end as usize);
                let kind = ExprKind::Lambda {
                    params,
                    body: Box::new(e),
                };
                e = Expr { kind, span };
            }
            Ok(e)
        })
    }

    /// A left-associative chain `a op b op c`.
    fn binary(&mut self, p: P) -> Result<Expr> {
        let span = self.span(&p);
        let mut kids = p.into_inner();
        let first = kids
            .next()
            .ok_or_else(|| Diagnostic::internal("an empty operator chain"))?;
        let rest: Vec<P> = kids.collect();
        self.deeper(rest.len() / 2, span, |b| {
            let mut acc = b.node(first)?;
            for pair in rest.chunks(2) {
                let [op, rhs] = pair else {
                    return Err(unexpected_len(span));
                };
                let op = bin_op(op)?;
                let rhs = b.node(rhs.clone())?;
                let span = acc.span.to(rhs.span);
                let kind = ExprKind::Binary(op, Box::new(acc), Box::new(rhs));
                acc = Expr { kind, span };
            }
            Ok(acc)
        })
    }

    fn unary(&mut self, p: P) -> Result<Expr> {
        let span = self.span(&p);
        let mut kids: Vec<P> = p.into_inner().collect();
        let operand = kids
            .pop()
            .ok_or_else(|| Diagnostic::internal("a prefix operator without operand"))?;
        self.deeper(kids.len(), span, |b| {
            let operand = b.node(operand)?;
            b.prefix(&kids, operand)
        })
    }

    /// Applies prefix operators (innermost last in `ops`) to `e`.
    fn prefix(&self, ops: &[P], mut e: Expr) -> Result<Expr> {
        for op in ops.iter().rev() {
            let un = match op.as_str() {
                "-" => UnOp::Neg,
                "!" => UnOp::Not,
                _ => return Err(unexpected(op)),
            };
            let span = Span::new(self.file, op.as_span().start(), e.span.end as usize);
            e = Expr {
                kind: ExprKind::Unary(un, Box::new(e)),
                span,
            };
        }
        Ok(e)
    }

    /// `x0 ** ops1 x1 ** ops2 x2 ...`, folded from the right: each operand's
    /// prefix operators apply to everything to its right,
    /// so `a ** -b ** c` is `a ** -(b ** c)`.
    fn power(&mut self, p: P) -> Result<Expr> {
        let span = self.span(&p);
        let kids: Vec<P> = p.into_inner().collect();
        // Segments: (prefix operators, operand); the first has no operators.
        let mut segments: Vec<(Vec<P>, P)> = Vec::new();
        let mut ops = Vec::new();
        for k in kids.iter().cloned() {
            match k.as_rule() {
                Rule::op_pow => {}
                Rule::op_unary => ops.push(k),
                _ => segments.push((std::mem::take(&mut ops), k)),
            }
        }
        self.deeper(kids.len(), span, |b| {
            let (last_ops, last) = segments.pop().ok_or_else(|| unexpected_len(span))?;
            let mut acc = b.node(last)?;
            if segments.is_empty() {
                return Ok(acc);
            }
            acc = b.prefix(&last_ops, acc)?;
            while let Some((ops, base)) = segments.pop() {
                let base = b.node(base)?;
                let span = base.span.to(acc.span);
                let kind = ExprKind::Binary(BinOp::Pow, Box::new(base), Box::new(acc));
                acc = b.prefix(&ops, Expr { kind, span })?;
            }
            Ok(acc)
        })
    }

    /// A primary followed by calls, indexing, fields and tuple indices.
    fn postfix(&mut self, p: P) -> Result<Expr> {
        let span = self.span(&p);
        let mut kids = p.into_inner();
        let head = kids.next().ok_or_else(|| unexpected_len(span))?;
        self.deeper(kids.len(), span, |b| {
            let mut e = b.node(head)?;
            for op in kids {
                let end = b.span(&op).end as usize;
                let span = Span::new(b.file, e.span.start as usize, end);
                let kind = b.postfix_op(op, e)?;
                e = Expr { kind, span };
            }
            Ok(e)
        })
    }

    fn postfix_op(&mut self, op: P, e: Expr) -> Result<ExprKind> {
        let e = Box::new(e);
        match op.as_rule() {
            Rule::call_args => self.call(op, e),
            Rule::index_args => {
                let args = Kids::of(op)
                    .rest()
                    .map(|a| self.index_arg(a))
                    .collect::<Result<_>>()?;
                Ok(ExprKind::Index(e, args))
            }
            Rule::field => {
                let [name] = take(op)?;
                Ok(ExprKind::Field(e, self.ident(name)))
            }
            Rule::tuple_index => {
                let [num] = take(op)?;
                let span = self.span(&num);
                let index = num.as_str().parse::<u32>().map_err(|_| {
                    Diagnostic::at(span, format!("tuple index `{}` is too large", num.as_str()))
                })?;
                Ok(ExprKind::TupleIndex(e, index, span))
            }
            _ => Err(unexpected(&op)),
        }
    }

    fn call(&mut self, p: P, callee: Box<Expr>) -> Result<ExprKind> {
        let mut args = Vec::new();
        let mut kwargs: Vec<(Ident, Expr)> = Vec::new();
        for arg in Kids::of(p).rest() {
            let inner = Kids::of(arg).next()?;
            if inner.as_rule() == Rule::kwarg {
                let [name, value] = take(inner)?;
                kwargs.push((self.ident(name), self.node(value)?));
                continue;
            }
            let value = self.node(inner)?;
            if let Some((first_kw, _)) = kwargs.first() {
                return Err(Diagnostic::at(
                    value.span,
                    "positional argument after a keyword argument",
                )
                .with_note("the first keyword argument is here", Some(first_kw.span))
                .with_hint("put positional arguments first, as in `f(x, y, lr = 0.1)`"));
            }
            args.push(value);
        }
        check_unique(kwargs.iter().map(|k| &k.0), "keyword argument")?;
        Ok(ExprKind::Call {
            callee,
            args,
            kwargs,
        })
    }

    fn index_arg(&mut self, p: P) -> Result<IndexArg> {
        let span = self.span(&p);
        let mut kids = Kids::of(p);
        let start = match kids.eat(Rule::expr) {
            Some(e) => Some(self.node(e)?),
            None => None,
        };
        let Some(slice) = kids.eat(Rule::slice_rest) else {
            return start
                .map(IndexArg::Single)
                .ok_or_else(|| unexpected_len(span));
        };
        let mut end = None;
        let mut step = None;
        for k in Kids::of(slice).rest() {
            match k.as_rule() {
                Rule::slice_end => end = Some(self.node(k)?),
                Rule::slice_step => step = Some(self.node(k)?),
                _ => return Err(unexpected(&k)),
            }
        }
        Ok(IndexArg::Slice {
            start,
            end,
            step,
            span,
        })
    }
}

/// Descends through precedence levels that hold a single operand (`x` is an
/// `expr` holding an `or_expr` holding ... a `postfix_expr` holding `x`)
/// without recursion, which keeps deep nesting cheap on the stack.
fn skip_trivial_chain(mut p: P) -> P {
    use Rule::*;
    while matches!(
        p.as_rule(),
        expr | or_expr
            | and_expr
            | cmp_expr
            | add_expr
            | mul_expr
            | unary
            | power
            | postfix_expr
            | slice_end
            | slice_step
    ) {
        let mut kids = p.clone().into_inner();
        match (kids.next(), kids.next()) {
            (Some(only), None) => p = only,
            _ => break,
        }
    }
    p
}

fn bin_op(p: &P) -> Result<BinOp> {
    use BinOp::*;
    Ok(match p.as_str() {
        "||" => Or,
        "&&" => And,
        "==" => Eq,
        "!=" => Ne,
        "<" => Lt,
        "<=" => Le,
        ">" => Gt,
        ">=" => Ge,
        "+" => Add,
        "-" => Sub,
        "*" => Mul,
        "/" => Div,
        "//" => FloorDiv,
        "%" => Rem,
        "@" => MatMul,
        "**" => Pow,
        _ => return Err(unexpected(p)),
    })
}

impl<'s> Builder<'s> {
    fn primary(&mut self, p: P) -> Result<Expr> {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::int => ExprKind::Int(self.int_value(&p)?),
            Rule::float => ExprKind::Float(self.float_value(p.as_str(), span)?),
            Rule::imag => {
                let digits = p.as_str().strip_suffix('i').unwrap_or(p.as_str());
                ExprKind::Imag(self.float_value(digits, span)?)
            }
            Rule::string => ExprKind::Str(self.string_value(&p)?),
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::ident => ExprKind::Name(p.as_str().to_string()),
            Rule::block => return self.block_expr(p),
            Rule::if_expr => return self.if_expr(p),
            Rule::list => ExprKind::List(self.exprs(Kids::of(p).rest())?),
            Rule::paren => {
                let (elems, comma) = comma_list(p);
                let mut elems = self.exprs(elems.into_iter())?;
                match (elems.pop(), comma) {
                    // `(e)`: the expression itself, spanning its parentheses.
                    (Some(only), false) if elems.is_empty() => only.kind,
                    (last, _) => {
                        elems.extend(last);
                        ExprKind::Tuple(elems)
                    }
                }
            }
            Rule::record => ExprKind::Record(self.record_fields(p)?),
            _ => return Err(unexpected(&p)),
        };
        Ok(Expr { kind, span })
    }

    fn exprs<'i>(&mut self, pairs: impl Iterator<Item = P<'i>>) -> Result<Vec<Expr>> {
        pairs.map(|e| self.node(e)).collect()
    }

    /// `{w: e, b}`; a field without a value is its own name.
    fn record_fields(&mut self, p: P) -> Result<Vec<(Ident, Expr)>> {
        let mut fields = Vec::new();
        for f in Kids::of(p).rest() {
            let mut kids = Kids::of(f).rest();
            let name = self.ident(
                kids.next()
                    .ok_or_else(|| Diagnostic::internal("empty field"))?,
            );
            let value = match kids.next() {
                Some(v) => self.node(v)?,
                None => Expr {
                    kind: ExprKind::Name(name.name.clone()),
                    span: name.span,
                },
            };
            fields.push((name, value));
        }
        check_unique(fields.iter().map(|f| &f.0), "field")?;
        Ok(fields)
    }

    /// `if c { } else if d { } else { }`, nested from the last clause.
    fn if_expr(&mut self, p: P) -> Result<Expr> {
        let span = self.span(&p);
        let end = span.end as usize;
        let (mut clauses, else_block) = if_clauses(p)?;
        self.deeper(clauses.len(), span, |b| {
            let mut acc = match else_block {
                Some(blk) => Some(Box::new(b.block_expr(blk)?)),
                None => None,
            };
            while let Some((start, cond, then)) = clauses.pop() {
                let kind = ExprKind::If {
                    cond: Box::new(b.node(cond)?),
                    then: b.block(then)?,
                    else_: acc,
                };
                let span = Span::new(b.file, start, end);
                acc = Some(Box::new(Expr { kind, span }));
            }
            acc.map(|e| *e).ok_or_else(|| unexpected_len(span))
        })
    }

    fn block_expr(&mut self, p: P) -> Result<Expr> {
        let block = self.block(p)?;
        let span = block.span;
        Ok(Expr {
            kind: ExprKind::Block(block),
            span,
        })
    }

    // ------------------------------------------------------------ literals

    pub(super) fn int_value(&self, p: &P) -> Result<i64> {
        p.as_str().parse::<i64>().map_err(|_| {
            Diagnostic::at(self.span(p), "integer literal is too large")
                .with_hint(format!("integers are 64-bit; the largest is {}", i64::MAX))
        })
    }

    fn float_value(&self, text: &str, span: Span) -> Result<f64> {
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(Diagnostic::at(span, "float literal is out of range")
                .with_hint(format!("the largest finite float is about {:e}", f64::MAX))),
        }
    }

    /// The value of a string literal, with its escapes resolved.
    pub(super) fn string_value(&self, p: &P) -> Result<String> {
        let start = p.as_span().start();
        let text = p.as_str();
        let body = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .ok_or_else(|| unexpected(p))?;
        let mut out = String::with_capacity(body.len());
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let escaped = chars.next().map(|(_, e)| e);
            out.push(match escaped {
                Some('"') => '"',
                Some('\\') => '\\',
                Some('n') => '\n',
                Some('t') => '\t',
                other => {
                    let len = 1 + other.map_or(0, char::len_utf8);
                    let at = start + 1 + i;
                    let shown = &text[1 + i..(1 + i + len).min(text.len())];
                    return Err(Diagnostic::at(
                        Span::new(self.file, at, at + len),
                        format!("unknown escape `{shown}` in string"),
                    )
                    .with_hint(r#"the escapes are \" \\ \n \t"#));
                }
            });
        }
        Ok(out)
    }
}

/// One `if` or `else if` clause: where its `if` starts, condition, block.
type Clause<'i> = (usize, P<'i>, P<'i>);

/// The clauses of an `if` chain and its final `else` block.
fn if_clauses(p: P) -> Result<(Vec<Clause>, Option<P>)> {
    let start = p.as_span().start();
    let mut kids = Kids::of(p);
    kids.eat(Rule::kw_if);
    let mut clauses = vec![(start, kids.next()?, kids.next()?)];
    let mut else_block = None;
    for k in kids.rest() {
        match k.as_rule() {
            Rule::else_if => {
                let mut parts = Kids::of(k);
                parts.eat(Rule::kw_else);
                let at = parts.eat(Rule::kw_if).map(|kw| kw.as_span().start());
                let (cond, then) = (parts.next()?, parts.next()?);
                clauses.push((at.unwrap_or(start), cond, then));
            }
            Rule::else_block => {
                let [blk] = take(k)?;
                else_block = Some(blk);
            }
            _ => return Err(unexpected(&k)),
        }
    }
    Ok((clauses, else_block))
}
