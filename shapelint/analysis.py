"""The per-file pipeline: bytes -> text -> LibCST tree -> front-ends -> graph -> checks.

Nothing here raises for bad input: an unreadable file, a syntax error or a crash of the
analysis becomes a diagnostic for that file.
"""

from __future__ import annotations

import codecs
import io
import re
import sys
import tokenize
import traceback
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from .diagnostics import Diagnostic, Span, file_span
from .engine.registry import Options
from .graph import LayerGraph, ModelInfo
from .rules import FileFacts, RULES, run_rules, selected_codes

# A cheap test on raw bytes before parsing: files that mention none of these are skipped.
FRAMEWORK_MARKERS = (b"keras", b"torch", b"tensorflow")
# Larger files (generated code, data tables) are not analysed: an SL004 info says so.
MAX_FILE_BYTES = 5_000_000


@dataclass
class Settings:
    """Effective configuration for one run."""

    select: Optional[List[str]] = None
    ignore: Optional[List[str]] = None
    extend_select: Optional[List[str]] = None
    image_data_format: str = "channels_last"
    param_explosion_min_params: int = 10_000_000
    param_explosion_min_share: float = 0.5
    src_roots: List[str] = field(default_factory=list)  # where the project's absolute imports resolve
    verbose: bool = False
    # the second pre-filter (shapelint.modelfilter) for files not named on the command line
    model_filter: bool = True
    # the summaries (`summary`, the editor) with the source line of each model and layer;
    # `check` shows none: no lines (they cost a position pass over the file), no pictures,
    # and the models are dropped from the result once the rules have read them
    layer_lines: bool = True
    # the enabled codes, resolved by the runner (configuration, command line, per-file
    # ignores); None: from select/ignore/extend_select above
    enabled: Optional[FrozenSet[str]] = None
    severity: Dict[str, str] = field(default_factory=dict)  # code or prefix -> reported severity
    inputs: Dict[str, List[Tuple]] = field(default_factory=dict)  # model variable or class name -> input shapes

    def codes(self) -> set:
        if self.enabled is not None:
            return set(self.enabled)
        return selected_codes(self.select, self.ignore, self.extend_select)

    def rule_settings(self) -> Dict[str, Any]:
        return {
            "image-data-format": self.image_data_format,
            "param-explosion-min-params": self.param_explosion_min_params,
            "param-explosion-min-share": self.param_explosion_min_share,
        }


@dataclass
class FileResult:
    path: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    models: List[ModelInfo] = field(default_factory=list)
    internal_error: bool = False
    skipped: bool = False  # a pre-filter found nothing to analyse
    filtered: bool = False  # ... the second one (shapelint.modelfilter): no model is built here
    graph: Any = None  # the file's LayerGraph (every layer call with its shapes), when analysed


