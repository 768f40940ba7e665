"""Guide, Core Concepts and API Differences: the tensor table (tensor_1d, randn, shape().dims(), view,
Parameter.new, detach, clone), DType and Device, in-place ops, TorshError, and the places where one
class serves both faces (parameters() as collection and generator, Parameter.new vs Tensor.new)."""
import numpy as np
import pytest
import torch
import torch.nn as nn

import torsh_compat as tc
from torsh_compat.torsh_core.error import TorshError
from torsh_compat.torsh_nn import Linear, Parameter, ParameterCollection, Sequential
from torsh_compat.torsh_tensor import (Device, DType, Tensor, arange, from_data, from_numpy, ones, rand, randn,
                                       tensor_1d, tensor_2d, zeros)

from _guide import close


def test_tensor_table():
    close(tensor_1d([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.0, 3.0]))
    close(tensor_1d([1, 2, 3]), torch.tensor([1, 2, 3]))           # int64, as PyTorch infers
    close(tensor_2d([[1, 2], [3, 4]], DType.F64), torch.tensor([[1, 2], [3, 4]], dtype=torch.float64))
    tc.manual_seed(0)
    torch.manual_seed(0)
    x, xt = randn([2, 3], dtype=DType.F32), torch.randn(2, 3)
    close(x, xt)
    close(rand([4], dtype=DType.F64), torch.rand(4, dtype=torch.float64))
    assert x.shape().dims() == (2, 3) and x.shape().dims()[0] == 2 and x.shape == (2, 3)
    y = randn([4, 784]).view([-1, 784])
    assert y.shape().dims() == (4, 784)
    assert isinstance(x, Tensor)
    close(zeros([2, 2]), torch.zeros(2, 2))
    close(ones([3], dtype=DType.I64), torch.ones(3, dtype=torch.int64))
    close(arange(5), torch.arange(5))
    close(arange(1.0, 2.0, 0.25), torch.arange(1.0, 2.0, 0.25))
    close(from_data([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]), torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    close(Tensor.from_data([1, 2], [2, 1]), torch.tensor([[1], [2]]))
    a = np.arange(6, dtype=np.float32)
    t = from_numpy(a)
    a[0] = 7
    assert t[0].item() == 7.0                    # shares memory, as torch.from_numpy


def test_detach_clone_item_and_inplace():
    w = Parameter.new(randn([3]), True)
    assert w.requires_grad and w.is_leaf and isinstance(w, tc.nn.Parameter)
    d = w.detach()
    assert not d.requires_grad and d.data_ptr() == w.data_ptr()
    c = w.clone()
    assert c.requires_grad and c.grad_fn is not None and c.data_ptr() != w.data_ptr()
    x = zeros([3])
    x.add_(ones([3]))
    assert x.sum().item() == 3.0 and isinstance(x.sum().item(), float)
    assert isinstance(tensor_1d([1, 2]).sum().item(), int)
    assert x.clamp_min(2.0).eq(tensor_1d([2.0, 2.0, 2.0])).all().item() is True
    assert x.lt(2.0).all().item() and x.masked_fill(x.lt(2.0), 5.0).sum().item() == 15.0
    assert x.numel() == 3


def test_parameter_new_on_the_class_tensor_new_on_an_instance():
    p = Parameter.new(zeros([2]), False)
    assert isinstance(p, tc.nn.Parameter) and not p.requires_grad
    legacy = p.new(3)                  # torch's legacy Tensor.new: an uninitialised tensor
    tlegacy = nn.Parameter(torch.zeros(2), False).new(3)
    assert legacy.shape == tlegacy.shape and legacy.dtype == tc.float32
    assert not isinstance(legacy, tc.nn.Parameter)
    assert randn([2]).new(4).shape == (4,)


def test_dtypes_and_devices():
    assert DType.F32 is tc.float32 and DType.F64 is tc.float64 and DType.I64 is tc.int64
    assert DType.F16 is tc.float16 and DType.BF16 is tc.bfloat16 and DType.Bool is tc.bool
    assert DType.U8 is tc.uint8 and DType.I32 is tc.int32 and DType.C64 is tc.complex64
    x = randn([2], dtype=DType.F64)
    assert x.dtype == DType.F64
    assert Device.Cpu == tc.device("cpu") and Device("cpu") == tc.device("cpu")
    assert isinstance(x.device, Device)
    y = x.to_device(Device.Cpu)
    assert y is x       # already there, as torch's to()
    assert Linear.new(2, 3, True).to(Device.Cpu).weight.device == Device.Cpu
    with pytest.raises(TypeError, match="namespace"):
        DType()


def test_torsh_error_variants_are_the_builtin_raises():
    for variant, builtin in [(TorshError.InvalidArgument, ValueError), (TorshError.ShapeMismatch, RuntimeError),
                             (TorshError.IndexOutOfBounds, IndexError), (TorshError.TypeMismatch, TypeError),
                             (TorshError.NotImplemented, NotImplementedError), (TorshError.IoError, OSError)]:
        assert issubclass(variant, TorshError) and issubclass(variant, builtin)
        with pytest.raises(builtin, match="bad value"):
            raise variant("bad value")
    both = TorshError.ShapeMismatch.also(ValueError)
    assert both is TorshError.ShapeMismatch.also(ValueError)
    assert issubclass(both, TorshError.ShapeMismatch) and issubclass(both, ValueError)
    assert issubclass(both, RuntimeError)
    assert TorshError.InvalidArgument.also(ValueError) is TorshError.InvalidArgument
    with pytest.raises(TorshError.InvalidArgument, match="expected a flat sequence"):
        tensor_1d([[1, 2]])
    with pytest.raises(ValueError, match="sequence of rows"):
        tensor_2d([1, 2])


class Tied(tc.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = tc.nn.Linear(3, 3)
        self.b = tc.nn.Linear(3, 3)
        self.b.weight = self.a.weight
        self.register_buffer("scale", tc.ones(1))
        self.register_buffer("tmp", tc.ones(1), persistent=False)


class TorchTied(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 3)
        self.b = nn.Linear(3, 3)
        self.b.weight = self.a.weight
        self.register_buffer("scale", torch.ones(1))
        self.register_buffer("tmp", torch.ones(1), persistent=False)


def test_parameters_as_collection_and_as_torchs_generator():
    m, t = Tied(), TorchTied()
    params = m.parameters()
    assert isinstance(params, ParameterCollection)
    # torch's generator: distinct parameters once, in torch's order; next() works
    assert [p.shape for p in params] == [p.shape for p in t.parameters()]
    assert next(m.parameters()) is m.a.weight
    gen = m.parameters()
    assert next(gen) is m.a.weight and next(gen) is m.a.bias
    assert len(list(m.parameters(recurse=False))) == len(list(t.parameters(recurse=False))) == 0
    assert sum(p.numel() for p in m.parameters()) == sum(p.numel() for p in t.parameters())
    # the collection keeps every name, and the persistent buffers for state_dict
    assert params.names() == ["a.weight", "a.bias", "b.weight", "b.bias"]
    assert params.get("b.weight") is params.get("a.weight")
    assert list(params.state_dict()) == list(t.state_dict())
    assert [k for k, _ in params.buffers()] == ["scale"]
    # the torch face's optimizers and utilities take it as torch takes the generator
    opt = tc.optim.SGD(m.parameters(), lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 3
    tc.nn.utils.clip_grad_norm_(m.parameters(), 1.0)


def test_sequential_new_and_module_new():
    s = Sequential.new()
    s.add_module("fc", Linear.new(2, 3, True))
    assert type(s) is tc.nn.Sequential and list(s.parameters().names()) == ["fc.weight", "fc.bias"]
    assert repr(Linear.new(2, 3, False)) == repr(nn.Linear(2, 3, False))
