"""A small, bounded abstract interpreter for the constant parts of Python code.

It walks LibCST statements and expressions and computes values where they are certain:
literals, tuples, lists, dicts, arithmetic, names bound at module or function level,
keyword defaults, calls of functions defined in the same file (inlined with their
arguments), ``for`` loops over known sequences, ``if`` on known conditions.  Everything
else evaluates to :data:`UNKNOWN`.  It never imports or executes the analysed code.

Where control flow depends on an unknown value, each possible branch runs "speculatively"
and the results are merged: a name bound to different values on different paths becomes
UNKNOWN, and objects mutated on an uncertain path are *tainted* (a Sequential whose layers
are uncertain stops producing certain shapes).

Framework front-ends plug in through :class:`Frontend` objects: they resolve qualified
module paths (``keras.layers.Conv2D``) to values and calls.
"""

from __future__ import annotations

import ast
import os
import math
import operator
import re
from typing import Any, Callable, Dict, List, Optional, Tuple

import libcst as cst

from ..diagnostics import Span
from ..lazybodies import block as lazy_block, cut_number, words as lazy_words
from ..engine.values import UNKNOWN, contains_unknown

# Bounds: every analysis terminates quickly, whatever the input.
MAX_STEPS = 300_000  # expression and statement evaluations per file
MAX_SYNTHETIC_STEPS = 60_000  # ... of them for one builder nobody calls, run on its own
MAX_CALL_DEPTH = 24  # nested calls of user functions
MAX_LOOP_ITERATIONS = 2_000  # iterations unrolled per loop
MAX_SEQUENCE = 100_000  # length of constant sequences built by * or range()
MAX_INT_BITS = 4_096
MAX_EXPR_DEPTH = 200  # nested expression evaluations (deeper ones are unknown)
MAX_PROJECT_BYTES = 1_500_000  # source of the project's modules followed on import, per analysed file
UNROLL_MIN = 8  # iterations after which a loop that builds nothing may stop unrolling
IDLE_LOOP_STEPS = 5_000  # steps such a loop may spend


_STRINGS: Dict[str, Any] = {}  # a string literal's source -> its value (or UNKNOWN)
_ABSENT_STRING = object()


def _string_value(node) -> Any:
    """The value of a string literal.  LibCST's ``evaluated_value`` compiles the literal with
    ``ast.literal_eval`` -- the single most expensive thing the analysis did -- so the common
    literals (no escape sequences, or raw) are read directly."""
    raw = node.value
    i = 0
    while i < len(raw) and raw[i] not in "'\"":
        i += 1
    prefix = raw[:i].lower()
    body = raw[i:]
    q = 3 if body[:3] in ('"""', "'''") else 1
    text = body[q:-q] if len(body) >= 2 * q else None
    if text is not None and "b" not in prefix and "f" not in prefix and ("\\" not in text or "r" in prefix):
        return text
    try:
        return node.evaluated_value
    except Exception:
        return UNKNOWN


class LazySpan(Span):
    """A :class:`Span` whose position is computed on first read."""

    _FIELDS = ("line", "column", "end_line", "end_column")

    def __init__(self, *args, **kwargs):  # (interp, node[, fallback]), or the four fields
        if len(args) in (2, 3) and not kwargs and not isinstance(args[0], int):
            object.__setattr__(self, "_source", args)
            return
        values = dict(zip(self._FIELDS, args))
        values.update(kwargs)
        for name in self._FIELDS:
            object.__setattr__(self, name, values[name])

    def __getattr__(self, name):
        if name in LazySpan._FIELDS:
            source = self.__dict__.get("_source")
            if source is None:
                raise AttributeError(name)
            real = source[0].span_now(source[1], source[2] if len(source) > 2 else None)
            for f in LazySpan._FIELDS:
                object.__setattr__(self, f, getattr(real, f))
            self.__dict__.pop("_source", None)
            return getattr(real, name)
        raise AttributeError(name)

    def _key(self):
        return (self.line, self.column, self.end_line, self.end_column)

    def __eq__(self, other):
        if not isinstance(other, Span):
            return NotImplemented
        return self._key() == (other.line, other.column, other.end_line, other.end_column)

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "Span(line=%d, column=%d, end_line=%d, end_column=%d)" % self._key()


class AnalysisLimit(Exception):
    """An analysis bound was hit; the rest of the file is not analysed."""

    def __init__(self, what: str, span: Optional[Span] = None):
        super().__init__(what)
        self.what = what
        self.span = span


class CallBudget(AnalysisLimit):
    """A builder nobody calls, run on its own, used up its share of the file's steps: that
    call stops there (its result is unknown); the rest of the file is still analysed."""


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Raise(Exception):
    """A ``raise`` statement: the path that reaches it does not continue."""


# --------------------------------------------------------------------------- values


class Obj:
    """Base of values with behaviour (module references, functions, framework objects)."""

    def attr(self, name: str, interp: "Interpreter") -> Any:
        return UNKNOWN

    def call(self, interp: "Interpreter", args: List[Any], kwargs: Dict[str, Any], node: cst.Call) -> Any:
        interp.taint_args(args, kwargs)
        return UNKNOWN

    def taint(self) -> None:
        """Called when the object may have been changed in ways the analysis cannot follow."""


class ModuleRef(Obj):
    """A reference to a module or an attribute path in it (``keras.layers.Conv2D``)."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path

    def __repr__(self) -> str:
        return "ModuleRef(%s)" % self.path

    def __eq__(self, other) -> bool:
        return isinstance(other, ModuleRef) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def attr(self, name: str, interp: "Interpreter") -> Any:
        return interp.resolve_path(self.path + "." + name)

    def call(self, interp, args, kwargs, node):
        return interp.call_path(self.path, args, kwargs, node)


class Builtin(Obj):
    def __init__(self, name: str, fn: Callable):
        self.name = name
        self.fn = fn

    def call(self, interp, args, kwargs, node):
        if contains_unknown(args) or contains_unknown(kwargs):
            # len() of a list with unknown items is still known, so let some through
            if self.name not in ("len", "list", "tuple", "isinstance", "print", "enumerate", "zip", "reversed"):
                return UNKNOWN
        if self.name not in _SHALLOW_BUILTINS and not _cheap_call(self.name, self.fn, args, kwargs):
            # str() of a list repeated by reference, "a" * n .replace("a", ...), math.factorial(10**6):
            # Python itself would take minutes; the analysis does not run it
            return interp._too_large(node) if isinstance(interp, Interpreter) else UNKNOWN
        try:
            v = self.fn(*args, **kwargs)
        except _Unknowable:
            return UNKNOWN
        except Exception:
            return UNKNOWN
        return v if _size_ok(v) else UNKNOWN


class _Unknowable(Exception):
    pass


class BoundMethod(Obj):
    def __init__(self, fn: Callable, name: str):
        self.fn = fn
        self.name = name

    def call(self, interp, args, kwargs, node):
        return self.fn(interp, args, kwargs, node)


class Partial(Obj):
    """``functools.partial(func, *args, **kwargs)`` of a callable the analysis knows."""

    def __init__(self, func: Obj, args: List[Any], kwargs: Dict[str, Any]):
        self.func = func
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        return "Partial(%r)" % (self.func,)

    def call(self, interp, args, kwargs, node):
        merged = dict(self.kwargs)
        merged.update(kwargs)
        return self.func.call(interp, self.args + list(args), merged, node)

    def attr(self, name, interp):
        if name == "func":
            return self.func
        if name == "args":
            return tuple(self.args)
        if name == "keywords":
            return dict(self.kwargs)
        return UNKNOWN

    def truth(self):
        return True


class Function(Obj):
    """A function defined in the analysed file, called by inlining its body."""

    def __init__(self, node: cst.FunctionDef, scope: "Scope", defaults: Dict[str, Any], interp: "Interpreter"):
        self.node = node
        self.scope = scope
        self.defaults = defaults
        self.name = node.name.value
        self.called = False
        self.bound_self = None
        self.owner: Optional["ClassVal"] = None  # the class whose body defines it
        # defined in another file of the project: its lines are reported at the caller's
        stack = getattr(interp, "module_stack", None)
        self.foreign = bool(stack) and stack[-1] != interp.path
        self.decorators = [Interpreter.dotted(d.decorator) for d in node.decorators]
        # worked out on the first call (Interpreter._call_function, _body_of)
        self.positional: Optional[List[cst.Param]] = None
        self.real_body = None

    @property
    def kind(self) -> str:
        """"property", "staticmethod", "classmethod" or "method"."""
        for d in self.decorators:
            last = d.rsplit(".", 1)[-1]
            if last in ("property", "cached_property"):
                return "property"
            if last in ("staticmethod", "classmethod"):
                return last
        return "method"

    def bind(self, obj) -> "Function":
        f = Function.__new__(Function)
        f.__dict__.update(self.__dict__)
        f.bound_self = obj
        return f

    def call(self, interp, args, kwargs, node):
        self.called = True
        if self.bound_self is not None:
            args = [self.bound_self] + list(args)
        return interp.call_function(self, args, kwargs, node)


DEFER_BASES = True  # the tests compare with the bases followed at once


class _DeferredBase:
    """A base class named through an import not followed yet (``class UNet(ModelMixin)``
    with ``from ..modeling_utils import ModelMixin``): followed when the class's bases are
    first read, so the classes of an imported module that nobody uses cost no imports."""

    __slots__ = ("lazy", "attrs", "interp")

    def __init__(self, lazy: "LazyImport", attrs: List[str], interp: "Interpreter"):
        self.lazy = lazy
        self.attrs = attrs
        self.interp = interp

    def value(self) -> Any:
        v = self.lazy.resolve(self.interp)
        for a in self.attrs:
            v = self.interp.get_attr(v, a)
        return v


class ClassVal(Obj):
    """A class defined in the analysed file."""

    def __init__(self, node: cst.ClassDef, bases: List[Any], namespace: Dict[str, Any]):
        self.node = node
        self.name = node.name.value
        self._bases = bases
        self._deferred = any(type(b) is _DeferredBase for b in bases)
        self.namespace = namespace

    @property
    def bases(self) -> List[Any]:
        if self._deferred:
            self._deferred = False
            self._bases = [b.value() if type(b) is _DeferredBase else b for b in self._bases]
        return self._bases

    def attr(self, name, interp):
        v = self.lookup(name)
        if v is _ABSENT:
            return UNKNOWN
        if isinstance(v, Function) and v.kind == "classmethod":
            return v.bind(self)  # Weights.verify(None): cls is the class it is read from
        return v

    def call(self, interp, args, kwargs, node):
        for fe in interp.frontends:
            v = fe.instantiate_class(interp, self, args, kwargs, node)
            if v is not NotImplemented:
                return v
        if self.plain():
            inst = Instance(self, interp)
            init = self.lookup("__init__")
            if isinstance(init, Function):
                init.bind(inst).call(interp, args, kwargs, node)
            elif args or kwargs:
                # no __init__ of its own (dataclasses, NamedTuple...): fields unknown
                interp.taint_args(args, kwargs)
                return UNKNOWN
            return inst
        interp.taint_args(args, kwargs)
        return UNKNOWN

    def mro(self) -> List["ClassVal"]:
        """This class and its local base classes, in an approximation of Python's MRO."""
        out: List[ClassVal] = []
        stack: List[Any] = [self]
        while stack:
            c = stack.pop(0)
            if isinstance(c, ClassVal) and c not in out:
                out.append(c)
                stack.extend(c.bases)
        return out

    def lookup(self, name: str, after: Optional["ClassVal"] = None) -> Any:
        """``name`` in the class namespaces along the MRO (after ``after``, for super())."""
        classes = self.mro()
        if after is not None:
            classes = classes[classes.index(after) + 1 :] if after in classes else []
        for c in classes:
            if name in c.namespace:
                return c.namespace[name]
        return _ABSENT

    def plain(self) -> bool:
        """A class the interpreter can instantiate itself: only local bases (or object),
        no class decorator that may rewrite it."""
        for c in self.mro():
            if c.node.decorators and _dataclass_decorator(c.node) != "init":
                return False
            for b in c.bases:
                if not (isinstance(b, ClassVal) or (isinstance(b, ModuleRef) and b.path == "object")):
                    return False
        return True

    def base_paths(self, interp) -> List[str]:
        """Qualified paths of the framework base classes, through local base classes."""
        out: List[str] = []
        for b in self.bases:
            if isinstance(b, ModuleRef):
                out.append(b.path)
            elif isinstance(b, ClassVal):
                out.extend(b.base_paths(interp))
        return out


