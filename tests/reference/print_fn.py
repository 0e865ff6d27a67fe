"""What tests/programs/print_fn.nest prints, with JAX's `jax.debug.print`.

Each nest `print(a, b, ...)` inside a function is a `jax.debug.print` of the
same text (arguments joined by spaces) with `ordered=True`: nest prints in
program order, and so does JAX with ordered effects (unordered, XLA may run
the per-example prints of a `vmap` in any order). The host prints are
Python prints.
"""

import jax
import jax.numpy as jnp

from common import fmt, p

import functools
dprint = functools.partial(jax.debug.print, ordered=True)


def loops(x, n):
    dprint("start {}", x)
    s = x
    for i in range(3):
        s = s * 2.0
        dprint("for {} {}", jnp.int32(i), s)

    def body(j, s):
        s = s + 1.0
        dprint("traced {} {}", j, s)
        return s

    s = jax.lax.fori_loop(0, n, body, s)

    def wbody(k):
        jax.lax.cond(
            k % 2 == 0,
            lambda: dprint("even {}", k),
            lambda: dprint("odd {} {{s: {}, k: ({}, 0.5)}}", k, s, k),
        )
        return k + 1

    jax.lax.while_loop(lambda k: k < n, wbody, jnp.int32(0))
    return s


loops = jax.jit(loops)
print("before")
p("result", loops(jnp.ones(2, jnp.float32), jnp.int32(3)))
p("again", loops(jnp.zeros(2, jnp.float32), jnp.int32(1)))


@jax.jit
def nested(n):
    def outer(a, total):
        def inner(b, total):
            jax.lax.cond(b == a - 1, lambda: dprint("last {} {}", a, b), lambda: None)
            return total + 1

        return jax.lax.fori_loop(0, a, inner, total)

    return jax.lax.fori_loop(0, n, outer, jnp.int32(0))


p("nested", nested(jnp.int32(10)))


@jax.jit
def noisy(n):
    def body(c):
        i, t = c
        dprint("i {}", i)
        return i + 1, t + 0.5

    return jax.lax.while_loop(lambda c: c[0] < n, body, (jnp.int32(0), jnp.float32(0.0)))[1]


p("noisy", noisy(jnp.int32(40)))


def g(x):
    dprint("g at {}", x)
    s = x
    for i in range(2):
        s = s * s + x
        dprint("step {} {}", jnp.int32(i), s)
    return s


half = jnp.float32(0.5)
p("grad", jax.jit(jax.grad(g))(half))
out = jax.jit(lambda x, t: jax.jvp(g, (x,), (t,)))(half, jnp.float32(1.0))
p("jvp", tuple(out))
v, pullback = jax.vjp(g, jnp.float32(0.25))
(ct,) = pullback(jnp.float32(1.0))
print("vjp", fmt(v), "(" + fmt(ct) + ",)")  # a one-tuple prints as `(a,)`


def h(x, c):
    dprint("h {} c {}", x, c)
    return x * 2.0 + c


p("vmap", jax.jit(jax.vmap(h, in_axes=(0, None)))(jnp.arange(3, dtype=jnp.float32), jnp.float32(10.0)))
xs = jnp.arange(6, dtype=jnp.float32).reshape(2, 3)
p("vmap of vmap", jax.jit(jax.vmap(jax.vmap(lambda x: h(x, jnp.float32(1.0)))))(xs))
p("vmap of grad", jax.jit(jax.vmap(jax.grad(g)))(jnp.arange(2, dtype=jnp.float32) * 0.5))


def sgn(x):
    def big(x):
        dprint("big {}", x)
        return x

    def small(x):
        dprint("small {}", x)
        return -x

    return jax.lax.cond(x > 1.0, big, small, x)


p("vmap if", jax.jit(jax.vmap(sgn))(jnp.arange(3, dtype=jnp.float32)))


def until(x):
    def body(y):
        dprint("y {}", y)
        return y + 1.0

    return jax.lax.while_loop(lambda y: y < 3.0, body, x)


p("vmap while", jax.jit(jax.vmap(until))(jnp.arange(3, dtype=jnp.float32)))
print("after")
