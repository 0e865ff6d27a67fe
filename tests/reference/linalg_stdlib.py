"""Expected output of tests/programs/linalg_stdlib.nest: the functions of
stdlib/linalg.nest (and the builtins `solve` and `eigh`) computed with
NumPy's LAPACK routines (solve, eigh, qr), closed forms, and textbook CG
and Lanczos written out here. Results are float64, rounded to 5 decimals as
the program rounds them.
"""

import numpy as np
from common import p

D = np.float64


def r5(x):
    if isinstance(x, dict):
        return {k: r5(v) for k, v in x.items()}
    # + 0.0 turns LAPACK's -0.0 into the 0.0 nest computes.
    return np.round(np.asarray(x, D) * 100000.0) / 100000.0 + 0.0


a = np.array([[4, 1, 0, 1], [1, 3, 1, 0], [0, 1, 2, 1], [1, 0, 1, 5]], D)
b = np.array([1, 2, 3, 4], D)
assert np.allclose(np.linalg.eigvalsh(a), [1, 3, 4, 6])

# ---- neumann_solve ----

# THESIS.md §2(a): the hypergradient with i terms is 3/64·(1 − 0.6^(i+1)).
for i in range(4):
    p("neumann_hypergradient", np.int32(i), r5(3 / 64 * (1 - 0.6 ** (i + 1))))
p("neumann_hypergradient_limit", r5(3 / 64))


def neumann_series(m, rhs, terms, alpha):
    """alpha · Σ_{j=0..terms} (I − alpha·m)^j · rhs, term by term."""
    step = np.eye(len(rhs)) - alpha * m
    return alpha * sum(np.linalg.matrix_power(step, j) @ rhs for j in range(terms + 1))


p("neumann_three_terms", r5(neumann_series(a, b, 3, 0.25)))
exact = np.linalg.solve(a, b)
p("neumann_solve", r5(exact))
d = np.array([2, 3], D)
s_rhs = np.array([1, -1], D)
tree_solution = {"u": exact, "s": s_rhs / d}
p("neumann_tree", r5(tree_solution))

# ---- cg_solve ----


def cg(m, rhs, iters, tol):
    x = np.zeros_like(rhs)
    r = rhs.copy()
    direction = rhs.copy()
    rr = r @ r
    k = 0
    while k < iters and np.sqrt(rr) > tol:
        ad = m @ direction
        step = rr / (direction @ ad)
        x = x + step * direction
        r = r - step * ad
        rr_next = r @ r
        direction = r + (rr_next / rr) * direction
        rr = rr_next
        k += 1
    return x, k


p("cg_solve", r5(cg(a, b, 4, 0.0)[0]))
p("cg_tree", r5(tree_solution))
x_early, steps = cg(a, b, 100, 0.5)
assert 0 < steps < 4, steps
p("cg_early_stop", r5(x_early), np.linalg.norm(b - a @ x_early) <= 0.5)

# ---- power_iteration ----

values, vectors = np.linalg.eigh(a)
top_vector = vectors[:, -1] * np.sign(vectors[:, -1] @ b)
p("power_iteration", r5(values[-1]), r5(top_vector))
p("power_iteration_negative", r5(-values[-1]))
p("power_iteration_tree", r5(D(7)), {"u": r5(np.zeros(4)), "s": r5(D(1))})

# ---- lanczos ----


def lanczos(m, v0, k):
    """Lanczos with full reorthogonalization: T = Vᵀ m V, tridiagonal."""
    basis = np.zeros((len(v0), k))
    t = np.zeros((k, k))
    v = v0 / np.linalg.norm(v0)
    for j in range(k):
        basis[:, j] = v
        w = m @ v - (t[j - 1, j] * basis[:, j - 1] if j > 0 else 0)
        t[j, j] = v @ w
        w = w - t[j, j] * v
        for _ in range(2):
            w = w - basis[:, : j + 1] @ (basis[:, : j + 1].T @ w)
        if j + 1 < k:
            t[j, j + 1] = t[j + 1, j] = np.linalg.norm(w)
            v = w / t[j, j + 1]
    return t, basis


t, _ = lanczos(a, b, 4)
p("lanczos_t", r5(t))
p("lanczos_ritz_values", r5(np.linalg.eigvalsh(t)))
t2, _ = lanczos(a, b, 2)
p("lanczos_k2", r5(t2), (4, 2))

# ---- qr ----

