//! Backend benchmark: `cargo bench --bench backend`.
//!
//! Reports plugin load and client creation, the compile time of
//! `examples/quickstart.nest`, the per-call overhead of a tiny function called
//! from a host loop, and a 1024×1024 f32 matmul against the machine's measured
//! peak. Timings are printed, never asserted.

use nest::backend::plugin::{self, Kind};
use nest::backend::xla::Xla;
use nest::backend::Backend;
use nest::ir::{fresh_var, Atom, Eqn, Graph};
use nest::prims::DotGeneral;
use nest::prims::Prim;
use nest::tensor::{Data, Tensor};
use nest::types::{DType, TensorType};
use nest::Session;
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    // Measure compiling, not the on-disk executable cache.
    std::env::set_var("NEST_NO_DISK_CACHE", "1");
    let Some(path) = plugin::find(Kind::Cpu) else {
        eprintln!("{}", plugin::not_found_message(Kind::Cpu));
        return;
    };
    let start = Instant::now();
    let xla = match Xla::get(&path) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("cannot load the plugin: {e}");
            return;
        }
    };
    println!(
        "plugin load + client creation: {:.1} ms",
        ms(start.elapsed())
    );
    quickstart(&xla);
    per_call_overhead(&xla);
    matmul(&xla);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn session(xla: &std::sync::Arc<Xla>) -> Session {
    let mut s = Session::new(Box::new(std::io::sink()));
    s.set_backend(Backend::Xla(xla.clone()));
    s
}

/// Runs a nest file on XLA; total time and compile time spent in it.
fn run(xla: &std::sync::Arc<Xla>, file: &Path) -> (Duration, Duration, usize) {
    let (n0, c0) = xla.compile_stats();
    let start = Instant::now();
    if let Err(d) = session(xla).run_file(file) {
        eprintln!("{} failed: {}", file.display(), d.message);
    }
    let total = start.elapsed();
    let (n1, c1) = xla.compile_stats();
    (total, c1 - c0, n1 - n0)
}

fn quickstart(xla: &std::sync::Arc<Xla>) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart.nest");
    let (total, compile, n) = run(xla, &file);
    println!(
        "quickstart, first run: {:.0} ms total, of which compiling {} modules {:.0} ms",
        ms(total),
        n,
        ms(compile)
    );
    let (total, compile, n) = run(xla, &file);
    println!(
        "quickstart, cached:    {:.0} ms total ({} new modules, {:.0} ms compiling)",
        ms(total),
        n,
        ms(compile)
    );
}

fn per_call_overhead(xla: &std::sync::Arc<Xla>) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let _ = std::fs::create_dir_all(dir);
    let program = |n: usize| {
        format!("fn f(x) {{ x + 1.0 }}\nvar y = zeros([4]);\nfor i in 0..{n} {{ y = f(y); }}\nprint(y);\n")
    };
    let time = |n: usize| {
        let file = dir.join(format!("per_call_{n}.nest"));
        let _ = std::fs::write(&file, program(n));
        run(xla, &file);
        (0..3).map(|_| run(xla, &file).0).min().unwrap_or_default()
    };
    let (small, large) = (time(10), time(2010));
    let per_call = (large.saturating_sub(small)).as_secs_f64() / 2000.0;
    println!(
        "per-call overhead of a tiny cached function (trace + run, f32[4]): {:.1} µs",
        per_call * 1e6
    );
}

fn matmul(xla: &Xla) {
    let n = 1024;
    let ty = TensorType::new(DType::F32, vec![n, n]);
    let (a, b, c) = (
        fresh_var(ty.clone()),
        fresh_var(ty.clone()),
        fresh_var(ty.clone()),
    );
    let prim = Prim::new(DotGeneral {
        lhs_batch: vec![],
        rhs_batch: vec![],
        lhs_contract: vec![1],
        rhs_contract: vec![0],
    });
    let graph = Graph {
        inputs: vec![a.clone(), b.clone()],
        eqns: vec![Eqn {
            prim,
            inputs: vec![Atom::Var(a), Atom::Var(b)],
            outputs: vec![c.clone()],
        }],
        outputs: vec![Atom::Var(c)],
    };
    let data: Vec<f32> = (0..n * n).map(|i| ((i % 7) as f32) * 0.1).collect();
    let Some(t) = Tensor::new(vec![n, n], Data::F32(data)) else {
        return;
    };
    let (Ok(x), Ok(y)) = (xla.upload(&t), xla.upload(&t)) else {
        return;
    };
    let inputs = [
        nest::backend::xla::Input::Device(&x),
        nest::backend::xla::Input::Device(&y),
    ];
    let mut times = vec![];
    for _ in 0..12 {
        let start = Instant::now();
        match xla.run("matmul", &graph, &inputs) {
            Ok(out) => {
                let _ = out[0].to_host();
            }
            Err(e) => {
                eprintln!("matmul failed: {e}");
                return;
            }
        }
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2].as_secs_f64();
    let gflops = 2.0 * (n as f64).powi(3) / median / 1e9;
    let peak = peak_gflops();
    println!(
        "1024x1024 f32 matmul: {:.2} ms median ({:.1} GFLOP/s); measured single-core peak {:.1} GFLOP/s, {} cores: {:.0}% of all-core peak",
        median * 1e3,
        gflops,
        peak,
        cores(),
        100.0 * gflops / (peak * cores() as f64)
    );
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Single-core f32 peak: the best of a few runs of independent fused
/// multiply-adds over eight 8-wide accumulators (AVX2 + FMA when available).
fn peak_gflops() -> f64 {
    (0..3).map(|_| peak_once()).fold(0.0, f64::max)
}

fn peak_once() -> f64 {
    let iters = 50_000_000u64;
    let start = Instant::now();
    let sink = fma_loop(iters);
    let secs = start.elapsed().as_secs_f64();
    std::hint::black_box(sink);
    // 8 accumulators x 8 lanes x 2 flops per iteration.
    (iters * 8 * 8 * 2) as f64 / secs / 1e9
}

#[cfg(target_arch = "x86_64")]
fn fma_loop(iters: u64) -> f32 {
    if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        // SAFETY: the features this function needs were just detected.
        unsafe { fma_loop_avx2(iters) }
    } else {
        fma_loop_portable(iters)
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn fma_loop(iters: u64) -> f32 {
    fma_loop_portable(iters)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fma_loop_avx2(iters: u64) -> f32 {
    use std::arch::x86_64::*;
    let a = _mm256_set1_ps(0.999_999);
    let b = _mm256_set1_ps(1e-7);
    let mut acc = [_mm256_set1_ps(1.0); 8];
    for _ in 0..iters {
        for r in acc.iter_mut() {
            *r = _mm256_fmadd_ps(*r, a, b);
        }
    }
    let mut out = [0f32; 8];
    let mut total = acc[0];
    for r in &acc[1..] {
        total = _mm256_add_ps(total, *r);
    }
    _mm256_storeu_ps(out.as_mut_ptr(), total);
    out.iter().sum()
}

fn fma_loop_portable(iters: u64) -> f32 {
    let mut acc = [[1f32; 8]; 8];
    for _ in 0..iters {
        for r in acc.iter_mut() {
            for l in r.iter_mut() {
                *l = *l * 0.999_999 + 1e-7;
            }
        }
    }
    acc.iter().flatten().sum()
}
