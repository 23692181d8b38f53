"""Devora's pytest plugin for test impact analysis (loaded with `-p devora_impact`).

It runs inside the project's environment, which has no Devora: standard library, pytest
and coverage only. Under `coverage run` with DEVORA_IMPACT_REPORT set, every test runs in
a coverage context named by its node id (as pytest-cov's `--cov-context=test` does), and
each test's outcome is written to that file. With DEVORA_IMPACT_DESELECT naming a JSON list
of node ids, those tests are deselected (pytest counts them as deselected). With
DEVORA_IMPACT_ONLY naming a JSON list of absolute paths, pytest collects only those files
(and the directories on the way to them): the other files hold reused tests only, and
their reused tests are reported as pruned (never collected), not as deselected.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

_OUTCOMES: dict[str, str] = {}
_DESELECTED: list[str] = []
_PRUNED: list[str] = []
_ONLY: dict[str, set[Path]] = {}


def _only() -> dict[str, set[Path]]:
    """The files to collect and the directories leading to them (empty: collect everything)."""
    path = os.environ.get("DEVORA_IMPACT_ONLY")
    if path and not _ONLY:
        with open(path, encoding="utf-8") as file:
            files = {Path(name).resolve() for name in json.load(file)}
        _ONLY["files"] = files
        _ONLY["directories"] = {parent for name in files for parent in name.parents}
    return _ONLY


def _coverage() -> Any:
    try:
        import coverage
    except ImportError:
        return None
    return coverage.Coverage.current()


class _Pruner:
    """Registered only when DEVORA_IMPACT_ONLY is set, on pytest >= 7 (`collection_path`)."""

    def pytest_ignore_collect(self, collection_path: Path, config: Any) -> bool | None:
        """Not collected: a path that is neither a file to collect nor on the way to one."""
        only = _only()
        path = collection_path.resolve()
        if path in only["files"] or path in only["directories"]:
            return None  # pytest's own rules decide
        return True


def pytest_configure(config: Any) -> None:
    """Collect only the files named in DEVORA_IMPACT_ONLY (pytest >= 7; else everything)."""
    if getattr(pytest, "version_tuple", (0,)) >= (7,) and _only():
        config.pluginmanager.register(_Pruner(), "devora_impact_pruner")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Deselect the tests Devora reuses (their last result still holds)."""
    path = os.environ.get("DEVORA_IMPACT_DESELECT")
    if not path:
        return
    with open(path, encoding="utf-8") as file:
        reused = set(json.load(file))
    only = _only() if config.pluginmanager.has_plugin("devora_impact_pruner") else {}
    if only:  # reused tests in files never collected: their last result is reused too
        collected = {item.nodeid for item in items}
        root = config.rootpath
        for nodeid in sorted(reused - collected):
            if (root / nodeid.split("::", 1)[0]).resolve() not in only["files"]:
                _PRUNED.append(nodeid)
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
        "pruned": _PRUNED,
    }
    with open(path, "w", encoding="utf-8") as file:
        json.dump(report, file)
