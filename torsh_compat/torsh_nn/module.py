"""The ToRSh face's Module: the guide's explicit interface over torch's nn.Module.

A subclass keeps its own `__init__` (calling `super().__init__()`) and is built with the inherited
`MyModel.new(...)`. Nothing is registered by assignment: what `parameters()` does not list does not
exist for optimizers, state_dict, save/load or `to()` (the guide's Pitfall 2). Everything else —
calling, hooks, state_dict/load_state_dict — is nn.Module's, fed from the explicit list.
"""
from ..autograd.grad_mode import no_grad
from ..nn.modules.module import Module as _TorchModule, ParameterCollection, _addindent

__all__ = ["Module", "ParameterCollection"]


def _attribute_modules(obj):
    """(name, module) for the modules held in `obj`'s attributes, directly or in lists, tuples and
    dicts (named `layers.0`, `layers.key` as PyTorch's containers name them)."""
    for name, value in vars(obj).items():
        if isinstance(value, _TorchModule):
            yield name, value
        elif isinstance(value, (list, tuple)):
            yield from ((f"{name}.{i}", v) for i, v in enumerate(value) if isinstance(v, _TorchModule))
        elif isinstance(value, dict):
            yield from ((f"{name}.{k}", v) for k, v in value.items() if isinstance(v, _TorchModule))


class Module(_TorchModule):
    """Explicit interface: forward(input), parameters() -> ParameterCollection, train(), eval(),
    is_training(), save(path)/load(path), state_dict()/load_state_dict(mapping)."""

    _torsh_face = True

    # plain attributes: no automatic registration of parameters, buffers or submodules
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__

    def forward(self, input):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(self, input)")

    def parameters(self):
        """The module's parameters; a subclass lists them (empty here, as in the guide)."""
        return ParameterCollection()

    def train(self, mode=True):
        """Training mode for this module and the modules held in its attributes. The guide's
        form takes no argument; `train(False)` is accepted for code written against torch."""
        if not mode:
            return self.eval()
        self.training = True
        for _, m in _attribute_modules(self):
            m.train()
        return self

    def eval(self):
        """Evaluation mode for this module and the modules held in its attributes."""
        self.training = False
        for _, m in _attribute_modules(self):
            m.eval()
        return self

    def is_training(self):
        return self.training

    # nn.Module's traversal, state_dict and loading read these: the explicit list, never __dict__
    def _collect(self, coll, prefix, recurse):
        coll.extend(self.parameters(), prefix[:-1])

    def _own_parameters(self):
        return self.parameters().items()

    def _own_buffers(self):
        return self.parameters().buffers()

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, t in self.parameters()._entries.items():
            destination[prefix + name] = t if keep_vars else t.detach()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        entries = self.parameters()._entries
        for name, t in entries.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if tuple(value.shape) != tuple(t.shape):
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {value.shape} "
                                  f"from checkpoint, the shape in current model is {t.shape}.")
                continue
            with no_grad():
                t.copy_(value)
        if strict:
            unexpected_keys.extend(k for k in state_dict
                                   if k.startswith(prefix) and k[len(prefix):] not in entries)

    def __repr__(self):
        # torch's layout, listing the layers held in attributes (nothing is registered)
        lines = [f"({name}): " + _addindent(repr(m), 2) for name, m in _attribute_modules(self)]
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n") + lines
        if not lines:
            return self._get_name() + "()"
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"

    def _apply(self, fn, recurse=True):
        coll = self.parameters()
        for t in coll._entries.values():
            with no_grad():
                applied = fn(t)
            if applied is not t:
                t.data = applied
            if t.grad is not None:
                with no_grad():
                    g = fn(t.grad)
                if g is not t.grad:
                    t.grad.data = g
        return self
