"""SL201 parameter-explosion: one layer holds a surprising share of a model's parameters."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related
from ..engine.shapes import format_shape
from .base import FileFacts, Rule, shape_trace

DEFAULT_MIN_PARAMS = 10_000_000
DEFAULT_MIN_SHARE = 0.5


class ParameterExplosion(Rule):
    code = "SL201"
    name = "parameter-explosion"
    severity = "warning"
    summary = "One layer holds most of the model's parameters (typically a Dense after a Flatten of a large map)"

    def check(self, facts: FileFacts) -> Iterator[Diagnostic]:
        min_params = facts.settings.get("param-explosion-min-params", DEFAULT_MIN_PARAMS)
        min_share = facts.settings.get("param-explosion-min-share", DEFAULT_MIN_SHARE)
        nodes_by_layer = {}
        for node in facts.graph.nodes():
            if node.kind == "layer" and node.layer is not None:
                nodes_by_layer.setdefault(id(node.layer), node)
        seen = set()
        for model in facts.models:
            total = model.total_params
            if not total:
                continue
            for info, layer in zip(model.layers, model.extra.get("layer_objects", [])):
                if info.params is None or info.params < min_params or info.params < min_share * total:
                    continue
                if info.type in ("Sequential", "Functional"):
                    continue  # the nested model's own layers are judged in its own summary
                node = nodes_by_layer.get(id(layer))
                if node is None or id(layer) in seen:
                    continue
                seen.add(id(layer))
                yield self._diag(facts, node, info.params, total)

    def _diag(self, facts: FileFacts, node, params: int, total: int) -> Diagnostic:
        share = 100.0 * params / total
        msg = "%s holds %s parameters, %.0f%% of the model's %s" % (node.type, format(params, ","), share, format(total, ","))
        related = []
        if node.inputs:
            producer, index = node.inputs[0]
            shape = producer.outputs[index] if index < len(producer.outputs) else None
            msg += "; it receives %s from %s" % (format_shape(shape), producer.describe())
            related.append(Related(facts.path, producer.span, "%s produces %s" % (producer.describe(), format_shape(shape))))
            if producer.type.lower() in ("flatten", "view", "reshape"):
                pooling = "nn.AdaptiveAvgPool2d(1)" if node.framework == "torch" else "GlobalAveragePooling2D"
                msg += ". Global pooling (%s) or more downsampling before the flatten usually shrinks it by orders of magnitude" % pooling
        # reported where the layer is declared: that is where its size is chosen
        span = getattr(node.layer, "span", None) or node.span
        d = Diagnostic(self.code, self.severity, msg + ".", facts.path, span, related)
        d.trace, d.trace_truncated = shape_trace(facts.path, node, 0)
        return d


RULE = ParameterExplosion()
