"""SL105 non-positive-output-size: A kernel or pooling window is larger than what is left of the feature map."""

from .base import IssueRule


class NonPositiveOutputSize(IssueRule):
    code = "SL105"
    name = "non-positive-output-size"
    severity = "error"
    summary = "A kernel or pooling window is larger than what is left of the feature map"
    kind = "nonpositive"


RULE = NonPositiveOutputSize()
