"""The proof on a real project nobody here wrote (six, a PyPI sdist, git init'd): after a
one-function change, the incremental gate (re-running only the tests that executed that
function, the others' results and coverage reused) gives a full run's verdict and
findings, and a change that breaks a test is caught by the incremental run."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from gate_projects import git

from tests.cli.harness import Devora

FUNCTION = '    def b(s):\n        return s.encode("latin-1")\n'


def _gate(devora: Devora, root: Path, reports: Path, *extra: str) -> dict[str, Any]:
    bin_dir = Path(sys.executable).parent  # the gate's ruff, mypy, bandit: devora[checks]
    done = devora(
        "run", "quality-gate", str(root), "--report-dir", str(reports), *extra,
        timeout=900, PATH=os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]),
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    report: dict[str, Any] = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    return report


def _verdict(report: dict[str, Any]) -> dict[str, Any]:
    """What must not differ between an incremental and a full run of the same tree."""
    return {
        "passed": report["passed"],
        "score": report["score"],
        "reasons": report["reasons"],
        "conditions": report["conditions"],
        "checks": {
            c["name"]: (c["status"], c["reason"], c["counts"], c["metrics"])
            for c in report["checks"]
        },
        "findings": sorted(
            (f["check"], f["rule"], f["file"] or "", f["line"] or 0, f["message"])
            for f in report["findings"]
        ),
    }


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow
def test_incremental_verdict_and_findings_equal_a_full_runs_on_a_real_sdist(
    sdist: Path, tmp_path: Path
) -> None:
    root = Path(shutil.copytree(sdist, tmp_path / sdist.name))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "six as released")
    home = tmp_path / "home" / ".devora"
    home.parent.mkdir()
    devora = Devora(home=home)
    first = _gate(devora, root, tmp_path / "r1")
    tests = {c["name"]: c for c in first["checks"]}["pytest"]
    assert tests["status"] in ("passed", "failed") and tests["metrics"]["passed"] > 100, tests

    # One function changed: an unused variable (a new ruff finding), the tests still pass.
    _edit(root / "six.py", FUNCTION, FUNCTION.replace("return", "unused = 1\n        return"))
    incremental = _gate(devora, root, tmp_path / "r2")
    full = _gate(devora, root, tmp_path / "r3", "--full")
    assert _verdict(incremental) == _verdict(full)
    reused = {c["name"]: c["reused"] for c in incremental["checks"]}
    assert reused["ruff-check"] is not None and reused["ruff-check"].startswith(
        "1 changed file(s) re-checked"
    )
    # Function-level selection: only the tests that executed a line of b() ran again (six
    # runs other functions of six.py at import, but not b).
    assert reused["pytest"] is not None and reused["bandit"] is not None
    rerun, reused_tests = (int(n) for n in re.findall(r"\d+", reused["pytest"])[:2])
    assert 0 < rerun < 50 and reused_tests > 100, reused["pytest"]
    assert not any(c["reused"] for c in full["checks"])
    assert ("ruff-check", "F841", "six.py") in {f[:3] for f in _verdict(incremental)["findings"]}

    # A change that breaks tests: the incremental run catches it, as the full run does.
    _edit(root / "six.py", 'return s.encode("latin-1")', 'return s.encode("latin-1") + b"!"')
    broken = _gate(devora, root, tmp_path / "r4")
    broken_full = _gate(devora, root, tmp_path / "r5", "--full")
    assert _verdict(broken) == _verdict(broken_full)
    before = {c["name"]: c for c in incremental["checks"]}["pytest"]["metrics"]["failures"]
    after = {c["name"]: c for c in broken["checks"]}["pytest"]["metrics"]["failures"]
    assert after > before
    assert not broken["passed"]
