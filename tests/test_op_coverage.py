"""The op list of the core issue, as a literal: each name must be a registry op with parity
samples (so tests/test_op_parity.py compares it with torch), or be one of the few names that are
not registry ops, each tested in the file named beside it."""
import pathlib

import pytest

import torsh_compat as tc
from torsh_compat.ops import REGISTRY

ELEMENTWISE = """add sub mul div floor_divide remainder pow neg abs sign exp exp2 log log2 log10 log1p
expm1 sqrt rsqrt sin cos tan asin acos atan atan2 sinh cosh tanh sigmoid erf erfc floor ceil round trunc
frac clamp clip clamp_min clamp_max reciprocal maximum minimum where lerp addcmul addcdiv eq ne lt le gt
ge logical_and logical_or logical_not logical_xor isnan isinf isfinite nan_to_num""".split()
REDUCTIONS = """sum mean prod max min amax amin argmax argmin var std norm linalg.vector_norm
linalg.matrix_norm logsumexp cumsum cumprod all any count_nonzero median topk sort argsort unique""".split()
SHAPE = """view reshape view_as reshape_as permute transpose t squeeze unsqueeze flatten unflatten expand
expand_as repeat repeat_interleave cat concat stack split chunk unbind narrow flip roll tril triu diag
diagonal contiguous clone detach""".split()
INDEXING = """__getitem__ __setitem__ gather scatter scatter_add index_select index_add masked_fill
masked_select take_along_dim nonzero""".split()
LINALG = "matmul mm bmm mv dot outer einsum baddbmm addmm linalg.inv linalg.solve linalg.det".split()
INPLACE = "fill_ zero_ copy_ uniform_ normal_ clamp_ masked_fill_ index_put_".split()

# Not registry ops: (where they are tested, a string that test file must contain).
ELSEWHERE = {
    "detach": ("tests/test_autograd.py", "detach"),
    "__setitem__": ("tests/test_autograd.py", "] = 0"),
    "uniform_": ("tests/test_random.py", "uniform_"),
    "normal_": ("tests/test_random.py", "normal_"),
}
ROOT = pathlib.Path(__file__).resolve().parent.parent


def _registered(name):
    """The registry entry for a torch name: linalg.x may be registered as linalg.x or linalg_x;
    an in-place x_ counts when x is registered with its in-place form."""
    for key in (name, name.replace(".", "_")):
        if key in REGISTRY:
            return REGISTRY[key]
    for info in REGISTRY.values():
        if name in getattr(info.fn, "_aliases", ()):
            return info
    if name.endswith("_") and name[:-1] in REGISTRY and REGISTRY[name[:-1]].inplace:
        return REGISTRY[name[:-1]]
    return None


@pytest.mark.parametrize("name", ELEMENTWISE + REDUCTIONS + SHAPE + INDEXING + LINALG + INPLACE)
def test_op_is_registered_and_sampled(name):
    if name in ELSEWHERE:
        path, needle = ELSEWHERE[name]
        text = (ROOT / path).read_text() if (ROOT / path).exists() else ""
        assert needle in text, f"{name} is not a registry op and {path} does not test it"
        return
    info = _registered(name)
    assert info is not None, f"{name} is missing from the op registry"
    assert info.samples is not None, f"{name} has no parity samples"


@pytest.mark.parametrize("name", ELEMENTWISE + REDUCTIONS + SHAPE + LINALG)
def test_op_is_reachable_as_torch_has_it(name):
    """torch.<name> / torch.linalg.<name> exist where torch has them, else Tensor.<name>."""
    import torch
    mod_t, mod_o, attr = (torch.linalg, getattr(tc, "linalg", None), name[7:]) if name.startswith("linalg.") \
        else (torch, tc, name)
    if hasattr(mod_t, attr):
        assert mod_o is not None and hasattr(mod_o, attr), f"torch.{name} is missing"
    if hasattr(torch.Tensor, attr) and not name.startswith("linalg."):
        assert hasattr(tc.Tensor, attr), f"Tensor.{attr} is missing"


INPLACE_FUNCTIONS = """abs_ acos_ asin_ atan_ ceil_ cos_ cosh_ erf_ erfc_ exp_ exp2_ expm1_ floor_ frac_ log_ log10_
log1p_ log2_ neg_ reciprocal_ relu_ round_ rsqrt_ sigmoid_ sin_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ zero_ celu_ selu_
rrelu_""".split()


@pytest.mark.parametrize("name", INPLACE_FUNCTIONS)
def test_top_level_inplace_functions(name):
    """torch.<op>_(x) changes x as x.<op>_() does, and returns x."""
    import numpy as np
    import torch
    a = np.linspace(0.1, 0.9, 5, dtype=np.float32)
    results = []
    for lib in (torch, tc):
        x = lib.from_numpy(a.copy())
        if name == "rrelu_":
            x = x - 0.5
            out = getattr(lib, name)(x, training=False)
        else:
            out = getattr(lib, name)(x)
        assert out is x
        results.append(np.array(x.numpy()))
    np.testing.assert_allclose(results[1], results[0], rtol=1.3e-6, atol=1e-5)
