"""Rule documentation: the pages in ``rules/`` (``SL103-rank-mismatch.md``)."""

from __future__ import annotations

import os
from typing import Optional

_HERE = os.path.dirname(os.path.abspath(__file__))
# In a source tree shapelint/rule_pages links to rules/; an installed wheel holds a copy.
RULES_DIR = os.path.join(_HERE, "rule_pages")


def page_path(rule) -> str:
    return os.path.join(RULES_DIR, "%s-%s.md" % (rule.code, rule.name))


def read_page(rule) -> Optional[str]:
    try:
        with open(page_path(rule), encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return None


def default_state(rule) -> str:
    """How a rule starts out, in the words of its page's Options section."""
    if rule.always_on:
        return "always on"
    return "enabled by default" if rule.default_enabled else "off by default"


def rule_page(rule) -> str:
    text = read_page(rule)
    if text is not None:
        return text.rstrip("\n")
    # the page file is missing (a broken installation): the one-line summary and the online page
    return "# %s %s\n\n%s.\n\nDefault severity: `%s`; %s.\n\nFull page: %s" % (
        rule.code, rule.name, rule.summary, rule.severity, default_state(rule), rule.url,
    )
