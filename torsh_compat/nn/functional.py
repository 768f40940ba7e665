"""torch.nn.functional: gathered from the families in nn/_functional (one file each)."""
from ._functional.activation import *  # noqa: F401,F403
from ._functional.loss import *  # noqa: F401,F403
from ._functional.dropout import *  # noqa: F401,F403
from ._functional.linear import *  # noqa: F401,F403
from ._functional.sparse import *  # noqa: F401,F403
from ._functional.conv import *  # noqa: F401,F403
from ._functional.pooling import *  # noqa: F401,F403
from ._functional.norm import *  # noqa: F401,F403
from ._functional.attention import *  # noqa: F401,F403
from ._functional.padding import *  # noqa: F401,F403
from ._functional.vision import *  # noqa: F401,F403
from ._functional.fold import *  # noqa: F401,F403
from .._missing import module_getattr  # noqa: E402
__getattr__, __dir__ = module_getattr("torch.nn.functional", __name__)
