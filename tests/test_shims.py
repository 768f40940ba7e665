"""torch.cuda / backends / accelerator / jit / compile and the global knobs, checked against CPU torch."""
import os
import subprocess
import sys
import typing
import warnings

import pytest
import torch

import torsh_compat as tc
import torsh_compat.accelerator  # noqa: F401  (until __init__ imports it)
import torsh_compat.jit  # noqa: F401

CUDNN_FLAGS = ("enabled", "benchmark", "deterministic", "allow_tf32")


def _settings(lib):
    m = lib.backends.cuda.matmul
    return {"cudnn": [getattr(lib.backends.cudnn, f) for f in CUDNN_FLAGS],
            "reduction": (m.allow_fp16_reduced_precision_reduction,
                          m.allow_bf16_reduced_precision_reduction),
            "precision": lib.get_float32_matmul_precision(),
            "threads": lib.get_num_threads(),
            "determinism": (lib.are_deterministic_algorithms_enabled(),
                            lib.is_deterministic_algorithms_warn_only_enabled()),
            "sdp": [getattr(lib.backends.cuda, f"{k}_sdp_enabled")()
                    for k in ("flash", "mem_efficient", "math", "cudnn")]}


def _restore_settings(lib, s):
    for f, v in zip(CUDNN_FLAGS, s["cudnn"]):
        setattr(lib.backends.cudnn, f, v)
    m = lib.backends.cuda.matmul
    m.allow_fp16_reduced_precision_reduction, m.allow_bf16_reduced_precision_reduction = s["reduction"]
    lib.set_float32_matmul_precision(s["precision"])
    lib.backends.cuda.matmul.fp32_precision = "none"
    lib.set_num_threads(s["threads"])
    lib.use_deterministic_algorithms(s["determinism"][0], warn_only=s["determinism"][1])
    for k, v in zip(("flash", "mem_efficient", "math", "cudnn"), s["sdp"]):
        getattr(lib.backends.cuda, f"enable_{k}_sdp")(v)


@pytest.fixture(autouse=True)
def _isolate():
    saved = {lib: _settings(lib) for lib in (torch, tc)}
    yield
    for lib, s in saved.items():
        _restore_settings(lib, s)


