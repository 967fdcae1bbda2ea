"""The CI examples in ``docs/ci/`` (the README's GitHub Actions, GitLab CI and pre-commit
snippets): each parses, each shapelint command line in them is one shapelint accepts, and each
one, run as the CI job would run it on a repository holding ``fixtures/keras_bugs``, gives the
output the CI service reads (workflow annotations, a SARIF file, a JUnit file) and the exit
status that fails the job or not.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional, Tuple

import pytest

yaml = pytest.importorskip("yaml")  # PyYAML comes with pre-commit (the `test` extra)

import shapelint  # noqa: E402
from shapelint.cli import _normalize_argv, build_parser  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CI_DIR = os.path.join(ROOT, "docs", "ci")
GITHUB = os.path.join(CI_DIR, "github-actions.yml")
GITLAB = os.path.join(CI_DIR, "gitlab-ci.yml")
PRE_COMMIT = os.path.join(CI_DIR, "pre-commit-config.yaml")
BUGS = os.path.join(ROOT, "fixtures", "keras_bugs")
CLEAN = ["keras/resnet_mini.py", "keras/lstm_sentiment.py", "keras/unet_small_64.py", "torch/conv2d_variants.py"]

PROJECT_URL = "https://github.com/shapelint/shapelint"
TAG = "v" + shapelint.__version__
# what the examples install: the project at the release tag
INSTALL = "shapelint @ git+%s@%s" % (PROJECT_URL, TAG)

SHELL_OPERATORS = {"&&", "||", ";", "|", "&"}
REDIRECTIONS = {">", ">>", "<", "2>", "2>>", "&>"}


def load(path: str):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# -- shell lines -> commands ------------------------------------------------------------------


def commands(script: str) -> List[List[str]]:
    """The simple commands of a shell script (``run:`` or a ``script:`` entry), as argument
    lists: split at ``&&``, ``||``, ``;``, ``|``, redirections and comments left out."""
    out: List[List[str]] = []
    for line in script.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        current: List[str] = []
        skip_next = False
        for token in lexer:
            if skip_next:
                skip_next = False
                continue
            if token in SHELL_OPERATORS:
                if current:
                    out.append(current)
                current = []
            elif token in REDIRECTIONS:
                skip_next = True
            else:
                current.append(token)
        if current:
            out.append(current)
    return out


def test_commands_split_shell_lines():
    assert commands('pip install "a b" && shapelint check . > out.txt  # note') == [
        ["pip", "install", "a b"],
        ["shapelint", "check", "."],
    ]
    assert commands("shapelint check . || true\nshapelint rules | head") == [
        ["shapelint", "check", "."], ["true"], ["shapelint", "rules"], ["head"],
    ]


def github_steps() -> List[Tuple[str, dict]]:
    workflow = load(GITHUB)
    return [(name, step) for name, job in workflow["jobs"].items() for step in job["steps"]]


def github_commands() -> List[Tuple[str, List[str]]]:
    return [(job, cmd) for job, step in github_steps() if "run" in step for cmd in commands(step["run"])]


def gitlab_commands() -> List[Tuple[str, List[str]]]:
    out = []
    for name, job in load(GITLAB).items():
        if isinstance(job, dict) and "script" in job:
            for line in job["script"]:
                out.extend((name, cmd) for cmd in commands(line))
    return out


def shapelint_commands() -> List[Tuple[str, List[str]]]:
    """(where, argv after ``shapelint``) of every shapelint command of the examples."""
    found = [("github:" + job, cmd[1:]) for job, cmd in github_commands() if cmd[0] == "shapelint"]
    found += [("gitlab:" + job, cmd[1:]) for job, cmd in gitlab_commands() if cmd[0] == "shapelint"]
    return found


def parse(argv: List[str]):
    return build_parser().parse_args(_normalize_argv(argv))


def flag_value(argv: List[str], flag: str) -> Optional[str]:
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


# -- every example parses, and every command line is shapelint's ----------------------------


def test_examples_exist_and_parse():
    for path in (GITHUB, GITLAB, PRE_COMMIT):
        assert isinstance(load(path), dict), path


def test_the_examples_run_the_commands_the_readme_describes():
    """Which commands are in which example: a change here is a change of the README text."""
    got = [(where, " ".join(argv)) for where, argv in shapelint_commands()]
    assert got == [
        ("github:check", "check --format github ."),
        ("github:code-scanning", "check --format sarif --output-file shapelint.sarif --exit-zero ."),
        ("gitlab:shapelint", "check --format junit --output-file shapelint-junit.xml --exit-zero ."),
        ("gitlab:shapelint", "check ."),
    ]


@pytest.mark.parametrize("where,argv", shapelint_commands(), ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_shapelint_accepts_the_command_line(where, argv):
    args = parse(argv)
    assert args.command == "check"
    assert args.paths == ["."]


def test_shapelint_parser_rejects_a_bad_command_line():
    """The check above is not vacuous."""
    with pytest.raises(SystemExit):
        parse(["check", "--format", "gitlab-codequality", "."])


def test_every_install_line_installs_the_release():
    from packaging.requirements import Requirement  # pytest's own dependency

    installs = [cmd for _, cmd in github_commands() + gitlab_commands() if cmd[:2] == ["pip", "install"]]
    assert installs, "no pip install in the examples"
    for cmd in installs:
        assert cmd == ["pip", "install", INSTALL], cmd
    req = Requirement(INSTALL)  # a PEP 508 direct reference, as pip reads it
    assert req.name == "shapelint" and req.url == "git+%s@%s" % (PROJECT_URL, TAG)


def test_pre_commit_example_names_the_hook_of_this_repository():
    from pre_commit.clientlib import load_config

    load_config(PRE_COMMIT)  # pre-commit's own schema for .pre-commit-config.yaml
    config = load(PRE_COMMIT)
    (repo,) = config["repos"]
    assert repo["repo"] == PROJECT_URL
    assert repo["rev"] == TAG
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as fh:
        hooks = {h["id"]: h for h in yaml.safe_load(fh)}
    for hook in repo["hooks"]:
        assert hook["id"] in hooks
        # what pre-commit runs: entry + args + the file names
        argv = shlex.split(hooks[hook["id"]]["entry"])[1:] + list(hook.get("args", [])) + ["model.py"]
        assert parse(argv).paths == ["model.py"]


# -- the services' own schemas (as shipped by check-jsonschema, from SchemaStore) ---------------


def check_jsonschema(schema: str, path: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, path],
        capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize("schema,path", [("vendor.github-workflows", GITHUB), ("vendor.gitlab-ci", GITLAB)], ids=["github", "gitlab"])
def test_example_validates_against_the_services_schema(schema, path, tmp_path):
    proc = check_jsonschema(schema, path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # and the validator is not vacuous: a misspelt key is refused
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    broken = tmp_path / os.path.basename(path)
    typo = ("runs-on:", "runs_on:") if path == GITHUB else ("junit:", "junitt:")
    assert typo[0] in text
    broken.write_text(text.replace(typo[0], typo[1]), encoding="utf-8")
    assert check_jsonschema(schema, str(broken)).returncode == 1


# -- the GitHub workflow's structure ------------------------------------------------------------


def test_github_workflow_triggers_and_permissions():
    workflow = load(GITHUB)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        uses = [s.get("uses", "") for s in job["steps"]]
        assert uses[0].startswith("actions/checkout@"), name
        assert any(u.startswith("actions/setup-python@") for u in uses), name


def test_github_sarif_job_uploads_the_file_it_writes():
    workflow = load(GITHUB)
    job = workflow["jobs"]["code-scanning"]
    assert job["permissions"].get("security-events") == "write"
    (upload,) = [s for s in job["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload.get("if") == "always()"
    (argv,) = [a for w, a in shapelint_commands() if w == "github:code-scanning"]
    assert flag_value(argv, "--format") == "sarif"
    assert upload["with"]["sarif_file"] == flag_value(argv, "--output-file")
    steps = job["steps"]
    writes = next(i for i, s in enumerate(steps) if "--output-file" in s.get("run", ""))
    assert writes < steps.index(upload)


def test_gitlab_job_reports_the_junit_file_it_writes():
    job = load(GITLAB)["shapelint"]
    (argv,) = [a for w, a in shapelint_commands() if w == "gitlab:shapelint" and "--output-file" in a]
    assert flag_value(argv, "--format") == "junit"
    assert job["artifacts"]["reports"]["junit"] == flag_value(argv, "--output-file")
    assert job["artifacts"]["when"] == "always"  # the report also when the job fails
    assert not job["image"].endswith("-slim"), "pip needs git for a git+https install"


# -- each command, run as the CI job runs it -----------------------------------------------------


@pytest.fixture(scope="module")
def checkouts(tmp_path_factory) -> Dict[str, Tuple[str, List[dict]]]:
    """Two repositories' working copies as a CI job sees them, and their diagnostics as JSON:
    "keras_bugs" (the buggy fixtures) and "clean" (a few working Keras and PyTorch models)."""
    out = {}
    for name, files in (
        ("keras_bugs", [os.path.join(BUGS, f) for f in sorted(os.listdir(BUGS)) if f.endswith(".py")]),
        ("clean", [os.path.join(ROOT, "fixtures", f) for f in CLEAN]),
    ):
        work = str(tmp_path_factory.mktemp(name))
        for f in files:
            shutil.copy(f, work)
        out[name] = (work, reference(work))
    return out


def run_shapelint(argv: List[str], cwd: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "shapelint", *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def reference(cwd: str) -> List[dict]:
    """The diagnostics of a checkout, as JSON."""
    proc = run_shapelint(["check", "--format", "json", "."], cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["diagnostics"]


def expected_status(argv: List[str], diags: List[dict]) -> int:
    return 0 if (not diags or "--exit-zero" in argv) else 1


def rel(d: dict) -> str:
    """A diagnostic's path as CI services want it: relative, without ``./``."""
    return os.path.normpath(d["path"]).replace(os.sep, "/")