def decode_source(data: bytes) -> str:
    """Decode like Python does: a BOM, else a PEP 263 coding cookie, else UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def _diag(code: str, message: str, path: str, span: Span) -> Diagnostic:
    return Diagnostic(code, RULES[code].severity, message, path, span)


def analyze_file(path: str, settings: Settings, model_expr: Optional[str] = None, inputs=None) -> FileResult:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        from .suppression import finish

        return FileResult(path, finish([_diag("SL002", "Cannot read the file: %s." % (exc.strerror or exc), path, file_span())], None, settings, path))
    return analyze_bytes(path, data, settings, model_expr=model_expr, inputs=inputs)


def analyze_bytes(
    path: str,
    data: bytes,
    settings: Settings,
    model_expr: Optional[str] = None,
    inputs: Optional[Sequence[Tuple]] = None,
    force: bool = False,
) -> FileResult:
    if not force and model_expr is None:
        if not any(m in data for m in FRAMEWORK_MARKERS):
            return FileResult(path, skipped=True)
    try:
        text = decode_source(data)
    except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
        span = file_span()
        if isinstance(exc, UnicodeDecodeError):
            line = data.count(b"\n", 0, exc.start) + 1
            col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
            span = Span(line, col, line, col + 1)
            reason = "byte 0x%02x at line %d, column %d is not valid %s (%s); add a coding cookie if the file uses another encoding" % (
                exc.object[exc.start], line, col + 1, exc.encoding, exc.reason,
            )
        else:
            reason = str(exc)
        from .suppression import finish

        return FileResult(path, finish([_diag("SL002", "Cannot decode the file as Python source: %s." % reason, path, span)], None, settings, path))
    if not force and model_expr is None and settings.model_filter and len(data) <= MAX_FILE_BYTES:
        from .modelfilter import keeps

        try:
            kept = keeps(path, data, settings.src_roots)
        except Exception:  # the filter only ever saves time: when it fails, analyse
            kept = True
        if not kept and _compiles(text):  # a syntax error is still reported (SL001)
            return FileResult(path, skipped=True, filtered=True)
    result = FileResult(path)
    too_large = len(data) > MAX_FILE_BYTES
    if too_large:
        result.diagnostics.append(_diag(
            "SL004", "The file is %d bytes, over the analysis bound of %d bytes; it was not analysed." % (len(data), MAX_FILE_BYTES), path, file_span(),
        ))
    try:
        if not too_large:
            _analyze_text(result, text, settings, model_expr, inputs)
    except ModelSelectionError:
        raise  # a usage error (exit 2), not a finding about the file
    except RecursionError:
        result.diagnostics.append(
            _diag("SL004", "The file nests expressions too deeply to analyse; it was skipped.", path, file_span())
        )
    except Exception as exc:  # an analysis crash must not lose the other files
        result.internal_error = True
        where = traceback.extract_tb(exc.__traceback__)[-1]
        reason = "%s: %s (at %s:%d)" % (type(exc).__name__, exc, where.filename.rsplit("/", 1)[-1], where.lineno)
        if settings.verbose:
            reason += "\n" + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        result.diagnostics.append(_diag("SL003", "Internal error while analysing this file: %s" % reason, path, file_span()))
    from .suppression import finish  # enabled codes, noqa comments, severities

    result.diagnostics = finish(result.diagnostics, text, settings, path)
    return result


def _compiles(text: str) -> bool:
    """CPython's parser accepts ``text`` (about a twentieth of LibCST's parse time)."""
    import ast
    import symtable

    try:
        # the symbol table is built from the parser's C tree without making a Python tree:
        # 40 % cheaper than ast.parse, 30 % cheaper than compiling to bytecode.  It also
        # rejects some texts the parser accepts ('nonlocal' at module level), so only
        # ast.parse's verdict on such a text counts
        symtable.symtable(text, "<shapelint>", "exec")
        return True
    except Exception:
        pass
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


# builder functions that name nothing a model can come from are not run (the tests compare)
SKIP_INERT = True
# called once the analysed file is parsed, before its analysis runs (set by shapelint.parallel)
AFTER_PARSE = None


def _analyze_text(result: FileResult, text: str, settings: Settings, model_expr, inputs) -> None:
    import libcst as cst

    path = result.path
    # CPython's parser first: it is ~15x cheaper than LibCST's, words errors as users know
    # them, and it rejects what would crash LibCST's native parser (deep nesting).
    import ast

    from .project import cached_module, remember_module

    module = cached_module(text)  # the same text was parsed as another file's import
    tree = None
    try:
        if module is None:
            tree = ast.parse(text)
    except SyntaxError as se:
        line = se.lineno or 1
        col = max((se.offset or 1) - 1, 0)
        if se.lineno is None and "\0" in text:
            line, col = _position_of(text, text.find("\0"))
        result.diagnostics.append(_diag("SL001", "Syntax error: %s" % _sentence(se.msg), path, Span(line, col, line, col)))
        return
    except ValueError as exc:  # NUL bytes (Python < 3.12)
        line, col = _position_of(text, text.find("\0")) if "\0" in text else (1, 0)
        result.diagnostics.append(_diag("SL001", "Syntax error: %s" % _sentence(str(exc)), path, Span(line, col, line, col)))
        return
    except (RecursionError, MemoryError):
        result.diagnostics.append(
            _diag("SL004", "The file nests expressions too deeply to analyse; it was skipped.", path, file_span())
        )
        return
    try:
        if module is None:
            module = parse_skeleton(text, tree)
            remember_module(text, module)
    except cst.ParserSyntaxError as exc:
        line = getattr(exc, "raw_line", 1) or 1
        col = getattr(exc, "raw_column", 0) or 0
        msg = str(getattr(exc, "message", "")) or str(exc).splitlines()[0]
        result.diagnostics.append(_diag("SL001", "Syntax error: %s" % _sentence(msg), path, Span(line, col, line, col)))
        return
    if AFTER_PARSE is not None:
        AFTER_PARSE()  # the run freezes the tree out of the collector's walks (shapelint.parallel)
    positions = LazyPositions(module)

    from .frontends.evaluator import AnalysisLimit, Interpreter
    from .frontends.keras import KerasFrontend, KSequential
    from .frontends.torch import TorchFrontend

    graph = LayerGraph()
    result.graph = graph
    options = Options(image_data_format=settings.image_data_format)
    frontends = []
    keras_fe = torch_fe = None
    if "keras" in text or "tensorflow" in text or model_expr is not None:
        keras_fe = KerasFrontend(graph, options, input_override=list(inputs or []))
        frontends.append(keras_fe)
    if "torch" in text or model_expr is not None:
        torch_fe = TorchFrontend(graph, options, input_override=list(inputs or []), source_lines=text.splitlines())
        frontends.append(torch_fe)
    if not frontends:
        return  # no framework named in the file (checked because it was named): nothing to find
    interp = Interpreter(module, path, positions, frontends)
    from .project import Project

    interp.project = Project(path, settings.src_roots)
    keras_models: list = []
    torch_models: list = []
    try:
        interp.run_module()
        if model_expr is None:
            # builder functions nobody calls: analyse them with their default arguments
            for fn in list(interp.functions):
                if not fn.called and (not SKIP_INERT or interp.may_build(fn)):
                    interp.call_on_its_own(fn)
            if torch_fe is not None:
                torch_fe.instantiate_unused_classes(interp)
    except AnalysisLimit as lim:
        # what was read before the bound still counts: its models are reported
        result.diagnostics.append(
            _diag("SL004", "Analysis stopped: %s; the rest of the file is not checked." % lim.what, path, lim.span or file_span())
        )
        interp.steps = 0  # a fresh, small budget to finish the models already found
        interp.limit_hit = True
    if keras_fe is not None:
        keras_models = list(keras_fe.models)
    if torch_fe is not None:
        torch_models = torch_fe.roots()
    try:
        if model_expr is not None:
            selected = _select_model(interp, [fe for fe in frontends], model_expr)
            keras_models = [m for m in selected if keras_fe is not None and m in keras_fe.models]
            torch_models = [m for m in selected if m not in keras_models]
        if torch_fe is not None:
            torch_fe.named_inputs = settings.inputs
            torch_fe.finish(interp, torch_models)
    except AnalysisLimit as lim:
        if not getattr(interp, "limit_hit", False):
            result.diagnostics.append(
                _diag("SL004", "Analysis stopped: %s; the rest of the file is not checked." % lim.what, path, lim.span or file_span())
            )

    names = {id(v): k for k, v in interp.globals.vars.items()}
    if inputs:
        for m in keras_models:
            if isinstance(m, KSequential) and m.input is None and m.layers:
                m.build(interp, (None,) + tuple(inputs[0]))
    elif settings.inputs:  # [tool.shapelint] inputs, by variable or name=: a Sequential without an input
        for m in keras_models:
            if isinstance(m, KSequential) and m.input is None and m.layers:
                explicit = m.kwargs.get("name")
                shapes = settings.inputs.get(names.get(id(m), ""), settings.inputs.get(explicit) if isinstance(explicit, str) else None)
                if shapes:
                    m.build(interp, (None,) + tuple(shapes[0]))
    blank = set()  # ids of summaries that say nothing (see below), of models a builder run on its own made
    for m in keras_models:
        keras_fe.layer_lines = settings.layer_lines
        info = keras_fe.summarize(m, path, names.get(id(m)))
        info.extra["layer_objects"] = [l for l in m.sub_layers()]
        result.models.append(info)
        if getattr(m, "on_its_own", False) and _nothing_known(info):
            blank.add(id(info))
    for m in torch_models:
        torch_fe.layer_lines = settings.layer_lines
        info = torch_fe.summarize(m, path, names.get(id(m)))
        info.extra.setdefault("layer_objects", [])
        result.models.append(info)
        if getattr(m, "on_its_own", False) and _nothing_known(info):
            blank.add(id(info))

    for what, span in list(interp.limits.items()):  # bounds passed on the way (values past them are unknown)
        result.diagnostics.append(
            _diag("SL004", "Analysis bound reached: %s; what depends on it is unknown and not checked." % what, path, span or file_span())
        )
    facts = FileFacts(path, graph, result.models, settings.rule_settings())
    result.diagnostics.extend(run_rules(facts, settings.codes() - {"SL001", "SL002", "SL003", "SL004"}))
    if not settings.layer_lines:
        result.models = []  # `check`: the rules have read them; its output shows none
    elif blank:
        # A helper nobody calls, run with unknown arguments, that made a module from them
        # (timm's freeze helpers make a FrozenBatchNorm2d for each batch norm they might
        # meet): a summary of one module of unknown shape and unknown size, which says
        # nothing but its class's name, is not listed (a structure of several layers is)
        result.models = [info for info in result.models if id(info) not in blank]


def _nothing_known(info) -> bool:
    """The model is one module (or none) whose output shape and parameter count are unknown."""
    if info.total_params is not None or len(info.layers) > 1:
        return False
    for layer in info.layers:
        if layer.params is not None or layer.output_shape is not None:
            return False
    return True


def parse_skeleton(text: str, tree) -> "object":
    """LibCST's tree of ``text`` with its function bodies left for later
    (shapelint.lazybodies); the whole text's tree when the cut text does not parse."""
    import libcst as cst

    from .lazybodies import skeleton
    from .parsing import parse_module

    cut = skeleton(text, tree)
    if cut is not text:
        try:
            return parse_module(cut)
        except cst.ParserSyntaxError:
            pass  # the whole text's parse says where the error is
    return parse_module(text)


