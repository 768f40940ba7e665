"""torch.device and the CUDA-less answers torch gives on a CPU-only machine."""


class device:
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type!r})")
        if ":" in type:
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in _KNOWN:
            raise RuntimeError(f"Expected one of {', '.join(sorted(_KNOWN))} device type at start of "
                               f"device string: {type}")
        self.type, self.index = type, index

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_KNOWN = {"cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "mkldnn", "vulkan", "ipu", "hpu",
          "mtia", "privateuseone"}
CPU = device("cpu")


def check_device(d):
    """Accept cpu in any spelling; raise torch's CUDA-absent error for anything else."""
    if d is None or d is CPU:
        return CPU
    if not isinstance(d, device):
        d = device(d)
    if d.type == "cpu":
        return CPU
    if d.type == "cuda":
        raise AssertionError("CUDA is not available: torsh_compat runs on the CPU only "
                             "(torch raises 'Torch not compiled with CUDA enabled' here). "
                             "Use device='cpu', or pick the device with torch.cuda.is_available().")
    if d.type == "meta":
        raise NotImplementedError("torsh_compat has no 'meta' device: tensors always hold data on the CPU")
    raise RuntimeError(f"device '{d}' is not available: torsh_compat runs on the CPU only")