class Instance(Obj):
    """An object of a class defined in the analysed file.

    Attributes set on it are recorded; one set where control flow is uncertain (inside a
    speculative branch that did not create the object) becomes UNKNOWN, because the
    branches are not merged for attributes.  Passing the object to unknown code taints it:
    its attributes become unknown.
    """

    def __init__(self, cls: ClassVal, interp: "Interpreter"):
        self.cls = cls
        self.attrs: Dict[str, Any] = {}
        self.spec_level = interp.speculative
        self.tainted = False
        self.uncertain_attrs = False  # an attribute was set on an uncertain path

    def __repr__(self) -> str:
        return "Instance(%s)" % self.cls.name

    def taint(self) -> None:
        self.tainted = True

    def attr(self, name: str, interp: "Interpreter") -> Any:
        if name in self.attrs:
            return UNKNOWN if self.tainted else self.attrs[name]
        v = self.cls.lookup(name)
        if v is not _ABSENT:
            return self.bind_class_value(v, interp)
        if name == "__class__":
            return self.cls
        return self.base_attr(name, interp)

    def bind_class_value(self, v, interp: "Interpreter") -> Any:
        if isinstance(v, Function):
            kind = v.kind
            if kind == "staticmethod":
                return v
            if kind == "classmethod":
                return v.bind(self.cls)
            if kind == "property":
                return v.bind(self).call(interp, [], {}, v.node)
            return v.bind(self)
        return v

    def base_attr(self, name: str, interp: "Interpreter") -> Any:
        """Attributes the (framework) base classes provide."""
        return UNKNOWN

    def set_attr(self, name: str, value, interp: "Interpreter") -> None:
        if interp.speculative > self.spec_level:
            old = self.attrs.get(name, _ABSENT)
            if old is not value:
                value = UNKNOWN
                self.uncertain_attrs = True
        self.attrs[name] = value

    def del_attr(self, name: str, interp: "Interpreter") -> None:
        """``del obj.name``: a later read finds the class attribute, if any."""
        self.attrs.pop(name, None)

    def super_attr(self, name: str, interp: "Interpreter") -> Any:
        """``super().name`` once the local classes are exhausted."""
        if name == "__init__":
            return BoundMethod(lambda it, a, k, n: None, name)
        return UNKNOWN

    def truth(self):
        return True


class _SuperBuiltin(Obj):
    """``super()``: the next class along the MRO of the running method's class."""

    def call(self, interp, args, kwargs, node):
        if len(args) == 2 and not kwargs and isinstance(args[0], ClassVal) and isinstance(args[1], Instance):
            # super(Net, self): the class after Net along self's MRO
            if args[0] in args[1].cls.mro():
                return SuperProxy(args[0], args[1])
            return UNKNOWN
        frame = interp._frames[-1] if interp._frames else None
        if frame is None or args:
            return UNKNOWN
        fn = frame.get("func")
        first = frame.get("self")
        if fn is None or fn.owner is None or not isinstance(first, Instance):
            return UNKNOWN
        return SuperProxy(fn.owner, first)


class SuperProxy(Obj):
    def __init__(self, owner: ClassVal, obj: Instance):
        self.owner = owner
        self.obj = obj

    def attr(self, name, interp):
        v = self.obj.cls.lookup(name, after=self.owner)
        if v is not _ABSENT:
            return self.obj.bind_class_value(v, interp)
        return self.obj.super_attr(name, interp)


class Namespace(Obj):
    """A module of the analysed project, run by the interpreter when imported."""

    def __init__(self, path: str, scope: "Scope"):
        self.path = path
        self.scope = scope

    def __repr__(self) -> str:
        return "Namespace(%s)" % self.path

    def attr(self, name: str, interp: "Interpreter") -> Any:
        if name in self.scope.vars:
            value = self.scope.vars[name]
            return value.resolve(interp) if isinstance(value, LazyImport) else value
        if os.path.basename(self.path) == "__init__.py":  # a submodule of the package
            interp.module_stack.append(self.path)
            try:
                ns = interp.project_module(name, None, level=1)
            finally:
                interp.module_stack.pop()
            return ns if ns is not None else UNKNOWN
        return UNKNOWN


class LazyImport:
    """A name bound by ``from x import y`` in an imported module of the project, followed the
    first time the name is read (:meth:`Interpreter.eval_name`, :meth:`Namespace.attr`)."""

    __slots__ = ("stmt", "local", "importer", "anchor", "value", "state")

    def __init__(self, stmt, local: str, importer: str, anchor):
        self.stmt = stmt
        self.local = local
        self.importer = importer
        self.anchor = anchor
        self.value = UNKNOWN
        self.state = 0  # 0 not followed, 1 being followed (an import cycle reads UNKNOWN), 2 done

    def resolve(self, interp: "Interpreter") -> Any:
        if self.state:
            return self.value
        self.state = 1
        tmp = Scope()
        interp.module_stack.append(self.importer)
        interp.anchors.append(self.anchor if self.anchor is not None else Span(1, 0, 1, 0))
        interp.importing += 1
        try:
            interp.exec_import_from_now(self.stmt, tmp)
        finally:
            interp.importing -= 1
            interp.anchors.pop()
            interp.module_stack.pop()
        value = tmp.vars.get(self.local, UNKNOWN)
        self.value = value.resolve(interp) if isinstance(value, LazyImport) else value
        self.state = 2
        return self.value


class Frontend:
    """Hooks a framework front-end provides to the interpreter."""

    def resolve_path(self, interp: "Interpreter", path: str) -> Any:
        return NotImplemented

    def call_path(self, interp, path, args, kwargs, node) -> Any:
        return NotImplemented

    def instantiate_class(self, interp, cls: ClassVal, args, kwargs, node) -> Any:
        return NotImplemented

    def binary_op(self, interp, op: str, left, right, node) -> Any:
        return NotImplemented


# --------------------------------------------------------------------------- scopes


class Scope:
    __slots__ = ("vars", "parent", "globals_names")

    def __init__(self, parent: Optional["Scope"] = None):
        self.vars: Dict[str, Any] = {}
        self.parent = parent
        self.globals_names: set = set()

    def lookup(self, name: str):
        s = self
        while s is not None:
            if name in s.vars:
                return s.vars[name]
            s = s.parent
        raise KeyError(name)

    def module(self) -> "Scope":
        """The outermost scope: the globals of the module the code is in."""
        s = self
        while s.parent is not None:
            s = s.parent
        return s


def merge_values(a, b):
    """The value certain on both paths, or UNKNOWN."""
    if a is b:
        return a
    if type(a) is type(b) and isinstance(a, (int, float, str, bool, bytes, type(None))):
        return a if a == b else UNKNOWN
    if type(a) is type(b) and isinstance(a, tuple) and len(a) == len(b):
        merged = tuple(merge_values(x, y) for x, y in zip(a, b))
        return merged
    if isinstance(a, ModuleRef) and a == b:
        return a
    merge = getattr(a, "merge_with", None)
    if merge is not None:
        return merge(b)
    return UNKNOWN


_BINOPS = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod,
    cst.Power: operator.pow,
    cst.LeftShift: operator.lshift,
    cst.RightShift: operator.rshift,
    cst.BitOr: operator.or_,
    cst.BitAnd: operator.and_,
    cst.BitXor: operator.xor,
    cst.MatrixMultiply: operator.matmul,
}
_BINOP_NAMES = {
    cst.Add: "+",
    cst.Subtract: "-",
    cst.Multiply: "*",
    cst.Divide: "/",
    cst.FloorDivide: "//",
    cst.Modulo: "%",
    cst.Power: "**",
    cst.MatrixMultiply: "@",
    cst.LeftShift: "<<",
    cst.RightShift: ">>",
    cst.BitOr: "|",
    cst.BitAnd: "&",
    cst.BitXor: "^",
}
_AUG_TO_BIN = {
    cst.AddAssign: cst.Add,
    cst.SubtractAssign: cst.Subtract,
    cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide,
    cst.FloorDivideAssign: cst.FloorDivide,
    cst.ModuloAssign: cst.Modulo,
    cst.PowerAssign: cst.Power,
    cst.LeftShiftAssign: cst.LeftShift,
    cst.RightShiftAssign: cst.RightShift,
    cst.BitOrAssign: cst.BitOr,
    cst.BitAndAssign: cst.BitAnd,
    cst.BitXorAssign: cst.BitXor,
    cst.MatrixMultiplyAssign: cst.MatrixMultiply,
}
_CMPOPS = {
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
    cst.In: lambda a, b: a in b,
    cst.NotIn: lambda a, b: a not in b,
}

_CONST_TYPES = (int, float, str, bool, bytes, type(None), tuple, list, dict, range)


_SCALARS = (int, float, str, bool, bytes, type(None), range)
_CONTAINERS = (tuple, list, frozenset, dict)


def _is_const(v) -> bool:
    if isinstance(v, _SCALARS):
        return True
    if not isinstance(v, _CONTAINERS):
        return False
    # iterative, each container once: a list repeated by reference ([[0] * n] * n) is cheap
    stack, seen = [v], set()
    while stack:
        c = stack.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        for x in (list(c.keys()) + list(c.values())) if isinstance(c, dict) else c:
            if isinstance(x, _SCALARS):
                continue
            if isinstance(x, _CONTAINERS):
                stack.append(x)
                continue
            return False
    return True


MAX_DEEP = 1_000_000  # elements an operation that walks nested data (==, str, sorted, hash) may visit


def _unfolded(x, memo) -> int:
    """How many elements Python visits walking ``x`` (a list held twice counts twice)."""
    if not isinstance(x, (tuple, list, frozenset, set, dict)):
        return 1
    k = id(x)
    n = memo.get(k)
    if n is not None:
        return n
    memo[k] = 1  # a container that holds itself
    n = 1
    if isinstance(x, dict):
        for key, val in x.items():
            n += _unfolded(key, memo) + _unfolded(val, memo)
            if n > MAX_DEEP:
                break
    else:
        for item in x:
            n += _unfolded(item, memo)
            if n > MAX_DEEP:
                break
    memo[k] = n
    return n


def _deep_ok(*values) -> bool:
    """Nested data small enough to compare, print, sort, hash or copy in bounded time."""
    # the common case first: a plain walk that stops early (it visits what Python would)
    stack, budget = list(values), 4096
    while stack:
        budget -= 1
        if budget < 0:
            break
        x = stack.pop()
        if isinstance(x, (tuple, list, frozenset, set)):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
    else:
        return True
    memo: Dict[int, int] = {}
    total = 0
    try:
        for v in values:
            total += _unfolded(v, memo)
            if total > MAX_DEEP:
                return False
    except RecursionError:
        return False
    return True


def flatten_each_once(values) -> List[Any]:
    """The leaves of nested lists and tuples in order, each container visited once: for the
    front-ends' flatteners when the data unfolds to too many elements (``[[x] * n] * n``)."""
    out: List[Any] = []
    seen = set()
    stack = [iter(values)]
    while stack:
        for v in stack[-1]:
            if isinstance(v, (list, tuple)):
                if id(v) not in seen:
                    seen.add(id(v))
                    stack.append(iter(v))
                    break
            else:
                out.append(v)
        else:
            stack.pop()
    return out


# Builtins that look only at the top level of their arguments
_SHALLOW_BUILTINS = frozenset(
    ("len", "list", "tuple", "zip", "enumerate", "reversed", "range", "print", "isinstance", "bool",
     "any", "all", "bit_length", "is_integer", "upper", "lower", "strip", "startswith", "endswith",
     "split", "keys", "values", "items", "copy", "get", "tolist")
)
_BIG_INT_FUNCTIONS = ("math.factorial", "math.comb", "math.perm")
_LONG_DIGITS = re.compile(r"\d{6,}")


def _format_ok(fmt) -> bool:
    """A format string without a width or precision of a million or more, and without
    widths taken from the arguments ({:>{w}}, %*d)."""
    if not isinstance(fmt, str):
        return True
    return _LONG_DIGITS.search(fmt) is None and re.search(r":[^{}]*\{", fmt) is None and "*" not in fmt


def _cheap_call(name: str, fn, args, kwargs) -> bool:
    """Whether calling the real function on these constants is bounded (a guess only for
    functions whose cost grows with the values, not just the sizes, of their arguments)."""
    if not _deep_ok(args, kwargs):
        return False
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, str):
        if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
            hits = owner.count(args[0]) if args[0] else len(owner) + 1
            return len(owner) + hits * len(args[1]) <= MAX_SEQUENCE
        if name == "join" and args and isinstance(args[0], (list, tuple, str)):
            parts = args[0]
            return sum(len(x) if isinstance(x, str) else 0 for x in parts) + len(owner) * len(parts) <= MAX_SEQUENCE
        if name == "format":
            return _format_ok(owner)
    if name in _BIG_INT_FUNCTIONS:
        return all(not isinstance(a, int) or abs(a) <= 2_000 for a in args)
    if name in ("math.prod", "math.lcm"):
        seq = args[0] if name == "math.prod" and args and isinstance(args[0], (list, tuple)) else args
        return sum(x.bit_length() if isinstance(x, int) else 64 for x in seq) <= 4 * MAX_INT_BITS
    return True


def _size_ok(v) -> bool:
    if isinstance(v, int) and not isinstance(v, bool):
        return v.bit_length() <= MAX_INT_BITS
    if isinstance(v, (str, bytes, list, tuple)):
        return len(v) <= MAX_SEQUENCE
    return True


def truth(v):
    """Python truth of a value: True/False, or UNKNOWN."""
    if v is UNKNOWN:
        return UNKNOWN
    if isinstance(v, (int, float, str, bool, bytes, type(None), range)):
        return bool(v)
    if isinstance(v, (tuple, list, dict, frozenset)):
        return len(v) > 0
    if isinstance(v, (Function, ClassVal, ModuleRef, Builtin, BoundMethod)):
        return True
    t = getattr(v, "truth", None)
    if t is not None:
        return t()
    return UNKNOWN


