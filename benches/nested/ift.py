"""Benchmark 2 in JAX: the same work as benches/nested/ift.nest."""
import time

import jax
import jax.numpy as jnp

from common import pattern, report, sizes

s = sizes({"n_train": 256, "n_val": 256, "n_in": 784, "hidden": 128, "inner": 100, "terms": 20, "rounds": 10})
n_in, hidden = s["n_in"], s["hidden"]

x_train = jnp.asarray(pattern(s["n_train"], n_in, 31, 17, 97))
y_train = (jnp.arange(s["n_train"], dtype=jnp.int32) * 7) % 10
x_val = jnp.asarray(pattern(s["n_val"], n_in, 29, 11, 89))
y_val = (jnp.arange(s["n_val"], dtype=jnp.int32) * 3 + 1) % 10
w0 = {
    "l1": {"w": 0.1 * jnp.asarray(pattern(n_in, hidden, 13, 7, 61)), "b": jnp.zeros(hidden)},
    "l2": {"w": 0.1 * jnp.asarray(pattern(hidden, 10, 5, 3, 11)), "b": jnp.zeros(10)},
}
lam0 = {"l1": jnp.full((n_in, hidden), -4.0), "l2": jnp.full((hidden, 10), -4.0)}


def mlp(p, x):
    h = jnp.tanh(x @ p["l1"]["w"] + p["l1"]["b"])
    return h @ p["l2"]["w"] + p["l2"]["b"]


def cross_entropy(logits, labels):
    return -jnp.mean(jnp.sum(jax.nn.one_hot(labels, 10) * jax.nn.log_softmax(logits), axis=1))


def train_loss(w, lam):
    decay = jnp.sum(jnp.exp(lam["l1"]) * w["l1"]["w"] * w["l1"]["w"]) + jnp.sum(
        jnp.exp(lam["l2"]) * w["l2"]["w"] * w["l2"]["w"]
    )
    return cross_entropy(mlp(w, x_train), y_train) + 0.5 * decay


def val_loss(w, lam):
    return cross_entropy(mlp(w, x_val), y_val)


def tmap(f, *trees):
    return jax.tree.map(f, *trees)


def ift_hypergrad(w, lam, terms, alpha):
    """dL_V/dλ = ∂L_V/∂λ − ∂²L_T/∂λ∂w · H⁻¹ ∂L_V/∂w, H⁻¹ by a Neumann series."""
    v, direct = jax.grad(val_loss, argnums=(0, 1))(w, lam)

    def hvp(u):
        return jax.jvp(lambda q: jax.grad(train_loss)(q, lam), (w,), (u,))[1]

    def neumann(_, carry):
        term, total = carry
        term = tmap(lambda t, h: t - alpha * h, term, hvp(term))
        return term, tmap(jnp.add, total, term)

    _, total = jax.lax.fori_loop(0, terms, neumann, (v, v))
    p = tmap(lambda t: alpha * t, total)
    _, pullback = jax.vjp(lambda l: jax.grad(train_loss)(w, l), lam)
    return tmap(jnp.subtract, direct, pullback(p)[0])


@jax.jit
def hyper_step(w, lam):
    def sgd(_, q):
        return tmap(lambda a, g: a - 0.1 * g, q, jax.grad(train_loss)(q, lam))

    w1 = jax.lax.fori_loop(0, s["inner"], sgd, w)
    g = ift_hypergrad(w1, lam, s["terms"], 0.1)
    return w1, tmap(lambda l, d: l - 10.0 * d, lam, g), val_loss(w1, lam)


w, lam, v = hyper_step(w0, lam0)
jax.block_until_ready(v)
float(v + jnp.mean(lam["l1"]) + jnp.mean(lam["l2"]))  # compiles the checksum
t0 = time.perf_counter()
for _ in range(s["rounds"]):
    w, lam, v = hyper_step(w, lam)
checksum = float(v + jnp.mean(lam["l1"]) + jnp.mean(lam["l2"]))
report(checksum, (time.perf_counter() - t0) / s["rounds"])
