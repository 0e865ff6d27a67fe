"""Shared by the JAX side of the nested-workload benchmarks.

Each script takes `--set name=value` for its sizes (the `# size` lines of
the matching `.nest` script) and prints `checksum X` and `steady_s Y`, as
the nest script does; benches/nested/run.py compares and tabulates them.
"""
import sys

import numpy as np


def sizes(defaults):
    """`defaults` overridden by `--set name=value` arguments."""
    out = dict(defaults)
    args = sys.argv[1:]
    for i, a in enumerate(args):
        if a == "--set":
            name, value = args[i + 1].split("=")
            if name not in out:
                raise SystemExit(f"unknown size {name}; known: {', '.join(out)}")
            out[name] = int(value)
    return out


def pattern(n, d, a, b, m):
    """((i·a + j·b) mod m)/m − ½ as f32 [n, d], the nest scripts' `pattern`."""
    i = np.arange(n, dtype=np.int32).reshape(n, 1)
    j = np.arange(d, dtype=np.int32).reshape(1, d)
    return (((i * a + j * b) % m).astype(np.float32) / np.float32(m) - np.float32(0.5)).astype(np.float32)


def report(checksum, steady_s):
    print("checksum", float(checksum))
    print("steady_s", steady_s)
