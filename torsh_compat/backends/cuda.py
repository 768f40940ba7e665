"""torch.backends.cuda: not built; matmul precision flags kept and shared with torch.*matmul_precision."""
from .. import _shims
from . import _Flag


def is_built():
    return False


class _ReductionFlag(_Flag):
    def __set__(self, obj, value):
        if not isinstance(value, bool):
            raise TypeError(f"{self.setter_name} expects a bool or a tuple/list of bools, "
                            f"but got {type(value)}")
        obj.__dict__[self.key] = value


class _CuBLAS:
    """torch.backends.cuda.matmul; allow_tf32 and fp32_precision mirror set_float32_matmul_precision."""
    allow_fp16_reduced_precision_reduction = _ReductionFlag(True, "allow_fp16_reduced_precision_reduction")
    allow_bf16_reduced_precision_reduction = _ReductionFlag(True, "allow_bf16_reduced_precision_reduction")

    @property
    def allow_tf32(self):
        return _shims._matmul["precision"] != "highest"

    @allow_tf32.setter
    def allow_tf32(self, value):
        if not isinstance(value, bool):
            raise RuntimeError(f"set_allow_tf32_cublas expects a bool, but got {type(value).__name__}")
        _shims._matmul.update(precision="high" if value else "highest",
                              fp32_precision="tf32" if value else "ieee")

    @property
    def fp32_precision(self):
        return _shims._matmul["fp32_precision"]

    @fp32_precision.setter
    def fp32_precision(self, value):
        if value not in ("ieee", "tf32", "bf16", "none"):
            raise RuntimeError(f"Unknown precision: {value}")
        if value == "bf16":
            raise RuntimeError("backend 'cuda' does not support precision 'bf16'")
        _shims._matmul["fp32_precision"] = value
        if value != "none":
            _shims._matmul["precision"] = "high" if value == "tf32" else "highest"

    def __setattr__(self, name, value):
        if not hasattr(type(self), name):
            raise AttributeError("Unknown attribute " + name)
        super().__setattr__(name, value)


matmul = _CuBLAS()

_sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def _sdp_switch(kind):
    def enabled():
        return _sdp[kind]

    def enable(enabled):
        if not isinstance(enabled, bool):
            raise RuntimeError(f"set_sdp_use_{kind} expects a bool, but got {type(enabled).__name__}")
        _sdp[kind] = enabled
    enabled.__name__, enable.__name__ = f"{kind}_sdp_enabled", f"enable_{kind}_sdp"
    return enabled, enable


flash_sdp_enabled, enable_flash_sdp = _sdp_switch("flash")
mem_efficient_sdp_enabled, enable_mem_efficient_sdp = _sdp_switch("mem_efficient")
math_sdp_enabled, enable_math_sdp = _sdp_switch("math")
cudnn_sdp_enabled, enable_cudnn_sdp = _sdp_switch("cudnn")
