"""PyTorch ``nn`` module shape functions: importing this module registers them all.

Each submodule registers one family with ``register("torch", ...)``; the signature of each
is the positional order of the module's constructor.  ``torch_rnn`` (recurrent modules)
is loaded when present.
"""

from . import torch_conv  # noqa: F401
from . import torch_core  # noqa: F401
from . import torch_norm  # noqa: F401
from . import torch_reshaping  # noqa: F401

import importlib

try:
    # (``from . import torch_rnn`` would turn a missing module into a plain ImportError)
    importlib.import_module(__package__ + ".torch_rnn")
except ModuleNotFoundError as e:
    if e.name != __package__ + ".torch_rnn":
        raise
