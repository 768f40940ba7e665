"""torsh_compat vs torch on the same work: `python bench/run.py [--quick] [--only NAME]`.

Each side runs in its own subprocess (NumPy's BLAS threads and torch's OpenMP threads fight over the
cores when both run in one process), rounds alternate torsh, torch, torsh, torch, every child times
its workload repeatedly after warm-up and reports the median, and the reported ratio
(torsh time / torch time) is the median of the per-round ratios. Results also go to
bench/results/latest.json.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIDES = ("torsh_compat", "torch")     # a benchmark's default sides: (measured, reference)
CHILD_TIMEOUT_S = 600

IMPORT_CHILD = r"""
import json, sys, time
lib, touch = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
torch = __import__(lib)
missing = []
for path in touch:
    obj = torch
    for part in path.split("."):
        if not hasattr(obj, part):
            missing.append(path)
            break
        obj = getattr(obj, part)
dt = time.perf_counter() - t0
if missing:
    print(json.dumps({"skip": lib + " has no torch." + ", torch.".join(missing) + " yet"}))
else:
    print(json.dumps({"median": dt, "reps": 1}))
"""

VERSIONS_CHILD = r"""
import json, os, sys
import numpy as np
info = {"python": sys.version.split()[0], "numpy": np.__version__}
try:
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    info["numpy_blas"] = f"{blas.get('name')} {blas.get('version')}"
except Exception as e:
    info["numpy_blas"] = f"unknown ({e})"
for lib in sys.argv[1:]:
    try:
        m = __import__(lib)
        info[lib] = getattr(m, "__version__", "?")
        if lib == "torch":
            m.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
            info["torch_threads"] = m.get_num_threads()
    except Exception as e:
        info[lib] = f"import failed: {type(e).__name__}: {e}"
