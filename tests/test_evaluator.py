"""The bounded abstract interpreter (``shapelint/frontends/evaluator.py``).

What it must do: compute the constant parts of model code (literals, arithmetic, module and
function constants, keyword defaults, helpers called with arguments, loops over known
sequences, constant conditions), merge what uncertain control flow leaves behind into
UNKNOWN, stay within its bounds on any input, and never run the analysed code.

Shapes and parameter counts asserted below were checked against real Keras 3 (torch
backend) with throwaway scripts.
"""

from __future__ import annotations

import os
import textwrap
import time

import libcst as cst
import pytest

from shapelint.analysis import Settings, analyze_bytes
from shapelint.engine.values import UNKNOWN
from shapelint.frontends import evaluator as ev
from shapelint.frontends.evaluator import AnalysisLimit, Instance, Interpreter


def run(src: str) -> dict:
    """Interpret ``src`` without any framework front-end; its module-level names."""
    module = cst.parse_module(textwrap.dedent(src))
    interp = Interpreter(module, "t.py", {}, [])
    interp.run_module()
    return interp.globals.vars


def analyze(src: str, **kw):
    return analyze_bytes("t.py", textwrap.dedent(src).encode(), Settings(), **kw)


def only_model(result):
    assert len(result.models) == 1, [m.name for m in result.models]
    return result.models[0]


def rows(model):
    return [(r.type, r.output_shape if r.output_shape is None else list(r.output_shape), r.params) for r in model.layers]


def errors(result):
    return [d for d in result.diagnostics if d.severity == "error"]


# --------------------------------------------------------------------------- constants


def test_literals():
    g = run(
        """
        a = 3
        b = 2.5
        c = "x" "y"
        d = b"raw"
        e = None
        f = (1, [2, 3], {"k": True})
        h = 1_000 + 0x10 + 0o7 + 0b11
        s = {1, 2, 2}
        fs = f"{c}_{a:03d}_{b!r}{{}}"
        el = ...
        """
    )
    assert g["a"] == 3 and g["b"] == 2.5 and g["c"] == "xy" and g["d"] == b"raw" and g["e"] is None
    assert g["f"] == (1, [2, 3], {"k": True})
    assert g["h"] == 1000 + 16 + 7 + 3
    assert g["s"] == frozenset({1, 2})
    assert g["fs"] == "xy_003_2.5{}"
    assert g["el"] is Ellipsis


def test_arithmetic_comparisons_and_boolean_logic():
    g = run(
        """
        a = 7 // 2 + 7 % 3 * 2 ** 3 - -1
        b = 7 / 2
        c = 1 < 2 <= 2 < 3
        d = 1 < 2 > 5
        e = 0 or "fallback"
        f = 3 and 4
        g_ = not []
        h = "yes" if a > 5 else "no"
        i = (1, 2) + (3,)
        j = [0] * 3
        k = 2 in (1, 2)
        l = "abc".upper().startswith("AB")
        m = max(3, 9, 4) + min([5, 2]) + abs(-3) + int("12") + round(2.6) + sum(range(5))
        n = len("abcd") + len([1, 2]) + len({"a": 1})
        """
    )
    assert g["a"] == 3 + 1 * 8 + 1
    assert g["b"] == 3.5
    assert g["c"] is True and g["d"] is False
    assert g["e"] == "fallback" and g["f"] == 4 and g["g_"] is True
    assert g["h"] == "yes"
    assert g["i"] == (1, 2, 3) and g["j"] == [0, 0, 0]
    assert g["k"] is True and g["l"] is True
    assert g["m"] == 9 + 2 + 3 + 12 + 3 + 10
    assert g["n"] == 4 + 2 + 1


def test_module_and_function_constants_and_keyword_defaults():
    g = run(
        """
        WIDTH = 64
        SCALE = 2

        def widths(depth, base=WIDTH, *, factor=SCALE):
            local = base * factor
            return [local * i for i in range(1, depth + 1)]

        a = widths(3)
        b = widths(2, 10, factor=3)
        c = widths(depth=1, factor=1)
        """
    )
    assert g["a"] == [128, 256, 384]
    assert g["b"] == [30, 60]
    assert g["c"] == [64]


