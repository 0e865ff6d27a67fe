//! Dependencies point down: every `crate::` path in `src/` (in `use` lines,
//! grouped `use crate::{a, b::c}`, and paths in code) names a module of its
//! own layer or a layer below, in the order written in the "Layers" section
//! of `docs/architecture.md` (the ```` ```layers ```` block, read here, so the
//! document and the test cannot disagree).
//!
//! The library's files belong to the top module they sit in (`src/eval/...`
//! is `eval`); the binary's are the modules `src/main.rs` declares. A
//! `crate::X` where `X` is a crate-root re-export (`pub use m::X` in
//! `src/lib.rs`) counts as an import of `m`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// One crate's layers: module name to its line (0 at the bottom), and the
/// lines' labels for messages.
#[derive(Default)]
struct Order {
    line_of: HashMap<String, usize>,
    labels: Vec<String>,
}

impl Order {
    fn describe(&self, module: &str) -> String {
        let line = self.line_of[module];
        format!("`{}` ({})", module, self.labels[line])
    }
}

/// The library's and the binary's orders, from the ```` ```layers ```` block
/// of the "Layers" section: lines `L<n> a, b` (library) and `B<n> a, b`
/// (binary), bottom first.
fn read_orders(doc: &str) -> (Order, Order) {
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Layers"))
        .expect("docs/architecture.md has no `## Layers` section");
    let block = section
        .split("```layers\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the Layers section has no ```layers block");
    let (mut lib, mut bin) = (Order::default(), Order::default());
    for line in block.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (label, modules) = line
            .split_once(char::is_whitespace)
            .unwrap_or_else(|| panic!("layers block: `{}` is not `L<n> modules`", line));
        let order = match label.chars().next() {
            Some('L') => &mut lib,
            Some('B') => &mut bin,
            _ => panic!("layers block: `{}` starts with neither L nor B", line),
        };
        let index = order.labels.len();
        assert_eq!(
            label[1..].parse::<usize>().ok(),
            Some(index),
            "layers block: `{}` is out of sequence (expected {}{})",
            line,
            &label[..1],
            index
        );
        order.labels.push(label.to_string());
        for m in modules.split(',').map(str::trim).filter(|m| !m.is_empty()) {
            let old = order.line_of.insert(m.to_string(), index);
            assert!(old.is_none(), "layers block: `{}` is listed twice", m);
        }
    }
    (lib, bin)
}

/// Source text with comments (doc comments included: an intra-doc link is
/// no dependency), string and char literals blanked, so only code remains.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        let skip = if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            block_comment_len(rest)
        } else if let Some(n) = raw_string_len(rest) {
            n
        } else if rest.starts_with('"') {
            string_len(rest)
        } else if rest.starts_with('\'') {
            char_literal_len(rest).unwrap_or(0)
        } else {
            0
        };
        if skip == 0 {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        } else {
            // Keep line breaks, so line numbers stay right.
            out.extend(rest[..skip].chars().filter(|&c| c == '\n'));
            out.push(' ');
            i += skip;
        }
    }
    out
}

fn block_comment_len(s: &str) -> usize {
    let mut depth = 0;
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with("/*") {
            depth += 1;
            i += 2;
        } else if s[i..].starts_with("*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += s[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    s.len()
}

/// `r"..."`, `r#"..."#`, `br"..."` (and not an identifier ending in `r`,
/// which the caller rules out by only looking at token starts here).
fn raw_string_len(s: &str) -> Option<usize> {
    let start = if s.starts_with("br") {
        2
    } else if s.starts_with('r') {
        1
    } else {
        return None;
    };
    let hashes = s[start..].bytes().take_while(|&c| c == b'#').count();
    if s.as_bytes().get(start + hashes) != Some(&b'"') {
        return None;
    }
    let close = format!("\"{}", "#".repeat(hashes));
    let body = start + hashes + 1;
    Some(
        s[body..]
            .find(&close)
            .map_or(s.len(), |k| body + k + close.len()),
    )
}

fn string_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// A char literal's length; `None` for a lifetime or label (`'a`).
fn char_literal_len(s: &str) -> Option<usize> {
    let mut chars = s.char_indices().skip(1);
    let (_, c) = chars.next()?;
    if c == '\\' {
        return s[2..].find('\'').map(|k| k + 3);
    }
    let (k, close) = chars.next()?;
    (close == '\'').then_some(k + 1)
}

/// Every `crate::X` in `code` (the first segment after `crate::`; each
/// first segment of a group `crate::{a, b::c}`), with its line.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut found = vec![];
    let mut from = 0;
    while let Some(k) = code[from..].find("crate") {
        let at = from + k;
        from = at + "crate".len();
        let before = code[..at].chars().next_back();
        if before.is_some_and(is_ident) {
            continue;
        }
        let rest = code[from..].trim_start();
        let Some(rest) = rest.strip_prefix("::") else {
            continue;
        };
        let line = code[..at].matches('\n').count() + 1;
        let rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            for item in top_level_items(group) {
                found.push((line, item));
            }
        } else {
            let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            found.push((line, name));
        }
    }
    found
}

