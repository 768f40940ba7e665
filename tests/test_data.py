"""torsh_compat.utils.data against torch.utils.data: the same datasets, samplers and loaders
under both, after the same seeds, give the same batches (values, dtypes, structure), the same
orders epoch after epoch, the same random stream afterwards, and the same errors."""
import collections
import random
import warnings

import numpy as np
import pytest
import torch

import torsh_compat as tc

Point = collections.namedtuple("Point", "x y")


# ---- helpers ------------------------------------------------------------------------------

def same(a, b, path="batch"):
    """a (torch's) and b (ours) equal in structure, types, dtypes, shapes and values."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, tc.Tensor), f"{path}: {type(b)} is not a Tensor"
        assert str(a.dtype) == str(b.dtype), f"{path}: dtype {b.dtype} != {a.dtype}"
        assert tuple(a.shape) == tuple(b.shape), f"{path}: shape {b.shape} != {a.shape}"
        assert np.array_equal(a.numpy(), b._data), f"{path}: values differ"
        assert a.requires_grad == b.requires_grad, f"{path}: requires_grad"
        return
    assert type(a) is type(b), f"{path}: {type(b)} != {type(a)}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(b)} != {list(a)}"
        for k in a:
            same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: length {len(b)} != {len(a)}"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b), path
    else:
        assert a == b, f"{path}: {b!r} != {a!r}"


def same_rng():
    """The global generators of both libraries are in the same state."""
    assert np.array_equal(torch.get_rng_state().numpy(), tc.get_rng_state()._data)


def both(fn, seed=0):
    """fn(module) under torch and under torsh_compat, each after manual_seed(seed)."""
    torch.manual_seed(seed)
    theirs = fn(torch)
    tc.manual_seed(seed)
    ours = fn(tc)
    return theirs, ours


def check(fn, seed=0):
    theirs, ours = both(fn, seed)
    same(theirs, ours)
    same_rng()
    return ours


def raises_like(fn, exact=True):
    """fn(torch) and fn(tc) raise the same exception type (and message)."""
    with pytest.raises(Exception) as et:
        fn(torch)
    with pytest.raises(type(et.value)) as eo:
        fn(tc)
    if exact:
        assert str(eo.value) == str(et.value)
    return eo.value


def samples(m, kind):
    """A map-style dataset of `m` whose samples have the given structure."""
    rows = np.arange(24, dtype=np.float32).reshape(6, 4)

    class DS(m.utils.data.Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            if kind == "dict":
                return {"x": m.tensor(rows[i]), "y": i, "name": f"s{i}", "w": 0.5 * i}
            if kind == "tuple":
                return m.tensor(rows[i]), i % 2 == 0, 1.5 * i
            if kind == "list":
                return [m.tensor(rows[i]).double(), [i, float(i)]]
            if kind == "namedtuple":
                return Point(m.tensor(rows[i]), i)
            if kind == "numpy":
                return rows[i], np.float32(i), np.int32(i), np.bool_(i % 2), np.float64(i)
            if kind == "numbers":
                return i, float(i) / 3, bool(i % 2), b"raw"
            if kind == "nested":
                return {"a": (m.tensor(i), {"b": [np.int16(i)]}), "c": Point(i, "p")}
            if kind == "int64":
                return m.tensor(rows[i]).long()
            raise AssertionError(kind)
    return DS()


def tensors(m, n=10):
    return m.utils.data.TensorDataset(m.arange(n * 3, dtype=m.float32).reshape(n, 3),
                                      m.arange(n) % 3)


def epochs(m, loader_fn, n=3, between=True):
    """n epochs of loader_fn(m) as lists of batches; a global draw between epochs checks
    that the loader draws from the global stream exactly when torch's does."""
    out = []
    loader = loader_fn(m)
    for _ in range(n):
        out.append(list(loader))
        if between:
            out.append(m.rand(2))
    return out


# ---- collation ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["dict", "tuple", "list", "namedtuple", "numpy", "numbers",
                                  "nested", "int64"])
@pytest.mark.parametrize("batch_size", [1, 4])
def test_batches_of_structured_samples(kind, batch_size):
    check(lambda m: list(m.utils.data.DataLoader(samples(m, kind), batch_size=batch_size)))