tall = a[:, :3]
wide = a[:3, :] + np.outer(np.linspace(0, 1, 3, dtype=np.float32), np.ones(4)).astype(D)
for which, m in enumerate([a, tall, wide]):
    q, r = np.linalg.qr(m)
    p("qr", np.int32(which), r5(q), r5(r))

# ---- eigh (a builtin) ----


def largest_entry_positive(vectors):
    """Each column times the sign of its entry of largest magnitude."""
    mags = np.sort(np.abs(vectors), axis=0)
    assert np.all(mags[-1] - mags[-2] > 1e-3), "a near tie would make the sign ambiguous"
    picked = vectors[np.argmax(np.abs(vectors), axis=0), np.arange(vectors.shape[1])]
    return vectors * np.sign(picked)


s = np.array(
    [
        [2, -1, 0, 0.5, 1],
        [-1, 3, 1, 0, 0],
        [0, 1, -2, 1, 0.5],
        [0.5, 0, 1, 1, -1],
        [1, 0, 0.5, -1, 0],
    ],
    D,
)
values, vectors = np.linalg.eigh(s)
p("eigh_values", r5(values))
p("eigh_vectors", r5(largest_entry_positive(vectors)))
p("eigh_f32", np.round(np.linalg.eigvalsh(a.astype(np.float32)) * 1000) / 1000)
p("eigh_diagonal", np.array([-1, 2, 3], np.float32), np.eye(3, dtype=np.float32)[[1, 2, 0]].T)

# ---- gmres_solve ----

g = np.array([[4, 1, -2, 0.5], [0, 3, 1, -1], [1.5, -1, 5, 1], [-0.5, 2, 0, 3]], D)
assert np.all(np.linalg.eigvals(g).imag != 0) and np.linalg.cond(g) < 2


def min_residual(m, rhs, k):
    """The x in the Krylov space span{rhs, m·rhs, …, m^(k−1)·rhs} minimizing
    ‖rhs − m·x‖: the k-th GMRES iterate from 0, by least squares on the
    Krylov matrix itself (no Arnoldi)."""
    krylov = np.column_stack([np.linalg.matrix_power(m, j) @ rhs for j in range(k)])
    coefficients = np.linalg.lstsq(m @ krylov, rhs, rcond=None)[0]
    return krylov @ coefficients


x_g = np.linalg.solve(g, b)
p("gmres_solve", r5(x_g))
residuals = [np.linalg.norm(b - g @ min_residual(g, b, k)) for k in range(1, 5)]
assert all(r1 > r2 for r1, r2 in zip(residuals, residuals[1:])), residuals
for k, residual in enumerate(residuals, 1):
    p("gmres_residual", np.int32(k), r5(residual))
p("gmres_no_steps", np.zeros(4))
stop = next(k for k, residual in enumerate(residuals, 1) if residual <= 0.5)
assert stop == 3, stop
x_stop = min_residual(g, b, stop)
p("gmres_early_stop", r5(x_stop), np.linalg.norm(b - g @ x_stop) <= 0.5)
p("gmres_more_steps", r5(x_g))


def r3_f32(x):
    x = np.asarray(x, np.float32)
    return np.round(x * np.float32(1000)) / np.float32(1000)


p("gmres_f32", r3_f32(x_g))

u = np.array([1, 0, 1, -1], D)
w = np.array([2, -1, 0, 0], D)
assert w @ b == 0
p("gmres_eigenvector", r5(np.linalg.solve(2 * np.eye(4) + np.outer(u, w), b)))
e1 = np.array([0, 2, 0, 0], D)
p("gmres_identity", e1, e1.astype(np.float32))
eigenbasis = g + 0.1 * np.eye(4)
p("gmres_near_eigenvector", r5(eigenbasis[:, 1] / 0.7))
p("gmres_zero", np.zeros(4))

# ---- solve (a builtin) ----

p("solve", r5(x_g))
p("solve_matrix", r5(np.linalg.solve(g, np.stack([b, u], 1))))
p("solve_f32", r3_f32(x_g))
x_u = np.linalg.solve(g, u)
p("solve_in_fn", r5(x_u), r5(x_u))

c = np.array([1, -1, 0.5, 2], D)
adjoint = np.linalg.solve(g.T, c)
p("solve_grad", r5(adjoint), r5(-np.outer(adjoint, x_g)))
p("gmres_grad", r5(adjoint), r5(-np.outer(adjoint, x_g)))
