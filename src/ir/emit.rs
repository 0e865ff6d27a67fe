//! The StableHLO emitter: names SSA values, prints types and literals,
//! and emits nested regions. Each primitive lowers itself
//! ([`Primitive::lower`](super::Primitive::lower)) through it; the backend
//! assembles the module (`backend/stablehlo.rs`).
//!
//! Ops use the pretty syntax `jax` prints where it is simple and the
//! generic form `"stablehlo.op"(...) {attrs} : (types) -> types` for ops
//! with regions (`reduce`, `while`, `case`) and unusual attributes.

mod literal;

pub use literal::{element_type, f32_literal, f64_literal, tensor_type};

use super::{Atom, Graph, PrimError, RuleResult, VarId};
use crate::tensor::Tensor;
use crate::types::{DType, TensorType};
use std::collections::HashMap;

/// Constants with more elements than this (and not splats) become arguments.
pub const MAX_INLINE_ELEMENTS: usize = 16;

/// A lowered SSA value: its name (`%3`, `%7#1`, `%arg0`) and type.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub name: String,
    pub ty: TensorType,
}

impl Value {
    pub fn new(name: String, ty: TensorType) -> Value {
        Value { name, ty }
    }
}

/// The `N` operands of a primitive, or an internal error.
pub fn operands<'a, const N: usize>(name: &str, inputs: &'a [Value]) -> RuleResult<[&'a Value; N]> {
    let refs: Vec<&Value> = inputs.iter().collect();
    refs.try_into().map_err(|_| {
        PrimError::internal(format!(
            "lowering {} with {} operand(s), expected {}",
            name,
            inputs.len(),
            N
        ))
    })
}

/// The single result type of a primitive, or an internal error.
pub fn result<'a>(name: &str, outs: &'a [TensorType]) -> RuleResult<&'a TensorType> {
    match outs {
        [t] => Ok(t),
        _ => Err(PrimError::internal(format!(
            "lowering {} with {} result type(s), expected 1",
            name,
            outs.len()
        ))),
    }
}

/// The body of a region op: called with the region's index and its block
/// arguments, it emits the region's ops and returns the values to return.
pub type RegionBody<'a> = dyn FnMut(&mut Emitter, usize, &[Value]) -> RuleResult<Vec<Value>> + 'a;

/// The combiner of a reduction: given the two sides' scalars (one per
/// operand), it emits their combination and returns it.
pub type Combiner<'a> = dyn FnMut(&mut Emitter, &[Value], &[Value]) -> RuleResult<Vec<Value>> + 'a;

/// Writes the ops of a function body, naming values `%0, %1, ...`.
pub struct Emitter {
    /// The text emitted so far.
    pub body: String,
    /// The indentation of the next line.
    pub indent: usize,
    next: usize,
    /// The lowered value of each IR variable seen so far (ids are unique
    /// across regions, so one map serves every scope).
    vars: HashMap<VarId, Value>,
    /// Constants passed as arguments (see [`MAX_INLINE_ELEMENTS`]).
    pub hoisted: Vec<Tensor>,
    /// The number of graph inputs: hoisted constant `k` is `%arg{n + k}`.
    n_inputs: usize,
}

impl Emitter {
    /// An emitter for a function of `n_inputs` inputs.
    pub fn new(n_inputs: usize) -> Emitter {
        Emitter {
            body: String::new(),
            indent: 0,
            next: 0,
            vars: HashMap::new(),
            hoisted: vec![],
            n_inputs,
        }
    }

    /// A fresh SSA name.
    pub fn fresh(&mut self) -> String {
        let name = format!("%{}", self.next);
        self.next += 1;
        name
    }