def test_star_args_and_kwargs():
    g = run(
        """
        def f(a, *rest, key=1, **extra):
            return (a, rest, key, extra)

        args = (1, 2, 3)
        opts = {"key": 5, "other": 6}
        a = f(*args, **opts)
        b = f(0)
        """
    )
    assert g["a"] == (1, (2, 3), 5, {"other": 6})
    assert g["b"] == (0, (), 1, {})


def test_unknown_values_stay_unknown():
    g = run(
        """
        import sys
        import numpy as np
        n = int(sys.argv[1])
        a = n + 1
        b = [n, 2]
        c = len(b)
        d = np.random.randint(10)
        e = d * 0
        f = open("cfg.txt").read()
        """
    )
    assert g["n"] is UNKNOWN and g["a"] is UNKNOWN
    assert g["b"][0] is UNKNOWN and g["b"][1] == 2
    assert g["c"] == 2  # the length of a list of unknown items is known
    assert g["d"] is UNKNOWN and g["e"] is UNKNOWN
    assert g["f"] is UNKNOWN


# --------------------------------------------------------------------------- control flow


def test_for_over_range_and_literal_lists():
    g = run(
        """
        total = 0
        for i in range(5):
            total += i
        names = []
        for idx, (name, width) in enumerate([("a", 1), ("b", 2)]):
            names.append(name * width + str(idx))
        for x in [1, 2, 3]:
            if x == 2:
                found = x
                break
        else:
            found = None
        pairs = list(zip([1, 2], "ab"))
        """
    )
    assert g["total"] == 10
    assert g["names"] == ["a0", "bb1"]
    assert g["found"] == 2
    assert g["pairs"] == [(1, "a"), (2, "b")]


def test_for_else_runs_without_break_and_continue_skips():
    g = run(
        """
        seen = []
        for i in range(6):
            if i % 2:
                continue
            seen.append(i)
        else:
            done = True
        """
    )
    assert g["seen"] == [0, 2, 4]
    assert g["done"] is True


def test_constant_if_and_elif():
    g = run(
        """
        MODE = "b"
        if MODE == "a":
            x = 1
        elif MODE == "b":
            x = 2
        else:
            x = 3
        y = 10 if MODE != "a" else 20
        """
    )
    assert g["x"] == 2 and g["y"] == 10


def test_unknown_if_merges_names():
    g = run(
        """
        import random
        same = 1
        if random.random() > 0.5:
            a = 1
            b = 2
            c = "only here"
        else:
            a = 1
            b = 3
        """
    )
    assert g["same"] == 1
    assert g["a"] == 1  # equal on both paths
    assert g["b"] is UNKNOWN
    assert g["c"] is UNKNOWN  # bound on one path only


def test_list_mutated_under_unknown_condition_becomes_unknown():
    g = run(
        """
        import random
        xs = [1, 2]
        if random.random() > 0.5:
            xs.append(3)
        n = len(xs)
        """
    )
    assert g["xs"] is UNKNOWN and g["n"] is UNKNOWN


def test_while_loops():
    g = run(
        """
        i = 0
        acc = []
        while i < 4:
            i += 1
            if i == 2:
                continue
            acc.append(i)
        j = 10
        while True:
            j -= 3
            if j < 0:
                break
        """
    )
    assert g["i"] == 4 and g["acc"] == [1, 3, 4]
    assert g["j"] == -2


def test_while_with_unknown_condition_forgets_what_it_assigns():
    g = run(
        """
        import random
        k = 0
        kept = "untouched"
        while random.random() > 0.1:
            k += 1
        """
    )
    assert g["k"] is UNKNOWN
    assert g["kept"] == "untouched"


def test_break_under_unknown_condition_makes_the_loop_uncertain():
    g = run(
        """
        import random
        n = 0
        for i in range(10):
            n += 1
            if random.random() > 0.5:
                break
        """
    )
    assert g["n"] is UNKNOWN


