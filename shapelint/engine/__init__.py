"""The shape engine: dimensions, the layer registry and per-framework shape functions."""
