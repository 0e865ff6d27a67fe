//! The counter-based PRNG primitive (Threefry-2x32, bit-exact with `jax.random`).
//!
//! `threefry2x32(k0, k1, x0, x1)` is the 20-round Threefry-2x32 block cipher
//! of Random123 (Salmon et al., 2011), exactly as `jax._src.random.threefry2x32`
//! computes it: key schedule `ks = [k0, k1, k0 ^ k1 ^ 0x1BD11BDA]`, rotations
//! `[13, 15, 26, 6]` and `[17, 29, 16, 24]` alternating over five groups of
//! four rounds, and after group `i` (0-based) the key injection
//! `x0 += ks[(i + 1) % 3]; x1 += ks[(i + 2) % 3] + (i + 1)` (all mod 2³²).
//!
//! # How `jax.random` (jax 0.10.2, default config) derives values from it
//!
//! Verified against that version; `jax_threefry_partitionable` is **on** by
//! default there, and `jax_enable_x64` is off. (With the flag off, as in
//! older versions, the counters differ: `split(key, n)` reshapes
//! `threefry_2x32(key, iota(2n))` to `[n, 2]` and `bits(key, s)` is
//! `threefry_2x32(key, iota(n))`, where `threefry_2x32` runs the cipher on the
//! two halves of its counter array, zero-padded to even length, and
//! concatenates `y0 | y1`.) `tf(key, hi, lo)` below is this primitive applied
//! to `k0, k1 = key` and counters `x0 = hi, x1 = lo`.
//!
//! * `key(seed)` / `PRNGKey(seed)` for a Python int: the raw key data is
//!   `[0, seed mod 2³²]` (`seed >> 32` of the int32-wrapped seed is 0), e.g.
//!   `key(-1) = [0, 0xFFFFFFFF]` (with `jax_enable_x64` it would be
//!   `[seed >> 32, seed & 0xFFFFFFFF]` of the int64 seed).
//! * Counters for a shape `s` of `n` elements: `hi = 0` everywhere, `lo =
//!   0, 1, ..., n - 1` in row-major order (`iota_2x32_shape`; a scalar shape
//!   uses `hi = lo = 0`).
//! * `split(key, n)`: key `i` is `(y0[i], y1[i])` of `tf(key, 0, i)`.
//! * `bits(key, s)` (32-bit): `y0 ^ y1` of `tf(key, 0, iota(s))`.
//! * `uniform(key, s, f32, lo, hi)`: `b = bits(key, s)`;
//!   `u = bitcast_f32((b >> 9) | 0x3F800000) - 1.0` (in `[0, 1)`); result
//!   `max(lo, u * (hi - lo) + lo)` in f32, each operation rounded separately.
//! * `normal(key, s, f32)`: `u = uniform(key, s, f32, lo = nextafter(-1f32, 0),
//!   hi = 1)`, result `sqrt(2) * erf_inv(u)` (f32; `sqrt(2)` rounded to f32).
//!   XLA's f32 `erf_inv` is a polynomial approximation, so an erfinv computed
//!   in f64 and rounded may differ from JAX's by an ulp or two.
//! * `bernoulli(key, p, s)`: `uniform(key, s, dtype of p) < p` (f32 for a
//!   Python float `p`).
//! * `randint(key, s, lo, hi)` (i32): `k1, k2 = split(key)`, `hb = bits(k1, s)`,
//!   `lb = bits(k2, s)`; in u32 arithmetic `span = hi - lo` (1 if `hi <= lo`),
//!   `m = (2¹⁶ mod span)² mod span`, `off = ((hb mod span) · m + lb mod span)
//!   mod span` (the product and sum wrap mod 2³²); result `lo + off`.
//!
//! `tests/data/jax_random_reference.txt` lists JAX's outputs for these.

use super::expect_arity;
use crate::ir::emit::{operands, Emitter, Value};
use crate::ir::PrimError;
use crate::ir::RuleResult;
use crate::tensor::{Data, Tensor};
use crate::types::{DType, TensorType};

/// Key-schedule parity constant of Threefry.
const PARITY: u32 = 0x1BD1_1BDA;
/// Rotation amounts of the two alternating groups of four rounds.
const ROTATIONS: [[u32; 4]; 2] = [[13, 15, 26, 6], [17, 29, 16, 24]];

pub fn infer_threefry(inputs: &[TensorType]) -> RuleResult<Vec<TensorType>> {
    expect_arity("threefry2x32", inputs, 4)?;
    for (i, t) in inputs.iter().enumerate() {
        if t.dtype != DType::U32 {
            return Err(format!("operand {} must be u32, got {}", i, t).into());
        }
    }
    for (i, t) in inputs[..2].iter().enumerate() {
        if t.rank() != 0 {
            return Err(format!("key word {} must be a scalar, got {}", i, t).into());
        }
    }
    if inputs[2] != inputs[3] {
        return Err(format!(
            "counter words must have one shape, got {} and {}",
            inputs[2], inputs[3]
        )
        .into());
    }
    Ok(vec![inputs[2].clone(), inputs[2].clone()])
}

