"""SL102 merge-mismatch: Inputs of an element-wise merge (Add, Multiply, ...) or tensor arithmetic do not match or broadcast."""

from .base import IssueRule


class MergeMismatch(IssueRule):
    code = "SL102"
    name = "merge-mismatch"
    severity = "error"
    summary = "Inputs of an element-wise merge (Add, Multiply, ...) or tensor arithmetic do not match or broadcast"
    kind = "merge"


RULE = MergeMismatch()
