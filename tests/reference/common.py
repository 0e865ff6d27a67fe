"""Shared helpers for the reference scripts: nest's `print` format in Python.

nest's `print(a, b, ...)` writes its arguments separated by one space, then a
newline. Strings print raw, tensors as NumPy's `str()`, tuples as `(a, b)` and
records as `{w: ..., b: ...}` with their elements formatted the same way.
"""

import numpy as np


def fmt(value):
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {fmt(v)}" for k, v in value.items()) + "}"
    return str(value)


def p(label, *values):
    print(label, *[fmt(v) for v in values])


def f32(x):
    return np.asarray(x, dtype=np.float32)


def f64(x):
    return np.asarray(x, dtype=np.float64)


def i32(x):
    return np.asarray(x, dtype=np.int32)


def r3(x):
    """Rounded to 3 decimals in the input's own dtype, as `r3` in the programs."""
    x = np.asarray(x)
    k = x.dtype.type(1000.0)
    return np.round(x * k) / k


def r4(x):
    x = np.asarray(x)
    k = x.dtype.type(10000.0)
    return np.round(x * k) / k
