//! The abstract syntax tree. Every node carries the span of the source it came from.

use crate::span::Span;

/// A parsed `.nest` file (or REPL entry).
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub items: Vec<Item>,
    /// A final expression with no `;` after it (the REPL prints its value).
    pub tail: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Import(Import),
    Fn(FnDef),
    Stmt(Stmt),
}

/// `import opt`, `import opt as o`, `import "lib/models.nest" as m`.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub source: ImportSource,
    pub alias: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportSource {
    /// A standard-library module by name.
    Std(Ident),
    /// A user file, path relative to the importing file; the string's span.
    Path(String, Span),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `fn name(params) -> ret { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct FnDef {
    pub name: Ident,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    /// `= expr` (only on `fn` definitions): evaluated, in the function's
    /// module, by each call that omits the argument.
    pub default: Option<Expr>,
}

/// A type annotation.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    /// `f32[n, 3]`, `f32` (a scalar), `key`.
    Tensor {
        dtype: Ident,
        dims: Vec<Dim>,
        span: Span,
    },
    /// `(f32[3], i32)`
    Tuple(Vec<TypeExpr>, Span),
    /// `{w: f32[3], b: f32}`
    Record(Vec<(Ident, TypeExpr)>, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Dim {
    Int(i64, Span),
    Name(Ident),
}

/// `{ stmts; tail }`; the value of the block is `tail`, or the empty tuple.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    Let {
        pat: Pattern,
        value: Expr,
        span: Span,
    },
    Var {
        name: Ident,
        value: Expr,
        span: Span,
    },
    Assign {
        target: Ident,
        op: AssignOp,
        value: Expr,
        span: Span,
    },
    /// `for var in start..end { body }`
    For {
        var: Ident,
        start: Expr,
        end: Expr,
        body: Block,
        span: Span,
    },
    /// `for var in items { body }`: each element of a tuple or list in turn
    /// (unrolled when traced).
    ForEach {
        var: Ident,
        items: Expr,
        body: Block,
        span: Span,
    },
    While {
        cond: Expr,
        body: Block,
        span: Span,
    },
    Return {
        value: Option<Expr>,
        span: Span,
    },
    /// An expression followed by `;` (or a block-like expression such as `if`).
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    Name(Ident),
    Wild(Span),
    Tuple(Vec<Pattern>, Span),
    /// `{w, b: p}`: a field and, optionally, the pattern it binds (default: its own name).
    Record(Vec<(Ident, Option<Pattern>)>, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `//`, floor division as NumPy's `floor_divide`.
    FloorDiv,
    Rem,
    Pow,
    MatMul,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `3`
    Int(i64),
    /// `1.0`, `1e-3`, `.5`
    Float(f64),
    /// `2.0i`, `3i`
    Imag(f64),
    Str(String),
    Bool(bool),
    Name(String),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `f(a, b, k = v)`
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
        kwargs: Vec<(Ident, Expr)>,
    },
    /// `p.w`, `m.f`, `x.T`
    Field(Box<Expr>, Ident),
    /// `t.0`; the span is the number's.
    TupleIndex(Box<Expr>, u32, Span),
    /// `x[i, a:b, :]`
    Index(Box<Expr>, Vec<IndexArg>),
    /// `(a, b)`, `(a,)`, `()`
    Tuple(Vec<Expr>),
    /// `[3, 4]` (shapes and lists of arrays)
    List(Vec<Expr>),
    /// `{w: x, b}`
    Record(Vec<(Ident, Expr)>),
    Block(Block),
    If {
        cond: Box<Expr>,
        then: Block,
        else_: Option<Box<Expr>>,
    },
    /// `|x, y| body`
    Lambda {
        params: Vec<Param>,
        body: Box<Expr>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum IndexArg {
    Single(Expr),
    /// `a:b`, `:`, `a:`, `:b`, `a:b:s`
    Slice {
        start: Option<Expr>,
        end: Option<Expr>,
        step: Option<Expr>,
        span: Span,
    },
}
