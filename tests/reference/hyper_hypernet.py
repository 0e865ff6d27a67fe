"""Expected output of tests/programs/hyper_hypernet.nest: the closed forms of
THESIS.md §1 that the hypernetworks learn, rounded to one decimal (the
program checks them to 0.02)."""

import numpy as np
from common import p, f32


def r1(x):
    return np.round(np.asarray(x, dtype=np.float32) * np.float32(10.0)) / np.float32(10.0)


lam = np.array([-2.5, -1.5, 0.0, 1.5, 2.5])
p("global: w_phi(lam) at lam = -2.5, -1.5, 0, 1.5, 2.5", r1(1 / (1 + np.exp(lam))))
p("global: lam", f32(0.0))
# λ* = 0: dw*/dλ = −e⁰/(1 + e⁰)² = −1/4.
p("local: W / (dw*/dlam at lam), lam", f32(1.0), f32(0.0))
p("trees: W, b shapes", "(3, 4)", "(3,)", "(2,)")
# Both hypernetworks start at w_like: zeros.
p("trees: mlp apply", {"a": f32([0.0, 0.0]), "b": f32(0.0)})
