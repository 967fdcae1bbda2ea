"""SL109 num-features-mismatch: A normalization layer's size (num_features, num_channels, normalized_shape) differs from its input."""

from .base import IssueRule


class NumFeaturesMismatch(IssueRule):
    code = "SL109"
    name = "num-features-mismatch"
    severity = "error"
    summary = "A normalization layer's size (num_features, num_channels, normalized_shape) differs from its input"
    kind = "num_features"
    at_declaration = True


RULE = NumFeaturesMismatch()
