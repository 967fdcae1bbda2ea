"""SL003 internal-error: shapelint failed while analysing the file (a bug in shapelint).

Reported by the pipeline itself (see :mod:`shapelint.analysis`), not by a check over the graph.
"""

from .base import Rule


class InternalError(Rule):
    code = "SL003"
    name = "internal-error"
    severity = "error"
    summary = "shapelint failed while analysing the file (a bug in shapelint)"
    always_on = True


RULE = InternalError()
