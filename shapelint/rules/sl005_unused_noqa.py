"""SL005 unused-noqa: a ``# noqa: SL...`` code that suppressed nothing.

Reported by the suppression pass (see :mod:`shapelint.suppression`), not by a check over the
graph: it needs the diagnostics of every other rule first.
"""

from .base import Rule


class UnusedNoqa(Rule):
    code = "SL005"
    name = "unused-noqa"
    severity = "info"
    summary = "A `# noqa` comment names a shapelint code that suppressed nothing on its line"
    default_enabled = False  # info notes are off unless selected


RULE = UnusedNoqa()
