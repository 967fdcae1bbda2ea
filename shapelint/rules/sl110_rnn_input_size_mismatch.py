"""SL110 rnn-input-size-mismatch: A recurrent layer's input_size differs from its input's feature dimension (e.g. the embedding size)."""

from .base import IssueRule


class RnnInputSizeMismatch(IssueRule):
    code = "SL110"
    name = "rnn-input-size-mismatch"
    severity = "error"
    summary = "A recurrent layer's input_size differs from its input's feature dimension (e.g. the embedding size)"
    kind = "rnn_input"
    at_declaration = True


RULE = RnnInputSizeMismatch()
