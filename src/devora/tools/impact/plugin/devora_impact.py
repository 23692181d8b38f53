"""Devora's pytest plugin for test impact analysis (loaded with `-p devora_impact`).

It runs inside the project's environment, which has no Devora: standard library, pytest
and coverage only. Under `coverage run` with DEVORA_IMPACT_REPORT set, every test runs in
a coverage context named by its node id (as pytest-cov's `--cov-context=test` does), and
each test's outcome is written to that file. With DEVORA_IMPACT_DESELECT naming a JSON list
of node ids, those tests are deselected (pytest counts them as deselected).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

_OUTCOMES: dict[str, str] = {}
_DESELECTED: list[str] = []


def _coverage() -> Any:
    try:
        import coverage
    except ImportError:
        return None
    return coverage.Coverage.current()


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Deselect the tests Devora reuses (their last result still holds)."""
    path = os.environ.get("DEVORA_IMPACT_DESELECT")
    if not path:
        return
    with open(path, encoding="utf-8") as file:
        reused = set(json.load(file))
    kept = [item for item in items if item.nodeid not in reused]
    if len(kept) != len(items):
        dropped = [item for item in items if item.nodeid in reused]
        _DESELECTED.extend(item.nodeid for item in dropped)
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: Any, nextitem: Any) -> Any:
    """Setup, call and teardown of one test in the coverage context named by its node id."""
    cov = _coverage() if os.environ.get("DEVORA_IMPACT_REPORT") else None
    if cov is not None:
        cov.switch_context(item.nodeid)
    try:
        yield
    finally:
        if cov is not None:
            cov.switch_context(None)


def pytest_runtest_logreport(report: Any) -> None:
    """Keep each test's outcome: failed if any phase failed, skipped, or passed."""
    before = _OUTCOMES.get(report.nodeid)
    if report.failed:
        outcome = "failed"
    elif report.skipped or hasattr(report, "wasxfail"):
        outcome = "skipped"
    elif report.when == "call":
        outcome = "passed"
    else:
        outcome = before or "running"
    if before != "failed":
        _OUTCOMES[report.nodeid] = outcome


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    """Write the outcomes, the rootdir and coverage's static context for Devora."""
    path = os.environ.get("DEVORA_IMPACT_REPORT")
    if not path:
        return
    cov = _coverage()
    report = {
        "rootdir": str(session.config.rootpath),
        "static_context": getattr(getattr(cov, "config", None), "context", None),
        "measured": cov is not None,
        "outcomes": _OUTCOMES,
        "deselected": _DESELECTED,
    }
    with open(path, "w", encoding="utf-8") as file:
        json.dump(report, file)
