"""SL107 in-features-mismatch: A Linear or Bilinear layer's in_features differs from the size of its input's last dimension."""

from .base import IssueRule


class InFeaturesMismatch(IssueRule):
    code = "SL107"
    name = "in-features-mismatch"
    severity = "error"
    summary = "A Linear or Bilinear layer's in_features differs from the size of its input's last dimension"
    kind = "in_features"
    at_declaration = True


RULE = InFeaturesMismatch()
