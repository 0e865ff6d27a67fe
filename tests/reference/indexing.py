"""Expected output of tests/programs/indexing.nest, computed with NumPy."""

import numpy as np
from common import p

I = np.int32
m = np.arange(12, dtype=I).reshape(3, 4)
p("row", m[1])
p("element", m[1, 2])
p("negative", m[-1], m[-1, -1])
p("slice", m[0:2])
p("column", m[:, 0])
p("slice_2d", m[1:, 1:3])
p("open_end", m[:, 2:])
p("open_start", m[:2, :1])
p("negative_slice", m[-2:, :-2])
p("step", np.arange(10, dtype=I)[1:8:3], np.arange(6, dtype=I)[::2])
p("rank3", np.arange(24, dtype=I).reshape(2, 3, 4)[1, :, -1])
p("float_index", np.linspace(0, 1, 5, dtype=np.float32)[2])
p("index_of_expr", (m * 2)[2, 3])
p("transpose_index", m.T[1])
p("traced_index", m[2], m[0])
p("traced_negative", m[-1])
p("traced_2d", m[2, 1] + m[1, 2])
p("traced_column", m[:, 3])
