"""Rule base classes and the facts rules look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List

from ..diagnostics import Diagnostic, Related
from ..engine.shapes import format_shape
from ..graph import CallNode, LayerGraph, ModelInfo

DOCS_URL = "https://github.com/shapelint/shapelint/blob/main/rules/{code}-{name}.md"


@dataclass
class FileFacts:
    """What the front-ends found in one file."""

    path: str
    graph: LayerGraph
    models: List[ModelInfo] = field(default_factory=list)
    settings: Dict[str, Any] = field(default_factory=dict)


class Rule:
    code = ""
    name = ""
    severity = "error"
    summary = ""
    default_enabled = True
    always_on = False  # file-level problems (syntax errors) cannot be deselected

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code, name=self.name)

    def check(self, facts: FileFacts) -> Iterator[Diagnostic]:
        return iter(())

    def diagnostic(self, facts: FileFacts, node: CallNode, message: str, related=()) -> Diagnostic:
        return Diagnostic(self.code, self.severity, message, facts.path, node.span, list(related))


def output_shape_of(node: CallNode, index: int):
    return node.outputs[index] if index < len(node.outputs) else None


def issue_message(node: CallNode) -> str:
    """The engine's message, with the producers of the offending input(s) named."""
    issue = node.issue
    msg = issue.message.rstrip(".")
    if node.inputs:
        if issue.input_index is not None and issue.input_index < len(node.inputs):
            msg += " from " + node.inputs[issue.input_index][0].describe()
        elif len(node.inputs) == 1:
            msg += " from " + node.inputs[0][0].describe()
        else:
            msg += " (inputs: %s)" % ", ".join(
                "%s from %s" % (format_shape(node.input_shapes[i]) if i < len(node.input_shapes) else "(?)", p.describe())
                for i, (p, _) in enumerate(node.inputs)
            )
    msg += "."
    if issue.hint:
        msg += " " + issue.hint.rstrip(".") + "."
    return msg


def producer_related(facts: FileFacts, node: CallNode) -> List[Related]:
    out = []
    for p, index in node.inputs:
        out.append(
            Related(facts.path, p.span, "%s produces %s" % (p.describe(), format_shape(output_shape_of(p, index))))
        )
    return out


class IssueRule(Rule):
    """Reports the shape engine's issues of one kind."""

    kind = ""

    def check(self, facts: FileFacts) -> Iterator[Diagnostic]:
        for node in facts.graph.nodes():
            if node.issue is not None and node.issue.kind == self.kind:
                yield self.diagnostic(facts, node, issue_message(node), producer_related(facts, node))
