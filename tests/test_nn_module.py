"""nn.Module core against torch: Parameter, registration, traversal, state_dict round trips and
their errors, modes, dtype moves, printed repr, hooks (forward and full backward), containers,
and the nn.utils helpers (clip_grad_norm_, clip_grad_value_, parameters_to_vector).

Every model is built by a function of the library (torch or torsh_compat), so both sides run the
same code; weights move from torch to ours through load_state_dict."""
import collections
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import torsh_compat as tc

RTOL, ATOL = 1.3e-6, 1e-5


def to_ours(t):
    return tc.from_numpy(t.detach().numpy().copy())


def to_np(t):
    return np.array(t.detach().numpy() if isinstance(t, torch.Tensor) else t.detach()._data)


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    assert ours is not None and theirs is not None
    torch.testing.assert_close(torch.from_numpy(to_np(ours)), theirs.detach(), rtol=rtol, atol=atol)


def copy_weights(ours, theirs):
    ours.load_state_dict({k: to_ours(v) for k, v in theirs.state_dict().items()})


def raises_like(fn_torch, fn_ours, exact=True):
    """Both raise the same exception type (and message when exact)."""
    with pytest.raises(Exception) as et:
        fn_torch()
    with pytest.raises(type(et.value)) as eo:
        fn_ours()
    if exact:
        assert str(eo.value).replace("torsh_compat", "torch") == str(et.value)
    return eo.value


# ---- models built identically on both libraries ---------------------------------------------

