"""Module-level __getattr__ for torch's namespaces: names that load on first use, and the
AttributeError for a torch name torsh_compat does not provide, so that torsh-run can name it ("this
program uses torch.stft ...") with the line that used it, while hasattr() still says False."""
import importlib
import sys


class MissingTorchName(AttributeError):
    def __init__(self, module, name):
        self.torch_name = f"{module}.{name}"
        super().__init__(f"module '{module}' has no attribute '{name}' (torsh_compat does not provide "
                         f"{self.torch_name} yet)", name=name)


def module_getattr(torch_name, package=None, lazy=None):
    """(__getattr__, __dir__) for a module. `lazy` maps a name to "submodule" or "submodule:attr"
    (relative to `package`), imported on first use and then cached in the module; other public
    names raise MissingTorchName. Lazy names keep `import torsh_compat` light."""
    lazy = lazy or {}

    def __getattr__(name):
        target = lazy.get(name)
        if target is not None:
            path, _, attr = target.partition(":")
            value = importlib.import_module(path, package)
            if attr:
                value = getattr(value, attr)
            sys.modules[package].__dict__[name] = value
            return value
        if name.startswith("_"):        # Python's own probes (__wrapped__, ...) get the plain error
            raise AttributeError(f"module '{torch_name}' has no attribute '{name}'")
        raise MissingTorchName(torch_name, name)

    def __dir__():
        return sorted(set(sys.modules[package].__dict__) | set(lazy))
    return __getattr__, __dir__


def lazy_names(families, submodule_of=lambda family: "." + family):
    """{name: "submodule:name"} from {family: "Name1 Name2 ..."}."""
    return {n: f"{submodule_of(f)}:{n}" for f, names in families.items() for n in names.split()}
