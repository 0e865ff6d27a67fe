//! `sharding_constraint`: the value unchanged, with the layout it must have
//! over a device mesh at this point of the program (as JAX's
//! `with_sharding_constraint`). `shard(x, m, spec)` of a traced value
//! emits it.
//!
//! On values it is the identity, `y = x`, so its rules are those of a
//! linear map that the compiled layout, not the math, depends on:
//! * JVP: `dy = constraint(dx)`, the tangent laid out as the value;
//! * transpose: the map is the identity, `x̄ = constraint(ȳ)`: the
//!   cotangent laid out as the value;
//! * batching: the same sharding with the batch axis (axis 0) replicated,
//!   so each example keeps its layout.
//!
//! The interpreter runs any mesh as one device: its kernel is the identity.
//! Lowered, it is Shardy's `sdy.sharding_constraint` (the SPMD partitioner
//! reads it); on a one-device mesh there is nothing to partition and it
//! lowers to nothing. Simplification keeps it (no `forwards`): dropping it would
//! change the compiled layout; CSE merges identical ones.

use super::{JvpResult, Prim};
use crate::ir::emit::{operands, result, tensor_type, Emitter, Value};
use crate::ir::primitive::{no_effect, no_regions};
use crate::ir::{Atom, Builder, Graph, Primitive, RuleResult};
use crate::tensor::Tensor;
use crate::types::{Sharding, TensorType, MESH_SYMBOL};
use std::sync::Arc;

/// One operand that `sharding` fits; the result has its type.
pub fn infer_constraint(sharding: &Sharding, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    super::expect_arity("sharding_constraint", inputs, 1)?;
    let x = &inputs[0];
    sharding
        .check(&x.shape)
        .map_err(|m| format!("sharding_constraint {}: {}", sharding, m))?;
    Ok(vec![x.clone()])
}

/// `sdy.sharding_constraint %x <@mesh, [{"data"}, {}]>`, the form JAX
/// emits for `with_sharding_constraint` (Shardy's; the module declares the
/// program's one mesh as `@mesh`); nothing on one device.
pub fn lower_constraint(
    sharding: &Sharding,
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [x] = operands("sharding_constraint", inputs)?;
    let ty = result("sharding_constraint", outs)?;
    if sharding.mesh.size() == 1 {
        return Ok(vec![x.clone()]);
    }
    let rhs = format!(
        "sdy.sharding_constraint {} {} : {}",
        x.name,
        sharding.sdy(MESH_SYMBOL, ty.rank()),
        tensor_type(ty)
    );
    Ok(vec![em.emit(&rhs, ty)])
}

/// `dy = constraint(dx)`.
pub fn jvp_constraint(
    c: &ShardingConstraint,
    b: &mut Builder,
    tangents: &[Option<Atom>],
) -> JvpResult {
    match tangents {
        [Some(t)] => Ok(vec![Some(
            b.apply1(Prim::new(c.clone()), std::slice::from_ref(t))?,
        )]),
        _ => Ok(vec![None]),
    }
}

/// `x̄ = constraint(ȳ)` (the map is the identity, its own transpose).
pub fn transpose_constraint(
    c: &ShardingConstraint,
    b: &mut Builder,
    cts: &[Option<Atom>],
) -> JvpResult {
    jvp_constraint(c, b, cts)
}

/// `y[k] = constraint'(x)[k]` with `constraint'` the sharding with a
/// replicated batch axis 0 (called only with the operand batched).
pub fn batch_constraint(
    c: &ShardingConstraint,
    b: &mut Builder,
    inputs: &[Atom],
) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
    let batched = ShardingConstraint {
        sharding: Arc::new(c.sharding.with_replicated_dim(0)),
    };
    Ok((b.apply(Prim::new(batched), inputs)?, vec![true]))
}

/// The value laid out over a mesh as `sharding` says (see the module).
#[derive(Clone, Debug, PartialEq)]
pub struct ShardingConstraint {
    pub sharding: Arc<Sharding>,
}

