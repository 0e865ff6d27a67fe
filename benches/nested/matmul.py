"""Benchmark 5b in JAX: the same work as benches/nested/matmul.nest."""
import time

import jax
import jax.numpy as jnp

from common import pattern, report, sizes

s = sizes({"n": 1024, "calls": 20})
n = s["n"]
a = jnp.asarray(pattern(n, n, 31, 17, 97))
b = jnp.asarray(pattern(n, n, 13, 7, 61))
mm = jax.jit(lambda a, b: a @ b)
c = mm(a, b)
c.block_until_ready()
float(jnp.sum(c))  # compiles the checksum
t0 = time.perf_counter()
for _ in range(s["calls"]):
    c = mm(a, b)
checksum = float(jnp.sum(c))
report(checksum, (time.perf_counter() - t0) / s["calls"])
