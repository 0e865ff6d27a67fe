"""Runs the scaling benchmarks on 1, 2 and 4 devices of the CPU plugin.

    python3 benches/distributed/run.py [--repeat 2] [--tiny] [--nest target/release/nest]

Each `NAME.nest` here splits its data over a mesh of `devices` devices;
this runner sets that size line and passes `--devices N`, so the same
program runs over 1, 2 and 4 devices of the CPU plugin. It prints a
Markdown table of the seconds per call (the program's own `steady_s`,
best of `--repeat` runs) and each against one device, and checks that the
checksums agree (relative 1e-3). Needs only the Python standard library.
"""
import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE_LINE = re.compile(r"^let (\w+) = (\d+);\s*# size \(tiny: (\d+)\)\s*$")
WORKLOADS = [("mlp", "data-parallel MLP training (784-256-10, batch 2048, 5 steps per call)"),
             ("hypergrad", "IFT hypergradient (512 weights and decays, 8192 rows, 100 steps, 20 Neumann terms)")]


def script(name, devices, tiny, tmp):
    """A copy of NAME.nest with `devices` (and, with --tiny, every size at its tiny value)."""
    lines = []
    with open(os.path.join(HERE, f"{name}.nest")) as f:
        for line in f:
            m = SIZE_LINE.match(line)
            if m and m.group(1) == "devices":
                line = f"let devices = {devices};\n"
            elif m and tiny:
                line = f"let {m.group(1)} = {m.group(3)};\n"
            lines.append(line)
    path = os.path.join(tmp, f"{name}_{devices}.nest")
    with open(path, "w") as f:
        f.writelines(lines)
    return path


def run(nest, path, devices):
    out = subprocess.run([nest, "--backend", "cpu", "--devices", str(devices), "run", path],
                         capture_output=True, text=True, env=dict(os.environ, NEST_NO_DISK_CACHE="1"))
    if out.returncode != 0:
        sys.exit(f"{path} failed on {devices} device(s):\n{out.stdout}{out.stderr}")
    values = dict(re.findall(r"^(checksum|steady_s) (\S+)$", out.stdout, re.M))
    return float(values["checksum"]), float(values["steady_s"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--nest", default=os.path.join(HERE, "..", "..", "target", "release", "nest"))
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--tiny", action="store_true")
    args = p.parse_args()
    counts = [1, 2, 4]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, title in WORKLOADS:
            times, sums = [], []
            for n in counts:
                best = None
                for _ in range(args.repeat):
                    checksum, steady = run(args.nest, script(name, n, args.tiny, tmp), n)
                    best = steady if best is None else min(best, steady)
                times.append(best)
                sums.append(checksum)
            for s in sums[1:]:
                if abs(s - sums[0]) > 1e-3 * max(abs(sums[0]), 1e-30):
                    sys.exit(f"{name}: checksums disagree across device counts: {sums}")
            rows.append((title, times, sums[0]))
    print(f"{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores; best of {args.repeat}\n")
    print("| workload | " + " | ".join(f"{n} device{'s' if n > 1 else ''}" for n in counts) + " | checksum |")
    print("|---|" + "---|" * (len(counts) + 1))
    for title, times, checksum in rows:
        cells = [f"{t * 1e3:.1f} ms" + ("" if i == 0 else f" ({t / times[0]:.2f}×)") for i, t in enumerate(times)]
        print(f"| {title} | " + " | ".join(cells) + f" | {checksum:.6g} |")


if __name__ == "__main__":
    main()
