"""Expected output of tests/programs/trees.nest, computed with NumPy.

Tuples are Python tuples and records are dicts; `p` formats both as nest does.
Weak scalars (literals) become float32/int32 NumPy scalars.
"""

import numpy as np
from common import p

F = np.float32
I = np.int32


def lin(a, b, n):
    return np.linspace(a, b, n, dtype=F)


t = (lin(1, 2, 2), I(3))
p("tuple", t)
p("tuple_index", t[0], t[1])
p("destructured", t[0], t[1])
p("wildcard", t[1])
nested = (I(1), (F(2.5), np.arange(2, dtype=I)))
p("nested", nested)
p("nested_index", nested[1][0], nested[1][1])
p("nested_pattern", nested[0], nested[1][0])

pr = {"w": lin(1, 3, 3), "b": F(0.5)}
p("record", pr)
p("fields", pr["w"], pr["b"])
p("shorthand", {"w": np.ones(2, F), "b": F(2.0)})
p("renamed", pr["w"], pr["b"])
p("record_pattern", np.zeros(2, F), np.ones(2, F))
p("record_in_tuple", (pr["b"], {"k": np.arange(2, dtype=I)}))

g = {"w": np.ones(3, F), "b": F(1.0)}
p("tree_sub", {k: pr[k] - F(0.5) * g[k] for k in pr})
p("tree_scale", {k: pr[k] * F(2) for k in pr})
p("tree_tree", {k: pr[k] + pr[k] for k in pr})
p("tuple_arith", (F(3.0), np.ones(2, F) * F(3)))

x23 = lin(1, 6, 6).reshape(2, 3)
p("predict", x23 @ pr["w"] + pr["b"])
p("record_result", {"w": pr["w"] / F(2), "b": pr["b"] - F(1)})
p("tuple_result", (lin(0, 1, 3), I(1)))

p("annotated", lin(1, 6, 6).reshape(3, 2) @ np.ones(2, F) + F(0.5))

p("lambda", np.arange(3, dtype=I) * F(2.0))
p("capture", np.ones(2, F) * F(3))
p("lambda_block", F(9.0))
p("higher_order", np.ones(2, F) * 4)
p("inline_lambda", np.arange(2, dtype=I) + 2)

p("block", F(5.0))
p("if_host", I(1), I(2))
p("if_host_tensor", np.arange(2, dtype=I))
p("if_traced", F(2.5), F(0.0))
p("else_if", F(-1.0), F(0.0), F(1.0))
p("if_tree", pr["w"], pr["w"] * F(0) + pr["b"])
p("return", (np.arange(3, dtype=I) + F(1.0)) * F(2.0))

p("captured_global", np.zeros(2, F) + lin(1, 2, 2))
