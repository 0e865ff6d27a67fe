"""Expected output of tests/programs/floor_div.nest, computed with NumPy.

`//` is NumPy's floor_divide, except integer division by zero, where NumPy
gives 0 with a warning and nest follows jax.numpy (computed with JAX below).
NumPy promotes int32 with a Python float to float64 where nest and
jax.numpy give float32: such operands are cast explicitly.
"""

import numpy as np

import jax
import jax.numpy as jnp
from common import p

jax.config.update("jax_platforms", "cpu")
np.seterr(all="ignore")
F, D, I = np.float32, np.float64, np.int32

i = np.arange(15, dtype=I) - 7
p("int", i // 3, i // -3)
p("int_i64", i.astype(np.int64) // 4)
p("literals", I(-7 // 2), I(7 // -2), I(7 // 2), I(-7 // -2))
p("int_by_zero", np.asarray((jnp.arange(3, dtype=jnp.int32) - 1) // 0), I(jnp.int32(5) // 0))

x = i.astype(F) * F(0.75)
p("f32", x // F(2), x // F(-0.5))
p("f64", np.arange(6, dtype=D) * 0.5 // 0.1, F(1.0 // 0.1))
p("mixed", i.astype(F) // F(2), i.astype(F) // F(1.5))

inf = np.inf
a = np.array([1.0, -1.0, 0.0, -0.0, 0.0, -2.0, 2.0, inf, -7.5, 1e300, np.nan])
b = np.array([0.0, 0.0, 0.0, 5.0, -3.0, inf, -inf, 2.0, 2.0, 1e-300, 1.0])
p("edges", a // b)
p("edges_f32", a.astype(F) // b.astype(F))

p("broadcast", np.arange(6, dtype=I).reshape(2, 3) // (np.arange(3, dtype=I) + 1))
p("loop", (np.arange(5, dtype=I) * 8 - 9) // 2 // 2 // 2)
p("assign", F(100.0 // 7.0))

xs = np.arange(5, dtype=D) * 0.75
p("grad", xs // 0.5, D(0.0))
p("vmap", i.reshape(3, 5) // 2)
