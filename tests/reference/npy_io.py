"""Expected output of tests/programs/npy_io.nest, computed with NumPy."""

from pathlib import Path

import numpy as np
from common import p

data = Path(__file__).resolve().parent.parent / "programs" / "data"
for name in ["f64", "f32", "i64", "i32", "bool", "scalar", "c64"]:
    p(f"numpy_{name}", np.load(data / f"numpy_{name}.npy"))

a = np.linspace(0, 1.25, 6, dtype=np.float32).reshape(2, 3)
p("roundtrip_f32", a)
p("roundtrip_f64", a.astype(np.float64) / 3.0)
p("roundtrip_i32", np.arange(4, dtype=np.int32) - 2)
p("roundtrip_i64", np.arange(3, dtype=np.int64))
p("roundtrip_bool", np.arange(4) > 1)
p("roundtrip_c64", np.array([1 - 1j, 1 - 1j], np.complex64))
p("roundtrip_scalar", np.float32(1.5))
p("overwritten", np.ones(1, np.float32))
x = np.load(data / "numpy_f64.npy")
p("arith_on_loaded", x * 2.0, x.sum(0))
