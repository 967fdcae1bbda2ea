"""Inputs shapelint must survive, through the command line and its JSON output.

Odd encodings and line endings, empty and huge files, deep nesting, standard input,
unreadable files; every analysis bound gives an SL004 info (off by default) instead of a hang
or a RecursionError; constants that would take Python minutes to compute are not computed;
and the analysed code never runs (no file written, no socket opened).

Discovery's own robustness (symlinks, directories named ``x.py``, odd path names) is tested
with discovery.  ``tests/test_cli.py`` and ``tests/test_evaluator.py`` hold the first tests of
several of these (an undecodable byte, a coding cookie, BOM with CRLF, deep parentheses, the
step budget); the tests here extend them.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sys
import textwrap
import time

import pytest

from shapelint import analysis, cli
from shapelint.frontends import evaluator as ev

BUGGY = textwrap.dedent(
    """\
    import keras
    from keras import layers

    model = keras.Sequential()
    model.add(keras.Input(shape=(28, 28, 1)))
    model.add(layers.Conv2D(8, 3))
    model.add(layers.Flatten())
    model.add(layers.LSTM(4))
    """
)
# the SL103 of BUGGY, as (line, column, end_line, end_column)
BUGGY_AT = (8, 11, 8, 25)

SMALL_MODEL = "model = keras.Sequential([keras.Input((4,)), layers.Dense(2)])\n"  # 10 parameters


def write(tmp_path, name, data):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(p)


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def check_json(argv, capsys):
    code, out, err = run(["check", "--format", "json"] + argv, capsys)
    return code, json.loads(out)["diagnostics"]


def summary_json(argv, capsys):
    code, out, err = run(["summary", "--format", "json"] + argv, capsys)
    return code, json.loads(out)


def at(d):
    return (d["line"], d["column"], d["end_line"], d["end_column"])


# --------------------------------------------------------------------------- encodings


def test_non_utf8_file_is_sl002_at_the_byte_and_other_files_are_still_checked(tmp_path, capsys):
    write(tmp_path, "a_bad.py", b"import keras\n\nname = 'na\xefve'\n")
    write(tmp_path, "b_bug.py", BUGGY)
    code, diags = check_json([str(tmp_path)], capsys)
    assert code == 1
    bad, bug = diags
    assert bad["code"] == "SL002" and bad["severity"] == "error" and bad["path"].endswith("a_bad.py")
    assert at(bad)[:2] == (3, 11)  # the byte 0xef, 1-based column
    assert "0xef" in bad["message"] and "coding cookie" in bad["message"]
    assert bug["code"] == "SL103" and at(bug) == BUGGY_AT


LATIN1_MODEL = (
    "# -*- coding: latin-1 -*-\n"
    "import keras\n"
    "from keras import layers\n"
    "\n"
    "model = keras.Sequential([keras.Input((4,)), layers.Dense(3, name='caf\xe9_\xfcber')])\n"
)


def test_latin1_with_a_coding_cookie_is_decoded_and_its_model_analysed(tmp_path, capsys):
    path = write(tmp_path, "latin.py", LATIN1_MODEL.encode("latin-1"))
    code, data = summary_json([path], capsys)
    assert code == 0 and data["diagnostics"] == []
    (m,) = data["models"]
    # the name was decoded as Latin-1 (read as UTF-8 it would not decode at all)
    assert [(l["name"], l["output_shape"], l["params"]) for l in m["layers"]] == [("caf\xe9_\xfcber", [None, 3], 15)]
    assert m["line"] == 5


def test_utf8_bom_does_not_shift_columns(tmp_path, capsys):
    plain = write(tmp_path, "plain.py", BUGGY)
    bom = write(tmp_path, "bom.py", b"\xef\xbb\xbf" + BUGGY.replace("Flatten()", "Flatten(name='flach_\u00e4')").encode("utf-8"))
    (_, (d1,)), (code, (d2,)) = check_json([plain], capsys), check_json([bom], capsys)
    assert code == 1 and at(d1) == at(d2) == BUGGY_AT
    code, data = summary_json([bom], capsys)
    assert data["models"][0]["layers"][1]["name"] == "flach_\u00e4"


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_crlf_and_cr_line_endings_keep_positions(tmp_path, capsys, newline):
    path = write(tmp_path, "m.py", BUGGY.replace("\n", newline))
    code, (d,) = check_json([path], capsys)
    assert code == 1 and d["code"] == "SL103" and at(d) == BUGGY_AT
    assert d["related"][0]["line"] == 7
    code, data = summary_json([path], capsys)
    assert [l["line"] for l in data["models"][0]["layers"]] == [6, 7, 8]


def test_tabs_count_as_one_column(tmp_path, capsys):
    src = (
        "import keras\nfrom keras import layers\n\n"
        "def build():\n"
        "\tmodel = keras.Sequential()\n"
        "\tmodel.add(keras.Input(shape=(28, 28, 1)))\n"
        "\tmodel.add(layers.Conv2D(8, 3))\n"
        "\tmodel.add(layers.Flatten())\n"
        "\tmodel.add(\tlayers.LSTM(4))\n"
        "\treturn model\n"
    )
    path = write(tmp_path, "tabs.py", src)
    code, (d,) = check_json([path], capsys)
    # "\tmodel.add(\t" is 12 characters: LSTM starts at column 13
    assert code == 1 and at(d) == (9, 13, 9, 27)


def test_form_feeds(tmp_path, capsys):
    # a form feed at the start of a line (page breaks, as in CPython's own sources)
    src = "\x0c\n" + BUGGY.replace("model = keras.Sequential()", "\x0cmodel = keras.Sequential()")
    path = write(tmp_path, "ff.py", src)
    code, (d,) = check_json([path], capsys)
    assert code == 1 and d["code"] == "SL103" and at(d) == (9, 11, 9, 25)


@pytest.mark.parametrize(
    "data",
    [b"", b"\xef\xbb\xbf", b"\n\n   \n", b"# keras\n", b"\x0c", b"import torch\n"],
    ids=["empty", "bom-only", "blank", "comment", "form-feed", "import-only"],
)
def test_empty_and_nearly_empty_files(tmp_path, capsys, data):
    path = write(tmp_path, "e.py", data)
    code, diags = check_json(["--select", "ALL", path], capsys)
    assert (code, diags) == (0, [])
    code, out, _ = run(["summary", path], capsys)
    assert code == 0 and out.startswith("No Keras or PyTorch model found in 1 file(s).")


# --------------------------------------------------------------------------- size and depth


def test_a_50000_line_file_finishes_and_its_model_is_found(tmp_path, capsys):
    lines = ["import keras", "from keras import layers", ""]
    lines += ["setting_%d = %d * 2 + 1" % (i, i) for i in range(50_000)]
    lines += ["model = keras.Sequential([keras.Input((setting_7,)), layers.Dense(2)])"]
    path = write(tmp_path, "big.py", "\n".join(lines) + "\n")
    start = time.monotonic()
    code, data = summary_json(["--select", "ALL", path], capsys)
    elapsed = time.monotonic() - start
    assert elapsed < 240, elapsed  # about 20 s on an idle core
    assert not [d for d in data["diagnostics"] if d["code"] != "SL004"]
    if data["diagnostics"]:  # a bound was reached: the info names it, nothing hangs
        assert all(d["severity"] == "info" for d in data["diagnostics"])
    else:
        (m,) = data["models"]
        assert m["line"] == 50_004 and m["total_params"] == 15 * 2 + 2


NESTED = {
    # kind: (expression at depth 1,000, diagnostic expected)
    "parentheses": ("(" * 1000 + "1" + ")" * 1000, "SL001"),
    "calls": ("f(" * 1000 + "1" + ")" * 1000, "SL001"),
    "lists": ("[" * 1000 + "1" + "]" * 1000, "SL001"),
    "additions": ("+".join(["1"] * 1001), "SL004"),
    "unary minus": ("-" * 1000 + "1", "SL004"),
    "not": ("not " * 1000 + "x", "SL004"),
    "attributes": ("x" + ".a" * 1000, "SL004"),
    "subscripts": ("x" + "[0]" * 1000, "SL004"),
    "conditionals": ("1 if x else " * 1000 + "1", "SL004"),
    "boolean ops": (" and ".join(["x"] * 1001), "SL004"),
    "powers": ("**".join(["1"] * 1001), "SL004"),
    "lambdas": ("lambda: " * 1000 + "1", "SL004"),
    "strings": ("+".join(["'a'"] * 1001), "SL004"),
}


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_1000_deep_nested_expressions(tmp_path, capsys, kind):
    expr, expected = NESTED[kind]
    src = "import keras\nfrom keras import layers\nx = 3\ny = " + expr + "\n" + SMALL_MODEL
    path = write(tmp_path, "deep.py", src)
    code, data = summary_json(["--select", "ALL", path], capsys)
    codes = [d["code"] for d in data["diagnostics"]]
    assert code == 1 and codes == [expected], data["diagnostics"]
    if expected == "SL004":
        # the bound costs the one expression, not the file: the model is still read
        assert [m["total_params"] for m in data["models"]] == [10]
        assert data["diagnostics"][0]["severity"] == "info"


def test_deep_nesting_inside_a_model_call_keeps_the_rest(tmp_path, capsys):
    src = "import keras\nfrom keras import layers\nunits = " + "+".join(["1"] * 1001) + "\n" + (
        "model = keras.Sequential([keras.Input((4,)), layers.Dense(units), layers.Dense(2)])\n"
    )
    path = write(tmp_path, "deep.py", src)
    code, data = summary_json(["--extend-select", "SL004", path], capsys)
    (m,) = data["models"]
    # units is unknown (too deep to evaluate), never a wrong number
    assert [l["type"] for l in m["layers"]] == ["Dense", "Dense"]
    assert m["layers"][0]["params"] is None and m["total_params"] is None and m["resolved"] is False
    assert [d["code"] for d in data["diagnostics"]] == ["SL004"]


# --------------------------------------------------------------------------- stdin, unreadable


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def test_stdin_check_and_summary(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Stdin(BUGGY.encode()))
    code, (d,) = check_json(["-"], capsys)
    assert code == 1 and d["path"] == "-" and at(d) == BUGGY_AT
    monkeypatch.setattr(sys, "stdin", _Stdin(b"\xef\xbb\xbf" + BUGGY.replace("\n", "\r\n").encode()))
    code, data = summary_json(["-"], capsys)
    (m,) = data["models"]
    assert m["path"] == "-" and [l["type"] for l in m["layers"]] == ["Conv2D", "Flatten", "LSTM"]
    monkeypatch.setattr(sys, "stdin", _Stdin(b"x = '\xff'\n"))
    code, (d,) = check_json(["-"], capsys)
    assert code == 1 and d["code"] == "SL002"
    monkeypatch.setattr(sys, "stdin", _Stdin(b""))
    assert check_json(["-"], capsys) == (0, [])


def test_unreadable_file(tmp_path, capsys):
    path = write(tmp_path, "secret.py", BUGGY)
    write(tmp_path, "other.py", BUGGY)
    os.chmod(path, 0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        code, diags = check_json([str(tmp_path)], capsys)
        assert code == 1
        unreadable = [d for d in diags if d["path"] == path]
        assert [(d["code"], d["severity"]) for d in unreadable] == [("SL002", "error")]
        assert "Permission denied" in unreadable[0]["message"]
        assert any(d["code"] == "SL103" and d["path"].endswith("other.py") for d in diags)
        code, diags = check_json([path], capsys)
        assert code == 1 and [d["code"] for d in diags] == ["SL002"]
    finally:
        os.chmod(path, 0o644)


# --------------------------------------------------------------------------- bounds

BOUNDS = {
    "loop over a long list": (
        "items = list(range(5000))\nunits = 0\nfor i in items:\n    units += 1\n",
        "a loop over more than 2000 items is not unrolled",
    ),
    "while loop": (
        # a loop that builds layers (one that only counts stops unrolling much earlier)
        "units = 0\nstack = []\nwhile units < 5000:\n    stack.append(layers.Dense(2))\n    units += 1\n",
        "a while loop is unrolled at most 2000 times",
    ),
    "recursion": (
        "def depth(n):\n    return depth(n + 1) if n >= 0 else 0\nunits = depth(0)\n",
        "calls of the file's functions nested more than 24 deep",
    ),
    "helper inlining depth": (
        "".join("def h%d(x):\n    return h%d(x) + 1\n" % (i, i + 1) for i in range(40))
        + "def h40(x):\n    return x\nunits = h0(2)\n",
        "calls of the file's functions nested more than 24 deep",
    ),
    "expression depth": (
        "units = " + "+".join(["1"] * 400) + "\n",
        "expressions nested more than 200 deep are not evaluated",
    ),
    "constant size": (
        "table = [0] * 50000\ntable = table + table + table\nunits = len(table)\n",
        "constants too large to compute",
    ),
}


@pytest.mark.parametrize("bound", sorted(BOUNDS))
def test_each_bound_is_an_info_and_the_model_is_still_read(tmp_path, capsys, bound):
    code_before, what = BOUNDS[bound]
    src = (
        "import keras\nfrom keras import layers\n\n" + code_before
        + "model = keras.Sequential([keras.Input((4,)), layers.Dense(units), layers.Dense(2)])\n"
    )
    path = write(tmp_path, "m.py", src)
    assert run([path], capsys)[0] == 0  # SL004 is off by default
    start = time.monotonic()
    code, data = summary_json(["--extend-select", "SL004", path], capsys)
    assert time.monotonic() - start < 60
    (d,) = data["diagnostics"]
    assert (d["code"], d["severity"]) == ("SL004", "info") and what in d["message"], d
    assert d["message"].startswith("Analysis bound reached: ")
    (m,) = data["models"]
    # units past the bound is unknown: the Dense that reads it is unknown, never wrong
    assert m["total_params"] is None and m["resolved"] is False
    assert not m["layers"] or m["layers"][0]["params"] is None


def test_bound_position_points_at_the_code(tmp_path, capsys):
    src = "import keras\nfrom keras import layers\n\nitems = list(range(5000))\nfor i in items:\n    pass\n" + SMALL_MODEL
    path = write(tmp_path, "m.py", src)
    code, (d,) = check_json(["--extend-select", "SL004", path], capsys)
    assert (d["line"], d["column"]) == (5, 1)


def test_step_budget_through_the_cli(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ev, "MAX_STEPS", 3_000)
    src = "import keras\nfrom keras import layers\n" + SMALL_MODEL + "n = 0\nfor i in range(1000):\n    for j in range(1000):\n        n += 1\n"
    path = write(tmp_path, "m.py", src)
    code, data = summary_json(["--extend-select", "SL004", path], capsys)
    (d,) = data["diagnostics"]
    assert d["code"] == "SL004" and "more than 3000 evaluation steps" in d["message"]
    assert [m["total_params"] for m in data["models"]] == [10]  # read before the bound


def test_file_size_bound(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(analysis, "MAX_FILE_BYTES", 1_000)
    src = BUGGY + "# padding\n" * 200
    path = write(tmp_path, "huge.py", src)
    code, diags = check_json([path], capsys)
    assert (code, diags) == (0, [])  # SL004 is off by default, and nothing else is claimed
    code, (d,) = check_json(["--extend-select", "SL004", path], capsys)
    assert code == 1 and d["code"] == "SL004" and d["severity"] == "info"
    assert "over the analysis bound of 1000 bytes; it was not analysed" in d["message"]


def test_project_import_bound(tmp_path, capsys, monkeypatch):
    # found by the corpus run: diffusers' __init__.py imports hundreds of its modules, and
    # parsing them all took minutes; past the bound, the project's modules are not followed
    monkeypatch.setattr(ev, "MAX_PROJECT_BYTES", 2_000)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    for i in range(8):
        (pkg / ("m%d.py" % i)).write_text("import torch.nn as nn\nWIDTH = %d\n# %s\n" % (i + 1, "x" * 400))
    (pkg / "__init__.py").write_text(
        "import torch\nimport torch.nn as nn\n" + "".join("from .m%d import WIDTH as W%d\n" % (i, i) for i in range(8))
        + "model = nn.Sequential(nn.Linear(W0, %s))\ny = model(torch.randn(2, W0))\n" % " + ".join("W%d" % i for i in range(8))
    )
    code, data = summary_json(["--extend-select", "SL004", str(pkg / "__init__.py")], capsys)
    (d,) = data["diagnostics"]
    assert d["code"] == "SL004" and "imports of the project's modules past 2000 bytes" in d["message"]
    assert d["line"] > 2  # at the import that went past it
    (m,) = data["models"]
    assert m["total_params"] is None  # the last widths are unknown: never a wrong count
    monkeypatch.setattr(ev, "MAX_PROJECT_BYTES", 1_000_000)
    code, data = summary_json([str(pkg / "__init__.py")], capsys)
    assert data["models"][0]["total_params"] == 1 * 36 + 36


def test_a_file_that_names_no_framework_is_parsed_not_interpreted(tmp_path, capsys, monkeypatch):
    # found by the corpus run: stdlib files named on the command line spent up to 20 s in the
    # interpreter, where no model can be found without Keras or PyTorch
    class Boom:
        def __init__(self, *a, **k):
            raise AssertionError("interpreted")

    monkeypatch.setattr(ev, "Interpreter", Boom)
    path = write(tmp_path, "plain.py", "def f(n):\n    return f(n + 1)\nx = [f(i) for i in range(10 ** 6)]\n")
    assert check_json(["--select", "ALL", path], capsys) == (0, [])
    bad = write(tmp_path, "bad.py", "def f(:\n")
    code, (d,) = check_json([bad], capsys)
    assert d["code"] == "SL001"  # still parsed


# Constants Python itself would spend minutes (or gigabytes) on: the analysis does not
# compute them.  Each case once hung the interpreter.
HEAVY = {
    "str.format width": 's = "{:>2000000000}".format(1)',
    "f-string width": 's = f"{1:>2000000000}"',
    "percent width": 's = "%2000000000d" % 1',
    "replace blow-up": 's = ("a" * 100000).replace("a", "a" * 100000)',
    "join blow-up": 'x = "a" * 100000\ns = x.join(x)',
    "join of a repeated list": 'x = ["a" * 100000] * 100000\ns = "".join(x)',
    "factorial": "import math\ns = math.factorial(10 ** 6)",
    "comb": "import math\ns = math.comb(10 ** 6, 5 * 10 ** 5)",
    "sum of repeated lists": "x = [[0] * 100000] * 100000\ns = sum(x, [])",
    "str of repeated lists": "x = [[0] * 100000] * 100000\ns = str(x)",
    "sorted repeated lists": "x = [[0] * 100000] * 100000\ns = sorted(x)",
    "compare repeated tuples": "x = ((0,) * 100000,) * 100000\ns = x == x",
    "hash repeated tuples": "x = ((0,) * 100000,) * 100000\ns = {x: 1}",
    "deepcopy": "import copy\nx = [[0] * 100000] * 100000\ns = copy.deepcopy(x)",
    "numpy of repeated arrays": "import numpy as np\nz = np.linspace(0, 1, 100000)\ns = np.array([z] * 100000)",
    "doubling by extend": "x = [0]\nfor i in range(60):\n    x.extend(x)\n",
    "doubling by nesting": "x = [0]\nfor i in range(60):\n    x = [x, x]\ns = str(x)",
}


@pytest.mark.parametrize("case", sorted(HEAVY))
def test_heavy_constants_are_not_computed(tmp_path, capsys, case):
    src = "import keras\nfrom keras import layers\n" + HEAVY[case] + "\n" + SMALL_MODEL
    path = write(tmp_path, "m.py", src)
    start = time.monotonic()
    code, data = summary_json(["--select", "ALL", path], capsys)
    assert time.monotonic() - start < 20
    assert [m["total_params"] for m in data["models"]] == [10]
    assert all(d["code"] == "SL004" for d in data["diagnostics"]), data["diagnostics"]


# --------------------------------------------------------------------------- never runs code


def _listener():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.setblocking(False)
    return srv, srv.getsockname()[1]


def _no_connection(srv) -> bool:
    try:
        conn, _ = srv.accept()
    except (BlockingIOError, socket.timeout):
        return True
    conn.close()
    return False


def _side_effect_fixtures(tmp_path, port):
    """Model files with code that writes a marker (named after where it sits) or connects
    to the test's socket if it ever runs."""
    marks = tmp_path / "marks"
    marks.mkdir()

    def touch(name):
        return "open(%r, 'w').write('ran')" % str(marks / name)

    connect = "__import__('socket').create_connection(('127.0.0.1', %d))" % port
    files = {}
    files["sidefx_module.py"] = "import os\n%s\n%s\nSIZE = 8\n" % (touch("imported_module"), connect)
    files["keras_model.py"] = textwrap.dedent(
        """\
        import os
        import subprocess
        import socket
        import keras
        from keras import layers
        import sidefx_module
        from sidefx_module import SIZE

        {top}
        {connect}
        os.system("touch {marks}/os_system")
        subprocess.run(["touch", "{marks}/subprocess"])
        subprocess.Popen("touch {marks}/popen", shell=True)
        __import__("os").system("touch {marks}/dunder_import")
        exec("open('{marks}/exec', 'w')")
        eval("open('{marks}/eval', 'w')")
        exec(compile("open('{marks}/compile', 'w')", "x", "exec"))
        getattr(os, "system")("touch {marks}/getattr")
        __import__("importlib").import_module("sidefx_module")
        socket.socket().connect(("127.0.0.1", {port}))


        def side(fn):
            {deco}
            return fn


        def default_value():
            {default}
            return 4


        @side
        class Block(layers.Layer):
            {body}

            def __init__(self, units=default_value(), **kwargs):
                super().__init__(**kwargs)
                {init}
                self.dense = layers.Dense(units)

            def call(self, x):
                {call}
                {connect}
                return self.dense(x)


        inputs = keras.Input((SIZE,))
        outputs = Block()(inputs)
        model = keras.Model(inputs, outputs)

        if __name__ == "__main__":
            {main}
        """
    ).format(
        top=touch("keras_top"), connect=connect, marks=marks, port=port, deco=touch("keras_decorator"),
        default=touch("keras_default"), body=touch("keras_class_body"), init=touch("keras_init"),
        call=touch("keras_call"), main=touch("keras_main"),
    )
    files["torch_model.py"] = textwrap.dedent(
        """\
        import os
        import torch
        import torch.nn as nn
        from sidefx_module import SIZE

        {top}
        {connect}
        torch.save({{}}, "{marks}/torch_save")
        torch.load("{marks}/nothing.pt")


        def side(fn):
            {deco}
            return fn


        def width(n=4, trace={default_call}):
            return n


        class Net(nn.Module):
            {body}

            @side
            def __init__(self, hidden=width()):
                super().__init__()
                {init}
                {connect}
                self.fc = nn.Linear(SIZE, hidden)

            def forward(self, x):
                {call}
                os.system("touch {marks}/torch_forward_system")
                return self.fc(x)


        net = Net()
        y = net(torch.randn(2, SIZE))
        with open("{marks}/with_open", "w") as fh:
            fh.write("ran")
        """
    ).format(
        top=touch("torch_top"), connect=connect, marks=marks, deco=touch("torch_decorator"),
        default_call=touch("torch_default"), body=touch("torch_class_body"),
        init=touch("torch_init"), call=touch("torch_forward"),
    )
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return marks