print(json.dumps(info))
"""


def child_env(threads):
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)    # an installed package imports from cached bytecode
    env.update(OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               PYTHONPATH=os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p))
    return env


def run_child(argv, env):
    """Run one child; its last stdout line is a JSON report. Failures become {'error': ...}."""
    try:
        p = subprocess.run([sys.executable, *argv], env=env, capture_output=True, text=True,
                           timeout=CHILD_TIMEOUT_S, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT_S}s"}
    lines = p.stdout.strip().splitlines()
    if p.returncode == 0 and lines:
        try:
            return json.loads(lines[-1])
        except ValueError:
            pass
    err = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
    return {"error": f"exit {p.returncode}: {err}"}


def measure(bench, lib, args, env):
    if bench.kind == "import":
        return run_child(["-c", IMPORT_CHILD, lib, *bench.touch], env)
    return run_child([os.path.join(HERE, "run.py"), "--child", bench.name, "--lib", lib,
                      "--budget", str(args.budget), "--threads", str(args.threads)], env)


def child_main(args):
    """In the child: build the workload, warm up, time repeated steps, print the median as JSON."""
    import importlib
    import traceback

    from benchmarks import BENCHMARKS
    try:
        lib = importlib.import_module(args.lib)
        if args.lib == "torch":
            lib.set_num_threads(args.threads)
        step = BENCHMARKS[args.child].fn(lib)
        warm_end = time.perf_counter() + args.budget / 5
        for i in range(1000):
            step()
            if i >= 2 and time.perf_counter() > warm_end:
                break
        times = []
        end = time.perf_counter() + args.budget
        while len(times) < 5 or (time.perf_counter() < end and len(times) < 10000):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        print(json.dumps({"median": statistics.median(times), "reps": len(times)}))
    except Exception as e:  # noqa: BLE001  (the parent reports it as this side failing)
        where = traceback.extract_tb(e.__traceback__)[-1]
        print(json.dumps({"error": f"{type(e).__name__}: {e} "
                                   f"({os.path.basename(where.filename)}:{where.lineno})"}))


def run_bench(bench, args, env):
    """Alternate the sides for the rounds; a failed side is not run again, a skip ends the bench."""
    sides = bench.sides
    per_side = {s: [] for s in sides}
    problem = {}
    if bench.kind == "import":  # untimed first imports, so .pyc writing and cold caches don't count
        for side in sides:
            measure(bench, side, args, env)
    for _ in range(args.rounds):
        for side in sides:
            if side in problem:
                continue
            r = measure(bench, side, args, env)
            if "median" in r:
                per_side[side].append(r["median"])
            else:
                problem[side] = r
        print(".", end="", file=sys.stderr, flush=True)
        if any("skip" in p for p in problem.values()):
            break
    return summarize(bench, per_side, problem)


def summarize(bench, per_side, problem):
    out = {"name": bench.name, "kind": bench.kind, "target": bench.target,
           "target_text": bench.target_text(), "rounds": per_side,
           "problems": {s: p for s, p in problem.items()}}
    med = {s: statistics.median(v) if v and s not in problem else None for s, v in per_side.items()}
    first, second = bench.sides
    out["sides"] = list(bench.sides)
    out["torsh_median_s"], out["torch_median_s"] = med[first], med[second]
    ratio = None
    if None not in med.values():
        ratio = statistics.median(a / b for a, b in zip(per_side[first], per_side[second]))
    out["ratio"] = ratio
    if problem:
        out["status"] = "SKIP" if all("skip" in p for p in problem.values()) else "FAIL"
    else:
        measured = ratio if bench.kind == "timed" else med["torsh_compat"]
        out["status"] = "ok" if measured <= bench.target else "MISS"
    return out


def fmt_time(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.3f} s"


def print_table(results):
    head = f"{'name':<12} {'torsh':>11} {'torch':>11} {'ratio':>8} {'target':>9}  status"
    print(head)
    print("-" * len(head))
    for r in results:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        print(f"{r['name']:<12} {fmt_time(r['torsh_median_s']):>11} {fmt_time(r['torch_median_s']):>11} "
              f"{ratio:>8} {r['target_text']:>9}  {r['status']}")
        if tuple(r["sides"]) != SIDES:
            print(f"{'':<12} (columns: {r['sides'][0]} / {r['sides'][1]})")
        for side, p in r["problems"].items():
            print(f"{'':<12} {side}: {p.get('skip') or p.get('error')}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 rounds and shorter timing per child")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only this benchmark (repeatable, or comma-separated)")
    ap.add_argument("--rounds", type=int, help="rounds per benchmark (default 5, quick 3)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--budget", type=float, help="seconds of timed steps per child (default 1.0, "
                                                 "quick 0.3)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--lib", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.rounds = args.rounds or (3 if args.quick else 5)
    args.budget = args.budget or (0.3 if args.quick else 1.0)
    if args.child:
        return child_main(args)

    sys.path.insert(0, HERE)
    from benchmarks import BENCHMARKS
    names = [n for spec in args.only or [] for n in spec.split(",") if n] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        ap.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")

    env = child_env(args.threads)
    meta = run_child(["-c", VERSIONS_CHILD, *SIDES], env)
    meta.update(threads=args.threads, rounds=args.rounds, budget_s=args.budget,
                env={k: env[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
                cpu_count=os.cpu_count())
    print(f"torsh_compat {meta.get('torsh_compat')} | torch {meta.get('torch')} | "
          f"numpy {meta.get('numpy')} ({meta.get('numpy_blas')}) | python {meta.get('python')}")
    print(f"threads: OPENBLAS_NUM_THREADS={args.threads} OMP_NUM_THREADS={args.threads}, torch "
          f"set_num_threads({args.threads}) -> get_num_threads()={meta.get('torch_threads')}; "
          f"{os.cpu_count()} cpus; {args.rounds} rounds, {args.budget}s timed per child")

    results = []
    for name in names:
        print(f"{name} ", end="", file=sys.stderr, flush=True)
        results.append(run_bench(BENCHMARKS[name], args, env))
        print(file=sys.stderr)
    print_table(results)

    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", "latest.json")
    with open(path, "w") as f:
        json.dump({"meta": meta, "results": results, "when": time.strftime("%Y-%m-%dT%H:%M:%S")},
                  f, indent=1)
    print(f"wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