def build_net(L):
    nn = L.nn

    class Block(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.fc = nn.Linear(n, n)
            self.scale = nn.Parameter(L.ones(n))
            self.register_buffer("steps", L.zeros((), dtype=L.int64))
            self.register_buffer("cache", L.zeros(n), persistent=False)
            self.register_parameter("unused", None)

        def forward(self, x):
            return self.fc(x) * self.scale

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(10, 4)
            self.blocks = nn.ModuleList([Block(4), Block(4)])
            self.head = nn.Sequential(collections.OrderedDict(
                [("proj", nn.Linear(4, 3)), ("flat", nn.Flatten(0, 1)), ("id", nn.Identity())]))
            self.shared = self.blocks[0].fc          # the same module under two names
            self.register_buffer("mean", L.zeros(3))
            self.extra = nn.ModuleDict({"b": nn.Linear(3, 2, bias=False), "a": nn.Identity()})
            self.nothing = None

        def forward(self, idx):
            x = self.embed(idx)
            for b in self.blocks:
                x = b(x)
            x = self.head(x) - self.mean
            return self.extra["b"](x)

    return Net()


@pytest.fixture
def nets():
    torch.manual_seed(0)
    theirs = build_net(torch)
    ours = build_net(tc)
    copy_weights(ours, theirs)
    return ours, theirs


# ---- Parameter and Buffer ---------------------------------------------------------------------

def test_parameter_basics():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    p, q = tc.nn.Parameter(tc.from_numpy(a.copy())), torch.nn.Parameter(torch.from_numpy(a.copy()))
    assert repr(p) == repr(q)
    assert isinstance(p, tc.nn.Parameter) and isinstance(p, tc.Tensor)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert not tc.nn.Parameter(tc.ones(2), requires_grad=False).requires_grad
    assert repr(tc.nn.Parameter(tc.ones(2), requires_grad=False)) == \
        repr(torch.nn.Parameter(torch.ones(2), requires_grad=False))
    empty, tempty = tc.nn.Parameter(), torch.nn.Parameter()
    assert empty.shape == tempty.shape and str(empty.dtype) == str(tempty.dtype)
    # shares memory with the data it wraps, is a fresh leaf even from a non-leaf
    base = tc.ones(3, requires_grad=True) * 2
    p = tc.nn.Parameter(base)
    assert p.is_leaf and p.requires_grad
    base.detach()._data[0] = 7
    assert p._data[0] == 7
    raises_like(lambda: torch.nn.Parameter(torch.tensor([1, 2])), lambda: tc.nn.Parameter(tc.tensor([1, 2])),
                exact=False)
    # ops on parameters give plain tensors
    out = p * 2
    assert type(out) is tc.Tensor


def test_parameter_deepcopy_and_pickle():
    p = tc.nn.Parameter(tc.randn(2, 3))
    p.grad = tc.ones(2, 3)
    d = copy.deepcopy(p)
    assert type(d) is tc.nn.Parameter and d.requires_grad and d.grad is None
    assert np.array_equal(d._data, p._data) and d._data is not p._data
    frozen = tc.nn.Parameter(tc.randn(2), requires_grad=False)
    for obj in (p, frozen):
        r = pickle.loads(pickle.dumps(obj))
        assert type(r) is tc.nn.Parameter and r.requires_grad == obj.requires_grad
        assert np.array_equal(r._data, obj._data)
    m = tc.nn.Linear(3, 2)
    m2 = copy.deepcopy(m)
    assert type(m2.weight) is tc.nn.Parameter and m2.weight is not m.weight
    assert np.array_equal(m2.weight._data, m.weight._data)
    m3 = pickle.loads(pickle.dumps(m))
    assert list(m3.state_dict()) == ["weight", "bias"] and isinstance(m3.bias, tc.nn.Parameter)


def test_flagged_tensor_is_a_parameter_and_buffer_marks():
    t = tc.ones(2)
    t._is_param = True
    assert isinstance(t, tc.nn.Parameter)
    assert not isinstance(tc.ones(2), tc.nn.Parameter)
    b = tc.nn.Buffer(tc.ones(2), persistent=False)
    assert isinstance(b, tc.nn.Buffer) and type(b) is tc.Tensor

    def build(L):
        m = L.nn.Module()
        m.a = L.nn.Buffer(L.ones(2))
        m.b = L.nn.Buffer(L.zeros(1), persistent=False)
        return m
    assert list(build(tc).state_dict()) == list(build(torch).state_dict()) == ["a"]
    assert [n for n, _ in build(tc).named_buffers()] == ["a", "b"]


# ---- registration and its errors --------------------------------------------------------------

def test_names_and_order_match_torch(nets):
    ours, theirs = nets
    for fn in ("named_parameters", "named_buffers", "named_modules", "named_children"):
        assert [n for n, _ in getattr(ours, fn)()] == [n for n, _ in getattr(theirs, fn)()], fn
    assert [n for n, _ in ours.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in theirs.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in ours.named_parameters(prefix="model", recurse=True)] == \
        [n for n, _ in theirs.named_parameters(prefix="model", recurse=True)]
    assert [n for n, _ in ours.blocks[0].named_parameters(recurse=False)] == \
        [n for n, _ in theirs.blocks[0].named_parameters(recurse=False)]
    assert [n for n, _ in ours.named_modules(prefix="root", remove_duplicate=False)] == \
        [n for n, _ in theirs.named_modules(prefix="root", remove_duplicate=False)]
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    assert len(list(ours.buffers())) == len(list(theirs.buffers()))
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert [type(m).__name__ for m in ours.children()] == [type(m).__name__ for m in theirs.children()]
    # tied weights appear once
    assert ours.shared.weight is ours.blocks[0].fc.weight
    ids = [id(p) for p in ours.parameters()]
    assert len(ids) == len(set(ids))


def test_state_dict_keys_order_and_values(nets):
    ours, theirs = nets
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert type(sd) is collections.OrderedDict
    assert list(sd) == list(tsd)
    assert dict(sd._metadata) == dict(tsd._metadata)
    for k in sd:
        assert not sd[k].requires_grad and str(sd[k].dtype) == str(tsd[k].dtype)
        assert np.array_equal(to_np(sd[k]), to_np(tsd[k]))
    kept = ours.state_dict(keep_vars=True)
    assert kept["embed.weight"] is ours.embed.weight
    assert list(ours.state_dict(prefix="m.")) == list(theirs.state_dict(prefix="m."))
    dest = {}
    assert ours.state_dict(destination=dest) is dest and list(dest) == list(tsd)


def test_load_state_dict_copies_in_place_and_keeps_identity(nets):
    ours, theirs = nets
    w = ours.embed.weight
    result = ours.load_state_dict({k: to_ours(v) * 0 + 1 for k, v in theirs.state_dict().items()})
    assert ours.embed.weight is w and np.all(w._data == 1) and w.requires_grad
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == repr(torch.nn.Linear(1, 1).load_state_dict(torch.nn.Linear(1, 1).state_dict()))
    # assign=True takes the tensors themselves (as Parameters keeping requires_grad)
    m = tc.nn.Linear(3, 2)
    new_w = tc.ones(2, 3)
    m.load_state_dict({"weight": new_w, "bias": tc.zeros(2)}, assign=True)
    assert isinstance(m.weight, tc.nn.Parameter) and m.weight.requires_grad
    assert m.weight._data is new_w._data


def test_load_state_dict_errors_match_torch(nets):
    ours, theirs = nets
    tsd = theirs.state_dict()
    osd = {k: to_ours(v) for k, v in tsd.items()}

    def mutate(sd, lib):
        sd = dict(sd)
        del sd["blocks.0.fc.bias"]
        sd["blocks.1.extra"] = lib.ones(1)
        sd["bogus.weight"] = lib.ones(1)
        sd["head.proj.weight"] = lib.ones(5, 4)
        return sd

    raises_like(lambda: theirs.load_state_dict(mutate(tsd, torch)),
                lambda: ours.load_state_dict(mutate(osd, tc)))
    # non-strict: only the shape mismatch raises; without it, torch's key lists come back
    raises_like(lambda: theirs.load_state_dict(mutate(tsd, torch), strict=False),
                lambda: ours.load_state_dict(mutate(osd, tc), strict=False))

    def mutate2(sd, lib):
        sd = mutate(sd, lib)
        del sd["head.proj.weight"]
        return sd
    r_t = theirs.load_state_dict(mutate2(tsd, torch), strict=False)
    r_o = ours.load_state_dict(mutate2(osd, tc), strict=False)
    assert tuple(r_o) == tuple(r_t) and repr(r_o) == repr(r_t)
    raises_like(lambda: theirs.load_state_dict([1]), lambda: ours.load_state_dict([1]))
    raises_like(lambda: theirs.load_state_dict({**tsd, "mean": 3}),
                lambda: ours.load_state_dict({**osd, "mean": 3}))
    e = raises_like(lambda: torch.nn.Linear(4, 3).load_state_dict({"weight": torch.ones(3, 5),
                                                                   "bias": torch.ones(3)}),
                    lambda: tc.nn.Linear(4, 3).load_state_dict({"weight": tc.ones(3, 5), "bias": tc.ones(3)}))
    assert "size mismatch for weight: copying a param with shape torch.Size([3, 5]) from checkpoint, " \
           "the shape in current model is torch.Size([3, 4])." in str(e)


def test_load_from_state_dict_override():
    """A subclass rewriting legacy keys through _load_from_state_dict (as BatchNorm does)."""
    def build(L):
        class Legacy(L.nn.Linear):
            def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing, unexpected,
                                      errors):
                if prefix + "w" in state_dict:
                    state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
                super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing,
                                              unexpected, errors)

            def _save_to_state_dict(self, destination, prefix, keep_vars):
                super()._save_to_state_dict(destination, prefix, keep_vars)
                destination[prefix + "note"] = L.tensor(1.0)
        return L.nn.Sequential(Legacy(2, 2))

    t, o = build(torch), build(tc)
    assert list(o.state_dict()) == list(t.state_dict()) == ["0.weight", "0.bias", "0.note"]
    o.load_state_dict({"0.w": tc.ones(2, 2), "0.bias": tc.zeros(2)})
    assert np.all(o[0].weight._data == 1)


