"""Expected output of tests/programs/numerics.nest, computed with NumPy in
float32: every product rounded once, so `y - max(y)` is 0 at the maximum.
logsumexp and softmax are the max-shifted formulas nest documents."""

import numpy as np
from common import p

F, D = np.float32, np.float64


def logsumexp(x, axis=None):
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, F(0))
    s = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return s.reshape(()) if axis is None else np.squeeze(s, axis=axis)


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


with np.errstate(invalid="ignore"):
    nan = F(0.0) / F(0.0)
v = np.array([100.0, 99.0, 98.0], dtype=F)
large = v * F(1e10)
tiny = v * F(1e-30)
p("shifted", large - large.max())
single = np.full(1, F(100)) * F(1e10)
p("shifted_single", single - single.max())
p("lse_large", logsumexp(large), logsumexp(-large))
p("softmax_large", softmax(large))
p("log_softmax_large", large - large.max() - np.log(np.sum(np.exp(large - large.max()))))
p("lse_tiny", logsumexp(tiny))
p("softmax_tiny", softmax(tiny))
rows = np.array([[1e30, -1e30, 0.0], [-1e30, -1e30, -1e30]], dtype=F)
p("lse_rows", logsumexp(rows, axis=1))
p("softmax_rows", softmax(rows, axis=1))
p("nan_exp", np.exp(v + nan), np.exp(v.astype(D) * D(nan)))
p("nan_lse", logsumexp(v - nan))
