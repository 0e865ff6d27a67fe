"""Test matrices for tests/programs/linalg_dense.nest, NumPy's results on
them, and the program's expected output.

    python3 linalg_dense.py > ../programs/linalg_dense.out

writes tests/programs/data/linalg/*.npy (matrices stored in f32 so that the
f32 and f64 checks read the same values; NumPy's results are computed in
f64 from those values). The program checks nest's routines against them as
LAPACK's own tests do: scaled residuals ‖A·V − V·Λ‖ / (n·ε·‖A‖) (ε the
machine epsilon of the dtype computed in) below 100, and results that agree
with NumPy's within what the conditioning of each problem allows. It prints
only those checks' booleans, so its output is the list below.

The matrices: random, ill-conditioned, defective-ish (Jordan blocks perturbed
by 1e-6) and with repeated eigenvalues, up to 64×64; the random 64×64 ones
are `jax.random.normal` draws that the program makes itself with the same key.
"""

from pathlib import Path

import jax
import numpy as np
import scipy.linalg

from common import p

EPS32 = float(np.finfo(np.float32).eps)
EPS64 = float(np.finfo(np.float64).eps)
data = Path(__file__).resolve().parent.parent / "programs" / "data" / "linalg"
data.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(2024)


def save(name, x):
    np.save(data / f"{name}.npy", np.asarray(x))


def orthogonal(n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def f32(x):
    """x rounded to f32, as f64: the values both checks read."""
    return np.asarray(x, np.float32).astype(np.float64)


def jordan(sizes, values):
    """Block diagonal Jordan blocks J_k(λ) (ones above the diagonal)."""
    n = sum(sizes)
    m = np.zeros((n, n))
    at = 0
    for k, lam in zip(sizes, values):
        m[at:at + k, at:at + k] = lam * np.eye(k) + np.eye(k, k=1)
        at += k
    return m


# ---- general eigenproblems: a batch of 32×32 matrices

n = 32
random_32 = rng.standard_normal((n, n))
ill = orthogonal(n) @ np.diag(np.logspace(0, -7, n)) @ orthogonal(n).T
q = orthogonal(n)
defective = q @ (jordan([6, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1], np.linspace(-2, 2, 11))
                 + 1e-6 * rng.standard_normal((n, n))) @ q.T
s = rng.standard_normal((n, n)) + 4 * np.eye(n)
repeated = s @ np.diag(np.repeat([1.0, -1.0, 2.0, 0.5], 8)) @ np.linalg.inv(s)
eig_batch = f32(np.stack([random_32, ill, defective, repeated]))
save("eig_batch", eig_batch.astype(np.float32))


def eigenvalue_tolerances(a, eps, trials=6):
    """How far the eigenvalues of a can move under perturbations of norm
    100·n·ε·‖a‖ (the backward error the residual check allows): 10 times the
    largest move seen over random perturbations, plus that norm, per
    eigenvalue. A defective eigenvalue of a Jordan block of size k moves by
    about that norm to the power 1/k, which this measures."""
    n = a.shape[0]
    size = 100 * n * eps * np.linalg.norm(a)
    mu = np.linalg.eigvals(a)
    moved = np.zeros(n)
    for _ in range(trials):
        e = rng.standard_normal((n, n))
        nu = np.linalg.eigvals(a + size * e / np.linalg.norm(e))
        moved = np.maximum(moved, np.abs(mu[:, None] - nu[None, :]).min(axis=1))
    return mu, 10 * moved + size


def save_eigenvalues(name, batch, eps, suffix=""):
    mus, tols = zip(*(eigenvalue_tolerances(a, eps) for a in batch))
    save(f"{name}_re", np.real(mus))
    save(f"{name}_im", np.imag(mus))
    save(f"{name}_tol{suffix}", np.array(tols))


save_eigenvalues("eig_batch", eig_batch, EPS32)
save_eigenvalues("eig_batch", eig_batch, EPS64, "64")
key = jax.random.key(7)
random_64 = np.asarray(jax.random.normal(key, (64, 64)), np.float64)
save_eigenvalues("eig_64", random_64[None], EPS32)

# ---- symmetric eigenproblems

sym_random = rng.standard_normal((n, n))
sym_random = sym_random + sym_random.T
q = orthogonal(n)
sym_ill = q @ np.diag(np.logspace(0, -9, n) * np.tile([1, -1], n // 2)) @ q.T
q = orthogonal(n)
sym_repeated = q @ np.diag(np.repeat([-1.0, 0.0, 1.0, 3.0], 8)) @ q.T
sym_batch = f32(np.stack([sym_random, sym_ill, sym_repeated]))
sym_batch = 0.5 * (sym_batch + sym_batch.transpose(0, 2, 1))
save("sym_batch", sym_batch.astype(np.float32))
save("sym_batch_w", np.linalg.eigvalsh(sym_batch))
g = np.asarray(jax.random.normal(jax.random.key(8), (64, 64)), np.float64)
save("sym_64_w", np.linalg.eigvalsh(g + g.T))

# ---- singular values: tall 40×24 matrices (and their transposes)

m, k = 40, 24
svd_random = rng.standard_normal((m, k))
svd_ill = orthogonal(m)[:, :k] @ np.diag(np.logspace(0, -8, k)) @ orthogonal(k)
svd_rank = rng.standard_normal((m, 10)) @ rng.standard_normal((10, k))
svd_batch = f32(np.stack([svd_random, svd_ill, svd_rank]))
save("svd_batch", svd_batch.astype(np.float32))
save("svd_batch_s", np.linalg.svd(svd_batch, compute_uv=False))

# ---- linear systems: random, ill-conditioned, and one that needs pivoting
# (a tiny diagonal)

lin_random = rng.standard_normal((n, n))
lin_ill = orthogonal(n) @ np.diag(np.logspace(0, -5, n)) @ orthogonal(n).T
pivoting = rng.standard_normal((n, n))
np.fill_diagonal(pivoting, 1e-7)
lin_batch = f32(np.stack([lin_random, lin_ill, pivoting]))
rhs = f32(rng.standard_normal((3, n, 2)))
save("lin_batch", lin_batch.astype(np.float32))
save("lin_rhs", rhs.astype(np.float32))
save("lin_x", np.linalg.solve(lin_batch, rhs))
save("lin_cond", np.linalg.cond(lin_batch))
sign, logdet = np.linalg.slogdet(lin_batch)
save("lin_sign", sign)
save("lin_logdet", logdet)
save("lin_perm", np.stack([np.argmax(scipy.linalg.lu(a)[0], axis=0) for a in lin_batch]).astype(np.int32))

# ---- the expected output: every check holds

yes3 = np.array([True] * 3)
yes4 = np.array([True] * 4)
p("eig_residual", yes4)
p("eig_unit_vectors", yes4)
p("eig_matches_numpy", yes4)
p("eig_f64", (True, True, True))
p("eig_64", (True, True, True))
p("eigh_residual", yes3)
p("eigh_orthogonal", yes3)
p("eigh_matches_numpy", yes3)
p("eigh_f64", (True, True, True))
p("eigh_64", (True, True, True))
p("svd_residual", yes3)
p("svd_orthogonal", yes3)
p("svd_matches_numpy", yes3)
p("svd_f64", (True, True, True))
p("solve_backward_error", yes3)
p("solve_matches_numpy", yes3)
p("inv_residual", yes3)
p("lu_residual", yes3)
p("slogdet_matches_numpy", yes3)
p("lu_pivots_match_scipy", yes3)
