"""Expected output of tests/programs/linalg_small.nest: NumPy's and SciPy's
linalg routines on small matrices, with nest's conventions applied where
NumPy leaves things open: eigenvalues sorted by real part (then imaginary
part), each eigenvector and each right singular vector with its entry of
largest magnitude real and positive, NaN for non-finite input."""

import numpy as np
import scipy.linalg

from common import p

F, D, C = np.float32, np.float64, np.complex64
nan = F(np.nan)


def r4(x):
    """Rounded to a multiple of 2⁻¹⁰, −0 made 0, as `r4` in the program."""
    x = np.asarray(x)
    k = x.dtype.type(1024.0)
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
upper3 = np.array([[1, 2, 3], [0, 4, 5], [0, 0, 6]], F)
hermitian = np.array([[2, 1, 0], [1, 3, 0], [0, 0, 1]]) + 1j * np.array([[0, 1, 0], [-1, 0, 0.5], [0, -0.5, 0]])
sym = np.array([[2, 1, 0], [1, 3, 1], [0, 1, 5]], F)
a3 = np.array([[1, 2, 0], [3, 1, -1], [0, 2, 2]], F)
singular = np.array([[1, 2, 3], [2, 4, 6], [1, 0, 1]], F)
cnan = np.full(3, complex(np.nan, 0), C)

p("eig_spiral", c4(by_real(np.linalg.eigvals(spiral.astype(D))).astype(C)))
w3, v3 = np.linalg.eig(upper3.astype(D))
p("eig_triangular", w3.astype(C), c4(phase_fixed(v3).astype(C)))
p("eig_jordan_block", np.array([2, 2, 2], C), np.array([1, 0, 0], C))
p("eig_hermitian", c4(by_real(np.linalg.eigvals(hermitian)).astype(C)))
p("eig_nonfinite", cnan, cnan)
p("eigvals", c4(by_real(np.linalg.eigvals(spiral.astype(D))).astype(C)),
  "f64", c4(by_real(np.linalg.eigvals(spiral.astype(D)))))
p("eig_1x1", (np.array([-2.5], C), np.array([[1]], C)))

wh, vh = np.linalg.eigh(sym.astype(D))
p("eigh", r4(wh.astype(F)), r4(np.real(phase_fixed(vh)).astype(F)))
p("eigh_reads_the_symmetric_part", r4(wh.astype(F)), "nonfinite", np.full(3, nan))
rect = np.array([[3, 0], [0, -2], [0, 0]], F)


def svd_fixed(a, full):
    """NumPy's SVD with each right singular vector's largest entry positive
    (each left one's, for a wide matrix: nest computes it as its transpose)."""
    if a.shape[0] < a.shape[1]:
        s, u, vt = svd_fixed(a.T, full)
        return s, vt.T, u.T
    u, s, vt = np.linalg.svd(a.astype(D), full_matrices=full)
    v = phase_fixed(vt.T)
    flip = np.sign(np.sum(v * vt.T, axis=0))
    u = u.copy()
    u[:, :len(s)] *= flip
    return s.astype(F), r4(u.astype(F)), r4(v.T.astype(F))


p("svd", *svd_fixed(rect, True))
p("svd_wide_reduced", *svd_fixed(rect.T, False))
values = [np.linalg.svd(m.astype(D), compute_uv=False) for m in [np.zeros((3, 3)), sym, singular]]
p("svd_values", r4(np.stack(values + [np.full(3, np.nan)]).astype(F)))

p("scaled", *[True] * 6)

pp, ll, uu = scipy.linalg.lu(a3.astype(D))
p("lu", pp.astype(F), r4(ll.astype(F)), r4(uu.astype(F)))
p("lu_singular", scipy.linalg.lu(singular)[2] + F(0), "nonfinite", np.full((3, 3), nan), np.full((3, 3), nan))
p("lu_wide", r4(scipy.linalg.lu(a3[:2].astype(D))[2].astype(F)),
  "lu_tall", r4(scipy.linalg.lu(a3[:, :2].astype(D))[1].astype(F)))
sign, logdet = np.linalg.slogdet(a3.astype(D))
p("det", r4(np.array([np.linalg.det(a3.astype(D)), 0, np.nan, np.nan], F)),
  "slogdet", (r4(np.array([sign, 0, np.nan, np.nan], F)), r4(np.array([logdet, -np.inf, np.nan, np.nan], F))))
p("inv", r4(np.stack([np.linalg.inv(a3.astype(D)), *[np.full((3, 3), np.nan)] * 3]).astype(F)))
p("solve", r4(np.stack([np.linalg.solve(a3.astype(D), [1, 2, 3]), *[np.full(3, np.nan)] * 3]).astype(F)))
p("solve_pos", r4(np.linalg.solve(sym.astype(D), [1, 2, 3]).astype(F)))
p("solve_complex", c4(np.linalg.solve(hermitian, [1, 1j, 2]).astype(C)))
sign_c, logdet_c = np.linalg.slogdet(hermitian)
p("det_complex", c4(C(np.linalg.det(hermitian))), "slogdet_complex", c4(C(sign_c)), r4(F(logdet_c)))
p("det_int", F(3))
p("batched_agrees_with_loop", True, (4, 3, 2))
