"""Expected output of tests/programs/c128.nest, computed with NumPy.

NumPy 2 promotes as jax.numpy does with 64-bit types here: float64 with
complex64 gives complex128, and a Python complex is weak (it takes the
float operand's width). Transcendental results are rounded to 6 decimals,
real and imaginary parts separately and printed as a tuple, as `rc` does in
the program.
"""

from pathlib import Path

import numpy as np
from common import p

F, D, C, Z = np.float32, np.float64, np.complex64, np.complex128


def r6(x):
    x = np.asarray(x)
    k = x.dtype.type(1000000.0)
    return np.round(x * k) / k


def rc(z):
    z = np.asarray(z)
    return (r6(z.real)[()], r6(z.imag)[()])


x = np.arange(4, dtype=D) / 3.0
y = x + 1j * (1.0 - x)
p("complex_f64", y)
p("complex_f32", (np.ones(2, F) / F(3)).astype(C))

c = np.full(4, F(1) / F(3) + 1j, dtype=C)
p("f64_plus_c64", x + c)
p("c64_plus_c128", c + y)
p("weak_imag_f64", x + 2.0j, x * 0.1j)
p("weak_imag_f32", np.ones(2, F) / F(3) + 2.0j)
p("weak_float_c128", y * 0.1 + 1.0)
p("cast", x.astype(Z), c.astype(Z), y.astype(C), y.real.copy(), y != 0)
p("cast_int", np.arange(3).astype(Z) / 3.0)
p("scalar", y[1], y[2] * 3.0, C(0.5 + 0.25j))

p("parts", y.real / 3.0, y.imag / 7.0)
p("abs", r6(np.abs(y)), np.abs(Z(3 + 4j)))
p("angle", r6(np.angle(y)))
p("conj", np.conj(y))

p("arith", y + y, y - 1, y * y, rc(y / Z(2 + 1j)))
p("neg", -y)
p("transcendental", rc(np.exp(y)), rc(np.log(y[1:4])), rc(np.sqrt(y)), rc(np.tanh(y)))
p("sign", rc(y / np.abs(y)))
p("pow", rc(y[1:4] ** y[1:4]))
p("where", np.where(y.real > 0.5, y, 0j))
p("eq", y == y[2], y != np.conj(y))

k = np.arange(6, dtype=D)
m = (k / 4.0 + 1j * (0.5 - k)).reshape(2, 3)
p("sum", m.sum(), m.sum(0), m.sum(1))
p("prod", m.prod(1))
p("mean", m.mean(0))
p("transpose", m.T)
p("reshape", m.reshape(3, 2))
p("slice", m[:, 1], m[1, 0:2])
p("concat", np.concatenate([m, m * 2.0], 0))
p("stack", np.stack([y, np.conj(y)], 1))
p("broadcast", np.broadcast_to(y[0:2], (2, 2)))

p("matmul", m @ m.T)
p("matvec", m @ y[0:3])
p("dot", rc(np.dot(y, y)))

p("fn", y * 0.5 + np.conj(y) * 1j)
p("vmap", (m * np.conj(m)).sum(1))
p("loop", rc((y * y).sum()))

data = Path(__file__).resolve().parent.parent / "programs" / "data"
p("numpy_c128", np.load(data / "numpy_c128.npy"))
p("roundtrip_c128", y / 7.0)
