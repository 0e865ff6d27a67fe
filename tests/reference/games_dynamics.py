"""Expected output of tests/programs/games_dynamics.nest.

Lyapunov exponents by iterating the maps and their derivatives in float64
(spectra by NumPy's QR), derivatives by central differences, the iterated
prisoner's dilemma by THESIS.md §4's formula with NumPy's solve, Ridge
Rider and GRR endpoints by the same procedures in NumPy.
"""

import numpy as np

from common import f32, i32, p, r4

LR = 0.1


def well_grad(x):
    return x * (x * x - 1.0)


def step(x):
    return x - LR * well_grad(x)


def dstep(x):
    return 1.0 - LR * (3 * x * x - 1.0)


def lyapunov(x, k):
    total = 0.0
    for _ in range(k):
        total += np.log(abs(dstep(x)))
        x = step(x)
    return total / k


p("lyapunov_max", r4(f32(lyapunov(0.0, 10))), r4(f32(np.log(1.1))))
p("lyapunov_min", r4(f32(lyapunov(1.0, 10))), r4(f32(np.log(0.8))))
p("lyapunov_0.4", r4(f32(lyapunov(0.4, 20))))
h = 1e-6
d = (lyapunov(0.4 + h, 20) - lyapunov(0.4 - h, 20)) / (2 * h)
p("lyapunov_grad", r4(f32(lyapunov(0.4, 20))), r4(f32([d])))


def spectrum(step_fn, jac_fn, z, k, m):
    q = np.eye(len(z))[:, :m]
    total = np.zeros(m)
    for _ in range(k):
        q, r = np.linalg.qr(jac_fn(z) @ q)
        total += np.log(np.abs(np.diag(r)))
        z = step_fn(z)
    return np.sort(total / k)[::-1]


def wells_step(z):
    return z - LR * np.array([well_grad(z[0]), 0.5 * well_grad(z[1])])


def wells_jac(z):
    return np.diag([dstep(z[0]), 1.0 - LR * 0.5 * (3 * z[1] ** 2 - 1.0)])


p("spectrum", r4(f32(spectrum(wells_step, wells_jac, np.zeros(2), 10, 2))))
p("spectrum_1", r4(f32(spectrum(wells_step, wells_jac, np.zeros(2), 10, 1))))
p("spectrum_start", r4(f32(spectrum(wells_step, wells_jac, np.array([0.3, -0.8]), 15, 2))))
jb = np.eye(2) - 0.5 * np.array([[0.0, 1.0], [-1.0, 0.0]])
p("bilinear_spectrum", r4(f32(spectrum(lambda z: jb @ z, lambda z: jb, np.array([1.0, 0.0]), 8, 2))))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def ipd(t1, t2, gamma=0.96):
    a, b = sigmoid(np.asarray(t1, float)), sigmoid(np.asarray(t2, float))
    p1, p2 = a[:4], b[[0, 2, 1, 3]]
    big_p = np.stack([p1 * p2, p1 * (1 - p2), (1 - p1) * p2, (1 - p1) * (1 - p2)], axis=1)
    s0 = np.array([a[4] * b[4], a[4] * (1 - b[4]), (1 - a[4]) * b[4], (1 - a[4]) * (1 - b[4])])
    r = np.array([[-1, -3, 0, -2], [-1, 0, -3, -2]], float).T
    return (1 - gamma) * s0 @ np.linalg.solve(np.eye(4) - gamma * big_p, r)


defect, cooperate = -30.0 * np.ones(5), 30.0 * np.ones(5)
tft = np.array([30.0, -30.0, 30.0, -30.0, 30.0])
p("ipd_defect", r4(f32(ipd(defect, defect))))
p("ipd_cooperate", r4(f32(ipd(cooperate, cooperate))))
p("ipd_defect_vs_cooperate", r4(f32(ipd(defect, cooperate))) + f32(0.0))
p("ipd_tft_vs_defect", r4(f32(ipd(tft, defect))))
t1 = np.array([0.5, -1.0, 2.0, 0.3, -0.7])
t2 = np.array([-0.2, 1.5, 0.1, -2.0, 0.9])
p("ipd_mixed", r4(f32(ipd(t1, t2))), r4(f32(ipd(t1, t2, 0.5))))
g = [(ipd(t1 + h * e, t2)[0] - ipd(t1 - h * e, t2)[0]) / (2 * h) for e in np.eye(5)]
p("ipd_grad", r4(f32(g)))
p("ipd_f64", np.round(ipd(defect, defect) * 10000.0) / 10000.0)

pts = np.array([[1.0, 0.0], [-1.0, 0.0], [1.05, 0.0], [0.98, 0.02], [0.0, 3.0]])
p("unique_rows", f32([[1.0, 0.0], [-1.0, 0.0], [0.0, 3.0], [0.0, 0.0], [0.0, 0.0]]))
p("unique_counts", i32([3, 1, 1, 0, 0]), i32(3))


# Ridge Rider in one dimension from 0: ride while the curvature 3x² − 1 is
# negative and the loss falls, then gradient descent.
def ride(sign):
    x = 0.0
    well = lambda v: (v * v - 1) ** 2 / 4
    for _ in range(20):
        x2 = x - LR * sign
        if 3 * x * x - 1 < 0 and well(x2) <= well(x):
            x = x2
        else:
            break
    for _ in range(100):
        x = x - LR * well_grad(x)
    return x


ends = sorted([ride(1.0), ride(-1.0)])
p("ridge_rider", r4(f32([[abs(e)] for e in ends])), r4(f32(sum(ends))))

# GRR: ascent on the exponent from 0.4 (central differences), then ±0.1.
x = 0.4
for _ in range(200):
    x += 1.0 * (lyapunov(x + h, 10) - lyapunov(x - h, 10)) / (2 * h)
assert abs(x) < 0.05, x
ends = []
for sign in (1, -1, 1, -1):
    z = x + sign * 0.1
    for _ in range(300):
        z = step(z)
    ends.append(z)
p("grr", (np.int32(4), np.int32(1)), r4(f32(ends)))
p("grr_unique", i32([2, 2, 0, 0]))