@pytest.mark.parametrize("kind", ["dict", "tuple", "numpy", "numbers", "nested"])
def test_no_batching_converts(kind):
    # batch_size=None: default_convert on each sample (NumPy to tensors, tuples to lists)
    check(lambda m: list(m.utils.data.DataLoader(samples(m, kind), batch_size=None)))


def test_tensor_dataset_batches():
    check(lambda m: list(m.utils.data.DataLoader(tensors(m), batch_size=3)))
    check(lambda m: tensors(m)[2:5])
    check(lambda m: len(tensors(m)))


def test_default_collate_rules():
    cases = [
        lambda m: [1.0, 2.5],                       # float64
        lambda m: [1, 2],                           # int64
        lambda m: [True, False],                    # bool
        lambda m: ["a", "b"],                       # strings kept as a list
        lambda m: [np.float32(1), np.float32(2)],   # NumPy scalars keep their dtype
        lambda m: [np.int8(1), np.int8(-2)],
        lambda m: [np.arange(3, dtype=np.uint8), np.arange(3, dtype=np.uint8)],
        lambda m: [m.ones(2, dtype=m.float16), m.zeros(2, dtype=m.float16)],
        lambda m: [(1, "a"), (2, "b")],             # tuples become lists
        lambda m: [collections.OrderedDict(b=1, a=2.0)] * 2,
        lambda m: [{"k": [np.zeros(2), np.ones(2)]}] * 3,
        lambda m: [Point(1.0, [1, 2]), Point(2.0, [3, 4])],
    ]
    for case in cases:
        check(lambda m: m.utils.data.default_collate(case(m)))


def test_default_convert_rules():
    cases = [
        lambda m: np.arange(4.0),
        lambda m: np.float32(2),
        lambda m: np.array(["a", "b"]),             # string arrays are left alone
        lambda m: (np.int64(1), 2, "x"),
        lambda m: {"a": np.ones(2), "b": [np.zeros(1)]},
        lambda m: Point(np.int32(3), 4.0),
        lambda m: 3.5,
        lambda m: m.ones(2),
    ]
    for case in cases:
        check(lambda m: m.utils.data.default_convert(case(m)))


def test_collate_tensors_keep_grad():
    def fn(m):
        w = m.ones(3, requires_grad=True)
        out = m.utils.data.default_collate([w * 2, w * 3])
        out.sum().backward()
        return out.detach(), w.grad
    check(fn)


def test_collate_errors():
    raises_like(lambda m: m.utils.data.default_collate([[1, 2], [3]]))
    raises_like(lambda m: m.utils.data.default_collate([object(), object()]), exact=False)
    raises_like(lambda m: m.utils.data.default_collate([np.array(["a"]), np.array(["b"])]))
    raises_like(lambda m: m.utils.data.default_collate([None]))
    raises_like(lambda m: m.utils.data.default_collate([m.ones(2), m.ones(3)]), exact=False)
    err = raises_like(lambda m: m.utils.data.default_collate([{1}]), exact=False)
    assert "default_collate: batch must contain tensors" in str(err)


def test_collate_fn_map_is_extensible():
    def fn(m):
        from importlib import import_module
        col = import_module(f"{m.__name__}.utils.data._utils.collate")

        class Box:
            def __init__(self, v):
                self.v = v
        fmap = dict(col.default_collate_fn_map)
        fmap[Box] = lambda batch, *, collate_fn_map: sum(b.v for b in batch)
        return col.collate([(Box(1), 2.0), (Box(5), 3.0)], collate_fn_map=fmap)
    check(fn)


# ---- shuffling and seeds ------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 7, 12345])
def test_shuffle_over_epochs_global_seed(seed):
    check(lambda m: epochs(m, lambda m: m.utils.data.DataLoader(tensors(m, 37), batch_size=5,
                                                               shuffle=True)), seed)


def test_shuffle_over_epochs_with_generator():
    def fn(m):
        g = m.Generator().manual_seed(3)
        return epochs(m, lambda m: m.utils.data.DataLoader(tensors(m, 20), batch_size=6,
                                                           shuffle=True, generator=g)), \
            g.get_state()
    check(fn, seed=11)


def test_no_shuffle_still_draws_base_seed():
    # every epoch draws torch's base seed from the global generator, even without shuffling
    check(lambda m: epochs(m, lambda m: m.utils.data.DataLoader(tensors(m, 7), batch_size=2)))


