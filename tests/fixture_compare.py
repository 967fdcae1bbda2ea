"""Comparison helpers shared by the Keras and PyTorch fixture tiers."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

NAME_LABEL = {"Keras": "keras name", "PyTorch": "torch name"}


def _fmt(value: Any) -> str:
    return json.dumps(value)


def _is_multi(shape: Any) -> bool:
    """A list of shapes (several outputs) rather than one shape."""
    return isinstance(shape, list) and bool(shape) and all(isinstance(s, list) for s in shape)


def _dim_matches(expected: Any, got: Any) -> bool:
    if expected is None:
        return got is None or isinstance(got, str)
    return isinstance(got, int) and not isinstance(got, bool) and got == expected


def shape_matches(expected: Any, got: Any) -> bool:
    """Does shapelint's shape ``got`` agree with the Keras shape ``expected``?"""
    if _is_multi(expected):
        return (
            isinstance(got, list)
            and len(got) == len(expected)
            and all(isinstance(g, list) for g in got)
            and all(shape_matches(e, g) for e, g in zip(expected, got))
        )
    return (
        isinstance(got, list)
        and len(got) == len(expected)
        and all(_dim_matches(e, g) for e, g in zip(expected, got))
    )


def _describe_expected(i: int, layer: Dict[str, Any], framework: str) -> str:
    return (f"#{i} {layer.get('type')} output_shape={_fmt(layer.get('output_shape'))} "
            f"params={layer.get('params')} ({NAME_LABEL[framework]} {layer.get('name')!r})")


def _describe_got(i: int, layer: Any) -> str:
    if not isinstance(layer, dict):
        return f"#{i} <not an object: {_fmt(layer)}>"
    return (f"#{i} {layer.get('type')} output_shape={_fmt(layer.get('output_shape'))} "
            f"params={layer.get('params')} (name {layer.get('name')!r}, "
            f"line {layer.get('line')})")


def _layer_problem(exp: Dict[str, Any], got: Any) -> Optional[str]:
    if not isinstance(got, dict):
        return "layer entry is not an object"
    bad = []
    if got.get("type") != exp["type"]:
        bad.append("type")
    if "output_shape" not in got or not shape_matches(exp["output_shape"], got["output_shape"]):
        bad.append("output_shape")
    if got.get("params") != exp["params"]:
        bad.append("params")
    return ", ".join(bad) if bad else None


def compare_model(expected: Dict[str, Any], got: Dict[str, Any], framework: str) -> List[str]:
    """Problems between a real-framework summary and a shapelint model entry (empty if they
    agree): the layer count, the FIRST differing layer (later ones usually differ only
    because of it) and the parameter totals."""
    problems: List[str] = []
    exp_layers = expected["layers"]
    got_layers = got.get("layers")
    if not isinstance(got_layers, list):
        return [f"shapelint model has no 'layers' list (got {_fmt(got_layers)[:200]})"]

    if len(got_layers) != len(exp_layers):
        problems.append(
            f"layer count: expected {len(exp_layers)}, got {len(got_layers)}\n"
            f"    expected types: {[layer['type'] for layer in exp_layers]}\n"
            f"    got types:      "
            f"{[g.get('type') if isinstance(g, dict) else g for g in got_layers]}"
        )
    for i, (exp, g) in enumerate(zip(exp_layers, got_layers)):
        what = _layer_problem(exp, g)
        if what:
            problems.append(
                f"first differing layer ({what}):\n"
                f"    expected {_describe_expected(i, exp, framework)}\n"
                f"    got      {_describe_got(i, g)}"
            )
            break
    else:
        if len(got_layers) < len(exp_layers):
            i = len(got_layers)
            problems.append(f"first missing layer:\n    expected "
                            f"{_describe_expected(i, exp_layers[i], framework)}")
        elif len(got_layers) > len(exp_layers):
            i = len(exp_layers)
            problems.append(f"first extra layer:\n    got      "
                            f"{_describe_got(i, got_layers[i])}")

    for key in ("total_params", "trainable_params"):
        if got.get(key) != expected[key]:
            problems.append(f"{key}: expected {expected[key]}, got {_fmt(got.get(key))}")
    return problems


def first_difference(expected: Dict[str, Any], live: Dict[str, Any], framework: str) -> Optional[str]:
    """Exact comparison of a committed snapshot with a live real-framework summary."""
    if expected == live:
        return None
    for key in sorted(set(expected) | set(live)):
        if key == "layers":
            continue
        if expected.get(key) != live.get(key):
            return f"{key}: snapshot {_fmt(expected.get(key))}, real {framework} {_fmt(live.get(key))}"
    exp_layers, live_layers = expected.get("layers", []), live.get("layers", [])
    for i, (e, k) in enumerate(zip(exp_layers, live_layers)):
        if e != k:
            return f"layer #{i}:\n    snapshot   {_fmt(e)}\n    real {framework} {_fmt(k)}"
    return f"layer count: snapshot {len(exp_layers)}, real {framework} {len(live_layers)}"


