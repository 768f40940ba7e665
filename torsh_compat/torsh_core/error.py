"""TorshError and its variants as exceptions.

Each variant derives from TorshError and from the builtin exception PyTorch raises in the same
situation (InvalidArgument is a ValueError, ShapeMismatch a RuntimeError, ...), so code written for
either face catches it. A raise site whose torch counterpart raises another builtin uses
`Variant.also(Builtin)`: a class deriving from both (BatchNorm2d given the wrong rank raises
`ShapeMismatch.also(ValueError)`, as torch raises a ValueError there).
"""

__all__ = ["TorshError", "Result"]


class TorshError(Exception):
    """Base of every ToRSh-face error; the variants are attributes (TorshError.InvalidArgument)."""

    _mixins = {}

    @classmethod
    def also(cls, builtin):
        """The class deriving from this variant and from `builtin` (cached, so `except` on
        either matches and two raise sites with the same pair share one class)."""
        if issubclass(cls, builtin):
            return cls
        key = (cls, builtin)
        made = TorshError._mixins.get(key)
        if made is None:
            made = type(cls.__name__, (cls, builtin), {"__module__": cls.__module__,
                                                       "__qualname__": cls.__qualname__})
            TorshError._mixins[key] = made
        return made


def _variant(name, builtin, doc):
    cls = type(name, (TorshError, builtin), {"__doc__": doc, "__module__": __name__,
                                             "__qualname__": f"TorshError.{name}"})
    setattr(TorshError, name, cls)
    return cls


InvalidArgument = _variant("InvalidArgument", ValueError, "An argument has a value the call refuses.")
ShapeMismatch = _variant("ShapeMismatch", RuntimeError, "Shapes or ranks that do not fit together.")
InvalidShape = _variant("InvalidShape", RuntimeError, "A shape that cannot exist (negative size, ...).")
IndexOutOfBounds = _variant("IndexOutOfBounds", IndexError, "An index past the end of a dimension.")
DimensionError = _variant("DimensionError", IndexError, "A dimension number out of range.")
TypeMismatch = _variant("TypeMismatch", TypeError, "A dtype or Python type that the call refuses.")
DeviceMismatch = _variant("DeviceMismatch", RuntimeError, "Tensors on different devices.")
DeviceError = _variant("DeviceError", RuntimeError, "A device that is not available.")
AutogradError = _variant("AutogradError", RuntimeError, "A failure of the backward pass.")
InvalidState = _variant("InvalidState", RuntimeError, "An object used in a state that forbids it.")
SerializationError = _variant("SerializationError", RuntimeError, "A file that cannot be read or written.")
IoError = _variant("IoError", OSError, "An operating-system input/output failure.")
NotImplemented_ = _variant("NotImplemented", NotImplementedError, "An operation not provided.")
RuntimeError_ = _variant("RuntimeError", RuntimeError, "Any other failure at run time.")


class Result:
    """`Result[T]` in annotations reads as T: failures are raised, not returned."""

    def __class_getitem__(cls, item):
        return item
