"""RNN, LSTM, GRU and their cells, with torch's parameters, initialisation, shapes and errors.

Each layer and direction is one fused node (nn/_functional/rnn.py); layers are joined with
ordinary ops (cat of the two directions, F.dropout between layers in training).
"""
import math
import numbers
import warnings

from ..._errors import shape_mismatch
from ... import _creation
from ... import _dtype as D
from ..._tensor import Tensor
from .. import init
from .._functional.dropout import dropout as _dropout
from .._functional.rnn import GATES, rnn_layer, steps_of
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _cat(tensors, dim):
    import torsh_compat
    return torsh_compat.cat(tensors, dim)


def _stack(tensors):
    import torsh_compat
    return torsh_compat.stack(tensors)


def _apply_permutation(tensor, permutation, dim=1):
    return tensor.index_select(dim, permutation)


class RNNBase(Module):
    """The shared body of RNN, LSTM and GRU (mode 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU')."""
    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of "
                             "an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero "
                          f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        fk = {"device": device, "dtype": dtype}
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                params = [Parameter(_creation.empty((gate_size, layer_input_size), **fk)),
                          Parameter(_creation.empty((gate_size, real_hidden_size), **fk))]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    params += [Parameter(_creation.empty(gate_size, **fk)),
                               Parameter(_creation.empty(gate_size, **fk))]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    params.append(Parameter(_creation.empty((proj_size, hidden_size), **fk)))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, p in zip(names, params):
                    setattr(self, name, p)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self._init_flat_weights()
        self.reset_parameters()

    def _init_flat_weights(self):
        self._flat_weights = [getattr(self, wn) if hasattr(self, wn) else None
                              for wn in self._flat_weights_names]

    def __setattr__(self, attr, value):
        names = self.__dict__.get("_flat_weights_names")
        if names is not None and attr in names:
            self._flat_weights[names.index(attr)] = value
        super().__setattr__(attr, value)

    def flatten_parameters(self):
        """A no-op: there is no cuDNN weight buffer to compact on the CPU."""

    def _apply(self, fn, recurse=True):
        ret = super()._apply(fn, recurse)
        self._init_flat_weights()
        return ret

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self):
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ---- argument checks, as torch words them ----
    def check_input(self, input, batch_sizes):
        w0 = self._flat_weights[0]
        if input.dtype != w0.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({w0.dtype}). "
                             f"Convert input: input.to({w0.dtype}), or convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise shape_mismatch(RuntimeError, f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def _mini_batch(self, input, batch_sizes):
        if batch_sizes is not None:
            return int(batch_sizes[0])
        return input.size(0) if self.batch_first else input.size(1)

    def get_expected_hidden_size(self, input, batch_sizes):
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, self._mini_batch(input, batch_sizes),
                self.proj_size if self.proj_size > 0 else self.hidden_size)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx, permutation)

    # ---- the computation ----
    def _run(self, input, batch_sizes, hx, cx):
        """All layers over a (T, B, I) input (batch_sizes None) or packed rows (N, I).

        Returns (output, h_n, c_n); c_n None unless LSTM."""
        num_directions = 2 if self.bidirectional else 1
        if batch_sizes is None:
            x = input.transpose(0, 1) if self.batch_first else input
            if x.shape[0] == 0:
                raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
            bsz = [x.shape[1]] * x.shape[0]
        else:
            x = input
            bsz = batch_sizes.tolist()
        steps = [steps_of(bsz, False), steps_of(bsz, True)]
        has_bias = self.bias
        per = 2 + 2 * has_bias + (self.proj_size > 0)
        w = [getattr(self, n) for n in self._flat_weights_names]
        # the grad_fn torch's output shows: its oneDNN LSTM node, else the stack (or, packed, the cat)
        # of the steps
        out_name = "CatBackward0" if batch_sizes is not None else \
            "MkldnnRnnLayerBackward0" if self.mode == "LSTM" and not self.proj_size and \
            input.dtype == D.float32 else "StackBackward0"
        names = (out_name, "StackBackward0", "StackBackward0")
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(num_directions):
                k = layer * num_directions + d
                lw = w[k * per:(k + 1) * per]
                b_ih, b_hh = (lw[2], lw[3]) if has_bias else (None, None)
                w_hr = lw[-1] if self.proj_size > 0 else None
                out, h, c = rnn_layer(self.mode, x, steps[d], hx[k], None if cx is None else cx[k],
                                      lw[0], lw[1], b_ih, b_hh, w_hr, names)
                outs.append(out)
                h_n.append(h)
                c_n.append(c)
            x = outs[0] if num_directions == 1 else _cat(outs, -1)
            if self.dropout != 0 and self.training and layer < self.num_layers - 1:
                x = _dropout(x, p=self.dropout, training=True)
        if batch_sizes is None and self.batch_first:
            x = x.transpose(0, 1)
        return x, _stack(h_n), (_stack(c_n) if cx is not None else None)

    def _prepare(self, input, hx, name):
        """Shared front of RNN and GRU forward: (input, batch_sizes, hx, sorted, unsorted, batched)."""
        num_directions = 2 if self.bidirectional else 1
        if isinstance(input, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = input
            if hx is None:
                hx = _creation.zeros(self.num_layers * num_directions, int(batch_sizes[0]),
                                     self.hidden_size, dtype=input.dtype)
            else:
                hx = self.permute_hidden(hx, sorted_indices)
            self.check_forward_args(input, hx, batch_sizes)
            return input, batch_sizes, hx, sorted_indices, unsorted_indices, True
        if input.dim() not in (2, 3):
            raise shape_mismatch(ValueError, f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                                             f"{'tensor ' if name == 'RNN' else ''}instead")
        is_batched = input.dim() == 3
        if not is_batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
            if hx is not None:
                if hx.dim() != 2:
                    raise shape_mismatch(
                        RuntimeError, f"For unbatched 2-D input, hx should also be 2-D but got "
                                      f"{hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        elif hx is not None and hx.dim() != 3:
            raise shape_mismatch(
                RuntimeError, f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
        if hx is None:
            mb = input.size(0) if self.batch_first else input.size(1)
            hx = _creation.zeros(self.num_layers * num_directions, mb, self.hidden_size, dtype=input.dtype)
        self.check_forward_args(input, hx, None)
        return input, None, hx, None, None, is_batched

    def _finish(self, orig, output, hidden, batch_sizes, sorted_indices, unsorted_indices, is_batched):
        if isinstance(orig, PackedSequence):
            return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), \
                self.permute_hidden(hidden, unsorted_indices)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            hidden = hidden.squeeze(1) if isinstance(hidden, Tensor) else tuple(h.squeeze(1) for h in hidden)
        return output, hidden


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        orig = input
        input, batch_sizes, hx, si, ui, batched = self._prepare(input, hx, "RNN")
        output, hidden, _ = self._run(input, batch_sizes, hx, None)
        return self._finish(orig, output, hidden, batch_sizes, si, ui, batched)


class GRU(RNNBase):
    """Gated recurrent unit, gates (r, z, n) as torch orders them."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        orig = input
        input, batch_sizes, hx, si, ui, batched = self._prepare(input, hx, "GRU")
        output, hidden, _ = self._run(input, batch_sizes, hx, None)
        return self._finish(orig, output, hidden, batch_sizes, si, ui, batched)


class LSTM(RNNBase):
    """Long short-term memory, gates (i, f, g, o) as torch orders them, optional projection."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, self._mini_batch(input, batch_sizes), self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx[0], permutation), _apply_permutation(hx[1], permutation)

    def forward(self, input, hx=None):
        orig = input
        num_directions = 2 if self.bidirectional else 1
        real_hidden_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        batch_sizes = sorted_indices = unsorted_indices = None
        is_batched = True
        if isinstance(orig, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = input
            mb = int(batch_sizes[0])
        else:
            if input.dim() not in (2, 3):
                raise shape_mismatch(
                    ValueError, f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
            is_batched = input.dim() == 3
            if not is_batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
            mb = input.size(0) if self.batch_first else input.size(1)
        if hx is None:
            n = self.num_layers * num_directions
            hx = (_creation.zeros(n, mb, real_hidden_size, dtype=input.dtype),
                  _creation.zeros(n, mb, self.hidden_size, dtype=input.dtype))
        else:
            if batch_sizes is None:
                want = 3 if is_batched else 2
                if hx[0].dim() != want or hx[1].dim() != want:
                    kind = "batched 3-D" if is_batched else "unbatched 2-D"
                    raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                                       f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                if not is_batched:
                    hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
            hx = self.permute_hidden(hx, sorted_indices)
        self.check_forward_args(input, hx, batch_sizes)
        output, h_n, c_n = self._run(input, batch_sizes, hx[0], hx[1])
        return self._finish(orig, output, (h_n, c_n), batch_sizes, sorted_indices, unsorted_indices,
                            is_batched)


# ---- cells -----------------------------------------------------------------------------------

class RNNCellBase(Module):
    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        fk = {"device": device, "dtype": dtype}
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_creation.empty((num_chunks * hidden_size, input_size), **fk))
        self.weight_hh = Parameter(_creation.empty((num_chunks * hidden_size, hidden_size), **fk))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size, **fk))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size, **fk))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check_cell(self, input, hiddens):
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                               f"{self.input_size}")
        for i, h in enumerate(hiddens):
            if input.size(0) != h.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} batch size "
                                   f"{h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, expected "
                                   f"{self.hidden_size}")
            if h.dim() != 2:
                raise shape_mismatch(RuntimeError, f"Expected hidden{i} to be 2D, got {h.dim()}D")

    def _step(self, mode, input, h, c, names):
        """One step of the layer kernel on a (B, I) input: packed rows with one block of B;
        names are the grad_fn names of (h', -, c') as torch's cell ops end."""
        return rnn_layer(mode, input, steps_of([input.shape[0]], False), h, c, self.weight_ih,
                         self.weight_hh, self.bias_ih, self.bias_hh, None, names)


