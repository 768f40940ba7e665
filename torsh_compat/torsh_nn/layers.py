"""The layers whose ToRSh constructor order differs from PyTorch's.

Each is the torch layer (a subclass with the same name, parameters, state_dict keys, repr and
numbers) with a `new` in the guide's order, and, for the recurrent layers, `forward_with_state`.
"""
from ..nn import modules as _m

__all__ = ["RNN", "LSTM", "GRU", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d"]


class _WithState:
    def forward_with_state(self, input, state=None):
        """The guide's spelling of `layer(input, state)`: PyTorch's (output, state) tuple."""
        return self(input, state)


class LSTM(_WithState, _m.LSTM):
    @classmethod
    def new(cls, input_size, hidden_size, num_layers=1, bias=True, dropout=0.0, batch_first=False,
            bidirectional=False, proj_size=0, device=None, dtype=None):
        return cls(input_size, hidden_size, num_layers=num_layers, bias=bias, batch_first=batch_first,
                   dropout=dropout, bidirectional=bidirectional, proj_size=proj_size, device=device,
                   dtype=dtype)


class GRU(_WithState, _m.GRU):
    @classmethod
    def new(cls, input_size, hidden_size, num_layers=1, bias=True, dropout=0.0, batch_first=False,
            bidirectional=False, device=None, dtype=None):
        return cls(input_size, hidden_size, num_layers=num_layers, bias=bias, batch_first=batch_first,
                   dropout=dropout, bidirectional=bidirectional, device=device, dtype=dtype)


class RNN(_WithState, _m.RNN):
    @classmethod
    def new(cls, input_size, hidden_size, num_layers=1, bias=True, dropout=0.0, batch_first=False,
            bidirectional=False, nonlinearity="tanh", device=None, dtype=None):
        return cls(input_size, hidden_size, num_layers=num_layers, nonlinearity=nonlinearity, bias=bias,
                   batch_first=batch_first, dropout=dropout, bidirectional=bidirectional, device=device,
                   dtype=dtype)


class AdaptiveAvgPool2d(_m.AdaptiveAvgPool2d):
    @classmethod
    def new(cls, h, w=None):
        """`AdaptiveAvgPool2d.new(1, 1)`: output height and width (one argument: torch's form)."""
        return cls(h if w is None else (h, w))


class AdaptiveMaxPool2d(_m.AdaptiveMaxPool2d):
    @classmethod
    def new(cls, h, w=None, return_indices=False):
        return cls(h if w is None else (h, w), return_indices)