pub fn eval_threefry(inputs: &[Tensor]) -> RuleResult<Vec<Tensor>> {
    infer_threefry(&inputs.iter().map(Tensor::ty).collect::<Vec<_>>())?;
    let words: Vec<&[u32]> = inputs
        .iter()
        .map(|t| match t.data() {
            Data::U32(v) => Ok(v.as_slice()),
            _ => Err(format!("expected u32, got {}", t.ty()).into()),
        })
        .collect::<RuleResult<_>>()?;
    let [k0, k1, x0, x1] = words[..] else {
        return Err("expected four operands".into());
    };
    let key = [
        k0.first().copied().unwrap_or(0),
        k1.first().copied().unwrap_or(0),
    ];
    let (y0, y1): (Vec<u32>, Vec<u32>) = x0
        .iter()
        .zip(x1)
        .map(|(&a, &b)| threefry2x32(key, [a, b]))
        .map(|[a, b]| (a, b))
        .unzip();
    let shape = inputs[2].shape().to_vec();
    let out = |v| {
        Tensor::new(shape.clone(), Data::U32(v)).ok_or_else(|| PrimError::internal("size mismatch"))
    };
    Ok(vec![out(y0)?, out(y1)?])
}

/// One Threefry-2x32 block with 20 rounds.
pub fn threefry2x32(key: [u32; 2], x: [u32; 2]) -> [u32; 2] {
    let ks = [key[0], key[1], key[0] ^ key[1] ^ PARITY];
    let mut x0 = x[0].wrapping_add(ks[0]);
    let mut x1 = x[1].wrapping_add(ks[1]);
    for group in 0..5 {
        for &r in &ROTATIONS[group % 2] {
            x0 = x0.wrapping_add(x1);
            x1 = x1.rotate_left(r) ^ x0;
        }
        x0 = x0.wrapping_add(ks[(group + 1) % 3]);
        x1 = x1
            .wrapping_add(ks[(group + 2) % 3])
            .wrapping_add(group as u32 + 1);
    }
    [x0, x1]
}

// ---------------------------------------------------------------- lowering

/// Threefry-2x32 unrolled into its 20 rounds of `u32` add, rotate and xor
/// (as `jax` lowers it), bit-exact with [`threefry2x32`]. A rotation is
/// `(x << r) | (x >> (32 - r))`.
pub fn lower_threefry(
    em: &mut Emitter,
    inputs: &[Value],
    outs: &[TensorType],
) -> RuleResult<Vec<Value>> {
    let [k0, k1, x0, x1] = operands("threefry2x32", inputs)?;
    let ty = x0.ty.clone();
    let parity = em.splat(&k0.ty, PARITY as f64)?;
    let k01 = em.elementwise("stablehlo.xor", &[k0, k1], &k0.ty);
    let k2 = em.elementwise("stablehlo.xor", &[&k01, &parity], &k0.ty);
    let ks = [k0, k1, &k2].map(|k| em.broadcast(k, &ty.shape, &[]));
    let mut x0 = em.elementwise("stablehlo.add", &[x0, &ks[0]], &ty);
    let mut x1 = em.elementwise("stablehlo.add", &[x1, &ks[1]], &ty);
    for group in 0..5 {
        for &r in &ROTATIONS[group % 2] {
            x0 = em.elementwise("stablehlo.add", &[&x0, &x1], &ty);
            let rotated = rotate_left(em, &x1, r)?;
            x1 = em.elementwise("stablehlo.xor", &[&rotated, &x0], &ty);
        }
        x0 = em.elementwise("stablehlo.add", &[&x0, &ks[(group + 1) % 3]], &ty);
        let x1k = em.elementwise("stablehlo.add", &[&x1, &ks[(group + 2) % 3]], &ty);
        let count = em.splat(&ty, group as f64 + 1.0)?;
        x1 = em.elementwise("stablehlo.add", &[&x1k, &count], &ty);
    }
    if outs.len() != 2 {
        return Err(PrimError::internal("threefry2x32 has two results"));
    }
    Ok(vec![x0, x1])
}

fn rotate_left(em: &mut Emitter, x: &Value, r: u32) -> RuleResult<Value> {
    let left = em.splat(&x.ty, r as f64)?;
    let right = em.splat(&x.ty, (32 - r) as f64)?;
    let hi = em.elementwise("stablehlo.shift_left", &[x, &left], &x.ty);
    let lo = em.elementwise("stablehlo.shift_right_logical", &[x, &right], &x.ty);
    Ok(em.elementwise("stablehlo.or", &[&hi, &lo], &x.ty))
}

// ---- batching rule: in `random/batch.rs` ----

