"""torch.save / torch.load in torch's zip format, both ways, against the real torch: files written by
torch load here, files written here load in torch with weights_only=True; the restricted unpickler
refuses a malicious file before anything in it runs; corrupt and truncated files give clear errors;
writing is atomic; safetensors files interoperate with safetensors.torch."""
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import safetensors.torch as st
import torch

import torsh_compat as tc
from torsh_compat.utils import safetensors as ts

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
          "complex64", "complex128"]


def _values(dtype, shape=(2, 3)):
    a = np.random.default_rng(0).standard_normal(shape) * 5
    if dtype == "bool":
        return a > 0
    if dtype.startswith("complex"):
        return (a + 1j * a[::-1]).astype(dtype)
    if dtype == "bfloat16":
        return a.astype(np.float32)
    return a.astype(dtype)


def _pair(dtype, shape=(2, 3)):
    a = _values(dtype, shape)
    t, o = torch.from_numpy(a.copy()), tc.from_numpy(a.copy())
    if dtype == "bfloat16":
        t, o = t.bfloat16(), o.bfloat16()
    return t, o


def _np(t):
    if isinstance(t, torch.Tensor):
        return (t.float() if t.dtype == torch.bfloat16 else t).detach().numpy()
    return (t.float() if t.dtype == tc.bfloat16 else t).detach().numpy()


def _same(ours, theirs, path="obj"):
    """Same structure, types, dtypes, shapes, values and requires_grad."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, tc.Tensor), f"{path}: {type(ours).__name__}"
        assert isinstance(ours, tc.nn.Parameter) == isinstance(theirs, torch.nn.Parameter), path
        assert str(ours.dtype) == str(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape), path
        assert ours.requires_grad == theirs.requires_grad, path
        np.testing.assert_array_equal(_np(ours), _np(theirs), err_msg=path)
    elif isinstance(theirs, dict):
        assert type(ours).__name__ == type(theirs).__name__ and list(ours) == list(theirs), path
        for k in theirs:
            _same(ours[k], theirs[k], f"{path}[{k!r}]")
    elif isinstance(theirs, (list, tuple)) and not isinstance(theirs, torch.Size):
        assert type(ours) is type(theirs) and len(ours) == len(theirs), path
        for i, (o, t) in enumerate(zip(ours, theirs)):
            _same(o, t, f"{path}[{i}]")
    else:
        assert str(ours) == str(theirs) and type(ours).__name__ == type(theirs).__name__, path


def _objects(lib, pairs):
    """The same checkpoint content built in either library (pairs: index 0 torch, 1 ours)."""
    i = 0 if lib is torch else 1
    base = pairs["float32"][i]
    x = lib.arange(12.0)
    return {"dtypes": {d: p[i] for d, p in pairs.items()},
            "zero_d": lib.tensor(3.5), "empty": lib.zeros(0, 4), "transposed": base.t(),
            "x": x, "view": x[2:7], "strided": x.view(3, 4)[:, 1::2], "param": lib.nn.Parameter(lib.ones(2, 2)),
            "frozen": lib.nn.Parameter(lib.ones(3), requires_grad=False), "leaf": lib.ones(2, requires_grad=True),
            "nested": [1, 2.5, "s", None, True, (3, {"k": [x[:2]]})], "size": lib.Size([2, 3]),
            "dtype": lib.float16, "device": lib.device("cpu")}


@pytest.fixture(scope="module")
def pairs():
    return {d: _pair(d) for d in DTYPES}


def test_torch_files_load_here(tmp_path, pairs):
    path = tmp_path / "theirs.pt"
    obj = _objects(torch, pairs)
    torch.save(obj, path)
    ours = tc.load(path)
    _same(ours, obj)
    assert np.shares_memory(ours["view"]._data, ours["x"]._data)       # one storage, as saved
    assert np.shares_memory(ours["strided"]._data, ours["x"]._data)
    assert np.shares_memory(ours["nested"][5][1]["k"][0]._data, ours["x"]._data)


def test_our_files_load_in_torch_with_weights_only(tmp_path, pairs):
    path = tmp_path / "ours.pt"
    obj = _objects(tc, pairs)
    tc.save(obj, path)
    theirs = torch.load(path, weights_only=True)
    _same(obj, theirs)
    assert theirs["view"].untyped_storage().data_ptr() == theirs["x"].untyped_storage().data_ptr()
    assert theirs["strided"].stride() == (4, 2) and theirs["view"].storage_offset() == 2
    _same(tc.load(path), theirs)


def test_file_objects_and_records_as_torch_writes_them(pairs):
    buf = io.BytesIO()
    tc.save({"w": pairs["float32"][1]}, buf)
    names = zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()
    assert {"archive/data.pkl", "archive/version", "archive/byteorder", "archive/data/0"} <= set(names)
    raw = buf.getvalue()
    for info in zipfile.ZipFile(io.BytesIO(raw)).infolist():    # every record starts 64-byte aligned
        start = info.header_offset + 30 + len(info.filename) + int.from_bytes(
            raw[info.header_offset + 28:info.header_offset + 30], "little")
        assert start % 64 == 0, info.filename
    buf.seek(0)
    _same(tc.load(buf), {"w": pairs["float32"][0]})


def test_state_dict_of_a_real_model_both_ways(tmp_path):
    torch.manual_seed(0)
    net_t = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    net_o = tc.nn.Sequential(tc.nn.Linear(4, 8), tc.nn.ReLU(), tc.nn.Linear(8, 3))
    torch.save(net_t.state_dict(), tmp_path / "t.pt")
    net_o.load_state_dict(tc.load(tmp_path / "t.pt"))
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    torch.testing.assert_close(torch.from_numpy(net_o(tc.from_numpy(x)).detach().numpy()),
                               net_t(torch.from_numpy(x)).detach())
    tc.save(net_o.state_dict(), tmp_path / "o.pt")
    loaded = torch.load(tmp_path / "o.pt", weights_only=True)
    assert list(loaded) == list(net_t.state_dict())
    net_t2 = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    net_t2.load_state_dict(loaded)
    for a, b in zip(net_t2.parameters(), net_t.parameters()):
        assert torch.equal(a, b)


@pytest.mark.parametrize("map_location", ["cpu", torch.device("cpu"), {"cpu": "cpu"}, lambda s, loc: s])
def test_map_location_accepted(tmp_path, pairs, map_location):
    torch.save({"w": pairs["float64"][0]}, tmp_path / "t.pt")
    if isinstance(map_location, torch.device):
        map_location = tc.device("cpu")
    _same(tc.load(tmp_path / "t.pt", map_location=map_location), {"w": pairs["float64"][0]})


class _Payload:
    """Unpickling this runs code: it writes the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('ran')",))