def test_shuffle_partial_epoch_and_random_in_loop():
    def fn(m):
        loader = m.utils.data.DataLoader(tensors(m, 50), batch_size=4, shuffle=True)
        out = []
        for _ in range(3):
            for i, batch in enumerate(loader):
                out.append((batch, m.randn(2)))
                if i == 3:
                    break
        return out
    check(fn, seed=5)


@pytest.mark.parametrize("num_samples", [None, 5, 32, 70])
@pytest.mark.parametrize("generator", [False, True])
def test_random_sampler_with_replacement(num_samples, generator):
    def fn(m):
        g = m.Generator().manual_seed(9) if generator else None
        s = m.utils.data.RandomSampler(range(13), replacement=True, num_samples=num_samples,
                                       generator=g)
        return [list(s) for _ in range(3)], len(s)
    check(fn, seed=2)


@pytest.mark.parametrize("num_samples", [None, 4, 13, 30])
def test_random_sampler_without_replacement(num_samples):
    def fn(m):
        s = m.utils.data.RandomSampler(range(13), num_samples=num_samples)
        return [list(s) for _ in range(3)], len(s)
    check(fn, seed=4)


def test_loader_with_random_sampler_and_generator():
    def fn(m):
        g = m.Generator().manual_seed(21)
        s = m.utils.data.RandomSampler(tensors(m, 40), replacement=True, num_samples=50,
                                       generator=g)
        return epochs(m, lambda m: m.utils.data.DataLoader(tensors(m, 40), batch_size=8,
                                                           sampler=s))
    check(fn, seed=8)


@pytest.mark.parametrize("replacement", [True, False])
def test_weighted_random_sampler(replacement):
    def fn(m):
        w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6, 0.0, 2.0]
        s = m.utils.data.WeightedRandomSampler(w, 6, replacement=replacement)
        g = m.Generator().manual_seed(1)
        sg = m.utils.data.WeightedRandomSampler(np.array(w), 5, replacement, generator=g)
        loader = m.utils.data.DataLoader(tensors(m, 8), batch_size=4, sampler=s)
        return [list(s), list(sg), list(sg), epochs(m, lambda m: loader), s.weights, len(s)]
    check(fn, seed=6)


def test_subset_random_sampler():
    def fn(m):
        idx = [3, 8, 1, 9, 4, 11]
        s = m.utils.data.SubsetRandomSampler(idx)
        sg = m.utils.data.SubsetRandomSampler(idx, generator=m.Generator().manual_seed(5))
        loader = m.utils.data.DataLoader(tensors(m, 12), batch_size=4, sampler=s)
        return [list(s), list(sg), list(sg), epochs(m, lambda m: loader), len(s)]
    check(fn, seed=13)


def test_random_split_lengths_and_generator():
    def fn(m):
        data = tensors(m, 10)
        a, b = m.utils.data.random_split(data, [3, 7])
        g = m.Generator().manual_seed(42)
        parts = m.utils.data.random_split(range(30), [10, 15, 5], generator=g)
        return [a.indices, b.indices, [p.indices for p in parts], a[1], len(b),
                list(m.utils.data.DataLoader(b, batch_size=4))]
    check(fn, seed=3)


def test_random_split_fractions():
    def fn(m):
        g = m.Generator().manual_seed(42)
        parts = m.utils.data.random_split(range(11), [0.3, 0.3, 0.4], generator=g)
        return [list(p) for p in parts], [p.indices for p in parts]
    check(fn)


def test_random_split_errors_and_empty_warning():
    raises_like(lambda m: m.utils.data.random_split(range(10), [3, 8]))
    raises_like(lambda m: m.utils.data.random_split(range(10), [1.2, -0.2]))

    def fn(m):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            parts = m.utils.data.random_split(range(2), [0.9, 0.1, 0.0])
        return [len(p) for p in parts], [(str(x.message), x.category) for x in w]
    assert len(check(fn)[1]) == 2


# ---- batching and lengths -----------------------------------------------------------------

