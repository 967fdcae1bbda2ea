"""Keras layer shape functions: importing this module registers them all.

Each submodule registers one family of layers with :func:`shapelint.engine.registry.register`.
The functions follow Keras 3 (``compute_output_shape`` and ``build``); where Keras 2 differed,
the function's docstring says so.
"""

import importlib

FAMILIES = (
    "keras_core",
    "keras_conv",
    "keras_pool",
    "keras_reshaping",
    "keras_norm",
    "keras_merge",
    "keras_rnn",
    "keras_attention",
)

for _name in FAMILIES:
    try:
        importlib.import_module("%s.%s" % (__package__, _name))
    except ModuleNotFoundError as _exc:  # TEMPORARY while families are being written
        if _exc.name != "%s.%s" % (__package__, _name):
            raise