def test_extra_state_round_trip():
    def build(L):
        class WithState(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.state = {"n": 1}

            def get_extra_state(self):
                return self.state

            def set_extra_state(self, s):
                self.state = s
        return WithState()
    o, t = build(tc), build(torch)
    assert list(o.state_dict()) == list(t.state_dict())
    o.load_state_dict({"_extra_state": {"n": 5}})
    assert o.state == {"n": 5}
    raises_like(lambda: t.load_state_dict({}), lambda: o.load_state_dict({}))


def test_setattr_rules_and_errors():
    for L in (torch, tc):
        m = L.nn.Module()
        m.w = L.nn.Parameter(L.ones(2))
        m.w = None
        assert "w" in m._parameters and m.w is None
        m.w = L.nn.Parameter(L.ones(2))
        m.b = L.ones(1)                      # plain tensor: an ordinary attribute
        assert "b" not in m._buffers
        m.register_buffer("buf", L.ones(1))
        m.buf = L.zeros(1)                   # stays a buffer
        assert "buf" in m._buffers
        m.sub = L.nn.Linear(1, 1)
        m.sub = None
        assert "sub" in m._modules
        del m.w, m.buf, m.sub
        assert not m._parameters and not m._buffers and not m._modules

    def build(L):
        m = L.nn.Module()
        m.w = L.nn.Parameter(L.ones(2))
        m.register_buffer("buf", L.ones(1))
        m.sub = L.nn.Linear(1, 1)
        return m
    t, o = build(torch), build(tc)
    raises_like(lambda: setattr(t, "w", torch.ones(2)), lambda: setattr(o, "w", tc.ones(2)))
    raises_like(lambda: setattr(t, "sub", 3), lambda: setattr(o, "sub", 3))
    raises_like(lambda: setattr(t, "buf", "x"), lambda: setattr(o, "buf", "x"))
    raises_like(lambda: t.missing, lambda: o.missing)
    raises_like(lambda: t.register_buffer("w", torch.ones(1)), lambda: o.register_buffer("w", tc.ones(1)))
    raises_like(lambda: t.register_buffer("a.b", torch.ones(1)), lambda: o.register_buffer("a.b", tc.ones(1)))
    raises_like(lambda: t.register_buffer("", torch.ones(1)), lambda: o.register_buffer("", tc.ones(1)))
    raises_like(lambda: t.register_buffer("x", 3), lambda: o.register_buffer("x", 3))
    raises_like(lambda: t.register_parameter("x", torch.ones(1)), lambda: o.register_parameter("x", tc.ones(1)))
    raises_like(lambda: t.register_parameter("sub", torch.nn.Parameter(torch.ones(1))),
                lambda: o.register_parameter("sub", tc.nn.Parameter(tc.ones(1))))
    raises_like(lambda: t.add_module("a.b", torch.nn.Identity()), lambda: o.add_module("a.b", tc.nn.Identity()))
    raises_like(lambda: t.add_module("w", torch.nn.Identity()), lambda: o.add_module("w", tc.nn.Identity()))
    raises_like(lambda: t.add_module("x", 3), lambda: o.add_module("x", 3))
    raises_like(lambda: t.add_module(3, torch.nn.Identity()), lambda: o.add_module(3, tc.nn.Identity()))
    nonleaf_t = torch.nn.Parameter(torch.ones(1)) * 2
    raises_like(lambda: t.register_parameter("y", nonleaf_t), lambda: o.register_parameter("y", tc.nn.Parameter(tc.ones(1)) * 2))


def test_assignment_before_super_init():
    def build(L, what):
        class Early(L.nn.Module):
            def __init__(self):
                if what == "param":
                    self.w = L.nn.Parameter(L.ones(1))
                elif what == "module":
                    self.m = L.nn.Identity()
                elif what == "register":
                    self.register_parameter("w", L.nn.Parameter(L.ones(1)))
                else:
                    self.register_buffer("b", L.ones(1))
                super().__init__()
        return Early()
    for what in ("param", "module", "register", "buffer"):
        e = raises_like(lambda: build(torch, what), lambda: build(tc, what))
    assert str(e) == "cannot assign buffer before Module.__init__() call"
    e = raises_like(lambda: build(torch, "register"), lambda: build(tc, "register"))
    assert str(e) == "cannot assign parameter before Module.__init__() call"


def test_get_submodule_parameter_buffer(nets):
    ours, theirs = nets
    assert ours.get_submodule("blocks.1.fc") is ours.blocks[1].fc
    assert ours.get_submodule("") is ours
    assert ours.get_parameter("blocks.0.scale") is ours.blocks[0].scale
    assert ours.get_buffer("blocks.1.steps") is ours.blocks[1].steps
    for target in ("blocks.7", "head.proj.weight", "nope"):
        raises_like(lambda: theirs.get_submodule(target), lambda: ours.get_submodule(target))
    for target in ("blocks.0.steps", "blocks.0.nope", "x.y"):
        raises_like(lambda: theirs.get_parameter(target), lambda: ours.get_parameter(target))
    for target in ("blocks.0.scale", "blocks.0.nope"):
        raises_like(lambda: theirs.get_buffer(target), lambda: ours.get_buffer(target))
    ours.set_submodule("head.id", tc.nn.Flatten())
    assert isinstance(ours.head.id, tc.nn.Flatten)
    raises_like(lambda: theirs.set_submodule("blocks.0.scale", torch.nn.Identity()),
                lambda: ours.set_submodule("blocks.0.scale", tc.nn.Identity()))


def test_dir_lists_members(nets):
    ours, theirs = nets
    d = dir(ours.blocks[0])
    for name in ("fc", "scale", "steps", "cache", "forward", "training"):
        assert name in d
    assert set(dir(ours.blocks)) - set(dir(tc.nn.ModuleList())) == set()


# ---- modes, gradients, moves ------------------------------------------------------------------

def test_train_eval_requires_grad_zero_grad(nets):
    ours, theirs = nets
    assert ours.training and all(m.training for m in ours.modules())
    assert ours.eval() is ours and not any(m.training for m in ours.modules())
    ours.train()
    assert all(m.training for m in ours.modules())
    raises_like(lambda: theirs.train("yes"), lambda: ours.train("yes"))
    ours.requires_grad_(False)
    assert not any(p.requires_grad for p in ours.parameters())
    ours.requires_grad_()
    out = ours(tc.tensor([[1, 2], [3, 4]]))
    out.sum().backward()
    assert all(p.grad is not None for p in ours.blocks[0].parameters())
    g = ours.blocks[0].scale.grad
    ours.zero_grad(set_to_none=False)
    assert ours.blocks[0].scale.grad is g and not np.any(g._data)
    ours.zero_grad()
    assert all(p.grad is None for p in ours.parameters())


def test_apply_order_matches_torch(nets):
    ours, theirs = nets
    seen_o, seen_t = [], []
    ours.apply(lambda m: seen_o.append(type(m).__name__))
    theirs.apply(lambda m: seen_t.append(type(m).__name__))
    assert seen_o == seen_t


def test_dtype_moves_keep_parameter_identity(nets):
    ours, theirs = nets
    w = ours.embed.weight
    ours.embed.weight.grad = tc.ones(10, 4)
    assert ours.double() is ours
    assert ours.embed.weight is w and w.dtype is tc.float64 and w.grad.dtype is tc.float64
    assert ours.blocks[0].steps.dtype is tc.int64       # integer buffers are left alone
    ours.float()
    assert w.dtype is tc.float32
    ours.to(tc.float64)
    assert w.dtype is tc.float64
    ours.to("cpu", dtype=tc.float32)
    ours.to(tc.device("cpu"))
    assert w.dtype is tc.float32
    ours.half()
    assert w.dtype is tc.float16
    theirs.half()
    assert [str(p.dtype) for p in ours.parameters()] == [str(p.dtype) for p in theirs.parameters()]
    ours.to(tc.zeros(1, dtype=tc.float64))
    assert w.dtype is tc.float64
    assert ours.cpu() is ours and ours.share_memory() is ours
    raises_like(lambda: theirs.to(torch.int64), lambda: ours.to(tc.int64))
    raises_like(lambda: theirs.cuda(), lambda: ours.cuda(), exact=False)
    assert tc.nn.Identity().cuda() is not None    # nothing to move: as torch, no error


# ---- printed repr ---------------------------------------------------------------------------

def build_printed(L):
    nn = L.nn

    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Sequential(nn.Linear(3, 4), nn.Identity())

        def extra_repr(self):
            return "first line\nsecond=2"

    return nn.Sequential(
        nn.Linear(8, 16),
        nn.Sequential(nn.Flatten(0, 2), nn.Unflatten(1, (2, 8)), nn.Linear(16, 16, bias=False)),
        nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Identity(), nn.Identity(), nn.Linear(2, 3)]),
        nn.ModuleDict({"emb": nn.Embedding(10, 3, padding_idx=0, max_norm=1.0),
                       "bag": nn.EmbeddingBag(5, 2, mode="sum"),
                       "bil": nn.Bilinear(2, 3, 4)}),
        Custom(),
        nn.ParameterList([nn.Parameter(L.ones(2, 3)), L.zeros(4)]),
        nn.ParameterDict({"b": nn.Parameter(L.ones(1)), "a": nn.Parameter(L.ones(2, dtype=L.float64))}),
        nn.ModuleList(),
        nn.Embedding(4, 2, scale_grad_by_freq=True, sparse=True, norm_type=1.0),
    )


