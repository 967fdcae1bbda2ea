"""Finding the files to check: exclusions, .gitignore, --force-exclude, odd paths.

Most tests go through the command line (``cli.main`` returns the exit code) on a throwaway
tree; the file lists come from ``runner.run``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from shapelint import cli
from shapelint.discovery import DEFAULT_EXCLUDE_DIRS, collect, compile_pattern, discover, pattern_set
from shapelint.runner import RunOptions, UsageError, run

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


def write(root, rel, text=BUGGY):
    path = os.path.join(str(root), rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def files_checked(paths, **kw):
    """The files a run checks, relative to the working directory, ``/``-separated."""
    result = run(paths, RunOptions(**kw))
    return sorted(os.path.relpath(f).replace(os.sep, "/") if f != "-" else f for f in result.files)


def cli_run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def git_init(path):
    subprocess.run(["git", "init", "-q", str(path)], check=True, capture_output=True)


# -- patterns ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern,rel,is_dir,expected",
    [
        ("build", "a/build", True, True),
        ("build", "a/build", False, True),
        ("build/", "a/build", False, False),  # a trailing slash: directories only
        ("*_pb2.py", "x/y/model_pb2.py", False, True),
        ("src/gen/", "src/gen", True, True),
        ("src/gen", "lib/src/gen", True, False),  # a slash anchors the pattern
        ("/setup.py", "setup.py", False, True),
        ("/setup.py", "pkg/setup.py", False, False),
        ("**/test_*.py", "test_a.py", False, True),
        ("**/test_*.py", "a/b/test_a.py", False, True),
        ("a/**", "a/b/c.py", False, True),
        ("a/**", "a", True, False),
        ("a/**/b", "a/b", True, True),
        ("a/**/b", "a/x/y/b", True, True),
        ("a/*.py", "a/b/c.py", False, False),  # * stays within one component
        ("a/?.py", "a/b.py", False, True),
        ("[ab].py", "b.py", False, True),
        ("[!ab].py", "b.py", False, False),
        ("\\!x.py", "!x.py", False, True),
        ("my dir/*.py", "my dir/m.py", False, True),
    ],
)
def test_gitignore_style_patterns(pattern, rel, is_dir, expected):
    p = compile_pattern(pattern)
    assert p.matches(rel, rel.rsplit("/", 1)[-1], is_dir) is expected


def test_pattern_that_matches_nothing_is_rejected():
    with pytest.raises(ValueError):
        compile_pattern("/")
    assert compile_pattern("   ") is None
    assert compile_pattern("# comment", gitignore=True) is None
    assert compile_pattern("!keep.py").negated


def test_pattern_set_last_match_wins(tmp_path):
    ps = pattern_set(str(tmp_path), ["*.py", "!keep.py"])
    assert ps.matches(str(tmp_path / "a.py"), False)
    assert not ps.matches(str(tmp_path / "keep.py"), False)
    assert ps.decision(str(tmp_path / "keep.py"), False) is False
    assert ps.decision(str(tmp_path / "a.txt"), False) is None


# -- default exclusions and the configured ones ------------------------------------------------------


def test_default_excluded_directories_are_not_walked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pkg/model.py")
    for d in (".venv", "build", "node_modules", "__pycache__", "x.egg-info"):
        write(tmp_path, "%s/model.py" % d)
    assert files_checked(["."]) == ["pkg/model.py"]
    assert {"build", ".venv", "site-packages"} <= DEFAULT_EXCLUDE_DIRS


def test_exclude_replaces_the_defaults_and_extend_exclude_adds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pkg/model.py")
    write(tmp_path, "build/model.py")
    write(tmp_path, "generated/model.py")
    write(tmp_path, "pkg/model_pb2.py")
    assert files_checked(["."]) == ["generated/model.py", "pkg/model.py", "pkg/model_pb2.py"]
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nextend-exclude = ["generated", "*_pb2.py"]\n')
    assert files_checked(["."]) == ["pkg/model.py"]
    # `exclude` replaces the defaults: build/ is walked again
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nexclude = ["generated"]\n')
    assert files_checked(["."]) == ["build/model.py", "pkg/model.py", "pkg/model_pb2.py"]


def test_exclude_patterns_are_relative_to_the_config_directory(tmp_path, monkeypatch):
    write(tmp_path, "proj/pyproject.toml", '[tool.shapelint]\nextend-exclude = ["src/legacy/", "/top.py"]\n')
    write(tmp_path, "proj/src/legacy/old.py")
    write(tmp_path, "proj/src/new.py")
    write(tmp_path, "proj/top.py")
    write(tmp_path, "proj/src/top.py")  # "/top.py" is anchored: only the top-level one goes
    write(tmp_path, "proj/other/src/legacy/kept.py")  # anchored at proj/, not at any src/
    monkeypatch.chdir(tmp_path)  # the working directory does not matter
    assert files_checked(["proj"]) == ["proj/other/src/legacy/kept.py", "proj/src/new.py", "proj/src/top.py"]
    monkeypatch.chdir(tmp_path / "proj" / "src")
    assert files_checked(["."]) == ["new.py", "top.py"]


def test_cli_extend_exclude_is_relative_to_the_working_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a/model.py")
    write(tmp_path, "b/model.py")
    assert files_checked(["."], extend_exclude=["a"]) == ["b/model.py"]
    code, out, _ = cli_run(["check", ".", "--extend-exclude", "a,zzz"], capsys)
    assert code == 1 and "b/model.py:8:11: SL103" in out and "a/model.py" not in out
    code, _, err = cli_run(["check", ".", "--extend-exclude", "/"], capsys)
    assert code == 2 and "--extend-exclude" in err


def test_a_nested_configuration_governs_its_own_subtree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nextend-exclude = ["skipme"]\n')
    write(tmp_path, "skipme/a.py")
    write(tmp_path, "sub/pyproject.toml", '[tool.shapelint]\nextend-exclude = ["other"]\n')
    write(tmp_path, "sub/skipme/b.py")  # the parent's pattern does not reach into sub/
    write(tmp_path, "sub/other/c.py")
    write(tmp_path, "other/d.py")
    assert files_checked(["."]) == ["other/d.py", "sub/skipme/b.py"]


def test_explicit_paths_are_checked_unless_force_exclude(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", '[tool.shapelint]\nextend-exclude = ["generated/", "*_pb2.py"]\n')
    write(tmp_path, "generated/model.py")
    write(tmp_path, "pkg/model_pb2.py")
    write(tmp_path, "pkg/ok.py")
    assert files_checked(["."]) == ["pkg/ok.py"]
    named = ["generated/model.py", "pkg/model_pb2.py", "pkg/ok.py"]
    assert files_checked(named) == named  # named on the command line: checked
    assert files_checked(["generated"]) == ["generated/model.py"]  # an excluded directory, named
    assert files_checked(named, force_exclude=True) == ["pkg/ok.py"]
    assert files_checked(["generated"], force_exclude=True) == []
    # the command line as pre-commit runs it
    code, out, _ = cli_run(["check", "--force-exclude"] + named, capsys)
    assert code == 1 and out.startswith("pkg/ok.py:8:11: SL103") and "generated" not in out and "_pb2" not in out
    code, out, _ = cli_run(["check", "--force-exclude", "generated/model.py"], capsys)
    assert (code, out) == (0, "")


def test_force_exclude_sees_default_exclusions_above_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", "[tool.shapelint]\n")
    write(tmp_path, "build/lib/model.py")
    assert files_checked(["build/lib/model.py"]) == ["build/lib/model.py"]
    assert files_checked(["build/lib/model.py"], force_exclude=True) == []


# -- .gitignore ----------------------------------------------------------------------------------


def test_gitignore_is_respected_in_a_git_repository(tmp_path, monkeypatch):
    git_init(tmp_path)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".gitignore", "generated/\n*_pb2.py\n!keep_pb2.py\n# a comment\n")
    write(tmp_path, "generated/a.py")
    write(tmp_path, "pkg/model_pb2.py")
    write(tmp_path, "pkg/keep_pb2.py")
    write(tmp_path, "pkg/.gitignore", "local_*.py\n")  # a nested .gitignore, relative to pkg/
    write(tmp_path, "pkg/local_x.py")
    write(tmp_path, "local_y.py")  # not under pkg/: pkg/.gitignore does not apply
    write(tmp_path, ".git/info/exclude", "scratch.py\n")
    write(tmp_path, "pkg/scratch.py")
    write(tmp_path, "pkg/model.py")
    assert files_checked(["."]) == ["local_y.py", "pkg/keep_pb2.py", "pkg/model.py"]
    # walking a subdirectory still sees the .gitignore files above it, up to the repository
    monkeypatch.chdir(tmp_path / "pkg")
    assert files_checked(["."]) == ["keep_pb2.py", "model.py"]


def test_gitignore_agrees_with_git(tmp_path, monkeypatch):
    """The same tree, asked of git itself: what git ignores is what the walk skips."""
    git_init(tmp_path)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".gitignore", "/top_only.py\nout/\n**/cache/*.py\ndocs/**/gen_*.py\n*.pyi\n!keep.pyi\n")
    rels = [
        "top_only.py", "sub/top_only.py", "out/a.py", "sub/out/b.py", "x/cache/c.py", "cache/d.py",
        "docs/gen_1.py", "docs/a/b/gen_2.py", "gen_3.py", "stubs.pyi", "keep.pyi", "sub/keep.pyi", "ok.py",
    ]
    for rel in rels:
        write(tmp_path, rel)
    proc = subprocess.run(["git", "check-ignore", "--no-index"] + rels, capture_output=True, text=True)
    git_ignored = set(proc.stdout.split())
    assert git_ignored  # the check is not vacuous
    assert files_checked(["."]) == sorted(set(rels) - git_ignored)


def test_gitignore_is_not_read_outside_a_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".gitignore", "generated/\n")
    write(tmp_path, "generated/a.py")
    assert files_checked(["."]) == ["generated/a.py"]


def test_respect_gitignore_false(tmp_path, monkeypatch):
    git_init(tmp_path)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".gitignore", "generated/\n")
    write(tmp_path, "generated/a.py")
    assert files_checked(["."]) == []
    write(tmp_path, "pyproject.toml", "[tool.shapelint]\nrespect-gitignore = false\n")
    assert files_checked(["."]) == ["generated/a.py"]


def test_gitignored_file_named_explicitly(tmp_path, monkeypatch, capsys):
    git_init(tmp_path)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".gitignore", "generated/\nscratch.py\n")
    write(tmp_path, "generated/a.py")
    write(tmp_path, "scratch.py")
    assert files_checked(["generated/a.py", "scratch.py"]) == ["generated/a.py", "scratch.py"]
    assert files_checked(["generated/a.py", "scratch.py"], force_exclude=True) == []
    code, out, _ = cli_run(["check", "--force-exclude", "scratch.py"], capsys)
    assert (code, out) == (0, "")


# -- odd paths --------------------------------------------------------------------------------------


def test_broken_symlink_is_reported_not_crashed_on(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "ok.py")
    os.symlink("missing_target.py", str(tmp_path / "broken.py"))
    code, out, _ = cli_run(["check", "."], capsys)
    assert code == 1
    assert "broken.py:1:1: SL002 Cannot read the file: No such file or directory." in out
    assert "ok.py:8:11: SL103" in out
    code, out, _ = cli_run(["check", "broken.py"], capsys)
    assert code == 1 and out.startswith("broken.py:1:1: SL002 Cannot read the file: No such file or directory.")


def test_symlink_loops_end(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pkg/model.py")
    os.symlink("loop.py", str(tmp_path / "pkg" / "loop.py"))  # a link to itself
    os.symlink("..", str(tmp_path / "pkg" / "up"))  # a directory loop
    os.symlink(str(tmp_path / "pkg"), str(tmp_path / "pkg" / "again"))
    t0 = time.monotonic()
    code, out, _ = cli_run(["check", "."], capsys)
    assert time.monotonic() - t0 < 30
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "./pkg/loop.py:1:1: SL002 Cannot read the file: Too many levels of symbolic links."
    assert lines[1].startswith("./pkg/model.py:8:11: SL103")
    assert len(lines) == 2  # linked directories are not followed: each file once


def test_directory_named_like_a_python_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "x.py/inner.py")
    assert files_checked(["."]) == ["x.py/inner.py"]
    assert files_checked(["x.py"]) == ["x.py/inner.py"]
    code, out, _ = cli_run(["check", "x.py"], capsys)
    assert code == 1 and out.startswith("x.py/inner.py:8:11: SL103")


def test_paths_with_spaces_and_non_ascii_names(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "my models/modèle ünï 模型.py")
    assert files_checked(["."]) == ["my models/modèle ünï 模型.py"]
    code, out, _ = cli_run(["check", "my models"], capsys)
    assert code == 1 and out.startswith("my models/modèle ünï 模型.py:8:11: SL103")
    code, out, _ = cli_run(["check", "my models/modèle ünï 模型.py", "--format", "json"], capsys)
    assert json.loads(out)["diagnostics"][0]["path"] == "my models/modèle ünï 模型.py"


@pytest.mark.skipif(sys.platform == "win32" or sys.platform == "darwin", reason="needs arbitrary bytes in file names")
def test_undecodable_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = os.fsdecode(b"bad\xff.py")
    write(tmp_path, name)
    result = run(["."], RunOptions())
    assert [d.code for d in result.diagnostics] == ["SL103"]
    proc = subprocess.run(
        [sys.executable, "-m", "shapelint", "check", "."], cwd=str(tmp_path), capture_output=True, timeout=120
    )
    assert proc.returncode == 1 and proc.stdout.startswith(b"./bad\xff.py:8:11: SL103"), proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_named_pipe_in_a_walk_is_skipped(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "model.py")
    os.mkfifo(str(tmp_path / "pipe.py"))  # reading it would block forever
    t0 = time.monotonic()
    assert files_checked(["."]) == ["model.py"]
    assert time.monotonic() - t0 < 30


def test_unreadable_directory_is_a_diagnostic(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "locked/model.py")
    write(tmp_path, "open/model.py")
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        os.chmod(str(tmp_path / "locked"), 0)
    else:  # root reads any directory: make listing it fail as it would for a user
        real = os.scandir

        def scandir(path="."):
            if os.path.basename(os.fspath(path)) == "locked":
                raise PermissionError(13, "Permission denied", path)
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        code, out, _ = cli_run(["check", "."], capsys)
    finally:
        os.chmod(str(tmp_path / "locked"), 0o755)
    assert code == 1
    assert "./locked:1:1: SL002 Cannot read the directory: Permission denied." in out
    assert "./open/model.py:8:11: SL103" in out


def test_stdin_dash(monkeypatch, capsys, tmp_path):
    import io

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", type("S", (), {"buffer": io.BytesIO(BUGGY.encode())})())
    code, out, _ = cli_run(["check", "-"], capsys)
    assert code == 1 and out.startswith("-:8:11: SL103")


def test_a_file_named_twice_is_checked_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pkg/model.py")
    assert files_checked(["pkg", "pkg/model.py", "./pkg/model.py"]) == ["pkg/model.py"]


def test_missing_path_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError):
        run(["nope.py"], RunOptions())
    code, _, err = cli_run(["check", "nope.py"], capsys)
    assert code == 2 and "no such file or directory: nope.py" in err


def test_legacy_discover_api(tmp_path):
    write(tmp_path, "a/m.py")
    write(tmp_path, "build/m.py")
    files, missing = discover([str(tmp_path), str(tmp_path / "nope")])
    assert files == [os.path.join(str(tmp_path), "a", "m.py")]
    assert missing == [str(tmp_path / "nope")]
    assert collect([str(tmp_path)]).errors == []


def test_walk_order_is_depth_first_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for rel in ("b.py", "a/z.py", "a/b/c.py", "a/a.py", "c/x.py", "z.py"):
        write(tmp_path, rel)
    result = run(["."], RunOptions())
    assert [os.path.relpath(f) for f in result.files] == [
        "b.py", "z.py", os.path.join("a", "a.py"), os.path.join("a", "z.py"), os.path.join("a", "b", "c.py"),
        os.path.join("c", "x.py"),
    ]


def test_unreadable_file_is_a_diagnostic(tmp_path, monkeypatch, capsys):
    import builtins

    monkeypatch.chdir(tmp_path)
    write(tmp_path, "secret.py")
    write(tmp_path, "ok.py")
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        os.chmod(str(tmp_path / "secret.py"), 0)
    else:  # root reads any file: make opening it fail as it would for a user
        real = builtins.open

        def fake_open(file, *args, **kwargs):
            if isinstance(file, str) and os.path.basename(file) == "secret.py":
                raise PermissionError(13, "Permission denied", file)
            return real(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", fake_open)
    try:
        for argv in (["check", "."], ["check", "secret.py", "ok.py"]):
            code, out, _ = cli_run(argv, capsys)
            lines = out.splitlines()
            assert code == 1 and len(lines) == 2, out
            assert any(line.endswith("secret.py:1:1: SL002 Cannot read the file: Permission denied.") for line in lines)
            assert any("ok.py:8:11: SL103" in line for line in lines)
    finally:
        os.chmod(str(tmp_path / "secret.py"), 0o644)
