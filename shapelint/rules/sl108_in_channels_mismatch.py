"""SL108 in-channels-mismatch: A convolution's in_channels differs from its input's channel dimension, or groups do not divide the channels."""

from .base import IssueRule


class InChannelsMismatch(IssueRule):
    code = "SL108"
    name = "in-channels-mismatch"
    severity = "error"
    summary = "A convolution's in_channels differs from its input's channel dimension, or groups do not divide the channels"
    kind = "in_channels"
    at_declaration = True


RULE = InChannelsMismatch()
