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
    if isinstance(value, (tuple, list)):
        return any(contains_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    return False