def check_github(proc, out_file, diags):
    lines = proc.stdout.splitlines()
    assert len(lines) == len(diags), proc.stdout
    pattern = re.compile(r"^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+),.*title=(SL\d{3})\b[^:]*::.+")
    level = {"error": "error", "warning": "warning", "info": "notice"}
    for line, d in zip(lines, diags):
        m = pattern.match(line)
        assert m, line
        assert m.groups() == (level[d["severity"]], rel(d), str(d["line"]), str(d["column"]), d["code"])


def check_sarif(proc, out_file, diags):
    assert proc.stdout == ""
    with open(out_file, encoding="utf-8") as fh:
        log = json.load(fh)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "shapelint"
    results = run["results"]
    assert len(results) == len(diags)
    for result, d in zip(results, diags):
        assert result["ruleId"] == d["code"]
        loc = result["locations"][0]["physicalLocation"]
        # relative to the checkout, so that code scanning finds the file in the repository
        assert loc["artifactLocation"]["uri"] == rel(d)
        assert loc["region"]["startLine"] == d["line"]


def check_junit(proc, out_file, diags):
    assert proc.stdout == ""
    root = ET.parse(out_file).getroot()
    assert root.tag == "testsuites"
    failures = root.findall(".//testcase/failure")
    assert len(failures) == len(diags)
    assert sorted(f.get("type") for f in failures) == sorted(d["code"] for d in diags)
    assert int(root.get("failures")) == len(diags)


def check_concise(proc, out_file, diags):
    lines = proc.stdout.splitlines()
    assert lines == ["%s:%d:%d: %s %s" % (d["path"], d["line"], d["column"], d["code"], d["message"]) for d in diags]


CHECKS = {"github": check_github, "sarif": check_sarif, "junit": check_junit, "concise": check_concise}


@pytest.mark.parametrize("source", ["keras_bugs", "clean"])
@pytest.mark.parametrize("where,argv", shapelint_commands(), ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_command_runs_and_gives_what_the_ci_service_reads(where, argv, source, checkouts):
    fmt = flag_value(argv, "--format") or "concise"
    assert fmt in CHECKS, "no check for --format %s" % fmt
    work, diags = checkouts[source]
    assert bool(diags) == (source == "keras_bugs")
    out_name = flag_value(argv, "--output-file")
    out_file = os.path.join(work, out_name) if out_name else None
    if out_file and os.path.exists(out_file):
        os.remove(out_file)
    proc = run_shapelint(argv, work)
    assert proc.returncode == expected_status(argv, diags), proc.stdout + proc.stderr
    if out_file:
        assert os.path.isfile(out_file), "%s was not written" % out_name
    CHECKS[fmt](proc, out_file, diags)
