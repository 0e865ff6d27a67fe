"""Expected output of tests/programs/hyper_ift.nest: the hypergradients of
THESIS.md §2 in closed form, with NumPy (float64)."""

import numpy as np
from common import p, f32


def r4(x):
    return np.round(np.asarray(x, dtype=np.float64) * 10000.0) / 10000.0


def neumann(H, v, iters, alpha):
    term = v.copy()
    total = v.copy()
    for _ in range(iters):
        term = term - alpha * (H @ term)
        total = total + term
    return alpha * total


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# ---- scalar: w* = 1/4, H = 4, ∂²L_T/∂w∂λ = e^λ w = 3/4, v = w − 1/2 = −1/4.
H1, mixed1, v1 = 4.0, 0.75, -0.25
def hg1(p_):
    return -mixed1 * p_
g0 = hg1(0.1 * v1)
g1 = hg1(0.1 * (v1 + (1 - 0.4) * v1))
exact1 = 3.0 / 64.0
p("scalar: neumann 0, 1, 100 terms, exact", f32(g0), f32(g1), f32(exact1), f32(exact1))
p("scalar: unrolled 1, 2, 200 steps, last 2 of 200", f32(g0), f32(g1), f32(exact1), f32(g1))
p("scalar, traced counts: neumann 1 term, unrolled 2 steps", f32(g1), f32(g1))
# Re-solving from w* returns w*: finite differences of the closed form
# L_V(1/(1 + e^λ)), whose derivative is the exact hypergradient.
p("scalar check, neumann 1 term: exact, fd, cosines", f32(r4(exact1)), f32(r4(exact1)), f32(1.0), f32(1.0))

# ---- ridge regression with per-weight decay
i = np.arange(50, dtype=np.float64)[:, None]
j = np.arange(6, dtype=np.float64)[None, :]
xs = np.sin(0.9 * i + 1.7 * j + 0.3) + 0.5 * np.cos(0.37 * i * j)
ys = xs @ np.array([1.0, -2.0, 0.5, 0.0, 1.5, -1.0]) + 0.3 * np.sin(2.3 * i[:, 0])
x, y = xs[:30], ys[:30]
xv, yv = xs[30:], ys[30:] + 0.2
lam = np.linspace(-3.0, 0.0, 6)
H = x.T @ x / 30 + np.diag(np.exp(lam))
w = np.linalg.solve(H, x.T @ y / 30)
v = xv.T @ (xv @ w - yv) / 20
mixed = np.exp(lam) * w
exact = -mixed * np.linalg.solve(H, v)
alpha = 1.0 / np.linalg.eigvalsh(H)[-1]
p("ridge: exact hypergradient", f32(r4(exact)))
p("ridge: exact, cosines to exact and to finite differences", f32(r4(1.0)), f32(r4(1.0)))
trend = [cosine(-mixed * neumann(H, v, k, alpha), exact) for k in (0, 1, 5, 20)]
p("ridge: neumann 0, 1, 5, 20 terms, cosine to exact", f32(r4(trend)))


def cg(A, b, iters):
    xk = np.zeros_like(b)
    r = b.copy()
    d = r.copy()
    for _ in range(iters):
        Ad = A @ d
        a = (r @ r) / (d @ Ad)
        xk = xk + a * d
        rn = r - a * Ad
        d = rn + (rn @ rn) / (r @ r) * d
        r = rn
    return xk


p("ridge: cg 6 steps, cosine to exact", f32(r4(cosine(-mixed * cg(H, v, 6), exact))))
