"""Expected output of tests/programs/loops.nest: the same loops in NumPy."""

import numpy as np
from common import p, r3

F, I = np.float32, np.int32

x = np.linspace(1, 4, 4, dtype=F)
p("sum_of_squares", (x * x).sum())
p("cumulative", np.cumsum(x))
p("traced_bound", I(sum(range(5))), I(0), I(0))
m = np.linspace(1, 6, 6, dtype=F).reshape(2, 3)
p("nested_loops", F(sum(m[i, j] * (i + j) for i in range(2) for j in range(3))))


def halvings(v):
    v, n = F(v), 0
    while v > 1:
        v, n = v / F(2), n + 1
    return I(n)


p("while", halvings(100), halvings(0.5))


def newton(a):
    a = F(a)
    x, iters = a, 0
    while abs(x * x - a) > F(1e-4) * a and iters < 50:
        x, iters = F(0.5) * (x + a / x), iters + 1
    return (r3(x), I(iters))


p("newton", newton(2.0), newton(9.0))

y = np.linspace(1, 3, 3, dtype=F)
for k in range(2):
    y = (y * F(3) - F(1)) / F(2) + F(k)
p("compound", y)
p("record_carry", {"w": np.full(2, 16 * 0.75**2, F), "b": F(4 * 0.75**2)})
p("if_in_loop", I((np.linspace(-1, 1, 5, dtype=F) > 0.2).sum()))

w = F(10)
for _ in range(5):
    w = w - F(0.5) * w
p("host_for", w)
p("host_while", I(3))
v = ((np.ones(2, F) * 4 - 1) / 2) + 1
p("host_compound", v)
p("host_calls", I(sum(sum(range(i)) for i in range(2, 6))))