@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("n", [0, 1, 9, 10, 11])
def test_batch_sampler_and_len(drop_last, n):
    def fn(m):
        bs = m.utils.data.BatchSampler(m.utils.data.SequentialSampler(range(n)), 3, drop_last)
        loader = m.utils.data.DataLoader(tensors(m, max(n, 1)), batch_size=3,
                                         drop_last=drop_last)
        loader_bs = m.utils.data.DataLoader(tensors(m, n), batch_sampler=bs) if n else None
        return [list(bs), len(bs), len(loader), list(loader),
                len(loader_bs) if n else 0, list(loader_bs) if n else []]
    check(fn)


def test_batch_sampler_over_plain_iterables():
    check(lambda m: list(m.utils.data.BatchSampler([5, 3, 1, 0, 2], 2, drop_last=False)))
    check(lambda m: list(m.utils.data.BatchSampler(iter(range(7)), 3, drop_last=True)))


def test_custom_sampler_and_getitems():
    class Items(tc.utils.data.Dataset):
        pass

    def fn(m):
        class DS(m.utils.data.Dataset):
            def __init__(self):
                self.calls = []

            def __len__(self):
                return 8

            def __getitem__(self, i):
                return i

            def __getitems__(self, idx):
                self.calls.append(list(idx))
                return [m.tensor([i, -i]) for i in idx]
        ds = DS()
        batches = list(m.utils.data.DataLoader(ds, batch_size=3, sampler=[7, 1, 2, 5, 0]))
        return batches, ds.calls
    check(fn)


def test_datasets_compose():
    def fn(m):
        d = m.utils.data
        t = tensors(m, 5)
        cat = d.ConcatDataset([t, tensors(m, 3), t])
        sub = d.Subset(cat, [0, 6, 12, 7])
        st = d.StackDataset(t, range(5))
        sd = d.StackDataset(a=t, b=list("abcde"))
        return [len(cat), cat[5], cat[-1], cat.cumulative_sizes, len(t + t), (t + t)[7],
                len(sub), sub[1], sub.__getitems__([0, 2]), d.Subset(t, [4, 0])[[0, 1]],
                st[2], sd[4], st.__getitems__([0, 4]), sd.__getitems__([1]),
                list(d.DataLoader(sub, batch_size=3)), list(d.DataLoader(sd, batch_size=2))]
    check(fn)


def test_dataset_errors():
    d = lambda m: m.utils.data  # noqa: E731
    raises_like(lambda m: d(m).TensorDataset(m.ones(3, 2), m.ones(4)))
    raises_like(lambda m: d(m).ConcatDataset([]))
    raises_like(lambda m: d(m).ConcatDataset([tensors(m, 2)])[-3])
    raises_like(lambda m: d(m).ConcatDataset([counter(m, 3)]))
    raises_like(lambda m: d(m).StackDataset(range(3), range(4)))
    raises_like(lambda m: d(m).StackDataset(range(3), a=range(3)))
    raises_like(lambda m: d(m).StackDataset())
    raises_like(lambda m: d(m).Dataset()[0])
    raises_like(lambda m: list(d(m).ChainDataset([counter(m, 2), range(3)])))
    raises_like(lambda m: len(d(m).ChainDataset([counter(m, 2), range(3)])))

    def bad_subset(m):
        class S(m.utils.data.Subset):
            def __getitem__(self, i):
                return 0
        S(range(3), [0])
    raises_like(bad_subset)


def test_sampler_errors():
    d = lambda m: m.utils.data  # noqa: E731
    raises_like(lambda m: d(m).RandomSampler(range(3), replacement=1))
    raises_like(lambda m: d(m).RandomSampler(range(3), num_samples=0))
    raises_like(lambda m: d(m).RandomSampler(range(0)))
    raises_like(lambda m: d(m).WeightedRandomSampler([1.0, 2.0], 0))
    raises_like(lambda m: d(m).WeightedRandomSampler([1.0, 2.0], True))
    raises_like(lambda m: d(m).WeightedRandomSampler([1.0, 2.0], 2, replacement=None))
    raises_like(lambda m: d(m).WeightedRandomSampler([[1.0, 2.0]], 2))
    raises_like(lambda m: list(d(m).WeightedRandomSampler([1.0, 2.0], 3, replacement=False)))
    raises_like(lambda m: d(m).BatchSampler(range(3), 0, False))
    raises_like(lambda m: d(m).BatchSampler(range(3), 2.0, False))
    raises_like(lambda m: d(m).BatchSampler(range(3), 2, None))
    raises_like(lambda m: iter(d(m).Sampler()).__next__())


