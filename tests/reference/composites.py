"""Expected output of tests/programs/composites.nest, computed with JAX."""

import jax
import jax.numpy as jnp
import numpy as np
from common import p, r4


def np_(x):
    return np.asarray(x)


x = (jnp.arange(12, dtype=jnp.float32) * 0.5 - 2.0).reshape(3, 4)
x3 = (jnp.arange(24, dtype=jnp.float32) * 0.25 - 3.0).reshape(2, 3, 4)
w = (jnp.arange(12) % 5).astype(jnp.float32).reshape(3, 4)
softmax, log_softmax = jax.nn.softmax, jax.nn.log_softmax

p("softmax", r4(np_(softmax(x))))
p("default_is_last", np.True_, np.True_)
p("softmax_axis0", r4(np_(softmax(x, axis=0))))
p("softmax_neg2", r4(np_(softmax(x3, axis=-2))))
p("softmax_tuple", r4(np_(softmax(x3, axis=(0, -1)))))
p("softmax_all", r4(np_(softmax(x, axis=None))))
p("log_softmax", r4(np_(log_softmax(x))))
p("log_softmax_neg3", r4(np_(log_softmax(x3, axis=-3))))
p("log_softmax_tuple", r4(np_(log_softmax(x3, axis=(-2, 2)))))
p("sums_to_one", r4(np_(softmax(x3, axis=(0, -1)).sum(axis=(0, 2)))))

p("softmax_int", r4(np_(softmax(jnp.arange(4).astype(jnp.float32)))))
p("log_softmax_int", r4(np_(log_softmax(jnp.arange(6).reshape(2, 3).astype(jnp.float32), axis=0))))
x64 = np.asarray(x, dtype=np.float64)
e = np.exp(x64 - x64.max(axis=-1, keepdims=True))
p("softmax_f64", r4((e / e.sum(axis=-1, keepdims=True))[0]))
p("scalars", np.float32(1.0), np.float32(0.0))
p("large", np_(softmax(x * 1000.0)[0]), np_(log_softmax(x * 1000.0)[2]))


def loss(x):
    return jnp.sum(softmax(x) * w) + jnp.sum(log_softmax(x, axis=0) * w)


p("grad", r4(np_(jax.grad(loss)(x))))
p("hvp", r4(np_(jax.jvp(jax.grad(loss), (x,), (w,))[1])))
p("jvp", r4(np_(jax.jvp(lambda x: log_softmax(x, axis=-2), (x,), (w,))[1])))
p("vmap_rows", np.True_)
p("vmap_cols", r4(np_(jax.vmap(log_softmax, in_axes=1, out_axes=1)(x))))
g = jax.grad(lambda y: jnp.sum(log_softmax(y) * w))(x)
p("in_fn", r4(np_(softmax(x, axis=0))), r4(np_(g)))

key = jax.random.PRNGKey
p("normal", r4(np_(jax.random.normal(key(7), (2, 3)))))
p("normal_scalar", r4(np_(jax.random.normal(key(3), ()))), np_(jax.random.normal(key(3), (0,))))
p("normal_in_fn", np.True_)
p("normal_vmap", r4(np_(jax.vmap(lambda s: jax.random.normal(key(s), (2,)))(jnp.arange(3)))))
p("normal_grad", r4(np_(jax.grad(lambda m: jnp.sum(m * jax.random.normal(key(1), (3,))))(jnp.ones(3)))))
