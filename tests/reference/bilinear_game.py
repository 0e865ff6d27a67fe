"""Expected output of tests/programs/bilinear_game.nest: simultaneous play on
min_x max_y xᵀBy with the optimizers of stdlib/opt.nest, in NumPy.

As in tests/reference/opt.py, each nest operation is one rounding: float32
products and sums, matrix-vector products accumulated in float64 then
rounded, complex64 operations computed in complex128 then rounded. The
spectral radii quoted in the program are checked here from the matrix R of
THESIS.md §3.
"""

import numpy as np
from common import p

F = np.float32
C = np.complex64


def c64(x):
    return C(x)


B = np.array([[0.6, 0.8], [-0.8, 0.6]], F)
z0 = {"x": np.array([1.0, -0.5], F), "y": np.array([0.25, 0.75], F)}
alpha = 0.1


def matvec(m, v):
    return (m.astype(np.float64) @ v.astype(np.float64)).astype(F)


def game_grad(z):
    return {"x": matvec(B, z["y"]), "y": -matvec(B.T, z["x"])}


def tree_norm(z):
    return np.sqrt(F(np.sum(z["x"] * z["x"]) + np.sum(z["y"] * z["y"])))


def gda_step(z, g):
    return {k: z[k] - F(alpha) * g[k] for k in z}


def cm_step(beta, z, mu, g):
    b = np.complex128(C(beta))
    mu2 = {k: c64(c64(b * mu[k].astype(np.complex128)) - g[k].astype(np.complex128)) for k in z}
    lr = np.complex128(C(alpha))
    return {k: z[k] + c64(lr * mu2[k].astype(np.complex128)).real for k in z}, mu2


def rounded(x, k):
    return np.round(F(x) * F(k)) / F(k)


def spectral_radius(beta, lr):
    """ρ of R = [[Reβ·I, −Imβ·I, −J], [Imβ·I, Reβ·I, 0], [α·Reβ·I, −α·Imβ·I, I − αJ]]."""
    J = np.block([[np.zeros((2, 2)), B], [-B.T, np.zeros((2, 2))]]).astype(np.float64)
    I, O = np.eye(4), np.zeros((4, 4))
    br, bi = beta.real, beta.imag
    R = np.block([[br * I, -bi * I, -J], [bi * I, br * I, O], [lr * br * I, -lr * bi * I, I - lr * J]])
    return max(abs(np.linalg.eigvals(R)))


beta = 0.8 * np.exp(1j * np.pi / 8)
assert abs(spectral_radius(beta, 0.1) - 0.977) < 1e-3
assert abs(spectral_radius(0.8 + 0j, 0.1) - 1.149) < 1e-3
assert abs(spectral_radius(-0.8 + 0j, 0.1) - 1.0002) < 1e-4

norm0 = tree_norm(z0)
p("start", norm0)
z = z0
for k in range(1, 5):
    for _ in range(50):
        z = gda_step(z, game_grad(z))
    p("gda", np.int32(50 * k), tree_norm(z))
gda_rate = F(np.float64(tree_norm(z) / norm0) ** np.float64(F(1.0 / 200.0)))
p("gda_rate", rounded(gda_rate, 10000.0))

z = z0
mu = {k: np.zeros(2, C) for k in z0}
for k in range(1, 7):
    for _ in range(100):
        z, mu = cm_step(beta, z, mu, game_grad(z))
    p("complex_momentum", np.int32(100 * k), tree_norm(z))
    if k == 3:
        norm300 = tree_norm(z)
cm_rate = F(np.float64(tree_norm(z) / norm300) ** np.float64(F(1.0 / 300.0)))
p("complex_momentum_rate", rounded(cm_rate, 1000.0))

for real_beta in (0.8, -0.8):
    z = z0
    mu = {k: np.zeros(2, C) for k in z0}
    for _ in range(300):
        z, mu = cm_step(real_beta, z, mu, game_grad(z))
    p("real_beta", F(real_beta), tree_norm(z) > norm0)