# ---- iterable datasets --------------------------------------------------------------------

def counter(m, n, with_len=True, start=0):
    """An IterableDataset of `m` yielding (i, tensor i) for i in start..start+n-1."""
    base = m.utils.data.IterableDataset

    class Stream(base):
        def __init__(self):
            self.start, self.end = start, start + n

        def __iter__(self):
            for i in range(self.start, self.end):
                yield i, m.tensor([float(i)])

    if with_len:
        Stream.__len__ = lambda self: self.end - self.start
    return Stream()


@pytest.mark.parametrize("batch_size,drop_last", [(None, False), (1, False), (3, False),
                                                  (3, True), (20, False), (20, True)])
def test_iterable_dataset(batch_size, drop_last):
    def fn(m):
        loader = m.utils.data.DataLoader(counter(m, 10), batch_size=batch_size,
                                         drop_last=drop_last)
        return len(loader), epochs(m, lambda m: loader, n=2)
    check(fn)


def test_iterable_chain_and_no_len():
    def fn(m):
        d = m.utils.data
        chain = counter(m, 3) + counter(m, 2, start=10)
        loader = d.DataLoader(d.ChainDataset([chain, counter(m, 4, with_len=False)]),
                              batch_size=4)
        return len(chain), list(loader), list(d.DataLoader(counter(m, 5, False), batch_size=2))
    check(fn)
    raises_like(lambda m: len(m.utils.data.DataLoader(counter(m, 5, False))), exact=False)


def test_iterable_length_warning():
    def fn(m):
        ds = counter(m, 5)
        ds.__class__.__len__ = lambda self: 2
        loader = m.utils.data.DataLoader(ds, batch_size=None)
        assert len(loader) == 2
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            list(loader)
        return [str(x.message).split(" was reported")[1] for x in w]
    check(fn)


def test_iterable_dataset_errors():
    raises_like(lambda m: m.utils.data.DataLoader(counter(m, 3), shuffle=True))
    raises_like(lambda m: m.utils.data.DataLoader(counter(m, 3), sampler=[0, 1]))
    raises_like(lambda m: m.utils.data.DataLoader(counter(m, 3), batch_sampler=[[0, 1]]))
    # shuffle=False is accepted (it was once the default)
    check(lambda m: list(m.utils.data.DataLoader(counter(m, 3), shuffle=False)))


# ---- DataLoader arguments -----------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(prefetch_factor=2),
    dict(num_workers=1, prefetch_factor=-1),
    dict(persistent_workers=True),
    dict(shuffle=True, sampler=[0, 1]),
    dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], shuffle=True),
    dict(batch_sampler=[[0]], sampler=[0]),
    dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True),
    dict(batch_size=0),
    dict(batch_size=-2),
    dict(multiprocessing_context="spawn"),
    dict(num_workers=1, multiprocessing_context="nope"),
    dict(num_workers=1, multiprocessing_context=3),
])
def test_loader_argument_errors(kwargs):
    raises_like(lambda m: m.utils.data.DataLoader(tensors(m, 4), **kwargs))


def test_loader_attributes_and_frozen_fields():
    def fn(m):
        loader = m.utils.data.DataLoader(tensors(m, 5), batch_size=2, shuffle=True,
                                         drop_last=True)
        return [type(loader.sampler).__name__, type(loader.batch_sampler).__name__,
                loader.batch_size, loader.drop_last, loader.prefetch_factor,
                loader.collate_fn.__name__, loader._auto_collation, len(iter(loader)),
                m.utils.data.DataLoader(tensors(m, 5), batch_size=None).collate_fn.__name__,
                m.utils.data.DataLoader(tensors(m, 5), num_workers=2).prefetch_factor]
    check(fn)
    for attr in ["batch_size", "sampler", "batch_sampler", "drop_last", "dataset",
                 "persistent_workers"]:
        raises_like(lambda m: setattr(m.utils.data.DataLoader(tensors(m, 4)), attr, 1))
    loader = tc.utils.data.DataLoader(tensors(tc, 4))
    loader.num_workers = 0     # other attributes may change
    raises_like(lambda m: iter(m.utils.data.DataLoader(tensors(m, 4), timeout=2)))
    raises_like(lambda m: iter(m.utils.data.DataLoader(tensors(m, 4))).__getstate__())


