"""torsh_nn.serialization: save_model / load_model in safetensors, keyed like torch's state_dict.

A file written here loads into the PyTorch original with safetensors.torch.load_file +
load_state_dict, and a file written from PyTorch loads here. Whatever the path's extension (the guide
writes "model.json"), the content is safetensors. Both go through the base `Module.save`/`Module.load`,
never a method of the same name a model defines for itself.
"""
from ..nn.modules.module import Module as _TorchModule

__all__ = ["save_model", "load_model"]


def save_model(model, path):
    _TorchModule.save(model, path)


def load_model(model_class, path, *args, **kwargs):
    """`model_class.new(*args, **kwargs)` with the file's weights loaded into it."""
    model = model_class.new(*args, **kwargs)
    _TorchModule.load(model, path)
    return model