# --------------------------------------------------------------------------- interpreter


class Interpreter:
    def __init__(self, module: cst.Module, path: str, positions, frontends: List[Frontend]):
        self.module = module
        self.path = path
        self.positions = positions
        self.frontends = frontends
        for fe in frontends:
            fe.interp = self
        # the project's own modules (shapelint.project.Project), followed on import
        self.project = None
        self.module_stack: List[str] = [path]  # files whose top level is being run
        self.namespaces: Dict[str, "Namespace"] = {}
        self.anchors: List[Span] = []  # inside another file's code: the line here that led there
        self.importing = 0
        self.globals = Scope()
        self.star_imports: List[str] = []
        self.steps = 0
        self.step_cap = MAX_STEPS  # lower while a builder nobody calls runs (CallBudget)
        self.depth = 0
        self.speculative = 0
        self.tainted_lists: set = set()
        self._tainted_alive: List[Any] = []  # keeps tainted containers alive: ids are never reused
        self.functions: List[Function] = []
        self._frames: List[dict] = []
        self.builtins = _make_builtins()
        self.builtins.update(self._attribute_builtins())
        # Front-ends count what they record: model structure (layers, models) and plain
        # tensor operations.  A long loop that only computes tensors is not unrolled.
        self.structure_events = 0
        self.op_events = 0
        # the step at which the last call of something unknown returned: an object stored
        # right after it (self.fpn = FeaturePyramidNetwork(...)) may be anything
        self.last_unknown_call = -10
        # bounds passed without stopping the analysis (what -> where it first happened);
        # the analysis reports each as an SL004 info
        self.limits: Dict[str, Optional[Span]] = {}
        self._import_answers: Dict[tuple, bool] = {}  # (importer, level, module, name) -> may build
        self.expr_depth = 0
        self.project_bytes = 0  # source size of the project's modules followed so far
        self.on_its_own = 0  # inside a builder nobody calls, run on its own (call_on_its_own)

    def _attribute_builtins(self) -> Dict[str, Obj]:
        """getattr/setattr/hasattr with a known attribute name act like the dotted form."""

        def _getattr(it, args, kwargs, node):
            if len(args) >= 2 and isinstance(args[1], str):
                v = it.get_attr(args[0], args[1])
                if v is UNKNOWN and len(args) == 3:
                    if _certainly_absent(args[0], args[1]):
                        return args[2]  # getattr(block, "_is_cn", False) on a block without it
                    return UNKNOWN  # the default may apply: not certain either way
                return v
            return UNKNOWN

        def _setattr(it, args, kwargs, node):
            if len(args) == 3 and isinstance(args[1], str):
                setter = getattr(args[0], "set_attr", None)
                if setter is not None:
                    setter(args[1], args[2], it)
                    return None
            it.taint_args(args, kwargs)
            return None

        def _hasattr(it, args, kwargs, node):
            if len(args) == 2 and isinstance(args[1], str) and isinstance(args[0], Instance):
                obj, name = args
                if not obj.tainted and (name in obj.attrs or obj.cls.lookup(name) is not _ABSENT):
                    return True
                if _certainly_absent(obj, name):
                    return False
            return UNKNOWN

        def _isinstance(it, args, kwargs, node):
            if len(args) != 2 or kwargs:
                return UNKNOWN
            classes = args[1] if isinstance(args[1], tuple) else (args[1],)
            answers = [it.isinstance_of(args[0], c) for c in classes]
            if any(a is True for a in answers):
                return True
            return False if all(a is False for a in answers) else UNKNOWN

        return {
            "getattr": BoundMethod(_getattr, "getattr"),
            "setattr": BoundMethod(_setattr, "setattr"),
            "hasattr": BoundMethod(_hasattr, "hasattr"),
            "isinstance": BoundMethod(_isinstance, "isinstance"),
        }

    _PY_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "tuple": tuple, "dict": dict}

    def isinstance_of(self, obj, cls) -> Any:
        """``isinstance(obj, cls)``: True, False, or UNKNOWN when not certain."""
        if obj is UNKNOWN or cls is UNKNOWN:
            return UNKNOWN
        for fe in self.frontends:
            hook = getattr(fe, "isinstance_of", None)
            r = hook(self, obj, cls) if hook is not None else NotImplemented
            if r is not NotImplemented:
                return r
        if isinstance(cls, Builtin) and cls.name in self._PY_TYPES:
            if isinstance(obj, (Obj, ConstArray)) or contains_unknown(obj):
                return UNKNOWN
            return isinstance(obj, self._PY_TYPES[cls.name])
        if isinstance(cls, ClassVal) and isinstance(obj, Instance):
            mro = obj.cls.mro()
            if cls in mro:
                return True
            # a base the analysis does not know could still derive from cls
            known = all(isinstance(b, (ClassVal, ModuleRef)) for c in mro for b in c.bases)
            return False if known else UNKNOWN
        if isinstance(cls, ClassVal) and (obj is None or isinstance(obj, (int, float, str, bytes, tuple, list, dict))):
            return False if not isinstance(obj, ConstArray) else UNKNOWN
        return UNKNOWN

    # -- positions ------------------------------------------------------------------

    def span(self, node: cst.CSTNode) -> Span:
        """The node's source range, looked up only when something reads it: the position
        pass over a large file costs as much as parsing it, and most files report nothing.

        While code of another file of the project runs (an imported helper), its nodes are
        reported at the line of this file that led there, so that is decided right away."""
        if self.anchors:
            # a node of this file (a callback the imported code calls) has its own position,
            # any other the anchor's -- decided when the span is read, like any other span
            return LazySpan(self, node, self.anchors[-1])
        return LazySpan(self, node)

    def span_now(self, node: cst.CSTNode, fallback: Optional[Span] = None) -> Span:
        try:
            r = self.positions[node]
        except (KeyError, TypeError):
            return fallback if fallback is not None else Span(1, 0, 1, 0)
        except RecursionError:
            # a tree too deep for LibCST's position pass: no positions for this file
            self.positions = {}
            self.limits.setdefault("the syntax tree is nested too deeply to compute source positions", None)
            return Span(1, 0, 1, 0)
        return Span(r.start.line, r.start.column, r.end.line, r.end.column)

    def note_limit(self, what: str, node=None) -> None:
        """A bound was reached and the analysis goes on with an unknown value."""
        if what not in self.limits:
            self.limits[what] = self.span(node) if node is not None else None

    def tick(self, node=None) -> None:
        self.steps += 1
        if self.steps > self.step_cap:
            if self.steps <= MAX_STEPS:
                raise CallBudget("a function nobody calls took more than %d evaluation steps" % MAX_SYNTHETIC_STEPS, self.span(node) if node is not None else None)
            raise AnalysisLimit("more than %d evaluation steps" % MAX_STEPS, self.span(node) if node is not None else None)

    # -- module / path resolution ---------------------------------------------------

    def resolve_path(self, path: str) -> Any:
        for fe in self.frontends:
            v = fe.resolve_path(self, path)
            if v is not NotImplemented:
                return v
        if path in ("numpy.newaxis", "tensorflow.newaxis", "jax.numpy.newaxis"):
            return None  # indexing with newaxis is indexing with None
        if path.startswith("math."):
            v = getattr(math, path[5:], None)
            if isinstance(v, (int, float)):
                return v
            if callable(v):
                return Builtin(path, v)
        return ModuleRef(path)

    def call_path(self, path, args, kwargs, node) -> Any:
        for fe in self.frontends:
            v = fe.call_path(self, path, args, kwargs, node)
            if v is not NotImplemented:
                return v
        if path in ("typing.cast", "typing_extensions.cast") and len(args) == 2 and not kwargs:
            return args[1]  # cast(int, v) is v
        if path == "functools.partial" and args and isinstance(args[0], Obj):
            return Partial(args[0], list(args[1:]), dict(kwargs))
        if path.startswith("numpy.") and not contains_unknown(args) and not contains_unknown(kwargs):
            if not _deep_ok(args, kwargs):
                return self._too_large(node)
            v = _numpy_call(path[6:], args, kwargs)
            if v is not NotImplemented:
                return v
        if path in ("copy.deepcopy", "copy.copy") and len(args) == 1 and not kwargs:
            # copies of constant data (configuration tables) stay known
            v = args[0]
            if _is_const(v) and not contains_unknown(v) and not self._tainted_in(v):
                if not _deep_ok(v):
                    return self._too_large(node)
                return _copy_const(v, deep=path == "copy.deepcopy")
            if type(v) is Instance and not v.tainted and not v.uncertain_attrs:
                # a configuration object (copy.copy(cnf) before overwriting fields)
                attrs = dict(v.attrs)
                deep = path == "copy.deepcopy"
                if deep and not all(_is_const(x) or isinstance(x, (ClassVal, Function, ModuleRef, Partial)) for x in attrs.values()):
                    return UNKNOWN
                twin = Instance(v.cls, self)
                twin.attrs = {k: (_copy_const(x, deep) if _is_const(x) else x) for k, x in attrs.items()}
                return twin
        self.taint_args(args, kwargs)
        self.last_unknown_call = self.steps
        return UNKNOWN

    def _tainted_in(self, v) -> bool:
        if not isinstance(v, (list, tuple, dict)):
            return False
        stack, seen = [v], set()  # iterative, each container once
        while stack:
            c = stack.pop()
            if id(c) in seen:
                continue
            seen.add(id(c))
            if isinstance(c, (list, dict)) and id(c) in self.tainted_lists:
                return True
            stack.extend(x for x in (c.values() if isinstance(c, dict) else c) if isinstance(x, (list, tuple, dict)))
        return False

    def mark_tainted(self, container) -> None:
        """A list or dict whose contents are no longer certain (tracked by id, so the
        object is kept alive: a new list must never inherit a freed one's id)."""
        if id(container) not in self.tainted_lists:
            self.tainted_lists.add(id(container))
            self._tainted_alive.append(container)

    def taint_args(self, args, kwargs) -> None:
        """An unknown callee may change what it is given."""
        for v in list(args) + list(kwargs.values()):
            self.taint_value(v)

    def taint_value(self, v) -> None:
        if isinstance(v, list):
            self.mark_tainted(v)
            for x in v:
                if isinstance(x, Obj):
                    x.taint()
        elif isinstance(v, dict):
            self.mark_tainted(v)
        elif isinstance(v, Obj):
            v.taint()

    # -- running --------------------------------------------------------------------

    def run_module(self) -> None:
        try:
            self.exec_block(self.module.body, self.globals)
        except (_Raise, _Return, _Break, _Continue):
            pass  # the module stops there when imported

    def exec_block(self, stmts, scope: Scope) -> None:
        for stmt in stmts:
            self.exec_stmt(stmt, scope)

    def exec_stmt(self, stmt, scope: Scope) -> None:
        self.steps += 1
        if self.steps > self.step_cap:
            self.tick(stmt)  # raises AnalysisLimit
        t = type(stmt)  # LibCST's node classes are final: type tests, not isinstance (an ABC check)
        if t is cst.SimpleStatementLine:
            for small in stmt.body:
                self.exec_small(small, scope)
        elif t is cst.FunctionDef:
            defaults = self._defaults(stmt, scope)
            f = Function(stmt, scope, defaults, self)
            if scope is self.globals:
                self.functions.append(f)
            self.assign_name(stmt.name.value, f, scope)
        elif t is cst.ClassDef:
            self.exec_class(stmt, scope)
        elif t is cst.If:
            self.exec_if(stmt, scope)
        elif t is cst.For:
            self.exec_for(stmt, scope)
        elif t is cst.While:
            self.exec_while(stmt, scope)
        elif t is cst.With:
            for item in stmt.items:
                v = self.eval(item.item, scope)
                if item.asname is not None:
                    self.assign(item.asname.name, UNKNOWN if not isinstance(v, Obj) else v, scope)
            self.exec_body(stmt.body, scope)
        elif t is cst.Try or t is _TRY_STAR:
            self.exec_body(stmt.body, scope)
            if stmt.orelse is not None:
                self.exec_body(stmt.orelse.body, scope)
            if stmt.finalbody is not None:
                self.exec_body(stmt.finalbody.body, scope)
        elif t is _MATCH:
            self.speculate([lambda s, c=case: self.exec_body(c.body, s) for case in stmt.cases] + [lambda s: None], scope)
        # anything else (decorators-only constructs, etc.) is ignored

    def exec_body(self, body, scope: Scope) -> None:
        t = type(body)
        if t is cst.IndentedBlock:
            self.exec_block(body.body, scope)
        elif t is cst.SimpleStatementSuite:
            for small in body.body:
                self.exec_small(small, scope)
        elif isinstance(body, (list, tuple)):
            self.exec_block(body, scope)

    def exec_small(self, small, scope: Scope) -> None:
        t = type(small)
        if t is cst.Assign:
            value = self.eval(small.value, scope)
            for target in small.targets:
                self.assign(target.target, value, scope)
        elif t is cst.AnnAssign:
            if small.value is not None:
                self.assign(small.target, self.eval(small.value, scope), scope)
        elif t is cst.AugAssign:
            left = self.eval(small.target, scope)
            right = self.eval(small.value, scope)
            opcls = _AUG_TO_BIN.get(type(small.operator))
            value = self.binop(opcls, left, right, small) if opcls else UNKNOWN
            self.assign(small.target, value, scope)
        elif t is cst.Expr:
            if not isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):  # docstrings do nothing
                self.eval(small.value, scope)
        elif t is cst.Return:
            raise _Return(self.eval(small.value, scope) if small.value is not None else None)
        elif t is cst.Import:
            self.exec_import(small, scope)
        elif t is cst.ImportFrom:
            self.exec_import_from(small, scope)
        elif t is cst.Break:
            raise _Break()
        elif t is cst.Continue:
            raise _Continue()
        elif t is cst.Global:
            for n in small.names:
                scope.globals_names.add(n.name.value)
        elif t is cst.Del:
            self.exec_del(small.target, scope)
        elif t is cst.Raise:
            raise _Raise()
        # Pass, Assert, Nonlocal: nothing to do

    # -- imports --------------------------------------------------------------------

    @staticmethod
    def dotted(node) -> str:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            return Interpreter.dotted(node.value) + "." + node.attr.value
        return ""

    def exec_import(self, small: cst.Import, scope: Scope) -> None:
        for alias in small.names:
            full = self.dotted(alias.name)
            project = self.project_module(full, small)
            if alias.asname is not None:
                value = project if project is not None else self.resolve_path(full)
                self.assign_name(alias.asname.name.value, value, scope)
            else:
                top = full.split(".")[0]
                pkg = self.project_module(top, small) if project is not None else None
                self.assign_name(top, pkg if pkg is not None else ModuleRef(top), scope)

    def exec_import_from(self, small: cst.ImportFrom, scope: Scope) -> None:
        if scope.parent is None and self.project is not None:
            # At the top level of a module (the analysed file, or one of the project's it
            # imports), ``from x import y`` is followed only when ``y`` is used: a package's
            # __init__ that imports fifty submodules would otherwise be run in full for every
            # file that imports one name from it.
            anchor = self.anchors[-1] if self.anchors else None
            if isinstance(small.names, cst.ImportStar):
                names = self._star_names(small)
                if names is None:
                    self.exec_import_from_now(small, scope)
                    return
            else:
                names = [alias.asname.name.value if alias.asname is not None else self.dotted(alias.name) for alias in small.names]
            for local in names:
                self.assign_name(local, LazyImport(small, local, self.module_stack[-1], anchor), scope)
            return
        self.exec_import_from_now(small, scope)

    def _star_names(self, small: cst.ImportFrom, seen=None) -> Optional[List[str]]:
        """The names ``from x import *`` binds, read from x's source without running it
        (``__all__`` when it is a literal list, else the public top-level names), or None
        when x is not a module of the project."""
        if self.project is None or (small.module is None and not small.relative):
            return None
        base = self.dotted(small.module) if small.module is not None else ""
        level = len(small.relative)
        importer = self.module_stack[-1]
        if level:
            path = self.project.find_relative(importer, level, base)
        elif base and base.split(".")[0] not in self.NEVER_PROJECT:
            path = self.project.find_absolute(base)
        else:
            path = None
        if path is None:
            return None
        return self._star_names_of(os.path.abspath(path), set() if seen is None else seen)

    def _star_names_of(self, path: str, seen: set) -> Optional[List[str]]:
        if path in seen:
            return []
        seen.add(path)
        from ..project import star_names

        found = star_names(path)
        if found is None:
            return None
        names, stars = found
        names = list(names)
        for level, base in stars:
            sub = None
            if level:
                sub_path = self.project.find_relative(path, level, base)
            elif base and base.split(".")[0] not in self.NEVER_PROJECT:
                sub_path = self.project.find_absolute(base)
            else:
                sub_path = None
            if sub_path is not None:
                sub = self._star_names_of(os.path.abspath(sub_path), seen)
            names.extend(sub or [])
        return list(dict.fromkeys(names))

    def exec_import_from_now(self, small: cst.ImportFrom, scope: Scope) -> None:
        base = self.dotted(small.module) if small.module is not None else ""
        level = len(small.relative)
        module = self.project_module(base, small, level=level) if (base or not level) else None
        if level and module is None and base:
            # a relative import that cannot be followed: its names are unknown (unless a
            # front-end knows the name there: a copy of torchvision's model files)
            if not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    name = (alias.asname.name if alias.asname else alias.name).value
                    value = UNKNOWN
                    for fe in self.frontends:
                        hook = getattr(fe, "unresolved_import", None)
                        v = hook(self, base, alias.name.value) if hook is not None and isinstance(alias.name, cst.Name) else NotImplemented
                        if v is not NotImplemented:
                            value = v
                            break
                    self.assign_name(name, value, scope)
            return
        if isinstance(small.names, cst.ImportStar):
            if module is not None:
                for name, value in list(module.scope.vars.items()):
                    if not name.startswith("_"):
                        self.assign_name(name, value, scope)
            elif not level:
                self.star_imports.append(base)
            return
        for alias in small.names:
            name = self.dotted(alias.name)
            local = alias.asname.name.value if alias.asname is not None else name
            if module is not None or level:
                value = module.attr(name, self) if module is not None else UNKNOWN
                if value is UNKNOWN:  # `from . import blocks`, `from pkg import submodule`
                    sub = self.project_module(base + "." + name if base else name, small, level=level)
                    value = sub if sub is not None else UNKNOWN
                self.assign_name(local, value, scope)
            else:
                self.assign_name(local, self.resolve_path(base + "." + name), scope)

    # Names a project can never shadow: the frameworks and what is always installed.
    NEVER_PROJECT = {
        "keras", "tensorflow", "tf_keras", "torch", "torchvision", "numpy", "math", "os", "sys",
        "collections", "functools", "typing", "copy", "itertools", "re", "json", "abc", "dataclasses",
    }

    def project_module(self, dotted: str, node, level: int = 0) -> Optional["Namespace"]:
        """The namespace of the project's own module ``dotted`` (run once per analysis), or
        None when it is not part of the project."""
        if self.project is None:
            return None
        if level:
            path = self.project.find_relative(self.module_stack[-1], level, dotted)
        else:
            if not dotted or dotted.split(".")[0] in self.NEVER_PROJECT:
                return None
            path = self.project.find_absolute(dotted)
        if path is None:
            return None
        path = os.path.abspath(path)
        if self.path not in ("", "-") and path == os.path.abspath(self.path):
            return None
        if path in self.namespaces:
            return self.namespaces[path]  # also a module still being run (import cycles)
        from ..project import parse_project_module

        try:
            size = os.path.getsize(path)
        except OSError:
            return None
        if self.project_bytes + size > MAX_PROJECT_BYTES:
            # a package __init__ that imports hundreds of submodules: parsing them all would
            # cost minutes; the rest are unknown, as modules outside the project are
            self.note_limit("imports of the project's modules past %d bytes of their source are not followed" % MAX_PROJECT_BYTES, node)
            return None
        self.project_bytes += size
        parsed = parse_project_module(path)
        if parsed is None:
            return None
        ns = Namespace(path, Scope())
        self.namespaces[path] = ns
        here = self.span(node) if node is not None else None
        self.anchors.append(here if here is not None else (self.anchors[-1] if self.anchors else Span(1, 0, 1, 0)))
        self.module_stack.append(path)
        self.importing += 1
        try:
            self.exec_block(parsed.body, ns.scope)
        except (_Raise, _Return, _Break, _Continue):
            pass
        finally:
            self.importing -= 1
            self.module_stack.pop()
            self.anchors.pop()
        return ns

    # -- assignment -----------------------------------------------------------------

    def assign_name(self, name: str, value, scope: Scope) -> None:
        if name in scope.globals_names:
            # ``global name`` in a function: the module that defines the function (the
            # analysed file's, or a project module's namespace) is the outermost scope
            scope.module().vars[name] = value
        else:
            scope.vars[name] = value

    def assign(self, target, value, scope: Scope) -> None:
        t = type(target)
        if t is cst.Name:
            self.assign_name(target.value, value, scope)
        elif t is cst.Tuple or t is cst.List:
            elems = target.elements
            star = [i for i, e in enumerate(elems) if isinstance(e, cst.StarredElement)]
            seq = self.unpack(value, len(elems))
            if star or seq is None:
                for e in elems:
                    self.assign(e.value, UNKNOWN, scope)
                return
            for e, v in zip(elems, seq):
                self.assign(e.value, v, scope)
        elif t is cst.Attribute:
            obj = self.eval(target.value, scope)
            setter = getattr(obj, "set_attr", None)
            if setter is not None:
                setter(target.attr.value, value, self)
        elif t is cst.Subscript:
            obj = self.eval(target.value, scope)
            if isinstance(obj, (list, dict)) and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                key = self.eval(target.slice[0].slice.value, scope)
                if self.speculative:
                    self.mark_tainted(obj)
                try:
                    if key is UNKNOWN:
                        raise TypeError
                    obj[key] = value
                except Exception:
                    self.mark_tainted(obj)
            elif isinstance(obj, Obj):
                setter = getattr(obj, "setitem", None)
                if setter is not None and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                    setter(self.eval(target.slice[0].slice.value, scope), value, self)
                else:
                    obj.taint()
        elif t is cst.StarredElement:
            self.assign(target.value, UNKNOWN, scope)

    def unpack(self, value, n: int) -> Optional[List[Any]]:
        if isinstance(value, (tuple, list)) and len(value) == n:
            return list(value)
        unpacker = getattr(value, "unpack", None)
        if unpacker is not None:
            return unpacker(n)
        return None

    # -- control flow ---------------------------------------------------------------

    def exec_if(self, stmt: cst.If, scope: Scope) -> None:
        cond = truth(self.eval(stmt.test, scope))
        orelse = stmt.orelse
        if cond is UNKNOWN:
            def run_else(s):
                if type(orelse) is cst.If:
                    self.exec_if(orelse, s)
                elif type(orelse) is cst.Else:
                    self.exec_body(orelse.body, s)

            self.speculate([lambda s: self.exec_body(stmt.body, s), run_else], scope)
        elif cond:
            self.exec_body(stmt.body, scope)
        elif type(orelse) is cst.If:
            self.exec_if(orelse, scope)
        elif type(orelse) is cst.Else:
            self.exec_body(orelse.body, scope)

    def speculate(self, branches, scope: Scope) -> None:
        """Run each branch on a copy of ``scope``'s names; merge what they leave behind.

        A branch that returns (or breaks) does not reach the code after it; its return
        value is recorded as a possible result of the function.
        """
        before = dict(scope.vars)
        tainted_mark = len(self._tainted_alive)  # containers are tainted in this order
        results: List[Dict[str, Any]] = []
        loop_exit = False
        self.speculative += 1
        try:
            for branch in branches:
                scope.vars = dict(before)
                try:
                    branch(scope)
                    results.append(scope.vars)
                except _Return as r:
                    if self._frames:
                        self._frames[-1]["returns"].append(r.value)
                except (_Break, _Continue):
                    loop_exit = True
                except _Raise:
                    pass  # a path that raises does not reach what follows
        finally:
            self.speculative -= 1
        if not results:
            scope.vars = before
            if not loop_exit and not (self._frames and self._frames[-1]["returns"]):
                raise _Raise()
            if self._frames and not loop_exit:
                raise _Return(_MERGE_PENDING)
            if loop_exit:
                raise _Break()
            return
        if len(results) == 2:
            scope.vars = _merge_two(results[0], results[1])
        else:
            scope.vars = _merge_scopes(results)
        if loop_exit and self._loops:
            self._loops[-1]["uncertain"] = True
        if len(self._tainted_alive) > tainted_mark:
            self._untaint_scope(scope, {id(c) for c in self._tainted_alive[tainted_mark:]})

    def _untaint_scope(self, scope: Scope, ids) -> None:
        s = scope
        while s is not None:
            for k, v in list(s.vars.items()):
                if isinstance(v, (list, dict)) and id(v) in ids:
                    s.vars[k] = UNKNOWN
            s = s.parent

    _loops: List[dict] = []

    def iterate(self, value, node=None) -> Optional[List[Any]]:
        if isinstance(value, (tuple, list, str, range)):
            if id(value) in self.tainted_lists:
                return None
            if len(value) > MAX_LOOP_ITERATIONS:
                self.note_limit("a loop over more than %d items is not unrolled" % MAX_LOOP_ITERATIONS, node)
                return None
            return list(value)
        if isinstance(value, dict):
            return list(value.keys())
        it = getattr(value, "iterate", None)
        if it is not None:
            return it()
        return None

    def exec_for(self, stmt: cst.For, scope: Scope) -> None:
        items = self.iterate(self.eval(stmt.iter, scope), stmt)
        if items is None:
            def once(s):
                self.assign(stmt.target, UNKNOWN, s)
                self._run_loop_body(stmt.body, s)

            self.speculate([once, lambda s: None], scope)
            return
        loop = {"uncertain": False}
        self._loops = self._loops + [loop]
        broke = False
        try:
            marks = (self.structure_events, self.op_events, self.steps)
            whole = _unroll_fully(items)
            for i, item in enumerate(items):
                self.tick(stmt)
                if i >= UNROLL_MIN and not whole and self._idle_loop(marks, i):
                    # a long loop of tensor arithmetic (a sampling loop) that builds no
                    # model: what it leaves behind is treated as unknown
                    loop["uncertain"] = True
                    break
                self.assign(stmt.target, item, scope)
                try:
                    self.exec_body(stmt.body, scope)
                except _Break:
                    broke = True
                    break
                except _Continue:
                    continue
                if loop["uncertain"]:
                    break
        finally:
            self._loops = self._loops[:-1]
        if loop["uncertain"]:
            # a break/continue under an unknown condition: what follows is uncertain
            self._forget_assigned(stmt.body, scope)
            return
        if not broke and stmt.orelse is not None:
            self.exec_body(stmt.orelse.body, scope)

    def _idle_loop(self, marks, iterations: int) -> bool:
        """The loop built no model structure so far, and it either computed tensors (a
        sampling loop) or did much other work (training, text generation, data handling).
        Unrolling it further would only spend the step budget."""
        if self.structure_events != marks[0]:
            return False
        return self.op_events > marks[1] or self.steps - marks[2] > IDLE_LOOP_STEPS

    def _run_loop_body(self, body, scope):
        try:
            self.exec_body(body, scope)
        except (_Break, _Continue):
            pass

    def exec_while(self, stmt: cst.While, scope: Scope) -> None:
        iterations = 0
        loop = {"uncertain": False}
        self._loops = self._loops + [loop]
        marks = (self.structure_events, self.op_events, self.steps)
        try:
            while True:
                cond = truth(self.eval(stmt.test, scope))
                if iterations >= UNROLL_MIN and self._idle_loop(marks, iterations):
                    cond = UNKNOWN
                if iterations >= MAX_LOOP_ITERATIONS:
                    self.note_limit("a while loop is unrolled at most %d times" % MAX_LOOP_ITERATIONS, stmt)
                if cond is UNKNOWN or iterations >= MAX_LOOP_ITERATIONS:
                    self.speculate([lambda s: self._run_loop_body(stmt.body, s), lambda s: None], scope)
                    self._forget_assigned(stmt.body, scope)
                    return
                if not cond:
                    break
                iterations += 1
                self.tick(stmt)
                try:
                    self.exec_body(stmt.body, scope)
                except _Break:
                    return
                except _Continue:
                    pass
                if loop["uncertain"]:
                    # a break or continue under an unknown condition: how many times the
                    # loop runs is unknown, and so is what it leaves behind
                    self._forget_assigned(stmt.body, scope)
                    return
        finally:
            self._loops = self._loops[:-1]
        if stmt.orelse is not None:
            self.exec_body(stmt.orelse.body, scope)

    def _forget_assigned(self, body, scope: Scope) -> None:
        """After a loop whose number of iterations is unknown: names it may bind become
        unknown, and objects it may change (method receivers, call arguments, targets of
        item or attribute assignment) are tainted.  Names it only reads or calls keep
        their values: calling a layer does not change the layer."""
        for name in _assigned_names(body):
            s: Optional[Scope] = scope
            while s is not None and name not in s.vars:
                s = s.parent
            if s is None:
                continue
            v = s.vars[name]
            if isinstance(v, Obj):
                v.taint()
            elif isinstance(v, (list, dict)):
                self.mark_tainted(v)
            if s is scope:
                scope.vars[name] = UNKNOWN

    # -- functions and classes ------------------------------------------------------

    def _defaults(self, fn: cst.FunctionDef, scope: Scope) -> Dict[str, Any]:
        out = {}
        p = fn.params
        for param in list(p.params) + list(p.kwonly_params) + list(getattr(p, "posonly_params", [])):
            if param.default is not None:
                out[param.name.value] = self.eval(param.default, scope)
        return out

    def call_function(self, f: Function, args: List[Any], kwargs: Dict[str, Any], node) -> Any:
        if self.depth >= MAX_CALL_DEPTH:
            self.note_limit("calls of the file's functions nested more than %d deep (recursion or deep helper inlining) are not followed" % MAX_CALL_DEPTH, node)
            self.taint_args(args, kwargs)
            return UNKNOWN
        if getattr(f, "foreign", False):
            here = self.span(node) if node is not None else None
            self.anchors.append(here if here is not None else (self.anchors[-1] if self.anchors else Span(1, 0, 1, 0)))
            try:
                return self._call_function(f, args, kwargs, node)
            finally:
                self.anchors.pop()
        return self._call_function(f, args, kwargs, node)

    def _call_function(self, f: Function, args: List[Any], kwargs: Dict[str, Any], node) -> Any:
        scope = Scope(parent=f.scope)
        p = f.node.params
        positional = f.positional
        if positional is None:
            positional = f.positional = list(getattr(p, "posonly_params", [])) + list(p.params)
        args = list(args)
        for param in positional:
            name = param.name.value
            if args:
                scope.vars[name] = args.pop(0)
            elif name in kwargs:
                scope.vars[name] = kwargs.pop(name)
            elif name in f.defaults:
                scope.vars[name] = f.defaults[name]
            else:
                scope.vars[name] = UNKNOWN
        # a builder analysed on its own (nobody calls it) gets unknown *args/**kwargs,
        # not empty ones: real callers pass something
        synthetic = getattr(self, "synthetic_call", None) is f
        if synthetic:
            self.synthetic_call = None
        if type(p.star_arg) is cst.Param:
            scope.vars[p.star_arg.name.value] = UNKNOWN if synthetic else tuple(args)
        for param in p.kwonly_params:
            name = param.name.value
            if name in kwargs:
                scope.vars[name] = kwargs.pop(name)
            else:
                scope.vars[name] = f.defaults.get(name, UNKNOWN)
        if p.star_kwarg is not None:
            scope.vars[p.star_kwarg.name.value] = UNKNOWN if synthetic else dict(kwargs)
        self.depth += 1
        first = scope.vars.get(positional[0].name.value) if positional else None
        frame = {"returns": [], "func": f, "self": first}
        self._frames.append(frame)
        saved_loops = self._loops
        self._loops = []
        result = None
        try:
            self.exec_body(self._body_of(f), scope)
        except _Return as r:
            result = r.value
        except (_Break, _Continue, _Raise):
            result = UNKNOWN
        finally:
            self.depth -= 1
            self._frames.pop()
            self._loops = saved_loops
        candidates = [v for v in frame["returns"]]
        if result is not _MERGE_PENDING:
            candidates.append(result)
        if not candidates:
            return UNKNOWN
        v = candidates[0]
        for other in candidates[1:]:
            v = merge_values(v, other)
        return v

    def call_on_its_own(self, f: Function) -> None:
        """Run a builder nobody calls with its default arguments (unknown ``*args`` and
        ``**kwargs``), within MAX_SYNTHETIC_STEPS of the file's steps: one function that
        branches without end over unknown data stops there (an SL004 note), not the file."""
        self.synthetic_call = f
        self.step_cap = min(MAX_STEPS, self.steps + MAX_SYNTHETIC_STEPS)
        self.on_its_own += 1
        try:
            f.call(self, [], {}, f.node)
        except CallBudget as lim:
            self.synthetic_call = None
            self.note_limit(lim.what, f.node)
        finally:
            self.step_cap = MAX_STEPS
            self.on_its_own -= 1

    def may_build(self, f: Function) -> bool:
        """False only when running ``f`` cannot create anything the analysis reports: its body
        (and the bodies of the functions it names) names nothing but builtins, constants,
        modules of libraries no front-end knows, plain classes whose methods are such
        functions, and names imported from the project that the model filter finds build
        nothing when called; it imports nothing and assigns no global.  Such a function is
        not run as a builder nobody calls (most of the time spent on files that are not
        model files: weight conversion, printing, I/O)."""
        if self.star_imports:
            return True  # any name may come from the star-imported module
        return self._may_build(f, {})

    def _may_build(self, f: Function, seen: Dict[int, bool]) -> bool:
        if id(f) in seen:
            return seen[id(f)]
        seen[id(f)] = False  # a cycle adds nothing: each member is checked on its own names
        answer = True
        n = cut_number(f.node.body)
        if n is not None and all(_inert_value(v) for v in f.defaults.values()):
            names = lazy_words(n)
            if not (names & _DYNAMIC_WORDS):
                answer = False
                g = f.scope.module().vars  # the globals of the function's own module
                for name in names:
                    if name not in g:
                        continue  # a local, an attribute, a word in a string, a builtin
                    v = g[name]
                    t = type(v)
                    if t is Function:
                        if v.bound_self is not None or self._may_build(v, seen):
                            answer = True
                            break
                    elif t is LazyImport:
                        if self._import_may_build(v):
                            answer = True
                            break
                    elif t is ClassVal:
                        if self._class_may_build(v, seen):
                            answer = True
                            break
                    elif not _builds_nothing(v):
                        answer = True
                        break
        seen[id(f)] = answer
        return answer

    def _class_may_build(self, cls: "ClassVal", seen: Dict[int, bool]) -> bool:
        """False only for an undecorated class whose bases are plain classes of the project
        (or ``object``) and whose methods and class attributes, and its bases', may build
        nothing (see :meth:`may_build`): making or using it builds nothing."""
        if id(cls) in seen:
            return seen[id(cls)]
        seen[id(cls)] = False
        answer = False
        todo, done = [cls], set()
        while todo and not answer:
            c = todo.pop()
            if id(c) in done:
                continue
            done.add(id(c))
            if c.node.decorators:
                answer = True
                break
            for b in c._bases:  # not .bases: that follows the imports of deferred ones
                if type(b) is ClassVal:
                    todo.append(b)
                elif not (type(b) is ModuleRef and b.path == "object"):
                    answer = True  # a framework's base, or one not followed yet
            for v in c.namespace.values():
                if answer:
                    break
                t = type(v)
                if t is Function:
                    answer = v.bound_self is not None or self._may_build(v, seen)
                elif t is ClassVal:
                    answer = self._class_may_build(v, seen)
                else:
                    answer = not _builds_nothing(v)
        seen[id(cls)] = answer
        return answer

    def _import_may_build(self, lazy: "LazyImport") -> bool:
        """A name a module of the project imports and nobody has read yet: whether calling
        it could build layers or make a tensor, as the model filter judges the imported
        module's text (:meth:`ModelFilter.builds_when_called`; True when unsure)."""
        if lazy.state or self.project is None:
            return True
        stmt = lazy.stmt
        if isinstance(stmt.names, cst.ImportStar):
            return True
        name = None
        for alias in stmt.names:
            local = alias.asname.name.value if alias.asname is not None else self.dotted(alias.name)
            if local == lazy.local:
                name = self.dotted(alias.name)
                break
        if not name or "." in name:
            return True
        base = self.dotted(stmt.module) if stmt.module is not None else ""
        level = len(stmt.relative)
        key = (lazy.importer, level, base, name)
        known = self._import_answers.get(key)
        if known is not None:
            return known
        answer = True  # unless shown otherwise
        path = sub = None
        if level:
            path = self.project.find_relative(lazy.importer, level, base)
            sub = self.project.find_relative(lazy.importer, level, (base + "." + name) if base else name)
        elif base:
            root = base.split(".")[0]
            path = self.project.find_absolute(base) if root not in self.NEVER_PROJECT else None
            if path is None:
                # not the project's: the name is what the front-ends make of its path, and
                # nothing outside the frameworks they know builds anything
                answer = root in FRAMEWORK_ROOTS
            else:
                sub = self.project.find_absolute(base + "." + name)
        if path is not None and sub is None:  # (a submodule, ``from . import blocks``: True)
            from ..modelfilter import for_roots

            answer = for_roots(self.project.src_roots).builds_when_called(path, name)
        self._import_answers[key] = answer
        return answer

    def _body_of(self, f: Function):
        """The function's block; a body cut out of the file before parsing
        (shapelint.lazybodies) is parsed now, on its first call.  Kept on the function."""
        if f.real_body is not None:
            return f.real_body
        body = f.node.body
        n = cut_number(body)
        if n is not None:
            body = lazy_block(n)
            if body is None:
                raise _Raise()  # cannot happen for a file that parsed whole: the call is unknown
            if not f.foreign:
                add = getattr(self.positions, "add_segment", None)
                if add is not None:
                    add(n)
        f.real_body = body
        return body

    def exec_class(self, stmt: cst.ClassDef, scope: Scope) -> None:
        bases = [self._deferred_base(b, scope) or self.eval(b.value, scope) for b in stmt.bases]
        ns_scope = Scope(parent=scope)
        cls = ClassVal(stmt, bases, ns_scope.vars)
        self.assign_name(stmt.name.value, cls, scope)
        # Only definitions are recorded: class bodies are not run as code.
        for s in stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else []:
            if isinstance(s, cst.FunctionDef):
                method = Function(s, scope, self._defaults(s, scope), self)
                method.owner = cls
                ns_scope.vars[s.name.value] = method
            elif isinstance(s, cst.SimpleStatementLine):
                for small in s.body:
                    if isinstance(small, (cst.Assign, cst.AnnAssign)):
                        try:
                            self.exec_small(small, ns_scope)
                        except (_Return, _Break, _Continue):
                            pass
        if _dataclass_decorator(stmt) == "init":
            cls.dataclass_fields = self._dataclass_fields(cls, stmt, ns_scope)
            if "__init__" not in ns_scope.vars:
                ns_scope.vars["__init__"] = self._dataclass_init(cls, scope)

    def _deferred_base(self, arg: cst.Arg, scope: Scope) -> Optional[_DeferredBase]:
        """A base class whose name comes from an import not followed yet, left for later."""
        if arg.star or not DEFER_BASES:
            return None
        attrs: List[str] = []
        node = arg.value
        while isinstance(node, cst.Attribute):
            attrs.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name):
            return None
        try:
            value = scope.lookup(node.value)
        except KeyError:
            return None
        if type(value) is not LazyImport or value.state:
            return None
        attrs.reverse()
        return _DeferredBase(value, attrs, self)

    def _dataclass_fields(self, cls: ClassVal, stmt: cst.ClassDef, ns_scope: Scope) -> List[Tuple[str, Any]]:
        """(name, default) of a dataclass's fields, those of its dataclass bases first."""
        fields: Dict[str, Any] = {}
        for base in reversed(cls.mro()[1:]):
            for name, default in getattr(base, "dataclass_fields", []):
                fields[name] = default
        for s in stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else []:
            if not isinstance(s, cst.SimpleStatementLine):
                continue
            for small in s.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    if "ClassVar" in cst.Module([]).code_for_node(small.annotation.annotation):
                        continue
                    name = small.target.value
                    v = small.value
                    if isinstance(v, cst.Call) and self.dotted(v.func) in ("field", "dataclasses.field") and any(
                        a.keyword is not None and a.keyword.value == "init" for a in v.args
                    ):
                        fields.pop(name, None)  # field(init=False): not a parameter
                        continue
                    fields[name] = ns_scope.vars.get(name, UNKNOWN) if small.value is not None else _ABSENT
        return list(fields.items())

    def _dataclass_init(self, cls: ClassVal, scope: Scope) -> "Function":
        """The ``__init__`` that ``@dataclass`` writes: one parameter per field."""
        names = [n for n, _ in cls.dataclass_fields]
        body = "".join("    self.%s = %s\n" % (n, n) for n in names)
        if cls.lookup("__post_init__") is not _ABSENT:
            body += "    self.__post_init__()\n"
        body = body or "    pass\n"
        node = cst.parse_statement("def __init__(self%s):\n%s" % ("".join(", " + n for n in names), body))
        defaults = {n: d for n, d in cls.dataclass_fields if d is not _ABSENT}
        init = Function(node, scope, defaults, self)
        init.owner = cls
        return init

    # -- expressions ----------------------------------------------------------------

    def eval(self, node, scope: Scope) -> Any:
        self.steps += 1
        if self.steps > self.step_cap:
            self.tick(node)  # raises AnalysisLimit
        t = type(node)
        if t is cst.Name:  # most of what is evaluated: looked up here, without the depth guard
            name = node.value
            s = scope
            while s is not None:
                found = s.vars
                if name in found:
                    value = found[name]
                    return value.resolve(self) if type(value) is LazyImport else value
                s = s.parent
            return self._eval_unbound_name(name)
        method = _EVAL.get(t)
        if method is None:
            return UNKNOWN
        if t is cst.Integer or t is cst.SimpleString:  # leaves: nothing nested
            return method(self, node, scope)
        if self.expr_depth >= MAX_EXPR_DEPTH:
            # 1 + 1 + ... + 1 a thousand terms long: Python's stack would overflow first
            self.note_limit("expressions nested more than %d deep are not evaluated" % MAX_EXPR_DEPTH, node)
            return UNKNOWN
        self.expr_depth += 1
        try:
            return method(self, node, scope)
        finally:
            self.expr_depth -= 1

    def eval_name(self, node: cst.Name, scope: Scope):
        name = node.value
        try:
            value = scope.lookup(name)
        except KeyError:
            pass
        else:
            return value.resolve(self) if type(value) is LazyImport else value
        return self._eval_unbound_name(name)

    def _eval_unbound_name(self, name: str):
        """A name no scope binds: a builtin, a name from ``import *``, or unknown."""
        if name in self.builtins:
            return self.builtins[name]
        for star in self.star_imports:
            v = self.resolve_path(star + "." + name)
            if not isinstance(v, ModuleRef) or self._known_path(v.path):
                return v
        return UNKNOWN

    def _known_path(self, path: str) -> bool:
        for fe in self.frontends:
            known = getattr(fe, "knows_path", None)
            if known is not None and known(path):
                return True
        return False

    def eval_attribute(self, node: cst.Attribute, scope: Scope):
        obj = self.eval(node.value, scope)
        return self.get_attr(obj, node.attr.value)

    def get_attr(self, obj, name: str):
        if obj is UNKNOWN:
            return UNKNOWN
        if isinstance(obj, Obj):
            return obj.attr(name, self)
        if isinstance(obj, list):
            return _list_method(self, obj, name)
        if isinstance(obj, dict):
            return _dict_method(self, obj, name)
        if isinstance(obj, ConstArray):
            if name == "tolist":
                return Builtin(name, lambda: list(obj))
            if name in ("shape", "size", "ndim"):
                return {"shape": (len(obj),), "size": len(obj), "ndim": 1}[name]
            return UNKNOWN
        if isinstance(obj, (str, tuple, int, float)):
            attr = getattr(obj, name, None)
            if callable(attr) and name in _SAFE_METHODS:
                return Builtin(name, attr)
        return UNKNOWN

    def eval_call(self, node: cst.Call, scope: Scope):
        func = self.eval(node.func, scope)
        args: List[Any] = []
        kwargs: Dict[str, Any] = {}
        for a in node.args:
            v = self.eval(a.value, scope)
            if a.star == "*":
                seq = self.iterate(v)
                if seq is None:
                    # unknown number of positional arguments: nothing after is certain
                    self.taint_value(v)
                    return self._unknown_call(func, args, kwargs, node)
                args.extend(seq)
            elif a.star == "**":
                if isinstance(v, dict) and id(v) not in self.tainted_lists:
                    kwargs.update({str(k): x for k, x in v.items()})
                else:
                    return self._unknown_call(func, args, kwargs, node)
            elif a.keyword is not None:
                kwargs[a.keyword.value] = v
            else:
                args.append(v)
        if func is UNKNOWN or not isinstance(func, Obj):
            return self._unknown_call(func, args, kwargs, node)
        return func.call(self, args, kwargs, node)

    def _unknown_call(self, func, args, kwargs, node=None):
        """A call of something unknown: what it is given may change, and what it returns
        is unknown (a front-end may still record it, e.g. as an opaque graph node)."""
        self.taint_args(args, kwargs)
        self.last_unknown_call = self.steps
        for fe in self.frontends:
            hook = getattr(fe, "unknown_call", None)
            if hook is not None:
                v = hook(self, args, kwargs, node)
                if v is not NotImplemented:
                    return v
        return UNKNOWN

    def eval_integer(self, node, scope):
        return _literal(node.value)

    def eval_float(self, node, scope):
        return _literal(node.value)

    def eval_string(self, node, scope):
        raw = node.value
        value = _STRINGS.get(raw, _ABSENT_STRING)
        if value is _ABSENT_STRING:
            value = _string_value(node)
            if len(_STRINGS) > 50_000:
                _STRINGS.clear()
            _STRINGS[raw] = value
        return value

    def eval_concat_string(self, node, scope):
        left = self.eval(node.left, scope)
        right = self.eval(node.right, scope)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return UNKNOWN

    def eval_fstring(self, node: cst.FormattedString, scope):
        """f-strings over known scalars (layer names such as ``f"{prefix}_conv"``)."""
        out: List[str] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                if "\\" in part.value and "r" not in node.prefix.lower():
                    return UNKNOWN  # escape sequences: not worth decoding for a name
                out.append(part.value.replace("{{", "{").replace("}}", "}"))
                continue
            v = self.eval(part.expression, scope)
            if not isinstance(v, (int, float, str, bool, type(None))):
                return UNKNOWN
            conv = part.conversion
            if conv == "r":
                v = repr(v)
            elif conv == "s":
                v = str(v)
            elif conv == "a":
                v = ascii(v)
            spec = ""
            if part.format_spec is not None:
                spec_parts = []
                for sp in part.format_spec:
                    if isinstance(sp, cst.FormattedStringText):
                        spec_parts.append(sp.value)
                    else:
                        sv = self.eval(sp.expression, scope)
                        if not isinstance(sv, (int, str)):
                            return UNKNOWN
                        spec_parts.append(str(sv))
                spec = "".join(spec_parts)
            if _LONG_DIGITS.search(spec):
                return self._too_large(node)  # f"{x:>1000000000}"
            try:
                out.append(format(v, spec))
            except Exception:
                return UNKNOWN
        text = "".join(out)
        return text if len(text) <= MAX_SEQUENCE else UNKNOWN

    def eval_set(self, node: cst.Set, scope):
        items = self._elements(node.elements, scope)
        if items is None or contains_unknown(items) or not all(_hashable(x) for x in items):
            return UNKNOWN
        return frozenset(items)

    def _elements(self, elements, scope) -> Optional[List[Any]]:
        out: List[Any] = []
        for e in elements:
            if type(e) is cst.StarredElement:
                seq = self.iterate(self.eval(e.value, scope))
                if seq is None:
                    return None
                out.extend(seq)
            else:
                out.append(self.eval(e.value, scope))
        return out

    def eval_tuple(self, node, scope):
        items = self._elements(node.elements, scope)
        return UNKNOWN if items is None else tuple(items)

    def eval_list(self, node, scope):
        items = self._elements(node.elements, scope)
        return UNKNOWN if items is None else items

    def eval_dict(self, node, scope):
        out = {}
        for e in node.elements:
            if isinstance(e, cst.DictElement):
                k = self.eval(e.key, scope)
                v = self.eval(e.value, scope)
                if k is UNKNOWN or not _hashable(k):
                    return UNKNOWN
                out[k] = v
            else:
                v = self.eval(e.value, scope)
                if not isinstance(v, dict):
                    return UNKNOWN
                out.update(v)
        return out

    def eval_binop(self, node: cst.BinaryOperation, scope):
        left = self.eval(node.left, scope)
        right = self.eval(node.right, scope)
        return self.binop(type(node.operator), left, right, node)

    def binop(self, opcls, left, right, node):
        if isinstance(left, Obj) or isinstance(right, Obj):
            for fe in self.frontends:
                v = fe.binary_op(self, _BINOP_NAMES.get(opcls, "?"), left, right, node)
                if v is not NotImplemented:
                    return v
            return UNKNOWN
        if opcls is cst.Add and type(left) is type(right) and type(left) in (tuple, list):
            # concatenation keeps whatever the elements are
            if id(left) in self.tainted_lists or id(right) in self.tainted_lists:
                return UNKNOWN
            if len(left) + len(right) > MAX_SEQUENCE:
                return self._too_large(node)
            return left + right
        if opcls is cst.Multiply and type(left) in (tuple, list) and isinstance(right, int) and not isinstance(right, bool):
            if id(left) in self.tainted_lists:
                return UNKNOWN
            if len(left) * max(right, 0) > MAX_SEQUENCE:
                return self._too_large(node)
            return left * right
        if contains_unknown(left) or contains_unknown(right):
            return UNKNOWN
        fn = _BINOPS.get(opcls)
        if fn is None or not (_is_const(left) and _is_const(right)):
            return UNKNOWN
        if isinstance(left, _CONTAINERS) or isinstance(right, _CONTAINERS):
            if not _deep_ok(left, right):
                return self._too_large(node)
        if opcls is cst.Modulo and isinstance(left, (str, bytes)) and not _format_ok(left if isinstance(left, str) else left.decode("latin-1")):
            return self._too_large(node)
        if opcls is cst.Power and isinstance(right, int) and abs(right) > 256:
            return UNKNOWN
        if opcls is cst.Multiply and isinstance(left, (str, list, tuple, bytes)) and isinstance(right, int) and len(left) * right > MAX_SEQUENCE:
            return self._too_large(node)
        if opcls is cst.Multiply and isinstance(right, (str, list, tuple, bytes)) and isinstance(left, int) and len(right) * left > MAX_SEQUENCE:
            return self._too_large(node)
        if opcls is cst.LeftShift and isinstance(right, int) and right > MAX_INT_BITS:
            return self._too_large(node)
        try:
            v = fn(left, right)
        except Exception:
            return UNKNOWN
        return v if _size_ok(v) else self._too_large(node)

    def _too_large(self, node):
        self.note_limit(
            "constants too large to compute (over %d items, %d bits or %d nested elements) are unknown" % (MAX_SEQUENCE, MAX_INT_BITS, MAX_DEEP),
            node if isinstance(node, cst.CSTNode) else None,
        )
        return UNKNOWN

    def eval_unary(self, node: cst.UnaryOperation, scope):
        v = self.eval(node.expression, scope)
        op = node.operator
        if isinstance(op, cst.Not):
            t = truth(v)
            return UNKNOWN if t is UNKNOWN else (not t)
        if isinstance(v, Obj):
            sym = {cst.Minus: "-", cst.Plus: "+", cst.BitInvert: "~"}.get(type(op), "?")
            for fe in self.frontends:
                hook = getattr(fe, "unary_op", None)
                r = hook(self, sym, v, node) if hook is not None else NotImplemented
                if r is not NotImplemented:
                    return r
            return UNKNOWN
        if v is UNKNOWN or not isinstance(v, (int, float)):
            return UNKNOWN
        if isinstance(op, cst.Minus):
            return -v
        if isinstance(op, cst.Plus):
            return +v
        if isinstance(op, cst.BitInvert) and isinstance(v, int):
            return ~v
        return UNKNOWN

    def eval_boolop(self, node: cst.BooleanOperation, scope):
        left = self.eval(node.left, scope)
        t = truth(left)
        if t is UNKNOWN:
            self.eval(node.right, scope)
            return UNKNOWN
        if isinstance(node.operator, cst.And):
            return self.eval(node.right, scope) if t else left
        return left if t else self.eval(node.right, scope)

    def eval_compare(self, node: cst.Comparison, scope):
        left = self.eval(node.left, scope)
        result = True
        for ct in node.comparisons:
            right = self.eval(ct.comparator, scope)
            op = ct.operator
            if type(op) is cst.Is or type(op) is cst.IsNot:
                r = self._is(left, right)
                if r is not UNKNOWN and type(op) is cst.IsNot:
                    r = not r
            elif (type(op) is cst.In or type(op) is cst.NotIn) and isinstance(right, Obj) and getattr(right, "contains", None) is not None:
                r = right.contains(left)
                if r is not UNKNOWN and type(op) is cst.NotIn:
                    r = not r
            else:
                fn = _CMPOPS.get(type(op))
                if isinstance(left, ConstArray) or isinstance(right, ConstArray):
                    fn = None  # numpy compares elementwise
                if fn is None or contains_unknown(left) or contains_unknown(right) or not (_is_const(left) and _is_const(right)):
                    r = UNKNOWN
                elif (isinstance(left, _CONTAINERS) or isinstance(right, _CONTAINERS)) and not _deep_ok(left, right):
                    r = self._too_large(node)
                else:
                    try:
                        r = bool(fn(left, right))
                    except Exception:
                        r = UNKNOWN
            if r is UNKNOWN:
                return UNKNOWN
            if not r:
                result = False
            left = right
        return result

    @staticmethod
    def _is(a, b):
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
            return a is b
        if isinstance(a, Obj) and isinstance(b, Obj):
            return a is b
        return UNKNOWN

    def eval_ifexp(self, node: cst.IfExp, scope):
        t = truth(self.eval(node.test, scope))
        if t is UNKNOWN:
            return merge_values(self.eval(node.body, scope), self.eval(node.orelse, scope))
        return self.eval(node.body if t else node.orelse, scope)

    def eval_subscript(self, node: cst.Subscript, scope):
        obj = self.eval(node.value, scope)
        if len(node.slice) != 1:
            keys = []
            for el in node.slice:
                keys.append(self._slice_value(el.slice, scope))
            key = tuple(keys)
        else:
            key = self._slice_value(node.slice[0].slice, scope)
        return self.subscript(obj, key)

    def _slice_value(self, s, scope):
        if isinstance(s, cst.Index):
            return self.eval(s.value, scope)
        if isinstance(s, cst.Slice):
            parts = [self.eval(x, scope) if x is not None else None for x in (s.lower, s.upper, s.step)]
            if contains_unknown(parts):
                return UNKNOWN
            return slice(*parts)
        return UNKNOWN

    def subscript(self, obj, key):
        if isinstance(obj, Obj):
            # objects decide what an unknown key means (a tensor stays a tensor)
            getter = getattr(obj, "getitem", None)
            return getter(key, self) if getter is not None else UNKNOWN
        if obj is UNKNOWN or (not isinstance(key, slice) and contains_unknown(key)):
            return UNKNOWN
        if isinstance(obj, (list, tuple, str, dict, range)):
            if id(obj) in self.tainted_lists:
                return UNKNOWN
            try:
                return obj[key]
            except Exception:
                return UNKNOWN
        return UNKNOWN

    def eval_comprehension(self, node, scope):
        """List/tuple/generator comprehensions over known sequences."""
        out: List[Any] = []
        inner = Scope(parent=scope)
        marks = (self.structure_events, self.op_events, self.steps)
        if not self._comp(node.for_in, node.elt, inner, out, marks):
            return UNKNOWN
        if isinstance(node, cst.ListComp):
            return out
        return tuple(out)  # generators are consumed by the builtins that take them

    def _comp(self, comp: cst.CompFor, elt, scope: Scope, out: List[Any], marks=None) -> bool:
        items = self.iterate(self.eval(comp.iter, scope), comp)
        if items is None:
            return False
        for item in items:
            self.tick(comp)
            if marks is not None and len(out) >= UNROLL_MIN and self._idle_loop(marks, len(out)):
                return False  # a large table computed element by element: its value is unknown
            self.assign(comp.target, item, scope)
            ok = True
            for cond in comp.ifs:
                t = truth(self.eval(cond.test, scope))
                if t is UNKNOWN:
                    return False
                if not t:
                    ok = False
                    break
            if not ok:
                continue
            if comp.inner_for_in is not None:
                if not self._comp(comp.inner_for_in, elt, scope, out, marks):
                    return False
            else:
                out.append(self.eval(elt, scope))
                if len(out) > MAX_SEQUENCE:
                    return False
        return True

    def eval_dictcomp(self, node: cst.DictComp, scope):
        """{k: v for ...} over known sequences (keys must be known and hashable)."""
        pairs: List[Any] = []
        inner = Scope(parent=scope)
        elt = cst.Tuple([cst.Element(node.key), cst.Element(node.value)])
        if not self._comp(node.for_in, elt, inner, pairs):
            return UNKNOWN
        out = {}
        for k, v in pairs:
            if k is UNKNOWN or not _hashable(k):
                return UNKNOWN
            out[k] = v
        return out

    def exec_del(self, target, scope: Scope) -> None:
        """``del d[k]``, ``del x``, ``del obj.attr``: what is deleted is gone, or, when that
        is not certain, the container is no longer known."""
        if isinstance(target, (cst.Tuple, cst.List)):
            for e in target.elements:
                self.exec_del(e.value, scope)
            return
        if isinstance(target, cst.Name):
            self.assign_name(target.value, UNKNOWN, scope)
            return
        if isinstance(target, cst.Subscript):
            obj = self.eval(target.value, scope)
            key = UNKNOWN
            if len(target.slice) == 1:
                key = self._slice_value(target.slice[0].slice, scope)
            if isinstance(obj, (list, dict)):
                if self.speculative or key is UNKNOWN or (not isinstance(key, slice) and contains_unknown(key)):
                    self.mark_tainted(obj)
                    return
                try:
                    del obj[key]
                except Exception:
                    self.mark_tainted(obj)
                return
            if isinstance(obj, Obj):
                deleter = getattr(obj, "delitem", None)
                if deleter is not None and key is not UNKNOWN and not self.speculative:
                    deleter(key, self)
                else:
                    obj.taint()
            return
        if isinstance(target, cst.Attribute):
            obj = self.eval(target.value, scope)
            if isinstance(obj, Obj):
                deleter = getattr(obj, "del_attr", None)
                if deleter is not None and not self.speculative:
                    deleter(target.attr.value, self)
                else:
                    obj.taint()

    def eval_named(self, node: cst.NamedExpr, scope):
        v = self.eval(node.value, scope)
        self.assign(node.target, v, scope)
        return v

    def eval_lambda(self, node, scope):
        return UNKNOWN

    def eval_ellipsis(self, node, scope):
        return Ellipsis


