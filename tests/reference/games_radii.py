"""Expected output of tests/programs/games_radii.nest.

The learning rules on bilinear games are linear maps, so their Jacobians
are the maps applied to the unit vectors (float64, here); the spectral
radii are NumPy's eigenvalues of those. Plays are iterated in NumPy.
"""

import numpy as np

from common import f32, p, r3, r4

PI = np.pi
I1 = lambda a: np.float32(a)


def polar(m, angle):
    return m * np.exp(1j * angle)


# The bilinear game x·y: field (y, −x).
def bilinear(z):
    return np.array([z[1], -z[0]])


def sim_gd(field, lr):
    return lambda z: z - lr * field(z)


def alt_gd(field, lr):
    def step(z):
        z = z.astype(complex if np.iscomplexobj(z) else float).copy()
        n = len(z)
        for i in range(n):
            z[i] = z[i] - lr * field(z)[i]
        return z
    return step


# The state (z, mu) as one real vector (z, Re mu, Im mu).
def sim_cm(field, lr, beta):
    def step(s):
        n = len(s) // 3
        z, mu = s[:n], s[n:2 * n] + 1j * s[2 * n:]
        mu = beta * mu - field(z)
        z = z + np.real(lr * mu)
        return np.concatenate([z, mu.real, mu.imag])
    return step


def alt_cm(field, lr, beta):
    def step(s):
        n = len(s) // 3
        z, mu = s[:n].copy(), s[n:2 * n] + 1j * s[2 * n:]
        for i in range(n):
            mu[i] = beta * mu[i] - field(z)[i]
            z[i] = z[i] + np.real(lr * mu[i])
        return np.concatenate([z, mu.real, mu.imag])
    return step


def rho(step, dim):
    jac = np.stack([step(e) for e in np.eye(dim)], axis=1)
    return np.max(np.abs(np.linalg.eigvals(jac)))


def cm_matrix(j, lr, beta):
    n = j.shape[0]
    i = np.eye(n)
    br, bi = beta.real, beta.imag
    return np.block([[br * i, -bi * i, -j], [bi * i, br * i, 0 * i],
                     [lr * br * i, -lr * bi * i, i - lr * j]])


p("field", (f32(3.0), f32(-2.0)))
p("jacobian", f32([[0, 1], [-1, 0]]))
for lr in (0.1, 0.5):
    p("gda", f32(lr), r4(f32(rho(sim_gd(bilinear, lr), 2))))
p("alt_gda", r4(f32(rho(alt_gd(bilinear, 0.1), 2))))


def cm_rho(lr, beta, rule=sim_cm, field=bilinear, n=2):
    return r4(f32(rho(rule(field, lr, beta), 3 * n)))


p("real_momentum", cm_rho(0.1, 0.8), cm_rho(0.1, -0.8))
p("cm_pi_8", cm_rho(0.1, polar(0.8, PI / 8)))
p("cm_pi_2", cm_rho(0.8, polar(0.7, PI / 2)))
p("alt_cm", cm_rho(0.5, -0.3, alt_cm), cm_rho(0.5, 0.3, alt_cm))
r = cm_matrix(np.array([[0.0, 1.0], [-1.0, 0.0]]), 0.1, polar(0.8, PI / 8))
p("cm_matrix", (np.int32(6), np.int32(6)), r4(f32(np.max(np.abs(np.linalg.eigvals(r))))))
p("cm_matrix_entries", r4(f32(r)))
beta = polar(0.8, PI / 8)
p("traced", r4(f32([rho(sim_cm(bilinear, 0.1, beta), 6), rho(alt_cm(bilinear, 0.1, beta), 6),
                    rho(sim_gd(bilinear, 0.1), 2)])))
p("traced_vmap", r4(f32([[rho(sim_cm(bilinear, 0.1, polar(0.8, a)), 6),
                          rho(alt_cm(bilinear, 0.1, polar(0.8, a)), 6),
                          rho(sim_gd(bilinear, 0.1), 2)] for a in (0.0, PI / 8, PI / 2)])))


def play(step, s, steps):
    for _ in range(steps):
        s = step(s)
    return s


s = play(sim_cm(bilinear, 0.1, beta), np.array([1.0, 1.0, 0, 0, 0, 0]), 20)
p("play_z", r4(f32(s[0])), r4(f32(s[1])))
p("play_mu", *[r4(f32(v)) for v in (s[2], s[4], s[3], s[5])])
s = np.array([1.0, 1.0, 0, 0, 0, 0])
rows = []
for _ in range(4):
    s = play(sim_cm(bilinear, 0.1, beta), s, 5)
    rows.append(s)
rows = np.array(rows)
# The raveled state {z, mu} is (z.0, z.1, mu.0, mu.1), complex.
p("trace", (np.int32(4), np.int32(4)), r4(f32(rows[:, 0])), r4(f32(rows[:, 5])))
s = play(sim_cm(bilinear, 0.1, beta), s, 3)
p("trace_last", r4(f32(s[0])))
s = play(alt_cm(bilinear, 0.5, -0.3), np.array([1.0, 1.0, 0, 0, 0, 0]), 20)
p("alt_play", r3(f32(s[0])), r3(f32(s[1])), r3(f32(s[3])))
s = play(alt_gd(bilinear, 0.1), np.array([1.0, 1.0]), 20)
p("alt_gd_play", r4(f32(s[0])), r4(f32(s[1])))

b = np.array([[0.6, 0.8], [-0.8, 0.6]])
x, y = np.array([1.0, -0.5]), np.array([0.25, 0.75])
p("vector_field", (f32(b @ y), f32(-(b.T @ x))))
jv = np.block([[np.zeros((2, 2)), b], [-b.T, np.zeros((2, 2))]])
p("vector_jacobian", f32(jv))
p("vector_cm", cm_rho(0.1, beta, sim_cm, lambda z: jv @ z, 4))

# Matching pennies at p = q = ½: σ' = ¼, so ∂²L₁/∂x∂y = 2σ'·2σ' = ¼.
jp = np.array([[0.0, 0.25], [-0.25, 0.0]])
p("pennies_jacobian", f32(jp))
p("pennies_eigvals", r4(f32(np.max(np.linalg.eigvals(jp).imag))), r4(f32(np.max(np.abs(np.linalg.eigvals(jp).real)))))
p("pennies_sim_gd", r4(f32(rho(sim_gd(lambda z: jp @ z, 1.0), 2))))
