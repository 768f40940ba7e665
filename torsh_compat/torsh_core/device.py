"""Device: the torch device class under ToRSh's name, with the member `Device.Cpu`."""
from .._device import device as _device

__all__ = ["Device"]


class _DeviceMeta(type):
    def __instancecheck__(cls, instance):
        return isinstance(instance, _device)


class Device(metaclass=_DeviceMeta):
    """`Device("cpu")` and `Device.Cpu` are torch devices; isinstance(d, Device) holds for any."""
    Cpu = _device("cpu")

    def __new__(cls, *args, **kwargs):
        return _device(*args, **kwargs)
