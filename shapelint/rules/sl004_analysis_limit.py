"""SL004 analysis-limit: The file hit an analysis bound; the rest of it was not analysed.

Reported by the pipeline itself (see :mod:`shapelint.analysis`), not by a check over the graph.
"""

from .base import Rule


class AnalysisLimit(Rule):
    code = "SL004"
    name = "analysis-limit"
    severity = "info"
    summary = "The file hit an analysis bound; the rest of it was not analysed"
    default_enabled = False  # info notes are off unless selected


RULE = AnalysisLimit()
