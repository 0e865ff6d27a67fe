//! The XLA runtime through the PJRT C API of the CPU plugin, checked number
//! by number: a wrong struct layout or field offset in the FFI shows up here
//! as a wrong value, a wrong shape or an error.
//!
//! The plugin is found the way nest finds it (`$NEST_PJRT_PLUGIN`, the
//! cache, site-packages). Without one these tests print a note and pass,
//! unless `NEST_REQUIRE_XLA=1`, which makes a missing plugin a failure.

mod common;

use nest::backend::pjrt::{Buffer, Client, Executable, PjrtError, Plugin};
use nest::backend::plugin::{self, Kind};
use nest::types::DType;
use once_cell::sync::Lazy;

static CLIENT: Lazy<Option<Client>> = Lazy::new(|| {
    let path = common::cpu_plugin()?;
    let plugin = Plugin::load(&path).unwrap_or_else(|e| panic!("{e}"));
    Some(Client::new(&plugin).unwrap_or_else(|e| panic!("{e}")))
});

fn client() -> Option<&'static Client> {
    CLIENT.as_ref()
}

fn module(signature: &str, body: &str) -> String {
    format!("module @test {{\n  func.func public @main{signature} {{\n{body}\n  }}\n}}\n")
}

fn compile(c: &Client, text: &str) -> Executable {
    c.compile(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn f32s(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}
fn f64s(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}
fn i32s(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}
fn i64s(v: &[i64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}
fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

fn chunks<const N: usize>(bytes: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
    assert_eq!(bytes.len() % N, 0);
    bytes
        .chunks_exact(N)
        .map(|c| c.try_into().expect("chunk of N bytes"))
}
fn to_f32(bytes: &[u8]) -> Vec<f32> {
    chunks::<4>(bytes).map(f32::from_ne_bytes).collect()
}
fn to_f64(bytes: &[u8]) -> Vec<f64> {
    chunks::<8>(bytes).map(f64::from_ne_bytes).collect()
}
fn to_i32(bytes: &[u8]) -> Vec<i32> {
    chunks::<4>(bytes).map(i32::from_ne_bytes).collect()
}
fn to_i64(bytes: &[u8]) -> Vec<i64> {
    chunks::<8>(bytes).map(i64::from_ne_bytes).collect()
}
fn to_u32(bytes: &[u8]) -> Vec<u32> {
    chunks::<4>(bytes).map(u32::from_ne_bytes).collect()
}

fn put(c: &Client, dtype: DType, shape: &[usize], bytes: &[u8]) -> Buffer {
    c.buffer_from_host(dtype, shape, bytes)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `exe` on host arrays and brings every output back.
fn run(
    c: &Client,
    exe: &Executable,
    inputs: &[(DType, &[usize], Vec<u8>)],
) -> Vec<(DType, Vec<usize>, Vec<u8>)> {
    let buffers: Vec<Buffer> = inputs.iter().map(|(d, s, b)| put(c, *d, s, b)).collect();
    let refs: Vec<&Buffer> = buffers.iter().collect();
    let outputs = exe.execute(&refs).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outputs.len(), exe.num_outputs());
    outputs
        .iter()
        .map(|b| b.to_host().unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

#[test]
fn elementwise_add_f32() {
    let Some(c) = client() else { return };
    let text = module(
        "(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>) -> (tensor<3xf32>)",
        "    %0 = stablehlo.add %arg0, %arg1 : tensor<3xf32>\n    return %0 : tensor<3xf32>",
    );
    let exe = compile(c, &text);
    assert_eq!(exe.num_outputs(), 1);
    assert_eq!(
        exe.param_types(),
        Some(&[(DType::F32, vec![3]), (DType::F32, vec![3])][..])
    );
    let (x, y) = ([1.5f32, 2.0, -3.0], [0.25f32, 4.0, 1e-3]);
    let out = run(
        c,
        &exe,
        &[(DType::F32, &[3], f32s(&x)), (DType::F32, &[3], f32s(&y))],
    );
    assert_eq!(out[0].0, DType::F32);
    assert_eq!(out[0].1, vec![3]);
    // Each sum is the correctly rounded f32 sum, as in Rust.
    assert_eq!(
        to_f32(&out[0].2),
        vec![x[0] + y[0], x[1] + y[1], x[2] + y[2]]
    );
}

#[test]
fn matmul_dot_general_2x3_3x2() {
    let Some(c) = client() else { return };
    let text = module(
        "(%arg0: tensor<2x3xf32>, %arg1: tensor<3x2xf32>) -> (tensor<2x2xf32>)",
        "    %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0] : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>\n    return %0 : tensor<2x2xf32>",
    );
    let exe = compile(c, &text);
    let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [7.0f32, 8.0, 9.0, 10.0, 11.0, 12.0];
    let out = run(
        c,
        &exe,
        &[
            (DType::F32, &[2, 3], f32s(&a)),
            (DType::F32, &[3, 2], f32s(&b)),
        ],
    );
    assert_eq!(out[0].1, vec![2, 2]);
    // [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
    assert_eq!(to_f32(&out[0].2), vec![58.0, 64.0, 139.0, 154.0]);
}

#[test]
fn transpose_comes_back_row_major() {
    let Some(c) = client() else { return };
    let text = module(
        "(%arg0: tensor<2x3xf32>) -> (tensor<3x2xf32>)",
        "    %0 = stablehlo.transpose %arg0, dims = [1, 0] : (tensor<2x3xf32>) -> tensor<3x2xf32>\n    return %0 : tensor<3x2xf32>",
    );
    let exe = compile(c, &text);
    let out = run(
        c,
        &exe,
        &[(DType::F32, &[2, 3], f32s(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))],
    );
    assert_eq!(out[0].1, vec![3, 2]);
    assert_eq!(to_f32(&out[0].2), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
}

#[test]
fn f64_keeps_double_precision() {
    let Some(c) = client() else { return };
    let text = module(
        "(%arg0: tensor<2x2xf64>) -> (tensor<2x2xf64>)",
        "    %0 = stablehlo.multiply %arg0, %arg0 : tensor<2x2xf64>\n    return %0 : tensor<2x2xf64>",
    );
    let exe = compile(c, &text);
    let x = [0.1f64, 1.0 + f64::EPSILON, -3.0e-200, 1.0e200];
    let out = run(c, &exe, &[(DType::F64, &[2, 2], f64s(&x))]);
    assert_eq!(out[0].0, DType::F64);
    // 1e200² overflows to +inf and (-3e-200)² underflows to 0, as in IEEE f64.
    assert_eq!(
        to_f64(&out[0].2),
        x.iter().map(|v| v * v).collect::<Vec<_>>()
    );
}

#[test]
fn integers_wrap_like_twos_complement() {
    let Some(c) = client() else { return };
    let text = module(
        "(%arg0: tensor<3xi32>, %arg1: tensor<2xi64>, %arg2: tensor<2xui32>) -> (tensor<3xi32>, tensor<2xi64>, tensor<2xui32>)",
        "    %0 = stablehlo.add %arg0, %arg0 : tensor<3xi32>\n    %1 = stablehlo.multiply %arg1, %arg1 : tensor<2xi64>\n    %2 = stablehlo.add %arg2, %arg2 : tensor<2xui32>\n    return %0, %1, %2 : tensor<3xi32>, tensor<2xi64>, tensor<2xui32>",
    );
    let exe = compile(c, &text);
    let (a, b, u) = (
        [i32::MAX, -7, 1 << 20],
        [3_000_000_000i64, -5],
        [u32::MAX, 7],
    );
    let out = run(
        c,
        &exe,
        &[
            (DType::I32, &[3], i32s(&a)),
            (DType::I64, &[2], i64s(&b)),
            (DType::U32, &[2], u32s(&u)),
        ],
    );
    assert_eq!(
        out.iter().map(|o| o.0).collect::<Vec<_>>(),
        vec![DType::I32, DType::I64, DType::U32]
    );
    assert_eq!(
        to_i32(&out[0].2),
        a.iter().map(|v| v.wrapping_add(*v)).collect::<Vec<_>>()
    );
    assert_eq!(to_i64(&out[1].2), vec![9_000_000_000_000_000_000, 25]);
    assert_eq!(to_u32(&out[2].2), vec![u32::MAX - 1, 14]);
}

#[test]
fn bool_from_compare_and_back() {
    let Some(c) = client() else { return };
    let text = module(
        "(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>, %arg2: tensor<4xi1>) -> (tensor<4xi1>)",
        "    %0 = stablehlo.compare  GT, %arg0, %arg1,  FLOAT : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>\n    %1 = stablehlo.xor %0, %arg2 : tensor<4xi1>\n    return %1 : tensor<4xi1>",
    );
    let exe = compile(c, &text);
    let x = f32s(&[1.0, 2.0, f32::NAN, -1.0]);
    let y = f32s(&[0.0, 2.0, 0.0, -2.0]);
    let flip = vec![0u8, 1, 0, 1];
    let out = run(
        c,
        &exe,
        &[
            (DType::F32, &[4], x),
            (DType::F32, &[4], y),
            (DType::Bool, &[4], flip),
        ],
    );
    assert_eq!(out[0].0, DType::Bool);
    // x > y = [T, F, F (NaN), T], xor [F, T, F, T]
    assert_eq!(out[0].2, vec![1, 1, 0, 0]);
}

#[test]
fn c64_multiply() {
    let Some(c) = client() else { return };
    let text = module(
        "(%arg0: tensor<2xcomplex<f32>>, %arg1: tensor<2xcomplex<f32>>) -> (tensor<2xcomplex<f32>>)",
        "    %0 = stablehlo.multiply %arg0, %arg1 : tensor<2xcomplex<f32>>\n    return %0 : tensor<2xcomplex<f32>>",
    );
    let exe = compile(c, &text);
    // (1+2i)(3-i) = 5+5i;  (0.5)(2+4i) = 1+2i
    let x = f32s(&[1.0, 2.0, 0.5, 0.0]);
    let y = f32s(&[3.0, -1.0, 2.0, 4.0]);
    let out = run(c, &exe, &[(DType::C64, &[2], x), (DType::C64, &[2], y)]);
    assert_eq!(out[0].0, DType::C64);
    assert_eq!(out[0].1, vec![2]);
    assert_eq!(to_f32(&out[0].2), vec![5.0, 5.0, 1.0, 2.0]);
}

#[test]
fn c128_multiply() {
    let Some(c) = client() else { return };
    let t = "tensor<2xcomplex<f64>>";
    let text = module(
        &format!("(%arg0: {t}, %arg1: {t}) -> ({t})"),
        &format!("    %0 = stablehlo.multiply %arg0, %arg1 : {t}\n    return %0 : {t}"),
    );
    let exe = compile(c, &text);
    // (1/3 + 2i)(1) = 1/3 + 2i;  (0.1)(2 + 4i) = 0.2 + 0.4i, all exact in
    // f64 products, and 1/3 and 0.1 are not f32 values.
    let x = f64s(&[1.0 / 3.0, 2.0, 0.1, 0.0]);
    let y = f64s(&[1.0, 0.0, 2.0, 4.0]);
    let out = run(c, &exe, &[(DType::C128, &[2], x), (DType::C128, &[2], y)]);
    assert_eq!(out[0].0, DType::C128);
    assert_eq!(out[0].1, vec![2]);
    assert_eq!(
        to_f64(&out[0].2),
        vec![1.0 / 3.0, 2.0, 0.1 * 2.0, 0.1 * 4.0]
    );
}

#[test]
fn scalars_and_empty_arrays_round_trip() {
    let Some(c) = client() else { return };
    let text = module(
        "(%arg0: tensor<f64>, %arg1: tensor<0x3xf32>) -> (tensor<f64>, tensor<0x3xf32>)",
        "    return %arg0, %arg1 : tensor<f64>, tensor<0x3xf32>",
    );
    let exe = compile(c, &text);
    let out = run(
        c,
        &exe,
        &[
            (DType::F64, &[], f64s(&[-0.0])),
            (DType::F32, &[0, 3], vec![]),
        ],
    );
    assert_eq!(out[0].1, Vec::<usize>::new());
    assert_eq!(to_f64(&out[0].2)[0].to_bits(), (-0.0f64).to_bits());
    assert_eq!((out[1].1.clone(), out[1].2.len()), (vec![0, 3], 0));
}

const WHILE_SUM: &str = "    %c0 = stablehlo.constant dense<0> : tensor<i32>
    %c1 = stablehlo.constant dense<1> : tensor<i32>
    %0:2 = stablehlo.while(%i = %c1, %acc = %c0) : tensor<i32>, tensor<i32>
    cond {
      %1 = stablehlo.compare  LE, %i, %arg0,  SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
      stablehlo.return %1 : tensor<i1>
    } do {
      %one = stablehlo.constant dense<1> : tensor<i32>
      %1 = stablehlo.add %acc, %i : tensor<i32>
      %2 = stablehlo.add %i, %one : tensor<i32>
      stablehlo.return %2, %1 : tensor<i32>, tensor<i32>
    }
    return %0#1 : tensor<i32>";

#[test]
fn while_loop_sums_one_to_n() {
    let Some(c) = client() else { return };
    let exe = compile(
        c,
        &module("(%arg0: tensor<i32>) -> (tensor<i32>)", WHILE_SUM),
    );
    for (n, sum) in [(10, 55), (100, 5050), (0, 0)] {
        let out = run(c, &exe, &[(DType::I32, &[], i32s(&[n]))]);
        assert_eq!(to_i32(&out[0].2), vec![sum], "1 + ... + {n}");
    }
}

#[test]
fn two_outputs() {
    let Some(c) = client() else { return };
    let text = module(
        "(%arg0: tensor<3xf32>) -> (tensor<3xf32>, tensor<f32>)",
        "    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %0 = stablehlo.add %arg0, %arg0 : tensor<3xf32>
    %1 = stablehlo.reduce(%arg0 init: %cst) applies stablehlo.add across dimensions = [0] : (tensor<3xf32>, tensor<f32>) -> tensor<f32>
    return %0, %1 : tensor<3xf32>, tensor<f32>",
    );
    let exe = compile(c, &text);
    assert_eq!(exe.num_outputs(), 2);
    let out = run(c, &exe, &[(DType::F32, &[3], f32s(&[1.0, 2.5, -4.0]))]);
    assert_eq!(
        (out[0].1.clone(), to_f32(&out[0].2)),
        (vec![3], vec![2.0, 5.0, -8.0])
    );
    assert_eq!((out[1].1.clone(), to_f32(&out[1].2)), (vec![], vec![-0.5]));
}

#[test]
fn invalid_mlir_is_an_error_with_the_plugins_message() {
    let Some(c) = client() else { return };
    for text in [
        "module { this is not mlir }",
        "",
        "module @m { func.func public @main() -> (tensor<f32>) { return } }",
    ] {
        match c.compile(text) {
            Err(PjrtError::Call { call, message, .. }) => {
                assert_eq!(call, "PJRT_Client_Compile");
                assert!(!message.is_empty());
            }
            Err(e) => panic!("unexpected error for {text:?}: {e}"),
            Ok(_) => panic!("{text:?} compiled"),
        }
    }
}

#[test]
fn wrong_arguments_are_rejected_before_the_plugin() {
    let Some(c) = client() else { return };
    let exe = compile(
        c,
        &module("(%arg0: tensor<i32>) -> (tensor<i32>)", WHILE_SUM),
    );
    let n = put(c, DType::I32, &[], &i32s(&[3]));
    let f = put(c, DType::F32, &[], &f32s(&[3.0]));
    let v = put(c, DType::I32, &[2], &i32s(&[3, 4]));
    for args in [vec![], vec![&n, &n], vec![&f], vec![&v]] {
        match exe.execute(&args) {
            Err(PjrtError::Invalid { call, .. }) => {
                assert_eq!(call, "PJRT_LoadedExecutable_Execute")
            }
            other => panic!("expected a rejection, got {:?}", other.map(|o| o.len())),
        }
    }
}

#[test]
fn host_data_is_validated() {
    let Some(c) = client() else { return };
    let cases: [(DType, &[usize], Vec<u8>); 5] = [
        (DType::F32, &[2], vec![0; 7]),
        (DType::C64, &[1], vec![0; 4]),
        (DType::C128, &[1], vec![0; 8]),
        (DType::Bool, &[2], vec![1, 2]),
        (DType::F64, &[usize::MAX, 2], vec![]),
    ];
    for (dtype, shape, bytes) in cases {
        assert!(
            matches!(
                c.buffer_from_host(dtype, shape, &bytes),
                Err(PjrtError::Invalid { .. })
            ),
            "{dtype:?} {shape:?} with {} bytes",
            bytes.len()
        );
    }
}

#[test]
fn serialize_and_deserialize() {
    let Some(c) = client() else { return };
    let text = module("(%arg0: tensor<i32>) -> (tensor<i32>)", WHILE_SUM);
    let exe = compile(c, &text);
    let bytes = match exe.serialize() {
        Ok(bytes) => bytes,
        Err(e) if e.is_unimplemented() => {
            return eprintln!("note: the plugin cannot serialize: {e}")
        }
        Err(e) => panic!("{e}"),
    };
    let back = c
        .deserialize_executable(&bytes, &text)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.num_outputs(), 1);
    // The signature comes from the module text, as for a compiled one, and
    // is checked before the plugin runs anything (it was skipped, so a
    // wrong argument reinterpreted bytes).
    assert_eq!(back.param_types(), Some(&[(DType::I32, vec![])][..]));
    let out = run(c, &back, &[(DType::I32, &[], i32s(&[10]))]);
    assert_eq!(to_i32(&out[0].2), vec![55]);
    assert!(matches!(back.execute(&[]), Err(PjrtError::Invalid { .. })));
    let wrong = c
        .buffer_from_host(DType::F32, &[], &1.0f32.to_le_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        back.execute(&[&wrong]),
        Err(PjrtError::Invalid { .. })
    ));
    assert!(c
        .deserialize_executable(b"not an executable", &text)
        .is_err());
    assert!(c.deserialize_executable(&bytes, "module { }").is_err());
}

#[test]
fn one_executable_from_many_threads() {
    let Some(c) = client() else { return };
    let exe = compile(
        c,
        &module("(%arg0: tensor<i32>) -> (tensor<i32>)", WHILE_SUM),
    );
    std::thread::scope(|s| {
        for n in 1..=4i32 {
            let exe = &exe;
            s.spawn(move || {
                for _ in 0..20 {
                    let out = run(c, exe, &[(DType::I32, &[], i32s(&[n * 10]))]);
                    assert_eq!(to_i32(&out[0].2), vec![n * 10 * (n * 10 + 1) / 2]);
                }
            });
        }
    });
}

/// Downloads the CPU wheel into a fresh cache with [`plugin::install`] and
/// lists it: `cargo test --test pjrt install -- --ignored` (needs pip and
/// the package index; alone, as it sets `NEST_CACHE_DIR`).
#[test]
#[ignore]
fn install_then_find_and_list() {
    let dir = std::env::temp_dir().join(format!("nest-plugin-test-{}", std::process::id()));
    std::env::set_var("NEST_CACHE_DIR", &dir);
    std::env::remove_var(plugin::PLUGIN_ENV);
    let path = plugin::install(Kind::Cpu).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Some(path.clone()), plugin::cache_path(Kind::Cpu));
    assert_eq!(plugin::find(Kind::Cpu), Some(path.clone()));
    let listed = plugin::list();
    let ours = listed.iter().find(|f| f.path == path).expect("listed");
    assert_eq!(ours.source, plugin::Source::Cache);
    assert!(
        matches!(ours.api_version, Ok((0, minor)) if minor >= 60),
        "{:?}",
        ours.api_version
    );
    for f in &listed {
        println!(
            "{:?} {} {} {:?}",
            f.kind,
            f.source.describe(),
            f.path.display(),
            f.api_version
        );
    }
    std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
}

/// `x + y` with `x` aliased to the result (`tf.aliasing_output`, as
/// `jax.jit(..., donate_argnums = 0)` writes it), and `x`, `y` on the device.
fn aliased_add(c: &Client) -> (Executable, Buffer, Buffer) {
    let text = module(
        "(%arg0: tensor<4xf32> {tf.aliasing_output = 0 : i32}, %arg1: tensor<4xf32>) -> (tensor<4xf32>)",
        "    %0 = stablehlo.add %arg0, %arg1 : tensor<4xf32>\n    return %0 : tensor<4xf32>",
    );
    let x = put(c, DType::F32, &[4], &f32s(&[1.0, 2.0, 3.0, 4.0]));
    let y = put(c, DType::F32, &[4], &f32s(&[10.0, 20.0, 30.0, 40.0]));
    (compile(c, &text), x, y)
}

/// An argument declared to alias a result (`tf.aliasing_output`, as
/// `jax.jit(..., donate_argnums = ...)` writes it) is donated: the result
/// is right, and the argument's buffer can no longer be read.
#[test]
fn a_donated_argument_is_consumed() {
    let Some(c) = client() else { return };
    let (exe, x, y) = aliased_add(c);
    let outs = exe.execute(&[&x, &y]).unwrap_or_else(|e| panic!("{e}"));
    let (_, _, bytes) = outs[0].to_host().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(to_f32(&bytes), vec![11.0, 22.0, 33.0, 44.0]);
    assert!(
        x.to_host().is_err(),
        "the donated argument is still readable"
    );
    assert!(y.to_host().is_ok());
}

/// An aliased argument the caller keeps (`non_donatable_input_indices`)
/// is left as it was, and the result is still right: one executable
/// serves calls that donate and calls that do not.
#[test]
fn a_kept_argument_is_not_consumed() {
    let Some(c) = client() else { return };
    let (exe, x, y) = aliased_add(c);
    for _ in 0..3 {
        let outs = exe
            .execute_keeping(&[&x, &y], &[0])
            .unwrap_or_else(|e| panic!("{e}"));
        let (_, _, bytes) = outs[0].to_host().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(to_f32(&bytes), vec![11.0, 22.0, 33.0, 44.0]);
        let (_, _, kept) = x.to_host().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(to_f32(&kept), vec![1.0, 2.0, 3.0, 4.0]);
    }
}