def _malicious_checkpoint(path, marker):
    """A real torch checkpoint whose data.pkl also carries a payload."""
    torch.save({"w": torch.ones(2)}, path)
    with zipfile.ZipFile(path) as z:
        records = {n: z.read(n) for n in z.namelist()}
    prefix = [n for n in records if n.endswith("data.pkl")][0]
    records[prefix] = pickle.dumps({"w": _Payload(marker)}, protocol=2)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for n, data in records.items():
            z.writestr(n, data)


def test_malicious_pickle_is_refused_and_nothing_runs(tmp_path):
    path, marker = tmp_path / "evil.pt", str(tmp_path / "marker")
    _malicious_checkpoint(path, marker)
    with pytest.raises(pickle.UnpicklingError) as theirs:
        torch.load(path)
    with pytest.raises(pickle.UnpicklingError, match="builtins.exec") as ours:
        tc.load(path)
    assert type(ours.value) is type(theirs.value)
    assert not os.path.exists(marker), "the payload ran"
    tc.load(path, weights_only=False)           # the opt-in runs it: the payload is live
    assert open(marker).read() == "ran"


def test_weights_only_false_restores_torch_classes_as_ours(tmp_path):
    torch.save({"n": torch.nn.Linear(2, 3).state_dict(), "sd": torch.nn.Linear(2, 3)}, tmp_path / "m.pt")
    loaded = tc.load(tmp_path / "m.pt", weights_only=False)
    assert isinstance(loaded["sd"], tc.nn.Linear)
    with pytest.raises(pickle.UnpicklingError, match="torch.nn.modules.linear.Linear"):
        tc.load(tmp_path / "m.pt")


