//! The language side of sharding: `shard` inside functions lowers to XLA's
//! sharding custom call on a mesh of several devices (lowering needs no
//! devices), and to nothing on one device; the backend's helpers find the
//! constraints, in loop bodies too, and the sharded outputs; an uneven
//! split is an error naming the leaf. The interpreter runs any mesh.

#![allow(clippy::unwrap_used)]

use nest::backend::runtime::{Array, Interp, Runtime};
use nest::backend::stablehlo::lower_func;
use nest::eval::exec::Evaluator;
use nest::eval::module::ModuleEnv;
use nest::ir::Func;
use nest::prims::{constraint_shardings, output_sharding, Prim};
use nest::types::{Mesh, Sharding, TensorType};
use std::sync::{Arc, Mutex};

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
fn several_devices_lower_to_shardy_constraints_and_a_laid_out_signature() {
    let traces = traced(PROGRAM).unwrap();
    let four = lower_func(&traces["four"]).unwrap().text;
    for part in [
        "module @four attributes {mhlo.num_partitions = 4 : i32, mhlo.num_replicas = 1 : i32} {",
        "sdy.mesh @mesh = <[\"data\"=4]>",
        "%arg0: tensor<8x2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {}]>}",
        "sdy.sharding_constraint %1 <@mesh, [{\"data\"}, {}]> : tensor<8x2xf32>",
        "-> (tensor<8x2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {}]>})",
    ] {
        assert!(four.contains(part), "{part}\n{four}");
    }
    // The constraint makes the output: the result keeps its layout.
    let out = lower_func(&traces["out"]).unwrap().text;
    assert!(
        out.contains(
            "-> (tensor<8x2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {\"model\"}]>})"
        ),
        "{out}"
    );
    assert!(
        out.contains("sdy.mesh @mesh = <[\"data\"=2, \"model\"=2]>"),
        "{out}"
    );
    let one = lower_func(&traces["one"]).unwrap().text;
    assert!(
        !one.contains("sdy") && !one.contains("num_partitions"),
        "{one}"
    );
}

#[test]
fn helpers_find_constraints_in_loops_and_at_outputs() {
    let traces = traced(PROGRAM).unwrap();
    let looped = &traces["looped"].graph;
    let found = constraint_shardings(looped);
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|s| s.to_string() == r#"("data",) on mesh(data: 4)"#));
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
        r#"cannot shard an array f32[6] as ("data",) on mesh(data: 4): dimension 0 of size 6 does not split evenly over mesh axis 'data' of size 4"#
    );
    let inside = r#"let m = mesh([4], ("data",));
fn f(x) { shard(x, m, (none, "data")) }
let y = f(ones([4, 3]));"#;
    assert!(traced(inside).unwrap_err().contains("f32[4, 3]"));
}

/// The interpreter with two devices, recording what it is asked to place.
#[derive(Default)]
struct TwoDevices {
    placed: Mutex<Vec<(TensorType, String)>>,
}

impl Runtime for TwoDevices {
    fn name(&self) -> &'static str {
        "two"
    }
    fn run_graph(
        &self,
        name: &str,
        graph: &nest::ir::Graph,
        inputs: &[Array],
    ) -> Result<Vec<Array>, String> {
        Interp.run_graph(name, graph, inputs)
    }
    fn apply(
        &self,
        prim: Prim,
        inputs: &[Array],
        outs: Vec<TensorType>,
    ) -> Result<Vec<Array>, String> {
        Interp.apply(prim, inputs, outs)
    }
    fn check_mesh(&self, mesh: &Mesh) -> Result<(), String> {
        match mesh.size() {
            1 | 2 => Ok(()),
            n => Err(format!("a mesh of {n} devices, but there are 2")),
        }
    }
    fn place(&self, array: Array, sharding: &Arc<Sharding>) -> Result<Array, String> {
        let mut placed = self.placed.lock().map_err(|e| e.to_string())?;
        placed.push((array.ty(), sharding.to_string()));
        Ok(array)
    }
}

/// Runs `source` on `rt`: the error's message, if any.
fn run_on(rt: Arc<TwoDevices>, source: &str) -> Option<String> {
    let mut ev = Evaluator::new(Box::new(std::io::sink()));
    ev.tracer.runtime = rt;
    let prog = ev.parse_source("test.nest", source).unwrap();
    ev.run_program(&prog, ModuleEnv::new("test", None))
        .err()
        .map(|e| e.message)
}

#[test]
fn known_leaves_are_placed_by_the_runtime_and_meshes_checked() {
    let rt = Arc::new(TwoDevices::default());
    let src = r#"let m = mesh([2], ("data",));
let p = shard({w: ones([4, 2]), s: 2.0, k: key(0)}, m, ());
fn f(x) { shard(x, m, ("data",)) + 1.0 }
let y = f(ones([2]));"#;
    assert_eq!(run_on(rt.clone(), src), None);
    let placed = rt.placed.lock().unwrap().clone();
    // The weak literal in its default dtype; the key not at all; the traced
    // value inside `f` constrained, not placed.
    let on = "() on mesh(data: 2)".to_string();
    assert_eq!(
        placed,
        vec![
            (
                TensorType::new(nest::types::DType::F32, vec![4, 2]),
                on.clone()
            ),
            (TensorType::new(nest::types::DType::F32, vec![]), on),
        ]
    );
    let e = run_on(rt, r#"let m = mesh([2, 2], ("a", "b"));"#).unwrap();
    assert_eq!(e, "a mesh of 4 devices, but there are 2");
}
