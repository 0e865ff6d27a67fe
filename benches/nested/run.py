"""Runs the nested-optimization workloads in nest and in JAX, side by side.

    python3 benches/nested/run.py [--repeat 3] [--only hvp,ift] [--tiny]
        [--nest target/release/nest] [--python /tmp/nest-ref/bin/python]

Needs only the Python standard library itself; the JAX scripts run under
`--python` (default: /tmp/nest-ref/bin/python when it exists, else this
interpreter), which needs `jax`. Build nest first (`cargo build --release`).

Each workload is a pair `NAME.nest` / `NAME.py` in this directory doing the
same work on the same deterministic data. Both print `checksum X` (compared
here, relative tolerance 1e-3: a benchmark of a wrong program is worthless)
and `steady_s Y`, the seconds per call (or host step) measured by the
program's own clock (`time()` in nest, `time.perf_counter()` in Python) over
a loop that starts after one warm-up call (which compiles) and ends when the
last result has reached the host (the checksum is read inside the timed
region on both sides). The runner measures each whole command's wall time
and the peak resident memory of its process (`ru_maxrss` from `wait4`).

nest runs with `NEST_NO_DISK_CACHE=1` (a cold start, as JAX without a
persistent compilation cache); the `warm` column is a second nest run with
its on-disk executable cache filled by a first one. JAX runs with
`JAX_PLATFORMS=cpu`, nest with `--backend cpu`. With `--repeat N` every
figure is the best (smallest) of N runs. Sizes are the `# size` lines of
the nest scripts; `--tiny` runs every workload at its `tiny` sizes (a quick
check that everything runs and agrees), `--set name=value` changes one.

Prints a Markdown table ready for docs/performance.md; exits 1 when a run
fails or the two sides disagree.
"""
import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# (name, description, goal for steady state nest/JAX)
WORKLOADS = [
    ("hvp", "1. MLP Hessian-vector products, host loop", 1.0),
    ("ift", "2. IFT hypergradient per call", 1.0),
    ("complex_momentum", "3. complex momentum, 10k steps in one loop", 1.0),
    ("lyapunov", "4. Lyapunov ascent, `grad` from a host loop", 1.2),
    ("per_call", "5a. per-call overhead, tiny function", 1.0),
    ("matmul", "5b. 1024² f32 matmul", 1.0),
    ("donate", "5c. `x = f(x)` on 64 MiB, donated", 1.0),
]
WHOLE_GOAL = 0.5
MEMORY_GOAL = 1.0
TOLERANCE = 1e-3
SIZE_LINE = re.compile(r"^let (\w+) = (\d+);\s*# size \(tiny: (\d+)\)\s*$")