def test_safe_globals_extend_the_allowed_set(tmp_path):
    import collections
    Point = collections.namedtuple("Point", "x y")
    globals()["Point"] = Point
    Point.__module__, Point.__qualname__ = __name__, "Point"
    torch.save({"p": Point(1, 2)}, tmp_path / "p.pt")
    with pytest.raises(pickle.UnpicklingError):
        tc.load(tmp_path / "p.pt")
    with tc.serialization.safe_globals([Point]):
        assert tc.load(tmp_path / "p.pt")["p"] == Point(1, 2)
    with pytest.raises(pickle.UnpicklingError):
        tc.load(tmp_path / "p.pt")


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9, 0.99])
def test_truncated_files_give_clear_errors(tmp_path, pairs, cut):
    path = tmp_path / "t.pt"
    torch.save({"w": torch.randn(64, 64), "b": torch.randn(64)}, path)
    raw = path.read_bytes()
    path.write_bytes(raw[:int(len(raw) * cut)])
    with pytest.raises(RuntimeError, match="t.pt"):
        tc.load(path)


def test_corrupt_files_give_clear_errors(tmp_path):
    path = tmp_path / "bad.pt"
    path.write_bytes(b"this is not a checkpoint at all")
    with pytest.raises(RuntimeError, match="not a torch checkpoint"):
        tc.load(path)
    with pytest.raises(FileNotFoundError):
        tc.load(tmp_path / "missing.pt")
    torch.save({"w": torch.randn(8)}, path)                 # a storage record with wrong length
    with zipfile.ZipFile(path) as z:
        records = {n: z.read(n) for n in z.namelist()}
    key = [n for n in records if n.endswith("data/0")][0]
    records[key] = records[key][:-4]
    with zipfile.ZipFile(path, "w") as z:
        for n, data in records.items():
            z.writestr(n, data)
    with pytest.raises(RuntimeError, match="bad.pt.*expected 32"):
        tc.load(path)
    with zipfile.ZipFile(path, "w") as z:                    # a zip that is not a checkpoint
        z.writestr("readme.txt", "hello")
    with pytest.raises(RuntimeError, match="no data.pkl"):
        tc.load(path)


def test_bfloat16_upcasts_with_a_warning_without_ml_dtypes(tmp_path, monkeypatch):
    from torsh_compat import _dtype, serialization
    t = torch.tensor([1.5, -2.25, 3e38, 1e-3], dtype=torch.bfloat16)
    torch.save({"b": t}, tmp_path / "b.pt")

    def no_ml_dtypes():
        raise TypeError("no ml_dtypes")
    monkeypatch.setattr(_dtype, "_bfloat16_np", no_ml_dtypes)
    monkeypatch.setattr(serialization, "_warned_bf16", [])
    with pytest.warns(UserWarning, match="as float32"):
        got = tc.load(tmp_path / "b.pt")["b"]
    assert got.dtype == tc.float32
    np.testing.assert_array_equal(got.numpy(), t.float().numpy())


def test_failed_save_leaves_the_old_file_and_no_temporaries(tmp_path):
    path = tmp_path / "keep.pt"
    tc.save({"w": tc.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises(Exception):
        tc.save({"w": tc.ones(2), "bad": lambda: 0}, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["keep.pt"]


def test_safetensors_both_ways(tmp_path, pairs):
    ours = {d: p[1] for d, p in pairs.items() if d != "complex128"}     # the format has no complex128
    ours["zero_d"], ours["transposed"] = tc.tensor(2.5), pairs["float32"][1].t()
    ts.save_file(ours, tmp_path / "o.safetensors", metadata={"format": "pt"})
    _same(ours, {k: st.load_file(tmp_path / "o.safetensors")[k] for k in ours})    # the format sorts keys
    theirs = {d: p[0] for d, p in pairs.items() if d != "complex128"}
    st.save_file(theirs, tmp_path / "t.safetensors")
    loaded = ts.load_file(tmp_path / "t.safetensors")
    _same({k: loaded[k] for k in theirs}, theirs)
    assert ts.load(st.save(theirs)).keys() == theirs.keys()


def test_safetensors_model_round_trip_and_corrupt_file(tmp_path):
    net_o = tc.nn.Linear(3, 2)
    ts.save_model(net_o, tmp_path / "m.safetensors")
    net_t = torch.nn.Linear(3, 2)
    st.load_model(net_t, tmp_path / "m.safetensors")
    assert np.array_equal(net_t.weight.detach().numpy(), net_o.weight.detach().numpy())
    net_o2 = tc.nn.Linear(3, 2)
    assert ts.load_model(net_o2, tmp_path / "m.safetensors") == ([], [])
    assert np.array_equal(net_o2.weight.detach().numpy(), net_o.weight.detach().numpy())
    (tmp_path / "bad.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(RuntimeError, match="bad.safetensors"):
        ts.load_file(tmp_path / "bad.safetensors")
