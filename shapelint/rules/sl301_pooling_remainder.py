"""SL301 pooling-remainder: a 'valid' pooling window drops the last rows or columns of a map."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic
from ..engine.registry import LayerCall, Options, Unresolved, lookup
from ..engine.shapes import format_shape, known
from .base import FileFacts, Rule, shape_trace

POOLS = {
    "MaxPooling1D": 1, "AveragePooling1D": 1,
    "MaxPooling2D": 2, "AveragePooling2D": 2,
    "MaxPooling3D": 3, "AveragePooling3D": 3,
}


class PoolingRemainder(Rule):
    code = "SL301"
    name = "pooling-remainder"
    severity = "info"
    summary = "A 'valid' pooling window does not tile the map, so the last rows or columns are dropped"
    default_enabled = False

    def check(self, facts: FileFacts) -> Iterator[Diagnostic]:
        options = Options(image_data_format=facts.settings.get("image-data-format", "channels_last"))
        for node in facts.graph.nodes():
            n = POOLS.get(node.type)
            if n is None or node.kind != "layer" or node.layer is None or not node.input_shapes:
                continue
            shape = node.input_shapes[0]
            if shape is None or len(shape) != n + 2:
                continue
            ldef = lookup(node.layer.framework, node.type)
            call = LayerCall(node.layer, node.input_shapes, options, ldef)
            try:
                pool = call.ints("pool_size", n, 2)
                strides_v = call.get("strides", None)
                strides = pool if strides_v is None else call.ints("strides", n)
                padding = call.str("padding", "valid")
                fmt = call.data_format()
            except Unresolved:
                continue
            if padding != "valid" or min(pool + strides) <= 0:  # a zero stride is not a pooling layer
                continue
            spatial = shape[2:] if fmt == "channels_first" else shape[1:-1]
            lost = []
            for size, p, s in zip(spatial, pool, strides):
                if known(size) and size >= p and (size - p) % s:
                    lost.append((size, (size - p) % s))
            if lost:
                size, r = lost[0]
                d = Diagnostic(
                    self.code, self.severity,
                    "%s with pool %s and strides %s on %s drops the last %d of %d positions along an axis; "
                    "padding='same' or an input size divisible by the stride keeps them."
                    % (node.type, pool, strides, format_shape(shape), r, size),
                    facts.path, node.span,
                )
                d.trace, d.trace_truncated = shape_trace(facts.path, node, 0)
                yield d


RULE = PoolingRemainder()