/// The first identifier of each comma-separated item of a `{...}` group
/// (`group` starts after the `{`).
fn top_level_items(group: &str) -> Vec<String> {
    let mut items = vec![];
    let mut depth = 0;
    let mut item = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    items.push(item);
    items
        .iter()
        .map(|i| {
            let i = i.trim_start();
            i.chars()
                .take_while(|&c| c.is_alphanumeric() || c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// `mod NAME;` / `pub mod NAME;` declarations of a crate root.
fn declared_modules(root: &str) -> Vec<String> {
    code_only(root)
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("pub ").unwrap_or(l.trim());
            let name = l.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.trim().to_string())
        })
        .collect()
}

/// The crate root's re-exports: `pub use m::X;` and `pub use m::{X, Y};`
/// give `X -> m`.
fn re_exports(root: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for stmt in code_only(root).split(';') {
        let Some(path) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let path: String = path.chars().filter(|c| !c.is_whitespace()).collect();
        let Some((module, rest)) = path.split_once("::") else {
            continue;
        };
        let names: Vec<&str> = match rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            Some(group) => group.split(',').collect(),
            None => vec![rest],
        };
        for name in names {
            // `a::b::X` or `X as Y`: the name it is known by at the root.
            let name = name.rsplit("::").next().unwrap_or(name);
            let name = name.rsplit(" as ").next().unwrap_or(name);
            map.insert(name.to_string(), module.to_string());
        }
    }
    map
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {}", dir.display(), e))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top module a file belongs to: `src/eval/tracer.rs` and
/// `src/eval.rs` are `eval`; `None` for the crate roots.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).expect("a file under src/");
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// Every import in `src/` that points up, as messages; and the problems of
/// the layer order itself (a module missing from it, or not in the crate).
fn violations(root: &Path) -> Vec<String> {
    let read = |p: &Path| {
        fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {}", p.display(), e))
    };
    let (lib, bin) = read_orders(&read(&root.join("docs/architecture.md")));
    let src = root.join("src");
    let lib_root = read(&src.join("lib.rs"));
    let lib_modules = declared_modules(&lib_root);
    let bin_modules = declared_modules(&read(&src.join("main.rs")));
    let exports = re_exports(&lib_root);
    let mut problems = vec![];
    for (order, modules, which) in [
        (&lib, &lib_modules, "library"),
        (&bin, &bin_modules, "binary"),
    ] {
        for m in modules {
            if !order.line_of.contains_key(m) {
                problems.push(format!(
                    "module `{}` of the {} is in no layer of docs/architecture.md",
                    m, which
                ));
            }
        }
        for m in order.line_of.keys() {
            if !modules.contains(m) {
                problems.push(format!(
                    "docs/architecture.md lists `{}` as a {} module, but it is not one",
                    m, which
                ));
            }
        }
    }
    let mut files = vec![];
    rust_files(&src, &mut files);
    for file in &files {
        let Some(module) = top_module(&src, file) else {
            continue;
        };
        let shown = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        let (order, exports) = if lib_modules.contains(&module) {
            (&lib, Some(&exports))
        } else if bin_modules.contains(&module) {
            (&bin, None)
        } else {
            problems.push(format!(
                "{}: belongs to no module of either crate root",
                shown
            ));
            continue;
        };
        let Some(&own) = order.line_of.get(&module) else {
            continue; // reported above
        };
        for (line, name) in crate_paths(&code_only(&read(file))) {
            let target = match exports.and_then(|e| e.get(&name)) {
                Some(m) => m.clone(),
                None => name.clone(),
            };
            let Some(&theirs) = order.line_of.get(&target) else {
                problems.push(format!(
                    "{}:{}: `crate::{}` is neither a module of the layer order nor a crate-root re-export",
                    shown, line, name
                ));
                continue;
            };
            if theirs > own {
                let via = match target == name {
                    true => String::new(),
                    false => format!(" (re-exported from `{}`)", target),
                };
                problems.push(format!(
                    "{}:{}: `crate::{}`{} points up: {} imports {}",
                    shown,
                    line,
                    name,
                    via,
                    order.describe(&module),
                    order.describe(&target)
                ));
            }
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

#[test]
fn dependencies_point_down() {
    let problems = violations(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(
        problems.is_empty(),
        "{} import(s) against the layer order of docs/architecture.md (\"Layers\"):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Source files are read by the driver (`driver::DiskFiles`); in the
/// evaluator only builtins (`src/eval/builtins/`: host I/O such as `load`,
/// `save` and figures) touch the file system.
#[test]
fn eval_reads_no_files_outside_builtins() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    rust_files(&root.join("src/eval"), &mut files);
    let builtins = root.join("src/eval/builtins");
    let mut found = vec![];
    for file in files.iter().filter(|f| !f.starts_with(&builtins)) {
        let code = code_only(&fs::read_to_string(file).expect("a source file"));
        for (k, line) in code.lines().enumerate() {
            if line.contains("std::fs") || line.contains("fs::") {
                let shown = file
                    .strip_prefix(root)
                    .unwrap_or(file)
                    .display()
                    .to_string();
                found.push(format!("{}:{}: {}", shown, k + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the evaluator touches the file system outside its builtins (source files come from `SourceFiles`):\n{}",
        found.join("\n")
    );
}

/// The parser finds what the layer rule is about, and no more.
#[test]
fn crate_paths_are_found_in_every_form() {
    let src = r#"
use crate::a::B;
use crate::{b, c::{D, E}, d::F as G};
pub(crate) fn f() -> crate::e::T {
    // crate::commented::Out
    let s = "crate::quoted::Out";
    let c = '"';
    let t: crate :: f ::U = x;
    g::<'static>(crate::h!());
}
/// [`crate::doc::Link`]
"#;
    let found = crate_paths(&code_only(src));
    let names: Vec<(usize, &str)> = found.iter().map(|(l, n)| (*l, n.as_str())).collect();
    assert_eq!(
        names,
        [
            (2, "a"),
            (3, "b"),
            (3, "c"),
            (3, "d"),
            (4, "e"),
            (8, "f"),
            (9, "h")
        ]
    );
}

#[test]
fn re_exports_map_to_their_module() {
    let root = "pub mod diag;\npub use diag::{Diagnostic, Result};\npub use driver::Session;\n";
    let map = re_exports(root);
    assert_eq!(map.get("Diagnostic").map(String::as_str), Some("diag"));
    assert_eq!(map.get("Result").map(String::as_str), Some("diag"));
    assert_eq!(map.get("Session").map(String::as_str), Some("driver"));
    assert_eq!(declared_modules(root), ["diag"]);
}

#[test]
fn an_upward_import_is_named_with_file_and_layers() {
    let dir = std::env::temp_dir().join(format!("nest-layers-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("src/low")).expect("mkdir");
    fs::create_dir_all(dir.join("docs")).expect("mkdir");
    let doc = "# x\n\n## Layers\n\n```layers\nL0 low\nL1 high\nB0 cli\n```\n";
    fs::write(dir.join("docs/architecture.md"), doc).expect("write");
    fs::write(
        dir.join("src/lib.rs"),
        "pub mod low;\npub mod high;\npub use high::Top;\n",
    )
    .expect("write");
    fs::write(dir.join("src/main.rs"), "mod cli;\n").expect("write");
    fs::write(dir.join("src/cli.rs"), "use crate::cli;\n").expect("write");
    fs::write(dir.join("src/high.rs"), "use crate::low::X;\n").expect("write");
    fs::write(dir.join("src/low/mod.rs"), "\nuse crate::{high::Y, Top};\n").expect("write");
    let problems = violations(&dir);
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(
        problems,
        [
            "src/low/mod.rs:2: `crate::Top` (re-exported from `high`) points up: `low` (L0) imports `high` (L1)",
            "src/low/mod.rs:2: `crate::high` points up: `low` (L0) imports `high` (L1)",
        ]
    );
}