def _sentence(msg: str) -> str:
    msg = msg.strip()
    return msg if msg.endswith((".", "?", "!")) else msg + "."


def _position_of(text: str, offset: int):
    """(1-based line, 0-based column) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1)
    return line, col


class LazyPositions:
    """Source positions, computed for the whole tree on first use only: most files never
    report a location, and the position pass costs about as much as the parse."""

    def __init__(self, module):
        self.module = module
        self.table = None
        # function bodies of this file parsed on first call (shapelint.lazybodies):
        # number -> their positions, shifted to the file's lines (None until read)
        self.segments: Dict[int, Any] = {}

    def add_segment(self, n: int) -> None:
        self.segments.setdefault(n, None)

    def __getitem__(self, node):
        from libcst.metadata import MetadataWrapper, PositionProvider

        if self.table is None:
            self.table = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        found = self.table.get(node)
        if found is not None:
            return found
        for n, table in self.segments.items():
            if table is None:
                from .lazybodies import parsed_segment

                module, offset = parsed_segment(n)
                table = self.segments[n] = (
                    (MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider), offset) if module is not None else ({}, 0)
                )
            positions, offset = table
            r = positions.get(node)
            if r is not None:
                return _Shifted(r, offset)
        raise KeyError(node)


class _Pos:
    __slots__ = ("line", "column")

    def __init__(self, line: int, column: int):
        self.line = line
        self.column = column


class _Shifted:
    """A LibCST code range moved down by ``offset`` lines."""

    __slots__ = ("start", "end")

    def __init__(self, r, offset: int):
        self.start = _Pos(r.start.line + offset, r.start.column)
        self.end = _Pos(r.end.line + offset, r.end.column)


class ModelSelectionError(ValueError):
    """``--model EXPR`` does not name a model in the file."""


def _select_model(interp, frontends, expr: str):
    """The model(s) ``--model EXPR`` names: a variable or a builder call, evaluated statically."""
    import libcst as cst

    from .frontends.keras import KFunctional, KSequential
    from .frontends.torch import TModuleBase

    try:
        node = cst.parse_expression(expr)
    except cst.ParserSyntaxError:
        raise ModelSelectionError("--model %r is not a Python expression" % expr)
    value = interp.eval(node, interp.globals)
    if isinstance(value, (KSequential, KFunctional, TModuleBase)):
        return [value]
    raise ModelSelectionError("--model %r does not evaluate to a model shapelint can analyse" % expr)
