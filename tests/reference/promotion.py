"""Expected output of tests/programs/promotion.nest, computed with NumPy.

NumPy promotes int32 / int32 to float64 where jax.numpy (and nest) give
float32; such results are cast back explicitly here. Arithmetic between
literals alone computes in double precision and the result prints as f32:
those lines compute with Python floats, then round to float32.
"""

import numpy as np
from common import p

F, D, I = np.float32, np.float64, np.int32

i = np.arange(6, dtype=I) - 3
p("floor_mod_int", i % 4)
p("floor_mod_neg_divisor", i % -4)
p("floor_mod_float", np.linspace(-3.5, 1.5, 3, dtype=F) % F(2))
p("true_div", (np.arange(4, dtype=I) / 2).astype(F))
p("int_div_scalars", F(7 / 2), F(-7 / 2))
p("sum_i32", np.arange(4, dtype=I).sum(dtype=I))
p("mean_i32", F(np.arange(4, dtype=I).mean()))
p("weak_f64", np.zeros(2, D) + 0.1)
p("weak_int_float", np.arange(3, dtype=I) * F(1.5))
p("promote_i32_f32", np.arange(3, dtype=I) + np.ones(3, F))
p("promote_f32_f64", np.ones(2, F) / F(3) + np.zeros(2, D))
p("promote_f32_c64", np.ones(2, F) + (1j * np.ones(2, F)).astype(np.complex64))
p("promote_bool_i32", (np.arange(3) > 0).astype(I) + np.arange(3, dtype=I))
p("promote_i32_i64", np.arange(3, dtype=np.int64) + np.arange(3, dtype=I))
p("int_pow", np.arange(4, dtype=I) ** 2)
p("f32_third", np.ones(1, F) / F(3), F(1.0 / 3.0))
p("f64_third", np.ones(1, D) / 3.0, D(1) / 3.0)
p("int_scalar", I(5), I(-6))
p("float_scalar", F(2.0 + 3), F(0.1 + 0.2))
p("literal_precision", F(1.0 - 0.999) * np.ones(1, F), F(1e-8 + 1.0 - 1.0), np.bool_(0.1 + 0.2 == 0.3))
p("compare_mixed", np.arange(3) < 1.5, np.arange(3) == 1.0)