def test_raise_ends_a_path():
    g = run(
        """
        import random

        def check(v):
            if v < 0:
                raise ValueError("negative")
            return v * 2

        a = check(3)
        if random.random() > 0.5:
            raise SystemExit()
        b = "after an uncertain raise"

        def always():
            raise RuntimeError()

        c = always()
        """
    )
    assert g["a"] == 6
    assert g["b"] == "after an uncertain raise"
    assert g["c"] is UNKNOWN


def test_raise_at_module_level_stops_the_module():
    g = run(
        """
        a = 1
        raise ImportError("optional dependency")
        b = 2
        """
    )
    assert g["a"] == 1 and "b" not in g


def test_comprehensions():
    g = run(
        """
        sq = [i * i for i in range(5) if i % 2 == 0]
        pairs = [(a, b) for a in range(2) for b in "xy"]
        gen = tuple(x + 1 for x in [1, 2])
        total = sum(i for i in range(4))
        import random
        unknown = [x for x in range(random.randint(1, 3))]
        """
    )
    assert g["sq"] == [0, 4, 16]
    assert g["pairs"] == [(0, "x"), (0, "y"), (1, "x"), (1, "y")]
    assert g["gen"] == (2, 3)
    assert g["total"] == 6
    assert g["unknown"] is UNKNOWN


def test_try_with_and_walrus():
    g = run(
        """
        try:
            a = 1
        except Exception:
            a = 2
        finally:
            b = 3
        with open("x") as fh:
            c = 4
        if (n := 5) > 3:
            d = n
        """
    )
    assert g["a"] == 1 and g["b"] == 3 and g["c"] == 4 and g["d"] == 5


def test_global_statement():
    g = run(
        """
        counter = 0

        def bump():
            global counter
            counter += 1

        bump()
        bump()
        """
    )
    assert g["counter"] == 2


def test_classes_instances_methods_properties_and_super():
    g = run(
        """
        class Base:
            depth = 3

            def __init__(self, width):
                self.width = width

            def size(self):
                return self.width * self.depth

        class Wide(Base):
            def __init__(self, width, factor=2):
                super().__init__(width * factor)

            @property
            def double(self):
                return self.size() * 2

            @staticmethod
            def helper(x):
                return x + 1

        w = Wide(4)
        a = w.width
        b = w.size()
        c = w.double
        d = Wide.helper(1)
        e = Base.depth
        """
    )
    assert isinstance(g["w"], Instance)
    assert g["a"] == 8 and g["b"] == 24 and g["c"] == 48 and g["d"] == 2 and g["e"] == 3


def test_attribute_set_under_unknown_condition_is_unknown():
    g = run(
        """
        import random

        class Cfg:
            def __init__(self):
                self.units = 8
                if random.random() > 0.5:
                    self.units = 16

        units = Cfg().units
        """
    )
    assert g["units"] is UNKNOWN


def test_copy_and_numpy_constants():
    g = run(
        """
        import copy
        import numpy as np
        BLOCKS = [{"filters": 16, "repeats": 1}, {"filters": 24, "repeats": 2}]
        blocks = copy.deepcopy(BLOCKS)
        blocks[0]["filters"] = 99
        rates = [float(r) for r in np.linspace(0.0, 0.3, 4)]
        n = int(np.prod((2, 3, 4)))
        """
    )
    assert g["BLOCKS"][0]["filters"] == 16 and g["blocks"][0]["filters"] == 99
    assert g["rates"] == pytest.approx([0.0, 0.1, 0.2, 0.3])
    assert g["n"] == 24


# --------------------------------------------------------------------------- bounds


def test_recursion_is_bounded():
    start = time.monotonic()
    g = run(
        """
        def forever(n):
            return forever(n + 1)

        def fact(n):
            return 1 if n <= 1 else n * fact(n - 1)

        a = forever(0)
        b = fact(5)
        """
    )
    assert g["a"] is UNKNOWN
    assert g["b"] == 120
    assert time.monotonic() - start < 10