def test_repr_matches_torch_exactly():
    assert repr(build_printed(tc)) == repr(build_printed(torch))
    assert str(build_printed(tc)) == str(build_printed(torch))
    assert repr(tc.nn.Module()) == repr(torch.nn.Module())


# ---- hooks ----------------------------------------------------------------------------------

def build_hooked(L, log):
    class Two(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = L.nn.Linear(3, 3)

        def forward(self, x, y, scale=1.0):
            return self.fc(x) * scale, y * 3

    m = Two()

    def pre(mod, args):
        log.append(("pre", len(args)))

    def pre_kw(mod, args, kwargs):
        log.append(("pre_kw", sorted(kwargs)))
        return args, {**kwargs, "scale": 2.0}

    def fwd(mod, args, out):
        log.append(("fwd", type(out).__name__))

    def fwd_kw(mod, args, kwargs, out):
        log.append(("fwd_kw", kwargs["scale"]))
        return out[0] + 1, out[1]

    def first(mod, args):
        log.append(("first",))

    hs = [m.register_forward_pre_hook(pre), m.register_forward_pre_hook(pre_kw, with_kwargs=True),
          m.register_forward_pre_hook(first, prepend=True), m.register_forward_hook(fwd),
          m.register_forward_hook(fwd_kw, with_kwargs=True)]

    def bw_pre(mod, grad_output):
        log.append(("bw_pre", [None if g is None else to_np(g).tolist() for g in grad_output]))
        return (grad_output[0] * 2, grad_output[1])

    def bw(mod, grad_input, grad_output):
        log.append(("bw", [None if g is None else np.round(to_np(g), 4).tolist() for g in grad_input],
                     [None if g is None else to_np(g).tolist() for g in grad_output]))

    hs += [m.register_full_backward_pre_hook(bw_pre), m.register_full_backward_hook(bw)]
    return m, hs


@pytest.mark.parametrize("y_grad", [False, True])
def test_forward_and_full_backward_hooks_match_torch(y_grad):
    logs = {}
    results = {}
    for name, L in (("torch", torch), ("ours", tc)):
        log = []
        torch.manual_seed(0)
        m, _ = build_hooked(L, log)
        if name == "ours":
            copy_weights(m, results["torch"][0])
        x = L.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        y = L.tensor([0.5, 0.25], requires_grad=y_grad)
        a, b = m(x, y, scale=1.0)
        log.append(("grad_fn", type(a.grad_fn).__name__))
        (a.sum() * 1.5).backward()
        logs[name] = log
        results[name] = (m, x.grad)
    assert logs["ours"] == logs["torch"]
    close(results["ours"][1], results["torch"][1])


def test_hook_handles_remove():
    log = []
    m, hs = build_hooked(tc, log)
    for h in hs:
        h.remove()
    assert not m._forward_hooks and not m._forward_pre_hooks and not m._backward_hooks
    assert not m._forward_hooks_with_kwargs and not m._forward_pre_hooks_with_kwargs
    a, _ = m(tc.ones(1, 3, requires_grad=True), tc.ones(2))
    a.sum().backward()
    assert log == [] and a.grad_fn.name() == "MulBackward0"
    with m.register_forward_hook(lambda *a: log.append("in")):
        m(tc.ones(1, 3), tc.ones(2))
    m(tc.ones(1, 3), tc.ones(2))
    assert log == ["in"]


def test_backward_hook_replaces_grad_input_and_no_input_grad_case():
    outs = {}
    for L in (torch, tc):
        torch.manual_seed(1)
        lin = L.nn.Linear(2, 2)
        if L is tc:
            copy_weights(lin, outs[torch][0])
        lin.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 10,))
        x = L.tensor([[1.0, -1.0]], requires_grad=True)
        lin(x).sum().backward()
        calls = []
        lin2 = L.nn.Linear(2, 2)
        lin2.register_full_backward_hook(lambda mod, gi, go: calls.append((gi, len(go))))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lin2(L.ones(1, 2)).sum().backward()
        outs[L] = (lin, x.grad, calls[0][0], calls[0][1])
    close(outs[tc][1], outs[torch][1])
    assert outs[tc][2] == outs[torch][2] == (None,) and outs[tc][3] == outs[torch][3]
    raises_like(lambda: outs[torch][0].register_backward_hook(lambda *a: None),
                lambda: outs[tc][0].register_backward_hook(lambda *a: None))


