"""shapelint: a static shape and parameter-count linter for Keras and PyTorch model code."""

__version__ = "0.1.0"
