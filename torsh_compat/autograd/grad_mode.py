"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode (context managers and decorators)."""
import functools


class _State:
    enabled = True      # read on every op: a class attribute is the cheapest global to reach
    inference = False


def is_grad_enabled():
    return _State.enabled


def is_inference_mode_enabled():
    return _State.inference


class _Mode:
    """Base of the grad-mode switches: a context manager that is also a decorator."""
    _target = True

    def __enter__(self):
        self._prev = _State.enabled
        _State.enabled = self._target

    def __exit__(self, *exc):
        _State.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return fn(*args, **kwargs)
        return wrapper

    def _args(self):
        return ()

    def clone(self):
        return self.__class__(*self._args())


class no_grad(_Mode):
    _target = False

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if func is not None and callable(func):   # used as a bare decorator: @torch.no_grad
            return self(func)
        return self

    def __init__(self, func=None):
        pass


class enable_grad(no_grad):
    _target = True


class set_grad_enabled(_Mode):
    def __init__(self, mode):
        self._target = bool(mode)
        self._prev = _State.enabled
        _State.enabled = self._target    # torch applies it at construction, so it works as a function

    def __enter__(self):
        pass

    def _args(self):
        return (self._target,)


class inference_mode(_Mode):
    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self._target = False
            self._mode = True
            return self(mode)
        return self

    def __init__(self, mode=True):
        self._mode = bool(mode) if not callable(mode) else True
        self._target = not self._mode

    def __enter__(self):
        self._prev_inf = _State.inference
        _State.inference = self._mode
        super().__enter__()

    def __exit__(self, *exc):
        _State.inference = self._prev_inf
        return super().__exit__(*exc)

    def _args(self):
        return (self._mode,)
