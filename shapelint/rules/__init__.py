"""The diagnostics shapelint reports: one module per rule, each with a page in ``rules/``.

A rule has a stable code (``SL103``), a kebab-case name, a default severity and a one-line
summary.  Most shape rules report the :class:`~shapelint.engine.registry.ShapeIssue` of one
kind that the shape engine attached to graph nodes; others look at whole models.
"""

from __future__ import annotations

import importlib
from typing import Dict, Iterable, List

from .base import FileFacts, IssueRule, Rule  # noqa: F401

_MODULES = (
    "sl001_syntax_error",
    "sl002_unreadable_file",
    "sl003_internal_error",
    "sl004_analysis_limit",
    "sl005_unused_noqa",
    "sl101_concat_mismatch",
    "sl102_merge_mismatch",
    "sl103_rank_mismatch",
    "sl104_reshape_size",
    "sl105_non_positive_size",
    "sl106_incompatible_input",
    "sl107_in_features_mismatch",
    "sl108_in_channels_mismatch",
    "sl109_num_features_mismatch",
    "sl110_rnn_input_size_mismatch",
    "sl201_parameter_explosion",
    "sl301_pooling_remainder",
)


def _load() -> Dict[str, Rule]:
    rules: Dict[str, Rule] = {}
    for name in _MODULES:
        mod = importlib.import_module("%s.%s" % (__name__, name))
        rule = mod.RULE
        rules[rule.code] = rule
    return rules


RULES: Dict[str, Rule] = _load()


def all_rules() -> List[Rule]:
    return [RULES[c] for c in sorted(RULES)]


def selected_codes(select=None, ignore=None, extend_select=None) -> set:
    """Codes enabled by ruff-style selection: prefixes, ``ALL``; ignore wins over select."""
    def matches(code: str, prefixes) -> bool:
        return any(p == "ALL" or code.startswith(p) for p in prefixes)

    if select:
        enabled = {c for c in RULES if matches(c, select)}
    else:
        enabled = {c for c, r in RULES.items() if r.default_enabled}
    if extend_select:
        enabled |= {c for c in RULES if matches(c, extend_select)}
    if ignore:
        enabled = {c for c in enabled if not matches(c, ignore)}
    # errors about the file itself cannot be switched off: nothing else would be reported
    enabled |= {c for c, r in RULES.items() if r.always_on}
    return enabled


def run_rules(facts: FileFacts, codes: Iterable[str]):
    for code in sorted(codes):
        rule = RULES[code]
        yield from rule.check(facts)
