"""Expected output of tests/programs/opt.nest: the optimizers of
stdlib/opt.nest written out in NumPy, following optax's update formulas.

Parameters are a dict {w: float32[4], v: float64[2]}; every update is applied
leaf by leaf in the leaf's dtype, as nest's leafwise arithmetic does. nest's
weak literals meet a leaf at the leaf's dtype, like NumPy 2's Python scalars;
the exceptions are written out: the step count is int32, so the bias
corrections 1 - b**t are float32 (as in optax), and `b1 ** count` is complex64.
Complex buffers take each leaf's width (complex64 beside the float32 leaf,
complex128 beside the float64 one), as a complex literal does; arithmetic
between literals alone is done in double precision, as Python's is.
nest computes each complex64 operation in complex128 and rounds the result
(`cmul`, ...); NumPy's complex64 kernels round the partial products instead.
"""

import numpy as np
from common import p

F = np.float32
D = np.float64
C = np.complex64


def cop(f):
    """A complex64 operation computed in complex128, then rounded."""
    return lambda x, y: C(f(np.complex128(x), np.complex128(y)))


Z = np.complex128


def wide(x):
    """Whether a leaf (or buffer) is 64-bit: its complex buffer is complex128."""
    return x.dtype in (D, Z)


def lop(f):
    """A complex operation at the width of the leaf `x`: complex128 arithmetic
    beside a float64 leaf, a complex64 operation (`cop`) beside a float32 one."""
    return lambda x, y: f(Z(x), Z(y)) if wide(x) or wide(y) else cop(f)(x, y)


def lit(v, like):
    """A complex literal meeting the leaf `like`: rounded to complex64 beside float32."""
    return Z(v) if wide(like) else C(v)


cmul = cop(lambda x, y: x * y)
cdiv = cop(lambda x, y: x / y)
csub = cop(lambda x, y: x - y)
cadd = cop(lambda x, y: x + y)


def tree(f, *trees):
    return {k: f(*(t[k] for t in trees)) for k in trees[0]}


a = {"w": F(0.5) + F(0.5) * np.arange(4, dtype=F), "v": 1.0 + np.arange(2, dtype=D)}
c = {"w": np.arange(4, dtype=F) - F(1.5), "v": 0.25 - 0.75 * np.arange(2, dtype=D)}
p0 = {"w": F(0.25) * np.arange(4, dtype=F), "v": np.arange(2, dtype=D) - 1.0}


def grad(params):
    """The gradient of ½ Σ a·(p − c)²."""
    return tree(lambda a_, p_, c_: a_ * (p_ - c_), a, params, c)


def sgd(lr):
    def step(params, grads, state):
        return tree(lambda p_, g: p_ - lr * g, params, grads), state

    return (lambda params: ()), step


def momentum(lr, beta):
    def step(params, grads, velocity):
        v = tree(lambda g, v_: g + beta * v_, grads, velocity)
        return tree(lambda p_, v_: p_ - lr * v_, params, v), v

    return (lambda params: tree(np.zeros_like, params)), step


def bias(b, count):
    """1 - b**t for a real b, in float32 (the count is int32)."""
    return F(1.0) - F(b) ** F(count)


def adam(lr, b1=0.9, b2=0.999, eps=1e-8):
    def init(params):
        zeros = tree(np.zeros_like, params)
        return {"count": np.int32(0), "mu": zeros, "nu": zeros}

    def step(params, grads, state):
        mu = tree(lambda g, m: (1.0 - b1) * g + b1 * m, grads, state["mu"])
        nu = tree(lambda g, n: (1.0 - b2) * (g * g) + b2 * n, grads, state["nu"])
        count = state["count"] + np.int32(1)
        c1, c2 = bias(b1, count), bias(b2, count)

        def update(p_, m, n):
            return p_ - lr * ((m / c1) / (np.sqrt(n / c2) + eps))

        return tree(update, params, mu, nu), {"count": count, "mu": mu, "nu": nu}

    return init, step


lmul = lop(lambda x, y: x * y)
ldiv = lop(lambda x, y: x / y)
lsub = lop(lambda x, y: x - y)
ladd = lop(lambda x, y: x + y)


def complex_zeros(params):
    return tree(lambda x: np.zeros(x.shape, Z if wide(x) else C), params)


def complex_momentum(lr, beta):
    def step(params, grads, mu):
        mu2 = tree(lambda m, g: lsub(lmul(lit(beta, m), m), lit(g, g)), mu, grads)
        return tree(lambda p_, m: p_ + lmul(lit(lr, m), m).real, params, mu2), mu2

    return complex_zeros, step


def complex_adam(lr, b1, b2=0.999, eps=1e-8):
    one_minus_b1 = 1 - b1  # literals alone compute in double precision

    def init(params):
        return {
            "count": np.int32(0),
            "mu": complex_zeros(params),
            "nu": tree(np.zeros_like, params),
        }

    def step(params, grads, state):
        mu = tree(
            lambda g, m: ladd(lmul(lit(one_minus_b1, g), lit(g, g)), lmul(lit(b1, m), m)),
            grads,
            state["mu"],
        )
        nu = tree(lambda g, n: (1.0 - b2) * (g * g) + b2 * n, grads, state["nu"])
        count = state["count"] + np.int32(1)
        c1 = csub(C(1), C(Z(C(b1)) ** count))
        c2 = bias(b2, count)

        def update(p_, m, n):
            return p_ - lr * (ldiv(m, c1).real / (np.sqrt(n / c2) + eps))

        return tree(update, params, mu, nu), {"count": count, "mu": mu, "nu": nu}

    return init, step


def run(label, optimizer, steps, show=None):
    init, step = optimizer
    params, state = p0, init(p0)
    for t in range(1, steps + 1):
        params, state = step(params, grad(params), state)
        p(label, np.int32(t), show(params) if show else params)
    return params, state


def r4(t):
    return tree(lambda x: np.round(x * x.dtype.type(10000)) / x.dtype.type(10000), t)


sgd_opt = sgd(0.1)
run("sgd", sgd_opt, 4)
run("momentum", momentum(0.1, 0.9), 5)
_, st = run("adam", adam(0.1), 5)
p("adam_state", st["count"], st["mu"], st["nu"])
run("adam_options", adam(0.05, b1=0.5, b2=0.9, eps=1e-3), 3)
_, mu = run("complex_momentum", complex_momentum(0.1, 0.6 + 0.4j), 5)
p("complex_momentum_state", tree(np.real, mu), tree(np.imag, mu))
# Complex powers and quotients round differently in NumPy, nest and XLA:
# rounded to 4 decimals.
_, cst = run("complex_adam", complex_adam(0.1, 0.6 + 0.4j), 5, show=r4)
mu_re, mu_im = tree(np.real, cst["mu"]), tree(np.imag, cst["mu"])
p("complex_adam_state", cst["count"], r4(mu_re), r4(mu_im), r4(cst["nu"]))
p("sgd_state", sgd_opt[0](p0))


def final(optimizer, steps):
    init, step = optimizer
    params, state = p0, init(p0)
    for _ in range(steps):
        params, state = step(params, grad(params), state)
    return params


p("complex_momentum_real_beta_is_momentum", final(momentum(0.05, 0.9), 200))
p("complex_adam_real_b1_is_adam", final(adam(0.05, b1=0.8), 200))
