"""Expected output of tests/programs/complex_grad.nest, computed with JAX
(64-bit types enabled): jax.grad, jax.vjp and jax.jvp of the same functions,
and the optimizers of stdlib/opt.nest written out with JAX's gradients.

JAX's convention is the contract: a VJP is the transpose of the JVP with no
conjugate, so grad of a real function of z = x + iy is df/dx - i df/dy.
Values are rounded to 6 decimals, real and imaginary parts separately, as
`rc` does in the program.
"""

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from common import p  # noqa: E402


def r6(x):
    x = np.asarray(x, dtype=np.float64)
    return np.round(x * 1e6) * 1e-6


def rc(z):
    z = np.asarray(z)
    return (r6(z.real)[()], r6(z.imag)[()])


z = jnp.complex128(3 + 4j)
p("abs2", rc(jax.grad(lambda w: jnp.real(w * jnp.conj(w)))(z)))
p("abs", rc(jax.grad(jnp.abs)(z)))
c = jnp.complex128(0.5 - 2j)
p("re(z c)", rc(jax.grad(lambda w: jnp.real(w * c))(z)))
p("im(z c)", rc(jax.grad(lambda w: jnp.imag(w * c))(z)))
p("re(z / c)", rc(jax.grad(lambda w: jnp.real(w / c))(z)))
p("re(exp(z)) at z/4", rc(jax.grad(lambda w: jnp.real(jnp.exp(w)))(z / 4)))

y, pullback = jax.vjp(lambda w: w * w, z)
p("vjp of z^2", rc(pullback(jnp.complex128(1 + 1j))[0]))
p("jvp of z^2", rc(jax.jvp(lambda w: w * w, (z,), (jnp.complex128(1 + 1j),))[1]))

a = (np.arange(6.0).reshape(3, 2) / 4.0) + 1j * ((np.arange(6.0) - 2.0).reshape(3, 2) / 3.0)
v = np.linspace(1.0, 2.0, 2) + 1j * np.linspace(-1.0, 0.5, 2)


def energy(w):
    aw = a @ w
    return jnp.sum(jnp.real(jnp.conj(aw) * aw))


p("|a v|^2", rc(jax.grad(energy)(v)))


def phase(t):
    return jnp.abs(jnp.exp(jax.lax.complex(0.0, t)) * c + 1.0) ** 2


p("real through complex", r6(jax.grad(phase)(0.7))[()])
p("sum of z^3 re", rc(jax.grad(lambda w: jnp.sum(jnp.real(w * w * w)))(v)))

target = np.linspace(-1.0, 1.0, 3) + 1j * np.linspace(2.0, 0.0, 3)


def loss(w):
    d = w - target
    return jnp.sum(jnp.real(jnp.conj(d) * d))


g = jax.grad(loss)


def sgd(lr, steps):
    w = np.zeros(3, dtype=np.complex128)
    for _ in range(steps):
        w = w - lr * np.conj(g(w))
    return w


def momentum(lr, beta, steps):
    w = np.zeros(3, dtype=np.complex128)
    vel = np.zeros(3, dtype=np.complex128)
    for _ in range(steps):
        vel = np.conj(g(w)) + beta * vel
        w = w - lr * vel
    return w


def adam(lr, steps, b1=0.9, b2=0.999, eps=1e-8):
    # The step count is int32, so the corrections 1 - b**t are float32, as in optax.
    w = np.zeros(3, dtype=np.complex128)
    mu = np.zeros(3, dtype=np.complex128)
    nu = np.zeros(3, dtype=np.float64)
    for t in range(1, steps + 1):
        gr = np.asarray(g(w))
        mu = (1 - b1) * np.conj(gr) + b1 * mu
        nu = (1 - b2) * np.real(gr * np.conj(gr)) + b2 * nu
        mu_hat = mu / (np.float32(1) - np.float32(b1) ** np.float32(t))
        nu_hat = nu / (np.float32(1) - np.float32(b2) ** np.float32(t))
        w = w - lr * (mu_hat / (np.sqrt(nu_hat) + eps))
    return w


p("sgd", rc(sgd(0.1, 5)))
p("momentum", rc(momentum(0.05, 0.5, 5)))
p("adam", rc(adam(0.05, 5)))