def test_huge_ranges_and_values_are_bounded():
    start = time.monotonic()
    g = run(
        """
        big = range(10 ** 12)
        n = 0
        for i in range(10 ** 12):
            n += 1
        xs = [0] * (10 ** 9)
        p = 2 ** 100000
        s = "a" * (10 ** 9)
        l = len(range(10 ** 12))
        """
    )
    assert time.monotonic() - start < 10
    assert g["n"] is UNKNOWN
    assert g["xs"] is UNKNOWN and g["p"] is UNKNOWN and g["s"] is UNKNOWN


def test_step_budget_raises_analysis_limit(monkeypatch):
    monkeypatch.setattr(ev, "MAX_STEPS", 2_000)
    with pytest.raises(AnalysisLimit):
        run(
            """
            def f(n):
                return [i for i in range(n)]
            for i in range(1000):
                x = f(i)
            """
        )


def test_step_budget_becomes_sl004_not_a_crash(monkeypatch):
    monkeypatch.setattr(ev, "MAX_STEPS", 500)
    src = """
    import keras
    from keras import layers
    model = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
    for i in range(100):
        for j in range(100):
            pass
    """
    result = analyze_bytes("t.py", textwrap.dedent(src).encode(), Settings(extend_select=["SL004"]))
    assert [d.code for d in result.diagnostics] == ["SL004"]
    assert not result.internal_error


def test_long_tensor_loops_do_not_exhaust_the_budget():
    # a sampling loop of tensor arithmetic after the model: the model is still found
    src = """
    import keras
    from keras import layers, ops
    inputs = keras.Input((8,))
    outputs = layers.Dense(8)(inputs)
    model = keras.Model(inputs, outputs)
    x = outputs
    for t in range(100000):
        x = ops.tanh(x) * 0.5 + x
    """
    start = time.monotonic()
    result = analyze(src)
    assert time.monotonic() - start < 20
    assert only_model(result).resolved


# --------------------------------------------------------------------------- never runs code


def test_analysed_code_is_never_executed(tmp_path):
    target = tmp_path / "created_by_open.txt"
    marker = tmp_path / "created_by_system"
    imported = tmp_path / "created_by_import"
    src = f"""
    import os
    import subprocess
    import keras
    from keras import layers

    open({str(target)!r}, "w").write("pwned")
    os.system("touch {marker}")
    subprocess.run(["touch", {str(marker)!r}])
    __import__("os").system("touch {imported}")
    exec("open({str(imported)!r}, 'w')")
    eval("1 + 1")
    os.makedirs({str(tmp_path / "dir")!r})

    def on_build():
        os.remove({str(tmp_path)!r})
        open({str(target)!r}, "w")

    model = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
    """
    result = analyze(src)
    assert not target.exists() and not marker.exists() and not imported.exists()
    assert not (tmp_path / "dir").exists()
    assert tmp_path.exists()
    assert only_model(result).total_params == 10


# --------------------------------------------------------------------------- with Keras


CONV_BLOCK = """
import keras
from keras import layers


def conv_block(x, filters, pool=True):
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.BatchNormalization()(x)
    if pool:
        x = layers.MaxPooling2D()(x)
    return x


inputs = keras.Input((64, 64, 3))
x = conv_block(inputs, 16)
x = conv_block(x, 32)
x = conv_block(x, 64)
x = conv_block(x, 128)
x = conv_block(x, 128, pool=False)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs)
"""


def test_helper_inlined_five_times():
    model = only_model(analyze(CONV_BLOCK))
    assert model.resolved
    # real Keras: 16 layers, 247,786 parameters (736 non-trainable)
    assert len(model.layers) == 16
    assert model.total_params == 247_786
    assert model.non_trainable_params == 736
    shapes = [r.output_shape for r in model.layers if r.type == "MaxPooling2D"]
    assert shapes == [(None, 32, 32, 16), (None, 16, 16, 32), (None, 8, 8, 64), (None, 4, 4, 128)]
    assert rows(model)[-3:] == [
        ("BatchNormalization", [None, 4, 4, 128], 512),
        ("GlobalAveragePooling2D", [None, 128], 0),
        ("Dense", [None, 10], 1290),
    ]


