"""nn.Module: registration of parameters, buffers and submodules by attribute assignment,
traversal, state_dict round trips, dtype/device moves, printing and hooks, as torch.nn.Module.

The registries are the dicts torch names (_parameters, _buffers, _modules, the hook dicts), kept in
the instance dict so that user code touching them works. Full backward hooks wrap the module's
tensor inputs and outputs in identity graph nodes (BackwardHookFunctionBackward, as torch names
them) whose backward runs the hooks.
"""
import collections
import collections.abc
import itertools
import warnings
import weakref

import numpy as np

from ... import _dtype as D
from ..._device import check_device, device as _device_cls
from ..._tensor import Tensor
from ...autograd.function import _OutputSlot
from ...autograd.grad_mode import _State, no_grad
from ...autograd.graph import Node, SAVE_NONE
from ..parameter import Parameter, Buffer

__all__ = ["Module"]

_EXTRA_STATE_KEY_SUFFIX = "_extra_state"


class _IncompatibleKeys(collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(s_, num_spaces):
    s = s_.split("\n")
    if len(s) == 1:
        return s_
    first = s.pop(0)
    s = [(num_spaces * " ") + line if line.strip() else "" for line in s]
    return first + "\n" + "\n".join(s)


def _typename(obj):
    """torch.typename: 'torch.FloatTensor' for tensors, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in ("", "builtins"):
        return qualname
    return f"{module}.{qualname}"


class RemovableHandle:
    """torch.utils.hooks.RemovableHandle: removes its hook (and the hook's flags) on remove()."""
    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if extra_dict is None:
            extra_dict = ()
        elif isinstance(extra_dict, dict):
            extra_dict = (extra_dict,)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict)

    def remove(self):
        for ref in (self.hooks_dict_ref,) + self.extra_dict_ref:
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _WrappedHook:
    def __init__(self, hook, module=None):
        self.hook = hook
        self.with_module = module is not None
        if module is not None:
            self.module = weakref.ref(module)

    def __call__(self, *args, **kwargs):
        if self.with_module:
            module = self.module()
            if module is None:
                raise RuntimeError("You are trying to call the hook of a dead Module!")
            return self.hook(module, *args, **kwargs)
        return self.hook(*args, **kwargs)


# ---- full backward hooks -------------------------------------------------------------------

class BackwardHookFunctionBackward(Node):
    """Identity over a module's tensor inputs (or outputs); its backward hands the gradients to
    a callback (the module's hooks), which may replace them. args = (callback,)."""
    __slots__ = ()
    save = SAVE_NONE

    def apply(self, g, tensor_mode):
        grads = g if isinstance(g, list) else [g]
        out = self.args[0](grads, self.inputs, tensor_mode)
        # A missing gradient towards a node flows on as zeros, as torch's materialised ones do
        # (the engine runs a node only once every edge it counted has delivered).
        for i, e in enumerate(self.next):
            if out[i] is None and isinstance(e, Node):
                z = np.zeros_like(self.inputs[i]._data)
                out[i] = Tensor._make(z) if tensor_mode else z
        return tuple(out)


# torch shows the one multi-output node as every output's grad_fn; here each output gets a slot
# node routing its gradient into the shared node, named as torch names the node
_HookSlot = type("BackwardHookFunctionBackward", (_OutputSlot,), {"__slots__": ()})


def _identity_node(tensors, callback):
    """New tensors sharing the data of `tensors`, all flowing through one hook node."""
    from ...ops.registry import _edge
    node = BackwardHookFunctionBackward(tuple(_edge(t) for t in tensors), tuple(tensors), None,
                                        (callback,))
    n = len(tensors)
    outs = []
    for i, t in enumerate(tensors):
        a = Tensor._make(t._data)
        a._vc = t._vc
        if t._rg:
            a._node = node if n == 1 else _HookSlot((node,), (None,), None, (i, n))
            a._rg = True
        outs.append(a)
    return outs


def _as_tensor_grad(g):
    """A gradient as hooks see it: a Tensor (or None)."""
    if g is None or isinstance(g, Tensor):
        return g
    return Tensor._make(np.asarray(g))


def _as_engine_grad(g, tensor_mode):
    """A gradient as the engine carries it: Tensors under create_graph, else arrays."""
    if g is None:
        return None
    if tensor_mode:
        return _as_tensor_grad(g)
    return g._data if isinstance(g, Tensor) else g


class _BackwardHook:
    """One forward call's link between output gradients and input gradients (torch.utils.hooks.
    BackwardHook): the output node records grad_output and runs the pre-hooks; the input node
    then calls the full hooks with (module, grad_input, grad_output)."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = -1
        self.input_index = self.output_index = None

    def _wrap(self, args, callback):
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in index]
        if not (_State.enabled and any(t._rg for t in tensors)):
            return args, None
        new = list(args)
        for i, t in zip(index, _identity_node(tensors, callback)):
            new[i] = t
        return (tuple(new) if type(args) is tuple else type(args)(*new)), index

    def _pack(self, index, values, size):
        res = [None] * size
        for i, v in zip(index, values):
            res[i] = v
        return tuple(res)

    def setup_input_hook(self, args):
        res, index = self._wrap(args, self._on_input_grads)
        self.n_inputs = len(args)
        self.input_index = index
        return res

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        args = (result,) if single else result
        res, index = self._wrap(args, self._on_output_grads)
        self.n_outputs = len(args)
        self.output_index = index
        return res[0] if single else res

    def _on_output_grads(self, grads, tensors, tensor_mode):
        self.grad_outputs = self._pack(self.output_index,
                                       [_as_tensor_grad(g) for g in grads], self.n_outputs)
        expected = len(self.grad_outputs)
        for hook in self.pre_hooks:
            out = hook(self.module, self.grad_outputs)
            if out is None:
                continue
            if len(out) != expected:
                raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(out)}, but expected {expected}")
            self.grad_outputs = out
        local = self.grad_outputs
        if self.input_index is None:
            warnings.warn("Full backward hook is firing when gradients are computed with respect to "
                          "module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=5)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient "
                                       "should always return None or None for all gradients.")
            self.grad_outputs = None
        return [_as_engine_grad(local[i], tensor_mode) for i in self.output_index]

    def _on_input_grads(self, grads, tensors, tensor_mode):
        if self.grad_outputs is None:
            return grads
        # torch materialises the gradients that did not arrive as zeros
        values = []
        for g, t in zip(grads, tensors):
            if g is None:
                g = np.zeros_like(t._data)
            values.append(_as_tensor_grad(g))
        res = self._pack(self.input_index, values, self.n_inputs)
        for hook in self.hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                                   f"{len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return [_as_engine_grad(res[i], tensor_mode) for i in self.input_index]


def _non_full_hook(module, hook):
    """A grad_fn post-hook calling a legacy register_backward_hook hook with Tensors."""
    def run(grad_inputs, grad_outputs):
        def wrap(gs):
            return tuple(_as_tensor_grad(g) for g in (gs if isinstance(gs, (tuple, list)) else (gs,)))
        hook(module, wrap(grad_inputs), wrap(grad_outputs))
    return run


def _forward_unimplemented(self, *input):
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


# ---- the ToRSh face's ParameterCollection --------------------------------------------------

class ParameterCollection:
    """Named parameters (and buffers) of a module, as the ToRSh face's `parameters()` returns them.

    Iteration yields each distinct Parameter once, in torch's order, and the collection is also its
    own iterator (`next(model.parameters())`), so it stands wherever torch's generator did.
    `items()`/`names()` keep every parameter name (tied weights under each), `state_dict()` adds the
    buffers (BatchNorm running statistics) in torch's state_dict order.

    A module's collection is filled on first use of its names; until then iteration streams from the
    module's parameter generator, so `for p in model.parameters()` costs what torch's does.
    """
    __slots__ = ("_filled", "_buffer_names", "_cursor", "_module", "_recurse")

    def __init__(self):
        self._filled = {}           # name -> tensor, parameters and buffers in state_dict order
        self._buffer_names = set()
        self._cursor = None
        self._module = None

    @classmethod
    def new(cls):
        return cls()

    @classmethod
    def _of(cls, module, recurse):
        coll = cls()
        coll._filled = None
        coll._module, coll._recurse = module, recurse
        return coll

    @property
    def _entries(self):
        if self._filled is None:
            self._filled = {}
            self._module._collect(self, "", self._recurse)
        return self._filled

    def _stream(self):
        """The distinct parameters in order, without filling the collection when it is lazy."""
        if self._filled is None:
            return (p for _, p in self._module.named_parameters(recurse=self._recurse))
        return iter(self._distinct())

    def _add(self, name, tensor, buffer):
        self._filled[name] = tensor
        if buffer:
            self._buffer_names.add(name)
        else:
            self._buffer_names.discard(name)

    def insert(self, name, param):
        """Add one parameter under `name` (a dotted path when it belongs to a sub-layer)."""
        if not isinstance(param, Tensor):
            raise TypeError(f"ParameterCollection.insert(): '{name}' must be a Tensor or Parameter, "
                            f"got {_typename(param)}")
        self._add(name, param, False)

    def insert_buffer(self, name, tensor):
        """Add one buffer (state saved with the parameters but never optimised)."""
        if not isinstance(tensor, Tensor):
            raise TypeError(f"ParameterCollection.insert_buffer(): '{name}' must be a Tensor, got "
                            f"{_typename(tensor)}")
        self._add(name, tensor, True)

    def extend(self, other, prefix=None):
        """Add every entry of `other` (a ParameterCollection, or a mapping name -> tensor), each
        under `prefix.name` when a prefix is given. A name already holding another tensor is an
        error: without prefixes two layers' `weight` would collide."""
        if isinstance(other, ParameterCollection):
            entries, buffers = other._entries.items(), other._buffer_names
        elif isinstance(other, collections.abc.Mapping):
            entries, buffers = other.items(), ()
        else:
            raise TypeError(f"ParameterCollection.extend() expects a ParameterCollection, got "
                            f"{_typename(other)}")
        lead = prefix + "." if prefix else ""
        for name, t in entries:
            key = lead + name
            old = self._entries.get(key)
            if old is not None and old is not t:
                from ...torsh_core.error import TorshError
                raise TorshError.InvalidArgument(
                    f"ParameterCollection.extend(): the name '{key}' is already taken by another "
                    f"tensor; pass a prefix, e.g. params.extend(self.fc1.parameters(), \"fc1\")")
            self._add(key, t, name in buffers)

    def get(self, name):
        """The live parameter or buffer named `name`, or None."""
        return self._entries.get(name)

    def __getitem__(self, name):
        return self._entries[name]

    def __contains__(self, name):
        return name in self._entries

    def items(self):
        """(name, parameter) pairs, every name kept."""
        return [(k, v) for k, v in self._entries.items() if k not in self._buffer_names]

    def names(self):
        return [k for k in self._entries if k not in self._buffer_names]

    def buffers(self):
        """(name, buffer) pairs."""
        return [(k, v) for k, v in self._entries.items() if k in self._buffer_names]

    def state_dict(self):
        """Parameters and buffers, detached, in state_dict order."""
        return collections.OrderedDict((k, v.detach()) for k, v in self._entries.items())

    def _distinct(self):
        seen = set()
        out = []
        for k, v in self._entries.items():
            if k not in self._buffer_names and id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    def __iter__(self):
        return self._stream()

    def __next__(self):
        if self._cursor is None:
            self._cursor = self._stream()
        return next(self._cursor)

    # no __len__: as torch's generator, the collection is always true and list() needs no length
    def len(self):
        """The number of distinct parameters (what iteration yields)."""
        return len(self._distinct())

    def is_empty(self):
        return not self._distinct()

    def __repr__(self):
        body = ", ".join(f"{k}: {list(v.shape)}" for k, v in self._entries.items())
        return f"ParameterCollection({body})"


class _ParameterNew:
    """`Parameter.new(x, True)` on the class is the ToRSh face's constructor; `p.new(...)` on an
    instance stays torch's legacy Tensor.new."""

    def __get__(self, obj, cls):
        if obj is None:
            def new(data, requires_grad=True):
                return cls(data, requires_grad)
            return new
        return Tensor.new.__get__(obj, type(obj))


Parameter.new = _ParameterNew()


# ---- Module --------------------------------------------------------------------------------

class Module:
    """Base class of every layer and model, with torch.nn.Module's semantics."""

    dump_patches = False
    _version = 1
    training: bool
    call_super_init = False
    _compiled_call_impl = None
    # A ToRSh-face module (torsh_nn.Module) lists its state explicitly in parameters(); a torch
    # parent takes a face child's parameters and buffers from there and calls its train()/eval()
    # without a mode argument.
    _torsh_face = False

    @classmethod
    def new(cls, *args, **kwargs):
        """The ToRSh face's constructor: `Linear.new(128, 64, True)` is `Linear(128, 64, True)`."""
        return cls(*args, **kwargs)

    def __init__(self, *args, **kwargs):
        if self.call_super_init is False and kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if self.call_super_init is False and args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but "
                            f"{len(args) + 1} were given")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_backward_pre_hooks"] = collections.OrderedDict()
        d["_backward_hooks"] = collections.OrderedDict()
        d["_is_full_backward_hook"] = None
        d["_forward_hooks"] = collections.OrderedDict()
        d["_forward_hooks_with_kwargs"] = collections.OrderedDict()
        d["_forward_hooks_always_called"] = collections.OrderedDict()
        d["_forward_pre_hooks"] = collections.OrderedDict()
        d["_forward_pre_hooks_with_kwargs"] = collections.OrderedDict()
        d["_state_dict_hooks"] = collections.OrderedDict()
        d["_state_dict_pre_hooks"] = collections.OrderedDict()
        d["_load_state_dict_pre_hooks"] = collections.OrderedDict()
        d["_load_state_dict_post_hooks"] = collections.OrderedDict()
        d["_modules"] = {}
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    forward = _forward_unimplemented

    # ---- registration --------------------------------------------------------------------
    def register_buffer(self, name, tensor, persistent=True):
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"buffer name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('buffer name can\'t contain "."')
        if name == "":
            raise KeyError('buffer name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"parameter name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('parameter name can\'t contain "."')
        if name == "":
            raise KeyError('parameter name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            self._parameters[name] = None
        elif not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        elif param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters "
                             f"must be created explicitly. To express '{name}' as a function of "
                             "another Tensor, compute the value in the forward() method.")
        else:
            self._parameters[name] = param

    def add_module(self, name, module):
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    def register_module(self, name, module):
        self.add_module(name, module)

    def get_submodule(self, target):
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + " has no attribute `" + item + "`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return mod

    def set_submodule(self, target, module, strict=False):
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        atoms = target.split(".")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent = self if len(atoms) == 1 else self.get_submodule(".".join(atoms[:-1]))
        if strict and not hasattr(parent, atoms[-1]):
            raise AttributeError(parent._get_name() + " has no attribute `" + atoms[-1] + "`")
        if hasattr(parent, atoms[-1]):
            if not isinstance(getattr(parent, atoms[-1]), Module):
                raise AttributeError("`" + atoms[-1] + "` is not an nn.Module")
        setattr(parent, atoms[-1], module)

    def get_parameter(self, target):
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target):
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        buf = getattr(mod, name)
        if name not in mod._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return buf

    def get_extra_state(self):
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be "
                           "called.")

    def set_extra_state(self, state):
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be "
                           "called.")

    # ---- attribute protocol ----------------------------------------------------------------
    def __getattr__(self, name):
        d = self.__dict__
        if "_parameters" in d:
            params = d["_parameters"]
            if name in params:
                return params[name]
        if "_buffers" in d:
            buffers = d["_buffers"]
            if name in buffers:
                return buffers[name]
        if "_modules" in d:
            modules = d["_modules"]
            if name in modules:
                return modules[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            _remove_from(name, d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        else:
            modules = d.get("_modules")
            if isinstance(value, Module):
                if modules is None:
                    raise AttributeError("cannot assign module before Module.__init__() call")
                _remove_from(name, d, self._parameters, self._buffers, self._non_persistent_buffers_set)
                modules[name] = value
            elif modules is not None and name in modules:
                if value is not None:
                    raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                    "(torch.nn.Module or None expected)")
                modules[name] = value
            else:
                buffers = d.get("_buffers")
                if isinstance(value, Buffer) or buffers is not None and name in buffers:
                    if value is not None and not isinstance(value, Tensor):
                        raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                        "(torch.nn.Buffer, torch.Tensor or None expected)")
                    if isinstance(value, Buffer):
                        persistent = value.persistent
                    else:
                        persistent = name not in self._non_persistent_buffers_set
                    self.register_buffer(name, value, persistent)
                else:
                    object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = (dir(self.__class__) + list(self.__dict__) + list(self._parameters)
                + list(self._modules) + list(self._buffers))
        return sorted(k for k in keys if not k[0].isdigit())

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_compiled_call_impl", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks_with_kwargs",
                     "_forward_hooks_always_called", "_state_dict_hooks", "_state_dict_pre_hooks",
                     "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks", "_backward_pre_hooks"):
            if name not in self.__dict__:
                self.__dict__[name] = collections.OrderedDict()
        self.__dict__.setdefault("_non_persistent_buffers_set", set())
        self.__dict__.setdefault("_is_full_backward_hook", None)

    # ---- traversal --------------------------------------------------------------------------
    def _named_members(self, get_members_fn, prefix="", recurse=True, remove_duplicate=True):
        memo = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for k, v in get_members_fn(module):
                if v is None or v in memo:
                    continue
                if remove_duplicate:
                    memo.add(v)
                yield (module_prefix + ("." if module_prefix else "") + k), v

    def parameters(self, recurse=True):
        """A ParameterCollection: iterates as torch's generator does (each distinct parameter
        once), and carries names and buffers for the ToRSh face."""
        return ParameterCollection._of(self, recurse)

    def _collect(self, coll, prefix, recurse):
        for name, p in self._parameters.items():
            if p is not None:
                coll._add(prefix + name, p, False)
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                coll._add(prefix + name, b, True)
        if recurse:
            for name, m in self._modules.items():
                if m is not None:
                    m._collect(coll, prefix + name + ".", True)

    def _own_parameters(self):
        return self._parameters.items()

    def _own_buffers(self):
        return self._buffers.items()

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members(lambda m: m._own_parameters(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def buffers(self, recurse=True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members(lambda m: m._own_buffers(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_children(self):
        memo = set()
        for name, module in self._modules.items():
            if module is not None and module not in memo:
                memo.add(module)
                yield name, module

    def modules(self, remove_duplicate=True):
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        if memo is None:
            memo = set()
        if self not in memo:
            if remove_duplicate:
                memo.add(self)
            yield prefix, self
            for name, module in self._modules.items():
                if module is None:
                    continue
                sub = prefix + ("." if prefix else "") + name
                yield from module.named_modules(memo, sub, remove_duplicate)

    # ---- modes and gradients ----------------------------------------------------------------
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            if module._torsh_face:
                module.train() if mode else module.eval()
            else:
                module.train(mode)
        return self

    def is_training(self):
        """The ToRSh face's spelling of `self.training`."""
        return self.training

    def save(self, path):
        """state_dict() to a safetensors file (the ToRSh face's `model.save(path)`)."""
        from ...utils.safetensors import save_file
        save_file(dict(Module.state_dict(self)), path)

    def load(self, path):
        """A safetensors file (from either face, or from safetensors.torch) into this module."""
        from ...utils.safetensors import load_file
        return Module.load_state_dict(self, load_file(path))

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def share_memory(self):
        return self._apply(lambda t: t.share_memory_())

    def apply(self, fn):
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- dtype and device -------------------------------------------------------------------
    def _apply(self, fn, recurse=True):
        """fn on every parameter, gradient and buffer. Parameters keep their identity (their
        data is replaced, as torch's set_data), so optimizers holding them stay valid."""
        if recurse:
            for module in self.children():
                module._apply(fn)
        for key, param in self._parameters.items():
            if param is None:
                continue
            with no_grad():
                applied = fn(param)
            if applied is not param:
                param.data = applied
            grad = param.grad
            if grad is not None:
                with no_grad():
                    g = fn(grad)
                if g is not grad:
                    grad.data = g
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def cuda(self, device=None):
        return self._apply(lambda t: t.cuda(device))

    def ipu(self, device=None):
        return self._apply(lambda t: check_device("ipu"))

    def xpu(self, device=None):
        return self._apply(lambda t: check_device("xpu"))

    def mtia(self, device=None):
        return self._apply(lambda t: check_device("mtia"))

    def cpu(self):
        return self._apply(lambda t: t.cpu())

    def type(self, dst_type):
        return self._apply(lambda t: t.type(dst_type))

    def float(self):
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)

    def to_empty(self, *, device, recurse=True):
        check_device(device)
        return self._apply(lambda t: Tensor._make(np.empty_like(t._data)), recurse=recurse)

    def to(self, *args, **kwargs):
        dev, dtype = _parse_to(args, kwargs)
        if dtype is not None:
            if not (dtype.is_floating_point or dtype.is_complex):
                raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got "
                                f"desired dtype={dtype}")
            if dtype.is_complex:
                warnings.warn("Complex modules are a new feature under active development whose design "
                              "may change, and some modules might not work as expected when using "
                              "complex tensors as parameters or buffers.", stacklevel=2)
        if dev is not None:
            check_device(dev)

        def convert(t):
            if dtype is not None and (t.is_floating_point() or t.is_complex()):
                return t.to(dtype=dtype)
            return t

        return self._apply(convert)

    # ---- hooks -----------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        handle = RemovableHandle(self._forward_pre_hooks, extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        handle = RemovableHandle(self._forward_hooks, extra_dict=[self._forward_hooks_with_kwargs,
                                                                  self._forward_hooks_always_called])
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a "
                               "single Module. Please use only one of them.")
        self._is_full_backward_hook = True
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_backward_hook(self, hook):
        if self._is_full_backward_hook is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a "
                               "single Module. Please use only one of them.")
        self._is_full_backward_hook = False
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    def _get_backward_hooks(self):
        hooks = list(self._backward_hooks.values())
        if self._is_full_backward_hook is True:
            return hooks, []
        if self._is_full_backward_hook is False:
            return [], hooks
        return [], []

    def _get_backward_pre_hooks(self):
        return list(self._backward_pre_hooks.values())

    def register_state_dict_pre_hook(self, hook):
        handle = RemovableHandle(self._state_dict_pre_hooks)
        self._state_dict_pre_hooks[handle.id] = hook
        return handle

    def _register_state_dict_hook(self, hook):
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError("Cannot register the same function as the state dict post hook that "
                               "was previously registered via register_state_dict_post_hook")
        handle = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[handle.id] = hook
        return handle

    def register_state_dict_post_hook(self, hook):
        hook._from_public_api = True
        handle = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[handle.id] = hook
        return handle

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        handle = RemovableHandle(self._load_state_dict_pre_hooks)
        self._load_state_dict_pre_hooks[handle.id] = _WrappedHook(hook, self if with_module else None)
        return handle

    def register_load_state_dict_pre_hook(self, hook):
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook):
        handle = RemovableHandle(self._load_state_dict_post_hooks)
        self._load_state_dict_post_hooks[handle.id] = hook
        return handle

    # ---- calling ----------------------------------------------------------------------------
    def _call_impl(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            return self.forward(*args, **kwargs)
        called_always = set()
        result = None
        try:
            full_hooks, legacy_hooks = self._get_backward_hooks() if self._backward_hooks else ([], [])
            pre_bw_hooks = self._get_backward_pre_hooks() if self._backward_pre_hooks else []
            for hook_id, hook in list(self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    out = hook(self, args, kwargs)
                    if out is not None:
                        if isinstance(out, tuple) and len(out) == 2:
                            args, kwargs = out
                        else:
                            raise RuntimeError("forward pre-hook must return None or a tuple of "
                                               f"(new_args, new_kwargs), but got {out}.")
                else:
                    out = hook(self, args)
                    if out is not None:
                        args = out if isinstance(out, tuple) else (out,)
            bw_hook = None
            if full_hooks or pre_bw_hooks:
                bw_hook = _BackwardHook(self, full_hooks, pre_bw_hooks)
                args = bw_hook.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called:
                    called_always.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs:
                    out = hook(self, args, kwargs, result)
                else:
                    out = hook(self, args, result)
                if out is not None:
                    result = out
            if bw_hook is not None:
                if not isinstance(result, (Tensor, tuple)):
                    warnings.warn("For backward hooks to be called, module output should be a Tensor "
                                  f"or a tuple of Tensors but received {type(result)}", stacklevel=2)
                result = bw_hook.setup_output_hook(result)
            if legacy_hooks:
                var = result
                while not isinstance(var, Tensor):
                    var = next(v for v in var.values() if isinstance(v, Tensor)) \
                        if isinstance(var, dict) else var[0]
                grad_fn = var.grad_fn
                if grad_fn is not None:
                    for hook in legacy_hooks:
                        grad_fn.register_hook(_non_full_hook(self, hook))
            return result
        except Exception:
            for hook_id, hook in self._forward_hooks.items():
                if hook_id in self._forward_hooks_always_called and hook_id not in called_always:
                    try:
                        if hook_id in self._forward_hooks_with_kwargs:
                            out = hook(self, args, kwargs, result)
                        else:
                            out = hook(self, args, result)
                        if out is not None:
                            result = out
                    except Exception as e:
                        warnings.warn("module forward hook with ``always_call=True`` raised an "
                                      f"exception that was silenced as another error was raised in "
                                      f"forward: {e}", stacklevel=2)
            raise

    __call__ = _call_impl

    # ---- state_dict -------------------------------------------------------------------------
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        if args:
            warnings.warn("Positional args are being deprecated, use kwargs instead. Refer to "
                          "https://pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.state_dict for details.", FutureWarning, stacklevel=2)
            if destination is None:
                destination = args[0]
            if len(args) > 1 and prefix == "":
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
        if destination is None:
            destination = collections.OrderedDict()
            destination._metadata = collections.OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            result = hook(self, destination, prefix, local_metadata)
            if not getattr(hook, "_from_public_api", False):
                if result is not None:
                    destination = result
            elif result is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        persistent = {k: v for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set}
        local_state = {k: v for k, v in itertools.chain(self._parameters.items(), persistent.items())
                       if v is not None}
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            input_param = state_dict[key]
            if not isinstance(input_param, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor '
                                  f"or Tensor-like object from checkpoint but received {type(input_param)}")
                continue
            if param.ndim == 0 and input_param.ndim == 1 and input_param.shape[0] == 1:
                input_param = input_param[0]
            if input_param.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape "
                                  f"{input_param.shape} from checkpoint, the shape in current model is "
                                  f"{param.shape}.")
                continue
            try:
                with no_grad():
                    if assign:
                        if isinstance(param, Parameter):
                            if not isinstance(input_param, Parameter):
                                input_param = Parameter(input_param, requires_grad=param.requires_grad)
                            else:
                                input_param.requires_grad_(param.requires_grad)
                        setattr(self, name, input_param)
                    else:
                        param.copy_(input_param)
            except Exception as ex:
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the '
                                  f"model are {param.size()} and whose dimensions in the checkpoint "
                                  f"are {input_param.size()}, an exception occurred : {ex.args}.")
        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra_key:
                    input_name = key[len(prefix):].split(".", 1)
                    if len(input_name) > 1:
                        if input_name[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif input_name[0] not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys, unexpected_keys, error_msgs = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = collections.OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata

        def load(module, local_state_dict, prefix=""):
            local_metadata = {} if metadata is None else metadata.get(prefix[:-1], {})
            if assign:
                local_metadata["assign_to_params_buffers"] = assign
            module._load_from_state_dict(local_state_dict, prefix, local_metadata, True, missing_keys,
                                         unexpected_keys, error_msgs)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_state = {k: v for k, v in local_state_dict.items() if k.startswith(child_prefix)}
                    load(child, child_state, child_prefix)
            incompatible = _IncompatibleKeys(missing_keys, unexpected_keys)
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, incompatible) is not None:
                    raise AssertionError("Hooks registered with ``register_load_state_dict_post_hook`` "
                                         "are not expected to return new values, if incompatible_keys "
                                         "need to be modified, it should be done inplace.")

        load(self, state_dict)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                self.__class__.__name__, "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # ---- printing ---------------------------------------------------------------------------
    def _get_name(self):
        return self.__class__.__name__

    def extra_repr(self):
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = ["(" + key + "): " + _addindent(repr(module), 2)
                       for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

    def compile(self, *args, **kwargs):
        """torch.compile is the identity here: the module runs as it is."""


def _remove_from(name, *dicts_or_sets):
    for d in dicts_or_sets:
        if name in d:
            if isinstance(d, dict):
                del d[name]
            else:
                d.discard(name)


def _parse_to(args, kwargs):
    """(device, dtype) from Module.to's call forms: to(device), to(dtype), to(tensor),
    to(device, dtype), with non_blocking / copy / memory_format accepted and ignored."""
    dev = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    for k in ("non_blocking", "memory_format", "copy"):
        kwargs.pop(k, None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments - got unexpected keyword "
                        f"argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, (str, _device_cls)) or (isinstance(a, int) and not isinstance(a, bool)):
            dev = a
        elif isinstance(a, bool) or a is None:
            continue
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"({type(a).__name__})")
    return dev, dtype