    /// Writes one line at the current indentation.
    pub fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.body.push_str("  ");
        }
        self.body.push_str(text);
        self.body.push('\n');
    }

    /// Emits `%n = <rhs>` and returns `%n`, typed `ty`.
    pub fn emit(&mut self, rhs: &str, ty: &TensorType) -> Value {
        let name = self.fresh();
        self.line(&format!("{} = {}", name, rhs));
        Value::new(name, ty.clone())
    }

    /// The values an op with these result types defines under `name`.
    fn results(name: &str, types: &[TensorType]) -> Vec<Value> {
        match types {
            [t] => vec![Value::new(name.to_string(), t.clone())],
            _ => (types.iter().enumerate())
                .map(|(i, t)| Value::new(format!("{}#{}", name, i), t.clone()))
                .collect(),
        }
    }

    /// The left-hand side for `n` results: `%5 = `, `%5:2 = `, or nothing.
    fn lhs(name: &str, n: usize) -> String {
        match n {
            0 => String::new(),
            1 => format!("{} = ", name),
            _ => format!("{}:{} = ", name, n),
        }
    }

    /// A pretty elementwise op: `stablehlo.add %a, %b : tensor<3xf32>`, or
    /// with a function type when the result type differs from the operands'.
    pub fn elementwise(&mut self, op: &str, args: &[&Value], out: &TensorType) -> Value {
        let names: Vec<&str> = args.iter().map(|a| a.name.as_str()).collect();
        let same = args.iter().all(|a| a.ty == *out);
        let ty = if same {
            tensor_type(out)
        } else {
            format!("{} -> {}", arg_types(args), tensor_type(out))
        };
        self.emit(&format!("{} {} : {}", op, names.join(", "), ty), out)
    }

    /// A one-operand op with its function type spelled out, `stablehlo.reshape
    /// %x : (tensor<6xf32>) -> tensor<2x3xf32>` (the form `reshape`,
    /// `convert` and `bitcast_convert` need even when the types agree).
    pub fn unary_fn(&mut self, op: &str, x: &Value, out: &TensorType) -> Value {
        let rhs = format!(
            "{} {} : ({}) -> {}",
            op,
            x.name,
            tensor_type(&x.ty),
            tensor_type(out)
        );
        self.emit(&rhs, out)
    }

    /// An op in generic form: `"stablehlo.op"(%a, %b) {attrs} : (types) -> type`.
    pub fn generic(
        &mut self,
        op: &str,
        args: &[&Value],
        attrs: &str,
        outs: &[TensorType],
    ) -> Vec<Value> {
        let name = self.fresh();
        let names: Vec<&str> = args.iter().map(|a| a.name.as_str()).collect();
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" {{{}}}", attrs)
        };
        let line = format!(
            "{}\"{}\"({}){} : {} -> {}",
            Self::lhs(&name, outs.len()),
            op,
            names.join(", "),
            attrs,
            arg_types(args),
            result_types(outs)
        );
        self.line(&line);
        Self::results(&name, outs)
    }

    /// `stablehlo.compare DIR, %a, %b, TYPE`, with the comparison type the
    /// dtype implies (`FLOAT` for floats and complex, `SIGNED`, or
    /// `UNSIGNED` for u32 and bool).
    pub fn compare(&mut self, dir: &str, a: &Value, b: &Value) -> Value {
        let kind = match a.ty.dtype {
            DType::F32 | DType::F64 | DType::C64 | DType::C128 => "FLOAT",
            DType::I32 | DType::I64 => "SIGNED",
            DType::U32 | DType::Bool => "UNSIGNED",
        };
        let out = a.ty.with_dtype(DType::Bool);
        let rhs = format!(
            "stablehlo.compare {}, {}, {}, {} : {} -> {}",
            dir,
            a.name,
            b.name,
            kind,
            arg_types(&[a, b]),
            tensor_type(&out)
        );
        self.emit(&rhs, &out)
    }

    /// `stablehlo.select %p, %a, %b`.
    pub fn select(&mut self, p: &Value, a: &Value, b: &Value) -> Value {
        let rhs = format!(
            "stablehlo.select {}, {}, {} : {}, {}",
            p.name,
            a.name,
            b.name,
            tensor_type(&p.ty),
            tensor_type(&a.ty)
        );
        self.emit(&rhs, &a.ty)
    }

    /// `stablehlo.convert` to `dtype` (the value itself if it has that dtype).
    pub fn convert(&mut self, x: &Value, dtype: DType) -> Value {
        if x.ty.dtype == dtype {
            return x.clone();
        }
        self.unary_fn("stablehlo.convert", x, &x.ty.with_dtype(dtype))
    }

    /// `stablehlo.broadcast_in_dim`: operand dim `i` becomes dim `dims[i]` of `shape`.
    pub fn broadcast(&mut self, x: &Value, shape: &[usize], dims: &[usize]) -> Value {
        let out = TensorType::new(x.ty.dtype, shape.to_vec());
        let rhs = format!(
            "stablehlo.broadcast_in_dim {}, dims = {} : ({}) -> {}",
            x.name,
            list(dims),
            tensor_type(&x.ty),
            tensor_type(&out)
        );
        self.emit(&rhs, &out)
    }

    /// `stablehlo.iota dim = d : tensor<...>` (complex through its real dtype).
    pub fn iota(&mut self, shape: &[usize], dim: usize, dtype: DType) -> Value {
        if dtype.is_complex() {
            let re = self.iota(shape, dim, dtype.real());
            return self.convert(&re, dtype);
        }
        let out = TensorType::new(dtype, shape.to_vec());
        self.emit(
            &format!("stablehlo.iota dim = {} : {}", dim, tensor_type(&out)),
            &out,
        )
    }

    /// A constant of type `ty` with every element `v` (converted as a cast
    /// would: `v as i32`, ...; a complex splat has imaginary part 0).
    pub fn splat(&mut self, ty: &TensorType, v: f64) -> RuleResult<Value> {
        let t = Tensor::scalar_of(ty.dtype, v);
        self.splat_of(ty, &t)
    }

    /// A constant of type `ty` with every element the scalar `x`.
    pub fn splat_of(&mut self, ty: &TensorType, x: &Tensor) -> RuleResult<Value> {
        if let Some((re, im)) = x.complex_parts() {
            let part = ty.with_dtype(ty.dtype.real());
            let re = self.splat_of(&part, &re)?;
            let im = self.splat_of(&part, &im)?;
            return Ok(self.elementwise("stablehlo.complex", &[&re, &im], ty));
        }
        let rhs = format!(
            "stablehlo.constant dense<{}> : {}",
            literal::dense_body(x)?,
            tensor_type(ty)
        );
        Ok(self.emit(&rhs, ty))
    }

    /// A constant operand: inline if small or a splat, else a hoisted argument.
    pub fn constant(&mut self, t: &Tensor) -> RuleResult<Value> {
        let ty = t.ty();
        if t.size() > MAX_INLINE_ELEMENTS && !literal::is_splat(t) {
            return Ok(self.hoist(t));
        }
        if t.size() > 0 && literal::is_splat(t) {
            let first = t.reshaped(vec![t.size()]).and_then(|f| first_element(&f));
            let x = first.ok_or_else(|| PrimError::internal("bad splat constant"))?;
            return self.splat_of(&ty, &x);
        }
        if let Some((re, im)) = t.complex_parts() {
            let re = self.constant(&re)?;
            let im = self.constant(&im)?;
            return Ok(self.elementwise("stablehlo.complex", &[&re, &im], &ty));
        }
        let rhs = format!(
            "stablehlo.constant dense<{}> : {}",
            literal::dense_body(t)?,
            tensor_type(&ty)
        );
        Ok(self.emit(&rhs, &ty))
    }

    /// The argument a large constant is passed in (one per shared buffer).
    fn hoist(&mut self, t: &Tensor) -> Value {
        let k = self
            .hoisted
            .iter()
            .position(|h| h.same_buffer(t) && h.shape() == t.shape())
            .unwrap_or_else(|| {
                self.hoisted.push(t.clone());
                self.hoisted.len() - 1
            });
        Value::new(format!("%arg{}", self.n_inputs + k), t.ty())
    }

    /// Lowers the equations of a closed graph here, its inputs bound to
    /// `args`; returns the values of its outputs.
    pub fn lower_graph(&mut self, graph: &Graph, args: &[Value]) -> RuleResult<Vec<Value>> {
        if args.len() != graph.inputs.len() {
            return Err(PrimError::internal(format!(
                "a graph of {} input(s) lowered with {} argument(s)",
                graph.inputs.len(),
                args.len()
            )));
        }
        for (v, a) in graph.inputs.iter().zip(args) {
            self.vars.insert(v.id, a.clone());
        }
        for eqn in &graph.eqns {
            let inputs = (eqn.inputs.iter())
                .map(|a| self.atom(a))
                .collect::<Result<Vec<_>, _>>()?;
            let types: Vec<TensorType> = eqn.outputs.iter().map(|v| v.ty.clone()).collect();
            let results = (eqn.prim.lower(self, &inputs, &types))
                .map_err(|e| e.context(format_args!("lowering {}", eqn.prim.name())))?;
            if results.iter().map(|v| &v.ty).ne(types.iter()) {
                return Err(PrimError::internal(format!(
                    "lowering {} gave results of other types",
                    eqn.prim.name()
                )));
            }
            for (v, r) in eqn.outputs.iter().zip(results) {
                self.vars.insert(v.id, r);
            }
        }
        graph.outputs.iter().map(|a| self.atom(a)).collect()
    }

    /// The lowered value of an operand.
    fn atom(&mut self, atom: &Atom) -> RuleResult<Value> {
        match atom {
            Atom::Const(t) => self.constant(t),
            Atom::Var(v) => self.vars.get(&v.id).cloned().ok_or_else(|| {
                PrimError::internal(format!("%{} is used before its definition", v.id.0))
            }),
        }
    }

    /// Writes `op %a, %b : ta, tb` (`return`, `stablehlo.return`).
    pub fn terminator(&mut self, op: &str, values: &[Value]) {
        if values.is_empty() {
            self.line(op);
            return;
        }
        let names: Vec<&str> = values.iter().map(|v| v.name.as_str()).collect();
        let types: Vec<String> = values.iter().map(|v| tensor_type(&v.ty)).collect();
        self.line(&format!(
            "{} {} : {}",
            op,
            names.join(", "),
            types.join(", ")
        ));
    }

    /// An op with regions, in generic form:
    ///
    /// ```text
    /// %5:2 = "stablehlo.while"(%1, %2) ({
    /// ^bb0(%6: tensor<i32>, %7: tensor<f32>):
    ///   ...
    ///   stablehlo.return %8 : tensor<i1>
    /// }, {
    ///   ...
    /// }) {attrs} : (tensor<i32>, tensor<f32>) -> (tensor<i32>, tensor<f32>)
    /// ```
    ///
    /// Region `r` has block arguments of types `region_args[r]`; `body`
    /// emits its ops and returns what it returns.
    pub fn region_op(
        &mut self,
        op: &str,
        args: &[&Value],
        region_args: &[Vec<TensorType>],
        attrs: &str,
        outs: &[TensorType],
        body: &mut RegionBody<'_>,
    ) -> RuleResult<Vec<Value>> {
        let name = self.fresh();
        let names: Vec<&str> = args.iter().map(|a| a.name.as_str()).collect();
        let open = format!(
            "{}\"{}\"({}) ({{",
            Self::lhs(&name, outs.len()),
            op,
            names.join(", ")
        );
        self.line(&open);
        for (r, types) in region_args.iter().enumerate() {
            if r > 0 {
                self.line("}, {");
            }
            let block: Vec<Value> = types
                .iter()
                .map(|t| Value::new(self.fresh(), t.clone()))
                .collect();
            if !block.is_empty() {
                let decls: Vec<String> = (block.iter())
                    .map(|v| format!("{}: {}", v.name, tensor_type(&v.ty)))
                    .collect();
                self.line(&format!("^bb0({}):", decls.join(", ")));
            }
            self.indent += 1;
            let rets = body(self, r, &block)?;
            self.terminator("stablehlo.return", &rets);
            self.indent -= 1;
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" {{{}}}", attrs)
        };
        let close = format!(
            "}}){} : {} -> {}",
            attrs,
            arg_types(args),
            result_types(outs)
        );
        self.line(&close);
        Ok(Self::results(&name, outs))
    }

    /// `stablehlo.reduce` of `operands` with `inits` over `dims`; `combine`
    /// gets the accumulator scalars `(a0.., b0..)` and returns the combined ones.
    pub fn reduce(
        &mut self,
        operands: &[&Value],
        inits: &[&Value],
        dims: &[usize],
        outs: &[TensorType],
        combine: &mut Combiner<'_>,
    ) -> RuleResult<Vec<Value>> {
        let scalars: Vec<TensorType> = inits.iter().map(|v| v.ty.clone()).collect();
        let block = [scalars.clone(), scalars].concat();
        let args: Vec<&Value> = operands.iter().chain(inits).copied().collect();
        let attrs = format!("dimensions = {}", i64_array(dims));
        let k = inits.len();
        self.region_op(
            "stablehlo.reduce",
            &args,
            &[block],
            &attrs,
            outs,
            &mut |em, _, b| combine(em, &b[..k], &b[k..]),
        )
    }
}