mod batch;
pub use batch::batch_threefry;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn u32s(v: &[u32]) -> Tensor {
        Tensor::new(vec![v.len()], Data::U32(v.to_vec())).unwrap()
    }
    fn u32_scalar(v: u32) -> Tensor {
        Tensor::new(vec![], Data::U32(vec![v])).unwrap()
    }
    fn words(t: &Tensor) -> Vec<u32> {
        match t.data() {
            Data::U32(v) => v.clone(),
            _ => panic!("not u32"),
        }
    }

    #[test]
    fn random123_known_answers() {
        // Random123 kat_vectors (threefry2x32_20), also checked with
        // jax.extend.random.threefry_2x32 in jax 0.10.2.
        assert_eq!(threefry2x32([0, 0], [0, 0]), [0x6b200159, 0x99ba4efe]);
        assert_eq!(
            threefry2x32([u32::MAX, u32::MAX], [u32::MAX, u32::MAX]),
            [0x1cb996fc, 0xbb002be7]
        );
        assert_eq!(
            threefry2x32([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3]),
            [0xc4923a9c, 0x483df7a0]
        );
    }

    #[test]
    fn matches_jax_threefry_2x32_on_arrays() {
        // jax.extend.random.threefry_2x32(key, counts) splits `counts` into
        // halves x0 | x1 and returns y0 | y1.
        type Case = ([u32; 2], Vec<u32>, Vec<u32>, Vec<u32>, Vec<u32>);
        let cases: [Case; 2] = [
            (
                [42, 7],
                vec![0, 1, 2],
                vec![3, 4, 5],
                vec![0xb6ad9920, 0xe8cf9711, 0x2b0794a5],
                vec![0xa19f0d74, 0xe3e9ae3e, 0x0a8c68a7],
            ),
            (
                [0x12345678, 0x9abcdef0],
                vec![1, 2, 3, 4],
                vec![5, 6, 7, 8],
                vec![0x59394635, 0x9c0785d9, 0x17f63f85, 0x38efd924],
                vec![0xde9a1ae8, 0x2de899b6, 0x057ae5e6, 0x73e980f2],
            ),
        ];
        for (key, x0, x1, y0, y1) in cases {
            let inputs = [u32_scalar(key[0]), u32_scalar(key[1]), u32s(&x0), u32s(&x1)];
            let out = eval_threefry(&inputs).unwrap();
            assert_eq!((words(&out[0]), words(&out[1])), (y0, y1));
        }
    }

    /// `bits(key, (n,))` as the module docs derive it.
    fn bits(key: [u32; 2], n: u32) -> Vec<u32> {
        (0..n)
            .map(|i| threefry2x32(key, [0, i]))
            .map(|[a, b]| a ^ b)
            .collect()
    }

    fn uniform(key: [u32; 2], n: u32) -> Vec<f32> {
        bits(key, n)
            .into_iter()
            .map(|b| f32::from_bits((b >> 9) | 0x3F80_0000) - 1.0)
            .collect()
    }

    #[test]
    fn documented_derivations_reproduce_jax_random() {
        // Values from tests/data/jax_random_reference.txt.
        assert_eq!(threefry2x32([0, 0], [0, 1]), [0x375f238f, 0xcddb151d]);
        assert_eq!(bits([0, 0], 3), vec![0xf29a4fa7, 0xfa843692, 0x55110e28]);
        assert_eq!(uniform([0, 0], 3), vec![0.947667, 0.9785799, 0.33229148]);
        let p = uniform([0, 0], 6)
            .into_iter()
            .map(|u| u < 0.3)
            .collect::<Vec<_>>();
        assert_eq!(p, vec![false, false, false, false, false, true]);
        // randint(key(0), (5,), -3, 3) = [-2, -3, -1, -2, 2]
        let [k1, k2] = [0, 1].map(|i| threefry2x32([0, 0], [0, i]));
        let (lo, span) = (-3i32, 6u32);
        let m = (65536 % span) * (65536 % span) % span;
        let ints: Vec<i32> = bits(k1, 5)
            .into_iter()
            .zip(bits(k2, 5))
            .map(|(h, l)| ((h % span).wrapping_mul(m).wrapping_add(l % span)) % span)
            .map(|off| lo + off as i32)
            .collect();
        assert_eq!(ints, vec![-2, -3, -1, -2, 2]);
    }

    #[test]
    fn infer_checks_dtypes_and_shapes() {
        let u = |s: &[usize]| TensorType::new(DType::U32, s.to_vec());
        assert_eq!(
            infer_threefry(&[u(&[]), u(&[]), u(&[2, 3]), u(&[2, 3])]),
            Ok(vec![u(&[2, 3]), u(&[2, 3])])
        );
        let e = infer_threefry(&[u(&[]), u(&[]), u(&[2]), u(&[3])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("one shape"), "{}", e);
        let e = infer_threefry(&[u(&[2]), u(&[]), u(&[2]), u(&[2])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("key word 0 must be a scalar"), "{}", e);
        let i = TensorType::new(DType::I32, vec![2]);
        let e = infer_threefry(&[u(&[]), u(&[]), i, u(&[2])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("operand 2 must be u32"), "{}", e);
        assert!(infer_threefry(&[u(&[]), u(&[])]).is_err());
    }
}

mod rules;
pub use rules::*;
