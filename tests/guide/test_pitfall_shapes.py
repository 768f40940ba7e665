"""Pitfall 3 of the guide (incorrect shape handling): a layer given input of the wrong rank raises
TorshError.ShapeMismatch, which is also the builtin exception torch raises there, with torch's
message naming the expected rank."""
import pytest
import torch

import torsh_compat as tc
from torsh_compat.torsh_core.error import TorshError

CASES = {
    "Conv2d": (lambda m: m.nn.Conv2d(3, 4, 3), (5,)),
    "Conv1d": (lambda m: m.nn.Conv1d(3, 4, 3), (2, 3, 5, 5)),
    "BatchNorm1d": (lambda m: m.nn.BatchNorm1d(3), (2, 3, 4, 4)),
    "BatchNorm2d": (lambda m: m.nn.BatchNorm2d(3), (2, 3)),
    "InstanceNorm2d": (lambda m: m.nn.InstanceNorm2d(3), (3,)),
    "MaxPool2d": (lambda m: m.nn.MaxPool2d(2), (4,)),
    "AvgPool2d": (lambda m: m.nn.AvgPool2d(2), (1, 2, 3, 4, 4)),
    "LSTM": (lambda m: m.nn.LSTM(3, 4), (3,)),
    "GRU": (lambda m: m.nn.GRU(3, 4), (1, 2, 3, 3)),
    "LSTMCell": (lambda m: m.nn.LSTMCell(3, 4), (1, 2, 3)),
    "ReflectionPad2d": (lambda m: m.nn.ReflectionPad2d(1), (4,)),
    "Dropout1d": (lambda m: m.nn.Dropout1d(0.5), (2, 2, 2, 2)),
}


@pytest.mark.parametrize("layer", list(CASES))
def test_wrong_rank_is_shape_mismatch_and_torchs_builtin(layer):
    make, shape = CASES[layer]
    with pytest.raises(Exception) as theirs:
        make(torch)(torch.ones(shape))
    with pytest.raises(TorshError.ShapeMismatch) as ours:
        make(tc)(tc.ones(shape))
    assert isinstance(ours.value, type(theirs.value)), (type(ours.value).__mro__, type(theirs.value))
    assert str(ours.value) == str(theirs.value)
