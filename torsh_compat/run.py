"""torsh-run: run an unmodified PyTorch program with `import torch` served by torsh_compat.

    torsh-run script.py [args...]            python -m torsh_compat script.py [args...]
    torsh-run -m package.module [args...]

`torch` and every `torch.<sub>` resolve to `torsh_compat` and `torsh_compat.<sub>`: the very same
module objects, so `torch.nn is torsh_compat.nn` and classes are never loaded twice. Packages built
on real PyTorch's compiled core (torchvision, ...) are refused by name where they are imported.

This module is loaded only by the runner, never by `import torsh_compat`, and stays stdlib-only.
"""
import importlib
import importlib.machinery
import importlib.util
import os
import runpy
import sys

# Extensions that link against torch's C++ core or reach into its private internals.
TORCH_ONLY = frozenset({
    "torchvision", "torchaudio", "torchtext", "torchdata", "torchrec", "torchrl", "torchmetrics",
    "torch_geometric", "torch_scatter", "torch_sparse", "functorch", "lightning",
    "pytorch_lightning", "timm", "triton", "xformers", "apex",
})

_PREFIX = "torsh_compat"


class MissingTorchModule(ModuleNotFoundError):
    """A `torch.<sub>` that torsh_compat does not provide."""


class TorchOnlyPackage(ModuleNotFoundError):
    """A package that only works on top of real PyTorch."""


class _Alias:
    """Loader handing out an already-importable torsh_compat module under its torch name."""

    def __init__(self, target):
        self.target = target
        self.own_spec = None

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self.own_spec = module.__spec__
        return module

    def exec_module(self, module):
        # The import system stamped the torch-named spec on the shared module object; give back
        # its own, so torsh_compat's relative imports keep resolving inside torsh_compat.
        module.__spec__ = self.own_spec


class TorchFinder:
    """Meta-path finder: `torch[.sub]` -> `torsh_compat[.sub]`; torch-only packages refused."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top == "torch":
            real = _PREFIX + fullname[len("torch"):]
            if importlib.util.find_spec(real) is None:
                raise MissingTorchModule(f"torsh_compat does not provide {fullname}", name=fullname)
            return importlib.machinery.ModuleSpec(fullname, _Alias(real))
        if top in TORCH_ONLY:
            raise TorchOnlyPackage(f"{top} needs real PyTorch; torsh_compat cannot serve it",
                                   name=top)
        return None

    @staticmethod
    def invalidate_caches():
        pass


def install_torch_alias():
    """Make `import torch` (and its submodules) import torsh_compat in this process."""
    import torsh_compat  # noqa: F401  (loaded before aliasing so the aliases point at it)
    for name, module in list(sys.modules.items()):
        if name == _PREFIX or name.startswith(_PREFIX + "."):
            sys.modules.setdefault("torch" + name[len(_PREFIX):], module)
    if not any(isinstance(f, TorchFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchFinder())


USAGE = """usage: {prog} script.py [args...]
       {prog} -m module [args...]

Run an unmodified PyTorch program on torsh_compat: `import torch` and `torch.<sub>` are served
by torsh_compat (NumPy), sys.argv is [script.py, args...], and the script runs as __main__,
exactly as `python script.py [args...]` would run it on real PyTorch.
"""


def main(argv=None, prog="torsh-run"):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        out = sys.stdout if argv else sys.stderr
        out.write(USAGE.format(prog=prog))
        return 0 if argv else 2
    as_module = argv[0] == "-m"
    if as_module:
        if len(argv) < 2:
            sys.stderr.write(f"{prog}: -m needs a module name\n")
            return 2
        target, args = argv[1], argv[2:]
    else:
        target, args = argv[0], argv[1:]
        if not os.path.isfile(target):
            sys.stderr.write(f"{prog}: can't open file {os.path.abspath(target)!r}: "
                             f"No such file\n")
            return 2
    install_torch_alias()
    sys.argv = [target] + args
    # As `python script.py` / `python -m mod`: the script's directory (or the cwd) leads sys.path.
    sys.path[0] = os.getcwd() if as_module else os.path.dirname(os.path.realpath(target))
    try:
        if as_module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(target, run_name="__main__")
    except Exception as e:
        sys.stdout.flush()
        missing = _missing_torch_name(e)
        if missing is None:
            _print_user_traceback(e)
        else:
            sys.stderr.write(_explain(e, missing, None if as_module else target, prog))
        return 1
    return 0


def _missing_torch_name(e):
    """The torch name a failed import asked for, when torsh_compat (not the program) lacks it."""
    if isinstance(e, (MissingTorchModule, TorchOnlyPackage)):
        return e.name
    if getattr(e, "torch_name", None):      # torsh_compat._missing.MissingTorchName: torch.<attr>
        return e.torch_name
    # `from torch import nn` when there is no torch.nn: Python reports "cannot import name".
    if type(e) is ImportError and (e.name or "").partition(".")[0] == _PREFIX:
        import re
        m = re.match(r"cannot import name '(\w+)'", str(e))
        if m:
            return "torch" + e.name[len(_PREFIX):] + "." + m.group(1)
    return None


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _runner_frame(filename):
    # runpy and importlib are frozen modules on recent Pythons, plain files on others.
    return filename.startswith("<frozen ") or filename in (__file__, runpy.__file__)


def _own_frame(filename):
    """A frame of the runner or of torsh_compat itself: never the place to point the user at."""
    return _runner_frame(filename) or os.path.abspath(filename).startswith(_PACKAGE_DIR)


def _user_frames(tb):
    """(filename, lineno) of the traceback's frames outside the import system and this runner."""
    frames = []
    while tb is not None:
        fn = tb.tb_frame.f_code.co_filename
        if not _own_frame(fn):
            frames.append((fn, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _where(frames, script):
    """'script.py:3: import torch.distributed', then the innermost importer when it differs."""
    import linecache
    if not frames:
        return []
    pick = [f for f in frames if script and os.path.abspath(f[0]) == os.path.abspath(script)]
    chosen = [pick[-1]] if pick else []
    if frames[-1] not in chosen:
        chosen.append(frames[-1])
    out = []
    for fn, line in chosen:
        code = linecache.getline(fn, line).strip()
        out.append(f"{fn}:{line}" + (f": {code}" if code else ""))
    return out


def _explain(e, name, script, prog):
    where = _where(_user_frames(e.__traceback__), script)
    at = "".join(f"  at {w}\n" for w in where)
    if isinstance(e, TorchOnlyPackage):
        return (f"{prog}: this program imports {name}, which is built on real PyTorch's compiled "
                f"core, so torsh_compat cannot stand in for it.\n{at}"
                f"Run the program with real PyTorch, or replace its use of {name}.\n")
    import torsh_compat
    import pkgutil
    have = sorted("torch." + m.name for m in pkgutil.iter_modules(torsh_compat.__path__)
                  if not m.name.startswith(("_", "torsh_")) and m.name != "run")
    if getattr(e, "torch_name", None):
        return f"{prog}: this program uses {name}, which torsh_compat does not provide (yet).\n{at}"
    return (f"{prog}: this program imports {name}, which torsh_compat does not provide (yet).\n"
            f"{at}torsh_compat has these torch submodules: {', '.join(have)}.\n")


def _print_user_traceback(e):
    """The traceback Python would print for the script, without the runner's own frames."""
    import traceback
    tb = e.__traceback__
    while tb is not None and _runner_frame(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    traceback.print_exception(type(e), e, tb)
