//! The serialized `xla.CompileOptionsProto` every compilation gets.
//!
//! XLA takes its `DebugOptions` from the proto when the proto has them, and
//! otherwise from its own defaults and `XLA_FLAGS`. A partial
//! `debug_options` would replace every default by the proto's zero value
//! (optimization level 0, no codegen splitting: compiling then fails), and
//! the defaults differ between plugin versions, so nest sends none. It
//! changes single options through `env_option_overrides`, which XLA applies
//! on top of its defaults, the way `jax.jit(f).lower(x).compile(compiler_options = ...)`
//! does. An option the plugin does not know is a compile error, so only
//! options of the plugin's own platform are set.

/// The value of one `env_option_overrides` entry (`xla.OptionOverrideProto`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Override {
    Str(&'static str),
    Bool(bool),
}

/// The options of one compilation, as name and value.
pub fn overrides(platform: &str, xla_flags: Option<&str>) -> Vec<(&'static str, Override)> {
    let mut out = vec![];
    // With AVX2 comes FMA, and XLA's CPU code generator contracts `a * b + c`
    // into one fused multiply-add (rounded once). A value XLA computes twice
    // (inside a reduction and again in an elementwise consumer) then differs
    // between its copies by its rounding error: at the maximum of
    // `y = x * 1e10` (x = 100), `y - max(y)` is 4096 instead of 0, and
    // softmax/logsumexp overflow. AVX has no FMA, so every product is
    // rounded, as in the interpreter. A user's own `--xla_cpu_max_isa` in
    // `XLA_FLAGS` wins.
    let user_isa = xla_flags.is_some_and(|f| f.contains("xla_cpu_max_isa"));
    if platform == "cpu" && cfg!(target_arch = "x86_64") && !user_isa {
        out.push(("xla_cpu_max_isa", Override::Str("AVX")));
    }
    // XLA's CPU compiler emits each fusion as its own LLVM kernel; with
    // its MLIR fusion emitters (on by default in this plugin, and in JAX
    // 0.10) a kernel takes about twice as long to generate as with the
    // elemental emitters, and the gradient modules of the linear-algebra
    // programs hold a hundred or more fusions: 2.8 s against 1.5 s for
    // one of them (docs/performance.md, "Compile time"). The code runs
    // the same kernels' arithmetic. `XLA_FLAGS` may turn them back on.
    let user_emitters = xla_flags.is_some_and(|f| f.contains("xla_cpu_use_fusion_emitters"));
    if platform == "cpu" && !user_emitters {
        out.push(("xla_cpu_use_fusion_emitters", Override::Bool(false)));
    }
    out
}

/// `CompileOptionsProto { executable_build_options { num_replicas: 1,
/// num_partitions: 1 }, env_option_overrides { ... } }`. An empty proto
/// makes XLA abort the process (`replica_count > 0`).
pub fn serialize(overrides: &[(&str, Override)]) -> Vec<u8> {
    serialize_partitioned(overrides, 1)
}

/// The same for a program partitioned over `partitions` devices by XLA's
/// SPMD partitioner (`use_spmd_partitioning` and, for the `sdy` shardings
/// nest writes, `use_shardy_partitioner`, when more than one), as `jax.jit`
/// asks for a program with shardings. The devices are the
/// default assignment: partition `i` on addressable device `i`.
pub fn serialize_partitioned(overrides: &[(&str, Override)], partitions: usize) -> Vec<u8> {
    const BUILD_OPTIONS: u32 = 3;
    const NUM_REPLICAS: u32 = 4;
    const NUM_PARTITIONS: u32 = 5;
    const USE_SPMD_PARTITIONING: u32 = 6;
    const USE_SHARDY_PARTITIONER: u32 = 19;
    const ENV_OPTION_OVERRIDES: u32 = 7;
    let mut build = vec![];
    varint_field(&mut build, NUM_REPLICAS, 1);
    varint_field(&mut build, NUM_PARTITIONS, partitions as u64);
    if partitions > 1 {
        varint_field(&mut build, USE_SPMD_PARTITIONING, 1);
        varint_field(&mut build, USE_SHARDY_PARTITIONER, 1);
    }
    let mut out = vec![];
    bytes_field(&mut out, BUILD_OPTIONS, &build);
    for (name, value) in overrides {
        // A map entry is a message { 1: key, 2: value }.
        let mut entry = vec![];
        bytes_field(&mut entry, 1, name.as_bytes());
        bytes_field(&mut entry, 2, &override_message(value));
        bytes_field(&mut out, ENV_OPTION_OVERRIDES, &entry);
    }
    out
}

