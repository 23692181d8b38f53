"""A service check that could not run is remembered as not run, for a short while only."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from gate_projects import tool_path

from devora.tools.checks import CheckResult, CheckStatus, PipAuditCheck, detect_project
from devora.workflows.quality_gate import GateConfig, ResultCache
from devora.workflows.quality_gate._baselines import BaselineStore
from devora.workflows.quality_gate._cache import fingerprint_files
from devora.workflows.quality_gate._incremental import Incremental
from devora.workflows.quality_gate._not_run import NotRunMemo
from devora.workflows.quality_gate._running import run_checks

_NOT_RUN = CheckResult(
    name="pip-audit", tool="pip-audit", status=CheckStatus.NOT_RUN, reason="not run: offline"
)


def test_a_not_run_result_is_remembered_as_not_run(tmp_path: Path) -> None:
    memo = NotRunMemo(tmp_path)
    memo.save("k", _NOT_RUN)
    remembered = memo.load("k")
    assert remembered is not None and remembered.status is CheckStatus.NOT_RUN
    assert remembered.reason == "not run: offline"
    assert remembered.reused is not None and "never counted as passed" in remembered.reused


def test_only_not_run_results_are_remembered(tmp_path: Path) -> None:
    memo = NotRunMemo(tmp_path)
    for status in (CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.CRASHED):
        memo.save(status.value, _NOT_RUN.model_copy(update={"status": status}))
        assert memo.load(status.value) is None


def test_a_remembered_not_run_expires(tmp_path: Path) -> None:
    memo = NotRunMemo(tmp_path, kept_for=60)
    memo.save("k", _NOT_RUN)
    entry = json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))
    entry["at"] = time.time() - 61
    (tmp_path / "k.json").write_text(json.dumps(entry), encoding="utf-8")
    assert memo.load("k") is None
    (tmp_path / "k.json").write_text("{damaged", encoding="utf-8")
    assert memo.load("k") is None


def test_the_key_follows_dependency_files_not_code() -> None:
    root = Path("/p")
    files = {"requirements.txt": "a", "src/x.py": "b"}
    key = NotRunMemo.key(["pip-audit"], root, files)
    assert key == NotRunMemo.key(["pip-audit"], root, {**files, "src/x.py": "c"})
    assert key != NotRunMemo.key(["pip-audit"], root, {**files, "requirements.txt": "z"})
    assert key != NotRunMemo.key(["pip-audit"], Path("/q"), files)
    assert key != NotRunMemo.key(["pip-audit", "2.0"], root, files)


@pytest.mark.slow
async def test_an_unreachable_service_is_asked_once_then_remembered(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("requests==2.19.0\n", encoding="utf-8")
    profile = detect_project(project, search_path=tool_path())
    cache = ResultCache(tmp_path / "cache")
    files = await fingerprint_files(project)

    def incremental(run: str, *, full: bool = False) -> Incremental:
        store = BaselineStore(tmp_path / "cache" / "incremental")
        return Incremental(store=store, files=files, run=run, full=full)

    def audit() -> PipAuditCheck:
        return PipAuditCheck(service="osv", osv_url="http://127.0.0.1:9/v1/query", pinned=True)

    logged: list[str] = []
    config = GateConfig()
    first, _ = await run_checks(
        [audit()], profile, config, cache, "t", logged.append, incremental("r1")
    )
    assert first[0].status is CheckStatus.NOT_RUN and first[0].reused is None
    again, hits = await run_checks(
        [audit()], profile, config, cache, "t", logged.append, incremental("r2")
    )
    assert hits == () and again[0].status is CheckStatus.NOT_RUN
    assert again[0].reason == first[0].reason
    assert again[0].reused is not None and again[0].reused.startswith("not run ")
    assert logged[-1].startswith("pip-audit: not_run: not run ")

    # --full asks the service again.
    full, _ = await run_checks(
        [audit()], profile, config, cache, "t", logged.append, incremental("r3", full=True)
    )
    assert full[0].status is CheckStatus.NOT_RUN and full[0].reused is None
