"""SL002 unreadable-file: The file cannot be read or decoded.

Reported by the pipeline itself (see :mod:`shapelint.analysis`), not by a check over the graph.
"""

from .base import Rule


class UnreadableFile(Rule):
    code = "SL002"
    name = "unreadable-file"
    severity = "error"
    summary = "The file cannot be read or decoded"
    always_on = True


RULE = UnreadableFile()
