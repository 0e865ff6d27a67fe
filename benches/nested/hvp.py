"""Benchmark 1 in JAX: the same work as benches/nested/hvp.nest."""
import time

import jax
import jax.numpy as jnp

from common import pattern, report, sizes

s = sizes({"batch": 512, "n_in": 784, "hidden": 256, "calls": 50})
batch, n_in, hidden, calls = s["batch"], s["n_in"], s["hidden"], s["calls"]

x = jnp.asarray(pattern(batch, n_in, 31, 17, 97))
labels = jnp.asarray((jnp.arange(batch, dtype=jnp.int32) * 7) % 10)
params = {
    "l1": {"w": 0.1 * jnp.asarray(pattern(n_in, hidden, 13, 7, 61)), "b": jnp.zeros(hidden)},
    "l2": {"w": 0.1 * jnp.asarray(pattern(hidden, 10, 5, 3, 11)), "b": jnp.zeros(10)},
}


def mlp(p, x):
    h = jnp.tanh(x @ p["l1"]["w"] + p["l1"]["b"])
    return h @ p["l2"]["w"] + p["l2"]["b"]


def loss(p, x, labels):
    logits = mlp(p, x)
    return -jnp.mean(jnp.sum(jax.nn.one_hot(labels, 10) * jax.nn.log_softmax(logits), axis=1))


def tree_sum(t):
    return sum(jnp.sum(leaf) for leaf in jax.tree.leaves(t))



@jax.jit
def step(p, v, x, labels):
    hv = jax.jvp(lambda q: jax.grad(loss)(q, x, labels), (p,), (v,))[1]
    length = jnp.sqrt(tree_sum(jax.tree.map(lambda a: a * a, hv)))
    return jax.tree.map(lambda a: a / length, hv), length


v0 = jax.tree.map(lambda a: a / jnp.sqrt(tree_sum(jax.tree.map(lambda b: b * b, params))), params)
v, length = step(params, v0, x, labels)
jax.block_until_ready(v)
float(length)  # reads the checksum
t0 = time.perf_counter()
for _ in range(calls):
    v, length = step(params, v, x, labels)
checksum = float(length)
report(checksum, (time.perf_counter() - t0) / calls)
