"""The pre-commit hook, for real, in throwaway git repositories holding buggy models.

- ``pre-commit try-repo <this project> shapelint --all-files``: what a hook author runs.  It
  installs shapelint from the project's HEAD plus the uncommitted changes of its tracked files
  into a fresh virtualenv (pip fetches libcst and networkx from PyPI) and runs the hook of
  ``.pre-commit-hooks.yaml``.  try-repo always works in a temporary store, so every call
  installs again (about ten seconds): it is used for the Keras case only.
- ``pre-commit run`` with the sample configuration ``docs/ci/pre-commit-config.yaml`` (its
  ``repo``/``rev`` pointed at this project): what a user runs.  The hook is installed once into
  a ``PRE_COMMIT_HOME`` shared by the module and reused by the other cases.  ``rev`` must be a
  commit: the project's HEAD when its checkout is clean (CI), otherwise a snapshot of its files
  as they are on disk, committed once in a temporary repository (as try-repo does with local
  changes, new files that git does not ignore included).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

yaml = pytest.importorskip("yaml")  # PyYAML comes with pre-commit (the `test` extra)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOOKS_FILE = os.path.join(ROOT, ".pre-commit-hooks.yaml")
SAMPLE_CONFIG = os.path.join(ROOT, "docs", "ci", "pre-commit-config.yaml")
PROJECT_URL = "https://github.com/shapelint/shapelint"

# Generous: the first call creates a virtualenv and pip-installs shapelint and its
# dependencies from PyPI.
TIMEOUT = 900

# an LSTM fed the output of a Flatten: 2-D (batch, 36 * 32) instead of a sequence
KERAS_BUGGY = """\
import keras
from keras import layers

model = keras.Sequential(
    [
        keras.Input(shape=(40, 12)),
        layers.Conv1D(32, 5, activation="relu"),
        layers.Flatten(),
        layers.LSTM(16),
        layers.Dense(1),
    ]
)
"""
KERAS_FIXED = KERAS_BUGGY.replace("        layers.Flatten(),\n", "")
KERAS_LINE = (
    "models/sequence.py:9:9: SL103 LSTM expects 3-D input (batch, timesteps, features) "
    "but receives (None, 1152) from Flatten at line 8."
)

# LeNet on 32x32 images with fc1 sized for 28x28 ones: 16 x 5 x 5 = 400 features arrive
TORCH_BUGGY = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


model = LeNet()
out = model(torch.randn(2, 3, 32, 32))
"""
TORCH_FIXED = TORCH_BUGGY.replace("nn.Linear(16 * 4 * 4, 120)", "nn.Linear(16 * 5 * 5, 120)")
TORCH_LINE = "lenet.py:11:20: SL107 Linear expects 256 input features but receives (2, 400)"

# plain Python next to the models: the hook gets it too and must stay quiet about it
HELPER = """\
def accuracy(predictions, labels):
    return sum(p == t for p, t in zip(predictions, labels)) / len(labels)
"""


# -- helpers ---------------------------------------------------------------------------------


def git_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="shapelint tests",
        GIT_AUTHOR_EMAIL="tests@example.invalid",
        GIT_COMMITTER_NAME="shapelint tests",
        GIT_COMMITTER_EMAIL="tests@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def git(cwd, *args) -> str:
    proc = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=str(cwd), env=git_env(), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, "git %s failed:\n%s%s" % (" ".join(args), proc.stdout, proc.stderr)
    return proc.stdout