impl Primitive for ShardingConstraint {
    fn name(&self) -> &'static str {
        "sharding_constraint"
    }
    fn infer(&self, inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
        infer_constraint(&self.sharding, inputs)
    }
    fn eval(&self, inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
        Ok(inputs.to_vec())
    }
    fn lower(
        &self,
        em: &mut Emitter,
        inputs: &[Value],
        outs: &[TensorType],
    ) -> RuleResult<Vec<Value>> {
        lower_constraint(&self.sharding, em, inputs, outs)
    }
    fn jvp(
        &self,
        b: &mut Builder,
        _primals: &[Atom],
        _outs: &[Atom],
        tangents: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(jvp_constraint(self, b, tangents)?)
    }
    fn transpose(
        &self,
        b: &mut Builder,
        _inputs: &[Atom],
        _linear: &[bool],
        cts: &[Option<Atom>],
    ) -> RuleResult<Vec<Option<Atom>>> {
        Ok(transpose_constraint(self, b, cts)?)
    }
    fn batch(
        &self,
        b: &mut Builder,
        inputs: &[Atom],
        _batched: &[bool],
        _size: usize,
    ) -> RuleResult<(Vec<Atom>, Vec<bool>)> {
        batch_constraint(self, b, inputs)
    }
    fn params(&self) -> Vec<String> {
        vec![format!("sharding={}", self.sharding)]
    }
    fn forwards(&self, _inputs: &[Atom], _out: &TensorType) -> Option<usize> {
        // Not a no-op: it sets the compiled layout.
        None
    }
    no_regions!();
    no_effect!();
}

/// The shardings of every constraint in `graph`, its nested regions (loop
/// bodies, branches, custom rules) included, in program order.
pub fn constraint_shardings(graph: &Graph) -> Vec<Arc<Sharding>> {
    let mut out = vec![];
    collect_shardings(graph, &mut out);
    out
}

fn collect_shardings(graph: &Graph, out: &mut Vec<Arc<Sharding>>) {
    for eqn in &graph.eqns {
        if let Some(c) = eqn.prim.downcast_ref::<ShardingConstraint>() {
            out.push(c.sharding.clone());
        }
        for region in eqn.prim.regions() {
            collect_shardings(region, out);
        }
    }
}

/// The sharding of output `output` of `graph` when a constraint of the
/// top-level graph produces it directly; `None` otherwise (an input, a
/// constant, any other equation's result, or no such output).
pub fn output_sharding(graph: &Graph, output: usize) -> Option<Arc<Sharding>> {
    let Some(Atom::Var(v)) = graph.outputs.get(output) else {
        return None;
    };
    let eqn = (graph.eqns.iter()).find(|e| e.outputs.iter().any(|o| o.id == v.id))?;
    let c = eqn.prim.downcast_ref::<ShardingConstraint>()?;
    Some(c.sharding.clone())
}

