"""The shared acceptance cases (../shared/acceptance), scored by their own check.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "..", "..", "shared", "acceptance", "check.py")


@pytest.mark.skipif(not os.path.isfile(CHECK), reason="../shared/acceptance is not beside the project")
def test_keras_acceptance_cases_all_pass():
    proc = subprocess.run(
        [sys.executable, CHECK, "--framework", "keras", "--shapelint", "%s -m shapelint" % sys.executable],
        capture_output=True,
        text=True,
        timeout=600,
    )
    failures = [l for l in proc.stdout.splitlines() if not l.startswith("PASS")]
    assert proc.returncode == 0, "\n".join(failures) + proc.stderr
    assert "keras 32/32" in proc.stdout