def write(repo, relpath: str, text: str) -> None:
    path = os.path.join(str(repo), relpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def commit_all(repo, message: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "-q", "-m", message)


def snapshot(dest: str) -> str:
    """The project's files as they are on disk (tracked ones and new ones git does not
    ignore), committed in a new repository: what try-repo itself builds, made once."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for rel in filter(None, listed):
        src = os.path.join(ROOT, rel)
        if not os.path.lexists(src):
            continue  # deleted in the working tree
        dst = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)
    git(dest, "init", "-q")
    commit_all(dest, "snapshot of the shapelint working tree")
    return dest


# -- fixtures ---------------------------------------------------------------------------------


def require_tracked_hooks_file() -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed to test the pre-commit hook")
    git(ROOT, "rev-parse", "--git-dir")  # a git checkout
    tracked = git(ROOT, "ls-files", "--", ".pre-commit-hooks.yaml").strip()
    assert tracked == ".pre-commit-hooks.yaml", (
        ".pre-commit-hooks.yaml is not tracked by git: pre-commit would not see it (git add it)"
    )


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory):
    """(repo, rev) for a configuration's ``repos:`` entry: this project, as it is on disk."""
    require_tracked_hooks_file()
    if not git(ROOT, "status", "--porcelain", "--untracked-files=no").strip():
        return ROOT, git(ROOT, "rev-parse", "HEAD").strip()
    snap = snapshot(str(tmp_path_factory.mktemp("shapelint-snapshot")))
    return snap, git(snap, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> str:
    """One pre-commit cache for the module: ``pre-commit run`` installs shapelint once."""
    return str(tmp_path_factory.mktemp("pre-commit-home"))


@pytest.fixture
def user_repo(tmp_path):
    """A user's project: a fresh git repository."""
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q")
    return repo


def pre_commit(home, repo, *args) -> subprocess.CompletedProcess:
    env = git_env()
    env["PRE_COMMIT_HOME"] = home
    env.pop("PRE_COMMIT", None)
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color=never"],
        cwd=str(repo), env=env, capture_output=True, text=True, timeout=TIMEOUT,
    )


def user_config(hook_source) -> str:
    """docs/ci/pre-commit-config.yaml with its repo and rev pointed at this project."""
    with open(SAMPLE_CONFIG, encoding="utf-8") as fh:
        text = fh.read()
    repo, rev = hook_source
    assert text.count("repo: %s\n" % PROJECT_URL) == 1 and text.count("rev: v") == 1, text
    text = text.replace("repo: %s\n" % PROJECT_URL, "repo: %s\n" % repo)
    return re.sub(r"rev: v\S+", "rev: %s" % rev, text)


def output(proc) -> str:
    return proc.stdout + proc.stderr


def hook_status(proc) -> str:
    """Passed / Failed / Skipped, from pre-commit's ``shapelint.....Failed`` line."""
    m = re.search(r"^shapelint\.*(?:\(no files to check\))?(Passed|Failed|Skipped)$", proc.stdout, re.M)
    assert m, "no status line for the hook:\n" + output(proc)
    return m.group(1)


# -- the hook definition ----------------------------------------------------------------------


def load_hooks():
    with open(HOOKS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_hook_definition():
    hooks = load_hooks()
    assert isinstance(hooks, list)
    (hook,) = [h for h in hooks if h["id"] == "shapelint"]
    assert hook["language"] == "python"
    assert hook["types_or"] == ["python", "pyi"]
    assert hook["require_serial"] is True
    assert hook["args"] == []
    assert hook["entry"].split()[:2] == ["shapelint", "check"]
    assert hook["name"] and hook["description"]


def test_hook_entry_is_a_valid_command_line():
    """pre-commit appends the file names to ``entry`` + ``args``: the parser must accept it."""
    from shapelint.cli import build_parser

    for hook in load_hooks():
        argv = hook["entry"].split()[1:] + list(hook.get("args", [])) + ["a.py", "b.pyi"]
        args = build_parser().parse_args(argv)
        assert args.command == "check"
        assert args.paths == ["a.py", "b.pyi"]


def test_hook_file_is_valid_for_pre_commit():
    """pre-commit's own schema for .pre-commit-hooks.yaml, and its minimum version."""
    from pre_commit.clientlib import load_manifest

    manifest = load_manifest(HOOKS_FILE)
    assert [h["id"] for h in manifest] == [h["id"] for h in load_hooks()]


# -- try-repo: the hook as its author tries it -------------------------------------------------


def test_try_repo_keras_bug_fails_the_hook_and_the_fix_passes(pre_commit_home, user_repo):
    require_tracked_hooks_file()
    write(user_repo, "models/sequence.py", KERAS_BUGGY)
    write(user_repo, "models/utils.py", HELPER)
    write(user_repo, "README.md", "A project.\n")
    commit_all(user_repo, "buggy model")

    proc = pre_commit(pre_commit_home, user_repo, "try-repo", ROOT, "shapelint", "--all-files")
    assert proc.returncode == 1, output(proc)
    assert hook_status(proc) == "Failed"
    assert "- exit code: 1" in proc.stdout
    assert KERAS_LINE in proc.stdout, output(proc)
    # only the model is reported
    assert len(re.findall(r"^\S+:\d+:\d+: SL\d{3} ", proc.stdout, re.M)) == 1, proc.stdout

    write(user_repo, "models/sequence.py", KERAS_FIXED)
    commit_all(user_repo, "fixed model")
    proc = pre_commit(pre_commit_home, user_repo, "try-repo", ROOT, "shapelint", "--all-files")
    assert proc.returncode == 0, output(proc)
    assert hook_status(proc) == "Passed"
    assert "SL103" not in output(proc)


# -- pre-commit run with the sample configuration: the hook as a user has it ------------------


@pytest.fixture
def configured_repo(user_repo, hook_source):
    write(user_repo, ".pre-commit-config.yaml", user_config(hook_source))
    commit_all(user_repo, "pre-commit configuration")
    return user_repo


def test_torch_linear_mismatch_fails_the_hook_and_the_fix_passes(pre_commit_home, configured_repo):
    repo = configured_repo
    write(repo, "lenet.py", TORCH_BUGGY)
    write(repo, "utils.py", HELPER)
    commit_all(repo, "buggy model")

    proc = pre_commit(pre_commit_home, repo, "run", "--all-files")
    assert proc.returncode == 1, output(proc)
    assert hook_status(proc) == "Failed"
    assert TORCH_LINE in proc.stdout, output(proc)
    assert len(re.findall(r"^\S+:\d+:\d+: SL\d{3} ", proc.stdout, re.M)) == 1, proc.stdout

    write(repo, "lenet.py", TORCH_FIXED)
    commit_all(repo, "fixed model")
    proc = pre_commit(pre_commit_home, repo, "run", "--all-files")
    assert proc.returncode == 0, output(proc)
    assert hook_status(proc) == "Passed"


def test_files_checks_only_the_files_named(pre_commit_home, configured_repo):
    repo = configured_repo
    write(repo, "models/sequence.py", KERAS_BUGGY)
    write(repo, "lenet.py", TORCH_BUGGY)
    # buggy model code in a file that is not Python by name: the hook never sees it
    write(repo, "notes/model.txt", TORCH_BUGGY)
    commit_all(repo, "two buggy models")

    proc = pre_commit(pre_commit_home, repo, "run", "--files", "lenet.py")
    assert proc.returncode == 1, output(proc)
    assert TORCH_LINE in proc.stdout, output(proc)
    assert "models/sequence.py" not in output(proc)
    assert "SL103" not in output(proc)

    proc = pre_commit(pre_commit_home, repo, "run", "--files", "models/sequence.py")
    assert proc.returncode == 1, output(proc)
    assert KERAS_LINE in proc.stdout, output(proc)
    assert "lenet.py" not in output(proc)

    proc = pre_commit(pre_commit_home, repo, "run", "--files", "notes/model.txt")
    assert proc.returncode == 0, output(proc)
    assert hook_status(proc) == "Skipped"


def test_commit_is_blocked_by_the_installed_hook(pre_commit_home, configured_repo):
    """``pre-commit install``, then ``git commit`` of a buggy model fails; the fix commits."""
    repo = configured_repo
    proc = pre_commit(pre_commit_home, repo, "install")
    assert proc.returncode == 0, output(proc)
    env = git_env()
    env["PRE_COMMIT_HOME"] = pre_commit_home
    env["NO_COLOR"] = "1"

    def commit(message):
        git(repo, "add", "--all")
        return subprocess.run(
            ["git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", message],
            cwd=str(repo), env=env, capture_output=True, text=True, timeout=TIMEOUT,
        )

    write(repo, "lenet.py", TORCH_BUGGY)
    proc = commit("buggy model")
    assert proc.returncode != 0, output(proc)
    assert TORCH_LINE in output(proc)
    assert "buggy model" not in git(repo, "log", "--format=%s")

    write(repo, "lenet.py", TORCH_FIXED)
    proc = commit("fixed model")
    assert proc.returncode == 0, output(proc)
    assert git(repo, "log", "-1", "--format=%s").strip() == "fixed model"


def test_configuration_exclusions_and_args_apply_to_the_hook(pre_commit_home, configured_repo, hook_source):
    """pre-commit names every file, excluded ones too: ``--force-exclude`` in the hook's entry
    keeps ``extend-exclude`` working; ``args`` in the user's configuration reach shapelint."""
    repo = configured_repo
    write(repo, "pyproject.toml", '[tool.shapelint]\nextend-exclude = ["legacy/"]\n')
    write(repo, "legacy/old_lenet.py", TORCH_BUGGY)
    write(repo, "lenet.py", TORCH_BUGGY)
    commit_all(repo, "a buggy model, and an old one excluded")

    proc = pre_commit(pre_commit_home, repo, "run", "--all-files")
    assert proc.returncode == 1, output(proc)
    assert TORCH_LINE in proc.stdout, output(proc)
    assert "legacy/" not in output(proc)

    config = user_config(hook_source)
    marker = "      - id: shapelint\n"
    assert marker in config
    write(repo, ".pre-commit-config.yaml", config.replace(marker, marker + "        args: [--ignore, SL107]\n"))
    commit_all(repo, "ignore SL107")
    proc = pre_commit(pre_commit_home, repo, "run", "--all-files")
    assert proc.returncode == 0, output(proc)
    assert hook_status(proc) == "Passed"
