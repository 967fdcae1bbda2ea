"""SL103 rank-mismatch: A layer receives a tensor with the wrong number of dimensions."""

from .base import IssueRule


class RankMismatch(IssueRule):
    code = "SL103"
    name = "rank-mismatch"
    severity = "error"
    summary = "A layer receives a tensor with the wrong number of dimensions"
    kind = "rank"


RULE = RankMismatch()