# Modules whose functions never return a layer, a model or a tensor the analysis tracks (the
# standard library and data libraries): a function that reaches nothing else builds nothing.
_INERT_MODULES = frozenset("""
    abc argparse ast atexit base64 bisect calendar codecs collections contextlib copy csv
    dataclasses datetime decimal difflib enum errno fnmatch fractions functools gc getpass glob
    gzip hashlib heapq hmac html http importlib inspect io itertools json locale logging math
    multiprocessing numbers operator os pathlib pickle platform pprint queue random re secrets
    shlex shutil signal socket statistics string struct subprocess sys tarfile tempfile textwrap
    threading time timeit traceback types typing typing_extensions unittest urllib uuid warnings
    weakref xml zipfile
    numpy pandas scipy matplotlib PIL cv2 h5py yaml tqdm requests packaging pytest
""".split())
# words that let a body reach names its text does not spell
_DYNAMIC_WORDS = frozenset(("import", "__import__", "global", "nonlocal", "exec", "eval", "globals", "vars", "locals"))
_INERT_TYPES = (int, float, complex, str, bool, bytes, type(None), range, type(Ellipsis))


# the roots of the module paths a front-end gives meaning to (Interpreter.resolve_path,
# Frontend.call_path); a module outside the project under any other root is opaque: calling
# it, or anything read from it, makes an unknown value and builds nothing
FRAMEWORK_ROOTS = frozenset(("torch", "torchvision", "torchinfo", "keras", "tensorflow", "tf_keras", "tf"))