def test_pin_memory_warns_without_accelerator():
    def fn(m):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = list(m.utils.data.DataLoader(tensors(m, 4), batch_size=2, pin_memory=True))
        return out, [str(x.message) for x in w]
    check(fn)


def test_get_worker_info_main_process():
    assert tc.utils.data.get_worker_info() is None
    check(lambda m: list(m.utils.data.DataLoader(tensors(m, 2), collate_fn=lambda b: (
        m.utils.data.get_worker_info(), b[0][1]))))


def test_custom_collate_fn_and_batch_sampler():
    def fn(m):
        bs = m.utils.data.BatchSampler(m.utils.data.RandomSampler(range(9)), 4, False)
        loader = m.utils.data.DataLoader(tensors(m, 9), batch_sampler=bs,
                                         collate_fn=lambda b: [x[1].item() for x in b])
        return epochs(m, lambda m: loader), len(loader)
    check(fn, seed=17)


# ---- workers ------------------------------------------------------------------------------
# torch starts real worker processes; ours run in-process, seeded as torch seeds each worker.

def noisy(m):
    """A dataset whose samples draw from torch's, Python's and NumPy's global generators."""
    class Noisy(m.utils.data.Dataset):
        def __len__(self):
            return 11

        def __getitem__(self, i):
            info = m.utils.data.get_worker_info()
            return {"i": i, "t": m.rand(2), "py": random.random(), "np": np.random.rand(),
                    "worker": -1 if info is None else info.id,
                    "seed": 0 if info is None else info.seed % 1000}
    return Noisy()


@pytest.fixture
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize("num_workers,batch_size", [(1, 3), (2, 2), (3, None)])
def test_workers_batches_and_random_streams(quiet, num_workers, batch_size):
    check(lambda m: epochs(m, lambda m: m.utils.data.DataLoader(
        noisy(m), batch_size=batch_size, shuffle=True, num_workers=num_workers), n=2), seed=1)


def test_persistent_workers_keep_their_streams(quiet):
    check(lambda m: epochs(m, lambda m: m.utils.data.DataLoader(
        noisy(m), batch_size=4, num_workers=2, persistent_workers=True), n=3), seed=2)


def test_workers_draw_sampler_ahead(quiet):
    # torch sends prefetch_factor * num_workers index batches before the first one returns:
    # a with-replacement sampler's lazy draws interleave with the loop body's as in torch
    def fn(m):
        s = m.utils.data.RandomSampler(range(100), replacement=True, num_samples=200)
        loader = m.utils.data.DataLoader(tensors(m, 100), batch_size=16, sampler=s,
                                         num_workers=2, prefetch_factor=3)
        return [(b, m.rand(1)) for b in loader]
    check(fn, seed=4)


