"""The demo: ordinary PyTorch programs, run under real PyTorch and under torsh_compat.

Each program in PROGRAMS runs twice in its own process: `python program.py` (real torch) and
`python -m torsh_compat program.py` (the same file, unmodified, with `import torch` served by
torsh_compat). The programs are seeded, and torsh_compat reproduces torch's CPU random stream,
so both runs see the same data and initial weights; their printed loss curves are compared
step by step. Ends with a PASS or FAIL line (exit status 0 or 1).

    python examples/run_demo.py
"""
import importlib.util
import math
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PROGRAMS = ["linear_regression.py", "logistic_regression.py", "mlp.py", "cnn_classifier.py", "char_lstm.py",
            "transformer_classifier.py"]
# float32 training runs: BLAS and reduction order differ slightly between torch and NumPy, and a
# few hundred gradient steps may amplify that, but never past this.
RTOL = 1e-4
LOSS_LINE = re.compile(r"^step\s+(\d+)\s+loss\s+(\S+)", re.M)


def run(program, under_torsh):
    cmd = [sys.executable] + (["-m", "torsh_compat"] if under_torsh else []) + [program]
    env = dict(os.environ)
    if under_torsh:     # so the demo also works from a checkout that is not pip-installed
        env["PYTHONPATH"] = os.pathsep.join(p for p in (REPO, env.get("PYTHONPATH")) if p)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=HERE, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    curve = {int(s): float(v) for s, v in LOSS_LINE.findall(proc.stdout)}
    return proc, curve, seconds


def rel_diff(a, b):
    if math.isnan(a) and math.isnan(b):
        return 0.0
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def show_failure(label, proc):
    print(f"  {label} failed (exit status {proc.returncode}); the end of its output:")
    lines = (proc.stdout + proc.stderr).strip().splitlines()[-12:]
    for line in lines:
        print("    | " + line)


def compare(program, have_torch):
    print(f"\n{program}")
    t_proc, t_curve, t_sec = run(program, under_torsh=False) if have_torch else (None, {}, 0.0)
    s_proc, s_curve, s_sec = run(program, under_torsh=True)
    ok = True
    if have_torch and t_proc.returncode != 0:
        show_failure("real torch", t_proc)
        ok = False
    if s_proc.returncode != 0:
        show_failure("torsh_compat", s_proc)
        ok = False
    if not ok:
        return False, None
    if not s_curve:
        print("  torsh_compat printed no loss lines")
        return False, None
    if not have_torch:
        print(f"  {'step':>5}  {'torsh_compat loss':>18}")
        for step, loss in s_curve.items():
            print(f"  {step:5d}  {loss:18.8g}")
        print(f"  ran in {s_sec:.2f} s")
        return True, None
    if sorted(t_curve) != sorted(s_curve):
        print(f"  the runs logged different steps: torch {sorted(t_curve)}, "
              f"torsh_compat {sorted(s_curve)}")
        return False, None
    print(f"  {'step':>5}  {'torch loss':>14}  {'torsh_compat loss':>18}  {'rel diff':>9}")
    worst = 0.0
    for step in sorted(t_curve):
        a, b = t_curve[step], s_curve[step]
        d = rel_diff(a, b)
        worst = max(worst, d)
        print(f"  {step:5d}  {a:14.8g}  {b:18.8g}  {d:9.2e}")
    verdict = "ok" if worst <= RTOL else "DIFFERENT"
    print(f"  max rel diff {worst:.2e} (tolerance {RTOL:.0e}): {verdict}   "
          f"[torch {t_sec:.2f} s, torsh_compat {s_sec:.2f} s, each a fresh process]")
    return worst <= RTOL, worst


def main():
    have_torch = importlib.util.find_spec("torch") is not None
    print("torsh-compat demo: each program runs unmodified under real PyTorch and under "
          "torsh_compat (python -m torsh_compat program.py)")
    if not have_torch:
        print("real torch is not installed here: only the torsh_compat runs are shown "
              "(pip install torch==2.13.0 to compare)")
    results = [compare(p, have_torch) for p in PROGRAMS]
    failed = [p for p, (ok, _) in zip(PROGRAMS, results) if not ok]
    print()
    if failed:
        print(f"FAIL: {len(failed)} of {len(PROGRAMS)} programs did not reproduce: {', '.join(failed)}")
        return 1
    if not have_torch:
        print(f"PASS: torsh_compat ran all {len(PROGRAMS)} programs (nothing compared: "
              f"real torch is not installed)")
        return 0
    worst = max(w for _, w in results)
    print(f"PASS: all {len(PROGRAMS)} programs give torch's loss curves under torsh_compat "
          f"(max rel diff {worst:.1e}, tolerance {RTOL:.0e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
