"""torsh_compat: PyTorch's API on NumPy. `import torsh_compat as torch`."""
from . import _dtype, _missing
from ._dtype import (dtype, bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32,
                     float64, complex32, complex64, complex128, get_default_dtype, set_default_dtype,
                     promote_types, result_type, finfo, iinfo)
from ._device import device
from ._tensor import Tensor, Size
from . import autograd
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled, \
    is_inference_mode_enabled, is_anomaly_enabled, is_anomaly_check_nan_enabled
from . import ops
from ._creation import (tensor, as_tensor, from_numpy, zeros, ones, empty, full, zeros_like,
                        ones_like, empty_like, full_like, arange, linspace, logspace, eye,
                        scalar_tensor, is_tensor, is_floating_point, is_complex, numel,
                        FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor,
                        CharTensor, ByteTensor, BoolTensor, BFloat16Tensor)
from ._creation import range  # noqa: A004  (torch.range, deprecated but still used)

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
cfloat = complex64
cdouble = complex128
chalf = complex32
__version__ = "2.13.0+torsh"
detach, detach_ = Tensor.detach, Tensor.detach_


def _export_ops():
    """torch.<op> for every registered op that torch exposes at the top level, taking out=."""
    g = globals()
    for name, info in ops.REGISTRY.items():
        fn = torch_function(info.fn, name)
        if getattr(info.fn, "_namespace", True) and name not in g:
            g[name] = fn
        for alias in getattr(info.fn, "_aliases", ()):
            g.setdefault(alias, fn)


from .ops.registry import torch_function  # noqa: E402
from .ops import pointwise as _pointwise  # noqa: E402
add, sub, div = (torch_function(getattr(_pointwise, n)) for n in ("add", "sub", "div"))
subtract, divide, true_divide = sub, div, div
from . import random  # noqa: E402
from .random import *  # noqa: E402,F401,F403
from ._shims import *  # noqa: E402,F401,F403
from ._printing import set_printoptions  # noqa: E402,F401
from . import cuda, backends, jit, accelerator, amp, cpu  # noqa: E402,F401
from .amp import autocast, is_autocast_enabled, get_autocast_dtype  # noqa: E402,F401
from . import nn  # noqa: E402,F401
from . import linalg  # noqa: E402,F401
from . import optim, utils  # noqa: E402,F401
_export_ops()    # last: nn/ registers ops too (torch.dropout, torch.celu, ...)
# torch's top-level in-place functions: torch.exp_(x) is x.exp_()
for _name in ("abs_ acos_ addmv_ asin_ atan_ ceil_ cos_ cosh_ erf_ erfc_ exp_ exp2_ expm1_ fill_ floor_ frac_ "
              "log_ log10_ log1p_ log2_ neg_ reciprocal_ relu_ round_ rsqrt_ sigmoid_ sin_ sinh_ sqrt_ square_ "
              "tan_ tanh_ trunc_ zero_").split():
    globals().setdefault(_name, getattr(Tensor, _name))
for _name in ("celu_", "selu_", "rrelu_", "threshold_"):
    globals().setdefault(_name, getattr(nn.functional, _name))
del _name
__getattr__, __dir__ = _missing.module_getattr("torch", __name__, {
    "serialization": ".serialization", "save": ".serialization:save", "load": ".serialization:load"})