def test_sequential_add_in_loop_and_constant_if():
    src = """
    import keras
    from keras import layers
    HIDDEN = [64, 32]
    USE_DROPOUT = True
    model = keras.Sequential()
    model.add(keras.Input((20,)))
    for units in HIDDEN:
        model.add(layers.Dense(units, activation="relu"))
        if USE_DROPOUT:
            model.add(layers.Dropout(0.5))
    model.add(layers.Dense(1))
    """
    model = only_model(analyze(src))
    assert model.resolved
    assert rows(model) == [
        ("Dense", [None, 64], 1344),
        ("Dropout", [None, 64], 0),
        ("Dense", [None, 32], 2080),
        ("Dropout", [None, 32], 0),
        ("Dense", [None, 1], 33),
    ]


def test_sequential_add_under_unknown_condition_taints_the_model():
    # A shape bug after the uncertain add must not be reported: the input of the Conv1D
    # depends on which path ran.
    src = """
    import random
    import keras
    from keras import layers
    model = keras.Sequential([keras.Input((10, 8))])
    if random.random() > 0.5:
        model.add(layers.Flatten())
    model.add(layers.Conv1D(4, 3))
    model.add(layers.Dense(2))
    """
    result = analyze(src)
    assert errors(result) == []
    model = only_model(result)
    assert not model.resolved
    assert model.total_params is None


def test_unknown_condition_on_functional_tensors_silences_checks():
    src = """
    import random
    import keras
    from keras import layers
    inputs = keras.Input((16,))
    if random.random() > 0.5:
        x = layers.Dense(8)(inputs)
    else:
        x = layers.Dense(4)(inputs)
    y = layers.Dense(8)(inputs)
    z = layers.Add()([x, y])
    model = keras.Model(inputs, z)
    """
    result = analyze(src)
    assert errors(result) == []


def test_bug_on_a_certain_path_is_reported():
    # the positive control of the two tests above
    src = """
    import keras
    from keras import layers
    inputs = keras.Input((16,))
    x = layers.Dense(4)(inputs)
    y = layers.Dense(8)(inputs)
    z = layers.Add()([x, y])
    model = keras.Model(inputs, z)
    """
    result = analyze(src)
    assert [d.code for d in errors(result)] == ["SL102"]
    assert errors(result)[0].span.line == 7


def test_bug_inside_a_branch_of_unknown_condition_is_not_certain():
    src = """
    import random
    import keras
    from keras import layers
    inputs = keras.Input((16,))
    x = layers.Dense(4)(inputs)
    if random.random() > 0.5:
        x = layers.Add()([x, inputs])
    model = keras.Model(inputs, x)
    """
    assert errors(analyze(src)) == []


def test_uncertain_loop_forgets_what_it_changes_not_what_it_reads():
    g = run(
        """
        import random
        table = [1, 2]
        factor = 3
        counter = 0
        items = []
        def describe(v):
            return v
        while random.random() > 0.5:
            counter += 1
            items.append(factor * 2)
            describe(table[0])
        """
    )
    assert g["factor"] == 3  # only read
    assert g["counter"] is UNKNOWN  # rebound
    assert g["items"] is UNKNOWN  # changed through a method
    assert g["describe"] is not UNKNOWN  # only called


def test_calling_a_model_in_an_uncertain_loop_keeps_it():
    src = """
    import keras
    from keras import layers
    import tensorflow_datasets as tfds

    augment = keras.Sequential([layers.Rescaling(1 / 255.0), layers.Conv2D(4, 3, padding="same")], name="augment")
    for image, label in tfds.load("cats").take(1):
        for i in range(9):
            shown = augment(image)
    inputs = keras.Input((32, 32, 3))
    x = augment(inputs)
    x = layers.Flatten()(x)
    model = keras.Model(inputs, layers.Dense(2)(x))
    """
    result = analyze(src)
    model = [m for m in result.models if m.variable == "model"][0]
    assert [r.type for r in model.layers] == ["Sequential", "Flatten", "Dense"]
    assert model.layers[1].output_shape == (None, 4096)
