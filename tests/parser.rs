//! Parser tests: precedence, every construct, spans, error messages, and
//! property tests that the parser never panics.

use nest::diag::Diagnostic;
use nest::span::{FileId, SourceMap, Span};
use nest::syntax::ast::*;
use nest::syntax::parse;
use proptest::prelude::*;

// ---------------------------------------------------------------- helpers

const F: FileId = FileId(0);

fn ok(src: &str) -> Program {
    match parse(src, F) {
        Ok(p) => p,
        Err(d) => panic!("parse failed for {src:?}:\n{}", render(src, &d)),
    }
}

fn err(src: &str) -> String {
    match parse(src, F) {
        Ok(p) => panic!("expected an error for {src:?}, got {p:?}"),
        Err(d) => render(src, &d),
    }
}

fn render(src: &str, d: &Diagnostic) -> String {
    let mut sources = SourceMap::default();
    sources.add("t.nest", src);
    d.render(&sources)
}

/// The tail expression of a one-expression program.
fn expr(src: &str) -> Expr {
    let p = ok(src);
    assert!(p.items.is_empty(), "{src:?} has items: {:?}", p.items);
    p.tail.unwrap_or_else(|| panic!("{src:?} has no tail"))
}

fn sx(src: &str) -> String {
    show(&expr(src))
}

fn text(src: &str, span: Span) -> &str {
    &src[span.start as usize..span.end as usize]
}

fn bin(op: BinOp) -> &'static str {
    use BinOp::*;
    match op {
        Add => "+",
        Sub => "-",
        Mul => "*",
        Div => "/",
        FloorDiv => "//",
        Rem => "%",
        Pow => "**",
        MatMul => "@",
        Eq => "==",
        Ne => "!=",
        Lt => "<",
        Le => "<=",
        Gt => ">",
        Ge => ">=",
        And => "&&",
        Or => "||",
    }
}

fn opt(e: &Option<Expr>) -> String {
    e.as_ref().map_or("_".into(), show)
}

/// A compact S-expression form of an expression.
fn show(e: &Expr) -> String {
    use ExprKind::*;
    let list = |v: &[Expr]| v.iter().map(show).collect::<Vec<_>>().join(" ");
    match &e.kind {
        Int(i) => i.to_string(),
        Float(f) => format!("{f:?}"),
        Imag(f) => format!("{f:?}i"),
        Str(s) => format!("{s:?}"),
        Bool(b) => b.to_string(),
        Name(n) => n.clone(),
        Unary(UnOp::Neg, x) => format!("(neg {})", show(x)),
        Unary(UnOp::Not, x) => format!("(not {})", show(x)),
        Binary(op, a, b) => format!("({} {} {})", bin(*op), show(a), show(b)),
        Call {
            callee,
            args,
            kwargs,
        } => {
            let mut parts = vec![show(callee)];
            parts.extend(args.iter().map(show));
            parts.extend(
                kwargs
                    .iter()
                    .map(|(k, v)| format!("{}={}", k.name, show(v))),
            );
            format!("(call {})", parts.join(" "))
        }
        Field(x, f) => format!("(. {} {})", show(x), f.name),
        TupleIndex(x, i, _) => format!("(.{i} {})", show(x)),
        Index(x, args) => {
            let args: Vec<String> = args
                .iter()
                .map(|a| match a {
                    IndexArg::Single(e) => show(e),
                    IndexArg::Slice {
                        start, end, step, ..
                    } => format!("(: {} {} {})", opt(start), opt(end), opt(step)),
                })
                .collect();
            format!("(index {} {})", show(x), args.join(" "))
        }
        Tuple(v) => format!("(tuple {})", list(v)),
        List(v) => format!("[{}]", list(v)),
        Record(fields) => {
            let f: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}: {}", k.name, show(v)))
                .collect();
            format!("{{{}}}", f.join(", "))
        }
        Block(b) => show_block(b),
        If { cond, then, else_ } => match else_ {
            Some(e) => format!("(if {} {} {})", show(cond), show_block(then), show(e)),
            None => format!("(if {} {})", show(cond), show_block(then)),
        },
        Lambda { params, body } => format!("(|{}| {})", show_params(params), show(body)),
    }
}

fn show_params(params: &[Param]) -> String {
    let p: Vec<String> = params
        .iter()
        .map(|p| {
            let head = match &p.ty {
                Some(t) => format!("{}: {}", p.name.name, show_ty(t)),
                None => p.name.name.clone(),
            };
            match &p.default {
                Some(d) => format!("{} = {}", head, show(d)),
                None => head,
            }
        })
        .collect();
    p.join(", ")
}

