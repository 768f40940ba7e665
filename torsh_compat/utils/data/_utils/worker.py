"""Worker information and the in-process workers of DataLoader(num_workers > 0).

torsh_compat does not start worker processes: each worker is emulated in the main process
(see dataloader.py). A worker keeps what a torch worker process would own -- its copy of the
dataset, its fetcher, and its own random streams (torch's default generator, Python's
`random` and NumPy's global RandomState), seeded as torch seeds a worker -- and these are
swapped in around everything that runs "in" the worker, so datasets that draw random numbers
see the very numbers they would in torch's worker `id`.
"""
import copy
import dataclasses
import random
import traceback

import numpy as np

from .... import random as R

__all__ = ["WorkerInfo", "get_worker_info"]

_worker_info = None


@dataclasses.dataclass(frozen=True, slots=True)
class WorkerInfo:
    """Information about the current DataLoader worker (see get_worker_info)."""
    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str = "multiprocessing"


def get_worker_info():
    """The current worker's WorkerInfo (id, num_workers, seed, dataset) while DataLoader code
    runs in a worker; None in the main process."""
    return _worker_info


@dataclasses.dataclass(frozen=True)
class _IterableDatasetStopIteration:
    worker_id: int


def _generate_state(base_seed, worker_id):
    """The NumPy seed torch gives worker `worker_id`: four words of NumPy's SeedSequence hash
    of (worker_id, low and high 32 bits of base_seed, 0)."""
    entropy = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(entropy).generate_state(4).tolist()


class _KeyErrorMessage(str):
    """KeyError quotes its message through repr(); this keeps a multi-line message readable."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception raised in a worker, re-raised in the main process as torch does: same
    type, message 'Caught <Type> in DataLoader worker process <id>.' plus the traceback."""

    def __init__(self, exc, where):
        self.exc_type = type(exc)
        self.exc_msg = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


class _Worker:
    """One emulated worker process."""

    def __init__(self, kind, dataset, auto_collation, collate_fn, drop_last, base_seed,
                 init_fn, worker_id, num_workers):
        self.id = worker_id
        self.kind = kind
        self.args = (auto_collation, collate_fn, drop_last)
        seed = base_seed + worker_id
        # a forked worker holds its own copy of the dataset: attributes set in worker_init_fn
        # or __iter__ must not leak into the main process or into the other workers
        try:
            dataset = copy.copy(dataset)
        except Exception:
            pass
        self.dataset = dataset
        self.info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                               dataset=dataset)
        self.rng = None
        self.init_exception = None
        self.fetcher = None
        with self.running(fresh_seed=(seed, _generate_state(base_seed, worker_id))):
            try:
                if init_fn is not None:
                    init_fn(worker_id)
                self.fetcher = self._new_fetcher()
            except Exception as e:
                self.init_exception = ExceptionWrapper(
                    e, f"in DataLoader worker process {worker_id}")

    def _new_fetcher(self):
        from ..dataloader import _DatasetKind
        return _DatasetKind.create_fetcher(self.kind, self.dataset, *self.args)

    def running(self, fresh_seed=None):
        return _WorkerContext(self, fresh_seed)

    def resume(self):
        """A new epoch with persistent workers: a fresh fetcher, same random streams."""
        with self.running():
            self.fetcher = self._new_fetcher()

    def fetch(self, index):
        """What the worker sends back for one task: the data, an ExceptionWrapper, or the
        end-of-data marker of an iterable dataset."""
        if self.init_exception is not None:
            wrapped, self.init_exception = self.init_exception, None
            return wrapped
        from ..dataloader import _DatasetKind
        with self.running():
            try:
                return self.fetcher.fetch(index)
            except StopIteration as e:
                if self.kind == _DatasetKind.Iterable:
                    return _IterableDatasetStopIteration(self.id)
                return ExceptionWrapper(e, f"in DataLoader worker process {self.id}")
            except Exception as e:
                return ExceptionWrapper(e, f"in DataLoader worker process {self.id}")


class _WorkerContext:
    """Swap a worker's random streams and worker info in, and the main process's back out.

    torch.default_generator keeps its identity (code may hold it, e.g. random_split's default
    argument) but trades its engine: the Generator's attribute dict is the whole of its state,
    and exchanging dicts costs nothing where get/set_rng_state copy 5 KB each way. Python's
    and NumPy's global streams go through their own getstate/setstate."""

    def __init__(self, worker, fresh_seed):
        self.worker = worker
        self.fresh_seed = fresh_seed

    def __enter__(self):
        global _worker_info
        g = R.default_generator
        self.main = (g.__dict__, random.getstate(), np.random.get_state(), _worker_info)
        if self.fresh_seed is not None:
            seed, np_seed = self.fresh_seed
            random.seed(seed)
            g.__dict__ = R.Generator().manual_seed(seed).__dict__
            np.random.seed(np_seed)
        else:
            torch_state, py_state, np_state = self.worker.rng
            g.__dict__ = torch_state
            random.setstate(py_state)
            np.random.set_state(np_state)
        _worker_info = self.worker.info

    def __exit__(self, *exc):
        global _worker_info
        g = R.default_generator
        self.worker.rng = (g.__dict__, random.getstate(), np.random.get_state())
        g.__dict__, py_state, np_state, _worker_info = self.main
        random.setstate(py_state)
        np.random.set_state(np_state)
        return False