def test_forward_hook_always_call_runs_on_error():
    for L in (torch, tc):
        log = []

        class Boom(L.nn.Module):
            def forward(self, x):
                raise ValueError("boom")
        m = Boom()
        m.register_forward_hook(lambda mod, args, out: log.append(out), always_call=True)
        with pytest.raises(ValueError):
            m(L.ones(1))
        assert log == [None]


def test_forward_not_implemented():
    raises_like(lambda: torch.nn.Module()(torch.ones(1)), lambda: tc.nn.Module()(tc.ones(1)))


# ---- containers -----------------------------------------------------------------------------

def seq_ops(L):
    nn = L.nn
    s = nn.Sequential(nn.Linear(1, 2), nn.Linear(2, 3), nn.Linear(3, 4))
    keys = [list(s.state_dict())]
    assert isinstance(s[-1], nn.Linear) and s[-1].out_features == 4
    sl = s[1:]
    keys.append((type(sl).__name__, list(sl.state_dict())))
    s.append(nn.Linear(4, 5))
    s.insert(1, nn.Identity())
    s.extend([nn.Linear(5, 6)])
    keys.append(list(s.state_dict()))
    popped = s.pop(1)
    keys.append((type(popped).__name__, list(s.state_dict())))
    del s[0]
    keys.append(list(s.state_dict()))
    s[0] = nn.Linear(2, 7)
    keys.append([m.out_features for m in s])
    both = s + nn.Sequential(nn.Identity())
    keys.append((len(both), list(both._modules)))
    s += nn.Sequential(nn.Linear(1, 1))
    keys.append(list(s._modules))
    keys.append(list((nn.Sequential(nn.Identity(), nn.Linear(1, 1)) * 2).state_dict()))
    del s[1:3]
    keys.append(list(s._modules))
    od = nn.Sequential(collections.OrderedDict([("a", nn.Linear(2, 2)), ("b", nn.Identity())]))
    keys.append((list(od.state_dict()), list(od[0:1]._modules)))
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.Identity())
    ml.extend([nn.Linear(2, 2)])
    ml.insert(0, nn.Identity())
    ml += [nn.Linear(3, 3)]
    keys.append((len(ml), list(ml.state_dict()), type(ml[1:3]).__name__, type(ml[-1]).__name__))
    del ml[0]
    keys.append(list(ml.state_dict()))
    md = nn.ModuleDict({"z": nn.Linear(1, 1), "a": nn.Linear(1, 1)})
    md["m"] = nn.Identity()
    md.update([("q", nn.Linear(2, 2))])
    keys.append((list(md.keys()), list(md.state_dict()), "a" in md, len(md)))
    md.pop("z")
    keys.append(list(md))
    pl = nn.ParameterList([nn.Parameter(L.ones(1)), L.zeros(2)])
    pl.append(L.ones(3))
    keys.append((list(pl.state_dict()), [type(p).__name__ for p in pl], len(pl[0:2])))
    pd = nn.ParameterDict({"w": L.ones(1), "b": L.zeros(1)})
    pd.update(collections.OrderedDict([("z", L.ones(2)), ("c", L.ones(2))]))
    keys.append((list(pd.keys()), list(pd.state_dict()), "z" in pd, pd.get("nope")))
    pd.pop("w")
    keys.append(list(pd))
    return keys


