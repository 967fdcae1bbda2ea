"""Dimensions and shapes.

A dimension is one of:

* an ``int`` (a size the analysis is certain of),
* ``None`` (the batch dimension, or a size the analysis cannot know),
* a ``str`` naming a symbol (``"H"``): unknown, but equal to every other use of the same symbol.

A shape is a tuple of dimensions, or ``None`` when even the rank is unknown.

Arithmetic on dimensions never guesses: any operand that is not an ``int`` makes the result
``None`` (symbols survive only operations that leave them unchanged).
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

Dim = Union[int, None, str]
Shape = Optional[Tuple[Dim, ...]]


def known(d: Dim) -> bool:
    """True when ``d`` is a concrete integer size."""
    return isinstance(d, int) and not isinstance(d, bool)


def all_known(dims: Sequence[Dim]) -> bool:
    return all(known(d) for d in dims)


def same(a: Dim, b: Dim) -> Optional[bool]:
    """Whether two dims are equal: True/False when certain, None when unknown."""
    if known(a) and known(b):
        return a == b
    if isinstance(a, str) and isinstance(b, str) and a == b:
        return True
    return None


def differ(a: Dim, b: Dim) -> bool:
    """True only when the two dims are certainly different."""
    return same(a, b) is False


def mul(*dims: Dim) -> Dim:
    out = 1
    for d in dims:
        if not known(d):
            return None
        out *= d
    return out


def add(a: Dim, b: Dim) -> Dim:
    return a + b if known(a) and known(b) else None


def product(shape: Sequence[Dim]) -> Dim:
    """Number of elements of ``shape`` (None unless every dim is known)."""
    return mul(*shape) if len(shape) else 1


def conv_output_length(length: Dim, kernel: int, stride: int, padding: str, dilation: int = 1) -> Dim:
    """Output length of a convolution or pooling window along one axis (Keras rules).

    ``valid``: floor((L - dilated_kernel) / stride) + 1; ``same`` and ``causal``:
    ceil(L / stride).  The result may be zero or negative: callers report that.
    """
    if not known(length) or not known(kernel) or not known(stride) or not known(dilation):
        return None
    dilated = (kernel - 1) * dilation + 1
    if padding == "valid":
        return (length - dilated) // stride + 1
    if padding in ("same", "causal"):
        return (length + stride - 1) // stride
    if padding == "full":
        return (length + dilated - 1 + stride - 1) // stride
    return None


def deconv_output_length(
    length: Dim, kernel: int, stride: int, padding: str, output_padding=None, dilation: int = 1
) -> Dim:
    """Output length of a transposed convolution along one axis (Keras rules)."""
    if not known(length) or not known(kernel) or not known(stride) or not known(dilation):
        return None
    k = (kernel - 1) * dilation + 1
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(k - stride, 0)
        if padding == "full":
            return length * stride - (stride + k - 2)
        if padding == "same":
            return length * stride
        return None
    if padding == "same":
        pad = k // 2
    elif padding == "valid":
        pad = 0
    elif padding == "full":
        pad = k - 1
    else:
        return None
    return (length - 1) * stride + k - 2 * pad + output_padding


def parse_shape(text: str) -> Tuple[Dim, ...]:
    """``224,224,3`` or ``(1, 3, 224, 224)``; ``None``/``?`` for an unknown dimension.
    Raises ValueError, with the reason, for anything else."""
    dims = []
    for part in text.strip().strip("()[] ").split(","):
        part = part.strip()
        if not part:
            continue
        if part.lower() in ("none", "?", "null"):
            dims.append(None)
            continue
        try:
            value = int(part)
        except ValueError:
            raise ValueError("%r is not an integer dimension" % part)
        if value <= 0:
            raise ValueError("dimensions must be positive")
        dims.append(value)
    if not dims:
        raise ValueError("no dimensions given")
    return tuple(dims)


def format_dim(d: Dim) -> str:
    if d is None:
        return "None"
    return str(d)


def format_shape(shape: Shape) -> str:
    """``(None, 32, 32, 3)``; an unknown rank prints as ``(?)``."""
    if shape is None:
        return "(?)"
    inner = ", ".join(format_dim(d) for d in shape)
    if len(shape) == 1:
        inner += ","
    return "(" + inner + ")"


def shape_to_json(shape):
    """A shape (or a list of shapes) as JSON: ints, null, strings; unknown rank is null."""
    if shape is None:
        return None
    if isinstance(shape, list):
        return [shape_to_json(s) for s in shape]
    return [d if (known(d) or isinstance(d, str)) else None for d in shape]
