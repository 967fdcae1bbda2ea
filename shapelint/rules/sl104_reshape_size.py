"""SL104 reshape-size-mismatch: A reshape target holds a different number of elements than its input."""

from .base import IssueRule


class ReshapeSizeMismatch(IssueRule):
    code = "SL104"
    name = "reshape-size-mismatch"
    severity = "error"
    summary = "A reshape target holds a different number of elements than its input"
    kind = "reshape"


RULE = ReshapeSizeMismatch()
