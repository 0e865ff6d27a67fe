"""Expected output of tests/programs/linalg_krylov.nest: the checks that
print True, exact results of the breakdown cases, and the spectral radius
√1.01 of the simultaneous gradient descent map (NumPy's eigvals)."""

import numpy as np
from common import p

F = np.float32
nan = F(np.nan)

for j in range(4):
    p("cg_past_convergence", np.int32(j), True, True)
p("cg_hypergradient_agrees", True)
p("cg_singular", np.array([nan, nan], F))
p("cg_zero_rhs", np.zeros(3, F))

p("gmres_singular_on_krylov_space", np.zeros(2, F))
p("gmres_past_convergence", True)

p("lanczos_zero_start", np.zeros((2, 2), F), np.zeros((4, 2), F))
p("lanczos_nonsymmetric", np.full(3, nan))

sim_gd = np.eye(2) - 0.1 * np.array([[0, 1], [-1, 0]])
p("power_iteration_complex_pair", (nan, np.array([nan, nan], F)))
radius = np.abs(np.linalg.eigvals(sim_gd)).max()
p("spectral_radius", F(np.round(radius * 1e6) / 1e6))
p("power_iteration_opposite_pair", nan)
p("power_iteration_converged", F(3))
