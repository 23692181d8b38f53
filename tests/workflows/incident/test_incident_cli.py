"""Incident response end to end through the real CLI, against a real service on 127.0.0.1."""

from __future__ import annotations

import subprocess
from pathlib import Path

from incident_service import HealthApp, IncidentProject, pages

from devora.store import RunRecord, RunStatus, Store
from tests.cli.harness import Devora, wait_for
from tests.notify.receiver import Receiver

DECLARE = ("incident", "declare", "--service", "api", "--severity", "SEV2")


def only_run(store: Store) -> RunRecord:
    runs = store.list_runs(workflow="incident-response")
    assert len(runs) == 1, runs
    return runs[0]


def wait_for_run(store: Store) -> str:
    wait_for(lambda: store.list_runs(workflow="incident-response"), timeout=20)
    return only_run(store).id


def finish(process: subprocess.Popen[str], timeout: float = 40) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def postmortem(store: Store, run_id: str) -> str:
    [artifact] = [a for a in store.artifacts(run_id) if a.name == "postmortem.md"]
    return Path(artifact.path).read_text(encoding="utf-8")


def test_an_ack_stops_the_escalation_and_the_runbook_mends_the_service(
    devora: Devora,
    store: Store,
    app: HealthApp,
    hooks: dict[str, Receiver],
    project: IncidentProject,
) -> None:
    process = devora.start(*DECLARE, "--users-affected", "20", "API answers 503")
    try:
        wait_for(lambda: pages(hooks["devops"].bodies), timeout=30)
        run_id = wait_for_run(store)
        noted = devora("incident", "note", run_id, "saw 503s on the dashboard", "--by", "alice")
        assert noted.returncode == 0, noted.stderr
        acked = devora("incident", "ack", run_id[:8], "--by", "bob")
        assert acked.returncode == 0, acked.stderr
        assert "acknowledged by bob" in acked.stdout
        code, out, err = finish(process)
    finally:
        process.kill()
    assert code == 0, out + err
    assert "incident resolved: SEV2 (P2) on api, acknowledged by bob" in out
    assert app.healthy
    [page] = pages(hooks["devops"].bodies)
    assert page["event"] == "incident.declared" and page["squad"] == "devops"
    assert "[SEV2 P2]" in page["message"] and f"devora incident ack {run_id}" in page["message"]
    assert pages(hooks["backend"].bodies) == []  # acknowledged before its level was due
    run = only_run(store)
    assert run.status is RunStatus.SUCCEEDED
    assert run.summary["severity"] == "SEV2" and run.summary["priority"] == "P2"
    assert run.outputs is not None and run.outputs["acknowledged_by"] == "bob"
    assert run.outputs["levels_paged"] == 1
    document = postmortem(store, run_id)
    for section in (
        "## Summary",
        "## Impact",
        "## Root Causes",
        "## Trigger",
        "## Resolution",
        "## Detection",
        "## Action Items",
        "## Lessons Learned",
        "## Timeline",
    ):
        assert section in document, section
    assert "| Severity | SEV2 (P2)" in document
    assert "- Users affected: 20 %" in document
    assert "Narrative left for a person" in document and "_To be written" in document
    assert "blameless" in document
    assert "| note (alice) | saw 503s on the dashboard |" in document
    assert "paged level 1 (devops)" in document
    assert "acknowledged by bob" in document
    assert "ran restart" in document and "restarted" in document  # the command's output
    assert "healthy (HTTP 200)" in document and "unhealthy (HTTP 503)" not in document