def test_container_operations_match_torch():
    assert seq_ops(tc) == seq_ops(torch)


def test_container_errors_match_torch():
    for fn in (lambda L: L.nn.Sequential(L.nn.Identity())[3],
               lambda L: L.nn.ModuleList([L.nn.Identity()])[-2],
               lambda L: L.nn.Sequential() + L.nn.ModuleList(),
               lambda L: L.nn.Sequential(L.nn.Identity()) * 0,
               lambda L: L.nn.ModuleList(3),
               lambda L: L.nn.ModuleDict([(1, 2, 3)]),
               lambda L: L.nn.ParameterList()(1),
               lambda L: L.nn.ParameterDict()[1],
               lambda L: L.nn.Sequential().insert(5, L.nn.Identity())):
        raises_like(lambda: fn(torch), lambda: fn(tc))


def test_sequential_forward():
    torch.manual_seed(2)
    t = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Flatten(0), torch.nn.Unflatten(0, (2, 3)))
    o = tc.nn.Sequential(tc.nn.Linear(4, 3), tc.nn.Flatten(0), tc.nn.Unflatten(0, (2, 3)))
    copy_weights(o, t)
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    xt, xo = torch.from_numpy(x).requires_grad_(), tc.from_numpy(x.copy()).requires_grad_()
    yt, yo = t(xt), o(xo)
    close(yo, yt)
    yt.pow(2).sum().backward()
    (yo * yo).sum().backward()
    close(xo.grad, xt.grad)
    close(o[0].weight.grad, t[0].weight.grad)
    raises_like(lambda: torch.nn.Unflatten(1, 3), lambda: tc.nn.Unflatten(1, 3))
    raises_like(lambda: torch.nn.Unflatten(1, (2, 1.5)), lambda: tc.nn.Unflatten(1, (2, 1.5)))


