"""Expected output of tests/programs/linalg_small.nest: NumPy's and SciPy's
linalg routines on small matrices, with nest's conventions applied where
NumPy leaves things open: eigenvalues sorted by real part (then imaginary
part), each eigenvector and each right singular vector with its entry of
largest magnitude real and positive."""

import numpy as np
import scipy.linalg

from common import p

F, D = np.float32, np.float64


def r4(x):
    x = np.asarray(x)
    k = x.dtype.type(10000.0) if x.dtype.kind == "f" else 10000.0
    return np.round(x * k) / k + x.dtype.type(0.0)


def c4(z):
    z = np.asarray(z)
    return (r4(z.real) + 1j * r4(z.imag)).astype(z.dtype)


def by_real(w):
    return w[np.argsort(w.real + 0.001 * w.imag, kind="stable")]


def phase_fixed(v):
    """Columns with their entry of largest magnitude real and positive."""
    big = v[np.argmax(np.abs(v), axis=0), np.arange(v.shape[1])]
    return v * (np.conj(big) / np.abs(big))


c, s = np.cos(F(0.3)), np.sin(F(0.3))
spiral = np.array([[F(1.005) * c, -F(1.005) * s, 0.5], [F(1.005) * s, F(1.005) * c, 0.25], [0, 0, 0.9]], F)
w = np.linalg.eigvals(spiral.astype(D))
p("eigvals_spiral", c4(by_real(w).astype(np.complex64)), r4(F(np.abs(w).max())))
upper3 = np.array([[1, 2, 3], [0, 4, 5], [0, 0, 6]], F)
w3, v3 = np.linalg.eig(upper3.astype(D))
p("eig_triangular", w3.astype(np.complex64), c4(phase_fixed(v3.astype(np.complex64))))
p("eig_jordan_block", np.array([2, 2, 2], np.complex64), np.array([1, 0, 0], np.complex64))
p("eig_1x1", (np.array([-2.5], np.complex64), np.array([[1]], np.complex64)))
hermitian = (np.array([[2, 1, 0], [1, 3, 0], [0, 0, 1]]) + 1j * np.array([[0, 1, 0], [-1, 0, 0.5], [0, -0.5, 0]]))
p("eigvals_complex", c4(by_real(np.linalg.eigvals(hermitian)).astype(np.complex64)))
p("eigvals_f64", c4(by_real(np.linalg.eigvals(spiral.astype(D)))))

sym = np.array([[2, 1, 0], [1, 3, 1], [0, 1, 5]], F)
wh, vh = np.linalg.eigh(sym.astype(D))
p("eigh", r4(wh.astype(F)), r4(np.real(phase_fixed(vh)).astype(F)))
p("eigh_reads_the_symmetric_part", r4(wh.astype(F)))
rect = np.array([[3, 0], [0, -2], [0, 0]], F)
u, s, v_h = np.linalg.svd(rect.astype(D))
v = phase_fixed(v_h.T)
flip = np.sign(np.sum(v * v_h.T, axis=0))
u = u.copy()
u[:, :2] *= flip
p("svd", s.astype(F), r4(u.astype(F)), r4(v.T.astype(F)))
p("svd_reduced_shapes", (3, 2), (2, 3))
p("svd_values_only", np.zeros(3, F), r4(np.linalg.svd(sym.astype(D), compute_uv=False).astype(F)))

a3 = np.array([[1, 2, 0], [3, 1, -1], [0, 2, 2]], F)
pp, ll, uu = scipy.linalg.lu(a3.astype(D))
p("lu", pp.astype(F), r4(ll.astype(F)), r4(uu.astype(F)))
p("lu_wide", r4(scipy.linalg.lu(a3[:2].astype(D))[2].astype(F)),
  "lu_tall", r4(scipy.linalg.lu(a3[:, :2].astype(D))[1].astype(F)))
sign, logdet = np.linalg.slogdet(a3.astype(D))
p("det", r4(F(np.linalg.det(a3.astype(D)))), "slogdet", r4(F(sign)), r4(F(logdet)))
p("inv", r4(np.linalg.inv(a3.astype(D)).astype(F)))
p("solve", r4(np.linalg.solve(a3.astype(D), [1, 2, 3]).astype(F)))
p("solve_pos", r4(np.linalg.solve(sym.astype(D), [1, 2, 3]).astype(F)))
h = hermitian
p("solve_complex", c4(np.linalg.solve(h, [1, 1j, 2]).astype(np.complex64)))
sign_c, logdet_c = np.linalg.slogdet(h)
p("det_complex", c4(np.complex64(np.linalg.det(h))), "slogdet_complex", c4(np.complex64(sign_c)),
  r4(F(logdet_c)))
p("det_int", F(3))

singular = np.array([[1, 2, 3], [2, 4, 6], [1, 0, 1]], F)
p("singular_lu", scipy.linalg.lu(singular)[2] + F(0), "det", F(0), "slogdet", (F(0), F(-np.inf)))
nan = F(np.nan)
p("singular_solve", np.full(3, nan), "inv", np.full((3, 3), nan))
p("singular_svd", r4(np.linalg.svd(singular.astype(D), compute_uv=False).astype(F)))
cnan = np.full(3, complex(np.nan, 0), np.complex64)
p("nonfinite", nan, np.full(3, nan), np.full(3, nan), cnan, np.full(3, nan))
p("infinite", nan, cnan, np.full(3, nan))
p("batched_agrees_with_loop", True, (3, 3, 2), (2, 3, 3, 3))