def _cell_input(name, input, hiddens):
    if input.dim() not in (1, 2):
        raise shape_mismatch(ValueError, f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
    for label, h in hiddens:
        if h is not None and h.dim() not in (1, 2):
            raise shape_mismatch(
                ValueError, f"{name}: Expected {label} to be 1D or 2D, got {h.dim()}D instead")
    return input.dim() == 2


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""
    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        is_batched = _cell_input("RNNCell", input, [("hidden", hx)])
        if not is_batched:
            input = input.unsqueeze(0)
        hx = _creation.zeros(input.size(0), self.hidden_size, dtype=input.dtype) if hx is None else \
            (hx if is_batched else hx.unsqueeze(0))
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._check_cell(input, [hx])
        tanh = self.nonlinearity == "tanh"
        name = "TanhBackward0" if tanh else "ReluBackward0"
        ret = self._step("RNN_TANH" if tanh else "RNN_RELU", input, hx, None, (name, name, name))[0]
        return ret if is_batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        hs = [] if hx is None else [(f"hx[{i}]", v) for i, v in enumerate(hx)]
        is_batched = _cell_input("LSTMCell", input, hs)
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = _creation.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            hx = (zeros, zeros)
        elif not is_batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        self._check_cell(input, hx)
        out, _, c = self._step("LSTM", input, hx[0], hx[1], ("MulBackward0", "MulBackward0", "AddBackward0"))
        return (out, c) if is_batched else (out.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: returns h'."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        is_batched = _cell_input("GRUCell", input, [("hidden", hx)])
        if not is_batched:
            input = input.unsqueeze(0)
        hx = _creation.zeros(input.size(0), self.hidden_size, dtype=input.dtype) if hx is None else \
            (hx if is_batched else hx.unsqueeze(0))
        self._check_cell(input, [hx])
        ret = self._step("GRU", input, hx, None, ("AddBackward0",) * 3)[0]
        return ret if is_batched else ret.squeeze(0)
