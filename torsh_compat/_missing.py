"""The AttributeError for a torch name that torsh_compat does not provide, so that torsh-run can name
it ("this program uses torch.stft ...") with the line that used it, and hasattr() still says False."""


class MissingTorchName(AttributeError):
    def __init__(self, module, name):
        self.torch_name = f"{module}.{name}"
        super().__init__(f"module '{module}' has no attribute '{name}' (torsh_compat does not provide "
                         f"{self.torch_name} yet)", name=name)


def module_getattr(module):
    """A module-level __getattr__ raising MissingTorchName for public names of torch.<module>."""
    def __getattr__(name):
        if name.startswith("_"):        # Python's own probes (__wrapped__, ...) get the plain error
            raise AttributeError(f"module '{module}' has no attribute '{name}'")
        raise MissingTorchName(module, name)
    return __getattr__
