"""Expected output of tests/programs/builtins.nest, computed with NumPy."""

import numpy as np
from common import p, f32, f64, i32, r3

# ---- creation ----
p("zeros", np.zeros((2, 3), np.float32))
p("zeros_f64", np.zeros(2, np.float64))
p("zeros_i32", np.zeros(3, np.int32))
p("ones", np.ones(3, np.float32))
p("full", np.full((2, 2), 7.0, np.float32))
p("full_int", np.full(3, 4, np.int32))
base = np.arange(6, dtype=np.int32).reshape(2, 3)
p("zeros_like", np.zeros_like(base))
p("ones_like", np.ones(2, np.float64))
p("arange", np.arange(5, dtype=np.int32))
p("linspace", np.linspace(0, 1, 5, dtype=np.float32))
p("eye", np.eye(3, dtype=np.float32))

# ---- shape ----
m = np.linspace(1, 6, 6, dtype=np.float32).reshape(2, 3)
p("shape", m.shape[0], m.shape[1])
p("size", m.size)
p("reshape", m.reshape(3, 2))
p("transpose", m.transpose(1, 0))
p("dot_T", m.T)
p("expand_dims", np.arange(3, dtype=np.int32)[None, :])
p("expand_dims_last", np.arange(3, dtype=np.int32)[:, None])
p("squeeze", np.ones((1, 3), np.float32).squeeze(0))
p("broadcast_to", np.broadcast_to(np.arange(3, dtype=np.int32), (2, 3)))
p("concat0", np.concatenate([m, m], 0))
p("concat1", np.concatenate([m, np.ones((2, 1), np.float32)], 1))
a2 = np.arange(2, dtype=np.int32)
p("stack0", np.stack([a2, a2 + 10], 0))
p("stack1", np.stack([a2, a2 + 10], 1))
p("flatten", m.flatten())

# ---- elementwise ----
x = np.linspace(-2, 2, 5, dtype=np.float32)
l13 = np.linspace(1, 3, 3, dtype=np.float32)
p("exp", r3(np.exp(x)))
p("log", r3(np.log(l13)))
p("log1p", r3(np.log1p(np.linspace(0, 1, 3, dtype=np.float32))))
p("expm1", r3(np.expm1(x)))
p("sqrt", np.sqrt(np.full(3, 4.0, np.float32)), r3(np.sqrt(l13)))
p("rsqrt", 1 / np.sqrt(np.full(2, 4.0, np.float32)), r3(1 / np.sqrt(l13)))
p("abs", np.abs(x))
p("sign", np.sign(x))
p("sin", r3(np.sin(x)))
p("cos", r3(np.cos(x)))
p("tanh", r3(np.tanh(x)))
p("sigmoid", r3(1 / (1 + np.exp(-x))))
p("relu", np.maximum(x, 0))
p("softplus", r3(np.logaddexp(x, np.float32(0))))
y = np.linspace(-1.75, 1.75, 8, dtype=np.float32)
p("floor", np.floor(y))
p("ceil", np.ceil(y))
p("round", np.round(np.arange(4).astype(np.float32) + np.float32(0.5)), np.round(y))
p("maximum", np.maximum(x, np.float32(0.5)))
p("minimum", np.minimum(x, np.zeros(5, np.float32)))
p("clip", np.clip(x, np.float32(-1), np.float32(1.5)))
p("where", np.where(x > 0, x, -x * np.float32(10)))
p("pow", np.power(x, np.float32(2)), np.power(np.float32(2), np.arange(4, dtype=np.int32)).astype(np.float32))

# ---- operators ----
p("add_broadcast", m + np.linspace(10, 30, 3, dtype=np.float32))
p("col_broadcast", m * np.linspace(1, 2, 2, dtype=np.float32).reshape(2, 1))
p("sub_div", (m - np.float32(1)) / np.float32(2))
p("power", x ** 2, np.float32(8.0))
p("neg", -m[0])
p("compare", x < 0, x == 0, x >= 1)
p("ne_le_gt", x != 0, x <= -1, x > 1)
p("logic", (x > -1.5) & (x < 1.5), (x < -1.5) | (x > 1.5), ~(x > 0))

# ---- reductions ----
p("sum", m.sum(), m.sum(0), m.sum(1))
p("sum_keepdims", m.sum(1, keepdims=True))
p("sum_axes", np.ones((2, 3, 4), np.float32).sum((0, 2)))
p("mean", m.mean(), m.mean(0))
p("mean_keepdims", m.mean(0, keepdims=True))
p("max", m.max(), m.max(1))
p("min", m.min(), m.min(0, keepdims=True))
p("prod", m.prod(), m.prod(1))


def logsumexp(v, axis=None):
    mx = v.max(axis, keepdims=True)
    out = np.log(np.exp(v - mx).sum(axis, keepdims=True)) + mx
    return out.squeeze(axis) if axis is not None else out.reshape(())


p("logsumexp", r3(logsumexp(m)), r3(logsumexp(m, 1)))
z = ((np.arange(6, dtype=np.int32) % 4).astype(np.float32) - 1).reshape(2, 3)
p("argmax", np.int32(z.argmax()), z.argmax(0).astype(np.int32), z.argmax(1).astype(np.int32))
p("argmin", np.int32(z.argmin()), z.argmin(0).astype(np.int32), z.argmin(1).astype(np.int32))
p("norm", np.linalg.norm(np.full(4, 0.5, np.float32)), r3(np.linalg.norm(m)), r3(np.linalg.norm(m, axis=1)))
p("negative_axis", m.sum(-1), m.max(-2))


# ---- neural nets ----
def softmax(v, axis=-1):
    e = np.exp(v - v.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


p("softmax", r3(softmax(m)))
p("softmax_axis0", r3(softmax(m, 0)))
p("log_softmax", r3(m - logsumexp(m, -1)[:, None]))
eye3 = np.eye(3, dtype=np.float32)
p("one_hot", eye3[np.arange(3) % 2])
# jax.nn.one_hot: an out-of-range label (-1) gives a row of zeros.
p("one_hot_labels", np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], np.float32))

# ---- complex ----
c = (np.linspace(1, 3, 3, dtype=np.float32) + 1j * np.linspace(-1, 1, 3, dtype=np.float32)).astype(np.complex64)
p("complex", c)
p("real_imag", c.real, c.imag)
p("conj", np.conj(c))
p("abs_c", np.abs(np.full(2, 3 + 4j, np.complex64)))
p("angle", r3(np.angle(c).astype(np.float32)))
p("imag_literal", (np.linspace(1, 2, 2, dtype=np.float32) + np.complex64(2j)).astype(np.complex64))
p("complex_mul", c * np.conj(c), c * np.complex64(2j))

# ---- casts ----
h = np.linspace(-1.5, 2.5, 5, dtype=np.float32)
p("cast_i32", h.astype(np.int32))
p("cast_f64", np.arange(3).astype(np.float64) / 3.0)
p("cast_bool", h.astype(bool))
p("cast_from_bool", (h > 0).astype(np.float32), (h > 0).astype(np.int32))
p("cast_c64", h.astype(np.complex64))
p("cast_i64", np.arange(3, dtype=np.int64) * 2)
