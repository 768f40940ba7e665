"""torch.optim: the optimizers and the learning-rate schedulers. SGD and the base class load with
torsh_compat; every other optimizer file and lr_scheduler on first use (a lighter import)."""
from .optimizer import Optimizer
from .sgd import SGD
from .._missing import module_getattr, lazy_names

_FILES = {"_adafactor": "Adafactor", "adadelta": "Adadelta", "adagrad": "Adagrad", "adam": "Adam",
          "adamax": "Adamax", "adamw": "AdamW", "asgd": "ASGD", "lbfgs": "LBFGS", "nadam": "NAdam",
          "radam": "RAdam", "rmsprop": "RMSprop", "rprop": "Rprop"}
__getattr__, __dir__ = module_getattr("torch.optim", __name__, {"lr_scheduler": ".lr_scheduler", **lazy_names(_FILES)})
__all__ = ["ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam", "Optimizer", "RAdam",
           "RMSprop", "Rprop", "SGD", "lr_scheduler"]
