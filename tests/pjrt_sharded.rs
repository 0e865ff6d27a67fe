//! Programs over several devices through the PJRT C API: the CPU plugin
//! asked for four devices, a module whose arguments and results carry
//! shardings (`sdy.sharding`), compiled by XLA's SPMD partitioner and run
//! with one piece of each argument per device.

mod common;

use nest::backend::pjrt::{Buffer, Client, OptionValue, Plugin};
use nest::types::DType;

fn client() -> Option<Client> {
    let path = common::cpu_plugin()?;
    let plugin = Plugin::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let options = [("cpu_device_count", OptionValue::Int(4))];
    Some(Client::with_options(&plugin, &options).unwrap_or_else(|e| panic!("{e}")))
}

fn f32s(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

fn read(b: &Buffer) -> (Vec<usize>, Vec<f32>) {
    let (dtype, shape, bytes) = b.to_host().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dtype, DType::F32);
    let v = bytes
        .chunks(4)
        .map(|c| f32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    (shape, v)
}

/// `x: f32[8, 2]` split by rows over four devices; `2 * x` stays split,
/// the column sums are replicated: every device holds them. Shardings in
/// Shardy's form, as nest writes them.
const MODULE: &str = r#"module @sharded attributes {mhlo.num_partitions = 4 : i32, mhlo.num_replicas = 1 : i32} {
  sdy.mesh @mesh = <["data"=4]>
  func.func public @main(%arg0: tensor<8x2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"data"}, {}]>}) -> (tensor<8x2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"data"}, {}]>}, tensor<2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}]>}) {
    %0 = stablehlo.constant dense<2.0> : tensor<8x2xf32>
    %1 = stablehlo.multiply %arg0, %0 : tensor<8x2xf32>
    %2 = sdy.sharding_constraint %1 <@mesh, [{"data"}, {}]> : tensor<8x2xf32>
    %3 = stablehlo.constant dense<0.0> : tensor<f32>
    %4 = stablehlo.reduce(%arg0 init: %3) applies stablehlo.add across dimensions = [0] : (tensor<8x2xf32>, tensor<f32>) -> tensor<2xf32>
    return %2, %4 : tensor<8x2xf32>, tensor<2xf32>
  }
}
"#;

#[test]
fn the_cpu_plugin_makes_four_devices_and_runs_a_partitioned_program() {
    let Some(c) = client() else { return };
    assert_eq!(c.num_devices(), 4);
    let exe = c
        .compile_partitioned(MODULE, 4)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exe.partitions(), 4);
    // Device d holds rows 2d and 2d + 1 of x[i, j] = 10 i + j.
    let pieces: Vec<Buffer> = (0..4)
        .map(|d| {
            let rows: Vec<f32> = (2 * d..2 * d + 2)
                .flat_map(|i| [10.0 * i as f32, 10.0 * i as f32 + 1.0])
                .collect();
            c.buffer_from_host_on(d, DType::F32, &[2, 2], &f32s(&rows))
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    let args: Vec<Vec<&Buffer>> = pieces.iter().map(|b| vec![b]).collect();
    let outs = exe
        .execute_partitioned(&args)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outs.len(), 4);
    for (d, out) in outs.iter().enumerate() {
        let (shape, doubled) = read(&out[0]);
        assert_eq!(shape, [2, 2]);
        let i = (2 * d) as f32;
        assert_eq!(
            doubled,
            [20.0 * i, 20.0 * i + 2.0, 20.0 * i + 20.0, 20.0 * i + 22.0]
        );
        // Σ_i 10 i = 280, Σ_i (10 i + 1) = 288, on every device.
        assert_eq!(read(&out[1]), (vec![2], vec![280.0, 288.0]));
    }
    // A one-device run of a partitioned program is refused, not wrong.
    assert!(exe.execute(&[&pieces[0]]).is_err());
    assert!(exe.execute_partitioned(&args[..2]).is_err());
    assert!(c.compile_partitioned(MODULE, 8).is_err());
}
