"""Following the project's own imports across files (relative and absolute), parsing each
module once per run, never following installed packages, reporting only the files asked for."""

from __future__ import annotations

import json
import textwrap

from shapelint import cli, project
from shapelint.analysis import Settings, analyze_bytes

BLOCKS = """
    import torch.nn as nn


    class ConvBlock(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv = nn.Conv2d(cin, cout, 3, padding=1)
            self.bn = nn.BatchNorm2d(cout)

        def forward(self, x):
            return self.bn(self.conv(x))


    def make_head(features, classes=10):
        return nn.Sequential(nn.Flatten(), nn.Linear(features, classes))
    """

NET = """
    import torch
    import torch.nn as nn

    from .blocks import ConvBlock
    from pkg.models.blocks import make_head


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.b1 = ConvBlock(3, 16)
            self.b2 = ConvBlock(16, 8)
            self.head = make_head(HEAD_IN)

        def forward(self, x):
            return self.head(self.b2(self.b1(x)))


    model = Net()
    y = model(torch.randn(2, 3, 8, 8))
    """


def make_project(tmp_path, net=NET, head_in="8 * 8 * 8"):
    models = tmp_path / "pkg" / "models"
    models.mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (models / "__init__.py").write_text("")
    (models / "blocks.py").write_text(textwrap.dedent(BLOCKS))
    (models / "net.py").write_text(textwrap.dedent(net).replace("HEAD_IN", head_in))
    return models


def analyze(path, **kw):
    return analyze_bytes(str(path), path.read_bytes(), Settings(**kw))


def test_relative_and_absolute_imports_are_followed(tmp_path, monkeypatch):
    models = make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    r = analyze(models / "net.py")
    assert [d.message for d in r.diagnostics] == []
    (m,) = r.models
    assert [(l.name, l.type, list(l.output_shape), l.params) for l in m.layers] == [
        ("b1.conv", "Conv2d", [2, 16, 8, 8], 448),
        ("b1.bn", "BatchNorm2d", [2, 16, 8, 8], 32),
        ("b2.conv", "Conv2d", [2, 8, 8, 8], 1160),
        ("b2.bn", "BatchNorm2d", [2, 8, 8, 8], 16),
        ("head.0", "Flatten", [2, 512], 0),
        ("head.1", "Linear", [2, 10], 5130),
    ]
    assert m.total_params == 6786 and m.resolved


def test_a_bug_through_an_imported_helper_is_reported_in_the_importing_file(tmp_path, monkeypatch):
    models = make_project(tmp_path, head_in="16 * 8 * 8")
    monkeypatch.chdir(tmp_path)
    r = analyze(models / "net.py")
    (d,) = r.diagnostics
    # make_head builds the Linear in blocks.py; the report points at the line of net.py
    # that called make_head with the wrong size
    assert (d.code, d.path, d.span.line) == ("SL107", str(models / "net.py"), 14)
    assert "1024" in d.message and "(2, 512)" in d.message


def test_each_project_module_is_parsed_once_per_run(tmp_path, monkeypatch, capsys):
    models = make_project(tmp_path)
    (models / "net2.py").write_text((models / "net.py").read_text())
    monkeypatch.chdir(tmp_path)
    project._PARSED.clear()
    project._BY_TEXT.clear()  # an earlier test may have parsed the same text
    before = project.PARSE_COUNT["n"]
    code = cli.main(["check", str(models / "net.py"), str(models / "net2.py")])
    capsys.readouterr()
    assert code == 0
    assert project.PARSE_COUNT["n"] - before == 1  # blocks.py, shared by both


def test_installed_packages_and_missing_modules_stay_unknown(tmp_path, monkeypatch):
    src = """
        import torch
        import torch.nn as nn
        from timm.models import resnet_block
        from .nowhere import Block

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = resnet_block(3, 64)
                self.b = Block(64)
                self.fc = nn.Linear(10, 2)

            def forward(self, x):
                return self.fc(self.b(self.a(x)))

        model = Net()
        y = model(torch.randn(1, 3, 8, 8))
        """
    p = tmp_path / "m.py"
    p.write_text(textwrap.dedent(src))
    monkeypatch.chdir(tmp_path)
    r = analyze(p)
    assert r.diagnostics == []


def test_src_roots_from_configuration(tmp_path, monkeypatch, capsys):
    (tmp_path / "src" / "lib").mkdir(parents=True)
    (tmp_path / "src" / "lib" / "__init__.py").write_text("")
    (tmp_path / "src" / "lib" / "layers.py").write_text(
        textwrap.dedent(
            """
            from keras import layers

            def conv_block(x, filters):
                x = layers.Conv2D(filters, 3, padding="same")(x)
                return layers.BatchNormalization()(x)
            """
        )
    )
    app = tmp_path / "app"
    app.mkdir()
    (app / "train.py").write_text(
        textwrap.dedent(
            """
            import keras
            from keras import layers
            from lib.layers import conv_block

            inputs = keras.Input((16, 16, 3))
            x = conv_block(inputs, 8)
            x = conv_block(x, 16)
            x = layers.Flatten()(x)
            model = keras.Model(inputs, layers.LSTM(4)(x))
            """
        )
    )
    (tmp_path / "pyproject.toml").write_text('[tool.shapelint]\nsrc = ["src"]\n')
    monkeypatch.chdir(tmp_path)
    code = cli.main(["check", "--format", "json", "app/train.py"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    ((line, rule),) = [(d["line"], d["code"]) for d in out["diagnostics"]]
    assert (line, rule) == (10, "SL103")
    monkeypatch.chdir(app)  # no configuration: lib is not found, nothing is certain
    assert cli.main(["check", "--isolated", "train.py"]) == 0


def test_a_global_statement_in_an_imported_function_writes_that_module(tmp_path, monkeypatch):
    """``global width`` in a function of blocks.py rebinds blocks.py's ``width``, as Python
    does, never a name of the analysed file (which once had its own ``width`` replaced)."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "blocks.py").write_text(textwrap.dedent(
        """
        width = 4

        def configure(value):
            global width
            width = value
            return width

        def current():
            return width
        """
    ))
    (pkg / "net.py").write_text(textwrap.dedent(
        """
        import torch
        import torch.nn as nn
        from .blocks import configure, current

        width = 32
        configure(8)
        net = nn.Sequential(nn.Linear(width, current()))
        y = net(torch.randn(2, 32))
        """
    ))
    monkeypatch.chdir(tmp_path)
    r = analyze(pkg / "net.py", layer_lines=True)
    assert r.diagnostics == []
    (m,) = r.models
    # in_features from net.py's width (32), out_features from blocks.py's, now 8
    assert [(l.type, list(l.output_shape), l.params) for l in m.layers] == [("Linear", [2, 8], 32 * 8 + 8)]
