"""SL001 syntax-error: The file is not valid Python, so it cannot be analysed.

Reported by the pipeline itself (see :mod:`shapelint.analysis`), not by a check over the graph.
"""

from .base import Rule


class SyntaxError(Rule):
    code = "SL001"
    name = "syntax-error"
    severity = "error"
    summary = "The file is not valid Python, so it cannot be analysed"
    always_on = True


RULE = SyntaxError()
