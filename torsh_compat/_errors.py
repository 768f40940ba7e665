"""The exception for a layer given input of the wrong rank (the guide's Pitfall 3)."""


def shape_mismatch(builtin, message):
    """An instance of torch's builtin exception type for this site that is also the ToRSh face's
    TorshError.ShapeMismatch, so code written for either face catches it. The face's error module
    is imported only here, when such an error is raised."""
    from .torsh_core.error import ShapeMismatch
    return ShapeMismatch.also(builtin)(message)