# ---- nn.utils ---------------------------------------------------------------------------------

def _grads_pair(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2, 2)]
    arrays = [(rng.standard_normal(s) * scale).astype(np.float32) for s in shapes]
    ours, theirs = [], []
    for a in arrays:
        po, pt = tc.nn.Parameter(tc.zeros(a.shape)), torch.nn.Parameter(torch.zeros(a.shape))
        po.grad, pt.grad = tc.from_numpy(a.copy()), torch.from_numpy(a.copy())
        ours.append(po)
        theirs.append(pt)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, float("inf"), "inf", 0, -float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = _grads_pair(scale=2.0)
    n_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    n_o = tc.nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    assert isinstance(n_o, tc.Tensor) and n_o.shape == n_t.shape and str(n_o.dtype) == str(n_t.dtype)
    close(n_o, n_t)
    for po, pt in zip(ours, theirs):
        close(po.grad, pt.grad)


def test_clip_grad_norm_details():
    ours, theirs = _grads_pair()
    # one tensor, a generator, no grads, an empty list
    close(tc.nn.utils.clip_grad_norm_(ours[0], 1.0), torch.nn.utils.clip_grad_norm_(theirs[0], 1.0))
    close(tc.nn.utils.clip_grad_norm_((p for p in ours), 1.0, foreach=True),
          torch.nn.utils.clip_grad_norm_((p for p in theirs), 1.0, foreach=True))
    assert tc.nn.utils.clip_grad_norm_([], 1.0).item() == torch.nn.utils.clip_grad_norm_([], 1.0).item()
    assert tc.nn.utils.clip_grad_norm_([tc.nn.Parameter(tc.ones(2))], 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        tc.nn.utils.clip_grad_norm_((p for p in []), 1.0)
    ours[0].grad._data[0, 0] = np.inf
    theirs[0].grad[0, 0] = float("inf")
    raises_like(lambda: torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True),
                lambda: tc.nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True))
    assert tc.nn.utils.clip_grad_norm_(ours, 1.0).item() == float("inf")
    o, t = _grads_pair(3)
    close(tc.nn.utils.get_total_norm([p.grad for p in o], 3.0),
          torch.nn.utils.get_total_norm([p.grad for p in t], 3.0))
    tc.nn.utils.clip_grads_with_norm_(o, 0.1, tc.tensor(2.0))
    torch.nn.utils.clip_grads_with_norm_(t, 0.1, torch.tensor(2.0))
    for po, pt in zip(o, t):
        close(po.grad, pt.grad)


