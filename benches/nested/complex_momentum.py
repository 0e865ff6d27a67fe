"""Benchmark 3 in JAX: the same work as benches/nested/complex_momentum.nest."""
import math
import time

import jax
import jax.numpy as jnp

from common import pattern, report, sizes

s = sizes({"dim": 256, "steps": 10000, "calls": 3})
n = s["dim"]
a = 0.05 * (jnp.eye(n) + jnp.asarray(pattern(n, n, 7, 3, 53)) / 16.0)
x0 = jnp.asarray(pattern(1, n, 1, 5, 17)[0])
y0 = jnp.asarray(pattern(1, n, 1, 3, 19)[0])
lr = 0.1
beta = jnp.complex64(complex(0.8 * math.cos(math.pi / 8), 0.8 * math.sin(math.pi / 8)))


def loss_x(x, y):
    return x @ a @ y


def loss_y(x, y):
    return -(x @ a @ y)


@jax.jit
def play(state):
    """`steps` steps of simultaneous complex momentum: μ ← β·μ − g, z ← z + Re(lr·μ)."""

    def step(_, st):
        (x, y), (mx, my) = st
        gx = jax.grad(loss_x, argnums=0)(x, y)
        gy = jax.grad(loss_y, argnums=1)(x, y)
        mx = beta * mx - gx
        my = beta * my - gy
        return (x + jnp.real(lr * mx), y + jnp.real(lr * my)), (mx, my)

    return jax.lax.fori_loop(0, s["steps"], step, state)


zero = jnp.zeros(n, jnp.complex64)
state = play(((x0, y0), (zero, zero)))
jax.block_until_ready(state)
float(jnp.sum(state[0][0] * state[0][0]) + jnp.sum(state[0][1] * state[0][1]))  # compiles the checksum
t0 = time.perf_counter()
for _ in range(s["calls"]):
    state = play(state)
(x, y), _ = state
checksum = float(jnp.sum(x * x) + jnp.sum(y * y))
report(checksum, (time.perf_counter() - t0) / s["calls"])
