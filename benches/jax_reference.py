"""The backend benchmark's cases in JAX, for ratios measured on the same machine.

    python3 benches/jax_reference.py          # needs `pip install jax`

Prints the per-call time of a tiny jitted function fed back into itself, and
the median time of a jitted 1024x1024 f32 matmul (result copied to the host),
as `cargo bench --bench backend` measures them for nest.
"""
import time

import jax
import jax.numpy as jnp
import numpy as np


def per_call():
    f = jax.jit(lambda x: x + 1.0)
    y = jnp.zeros(4, dtype=jnp.float32)
    y = f(y).block_until_ready()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(2000):
            y = f(y)
        y.block_until_ready()
        best = min(best, (time.perf_counter() - start) / 2000)
    return best


def matmul():
    n = 1024
    a = jnp.asarray((np.arange(n * n) % 7).astype(np.float32).reshape(n, n) * 0.1)
    mm = jax.jit(lambda x, y: x @ y)
    np.asarray(mm(a, a))
    times = []
    for _ in range(12):
        start = time.perf_counter()
        np.asarray(mm(a, a))
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


if __name__ == "__main__":
    print(f"jax {jax.__version__}")
    print(f"per-call overhead of a tiny jitted function (f32[4]): {per_call() * 1e6:.1f} us")
    t = matmul()
    print(f"1024x1024 f32 matmul: {t * 1e3:.2f} ms median ({2 * 1024**3 / t / 1e9:.1f} GFLOP/s)")