def test_clip_grad_value_and_vectors():
    ours, theirs = _grads_pair(1, scale=3.0)
    tc.nn.utils.clip_grad_value_(ours, 1.5)
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    for po, pt in zip(ours, theirs):
        close(po.grad, pt.grad)
    vo = tc.nn.utils.parameters_to_vector(ours)
    vt = torch.nn.utils.parameters_to_vector(theirs)
    close(vo, vt)
    assert vo.grad_fn.name() == vt.grad_fn.name()
    new = tc.arange(float(vo.numel()))
    tc.nn.utils.vector_to_parameters(new, ours)
    torch.nn.utils.vector_to_parameters(torch.arange(float(vt.numel())), theirs)
    for po, pt in zip(ours, theirs):
        close(po, pt)
    raises_like(lambda: torch.nn.utils.vector_to_parameters([1.0], theirs),
                lambda: tc.nn.utils.vector_to_parameters([1.0], ours), exact=False)


def test_parameters_to_vector_gradient():
    ps = [tc.nn.Parameter(tc.ones(2, 2)), tc.nn.Parameter(tc.ones(3))]
    v = tc.nn.utils.parameters_to_vector(ps)
    (v * tc.from_numpy(np.arange(7, dtype=np.float32))).sum().backward()
    assert ps[0].grad._data.tolist() == [[0, 1], [2, 3]] and ps[1].grad._data.tolist() == [4, 5, 6]


def test_full_backward_hooks_under_create_graph():
    res = {}
    for L in (torch, tc):
        torch.manual_seed(3)
        lin = L.nn.Linear(3, 2)
        if L is tc:
            copy_weights(lin, res[torch][0])
        seen = []
        lin.register_full_backward_hook(lambda m, gi, go: seen.append((type(gi[0]).__name__, to_np(go[0]))))
        x = L.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
        (gx,) = L.autograd.grad((lin(x) ** 2).sum(), x, create_graph=True)
        gx.sum().backward()
        res[L] = (lin, gx, x.grad, lin.weight.grad, seen)
    close(res[tc][1], res[torch][1])
    close(res[tc][2], res[torch][2])
    close(res[tc][3], res[torch][3])
    assert [s[0] for s in res[tc][4]] == [s[0] for s in res[torch][4]] == ["Tensor", "Tensor"]
    for (_, a), (_, b) in zip(res[tc][4], res[torch][4]):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


def test_lazy_layer_families_list_exactly_their_names():
    """nn.modules.LAZY (families loaded on first use) names exactly each family file's __all__."""
    import importlib
    from torsh_compat.nn import modules
    for family, names in modules.LAZY.items():
        mod = importlib.import_module(f"torsh_compat.nn.modules.{family}")
        assert sorted(names.split()) == sorted(mod.__all__), family
        for name in mod.__all__:
            assert getattr(tc.nn, name) is getattr(mod, name)


def test_printed_model_and_output_as_torch():
    """A small CNN + LSTM + Transformer model prints as torch prints it, and so do its outputs
    with their grad_fn (same seed, so the same weights and values)."""
    def build(L):
        L.manual_seed(0)
        nn = L.nn
        model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(16, 8))
        rec = nn.LSTM(8, 6, num_layers=2, batch_first=True, bidirectional=True)
        enc = nn.TransformerEncoderLayer(12, 2, 16, dropout=0.0, batch_first=True)
        x = L.arange(32.0).view(2, 1, 4, 4) / 32
        h = model(x)
        out, _ = rec(h.view(2, 1, 8))
        return [repr(model), repr(rec), repr(enc), repr(h), repr(out), repr(enc(out)[0, 0, :4])]
    ours, theirs = build(tc), build(torch)
    for o, t in zip(ours, theirs):
        assert o == t