def outcome(fn, lib):
    """('ok', value) or ('raise', exception type): what a script would observe."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", fn(lib)
    except Exception as e:  # noqa: BLE001
        return "raise", type(e)


def assert_same(fn):
    ours, theirs = outcome(fn, tc), outcome(fn, torch)
    assert ours == theirs


CUDA_CALLS = {
    "is_available": lambda t: t.cuda.is_available(),
    "device_count": lambda t: t.cuda.device_count(),
    "is_initialized": lambda t: t.cuda.is_initialized(),
    "_is_compiled": lambda t: t.cuda._is_compiled(),
    "is_bf16_supported": lambda t: t.cuda.is_bf16_supported(),
    "is_bf16_supported_no_emulation": lambda t: t.cuda.is_bf16_supported(including_emulation=False),
    "is_tf32_supported": lambda t: t.cuda.is_tf32_supported(),
    "get_arch_list": lambda t: t.cuda.get_arch_list(),
    "manual_seed": lambda t: t.cuda.manual_seed(0),
    "manual_seed_bad": lambda t: t.cuda.manual_seed("x"),
    "manual_seed_all": lambda t: t.cuda.manual_seed_all(123),
    "seed": lambda t: t.cuda.seed(),
    "seed_all": lambda t: t.cuda.seed_all(),
    "initial_seed": lambda t: t.cuda.initial_seed(),
    "get_rng_state": lambda t: t.cuda.get_rng_state(),
    "get_rng_state_all": lambda t: t.cuda.get_rng_state_all(),
    "set_rng_state_all": lambda t: t.cuda.set_rng_state_all([]),
    "empty_cache": lambda t: t.cuda.empty_cache(),
    "synchronize": lambda t: t.cuda.synchronize(),
    "init": lambda t: t.cuda.init(),
    "current_device": lambda t: t.cuda.current_device(),
    "get_device_name": lambda t: t.cuda.get_device_name(),
    "get_device_name_0": lambda t: t.cuda.get_device_name(0),
    "get_device_capability": lambda t: t.cuda.get_device_capability(),
    "get_device_properties": lambda t: t.cuda.get_device_properties(0),
    "mem_get_info": lambda t: t.cuda.mem_get_info(),
    "current_stream": lambda t: t.cuda.current_stream(),
    "memory_allocated": lambda t: t.cuda.memory_allocated(),
    "max_memory_allocated": lambda t: t.cuda.max_memory_allocated(),
    "memory_reserved": lambda t: t.cuda.memory_reserved(),
    "max_memory_reserved": lambda t: t.cuda.max_memory_reserved(),
    "memory_stats": lambda t: dict(t.cuda.memory_stats()),
    "reset_peak_memory_stats": lambda t: t.cuda.reset_peak_memory_stats(),
    "set_device_0": lambda t: t.cuda.set_device(0),
    "set_device_cuda0": lambda t: t.cuda.set_device("cuda:0"),
    "set_device_cpu": lambda t: t.cuda.set_device("cpu"),
    "set_device_none": lambda t: t.cuda.set_device(None),
    "set_device_minus1": lambda t: t.cuda.set_device(-1),
    "device_ctx_0": lambda t: t.cuda.device(0).__enter__(),
    "device_ctx_minus1": lambda t: t.cuda.device(-1).__enter__(),
    "device_ctx_cpu": lambda t: t.cuda.device("cpu"),
    "device_of_cpu_tensor": lambda t: t.cuda.device_of(t.zeros(1)).__enter__(),
    "stream_none": lambda t: t.cuda.stream(None).__enter__(),
    "Stream": lambda t: t.cuda.Stream(),
    "Event": lambda t: t.cuda.Event(),
    "FloatTensor": lambda t: t.cuda.FloatTensor(3),
    "isinstance_FloatTensor": lambda t: isinstance(t.zeros(1), t.cuda.FloatTensor),
    "LongTensor": lambda t: t.cuda.LongTensor([1]),
}


@pytest.mark.parametrize("name", CUDA_CALLS)
def test_cuda_matches_cpu_torch(name):
    assert_same(CUDA_CALLS[name])


@pytest.mark.parametrize("fn", [tc.cuda.current_device, tc.cuda.synchronize, tc.cuda.get_device_name])
def test_cuda_errors_keep_torch_wording_and_say_why(fn):
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled.*CPU only"):
        fn()


def test_cuda_device_pick_idiom():
    dev = tc.device("cuda" if tc.cuda.is_available() else "cpu")
    assert dev == tc.device("cpu")


BACKEND_CALLS = {
    "cudnn_is_available": lambda t: t.backends.cudnn.is_available(),
    "cudnn_version": lambda t: t.backends.cudnn.version(),
    "cudnn_defaults": lambda t: [getattr(t.backends.cudnn, f) for f in CUDNN_FLAGS],
    "cudnn_benchmark_limit": lambda t: t.backends.cudnn.benchmark_limit,
    "cuda_is_built": lambda t: t.backends.cuda.is_built(),
    "matmul_allow_tf32": lambda t: t.backends.cuda.matmul.allow_tf32,
    "matmul_fp16_reduction": lambda t: t.backends.cuda.matmul.allow_fp16_reduced_precision_reduction,
    "matmul_bf16_reduction": lambda t: t.backends.cuda.matmul.allow_bf16_reduced_precision_reduction,
    "matmul_fp32_precision": lambda t: t.backends.cuda.matmul.fp32_precision,
    "matmul_unknown": lambda t: setattr(t.backends.cuda.matmul, "foo", True),
    "matmul_tf32_int": lambda t: setattr(t.backends.cuda.matmul, "allow_tf32", 1),
    "matmul_fp16_int": lambda t: setattr(t.backends.cuda.matmul,
                                         "allow_fp16_reduced_precision_reduction", 1),
    "matmul_fp32_bad": lambda t: setattr(t.backends.cuda.matmul, "fp32_precision", "xx"),
    "matmul_fp32_bf16": lambda t: setattr(t.backends.cuda.matmul, "fp32_precision", "bf16"),
    "sdp_defaults": lambda t: [t.backends.cuda.flash_sdp_enabled(),
                               t.backends.cuda.mem_efficient_sdp_enabled(),
                               t.backends.cuda.math_sdp_enabled(), t.backends.cuda.cudnn_sdp_enabled()],
    "sdp_enable_int": lambda t: t.backends.cuda.enable_math_sdp(1),
    "mps_is_available": lambda t: t.backends.mps.is_available(),
    "mps_is_built": lambda t: t.backends.mps.is_built(),
    "mkldnn_is_available": lambda t: t.backends.mkldnn.is_available(),
    "mkldnn_enabled": lambda t: t.backends.mkldnn.enabled,
    "mkl_is_available": lambda t: t.backends.mkl.is_available(),
    "openmp_is_available": lambda t: t.backends.openmp.is_available(),
}


@pytest.mark.parametrize("name", BACKEND_CALLS)
def test_backends_match_cpu_torch(name):
    assert_same(BACKEND_CALLS[name])


@pytest.mark.parametrize("flag", CUDNN_FLAGS)
@pytest.mark.parametrize("value", [True, False, 1])
def test_cudnn_flags_settable_like_torch(flag, value):
    def set_then_get(t):
        setattr(t.backends.cudnn, flag, value)
        return getattr(t.backends.cudnn, flag)
    assert_same(set_then_get)


def test_cudnn_flags_context_restores():
    def inside_and_after(t):
        with t.backends.cudnn.flags(enabled=False, deterministic=True):
            inside = [getattr(t.backends.cudnn, f) for f in CUDNN_FLAGS]
        return inside, [getattr(t.backends.cudnn, f) for f in CUDNN_FLAGS]
    assert_same(inside_and_after)


def test_sdp_switches_like_torch():
    def toggle(t):
        t.backends.cuda.enable_flash_sdp(False)
        t.backends.cuda.enable_mem_efficient_sdp(False)
        return t.backends.cuda.flash_sdp_enabled(), t.backends.cuda.mem_efficient_sdp_enabled()
    assert_same(toggle)


def _matmul_view(t):
    return (t.get_float32_matmul_precision(), t.backends.cuda.matmul.allow_tf32,
            t.backends.cuda.matmul.fp32_precision)


@pytest.mark.parametrize("steps", [
    [("precision", "high")], [("precision", "medium")], [("precision", "high"), ("precision", "highest")],
    [("tf32", True)], [("tf32", True), ("tf32", False)], [("fp32", "ieee")], [("fp32", "none")],
    [("fp32", "ieee"), ("fp32", "none")],
])
def test_matmul_precision_views_agree_with_torch(steps):
    def run(t):
        for kind, v in steps:
            if kind == "precision":
                t.set_float32_matmul_precision(v)
            elif kind == "tf32":
                t.backends.cuda.matmul.allow_tf32 = v
            else:
                t.backends.cuda.matmul.fp32_precision = v
        return _matmul_view(t)
    assert_same(run)


def test_matmul_precision_bad_values():
    assert_same(lambda t: t.set_float32_matmul_precision(3))
    for lib in (tc, torch):
        with pytest.warns(UserWarning, match="bogus is not one of"):
            lib.set_float32_matmul_precision("bogus")
        assert lib.get_float32_matmul_precision() == "highest"


ACCEL_CALLS = {
    "is_available": lambda t: t.accelerator.is_available(),
    "current_accelerator": lambda t: t.accelerator.current_accelerator(),
    "current_accelerator_checked": lambda t: t.accelerator.current_accelerator(check_available=True),
    "device_count": lambda t: t.accelerator.device_count(),
    "current_device_index": lambda t: t.accelerator.current_device_index(),
    "current_device_idx": lambda t: t.accelerator.current_device_idx(),
    "set_device_index": lambda t: t.accelerator.set_device_index(0),
    "synchronize": lambda t: t.accelerator.synchronize(),
    "empty_cache": lambda t: t.accelerator.empty_cache(),
    "memory_allocated": lambda t: t.accelerator.memory_allocated(),
    "current_stream": lambda t: t.accelerator.current_stream(),
    "device_index_none": lambda t: t.accelerator.device_index(None).__enter__(),
    "device_index_0": lambda t: t.accelerator.device_index(0).__enter__(),
}


@pytest.mark.parametrize("name", ACCEL_CALLS)
def test_accelerator_matches_cpu_torch(name):
    assert_same(ACCEL_CALLS[name])


def _add_one(x: int) -> int:
    return x + 1


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_jit_script_and_trace_return_their_argument_and_warn_once():
    tc.jit._warned.clear()
    with pytest.warns(UserWarning, match="torch.jit.script returns its argument"):
        assert tc.jit.script(_add_one) is _add_one
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tc.jit.script(_add_one) is _add_one
    assert torch.jit.script(_add_one)(3) == tc.jit.script(_add_one)(3) == 4
    with pytest.warns(UserWarning, match="torch.jit.trace returns its argument"):
        assert tc.jit.trace(_add_one, (1,)) is _add_one


JIT_CALLS = {
    "is_scripting": lambda t: t.jit.is_scripting(),
    "is_tracing": lambda t: t.jit.is_tracing(),
    "Final": lambda t: t.jit.Final,
    "annotate": lambda t: t.jit.annotate(typing.List[int], [1, 2]),
    "ignore_bare": lambda t: t.jit.ignore(_add_one) is _add_one,
    "ignore_args": lambda t: t.jit.ignore(drop=False)(_add_one) is _add_one,
    "unused": lambda t: t.jit.unused(_add_one) is _add_one,
    "export": lambda t: t.jit.export(_add_one) is _add_one,
    "script_if_tracing": lambda t: t.jit.script_if_tracing(_add_one)(1),
    "fork_wait": lambda t: t.jit.wait(t.jit.fork(_add_one, 2)),
    "fork_future": lambda t: (lambda f: (f.done(), f.wait(), f.value()))(t.jit.fork(_add_one, 5)),
}


@pytest.mark.parametrize("name", JIT_CALLS)
def test_jit_matches_torch(name):
    assert_same(JIT_CALLS[name])


def test_compile_returns_the_model():
    assert tc.compile(_add_one) is _add_one
    assert tc.compile(_add_one, mode="max-autotune", fullgraph=True, dynamic=False) is _add_one
    assert tc.compile()(_add_one) is _add_one
    assert tc.compile(backend="eager", mode="reduce-overhead")(_add_one) is _add_one

    @tc.compile
    def f(x):
        return x * 2

    @tc.compile(dynamic=True)
    def g(x):
        return x * 3
    assert (f(2), g(2), f.__name__, g.__name__) == (4, 6, "f", "g")


@pytest.mark.parametrize("call", [
    lambda t: t.compile(3),
    lambda t: t.compile(_add_one, mode="x"),
    lambda t: callable(t.compile(mode="x")),
    lambda t: t.compile(mode="x")(_add_one),
    lambda t: t.compile(_add_one, mode="default", options={}),
], ids=["not_callable", "bad_mode", "bad_mode_decorator", "bad_mode_applied", "mode_and_options"])
def test_compile_errors_match_torch(call):
    assert_same(call)


def test_default_thread_counts_match_torch_in_fresh_processes():
    code = ("import sys, importlib; t = importlib.import_module(sys.argv[1]); "
            "print(t.get_num_threads(), t.get_num_interop_threads())")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for omp in (None, "1", "64"):
        env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
        if omp:
            env["OMP_NUM_THREADS"] = omp
        out = [subprocess.run([sys.executable, "-c", code, mod], env=env, cwd=root, check=True,
                              capture_output=True, text=True).stdout for mod in ("torch", "torsh_compat")]
        assert out[0] == out[1], omp


@pytest.mark.parametrize("value", [1, 3, 0, -1, 1.5, True, "2"])
def test_set_num_threads_like_torch(value):
    def set_get(t):
        t.set_num_threads(value)
        return t.get_num_threads()
    assert_same(set_get)


def test_set_num_interop_threads_only_once():
    # torch refuses a second call in any process, so compare against a fresh one.
    code = ("import sys, importlib; t = importlib.import_module(sys.argv[1]); r = []\n"
            "for v in (0, 1.5, 1, 1):\n"
            "    try: t.set_num_interop_threads(v); r.append(t.get_num_interop_threads())\n"
            "    except Exception as e: r.append(type(e).__name__)\n"
            "print(r)")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = [subprocess.run([sys.executable, "-c", code, mod], cwd=root, check=True,
                          capture_output=True, text=True).stdout for mod in ("torch", "torsh_compat")]
    assert out[0] == out[1] == "['RuntimeError', 'RuntimeError', 1, 'RuntimeError']\n"


@pytest.mark.parametrize("steps", [
    [(True, False)], [(True, True)], [(False, True)], [(True, False), (False, False)],
    [("debug", "warn")], [("debug", "error")], [("debug", 2), ("debug", "default")], [("debug", 1)],
    [("debug", 5)], [("debug", "x")], [("debug", 1.0)], [(1, False)], [(True, 1)], [("x", False)],
])
def test_deterministic_algorithms_like_torch(steps):
    def run(t):
        for a, b in steps:
            if a == "debug":
                t.set_deterministic_debug_mode(b)
            else:
                t.use_deterministic_algorithms(a, warn_only=b)
        return (t.are_deterministic_algorithms_enabled(),
                t.is_deterministic_algorithms_warn_only_enabled(), t.get_deterministic_debug_mode())
    assert_same(run)


def test_top_level_names_exported():
    for name in tc._shims.__all__:
        assert getattr(tc, name) is getattr(tc._shims, name)
        assert hasattr(torch, name)
