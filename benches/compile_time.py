"""Cold XLA compile time of nest programs against JAX's compile of the same modules.

    cargo build --release
    python3 benches/compile_time.py [FILE.nest ...]   # needs `pip install jax`

With no files, every program in examples/ and tests/programs/. Each program
runs once with the disk cache off (`NEST_NO_DISK_CACHE=1`) and every module
it compiles written out (`NEST_DUMP_MODULES`, with the time the CPU plugin
took). Then JAX's own XLA client (`jax.devices('cpu')[0].client`) compiles
each of those module texts, as `jax.jit` does after lowering. The table
gives, per program: modules, nest's compile time, JAX's compile time of the
same StableHLO, and the ratio. Printed as the Markdown table of
docs/performance.md ("Compile time").

This measures the compiler on equal input, not the lowering: for the
lowering, compare the modules (`nest ir --stablehlo`) with
`jax.jit(f).lower(...).as_text()` of hand-written equivalents.
"""
import glob
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")
import jax  # noqa: E402
from jax._src.lib import xla_client as xc  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEST = os.path.join(ROOT, "target", "release", "nest")


def dump(program, out):
    """Runs `program` cold with its modules dumped to `out`; [(text, seconds)]."""
    env = dict(os.environ, NEST_NO_DISK_CACHE="1", NEST_DUMP_MODULES=out, NEST_BACKEND="xla")
    folder = os.path.dirname(program)
    before = set(os.listdir(folder))
    subprocess.run([NEST, "run", os.path.basename(program)], cwd=os.path.dirname(program),
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    # Programs that save files (npy_roundtrip) write them beside themselves.
    for name in set(os.listdir(folder)) - before:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            os.remove(path)
    log = os.path.join(out, "compiles.txt")
    if not os.path.exists(log):
        return []
    rows = []
    for line in open(log):
        name, seconds = line.split()
        rows.append((open(os.path.join(out, name)).read(), float(seconds)))
    return rows


def jax_compile(client, devices, text):
    start = time.perf_counter()
    client.compile_and_load(text, devices, xc.CompileOptions())
    return time.perf_counter() - start


def main():
    programs = sys.argv[1:] or sorted(glob.glob(os.path.join(ROOT, "examples", "*.nest"))
                                      + glob.glob(os.path.join(ROOT, "tests", "programs", "*.nest")))
    device = jax.devices("cpu")[0]
    client, devices = device.client, xc.DeviceList((device,))
    print("| program | modules | nest compile (s) | JAX compile of the same modules (s) | nest / JAX |")
    print("|---|---|---|---|---|")
    totals = [0.0, 0.0]
    for program in programs:
        program = os.path.abspath(program)
        with tempfile.TemporaryDirectory() as out:
            rows = dump(program, out)
        if not rows:
            continue
        nest = sum(s for _, s in rows)
        jx = sum(jax_compile(client, devices, text) for text, _ in rows)
        totals[0] += nest
        totals[1] += jx
        name = os.path.relpath(program, ROOT)
        print(f"| `{name}` | {len(rows)} | {nest:.2f} | {jx:.2f} | {nest / jx:.2f} |", flush=True)
    print(f"| all | | {totals[0]:.1f} | {totals[1]:.1f} | {totals[0] / max(totals[1], 1e-9):.2f} |")


if __name__ == "__main__":
    main()
