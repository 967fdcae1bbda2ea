"""SL106 incompatible-input: A layer's input is incompatible with its arguments in another certain way."""

from .base import IssueRule


class IncompatibleInput(IssueRule):
    code = "SL106"
    name = "incompatible-input"
    severity = "error"
    summary = "A layer's input is incompatible with its arguments in another certain way"
    kind = "input"


RULE = IncompatibleInput()
