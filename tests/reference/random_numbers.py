"""Expected output of tests/programs/random_numbers.nest, computed with jax.random."""

import jax
import jax.numpy as jnp
import numpy as np
from common import p, r4


def np_(x):
    return np.asarray(x)


k = jax.random.PRNGKey(0)
k1, k2 = jax.random.split(k)
p("uniform", np_(jax.random.uniform(k1, (4,))))
p("uniform_2d", np_(jax.random.uniform(k2, (2, 3))))
p("uniform_range", np_(jax.random.uniform(k1, (3,), minval=-2.0, maxval=2.0)))
p("normal", r4(np_(jax.random.normal(k2, (5,)))))
p("normal_2d", r4(np_(jax.random.normal(jax.random.PRNGKey(42), (2, 2)))))
a, b, c = jax.random.split(jax.random.PRNGKey(7), 3)
p("split3", *[np_(jax.random.uniform(s, (2,))) for s in (a, b, c)])
p("bernoulli", np_(jax.random.bernoulli(k1, 0.5, (8,))))
p("bernoulli_p", np_(jax.random.bernoulli(k2, 0.2, (8,))))
p("randint", np_(jax.random.randint(k1, (6,), 0, 10)))
p("randint_neg", np_(jax.random.randint(k2, (2, 3), -5, 5)))
p("same_key", np.True_)
ka, kb = jax.random.split(jax.random.PRNGKey(1))
p("in_fn", r4(np_(jax.random.normal(ka, (2,)))), np_(jax.random.uniform(kb, (3,))))