def _builds_nothing(v) -> bool:
    """``v`` is inert (:func:`_inert_value`) or a module of a library no front-end knows."""
    return _inert_value(v) or (type(v) is ModuleRef and v.path.split(".", 1)[0] not in FRAMEWORK_ROOTS)


def _inert_value(v) -> bool:
    """``v`` cannot lead to a layer, a model or a tracked tensor, and cannot be changed by a
    call (mutable containers are not inert: a later function may read what one wrote)."""
    if v is UNKNOWN or isinstance(v, _INERT_TYPES):
        return True
    t = type(v)
    if t is tuple or t is frozenset:
        return all(_inert_value(x) for x in v)
    if t is ModuleRef:
        return v.path.split(".", 1)[0] in _INERT_MODULES
    if t is Builtin:
        return True
    return False


def _merge_two(a: Dict[str, Any], b: Dict[str, Any]) -> Dict[str, Any]:
    """What two paths leave behind (the common case of :func:`_merge_scopes`)."""
    merged: Dict[str, Any] = {}
    for k, v in a.items():
        w = b.get(k, _ABSENT)
        if v is w:
            merged[k] = v if v is not _ABSENT else UNKNOWN
        elif w is _ABSENT:
            merged[k] = UNKNOWN
        else:
            v = merge_values(v, w)
            merged[k] = UNKNOWN if v is _ABSENT else v
    for k in b:
        if k not in merged:
            merged[k] = UNKNOWN
    return merged


