"""The project's skeleton: console scripts, torsh-run, the import budget's neighbours, CI == README."""
import os
import re
import subprocess
import sys
import textwrap

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
# The console scripts of pyproject.toml, and the function each one calls.
SCRIPTS = {"torsh-migrate": ("migrate.cli", "main"), "torsh-parity": ("parity.cli", "main"),
           "torsh-run": ("torsh_compat.run", "main")}


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (REPO, env.get("PYTHONPATH")) if p)
    return env


def cli(name, *args, cwd=None):
    """Run a console script: the installed one, or its entry point in a checkout not pip-installed."""
    exe = os.path.join(BIN, name)
    if os.path.exists(exe):
        cmd = [exe]
    else:
        mod, fn = SCRIPTS[name]
        cmd = [sys.executable, "-c", f"import sys; from {mod} import {fn}; sys.exit({fn}())"]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, cwd=cwd, env=_env(),
                          timeout=120)


def python(*args, cwd=None):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd,
                          env=_env(), timeout=120)


def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def test_pyproject_declares_the_console_scripts():
    text = open(os.path.join(REPO, "pyproject.toml")).read()
    for name, (mod, fn) in SCRIPTS.items():
        assert f'{name} = "{mod}:{fn}"' in text


@pytest.mark.parametrize("name", ["torsh-migrate", "torsh-parity"])
def test_placeholder_scripts_say_what_is_missing(name):
    r = cli(name, "somefile.py")
    assert r.returncode == 2
    assert "not implemented yet" in r.stderr and "Traceback" not in r.stderr
    h = cli(name, "--help")
    assert h.returncode == 0 and name in h.stdout and "Traceback" not in h.stderr


def test_torsh_run_help_and_usage():
    h = cli("torsh-run", "--help")
    assert h.returncode == 0 and "script.py" in h.stdout
    r = cli("torsh-run")
    assert r.returncode == 2 and "usage" in r.stderr
    r = cli("torsh-run", "no_such_script.py")
    assert r.returncode == 2 and "no_such_script.py" in r.stderr and "Traceback" not in r.stderr


def test_torsh_run_serves_import_torch(tmp_path):
    script = write(tmp_path, "s.py", """\
        import torch
        print(torch.tensor([1., 2.]) * 2)
        """)
    r = cli("torsh-run", str(script))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "tensor([2., 4.])\n"


def test_python_m_torsh_compat_sets_argv_main_and_aliases(tmp_path):
    write(tmp_path, "helper.py", "VALUE = 7\n")     # the script's directory leads sys.path
    script = write(tmp_path, "s.py", """\
        import sys
        import torch
        import torch.autograd
        import torsh_compat
        import helper
        assert torch is torsh_compat and torch.autograd is torsh_compat.autograd
        assert torch.autograd.__spec__.name == "torsh_compat.autograd"
        assert "numpy" in type(torch.zeros(1)._data).__module__
        if __name__ == "__main__":
            print(sys.argv[1:], helper.VALUE)
        """)
    r = python("-m", "torsh_compat", str(script), "a", "--b")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "['a', '--b'] 7\n"


def test_torsh_run_passes_exit_status_and_user_tracebacks(tmp_path):
    assert cli("torsh-run", str(write(tmp_path, "e.py", "raise SystemExit(3)\n"))).returncode == 3
    r = cli("torsh-run", str(write(tmp_path, "v.py", "def f():\n    raise ValueError('boom')\nf()\n")))
    assert r.returncode == 1
    assert "ValueError: boom" in r.stderr and 'v.py", line 3' in r.stderr
    assert "run.py" not in r.stderr      # the runner's own frames are not the user's business


def test_torsh_run_names_torch_only_packages(tmp_path):
    script = write(tmp_path, "tv.py", """\
        import torch
        import torchvision
        """)
    r = cli("torsh-run", str(script))
    assert r.returncode == 1
    assert "torchvision" in r.stderr and "real PyTorch" in r.stderr
    assert "tv.py:2" in r.stderr and "Traceback" not in r.stderr


