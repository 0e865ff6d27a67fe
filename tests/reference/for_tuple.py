"""Expected output of tests/programs/for_tuple.nest: the same loops in NumPy."""

import numpy as np
from common import p

F, I = np.float32, np.int32

for x in (np.ones(2, F), F(2.5), np.arange(3, dtype=I)):
    p("element", x * (F(2) if x.dtype == F else I(2)))
p("list total", F(1.0 + 2.0 + 3.0))


def sum_of_squares(leaves):
    return F(sum(F((np.asarray(t, F) ** 2).sum()) for t in (*leaves, F(1.5))))


p("traced", sum_of_squares((np.ones(3, F), np.arange(4, dtype=F))))
p("grad", (2 * 2 * np.ones(3, F), 2 * np.arange(2, dtype=F)))
p("vmap", np.array([sum_of_squares((np.ones(3, F), np.ones(2, F)))] * 4, F))
p("nested", F((F(1.5) * F(2.0)) ** 3))
for name in ("first", "second"):
    p("main", name)
