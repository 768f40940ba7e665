"""Guide, Custom Backward Pass: the clamp-at-zero Function in the guide's form (forward/backward over
lists, ctx.save_for_backward([...]), ctx.get_saved_tensors()) beside torch.autograd.Function."""
import numpy as np
import pytest
import torch

import torsh_compat as tc
from torsh_compat.torsh_autograd import Context, Function

from _nn import pair
from _guide import close


class CustomFunction(Function):
    def forward(self, ctx: Context, inputs):
        input = inputs[0]
        ctx.save_for_backward([input.clone()])
        return [input.clamp_min(0.0)]

    def backward(self, ctx: Context, grad_outputs):
        saved = ctx.get_saved_tensors()
        input = saved[0]
        grad_output = grad_outputs[0]
        grad_input = grad_output.clone()
        mask = input.lt(0.0)
        grad_input = grad_input.masked_fill(mask, 0.0)
        return [grad_input]


class TorchCustomFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_and_gradient_equal_torch(dtype):
    a = np.random.default_rng(0).standard_normal((4, 5)).astype(dtype)
    x, xt = pair(a)
    out, out_t = CustomFunction.apply(x), TorchCustomFunction.apply(xt)
    close(out, out_t)
    # torch names the node after the Function class: <Name>Backward
    assert type(out.grad_fn).__name__ == type(out_t.grad_fn).__name__.replace("Torch", "", 1)
    g = np.random.default_rng(1).standard_normal((4, 5)).astype(dtype)
    (out * tc.from_numpy(g.copy())).sum().backward()
    (out_t * torch.from_numpy(g.copy())).sum().backward()
    close(x.grad, xt.grad)


def test_in_a_model_with_parameters():
    w, wt = pair(np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32))
    x, xt = pair(np.random.default_rng(3).standard_normal((5, 3)).astype(np.float32), grad=False)
    y, yt = CustomFunction.apply(x @ w), TorchCustomFunction.apply(xt @ wt)
    y.pow(2).sum().backward()
    yt.pow(2).sum().backward()
    close(w.grad, wt.grad)


class ScaleAndShift(Function):
    """Two inputs, two outputs, a setting carried by the instance."""

    def __init__(self, shift=0.0):
        self.shift = shift

    def forward(self, ctx, inputs):
        a, b = inputs
        ctx.save_for_backward([a, b])
        return [a * b + self.shift, a - b]

    def backward(self, ctx, grad_outputs):
        a, b = ctx.get_saved_tensors()
        g1, g2 = grad_outputs
        return [g1 * b + g2, g1 * a - g2]


def test_several_inputs_and_outputs_and_instance_settings():
    a, at = pair(np.arange(6, dtype=np.float32).reshape(2, 3) - 2)
    b, bt = pair(np.ones((2, 3), np.float32) * 0.5)
    p, q = ScaleAndShift(1.5).apply(a, b)
    assert isinstance(p, tc.Tensor) and isinstance(q, tc.Tensor)
    (p.sum() + (q * 3).sum()).backward()
    (((at * bt + 1.5).sum()) + ((at - bt) * 3).sum()).backward()
    close(p, (at * bt + 1.5).detach())
    close(a.grad, at.grad)
    close(b.grad, bt.grad)


def test_saved_tensor_modified_in_place_is_detected():
    x = tc.randn(4, requires_grad=True)

    class Keep(Function):
        def forward(self, ctx, inputs):
            ctx.save_for_backward(inputs)
            return [inputs[0] * 2]

        def backward(self, ctx, grad_outputs):
            ctx.get_saved_tensors()     # torch checks the version when the saved tensors are read
            return [grad_outputs[0] * 2]

    y = x * 1
    out = Keep.apply(y)
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()
