"""Values shared by the front-ends and the shape engine."""

from __future__ import annotations


class _Unknown:
    """The value of anything the analysis cannot evaluate with certainty.

    It is a singleton, falsy for nobody (truth tests on it must be handled explicitly by
    callers), and prints as ``<unknown>``.
    """

    __slots__ = ()
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"

    def __bool__(self) -> bool:  # pragma: no cover - a bug if reached
        raise TypeError("the truth of an unknown value is unknown")

    def __reduce__(self):
        return (_Unknown, ())


UNKNOWN = _Unknown()


def is_unknown(value) -> bool:
    return value is UNKNOWN


def contains_unknown(value) -> bool:
    """True if ``value`` is UNKNOWN or a tuple/list/dict holding one at any depth."""
    if value is UNKNOWN:
        return True
    if not isinstance(value, (tuple, list, dict)):
        return False
    # iterative, each container once: nested data repeated by reference ([[0] * n] * n)
    # or nested thousands deep costs what it holds, not what it unfolds to
    stack, seen = [value], set()
    while stack:
        c = stack.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        for v in c.values() if isinstance(c, dict) else c:
            if v is UNKNOWN:
                return True
            if isinstance(v, (tuple, list, dict)):
                stack.append(v)
    return False
