"""Expected output of tests/programs/hyper_alternate.nest: THESIS Alg. 1 run
step by step with NumPy (float64), hypergradients in closed form."""

import numpy as np
from common import p, f32


def r4(x):
    return np.round(np.asarray(x, dtype=np.float64) * 10000.0) / 10000.0


def neumann(matvec, v, iters, alpha):
    term, total = v, v
    for _ in range(iters):
        term = term - alpha * matvec(term)
        total = total + term
    return alpha * total


# ---- scalar: L_T = ½(w − 1)² + ½e^λ w², L_V = ½(w − 0.5)².
def scalar(unrolled):
    w, lam = 0.0, np.log(3.0)
    vals, trains = [], []
    for _ in range(20):
        d = 0.0  # dw/dλ through this round's steps (unrolled)
        for _ in range(10):
            d = d - 0.1 * ((1 + np.exp(lam)) * d + np.exp(lam) * w)
            w = w - 0.1 * ((w - 1) + np.exp(lam) * w)
        vals.append(0.5 * (w - 0.5) ** 2)
        trains.append(0.5 * (w - 1) ** 2 + 0.5 * np.exp(lam) * w * w)
        if unrolled:
            g = (w - 0.5) * d
        else:
            pv = neumann(lambda u: (1 + np.exp(lam)) * u, w - 0.5, 20, 0.1)
            g = -np.exp(lam) * w * pv
        lam = lam - 5.0 * g
    return w, lam, vals, trains


w, lam, vals, trains = scalar(False)
p("scalar: w, lam after 20 rounds", f32(r4(w)), f32(r4(lam)))
p("scalar: validation loss, rounds 0, 5, 19", f32(r4(np.array([vals[0], vals[5], vals[19]]) * 1000.0)))
p("scalar: training loss, rounds 0, 19", f32(r4(np.array([trains[0], trains[19]]))))
p("scalar: lam after 20 rounds, unrolled", f32(r4(scalar(True)[1])))

# ---- ridge regression with per-weight decay; Adam (optax's) on the decays.
i = np.arange(50, dtype=np.float64)[:, None]
j = np.arange(6, dtype=np.float64)[None, :]
xs = np.sin(0.9 * i + 1.7 * j + 0.3) + 0.5 * np.cos(0.37 * i * j)
ys = xs @ np.array([1.0, -2.0, 0.5, 0.0, 1.5, -1.0]) + 0.3 * np.sin(2.3 * i[:, 0])
x, y = xs[:30], ys[:30]
xv, yv = xs[30:], ys[30:] + 0.2
w = np.zeros(6)
lam = np.linspace(-3.0, 0.0, 6)
m, v = np.zeros(6), np.zeros(6)
vals = []
for t in range(1, 31):
    for _ in range(20):
        w = w - 0.3 * (x.T @ (x @ w - y) / 30 + np.exp(lam) * w)
    vals.append(0.5 * np.mean((xv @ w - yv) ** 2))
    H = x.T @ x / 30 + np.diag(np.exp(lam))
    g = -np.exp(lam) * w * np.linalg.solve(H, xv.T @ (xv @ w - yv) / 20)
    m = 0.1 * g + 0.9 * m
    v = 0.001 * g * g + 0.999 * v
    mhat = m / (1 - np.float32(0.9) ** t)
    vhat = v / (1 - np.float32(0.999) ** t)
    lam = lam - 0.05 * mhat / (np.sqrt(vhat) + 1e-8)
p("ridge: decays after 30 rounds", f32(r4(lam)))
p("ridge: validation loss, rounds 0 and 29", f32(r4(np.array([vals[0], vals[29]]))))
