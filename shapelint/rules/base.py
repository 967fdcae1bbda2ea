"""Rule base classes and the facts rules look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ..diagnostics import Diagnostic, Related, TraceStep
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
        d = Diagnostic(self.code, self.severity, message, facts.path, node.span, list(related))
        d.trace, d.trace_truncated = shape_trace(facts.path, node)
        return d


# How many producers a shape trace walks back through.
TRACE_LIMIT = 12


def offending_input(node: CallNode) -> int:
    """The input whose shape the node's issue is about (the first when it concerns them all)."""
    issue = node.issue
    if (
        issue is not None
        and issue.kind not in ("concat", "merge")
        and issue.input_index is not None
        and issue.input_index < len(node.inputs)
    ):
        return issue.input_index
    return 0


def shape_trace(path: str, node: CallNode, input_index: Optional[int] = None, limit: int = TRACE_LIMIT) -> Tuple[List[TraceStep], bool]:
    """The chain of calls that produced ``node``'s offending input, oldest first, and whether
    it goes back further than ``limit`` steps.  Each step is a producer with the output shape
    it passed on; through a call with several inputs the chain follows the first one."""
    steps: List[TraceStep] = []
    index = offending_input(node) if input_index is None else input_index
    current = node
    while index < len(current.inputs):
        if len(steps) == limit:
            return list(reversed(steps)), True
        producer, out = current.inputs[index]
        kind_name = "Input" if producer.kind == "input" else producer.type
        steps.append(TraceStep(path, producer.span, kind_name, output_shape_of(producer, out)))
        current, index = producer, 0
    return list(reversed(steps)), False


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
                d = Diagnostic(self.code, self.severity, message, facts.path, span, related)
                d.trace, d.trace_truncated = shape_trace(facts.path, node)
                yield d