def test_torsh_run_names_missing_torch_attributes(tmp_path):
    script = write(tmp_path, "st.py", """\
        import torch
        import torch.nn.functional as F
        print(hasattr(torch, "stft"), hasattr(F, "no_such_function"))
        x = torch.ones(8)
        y = torch.stft(x, 4)
        """)
    r = cli("torsh-run", str(script))
    assert r.returncode == 1 and r.stdout == "False False\n"
    assert "uses torch.stft, which torsh_compat does not provide" in r.stderr
    assert "st.py:5: y = torch.stft(x, 4)" in r.stderr and "Traceback" not in r.stderr
    assert "_missing.py" not in r.stderr


def test_torch_only_package_is_still_an_import_error_to_the_script(tmp_path):
    script = write(tmp_path, "opt.py", """\
        try:
            import torchaudio
        except ImportError:
            print("no torchaudio")
        """)
    r = cli("torsh-run", str(script))
    assert r.returncode == 0 and r.stdout == "no torchaudio\n"


@pytest.mark.parametrize("line", ["import torch.nonexistent_sub",
                                  "from torch import nonexistent_sub"])
def test_torsh_run_names_a_missing_torch_submodule_with_file_and_line(tmp_path, line):
    script = write(tmp_path, "miss.py", f"import torch\n\n{line}\n")
    r = cli("torsh-run", str(script))
    assert r.returncode == 1
    assert "torch.nonexistent_sub" in r.stderr and "miss.py:3" in r.stderr
    assert "Traceback" not in r.stderr


def test_import_torsh_compat_loads_neither_libcst_nor_torch():
    r = python("-c", "import sys, torsh_compat; "
                     "print(sorted(m for m in ('libcst', 'torch') if m in sys.modules))")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "[]\n"


def test_import_torsh_compat_leaves_the_face_and_checkpoint_code_unloaded():
    """The ToRSh face, checkpoint formats and numpy.random load on first use, keeping the import light."""
    r = python("-c", "import sys, torsh_compat; print(sorted(m for m in sys.modules if m.startswith("
                     "('torsh_compat.torsh_', 'torsh_compat.serialization', 'safetensors', 'zipfile', "
                     "'numpy.random'))))")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "[]\n"


def test_the_runner_loads_neither_libcst_nor_torch(tmp_path):
    script = write(tmp_path, "s.py", """\
        import sys
        import torch
        print(sorted(m for m in ("libcst", "torch._C") if m in sys.modules), torch.__name__)
        """)
    r = python("-m", "torsh_compat", str(script))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "[] torsh_compat\n"


def _readme_command(kind):
    """The README's one-line command for `kind` (demo or tests)."""
    text = open(os.path.join(REPO, "README.md")).read()
    m = re.search(rf"<!-- {kind}-command -->\s*```(?:sh|bash)?\n(.+?)\n```", text)
    assert m, f"README.md has no {kind} command block"
    return m.group(1).strip()


def test_ci_runs_exactly_the_readme_test_command():
    ci = open(os.path.join(REPO, ".ci", "run")).read()
    assert _readme_command("tests") in ci.splitlines()
    assert os.access(os.path.join(REPO, ".ci", "run"), os.X_OK)


def test_readme_demo_command_runs_the_demo():
    assert "examples/run_demo.py" in _readme_command("demo")


def _demo_ops_missing():
    import torsh_compat as t
    need = ["manual_seed", "randn", "rand", "zeros", "tensor", "no_grad"]
    methods = ["__matmul__", "sum", "mean", "exp", "log", "clamp", "argmax", "zero_", "float"]
    return [n for n in need if not hasattr(t, n)] + \
        [f"Tensor.{n}" for n in methods if not hasattr(t.Tensor, n)]


def test_demo_reproduces_torch():
    """The README's demo: the example programs' loss curves equal torch's (once their ops exist)."""
    pytest.importorskip("torch")
    missing = _demo_ops_missing()
    if missing:
        pytest.skip(f"the examples need ops that torsh_compat does not have yet: {missing}")
    r = python(os.path.join(REPO, "examples", "run_demo.py"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.rstrip().splitlines()[-1].startswith("PASS")
