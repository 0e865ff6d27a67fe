#!/usr/bin/env python3
"""Extract the UCI handwritten digits into examples/data/ as two .npy files.

Run once by a maintainer (needs pip and NumPy; not used at run time or in CI):

    python3 scripts/extract_digits.py

It downloads the scikit-learn wheel (no dependencies) into a temporary
directory, reads `sklearn/datasets/data/digits.csv.gz` from the zip, and
writes

    examples/data/digits_x.npy   float32 [1797, 64]   pixel counts 0..16 / 16
    examples/data/digits_y.npy   int32   [1797]       the digit, 0..9

rows in a seeded random order (the split is by row index: examples/data/README.md).
"""
import glob
import gzip
import io
import os
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

MEMBER = "sklearn/datasets/data/digits.csv.gz"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "data")


def read_csv_from_wheel(tmp):
    subprocess.run([sys.executable, "-m", "pip", "download", "scikit-learn",
                    "--no-deps", "--dest", tmp], check=True)
    wheels = glob.glob(os.path.join(tmp, "scikit_learn-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one scikit-learn wheel in {tmp}, found {wheels}")
    with zipfile.ZipFile(wheels[0]) as z:
        raw = gzip.decompress(z.read(MEMBER))
    print("read", MEMBER, "from", os.path.basename(wheels[0]))
    return np.loadtxt(io.BytesIO(raw), delimiter=",")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        data = read_csv_from_wheel(tmp)
    # 64 pixel columns (counts of set bits in 4x4 blocks, 0..16), then the label.
    if data.shape != (1797, 65):
        sys.exit(f"unexpected shape {data.shape}")
    # Rows in a seeded random order (NumPy's legacy RandomState, whose stream
    # is fixed across versions), so that a split by row index is a random one.
    order = np.random.RandomState(0).permutation(len(data))
    x = (data[order, :64] / 16.0).astype(np.float32)
    y = data[order, 64].astype(np.int32)
    assert x.min() == 0.0 and x.max() == 1.0 and set(y.tolist()) == set(range(10))
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "digits_x.npy"), x)
    np.save(os.path.join(OUT, "digits_y.npy"), y)
    print("wrote digits_x.npy", x.shape, x.dtype, "and digits_y.npy", y.shape, y.dtype)
    print("class counts", np.bincount(y).tolist())


if __name__ == "__main__":
    main()
