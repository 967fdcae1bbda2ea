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


def issue_message(node: CallNode, aside: str = "") -> str:
    """The engine's message, with the producer of each offending input named right after
    that input's shape: "... but receives (None, 4160) from Reshape at line 12"."""
    issue = node.issue
    msg = issue.message.rstrip(".")
    if issue.kind not in ("concat", "merge") and issue.input_index is not None and issue.input_index < len(node.inputs):
        wanted = [issue.input_index]
    else:
        wanted = list(range(len(node.inputs)))
    pos = 0
    missing = []
    for i in wanted:
        producer = node.inputs[i][0]
        shape = node.input_shapes[i] if i < len(node.input_shapes) else None
        text = format_shape(shape)
        at = msg.find(text, pos)
        if shape is None or at < 0:
            missing.append(producer)
            continue
        end = at + len(text)
        insert = " from " + producer.describe()
        msg = msg[:end] + insert + msg[end:]
        pos = end + len(insert)
    msg += aside + "."
    if missing:
        names = ", ".join(p.describe() for p in missing)
        msg += " The input%s come%s from %s." % ("s" if len(missing) > 1 else "", "" if len(missing) > 1 else "s", names)
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
    # Report at the layer's declaration (``nn.Linear(400, 120)`` in ``__init__``), where the
    # fix goes, rather than where forward() calls it; the call site becomes related.
    at_declaration = False

    def check(self, facts: FileFacts) -> Iterator[Diagnostic]:
        for node in facts.graph.nodes():
            if node.issue is not None and node.issue.kind == self.kind:
                related = producer_related(facts, node)
                span = node.span
                declared = getattr(node.layer, "span", None)
                aside = ""
                if self.at_declaration and declared is not None and declared != node.span:
                    related.insert(0, Related(facts.path, node.span, "%s is called here" % node.type))
                    aside = " (in the call at line %d)" % node.span.line
                    span = declared
                message = issue_message(node, aside)
                yield Diagnostic(self.code, self.severity, message, facts.path, span, related)
