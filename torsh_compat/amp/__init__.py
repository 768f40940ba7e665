"""torch.amp: autocast and GradScaler as a machine without CUDA runs them.

So that training loops written for GPUs run unchanged: `autocast("cuda")` is disabled with torch's
warning, and `GradScaler` (whose default device is cuda) disables itself with torch's warning, after
which scale/step/update/unscale_ pass through exactly as torch's disabled scaler does. autocast on the
"cpu" device is accepted and reported as enabled, but ops keep their dtypes: where torch would compute
a CPU-autocast region in bfloat16, torsh_compat computes it in float32 (see README, Known differences).
"""
import functools
import warnings

from .. import _dtype as D

__all__ = ["autocast", "GradScaler", "is_autocast_available", "custom_fwd", "custom_bwd"]

_DEFAULT_DTYPE = {"cpu": D.bfloat16, "cuda": D.float16}


class _AutocastState:
    enabled = {"cpu": False, "cuda": False}
    dtype = dict(_DEFAULT_DTYPE)


def is_autocast_available(device_type):
    return device_type == "cpu"


class autocast:
    """Context manager and decorator; torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _DEFAULT_DTYPE:
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        if device_type == "cuda" and enabled:
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
            enabled = False
        self.device = device_type
        self.fast_dtype = dtype if dtype is not None else _AutocastState.dtype[device_type]
        self._enabled = enabled
        self._cache_enabled = cache_enabled

    def __enter__(self):
        self.prev = _AutocastState.enabled[self.device], _AutocastState.dtype[self.device]
        _AutocastState.enabled[self.device] = self._enabled
        _AutocastState.dtype[self.device] = self.fast_dtype
        return self

    def __exit__(self, *exc):
        _AutocastState.enabled[self.device], _AutocastState.dtype[self.device] = self.prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper


def is_autocast_enabled(device_type="cuda"):
    return _AutocastState.enabled.get(device_type, False)


def get_autocast_dtype(device_type):
    return _AutocastState.dtype[device_type]


def custom_fwd(fwd=None, *, device_type="cuda", cast_inputs=None):
    """Decorator for a custom Function's forward; nothing to cast without CUDA autocast."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type="cuda"):
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd


class GradScaler:
    """torch.amp.GradScaler. Without CUDA, a cuda scaler (the default) is disabled with torch's warning
    and every method passes through, as torch's disabled scaler does."""

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        if enabled and device == "cuda":
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          stacklevel=2)
            enabled = False
        if enabled:
            raise NotImplementedError(f"GradScaler for device {device!r}: torsh_compat has only the disabled "
                                      f"scaler; pass enabled=False")
        self._enabled = False
        self._init_scale, self._growth_factor, self._backoff_factor = init_scale, growth_factor, backoff_factor
        self._growth_interval = growth_interval

    def is_enabled(self):
        return self._enabled

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer):
        return None

    def step(self, optimizer, *args, **kwargs):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        return None

    def get_scale(self):
        return 1.0

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def state_dict(self):
        return {}

    def load_state_dict(self, state_dict):
        return None        # a disabled scaler has no state to load