/// `OptionOverrideProto { oneof value { string string_field = 1; bool
/// bool_field = 2; ... } }`.
fn override_message(value: &Override) -> Vec<u8> {
    let mut out = vec![];
    match value {
        Override::Str(s) => bytes_field(&mut out, 1, s.as_bytes()),
        Override::Bool(b) => varint_field(&mut out, 2, u64::from(*b)),
    }
    out
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Wire type 0 (varint).
fn varint_field(out: &mut Vec<u8>, field: u32, n: u64) {
    varint(out, u64::from(field) << 3);
    varint(out, n);
}

/// Wire type 2 (length-delimited).
fn bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    varint(out, u64::from(field) << 3 | 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_overrides_is_one_replica_one_partition() {
        assert_eq!(serialize(&[]), [0x1a, 0x04, 0x20, 0x01, 0x28, 0x01]);
    }

    #[test]
    fn a_partitioned_program_asks_for_spmd() {
        // num_partitions: 4 (field 5), use_spmd_partitioning (field 6),
        // use_shardy_partitioner (field 19: tag 152 = 0x98 0x01).
        assert_eq!(
            serialize_partitioned(&[], 4),
            [0x1a, 0x09, 0x20, 0x01, 0x28, 0x04, 0x30, 0x01, 0x98, 0x01, 0x01]
        );
    }

    #[test]
    fn an_override_is_a_map_entry() {
        // The bytes `jax._src.compiler.get_compile_options(...,
        // env_options_overrides = {"xla_cpu_max_isa": "AVX"})` writes for
        // its entry.
        let bytes = serialize(&[("xla_cpu_max_isa", Override::Str("AVX"))]);
        let mut entry = vec![0x3a, 0x18, 0x0a, 0x0f];
        entry.extend_from_slice(b"xla_cpu_max_isa");
        entry.extend_from_slice(&[0x12, 0x05, 0x0a, 0x03]);
        entry.extend_from_slice(b"AVX");
        assert_eq!(&bytes[6..], entry.as_slice());
    }

    #[test]
    fn a_bool_override_is_field_two() {
        let bytes = serialize(&[("b", Override::Bool(false))]);
        assert_eq!(
            &bytes[6..],
            [0x3a, 0x07, 0x0a, 0x01, b'b', 0x12, 0x02, 0x10, 0x00]
        );
    }

    #[test]
    fn the_elemental_emitters_are_for_cpus_unless_the_user_chose() {
        let off = ("xla_cpu_use_fusion_emitters", Override::Bool(false));
        assert!(overrides("cpu", None).contains(&off));
        assert!(!overrides("cuda", None).contains(&off));
        let chosen = Some("--xla_cpu_use_fusion_emitters=true");
        assert!(!overrides("cpu", chosen).contains(&off));
    }

    #[test]
    fn the_isa_cap_is_for_x86_cpus_unless_the_user_set_one() {
        let cap = ("xla_cpu_max_isa", Override::Str("AVX"));
        let on_x86 = cfg!(target_arch = "x86_64");
        assert_eq!(overrides("cpu", None).contains(&cap), on_x86);
        assert!(overrides("cuda", None).is_empty());
        assert!(!overrides("cpu", Some("--xla_cpu_max_isa=AVX2")).contains(&cap));
        assert_eq!(
            overrides("cpu", Some("--xla_dump_to=/tmp/d")).contains(&cap),
            on_x86
        );
    }
}
