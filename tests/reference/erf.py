"""Expected output of tests/programs/erf.nest: erf from SciPy in float64
and float32, rounded as the program rounds (r6 in float32), and its
derivative 2/sqrt(pi) exp(-x^2)."""

import numpy as np
from scipy.special import erf
from common import p

F, D = np.float32, np.float64


def r6(x):
    x = np.asarray(x)
    k = x.dtype.type(1000000.0)
    return np.round(x * k) / k


tiny = D([1e-30, -1e-20, 1e-10, 1e-5, 1e-3])
moderate = D([-0.75, -0.25, 0.1, 0.4999, 0.5, 1.0, 1.5, 2.5])
large = D([3.0, -4.0, 5.0, 5.9, 6.0, -27.0])
p("f64 tiny", erf(tiny))
p("f64 tiny slope", erf(tiny) / tiny)
p("f64 moderate", erf(moderate))
p("f64 large", erf(large))
p("f64 1 - erf", 1.0 - erf(np.abs(large[0:3])))
p("f32 tiny slope", r6(erf(F(tiny)) / F(tiny)))
p("f32 moderate", r6(erf(F(moderate))))
p("f32 large", r6(erf(F(large))))
with np.errstate(divide="ignore", invalid="ignore"):
    special = D([0.0, -0.0, 1.0, -1.0, 0.0]) / D([1.0, 1.0, 0.0, 0.0, 0.0])
p("special", erf(special))
x = D([0.0, 0.5, -1.0, 2.0, 4.0])
p("derivative", 2.0 / np.sqrt(np.pi) * np.exp(-x * x))
ints = np.array([0, 1, -2], dtype=np.int32)
p("integers", r6(erf(ints.astype(F))), "literal", r6(erf(D(0.5))))
