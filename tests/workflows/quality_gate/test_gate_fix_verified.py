"""--fix is verified: every check runs again, and fixes that make a check worse are undone."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.harness import Devora

API = '"""The public API."""\n\nfrom calc import add  # re-exported for the tests\n'
API_TEST = "from calc.api import add\n\n\ndef test_api_add() -> None:\n    assert add(1, 2) == 3\n"


def test_a_lint_fix_that_breaks_the_tests_is_discarded(
    devora: Devora, clean: Path, path_env: dict[str, str], tmp_path: Path
) -> None:
    # Seen: ruff's fixes took mypy from 5 to 15 errors, undetected. Here ruff removes an
    # "unused" import the tests import from: the fix would break the test suite.
    api = clean / "src" / "calc" / "api.py"
    api.write_text(API, encoding="utf-8")
    (clean / "tests" / "test_api.py").write_text(API_TEST, encoding="utf-8")
    out = tmp_path / "reports"
    result = devora(
        "run",
        "quality-gate",
        str(clean),
        "--fix",
        "--report-dir",
        str(out),
        timeout=300,
        **path_env,
    )
    text = result.stdout + result.stderr
    assert "--fix discarded its changes" in result.stdout, text
    assert api.read_text(encoding="utf-8") == API  # the file has its earlier text back
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [why for why in report["fix"]["discarded"] if why.startswith("pytest crashed")]
    checks = {c["name"]: c["status"] for c in report["checks"]}
    assert checks["pytest"] == "passed"  # the results from before the fixes stand
    assert checks["ruff-check"] == "failed"