def _merge_scopes(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The names the paths leave behind: a value certain on every path, else UNKNOWN (a
    name some path does not bind is UNKNOWN)."""
    merged: Dict[str, Any] = {}
    keys = dict.fromkeys(results[0])  # in the order of the first path (a set's order varies by process)
    for r in results[1:]:
        if len(r) != len(keys) or any(k not in keys for k in r):
            keys.update(dict.fromkeys(r))
    for k in keys:
        vals = [r.get(k, _ABSENT) for r in results]
        v = vals[0]
        if all(x is v for x in vals):  # the same object on every path (most names)
            merged[k] = v if v is not _ABSENT else UNKNOWN
            continue
        for other in vals[1:]:
            if v is _ABSENT or other is _ABSENT:
                v = UNKNOWN
            else:
                v = merge_values(v, other)
        if v is _ABSENT:
            v = UNKNOWN
        merged[k] = v
    return merged


_MERGE_PENDING = object()
_TRY_STAR = getattr(cst, "TryStar", cst.Try)
_MATCH = getattr(cst, "Match", None)
_ABSENT = object()


_LITERALS: Dict[str, Any] = {}


def _literal(text: str) -> Any:
    """The value of a number literal (cached: literal_eval compiles each time)."""
    v = _LITERALS.get(text, _ABSENT)
    if v is _ABSENT:
        try:
            v = ast.literal_eval(text)
        except Exception:
            v = UNKNOWN
        if len(_LITERALS) < 50_000:
            _LITERALS[text] = v
    return v


def _hashable(v) -> bool:
    if isinstance(v, tuple) and not _deep_ok(v):
        return False
    try:
        hash(v)
        return True
    except TypeError:
        return False


def _certainly_absent(obj, name: str) -> bool:
    absent = getattr(obj, "attr_absent", None)
    return absent is not None and absent(name) is True


def _dataclass_decorator(stmt: cst.ClassDef) -> Optional[str]:
    """"init" for a class whose only decorator is ``@dataclass`` (or ``@dataclass(...)``)
    writing an ``__init__``; "other" for other decorators; None for none."""
    if not stmt.decorators:
        return None
    if len(stmt.decorators) != 1:
        return "other"
    d = stmt.decorators[0].decorator
    call = d if isinstance(d, cst.Call) else None
    name = Interpreter.dotted(call.func if call is not None else d)
    if name not in ("dataclass", "dataclasses.dataclass"):
        return "other"
    for arg in call.args if call is not None else ():
        if arg.keyword is not None and arg.keyword.value == "init" and not (isinstance(arg.value, cst.Name) and arg.value.value == "True"):
            return "other"
    return "init"


def _unroll_fully(items) -> bool:
    """A loop over a model's own parts (``for m in self.modules()``, ``for p in
    model.parameters()``) always runs to its end: what it does to them must not be cut
    short, and it is as long as the model is."""
    if not items:
        return False
    first = items[0]
    parts = first if isinstance(first, tuple) else (first,)
    return any(getattr(x, "unroll_fully", False) for x in parts if isinstance(x, Obj))


# Methods that leave what the analysis follows unchanged (a model's structure, a
# container's items): training and inference, printing, reading.
_READ_ONLY_METHODS = frozenset(
    (
        "fit", "fit_generator", "predict", "predict_on_batch", "evaluate", "train_on_batch", "test_on_batch",
        "compile", "summary", "save", "save_weights", "load_weights", "get_weights", "set_weights", "get_layer",
        "count_params", "get_config", "to_json", "numpy", "item", "format", "join", "split", "strip", "startswith",
        "endswith", "lower", "upper", "replace", "keys", "values", "items", "get", "index", "count", "copy",
    )
)


def _assigned_names(body) -> List[str]:
    """Names a block may rebind or whose value it may change (an over-approximation):
    assignment, loop, ``with`` and walrus targets, ``global`` names, the base names of
    attribute and item targets, receivers of method calls and everything passed to a call.
    A name that is only read, or only called, is left out."""
    names: List[str] = []

    def base(expr) -> None:
        while isinstance(expr, (cst.Attribute, cst.Subscript)):
            expr = expr.value
        if isinstance(expr, cst.Name):
            names.append(expr.value)
        elif isinstance(expr, (cst.Tuple, cst.List)):
            for e in expr.elements:
                base(e.value)
        elif isinstance(expr, cst.StarredElement):
            base(expr.value)

    def passed(expr) -> None:
        """Names whose objects an argument expression hands over (not new values computed
        from them: ``f(n * 2)`` cannot change ``n``)."""
        if isinstance(expr, (cst.Name, cst.Attribute, cst.Subscript)):
            base(expr)
        elif isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            for e in expr.elements:
                passed(e.value)
        elif isinstance(expr, cst.Dict):
            for e in expr.elements:
                passed(e.value)
        elif isinstance(expr, (cst.StarredElement, cst.Element)):
            passed(expr.value)
        elif isinstance(expr, cst.IfExp):
            passed(expr.body)
            passed(expr.orelse)
        elif isinstance(expr, cst.BooleanOperation):
            passed(expr.left)
            passed(expr.right)
        elif isinstance(expr, cst.NamedExpr):
            passed(expr.value)
        elif isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            passed(expr.elt)  # the elements are handed over, not the names iterated
        elif isinstance(expr, cst.DictComp):
            passed(expr.value)
        # a lambda hands over nothing by itself: the calls in its body are visited anyway

    def every_name(expr) -> None:
        class All(cst.CSTVisitor):
            def visit_Name(self, node):
                names.append(node.value)

        expr.visit(All())

    class V(cst.CSTVisitor):
        def visit_AssignTarget(self, node):
            base(node.target)

        def visit_AnnAssign(self, node):
            base(node.target)

        def visit_AugAssign(self, node):
            base(node.target)

        def visit_For(self, node):
            base(node.target)

        def visit_CompFor(self, node):
            base(node.target)

        def visit_AsName(self, node):
            base(node.name)

        def visit_NamedExpr(self, node):
            base(node.target)

        def visit_Del(self, node):
            base(node.target)

        def visit_Global(self, node):
            names.extend(n.name.value for n in node.names)

        def visit_Nonlocal(self, node):
            names.extend(n.name.value for n in node.names)

        def visit_FunctionDef(self, node):
            names.append(node.name.value)

        def visit_ClassDef(self, node):
            names.append(node.name.value)

        def visit_Call(self, node):
            if isinstance(node.func, cst.Attribute) and node.func.attr.value not in _READ_ONLY_METHODS:
                base(node.func.value)  # a method may change its receiver
            for a in node.args:
                passed(a.value)  # and a callee the objects it is given

    try:
        body.visit(V())
    except Exception:
        # fall back to every name in the block
        names.clear()
        every_name(body) if isinstance(body, cst.CSTNode) else None
    return names


_EVAL = {
    cst.Name: Interpreter.eval_name,
    cst.Attribute: Interpreter.eval_attribute,
    cst.Call: Interpreter.eval_call,
    cst.Integer: Interpreter.eval_integer,
    cst.Float: Interpreter.eval_float,
    cst.SimpleString: Interpreter.eval_string,
    cst.ConcatenatedString: Interpreter.eval_concat_string,
    cst.FormattedString: Interpreter.eval_fstring,
    cst.Set: Interpreter.eval_set,
    cst.Tuple: Interpreter.eval_tuple,
    cst.List: Interpreter.eval_list,
    cst.Dict: Interpreter.eval_dict,
    cst.BinaryOperation: Interpreter.eval_binop,
    cst.UnaryOperation: Interpreter.eval_unary,
    cst.BooleanOperation: Interpreter.eval_boolop,
    cst.Comparison: Interpreter.eval_compare,
    cst.IfExp: Interpreter.eval_ifexp,
    cst.Subscript: Interpreter.eval_subscript,
    cst.ListComp: Interpreter.eval_comprehension,
    cst.GeneratorExp: Interpreter.eval_comprehension,
    cst.DictComp: Interpreter.eval_dictcomp,
    cst.NamedExpr: Interpreter.eval_named,
    cst.Lambda: Interpreter.eval_lambda,
    cst.Ellipsis: Interpreter.eval_ellipsis,
}

_SAFE_METHODS = {
    "index", "count", "upper", "lower", "strip", "startswith", "endswith", "split", "join",
    "replace", "format", "bit_length", "is_integer",
}


def _list_method(interp: Interpreter, lst: list, name: str):
    def mutate(fn):
        def method(it, args, kwargs, node):
            if len(lst) + (len(args[0]) if name == "extend" and args and hasattr(args[0], "__len__") else 1) > MAX_SEQUENCE:
                it.mark_tainted(lst)  # x.extend(x) in a loop
                it._too_large(node)
                return None
            if it.speculative:
                it.mark_tainted(lst)
            try:
                return fn(*args, **kwargs)
            except Exception:
                it.mark_tainted(lst)
                return UNKNOWN

        return BoundMethod(method, name)

    if name in ("append", "extend", "insert", "pop", "remove", "clear", "reverse"):
        return mutate(getattr(lst, name))
    if name in ("index", "count", "copy"):
        attr = getattr(lst, name)
        return Builtin(name, attr)
    return UNKNOWN


def _dict_method(interp: Interpreter, d: dict, name: str):
    if name in ("get", "keys", "values", "items", "copy"):
        fn = getattr(d, name)
        if name in ("keys", "values", "items"):
            return Builtin(name, lambda: list(fn()))
        return Builtin(name, fn)
    if name in ("update", "setdefault", "pop"):
        def method(it, args, kwargs, node):
            it.mark_tainted(d) if it.speculative else None
            try:
                return getattr(d, name)(*args, **kwargs)
            except Exception:
                return UNKNOWN

        return BoundMethod(method, name)
    return UNKNOWN


class ConstArray(tuple):
    """A 1-D numpy array of known numbers (``np.linspace(0, rate, depth)``): elementwise
    arithmetic; anything else numpy would do differently from a tuple gives UNKNOWN."""

    def _op(self, other, fn):
        try:
            if isinstance(other, (int, float)) and not isinstance(other, bool):
                return ConstArray(fn(x, other) for x in self)
            if isinstance(other, tuple) and len(other) == len(self):
                return ConstArray(fn(x, y) for x, y in zip(self, other))
        except (ArithmeticError, ValueError, TypeError):
            pass
        raise _Unknowable()

    def __add__(self, o):
        return self._op(o, operator.add)

    def __radd__(self, o):
        return self._op(o, lambda x, y: y + x)

    def __sub__(self, o):
        return self._op(o, operator.sub)

    def __rsub__(self, o):
        return self._op(o, lambda x, y: y - x)

    def __mul__(self, o):
        return self._op(o, operator.mul)

    def __rmul__(self, o):
        return self._op(o, lambda x, y: y * x)

    def __truediv__(self, o):
        return self._op(o, operator.truediv)

    def __floordiv__(self, o):
        return self._op(o, operator.floordiv)

    def __pow__(self, o):
        return self._op(o, operator.pow)

    def __getitem__(self, key):
        v = tuple.__getitem__(self, key)
        return ConstArray(v) if isinstance(key, slice) else v


def _numpy_call(name: str, args, kwargs):
    """The few numpy functions model code uses on constants."""
    nums = all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args)
    try:
        if name == "linspace" and nums and 2 <= len(args) <= 3 and set(kwargs) <= {"num", "endpoint"}:
            start, stop = args[0], args[1]
            num = args[2] if len(args) > 2 else kwargs.get("num", 50)
            endpoint = kwargs.get("endpoint", True)
            if not isinstance(num, int) or num < 0 or num > MAX_SEQUENCE or not isinstance(endpoint, bool):
                return NotImplemented
            div = (num - 1) if endpoint else num
            if num == 1 or div == 0:
                return ConstArray([float(start)][:num])
            step = (stop - start) / div
            vals = [start + i * step for i in range(num)]
            if endpoint and num > 1:
                vals[-1] = float(stop)
            return ConstArray(float(v) for v in vals)
        if name == "arange" and nums and 1 <= len(args) <= 3 and not kwargs and all(isinstance(a, int) for a in args):
            r = range(*args)
            if len(r) > MAX_SEQUENCE:
                return NotImplemented
            return ConstArray(r)
        if name in ("array", "asarray") and len(args) == 1 and set(kwargs) <= {"dtype"} and "dtype" not in kwargs:
            v = args[0]
            if isinstance(v, (list, tuple)) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
                return ConstArray(v)
        if name in ("prod", "sum") and len(args) == 1 and not kwargs:
            v = args[0]
            if isinstance(v, (list, tuple)) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
                out = 1 if name == "prod" else 0
                for x in v:
                    out = out * x if name == "prod" else out + x
                return out
        if name in ("sqrt", "ceil", "floor", "log", "log2", "exp") and len(args) == 1 and nums and not kwargs:
            v = getattr(math, name)(args[0])
            return float(v)
    except (ValueError, ArithmeticError, OverflowError):
        return NotImplemented
    return NotImplemented


def _copy_const(v, deep: bool):
    if isinstance(v, list):
        return [_copy_const(x, deep) for x in v] if deep else list(v)
    if isinstance(v, dict):
        return {k: _copy_const(x, deep) for k, x in v.items()} if deep else dict(v)
    if isinstance(v, tuple) and deep:
        return tuple(_copy_const(x, deep) for x in v)
    return v


def _range(*args):
    if not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        raise _Unknowable()
    r = range(*args)
    if len(r) > MAX_SEQUENCE:
        raise _Unknowable()
    return r


def _make_builtins() -> Dict[str, Builtin]:
    def known_seq(v):
        if isinstance(v, range):
            return list(v)
        if isinstance(v, (list, tuple, str)):
            return list(v)
        iterate = getattr(v, "iterate", None)  # framework containers (nn.ModuleList)
        if iterate is not None:
            seq = iterate()
            if seq is not None:
                return list(seq)
        raise _Unknowable()

    def _len(v):
        if isinstance(v, (list, tuple, str, dict, range, bytes)):
            return len(v)
        return len(known_seq(v))

    def _list(v=()):
        return list(known_seq(v))

    def _tuple(v=()):
        return tuple(known_seq(v))

    def _zip(*seqs):
        return list(zip(*[known_seq(s) for s in seqs]))

    def _enumerate(seq, start=0):
        return list(enumerate(known_seq(seq), start))

    def _reversed(seq):
        return list(reversed(known_seq(seq)))

    def numeric(fn):
        def wrapped(*args, **kwargs):
            for a in list(args) + list(kwargs.values()):
                if not _is_const(a):
                    raise _Unknowable()
            v = fn(*args, **kwargs)
            if isinstance(v, (map, filter, zip)):
                v = list(v)
            return v

        return wrapped

    table = {
        "range": _range,
        "len": _len,
        "list": _list,
        "tuple": _tuple,
        "zip": _zip,
        "enumerate": _enumerate,
        "reversed": _reversed,
        "int": numeric(int),
        "float": numeric(float),
        "abs": numeric(abs),
        "min": numeric(min),
        "max": numeric(max),
        "sum": numeric(sum),
        "round": numeric(round),
        "bool": numeric(bool),
        "str": numeric(str),
        "sorted": numeric(sorted),
        "divmod": numeric(divmod),
        "pow": numeric(lambda a, b, *m: UNKNOWN if isinstance(b, int) and b > 256 else pow(a, b, *m)),
        "print": lambda *a, **k: None,
        "dict": numeric(dict),
        "chr": numeric(chr),
        "ord": numeric(ord),
        "any": numeric(any),
        "all": numeric(all),
        "set": numeric(frozenset),
        "frozenset": numeric(frozenset),
    }
    out = {k: Builtin(k, v) for k, v in table.items()}
    out["super"] = _SuperBuiltin()  # type: ignore[assignment]
    out["True"] = True  # type: ignore[assignment]
    out["False"] = False  # type: ignore[assignment]
    out["None"] = None  # type: ignore[assignment]
    return out
