"""SL101 concat-mismatch: Concatenated tensors differ in a dimension other than the concatenation axis."""

from .base import IssueRule


class ConcatMismatch(IssueRule):
    code = "SL101"
    name = "concat-mismatch"
    severity = "error"
    summary = "Concatenated tensors differ in a dimension other than the concatenation axis"
    kind = "concat"


RULE = ConcatMismatch()
