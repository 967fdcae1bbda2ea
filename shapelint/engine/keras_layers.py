"""Keras layer shape functions: importing this module registers them all.

Each submodule registers one family of layers with :func:`shapelint.engine.registry.register`.
The functions follow Keras 3 (``compute_output_shape`` and ``build``); where Keras 2 differed,
the function's docstring says so.
"""

from . import keras_attention  # noqa: F401
from . import keras_conv  # noqa: F401
from . import keras_core  # noqa: F401
from . import keras_merge  # noqa: F401
from . import keras_norm  # noqa: F401
from . import keras_pool  # noqa: F401
from . import keras_reshaping  # noqa: F401
from . import keras_rnn  # noqa: F401
