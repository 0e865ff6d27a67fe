"""Benchmark 5a in JAX: the same work as benches/nested/per_call.nest."""
import time

import jax
import jax.numpy as jnp

from common import report, sizes

s = sizes({"calls": 2000})
f = jax.jit(lambda x: x + 1.0)
y = f(jnp.zeros(4, dtype=jnp.float32))
y.block_until_ready()
float(jnp.sum(y))  # compiles the checksum
t0 = time.perf_counter()
for _ in range(s["calls"]):
    y = f(y)
checksum = float(jnp.sum(y))
report(checksum, (time.perf_counter() - t0) / s["calls"])
