"""Benchmark 4 in JAX: the same work as benches/nested/lyapunov.nest."""
import time

import jax
import jax.numpy as jnp

from common import pattern, report, sizes

s = sizes({"dim": 32, "rollout": 20, "steps": 100})
dim = s["dim"]
z0 = jnp.asarray(pattern(1, dim, 1, 5, 17)[0])
u0 = jnp.ones(dim)
theta0 = {"w": (2.0 / jnp.sqrt(jnp.float32(dim))) * jnp.asarray(pattern(dim, dim, 7, 3, 23)), "b": jnp.zeros(dim)}


def lyapunov(step, z0, u0, k):
    """(1/k)·log‖J_k⋯J_1·u0‖ by k JVPs, the tangent renormalized each step."""

    def body(_, carry):
        z, u, total = carry
        z2, ju = jax.jvp(step, (z,), (u,))
        length = jnp.linalg.norm(ju)
        return z2, ju / length, total + jnp.log(length)

    _, _, total = jax.lax.fori_loop(0, k, body, (z0, u0 / jnp.linalg.norm(u0), 0.0 * jnp.linalg.norm(u0)))
    return total / k


def exponent(theta):
    return lyapunov(lambda z: jnp.tanh(theta["w"] @ z + theta["b"]), z0, u0, s["rollout"])


grad_exponent = jax.jit(jax.grad(exponent))


def ascend(theta):
    return jax.tree.map(lambda t, g: t + 0.01 * g, theta, grad_exponent(theta))


theta = ascend(theta0)
jax.block_until_ready(theta)
float(jnp.sum(theta["w"]) + jnp.sum(theta["b"]))  # compiles the checksum
t0 = time.perf_counter()
for _ in range(s["steps"]):
    theta = ascend(theta)
checksum = float(jnp.sum(theta["w"]) + jnp.sum(theta["b"]))
report(checksum, (time.perf_counter() - t0) / s["steps"])