fn show_ty(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Tensor { dtype, dims, .. } => {
            let d: Vec<String> = dims
                .iter()
                .map(|d| match d {
                    Dim::Int(i, _) => i.to_string(),
                    Dim::Name(n) => n.name.clone(),
                })
                .collect();
            format!("{}[{}]", dtype.name, d.join(", "))
        }
        TypeExpr::Tuple(v, _) => {
            format!("({})", v.iter().map(show_ty).collect::<Vec<_>>().join(", "))
        }
        TypeExpr::Record(f, _) => {
            let f: Vec<String> = f
                .iter()
                .map(|(k, t)| format!("{}: {}", k.name, show_ty(t)))
                .collect();
            format!("{{{}}}", f.join(", "))
        }
    }
}

fn show_pat(p: &Pattern) -> String {
    match p {
        Pattern::Name(n) => n.name.clone(),
        Pattern::Wild(_) => "_".into(),
        Pattern::Tuple(v, _) => {
            format!(
                "(tuple {})",
                v.iter().map(show_pat).collect::<Vec<_>>().join(" ")
            )
        }
        Pattern::Record(f, _) => {
            let f: Vec<String> = f
                .iter()
                .map(|(k, p)| match p {
                    Some(p) => format!("{}: {}", k.name, show_pat(p)),
                    None => k.name.clone(),
                })
                .collect();
            format!("{{{}}}", f.join(", "))
        }
    }
}

fn show_block(b: &Block) -> String {
    let mut parts: Vec<String> = b.stmts.iter().map(show_stmt).collect();
    if let Some(t) = &b.tail {
        parts.push(format!("=> {}", show(t)));
    }
    format!("{{{}}}", parts.join(" "))
}

fn show_stmt(s: &Stmt) -> String {
    match s {
        Stmt::Let { pat, value, .. } => format!("(let {} {});", show_pat(pat), show(value)),
        Stmt::Var { name, value, .. } => format!("(var {} {});", name.name, show(value)),
        Stmt::Assign {
            target, op, value, ..
        } => format!("({op:?} {} {});", target.name, show(value)),
        Stmt::For {
            var,
            start,
            end,
            body,
            ..
        } => format!(
            "(for {} {} {} {})",
            var.name,
            show(start),
            show(end),
            show_block(body)
        ),
        Stmt::ForEach {
            var, items, body, ..
        } => format!("(for {} in {} {})", var.name, show(items), show_block(body)),
        Stmt::While { cond, body, .. } => format!("(while {} {})", show(cond), show_block(body)),
        Stmt::Return { value, .. } => format!("(return {});", opt(value)),
        Stmt::Expr(e) => format!("{};", show(e)),
    }
}

fn show_item(i: &Item) -> String {
    match i {
        Item::Stmt(s) => show_stmt(s),
        Item::Import(imp) => {
            let src = match &imp.source {
                ImportSource::Std(n) => n.name.clone(),
                ImportSource::Path(p, _) => format!("{p:?}"),
            };
            match &imp.alias {
                Some(a) => format!("(import {src} as {})", a.name),
                None => format!("(import {src})"),
            }
        }
        Item::Fn(f) => {
            let ret = f.ret.as_ref().map_or("_".into(), show_ty);
            format!(
                "(fn {} ({}) {} {})",
                f.name.name,
                show_params(&f.params),
                ret,
                show_block(&f.body)
            )
        }
    }
}

/// Items, then the tail after `=>`.
fn prog(src: &str) -> String {
    let p = ok(src);
    let mut parts: Vec<String> = p.items.iter().map(show_item).collect();
    if let Some(t) = &p.tail {
        parts.push(format!("=> {}", show(t)));
    }
    parts.join(" ")
}

// ---------------------------------------------------------------- precedence

