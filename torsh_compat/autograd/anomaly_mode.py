"""torch.autograd.detect_anomaly / set_detect_anomaly.

The switches and their queries behave as torch's, so programs that turn anomaly detection on
run unchanged. The engine itself does not record forward tracebacks or check gradients for NaN.
"""
import warnings


class _Anomaly:
    enabled = False
    check_nan = True


def is_anomaly_enabled():
    return _Anomaly.enabled


def is_anomaly_check_nan_enabled():
    return _Anomaly.check_nan


class detect_anomaly:
    """Context manager and decorator turning anomaly detection on."""

    def __init__(self, check_nan=True):
        self.prev = _Anomaly.enabled
        self.check_nan = check_nan
        self.prev_check_nan = _Anomaly.check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should "
                      "only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        _Anomaly.enabled, _Anomaly.check_nan = True, self.check_nan

    def __exit__(self, *exc):
        _Anomaly.enabled, _Anomaly.check_nan = self.prev, self.prev_check_nan

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Applied at construction, so it also works as a plain call; restores on context exit."""

    def __init__(self, mode, check_nan=True):
        self.prev, self.prev_check_nan = _Anomaly.enabled, _Anomaly.check_nan
        _Anomaly.enabled, _Anomaly.check_nan = bool(mode), bool(check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _Anomaly.enabled, _Anomaly.check_nan = self.prev, self.prev_check_nan
