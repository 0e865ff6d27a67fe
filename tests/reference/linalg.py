"""Expected output of tests/programs/linalg.nest, computed with NumPy."""

import numpy as np
from common import p


def lin(a, b, n, dtype=np.float32):
    return np.linspace(a, b, n, dtype=dtype)


v = lin(1, 3, 3)
a = lin(1, 6, 6).reshape(2, 3)
b = lin(0, 5, 6).reshape(3, 2)
p("vec_vec", v @ v)
p("mat_vec", a @ v)
p("vec_mat", v @ b)
p("mat_mat", a @ b)
batch = lin(1, 12, 12).reshape(2, 2, 3)
p("batched", batch @ lin(1, 12, 12).reshape(2, 3, 2))
p("batched_broadcast", batch @ b)
p("dot", np.dot(v, v), np.dot(v, lin(-1, 1, 3)))
p("outer", np.outer(v, lin(1, 2, 2)))
sq = lin(1, 9, 9).reshape(3, 3)
p("trace", np.trace(sq))
p("diag_of_matrix", np.diag(sq))
p("diag_of_vector", np.diag(v))
ai = np.arange(4, dtype=np.int32).reshape(2, 2)
p("matmul_i32", ai @ ai)

l = np.array([[2, 0, 0], [1, 3, 0], [-1, 2, 1]], np.float32)
spd = l @ l.T
p("spd", spd)
p("cholesky", np.linalg.cholesky(spd))
x_true = lin(1, 3, 3)
p("triangular_solve", np.linalg.solve(l, l @ x_true))
p("triangular_solve_upper", np.linalg.solve(l.T, l.T @ x_true))
p("solve_pos", np.linalg.solve(spd, spd @ x_true))
rhs = np.stack([spd @ x_true, spd @ (x_true * 2)], 1)
p("solve_matrix_rhs_pos", np.linalg.solve(spd, rhs))
general = np.array([[-1, 0.5, 2.75], [4, 2, -1], [2, 3, 2.5]], np.float32)
p("solve", np.linalg.solve(general, general @ x_true))
p("solve_matrix_rhs", np.linalg.solve(general, np.stack([general @ x_true, x_true], 1)))
lower_spd = spd.copy()
lower_spd[0, 1] += 2
x_ns = np.linalg.solve(lower_spd, lower_spd @ x_true)
p("solve_nonsymmetric", np.round(x_ns * np.float32(10000)) / np.float32(10000))

spd64 = spd.astype(np.float64) + np.eye(3) * 0.5
x64 = np.linalg.solve(spd64, lin(1, 3, 3, np.float64))
p("solve_f64", np.round(x64 * 1e6) / 1e6)
p("residual_small", np.abs(spd64 @ x64 - lin(1, 3, 3, np.float64)).max() < 1e-9)
