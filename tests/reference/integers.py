"""Expected output of tests/programs/integers.nest, computed with NumPy.

NumPy 2 makes a Python int outside int32's range int64 and computes Python
int arithmetic exactly, as nest does for integer literals; typed int32
arithmetic wraps. argmax/argmin of bool arrays order False < True.
"""

import numpy as np
from common import p

I, L = np.int32, np.int64

p("wide_literal", L(3000000000), I(-2147483648), L(2147483647 + 1))
p("i64_context", np.arange(2, dtype=L) + 3000000000, np.arange(2, dtype=L) * -2147483649)
p("powers", L(2**62), L((-2) ** 63), L(1), L(-1))
p("stack", np.array([1, 3000000000], L), np.full(2, 4000000000, L))
p("i32_min", I(-2147483648), np.arange(2, dtype=I) + I(-2147483648))
with np.errstate(over="ignore"):
    p("typed_wraps", I(2147483647) + I(1), np.arange(3, dtype=I) * I(1073741824))

p("i64_loop", L(sum(range(2999999990, 3000000000))), L(sum(range(5))))

b = np.arange(6) % 4 == 1
i32 = lambda x: np.asarray(x, I)
p("argmax_bool", i32(b.argmax()), i32(b.argmin()), i32((b < b).argmax()), i32((b | True).argmin()))
m = b.reshape(2, 3)
p("argmax_bool_axis", i32(m.argmax(0)), i32(m.argmin(1)), i32(m.argmax(1, keepdims=True)))
x = (np.arange(6) * 5 % 6).astype(np.float32).reshape(2, 3) / np.float32(5)
p("argmax_bool_traced", i32((x > 0.5).argmax(1)))
p("argmin_bool_vmap", i32(m.argmin(1)))
