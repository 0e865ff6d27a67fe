"""Benchmark 5c in JAX: the same work as benches/nested/donate.nest."""
import time

import jax
import jax.numpy as jnp

from common import report, sizes

s = sizes({"n": 16777216, "calls": 20})
f = jax.jit(lambda x: x * 0.5 + 1.0, donate_argnums=0)
x = f(jnp.zeros(s["n"], dtype=jnp.float32))
x.block_until_ready()
float(x[0])  # reads the checksum
t0 = time.perf_counter()
for _ in range(s["calls"]):
    x = f(x)
checksum = float(x[0] + x[s["n"] - 1])
report(checksum, (time.perf_counter() - t0) / s["calls"])