def sizes(nest_file):
    """{name: (default, tiny)} from the `# size (tiny: N)` lines of a script."""
    out = {}
    with open(nest_file) as f:
        for line in f:
            m = SIZE_LINE.match(line)
            if m:
                out[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return out


def with_sizes(nest_file, chosen, tmp):
    """A copy of the nest script with its size lines set to `chosen`."""
    lines = []
    with open(nest_file) as f:
        for line in f:
            m = SIZE_LINE.match(line)
            if m and m.group(1) in chosen:
                line = f"let {m.group(1)} = {chosen[m.group(1)]};  # size (tiny: {m.group(3)})\n"
            lines.append(line)
    path = os.path.join(tmp, os.path.basename(nest_file))
    with open(path, "w") as f:
        f.writelines(lines)
    return path


def run(cmd, env):
    """(wall seconds, max RSS bytes, stdout) of one process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{stdout}{stderr}")
    return wall, usage.ru_maxrss * 1024, stdout


def parse(stdout, cmd):
    vals = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("checksum", "steady_s"):
            vals[parts[0]] = float(parts[1])
    if len(vals) != 2:
        raise RuntimeError(f"{' '.join(cmd)} printed no checksum/steady_s:\n{stdout}")
    return vals


def measure(cmd, env, repeat):
    """Best of `repeat` runs: {wall, rss, steady_s, checksum}."""
    best = None
    for _ in range(repeat):
        wall, rss, stdout = run(cmd, env)
        v = parse(stdout, cmd)
        r = {"wall": wall, "rss": rss, "steady_s": v["steady_s"], "checksum": v["checksum"]}
        best = r if best is None else {k: min(best[k], r[k]) if k != "checksum" else r[k] for k in r}
    return best


def workload(name, args, tmp):
    nest_file = os.path.join(HERE, name + ".nest")
    known = sizes(nest_file)
    chosen = {k: (t if args.tiny else d) for k, (d, t) in known.items()}
    for s in args.set:
        k, v = s.split("=")
        if k in known:
            chosen[k] = int(v)
    script = with_sizes(nest_file, chosen, tmp)
    sets = [a for k, v in chosen.items() for a in ("--set", f"{k}={v}")]
    nest = [args.nest, "--backend", "cpu", "run", script]
    jax_cmd = [args.python, os.path.join(HERE, name + ".py")] + sets
    base = dict(os.environ)
    cold = dict(base, NEST_NO_DISK_CACHE="1")
    jax_env = dict(base, JAX_PLATFORMS="cpu")
    n = measure(nest, cold, args.repeat)
    run(nest, base)  # fills the on-disk executable cache
    n["warm"] = measure(nest, base, args.repeat)["wall"]
    j = measure(jax_cmd, jax_env, args.repeat)
    agree = abs(n["checksum"] - j["checksum"]) <= TOLERANCE * max(abs(j["checksum"]), 1e-6)
    return n, j, agree


def seconds(s):
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.1f} µs"


def ratio(a, b, goal):
    r = a / b
    return f"{r:.2f} {'✓' if r <= goal else '✗'} (≤ {goal:g})"


def machine(args, load_before):
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    nest_version = subprocess.run([args.nest, "--version"], capture_output=True, text=True).stdout.strip()
    jax_version = subprocess.run(
        [args.python, "-c", "import jax, jaxlib; print(jax.__version__, jaxlib.__version__)"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    return (
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores "
        f"(`nproc`), {model or platform.processor()}; {nest_version} at commit {commit.stdout.strip()}; "
        f"jax/jaxlib {jax_version} (CPU); best of {args.repeat} run(s); 1-minute load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after."
    )


def main():
    default_python = "/tmp/nest-ref/bin/python" if os.path.exists("/tmp/nest-ref/bin/python") else sys.executable
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nest", default=os.path.join(ROOT, "target", "release", "nest"))
    p.add_argument("--python", default=default_python, help="a Python with jax")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--only", default="", help="comma-separated workload names")
    p.add_argument("--tiny", action="store_true", help="every workload at its tiny sizes")
    p.add_argument("--set", action="append", default=[], help="name=value, a size of the workloads that have it")
    args = p.parse_args()
    only = [w for w in args.only.split(",") if w]
    chosen = [w for w in WORKLOADS if not only or w[0] in only]
    if only and len(chosen) != len(only):
        sys.exit(f"unknown workload; known: {', '.join(w[0] for w in WORKLOADS)}")
    rows, ok = [], True
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for name, title, goal in chosen:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            try:
                n, j, agree = workload(name, args, tmp)
            except RuntimeError as e:
                print(e, file=sys.stderr)
                ok = False
                continue
            ok &= agree
            rows.append(
                f"| {title} | {seconds(n['wall'])} / {seconds(j['wall'])} | {ratio(n['wall'], j['wall'], WHOLE_GOAL)} "
                f"| {seconds(n['warm'])} | {seconds(n['steady_s'])} / {seconds(j['steady_s'])} "
                f"| {ratio(n['steady_s'], j['steady_s'], goal)} | {n['rss'] / 2**20:.0f} / {j['rss'] / 2**20:.0f} MiB "
                f"| {ratio(n['rss'], j['rss'], MEMORY_GOAL)} | {n['checksum']:.7g} / {j['checksum']:.7g} "
                f"{'✓' if agree else '✗ DISAGREE'} |"
            )
    print(machine(args, load_before))
    print()
    print(
        "| workload | whole command, nest / JAX | ratio | nest warm (disk cache) | steady state per call, "
        "nest / JAX | ratio | peak RSS, nest / JAX | ratio | checksum, nest / JAX |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(r)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
