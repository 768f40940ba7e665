"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode (context managers and decorators).

Mirrors torch.autograd.grad_mode: each switch is a context manager that is also a decorator
(re-entered on every call, and around every step of a decorated generator).
"""
import functools
import inspect
import sys


class _State:
    enabled = True      # read on every op: a class attribute is the cheapest global to reach
    inference = False


def is_grad_enabled():
    return _State.enabled


def is_inference_mode_enabled():
    return _State.inference


def _set_enabled(mode):
    _State.enabled = bool(mode)


def _wrap_generator(make_ctx, func):
    """Run each step of the generator `func` inside a fresh context."""
    @functools.wraps(func)
    def generator_context(*args, **kwargs):
        gen = func(*args, **kwargs)
        try:
            with make_ctx():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with make_ctx():
                        gen.close()
                    raise
                except BaseException:
                    with make_ctx():
                        response = gen.throw(*sys.exc_info())
                else:
                    with make_ctx():
                        response = gen.send(request)
        except StopIteration as e:
            return e.value
    return generator_context


class _DecoratorContextManager:
    """A context manager usable as a decorator: each call runs inside a clone of it."""

    def __call__(self, func):
        if inspect.isclass(func):
            raise RuntimeError("Cannot decorate classes; decorate each of its methods individually.")
        make_ctx = self.clone
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(make_ctx, func)

        @functools.wraps(func)
        def decorate_context(*args, **kwargs):
            with make_ctx():
                return func(*args, **kwargs)
        return decorate_context

    def clone(self):
        return self.__class__()


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """Also usable bare: @torch.no_grad without parentheses."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecoratorContextManager):
    def __init__(self):
        self.prev = False

    def __enter__(self):
        self.prev = _State.enabled
        _State.enabled = False

    def __exit__(self, *exc):
        _State.enabled = self.prev


class enable_grad(_NoParamDecoratorContextManager):
    def __enter__(self):
        self.prev = _State.enabled
        _State.enabled = True

    def __exit__(self, *exc):
        _State.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Applied at construction, so `torch.set_grad_enabled(False)` works as a plain call."""

    def __init__(self, mode):
        self.prev = _State.enabled
        self.mode = mode
        _set_enabled(mode)

    def __call__(self, func):
        _set_enabled(self.prev)      # as a decorator it must not change the mode at definition
        return super().__call__(func)

    def __enter__(self):
        _set_enabled(self.mode)

    def __exit__(self, *exc):
        _set_enabled(self.prev)

    def __repr__(self):
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self.mode})"

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Inference mode on means grad mode off (and off means on), as c10::InferenceMode does."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode=True):
        self.mode = mode

    def __enter__(self):
        self._prev = (_State.enabled, _State.inference)
        _State.enabled = not self.mode
        _State.inference = bool(self.mode)

    def __exit__(self, *exc):
        _State.enabled, _State.inference = self._prev

    def clone(self):
        return self.__class__(self.mode)


class set_multithreading_enabled(_DecoratorContextManager):
    """Backward always runs on the calling thread here; accepted for compatibility."""

    def __init__(self, mode):
        self.mode = mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        pass

    def clone(self):
        return self.__class__(self.mode)
