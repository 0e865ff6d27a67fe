"""Writes the .npy files that tests read, with NumPy as the independent writer.

    python3 tests/reference/make_data.py

tests/programs/data/*.npy are read by tests/programs/npy_io.nest (and
numpy_c128.npy by tests/programs/c128.nest);
tests/errors/data/truncated.npy is a file cut short for tests/errors/load_truncated.nest.
"""

from pathlib import Path

import numpy as np

root = Path(__file__).resolve().parent.parent
data = root / "programs" / "data"
data.mkdir(exist_ok=True)
np.save(data / "numpy_f64.npy", np.array([[0.1, 0.25], [-3.5, 100.0]], np.float64))
np.save(data / "numpy_f32.npy", np.linspace(0, 1, 4, dtype=np.float32))
np.save(data / "numpy_i64.npy", np.arange(6, dtype=np.int64).reshape(3, 2) - 2)
np.save(data / "numpy_i32.npy", np.array([7, -8, 9], np.int32))
np.save(data / "numpy_bool.npy", np.array([True, False, True]))
np.save(data / "numpy_scalar.npy", np.array(2.5, np.float32))
np.save(data / "numpy_c64.npy", np.array([1 + 2j, 0.5 - 0.25j], np.complex64))
np.save(data / "numpy_c128.npy", np.array([[1 / 3 + 0.1j], [-2.5 - 1e-9j]], np.complex128))

errors = root / "errors" / "data"
errors.mkdir(exist_ok=True)
full = (data / "numpy_f32.npy").read_bytes()
(errors / "truncated.npy").write_bytes(full[:-6])
(errors / "not_npy.npy").write_bytes(b"this is not an npy file\n")
