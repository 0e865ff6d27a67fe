"""Expected output of tests/programs/linalg_grad.nest: every check holds,
and JAX's gradients (64-bit types) at a singular matrix (det: the
adjugate's transpose) and at a repeated eigenvalue (eigh's eigenvalues;
its eigenvectors have no derivative there, NaN)."""

import jax
import jax.numpy as jnp
import numpy as np

from common import p

jax.config.update("jax_enable_x64", True)

p("solve, inv, lu, det, slogdet", True)
singular = jnp.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
p("det_singular", np.asarray(jax.grad(jnp.linalg.det)(singular)), True)
p("eigh", True)
weights = jnp.array([1.0, 2.0, 3.0])
repeated = jax.grad(lambda x: jnp.sum(jnp.linalg.eigh(x)[0] * weights))(jnp.eye(3))
p("eigh_repeated", np.asarray(repeated), np.full(3, np.nan))
p("eigh_hvp", True)
p("eigvals, eig", True)
p("svd", True)
p("complex_forward", np.array([True] * 4))
p("vmap_grad_agrees_with_loop", True)