/// The sharding a constraint of the top-level graph gives input `input`
/// directly (`shard` of a parameter), the first if several do.
pub fn input_sharding(graph: &Graph, input: usize) -> Option<Arc<Sharding>> {
    let v = graph.inputs.get(input)?;
    (graph.eqns.iter()).find_map(|e| {
        let c = e.prim.downcast_ref::<ShardingConstraint>()?;
        let on_input = matches!(e.inputs.first(), Some(Atom::Var(x)) if x.id == v.id);
        on_input.then(|| c.sharding.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::fresh_var;
    use crate::types::{DType, Mesh};

    fn constraint(shape: &[usize], axes: &[&str], spec: &[Option<&str>]) -> ShardingConstraint {
        let axes = axes.iter().map(|a| a.to_string()).collect();
        let mesh = Arc::new(Mesh::new(shape.to_vec(), axes).unwrap());
        let spec: Vec<Option<String>> = spec.iter().map(|n| n.map(str::to_string)).collect();
        ShardingConstraint {
            sharding: Arc::new(Sharding::new(mesh, &spec).unwrap()),
        }
    }

    fn f32s(shape: &[usize]) -> TensorType {
        TensorType::new(DType::F32, shape.to_vec())
    }

    #[test]
    fn infer_keeps_the_type_and_checks_the_fit() {
        let c = constraint(&[4], &["data"], &[Some("data"), None]);
        assert_eq!(c.infer(&[f32s(&[8, 3])]).unwrap(), vec![f32s(&[8, 3])]);
        let e = c.infer(&[f32s(&[6, 3])]).unwrap_err();
        assert!(
            matches!(&e, crate::ir::PrimError::Invalid(m) if m.contains("does not split evenly"))
        );
        assert!(c.infer(&[f32s(&[8])]).is_err());
        assert!(c.infer(&[f32s(&[8, 3]), f32s(&[8, 3])]).is_err());
    }

    #[test]
    fn params_print_the_spec_and_mesh() {
        let c = constraint(&[4], &["data"], &[Some("data"), None]);
        assert_eq!(
            c.params(),
            vec![r#"sharding=("data", none) on mesh(data: 4)"#]
        );
        let same = constraint(&[4], &["data"], &[Some("data"), None]);
        assert_eq!(Prim::new(c.clone()), Prim::new(same));
        assert_ne!(
            Prim::new(c),
            Prim::new(constraint(&[4], &["data"], &[Some("data")]))
        );
    }

    #[test]
    fn lowers_to_the_shardy_constraint_on_several_devices() {
        let c = constraint(&[4], &["data"], &[Some("data"), None]);
        let mut em = Emitter::new(1);
        let x = Value::new("%arg0".into(), f32s(&[8, 3]));
        let out = c
            .lower(&mut em, std::slice::from_ref(&x), &[f32s(&[8, 3])])
            .unwrap();
        assert_eq!(
            em.body,
            "%0 = sdy.sharding_constraint %arg0 <@mesh, [{\"data\"}, {}]> : tensor<8x3xf32>\n"
        );
        assert_eq!(out[0].name, "%0");
        let one = constraint(&[1], &["data"], &[Some("data")]);
        let mut em = Emitter::new(1);
        assert_eq!(
            one.lower(&mut em, std::slice::from_ref(&x), &[f32s(&[8, 3])])
                .unwrap(),
            vec![x]
        );
        assert!(em.body.is_empty());
    }

    #[test]
    fn rules_constrain_tangents_cotangents_and_batches() {
        let c = constraint(&[2, 2], &["data", "model"], &[Some("data"), Some("model")]);
        let x = Atom::Var(fresh_var(f32s(&[4, 2])));
        let mut b = Builder::default();
        let one = std::slice::from_ref(&x);
        let t = c.jvp(&mut b, one, one, &[Some(x.clone())]).unwrap();
        assert!(t[0].is_some());
        assert_eq!(c.jvp(&mut b, one, one, &[None]).unwrap(), vec![None]);
        let ct = c
            .transpose(&mut b, one, &[true], &[Some(x.clone())])
            .unwrap();
        assert!(ct[0].is_some());
        assert_eq!(b.eqns.len(), 2);
        assert!(b.eqns.iter().all(|e| e.prim == Prim::new(c.clone())));
        let xs = Atom::Var(fresh_var(f32s(&[5, 4, 2])));
        let mut b = Builder::default();
        let (outs, batched) = c.batch(&mut b, &[xs], &[true], 5).unwrap();
        assert_eq!((outs[0].ty(), batched), (f32s(&[5, 4, 2]), vec![true]));
        let inner = b.eqns[0].prim.downcast_ref::<ShardingConstraint>().unwrap();
        assert_eq!(
            inner.sharding.to_string(),
            r#"(none, "data", "model") on mesh(data: 2, model: 2)"#
        );
    }

    #[test]
    fn helpers_find_constraints_in_regions_and_at_outputs() {
        let c = constraint(&[4], &["data"], &[Some("data")]);
        let x = fresh_var(f32s(&[8]));
        let mut b = Builder::default();
        let y = b
            .apply1(Prim::new(c.clone()), &[Atom::Var(x.clone())])
            .unwrap();
        let g = Graph {
            inputs: vec![x.clone()],
            eqns: b.eqns,
            outputs: vec![y, Atom::Var(x)],
        };
        assert_eq!(constraint_shardings(&g), vec![c.sharding.clone()]);
        assert_eq!(output_sharding(&g, 0), Some(c.sharding.clone()));
        assert_eq!(output_sharding(&g, 1), None);
        assert_eq!(output_sharding(&g, 2), None);
    }
}
