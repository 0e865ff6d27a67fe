"""Expected output of tests/programs/hyper_stn.nest: the optimum of the
Self-Tuning Network's objectives on the scalar problem of THESIS.md §1, in
closed form (the program checks it to tolerances)."""

from common import p, f32

# b + Wλ̂ = ½ and W = dw*/dλ(λ̂): the ratio is 1; s = √τ/|W|: the ratio is 1.
p("stn: w_phi(lam), W / (dw*/dlam at lam)", f32(0.5), f32(1.0))
p("stn: softplus(sigma) / (sqrt(tau) / |W|)", f32(1.0))
p("stn layer: output shape", "(4, 2)")