def test_iterable_workers_duplicate_and_shard(quiet):
    def init(worker_id):
        info = torch.utils.data.get_worker_info() or tc.utils.data.get_worker_info()
        ds = info.dataset
        per = -(-(ds.end - ds.start) // info.num_workers)
        ds.start = ds.start + info.id * per
        ds.end = min(ds.start + per, ds.end)

    def fn(m):
        d = m.utils.data
        dup = list(d.DataLoader(counter(m, 5, with_len=False), batch_size=2, num_workers=2))
        ds = counter(m, 7, with_len=False)
        shard = list(d.DataLoader(ds, batch_size=2, num_workers=3, worker_init_fn=init))
        return dup, shard, (ds.start, ds.end)    # the main process's copy is untouched
    check(fn)


def test_worker_errors(quiet):
    def boom(m, exc):
        class DS(m.utils.data.Dataset):
            def __len__(self):
                return 4

            def __getitem__(self, i):
                if i == 2:
                    raise exc("bad sample")
                return i
        return DS()

    for exc in (ValueError, KeyError, IndexError):
        e = raises_like(lambda m: list(m.utils.data.DataLoader(boom(m, exc), num_workers=2)),
                        exact=False)
        assert str(e).startswith(f"Caught {exc.__name__} in DataLoader worker process 0.")
        assert "bad sample" in str(e)

    def bad_init(m):
        def init(i):
            raise RuntimeError("no init")
        return list(m.utils.data.DataLoader(range(4), num_workers=2, worker_init_fn=init))
    e = raises_like(bad_init, exact=False)
    assert str(e).startswith("Caught RuntimeError in DataLoader worker process 0.")


def test_in_process_workers_warn_once():
    import torsh_compat.utils.data.dataloader as dl
    dl._warned_in_process = False
    with pytest.warns(UserWarning, match="inside the main process"):
        list(tc.utils.data.DataLoader(range(3), num_workers=1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(tc.utils.data.DataLoader(range(3), num_workers=1))


@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (2, 5, False),
                                                  (12, 4, True), (7, 2, False)])
@pytest.mark.parametrize("shuffle", [True, False])
def test_distributed_sampler(n, replicas, drop_last, shuffle):
    def fn(m):
        from importlib import import_module
        DS = import_module(f"{m.__name__}.utils.data.distributed").DistributedSampler
        out = []
        for rank in range(replicas):
            s = DS(range(n), num_replicas=replicas, rank=rank, shuffle=shuffle, seed=5,
                   drop_last=drop_last)
            for epoch in range(2):
                s.set_epoch(epoch)
                out.append((list(s), len(s), s.total_size))
        return out
    check(fn)
    raises_like(lambda m: m.utils.data.DistributedSampler(range(4), num_replicas=2, rank=2))
    raises_like(lambda m: m.utils.data.DistributedSampler(range(4), num_replicas=2, rank=-1))


def test_eager_samplers_draw_before_the_base_seed():
    # a sampler whose __iter__ draws at once (not a generator) is iterated before the base
    # seed is drawn when it is the index sampler, after it when wrapped in a BatchSampler
    def fn(m):
        class Eager(m.utils.data.Sampler):
            def __init__(self, n, size=None):
                self.n, self.size = n, size

            def __iter__(self):
                order = m.randperm(self.n).tolist()
                if self.size:
                    return iter([order[i:i + self.size] for i in range(0, self.n, self.size)])
                return iter(order)

            def __len__(self):
                return self.n
        d = m.utils.data
        return [epochs(m, lambda m: d.DataLoader(tensors(m, 9), batch_size=4,
                                                 sampler=Eager(9))),
                epochs(m, lambda m: d.DataLoader(tensors(m, 9), batch_sampler=Eager(9, 2))),
                epochs(m, lambda m: d.DataLoader(tensors(m, 9), batch_size=None,
                                                 sampler=Eager(9)))]
    check(fn, seed=23)


def test_workers_with_loader_generator(quiet):
    # the base seed, hence every worker's streams, comes from the loader's generator
    def fn(m):
        g = m.Generator().manual_seed(77)
        return epochs(m, lambda m: m.utils.data.DataLoader(
            noisy(m), batch_size=3, shuffle=True, num_workers=2, generator=g), n=2), \
            g.get_state()
    check(fn, seed=9)


def test_workers_collate_sees_worker_info(quiet):
    def fn(m):
        def collate(batch):
            info = m.utils.data.get_worker_info()
            return info.id, info.num_workers, m.utils.data.default_collate(batch)
        return list(m.utils.data.DataLoader(range(7), batch_size=2, num_workers=2,
                                            collate_fn=collate))
    check(fn)


def test_worker_init_fn_seeding_idiom_and_main_streams_untouched(quiet):
    # the common idiom np.random.seed(torch.initial_seed() % 2**32) in worker_init_fn, and the
    # main process's Python and NumPy streams unchanged by the workers' draws
    def fn(m):
        random.seed(0)
        np.random.seed(0)

        def init(worker_id):
            np.random.seed(m.initial_seed() % 2**32)
            random.seed(m.initial_seed() + worker_id)

        class DS(m.utils.data.Dataset):
            def __len__(self):
                return 6

            def __getitem__(self, i):
                return np.random.rand(2), random.random(), m.initial_seed() % 9973
        loader = m.utils.data.DataLoader(DS(), batch_size=2, num_workers=2,
                                         worker_init_fn=init)
        return epochs(m, lambda m: loader, n=2), random.random(), np.random.rand(), \
            m.initial_seed()
    check(fn, seed=31)
