//! Reads the parameter types of `@main` from StableHLO text, so that
//! executing with the wrong arguments is caught before the plugin sees it.
//!
//! Only what the printer writes is understood: `%arg0: tensor<2x3xf32>`,
//! optionally followed by an attribute dictionary. Anything else (dynamic
//! dimensions, tuples, tokens) gives `None`, and the plugin checks alone.

use crate::types::DType;

/// The `(dtype, shape)` of each parameter of `func.func ... @main(...)`.
pub fn main_params(text: &str) -> Option<Vec<(DType, Vec<usize>)>> {
    let start = text.find("@main(")? + "@main(".len();
    let list = balanced_prefix(&text[start..])?;
    split_top_level(list)
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(param_type)
        .collect()
}

/// The devices a module runs on at once: its `mhlo.num_partitions`
/// attribute (`module @f attributes {mhlo.num_partitions = 4 : i32, ...}`,
/// on the module's first line), else 1.
pub fn num_partitions(text: &str) -> usize {
    const KEY: &str = "mhlo.num_partitions = ";
    let header = text.lines().find(|l| l.trim_start().starts_with("module"));
    (header.and_then(|h| h.find(KEY).map(|i| &h[i + KEY.len()..])))
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// The text up to the `)` closing an already opened `(`, skipping nested
/// brackets and quoted strings.
fn balanced_prefix(text: &str) -> Option<&str> {
    let mut depth = 0usize;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => skip_string(&mut chars),
            '(' | '<' | '{' | '[' => depth += 1,
            ')' if depth == 0 => return Some(&text[..i]),
            ')' | '>' | '}' | ']' => depth = depth.checked_sub(1)?,
            _ => {}
        }
    }
    None
}

fn skip_string(chars: &mut std::str::CharIndices) {
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return,
            _ => {}
        }
    }
}

/// Splits at the commas outside brackets and strings.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut from) = (0usize, 0usize);
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => skip_string(&mut chars),
            '(' | '<' | '{' | '[' => depth += 1,
            ')' | '>' | '}' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[from..]);
    parts
}

/// `%arg0: tensor<2x3xf32> {attrs}` → `(F32, [2, 3])`.
fn param_type(param: &str) -> Option<(DType, Vec<usize>)> {
    let (_, ty) = param.split_once(':')?;
    let body = ty.trim_start().strip_prefix("tensor<")?;
    // Cut at the `>` closing `tensor<`; an attribute dictionary may follow.
    let body = &body[..balanced_angle(body)?];
    let mut shape = Vec::new();
    let mut rest = body;
    while let Some((dim, tail)) = rest.split_once('x') {
        match dim.parse::<usize>() {
            Ok(d) => shape.push(d),
            Err(_) => break,
        }
        rest = tail;
    }
    Some((element_type(rest.trim())?, shape))
}

/// The index of the first `>` not matched by an earlier `<` in `text`.
fn balanced_angle(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if depth == 0 => return Some(i),
            '>' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn element_type(name: &str) -> Option<DType> {
    Some(match name {
        "i1" => DType::Bool,
        "i32" | "si32" => DType::I32,
        "i64" | "si64" => DType::I64,
        "ui32" => DType::U32,
        "f32" => DType::F32,
        "f64" => DType::F64,
        "complex<f32>" => DType::C64,
        "complex<f64>" => DType::C128,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_parameters_with_attributes() {
        let text = r#"module @m { func.func public @main(%arg0: tensor<2x3xf32> {jax.arg_info = "x, y>", mhlo.sharding = "{replicated}"}, %arg1: tensor<i1>, %arg2: tensor<4xcomplex<f32>>, %arg3: tensor<complex<f64>>) -> (tensor<f32> {jax.result_info = ""}) { } }"#;
        let params = main_params(text).expect("parsed");
        assert_eq!(
            params,
            vec![
                (DType::F32, vec![2, 3]),
                (DType::Bool, vec![]),
                (DType::C64, vec![4]),
                (DType::C128, vec![]),
            ]
        );
    }

    #[test]
    fn no_parameters() {
        let text = "module { func.func @main() -> tensor<f32> { } }";
        assert_eq!(main_params(text), Some(vec![]));
    }

    #[test]
    fn unknown_forms_give_none() {
        assert_eq!(
            main_params("module { func.func @main(%a: tensor<?xf32>) }"),
            None
        );
        assert_eq!(
            main_params("module { func.func @main(%a: tensor<2xbf16>) }"),
            None
        );
        assert_eq!(
            main_params("module { func.func @f(%a: tensor<2xf32>) }"),
            None
        );
        assert_eq!(
            main_params("module { func.func @main(%a: tensor<2xf32>"),
            None
        );
    }

    #[test]
    fn the_partitions_are_the_module_attribute() {
        let text =
            "module @f attributes {mhlo.num_partitions = 4 : i32, mhlo.num_replicas = 1 : i32} {\n";
        assert_eq!(num_partitions(text), 4);
        assert_eq!(
            num_partitions("module @f {\n  func.func public @main() {\n"),
            1
        );
    }
}