#[test]
fn precedence() {
    let cases = [
        ("-x**2", "(neg (** x 2))"),
        ("a + b * c @ d", "(+ a (@ (* b c) d))"),
        ("a < b && c || d", "(|| (&& (< a b) c) d)"),
        ("a || b && c", "(|| a (&& b c))"),
        ("2 ** -1", "(** 2 (neg 1))"),
        ("a ** b ** c", "(** a (** b c))"),
        ("a ** -b ** c", "(** a (neg (** b c)))"),
        ("-a ** -b", "(neg (** a (neg b)))"),
        ("t.0.1", "(.1 (.0 t))"),
        ("t.0.x.1", "(.1 (. (.0 t) x))"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b * c % d", "(% (* (/ a b) c) d)"),
        ("a // b * c", "(* (// a b) c)"),
        ("a + b // c", "(+ a (// b c))"),
        ("-a // b ** 2", "(// (neg a) (** b 2))"),
        ("a//b/c", "(/ (// a b) c)"),
        ("a == b != c", "(!= (== a b) c)"),
        ("a < b <= c", "(<= (< a b) c)"),
        ("a + b > c - d", "(> (+ a b) (- c d))"),
        ("-a * b", "(* (neg a) b)"),
        ("!a && !b", "(&& (not a) (not b))"),
        ("--a", "(neg (neg a))"),
        ("!-a", "(not (neg a))"),
        ("-f(x)[0]", "(neg (index (call f x) 0))"),
        ("x.T @ y", "(@ (. x T) y)"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("a * (b + c)", "(* a (+ b c))"),
        ("|x| x + 1", "(|x| (+ x 1))"),
        ("|x, y: f32| x * y", "(|x, y: f32[]| (* x y))"),
        ("|x| |y| x + y", "(|x| (|y| (+ x y)))"),
        ("|| 1", "(|| 1)"),
        ("f(|x| x, 2)", "(call f (|x| x) 2)"),
        ("f(x)(y)", "(call (call f x) y)"),
        ("x ** 2 @ y", "(@ (** x 2) y)"),
    ];
    for (src, want) in cases {
        assert_eq!(sx(src), want, "for {src:?}");
    }
}

#[test]
fn lambda_in_a_binary_operand_extends_to_the_end() {
    // A lambda is only an operand at the start of an expression; its body
    // takes everything after it.
    assert_eq!(sx("|x| x || y"), "(|x| (|| x y))");
    assert_eq!(sx("(|x| x) + 1"), "(+ (|x| x) 1)");
}

#[test]
fn range_in_for_lexes_as_int_dotdot_int() {
    assert_eq!(prog("for i in 0..10 { }"), "(for i 0 10 {})");
    assert_eq!(prog("for i in a..b+1 { x; }"), "(for i a (+ b 1) {x;})");
    assert_eq!(prog("for _ in 0..n { }"), "(for _ 0 n {})");
    assert_eq!(
        prog("for i in 0 .. len(xs) { }"),
        "(for i 0 (call len xs) {})"
    );
}

#[test]
fn for_without_a_range_iterates_over_an_expression() {
    assert_eq!(
        prog("for x in (a, b) { x; }"),
        "(for x in (tuple a b) {x;})"
    );
    assert_eq!(prog("for x in xs { }"), "(for x in xs {})");
    assert_eq!(prog("for _ in f(y).0 { }"), "(for _ in (.0 (call f y)) {})");
}

// ---------------------------------------------------------------- literals

#[test]
fn numbers() {
    let cases = [
        ("3", "3"),
        ("1.0", "1.0"),
        ("1e-3", "0.001"),
        (".5", "0.5"),
        ("1.5e-3", "0.0015"),
        ("2E+2", "200.0"),
        ("2.0i", "2.0i"),
        ("3i", "3.0i"),
        ("1e-3i", "0.001i"),
        ("9223372036854775807", "9223372036854775807"),
    ];
    for (src, want) in cases {
        assert_eq!(sx(src), want, "for {src:?}");
    }
}

#[test]
fn integer_overflow_points_at_the_literal() {
    let out = err("let x = 1 + 99999999999999999999;");
    assert!(
        out.contains("t.nest:1:13: error: integer literal is too large"),
        "{out}"
    );
    assert!(out.contains("^^^^^^^^^^^^^^^^^^^^"), "{out}");
    let out = err("let x: = f32[99999999999999999999];");
    assert!(out.contains("error"), "{out}");
    let out = err("fn f(x: f32[99999999999999999999]) { x }");
    assert!(
        out.contains("1:13: error: integer literal is too large"),
        "{out}"
    );
}

#[test]
fn strings_and_escapes() {
    assert_eq!(sx(r#""a\"b\\c\nd\te""#), r#""a\"b\\c\nd\te""#);
    assert_eq!(sx(r#""""#), r#""""#);
    assert_eq!(sx("\"héllo # not a comment\""), "\"héllo # not a comment\"");
    let out = err(r#"print("a\qb");"#);
    assert!(
        out.contains("1:9: error: unknown escape `\\q` in string"),
        "{out}"
    );
    let out = err("print(\"abc);\nlet y = 1;");
    assert!(out.contains("1:7: error: unterminated string"), "{out}");
}

#[test]
fn booleans_names_and_none() {
    assert_eq!(sx("true && false"), "(&& true false)");
    assert_eq!(
        sx("vmap(f, in_axes = (0, none))"),
        "(call vmap f in_axes=(tuple 0 none))"
    );
    assert_eq!(sx("_x + x_1 + T"), "(+ (+ _x x_1) T)");
    assert_eq!(sx("iff + fnord + lets"), "(+ (+ iff fnord) lets)");
}

#[test]
fn comments_and_whitespace() {
    let src = "# header\nlet x = 1; # trailing\n\t# indented\r\nx # tail\n";
    assert_eq!(prog(src), "(let x 1); => x");
    assert_eq!(prog(""), "");
    assert_eq!(prog("   # only a comment"), "");
}

// ---------------------------------------------------------------- compound expressions

#[test]
fn tuples_lists_records_and_blocks() {
    let cases = [
        ("()", "(tuple )"),
        ("(a,)", "(tuple a)"),
        ("(a)", "a"),
        ("(a, b)", "(tuple a b)"),
        ("(a, b,)", "(tuple a b)"),
        ("[]", "[]"),
        ("[3, 4]", "[3 4]"),
        ("[3, 4,]", "[3 4]"),
        ("{w: 1, b}", "{w: 1, b: b}"),
        ("{w,}", "{w: w}"),
        ("{w, b}", "{w: w, b: b}"),
        ("{ w : 1 }", "{w: 1}"),
        ("{}", "{}"),
        ("{x}", "{=> x}"),
        (
            "{ let a = f(x); a + 1 }",
            "{(let a (call f x)); => (+ a 1)}",
        ),
        ("{ f(x); }", "{(call f x);}"),
        ("{ if c { 1 } else { 2 } }", "{=> (if c {=> 1} {=> 2})}"),
        ("{ if c { f(); } g() }", "{(if c {(call f);}); => (call g)}"),
        ("{ {a} {b} }", "{{=> a}; => {=> b}}"),
        ("{ ;; x }", "{=> x}"),
        ("{w: {b: 1}}.w.b", "(. (. {w: {b: 1}} w) b)"),
    ];
    for (src, want) in cases {
        assert_eq!(sx(src), want, "for {src:?}");
    }
}

#[test]
fn if_chains() {
    assert_eq!(sx("if c { a } else { b }"), "(if c {=> a} {=> b})");
    assert_eq!(sx("if c { a }"), "(if c {=> a})");
    assert_eq!(
        sx("if c { a } else if d { b } else { e }"),
        "(if c {=> a} (if d {=> b} {=> e}))"
    );
    assert_eq!(
        sx("if a { 1 } else if b { 2 } else if c { 3 }"),
        "(if a {=> 1} (if b {=> 2} (if c {=> 3})))"
    );
    assert_eq!(
        sx("f(if c { 1 } else { 2 }) * 3"),
        "(* (call f (if c {=> 1} {=> 2})) 3)"
    );
    assert_eq!(
        sx("(if c { 1 } else { 2 }) * 3"),
        "(* (if c {=> 1} {=> 2}) 3)"
    );
    assert_eq!(
        sx("if x > {a: 1}.a { 1 }"),
        "(if (> x (. {a: 1} a)) {=> 1})"
    );
}

#[test]
fn calls_and_indexing() {
    let cases = [
        ("f()", "(call f)"),
        ("f(a, b)", "(call f a b)"),
        ("f(a, b,)", "(call f a b)"),
        ("opt.adam(lr = 1e-3)", "(call (. opt adam) lr=0.001)"),
        ("f(x, k = v, j = 2)", "(call f x k=v j=2)"),
        ("f(x == 1)", "(call f (== x 1))"),
        ("grad(mse)(w, x, y)", "(call (call grad mse) w x y)"),
        ("x[i]", "(index x i)"),
        ("x[i, j]", "(index x i j)"),
        ("x[i,]", "(index x i)"),
        ("x[a:b]", "(index x (: a b _))"),
        ("x[:, 0]", "(index x (: _ _ _) 0)"),
        ("x[::2]", "(index x (: _ _ 2))"),
        ("x[a:b:s]", "(index x (: a b s))"),
        ("x[a:]", "(index x (: a _ _))"),
        ("x[:b]", "(index x (: _ b _))"),
        ("x[a::]", "(index x (: a _ _))"),
        ("x[-1]", "(index x (neg 1))"),
        ("shape(x)[1]", "(index (call shape x) 1)"),
        ("x[0][1]", "(index (index x 0) 1)"),
        ("p.w", "(. p w)"),
        ("x.T", "(. x T)"),
        ("t.0", "(.0 t)"),
        ("t . 1", "(.1 t)"),
    ];
    for (src, want) in cases {
        assert_eq!(sx(src), want, "for {src:?}");
    }
}

#[test]
fn positional_after_keyword_is_an_error() {
    let out = err("f(a = 1, b)");
    assert!(
        out.contains("1:10: error: positional argument after a keyword argument"),
        "{out}"
    );
    assert!(
        out.contains("hint: put positional arguments first"),
        "{out}"
    );
    let out = err("f(a = 1, a = 2)");
    assert!(
        out.contains("1:10: error: keyword argument `a` appears twice"),
        "{out}"
    );
}

// ---------------------------------------------------------------- statements and items

#[test]
fn statements() {
    let cases = [
        ("let x = 1;", "(let x 1);"),
        ("let _ = f();", "(let _ (call f));"),
        ("let (a, b) = t;", "(let (tuple a b) t);"),
        ("let (a,) = t;", "(let (tuple a) t);"),
        ("let (a) = t;", "(let a t);"),
        ("let () = t;", "(let (tuple ) t);"),
        ("let {w, b} = p;", "(let {w, b} p);"),
        ("let {w: (a, _), b} = p;", "(let {w: (tuple a _), b} p);"),
        (
            "let ((a, b), {c: {d}}) = t;",
            "(let (tuple (tuple a b) {c: {d}}) t);",
        ),
        ("var x = 0;", "(var x 0);"),
        ("x = x + 1;", "(Set x (+ x 1));"),
        ("x += 1;", "(Add x 1);"),
        ("x -= 1;", "(Sub x 1);"),
        ("x *= 2;", "(Mul x 2);"),
        ("x /= 2;", "(Div x 2);"),
        ("x //= 2;", "(FloorDiv x 2);"),
        ("while c { x = f(x); }", "(while c {(Set x (call f x));})"),
        ("f(x);", "(call f x);"),
        ("x == 1;", "(== x 1);"),
        ("if c { f(); }", "=> (if c {(call f);})"),
        ("if c { f(); } g();", "(if c {(call f);}); (call g);"),
        ("if c { f(); }; g();", "(if c {(call f);}); (call g);"),
        ("{ f(); } g();", "{(call f);}; (call g);"),
        ("{w: 1};", "{w: 1};"),
        ("{w: 1}", "=> {w: 1}"),
        (";;", ""),
    ];
    for (src, want) in cases {
        assert_eq!(prog(src), want, "for {src:?}");
    }
}

#[test]
fn returns() {
    assert_eq!(prog("fn f(x) { return x; }"), "(fn f (x) _ {(return x);})");
    assert_eq!(prog("fn f() { return; }"), "(fn f () _ {(return _);})");
    assert_eq!(
        prog("fn f(x) { if x > 0 { return 1 } 2 }"),
        "(fn f (x) _ {(if (> x 0) {(return 1);}); => 2})"
    );
}

#[test]
fn imports() {
    assert_eq!(prog("import opt"), "(import opt)");
    assert_eq!(prog("import opt as o"), "(import opt as o)");
    assert_eq!(prog("import opt;"), "(import opt)");
    assert_eq!(
        prog("import \"lib/m.nest\" as m\nimport nn"),
        "(import \"lib/m.nest\" as m) (import nn)"
    );
    assert_eq!(prog("import \"m.nest\""), "(import \"m.nest\")");
}

#[test]
fn functions_and_types() {
    let cases = [
        ("fn f() { }", "(fn f () _ {})"),
        ("fn f(a, b,) { a }", "(fn f (a, b) _ {=> a})"),
        (
            "fn mse(w: f32[d], x: f32[n, d], y: f32[n]) -> f32 { mean(x @ w - y) }",
            "(fn mse (w: f32[d], x: f32[n, d], y: f32[n]) f32[] {=> (call mean (- (@ x w) y))})",
        ),
        (
            "fn f(k: key, i: i32[]) -> i32[3,] { i }",
            "(fn f (k: key[], i: i32[]) i32[3] {=> i})",
        ),
        (
            "fn f(t: (f32[3], i32)) -> (f32,) { t }",
            "(fn f (t: (f32[3], i32[])) (f32[]) {=> t})",
        ),
        ("fn f(t: (f32)) -> () { t }", "(fn f (t: f32[]) () {=> t})"),
        (
            "fn f(p: {w: f32[3], b: f32}) -> {w: f32[3], b: f32} { p }",
            "(fn f (p: {w: f32[3], b: f32[]}) {w: f32[3], b: f32[]} {=> p})",
        ),
        ("fn f(_, x) { x }", "(fn f (_, x) _ {=> x})"),
        (
            "fn adam(lr, b1 = 0.9, eps: f32 = 1e-8,) { lr }",
            "(fn adam (lr, b1 = 0.9, eps: f32[] = 1e-8) _ {=> lr})",
        ),
        ("fn main() { }\nmain()", "(fn main () _ {}) => (call main)"),
    ];
    for (src, want) in cases {
        assert_eq!(prog(src), want, "for {src:?}");
    }
}

#[test]
fn parameter_defaults_come_last_and_only_on_fn() {
    let out = err("fn f(x, s = 2.0, y) { x }");
    assert!(
        out.contains("parameter `y` has no default but follows `s`, which has one"),
        "{out}"
    );
    let out = err("let g = |x = 2| x;");
    assert!(out.contains("found `=`"), "{out}");
}

#[test]
fn tail_of_program() {
    assert_eq!(prog("let x = 1;\nx + 1"), "(let x 1); => (+ x 1)");
    assert_eq!(prog("x + 1;"), "(+ x 1);");
    assert_eq!(prog("if c { 1 } else { 2 }"), "=> (if c {=> 1} {=> 2})");
    assert_eq!(prog("f(x) # comment"), "=> (call f x)");
}

#[test]
fn language_reference_example() {
    let src = r#"
# comments run to the end of the line
import opt                      # a standard-library module
import "lib/models.nest" as m   # a user module

fn mse(w: f32[d], x: f32[n, d], y: f32[n]) -> f32 {
    let r = x @ w - y;
    mean(r * r)
}

let x = load("data/x.npy");     # top-level statements run on the host
let y = load("data/y.npy");
var w = zeros([shape(x)[1]]);
for step in 0..200 {            # a host loop
    w = w - 0.1 * grad(mse)(w, x, y);
}
print("loss", mse(w, x, y));
save("w.npy", w);
let F = |x, theta| x - theta;
let w_star = best_response(inner, w0, lam, opt = opt.sgd(lr = 0.1), steps = 100,
              method = implicit(neumann(iters = 20, alpha = 0.1)));
assert_close(a, b, rtol = 1e-5, atol = 1e-6);
"#;
    let p = ok(src);
    assert_eq!(p.items.len(), 12);
    assert!(p.tail.is_none());
}

// ---------------------------------------------------------------- spans

#[test]
fn spans_cover_exactly_their_source() {
    let src = "let y = a + b * c;  # c\nf(x, k = 2)[1:2]";
    let p = ok(src);
    let Item::Stmt(Stmt::Let { pat, value, span }) = &p.items[0] else {
        panic!("not a let: {:?}", p.items[0]);
    };
    assert_eq!(text(src, *span), "let y = a + b * c;");
    let Pattern::Name(y) = pat else { panic!() };
    assert_eq!(text(src, y.span), "y");
    assert_eq!(text(src, value.span), "a + b * c");
    let ExprKind::Binary(_, _, rhs) = &value.kind else {
        panic!()
    };
    assert_eq!(text(src, rhs.span), "b * c");
    assert_eq!(span.file, F);

    let tail = p.tail.expect("tail");
    assert_eq!(text(src, tail.span), "f(x, k = 2)[1:2]");
    let ExprKind::Index(call, args) = &tail.kind else {
        panic!()
    };
    assert_eq!(text(src, call.span), "f(x, k = 2)");
    let IndexArg::Slice { span, .. } = &args[0] else {
        panic!()
    };
    assert_eq!(text(src, *span), "1:2");
    let ExprKind::Call { kwargs, .. } = &call.kind else {
        panic!()
    };
    assert_eq!(text(src, kwargs[0].0.span), "k");
    assert_eq!(text(src, kwargs[0].1.span), "2");
}

#[test]
fn spans_of_compound_nodes() {
    let src = "fn f(x: f32[n]) -> f32 {\n  if x { 1 } else if y { 2 }\n}\n(|a| a + 1)(t.0)  ";
    let p = ok(src);
    let Item::Fn(f) = &p.items[0] else { panic!() };
    assert_eq!(text(src, f.span), &src[..src.find("}\n(").unwrap() + 1]);
    assert_eq!(text(src, f.name.span), "f");
    let Some(TypeExpr::Tensor { span, dims, .. }) = &f.params[0].ty else {
        panic!()
    };
    assert_eq!(text(src, *span), "f32[n]");
    let Dim::Name(n) = &dims[0] else { panic!() };
    assert_eq!(text(src, n.span), "n");
    assert_eq!(
        text(src, f.body.span),
        &src[23..src.find("}\n(").unwrap() + 1]
    );
    let tail = f.body.tail.as_ref().expect("if");
    assert_eq!(text(src, tail.span), "if x { 1 } else if y { 2 }");
    let ExprKind::If {
        else_: Some(e),
        then,
        ..
    } = &tail.kind
    else {
        panic!()
    };
    assert_eq!(text(src, e.span), "if y { 2 }");
    assert_eq!(text(src, then.span), "{ 1 }");

    let call = p.tail.expect("tail");
    assert_eq!(text(src, call.span), "(|a| a + 1)(t.0)");
    let ExprKind::Call { callee, args, .. } = &call.kind else {
        panic!()
    };
    assert_eq!(text(src, callee.span), "(|a| a + 1)");
    let ExprKind::TupleIndex(t, 0, num) = &args[0].kind else {
        panic!()
    };
    assert_eq!(text(src, *num), "0");
    assert_eq!(text(src, t.span), "t");
}

#[test]
fn spans_of_statements_and_patterns() {
    let src = "var v = 1;\nv += 2;\nfor i in 0..3 { }\nwhile c { }\nlet {w: (a, _)} = p;";
    let p = ok(src);
    let spans: Vec<&str> = p
        .items
        .iter()
        .map(|i| match i {
            Item::Stmt(Stmt::Var { span, .. })
            | Item::Stmt(Stmt::Assign { span, .. })
            | Item::Stmt(Stmt::For { span, .. })
            | Item::Stmt(Stmt::While { span, .. })
            | Item::Stmt(Stmt::Let { span, .. }) => text(src, *span),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        spans,
        [
            "var v = 1;",
            "v += 2;",
            "for i in 0..3 { }",
            "while c { }",
            "let {w: (a, _)} = p;"
        ]
    );
    let Item::Stmt(Stmt::Let { pat, .. }) = &p.items[4] else {
        panic!()
    };
    let Pattern::Record(fields, span) = pat else {
        panic!()
    };
    assert_eq!(text(src, *span), "{w: (a, _)}");
    let Some(Pattern::Tuple(elems, tspan)) = &fields[0].1 else {
        panic!()
    };
    assert_eq!(text(src, *tspan), "(a, _)");
    let Pattern::Wild(w) = &elems[1] else {
        panic!()
    };
    assert_eq!(text(src, *w), "_");
}

#[test]
fn span_of_import_path_and_lambda() {
    let src = "import \"lib/m.nest\" as m\nlet g = |w, lam| { w };";
    let p = ok(src);
    let Item::Import(imp) = &p.items[0] else {
        panic!()
    };
    let ImportSource::Path(path, span) = &imp.source else {
        panic!()
    };
    assert_eq!(path, "lib/m.nest");
    assert_eq!(text(src, *span), "\"lib/m.nest\"");
    assert_eq!(text(src, imp.span), "import \"lib/m.nest\" as m");
    let Item::Stmt(Stmt::Let { value, .. }) = &p.items[1] else {
        panic!()
    };
    assert_eq!(text(src, value.span), "|w, lam| { w }");
}

// ---------------------------------------------------------------- errors

/// Each case: source, then `line:col: error: message` expected in the render.
const ERRORS: &[(&str, &str)] = &[
    (
        "let x = 3\nlet y = 4;",
        "2:1: error: expected `;`, found `let`",
    ),
    ("let x = ;", "1:9: error: expected an expression, found `;`"),
    ("f(a b)", "1:5: error: expected `,` or `)`, found `b`"),
    (
        "x = f(1;\ny = 2;",
        "1:8: error: expected `,` or `)`, found `;`",
    ),
    ("if x = 3 { }", "1:6: error: expected `{`, found `=`"),
    ("let if = 3;", "1:5: error: expected a pattern, found `if`"),
    ("fn let() { }", "1:4: error: expected a name, found `let`"),
    (
        "let x = (1 + 2;",
        "1:15: error: expected `,` or `)`, found `;`",
    ),
    ("fn f() {\n  let a = 1;\n", "1:8: error: unclosed `{`"),
    (
        "let a = [1, 2;",
        "1:14: error: expected `,` or `]`, found `;`",
    ),
    ("let a = 1);", "1:10: error: unmatched `)`"),
    ("a b", "1:3: error: expected `;`, found `b`"),
    (
        "x.",
        "1:3: error: expected a name or a tuple index, found end of input",
    ),
    (
        "for i in xs;",
        "1:12: error: expected `{` or `..`, found `;`",
    ),
    ("let x = 1 $ 2;", "1:11: error: unexpected character `$`"),
    (
        "fn f() { fn g() { } }",
        "1:10: error: expected a statement or `}`, found `fn`",
    ),
    (
        "if c { 1 } else",
        "1:16: error: expected `if` or `{`, found end of input",
    ),
    ("let x = 0..3;", "1:10: error: expected `;`, found `..`"),
    (
        "if c { 1 } else { 2 } * 3",
        "1:23: error: expected `;`, found `*`",
    ),
    ("f(x, y))", "1:8: error: unmatched `)`"),
    (
        "let (a, b = t;",
        "1:11: error: expected `,` or `)`, found `=`",
    ),
    (
        "{ a: 1, }.a +",
        "1:14: error: expected an expression, found end of input",
    ),
    ("fn f(x: ) {}", "1:9: error: expected a type, found `)`"),
    ("p.w = 3;", "1:5: error: expected `;`, found `=`"),
    // A lambda is not an operand: `||` here starts a second expression.
    ("a || |x| x", "1:3: error: expected `;`, found `||`"),
    (
        "let y = _;",
        "1:9: error: expected an expression, found `_`",
    ),
    (
        "let x = 1;\r\nlet y = ;\r\n",
        "2:9: error: expected an expression, found `;`",
    ),
    (
        "let x = 1\n\n  # comment\n  var y = 2;",
        "4:3: error: expected `;`, found `var`",
    ),
    (
        "let true = 1;",
        "1:5: error: expected a pattern, found `true`",
    ),
    ("f(x: 1)", "1:4: error: expected `,` or `)`, found `:`"),
];

#[test]
fn syntax_errors_point_at_the_offending_token() {
    for (src, want) in ERRORS {
        let out = err(src);
        assert!(out.contains(want), "for {src:?}\nwant: {want}\ngot:\n{out}");
        assert!(
            !out.contains("_stmt") && !out.contains("EOI"),
            "raw rule name in:\n{out}"
        );
    }
}

#[test]
fn error_hints() {
    let hint = |src: &str, want: &str| {
        let out = err(src);
        assert!(
            out.contains(want),
            "for {src:?}\nwant hint: {want}\ngot:\n{out}"
        );
    };
    hint("let x = 3\nlet y = 4;", "hint: end the statement with `;`");
    hint("if x = 3 { }", "hint: use `==` to compare");
    hint("p.w = 3;", "hint: only a plain name can be assigned");
    hint(
        "let if = 3;",
        "hint: `if` is a keyword and cannot be used as a name",
    );
    hint(
        "fn f() { fn g() { } }",
        "hint: functions are defined at top level",
    );
    hint(
        "let x = 0..3;",
        "hint: ranges `a..b` are only allowed in `for` loops",
    );
    hint("if c { 1 } else { 2 } * 3", "wrap it in parentheses");
    hint("fn f() {\n  let a = 1;\n", "hint: add the matching `}`");
    hint(
        "let x = (1 + 2;",
        "note: unclosed `(` opened here (t.nest:1:9)",
    );
}

#[test]
fn rendered_error_shows_line_and_caret() {
    let out = err("let a = 1;\nlet b = a +* 2;\n");
    assert_eq!(
        out,
        "t.nest:2:12: error: expected an expression, found `*`\n  |\n2 | let b = a +* 2;\n  |            ^\n"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "(".repeat(10_000) + "1" + &")".repeat(10_000);
    let out = err(&deep);
    assert!(out.contains("nesting is too deep"), "{out}");
    let deep = "[".repeat(10_000);
    assert!(err(&deep).contains("nesting is too deep"));
    let deep = "if ".repeat(5_000) + "x";
    assert!(err(&deep).contains("nesting is too deep"));
    let deep = "{".repeat(300) + &"}".repeat(300);
    assert!(err(&deep).contains("nesting is too deep"));
}

#[test]
fn nesting_below_the_limit_parses() {
    for open in ["(", "[", "{"] {
        let close = match open {
            "(" => ")",
            "[" => "]",
            _ => "}",
        };
        let src = open.repeat(190) + "1" + &close.repeat(190);
        ok(&src);
    }
    let src = "f(".repeat(150) + "1" + &")".repeat(150);
    ok(&src);
    let src = "|x| ".repeat(150) + "x";
    ok(&src);
    let src = "- ".repeat(500) + "x";
    ok(&src);
}

#[test]
fn if_chains_in_conditions_cannot_overflow() {
    // Each condition holds the next `if`; the braces close, so only the
    // parser's own limits stop this.
    let src = "if {a: 1}.a == ".repeat(3000) + "x" + &" { 1 }".repeat(3000);
    let out = err(&src);
    assert!(out.contains("nested too deeply"), "{out}");
}

#[test]
fn long_chains_are_bounded() {
    let sum = vec!["x"; 500].join(" + ");
    ok(&sum);
    let sum = vec!["x"; 5000].join(" + ");
    assert!(err(&sum).contains("nested too deeply"));
    let negs = "-".repeat(5000) + "x";
    assert!(err(&negs).contains("nested too deeply"));
    // Many statements are not nesting.
    let many = "x = x + 1;\n".repeat(5000);
    assert_eq!(ok(&many).items.len(), 5000);
}

// ---------------------------------------------------------------- never panics

const TOKENS: &[&str] = &[
    "fn",
    "let",
    "var",
    "if",
    "else",
    "for",
    "in",
    "while",
    "return",
    "import",
    "as",
    "true",
    "false",
    "none",
    "x",
    "f",
    "_",
    "T",
    "3",
    "0",
    "1.5",
    ".5",
    "1e-3",
    "2.0i",
    "3i",
    "99999999999999999999",
    "\"s\"",
    "\"\\q\"",
    "\"",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    ":",
    ".",
    "..",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "@",
    "**",
    "!",
    "&&",
    "||",
    "|",
    "->",
    "+=",
    "-=",
    "*=",
    "/=",
    "#c\n",
    "\n",
    " ",
    "é",
    "$",
];

fn token_seq() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..60).prop_map(|t| t.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_text(s in "\\PC*") {
        let _ = parse(&s, F);
    }

    #[test]
    fn checker_never_panics_on_token_soup(s in token_seq()) {
        if let Ok(program) = parse(&s, F) {
            let _ = nest::eval::check::check_program(&program, None);
        }
    }

    #[test]
    fn never_panics_on_token_soup(s in token_seq()) {
        if let Err(d) = parse(&s, F) {
            // Every error points into the source.
            let span = d.span.expect("syntax errors have spans");
            prop_assert!(span.start <= span.end && span.end as usize <= s.len());
            prop_assert!(!d.internal, "internal error on {:?}: {}", s, d.message);
        }
    }

    #[test]
    fn never_panics_on_deep_token_soup(
        open in prop::sample::select(vec!["(", "[", "{", "if ", "f(", "|x| ", "-", "{a: "]),
        n in 0usize..400,
        s in token_seq(),
    ) {
        let src = open.repeat(n) + &s;
        let _ = parse(&src, F);
    }
}
