//! The language side of sharding: `shard` inside functions lowers to XLA's
//! sharding custom call on a mesh of several devices (lowering needs no
//! devices), and to nothing on one device; the backend's helpers find the
//! constraints, in loop bodies too, and the sharded outputs; an uneven
//! split is an error naming the leaf. The interpreter runs any mesh.

#![allow(clippy::unwrap_used)]

use nest::backend::stablehlo::lower_func;
use nest::eval::exec::Evaluator;
use nest::eval::module::ModuleEnv;
use nest::ir::Func;
use nest::prims::{constraint_shardings, output_sharding};

/// Runs `source` on the interpreter; the traced functions by name.
fn traced(source: &str) -> Result<indexmap::IndexMap<String, Func>, String> {
    let mut ev = Evaluator::new(Box::new(std::io::sink()));
    let prog = ev
        .parse_source("test.nest", source)
        .map_err(|e| e.message)?;
    ev.run_program(&prog, ModuleEnv::new("test", None))
        .map_err(|e| e.message)?;
    Ok(ev.traces.clone())
}

const PROGRAM: &str = r#"
let m1 = mesh([1], ("data",));
let m4 = mesh([4], ("data",));
let m22 = mesh([2, 2], ("data", "model"));
fn one(x) { shard(x * 2.0, m1, ("data", none)) * 3.0 }
fn four(x) { shard(x * 2.0, m4, ("data", none)) * 3.0 }
fn out(x) { shard(x * 2.0, m22, (none, "model")) }
fn looped(x) {
    var s = x;
    for i in 0..3 { s = shard(s * 1.5, m4, ("data",)); }
    s + 1.0
}
let x = ones([8, 2]);
let a = one(x);
let b = four(x);
let c = out(x);
let d = looped(x);
let e = grad(|x| sum(four(x)))(x);
"#;

#[test]
fn several_devices_lower_to_the_sharding_custom_call() {
    let traces = traced(PROGRAM).unwrap();
    let four = lower_func(&traces["four"]).unwrap().text;
    assert!(
        four.contains(
            "stablehlo.custom_call @Sharding(%1) {backend_config = \"\", mhlo.sharding = \"{devices=[4,1]0,1,2,3}\"} : (tensor<8x2xf32>) -> tensor<8x2xf32>"
        ),
        "{four}"
    );
    let out = lower_func(&traces["out"]).unwrap().text;
    assert!(
        out.contains("mhlo.sharding = \"{devices=[1,2,2]0,2,1,3 last_tile_dim_replicate}\""),
        "{out}"
    );
    let one = lower_func(&traces["one"]).unwrap().text;
    assert!(!one.contains("custom_call"), "{one}");
}

#[test]
fn helpers_find_constraints_in_loops_and_at_outputs() {
    let traces = traced(PROGRAM).unwrap();
    let looped = &traces["looped"].graph;
    let found = constraint_shardings(looped);
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|s| s.to_string() == r#"("data") on mesh(data: 4)"#));
    // The loop's result goes through `+ 1.0`: not a constrained output.
    assert_eq!(output_sharding(looped, 0), None);
    let out = &traces["out"].graph;
    let s = output_sharding(out, 0).unwrap();
    assert_eq!(
        s.to_string(),
        r#"(none, "model") on mesh(data: 2, model: 2)"#
    );
    assert_eq!(constraint_shardings(&traces["one"].graph).len(), 1);
}

#[test]
fn an_uneven_split_names_the_leaf() {
    let src = r#"let m = mesh([4], ("data",));
let p = shard({w: ones([8, 2]), b: ones([6])}, m, ("data",));"#;
    let e = traced(src).unwrap_err();
    assert_eq!(
        e,
        r#"cannot shard an array f32[6] as ("data") on mesh(data: 4): dimension 0 of size 6 does not split evenly over mesh axis 'data' of size 4"#
    );
    let inside = r#"let m = mesh([4], ("data",));
fn f(x) { shard(x, m, (none, "data")) }
let y = f(ones([4, 3]));"#;
    assert!(traced(inside).unwrap_err().contains("f32[4, 3]"));
}
