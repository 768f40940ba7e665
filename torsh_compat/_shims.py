"""Top-level knobs scripts set for speed or reproducibility on machines with accelerators.

On a CPU-only NumPy backend most of them change nothing, so they store the value and give it back,
with torch's argument checks so that a script that errs under torch errs here too.
"""
import os
import warnings

__all__ = ["compile", "set_num_threads", "get_num_threads", "set_num_interop_threads",
           "get_num_interop_threads", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
           "set_deterministic_debug_mode", "get_deterministic_debug_mode",
           "set_float32_matmul_precision", "get_float32_matmul_precision"]


def _default_threads():
    # torch honours OMP_NUM_THREADS but never goes above the machine's cores.
    cores = os.cpu_count() or 1
    env = os.environ.get("OMP_NUM_THREADS", "")
    return min(int(env), cores) if env.isdigit() and int(env) > 0 else cores


_threads = {"intra": _default_threads(), "interop": os.cpu_count() or 1, "interop_set": False}


def _check_threads(fname, n):
    if isinstance(n, bool) or not hasattr(type(n), "__index__"):
        raise RuntimeError(f"{fname} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{fname} expects a positive integer")
    return int(n)


def set_num_threads(n, /):
    """Stored only: NumPy's BLAS threads are fixed when it loads (set OPENBLAS_NUM_THREADS)."""
    _threads["intra"] = _check_threads("set_num_threads", n)


def get_num_threads():
    return _threads["intra"]


def set_num_interop_threads(n, /):
    n = _check_threads("set_num_interop_threads", n)
    if _threads["interop_set"]:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has "
                           "started or set_num_interop_threads called")
    _threads["interop"], _threads["interop_set"] = n, True


def get_num_interop_threads():
    return _threads["interop"]


# torch keeps 'deterministic' and 'warn_only' as two flags; the debug mode is derived from them.
_determinism = {"on": False, "warn_only": False}


def use_deterministic_algorithms(mode, *, warn_only=False):
    for arg, v in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(v, bool):
            raise TypeError(f"_set_deterministic_algorithms(): argument '{arg}' must be bool, "
                            f"not {type(v).__name__}")
    _determinism.update(on=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled():
    return _determinism["on"]


def is_deterministic_algorithms_warn_only_enabled():
    return _determinism["warn_only"]


_DEBUG_MODES = ("default", "warn", "error")


def set_deterministic_debug_mode(debug_mode):
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    _determinism.update(on=debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _determinism["on"]:
        return 0
    return 1 if _determinism["warn_only"] else 2


# Shared with torch.backends.cuda.matmul: allow_tf32 and fp32_precision are other views of it.
_matmul = {"precision": "highest", "fp32_precision": "none"}


def set_float32_matmul_precision(precision):
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got "
                           f"{type(precision).__name__}")
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", stacklevel=2)
        return
    _matmul["precision"] = precision
    _matmul["fp32_precision"] = "ieee" if precision == "highest" else "tf32"


def get_float32_matmul_precision():
    return _matmul["precision"]


_COMPILE_MODES = (None, "default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs",
                  "max-autotune")


def compile(model=None, *, fullgraph=False, dynamic=None, backend=None, mode=None, options=None,
            name=None, disable=False, **kwargs):  # noqa: A001  (torch.compile)
    """No compiler here: hand back the model itself, so it runs eagerly and keeps its identity."""
    if model is None:  # decorator with arguments; torch checks them once it gets the function
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                  mode=mode, options=options, name=name, disable=disable, **kwargs)
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified "
                           "at the same time.")
    if mode not in _COMPILE_MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: "
                           + ", ".join(_COMPILE_MODES[1:]))
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    return model
