"""CI runs exactly the README's test command."""

import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def test_ci_runs_the_readme_test_command():
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    commands = re.findall(r"```sh\n\s*(python3 -m venv[^\n]*)\n", readme)
    assert len(commands) == 2, commands
    ci = open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8").read()
    last = [l for l in ci.splitlines() if l.strip() and not l.startswith("#")][-1]
    assert last.strip() == commands[1].strip()