def test_analysed_code_never_runs(tmp_path, capsys, monkeypatch):
    srv, port = _listener()
    try:
        marks = _side_effect_fixtures(tmp_path, port)
        monkeypatch.chdir(tmp_path)
        for argv in (["check", "--select", "ALL"], ["summary", "--format", "json"], ["check", "--format", "json"]):
            code, out, err = run(argv + [str(tmp_path)], capsys)
            assert code in (0, 1), (argv, out, err)
            assert "SL003" not in out
        code, out, _ = run(["summary", "--format", "json", str(tmp_path / "torch_model.py")], capsys)
        (m,) = json.loads(out)["models"]
        assert m["total_params"] == 8 * 4 + 4  # read statically, SIZE from the imported module
        code, out, _ = run(["summary", "--format", "json", str(tmp_path / "keras_model.py")], capsys)
        assert json.loads(out)["models"][0]["name"]
        assert sorted(os.listdir(marks)) == []
        assert not (marks.parent / "nothing.pt").exists()
        assert _no_connection(srv)
    finally:
        srv.close()


def test_the_fixtures_would_leave_traces_if_run(tmp_path):
    """The check above can fail: running the fixtures for real writes the markers and connects."""
    srv, port = _listener()
    try:
        marks = _side_effect_fixtures(tmp_path, port)
        src = (tmp_path / "sidefx_module.py").read_text()
        exec(compile(src, "sidefx_module.py", "exec"), {})
        assert os.listdir(marks) == ["imported_module"]
        srv.settimeout(5)
        conn, _ = srv.accept()
        conn.close()
    finally:
        srv.close()