/// The single element of a tensor, as a scalar tensor.
fn first_element(t: &Tensor) -> Option<Tensor> {
    let data = crate::tensor::kernels::map_data!(t.data(), v => vec![*v.first()?]);
    Tensor::new(vec![], data)
}

/// `(tensor<3xf32>, tensor<i32>)`.
fn arg_types(args: &[&Value]) -> String {
    let types: Vec<String> = args.iter().map(|a| tensor_type(&a.ty)).collect();
    format!("({})", types.join(", "))
}

/// `tensor<f32>` for one result, `(tensor<f32>, tensor<i32>)` otherwise.
fn result_types(outs: &[TensorType]) -> String {
    match outs {
        [t] => tensor_type(t),
        _ => {
            let types: Vec<String> = outs.iter().map(tensor_type).collect();
            format!("({})", types.join(", "))
        }
    }
}

/// `[1, 0]`, as the pretty syntax writes dimension lists.
pub fn list<T: std::fmt::Display>(items: &[T]) -> String {
    let parts: Vec<String> = items.iter().map(|x| x.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// `array<i64: 1, 0>` (or `array<i64>`), a dense array attribute.
pub fn i64_array<T: std::fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        return "array<i64>".into();
    }
    let parts: Vec<String> = items.iter().map(|x| x.to_string()).collect();
    format!("array<i64: {}>", parts.join(", "))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::tensor::Data;

    #[test]
    fn large_constants_are_hoisted_once() {
        let big = Tensor::new(vec![20], Data::F32((0..20).map(|i| i as f32).collect())).unwrap();
        let mut em = Emitter::new(2);
        let a = em.constant(&big).unwrap();
        let b = em.constant(&big.clone()).unwrap();
        assert_eq!(a.name, "%arg2");
        assert_eq!(b.name, "%arg2");
        assert_eq!(em.hoisted.len(), 1);
        let splat = Tensor::new(vec![20], Data::F32(vec![1.5; 20])).unwrap();
        let s = em.constant(&splat).unwrap();
        assert_eq!(s.name, "%0");
        assert!(em.body.contains("dense<1.5> : tensor<20xf32>"));
    }
}
