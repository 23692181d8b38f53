"""Incident response end to end through the real CLI, against a real service on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from incident_service import HealthApp, IncidentProject, pages

from devora.squads import os_account
from devora.store import RunRecord, RunStatus, Store, open_store
from tests.cli.harness import Devora, wait_for
from tests.notify.receiver import Receiver

DECLARE = ("incident", "declare", "--service", "api", "--severity", "SEV2")


def only_run(store: Store) -> RunRecord:
    runs = store.list_runs(workflow="incident-response")
    assert len(runs) == 1, runs
    return runs[0]


def wait_for_run(store: Store) -> str:
    wait_for(lambda: store.list_runs(workflow="incident-response"), timeout=60)
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
        assert "the escalation stopped" in acked.stdout  # it waited to see the step read it
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


def test_without_an_ack_each_level_is_paged_then_the_run_waits_for_one(
    devora: Devora,
    store: Store,
    app: HealthApp,
    hooks: dict[str, Receiver],
    project: IncidentProject,
) -> None:
    project.levels = [(["devops"], 0.02), (["backend"], 0.02)]  # 1.2 s each
    project.write()
    declared = devora(*DECLARE, "checkout fails")
    assert declared.returncode == 3, declared.stdout + declared.stderr
    assert "nobody acknowledged: devora incident ack" in declared.stdout
    [first] = pages(hooks["devops"].bodies)
    [second] = pages(hooks["backend"].bodies)
    assert first["event"] == "incident.declared"
    assert second["event"] == "incident.escalated" and "level 2" in second["message"]
    assert second["at"] - first["at"] >= 1.2
    run = only_run(store)
    assert run.status is RunStatus.WAITING and not app.healthy
    acked = devora("incident", "ack", run.id, "--by", "carol", "--comment", "on it")
    assert acked.returncode == 0, acked.stdout + acked.stderr
    assert "incident resolved" in acked.stdout and app.healthy
    again = devora("incident", "ack", run.id, "--by", "dave")
    assert again.returncode == 0 and "already acknowledged by carol" in again.stdout
    document = postmortem(store, run.id)
    assert "Level 1 paged (devops)" in document and "Level 2 paged (backend)" in document
    assert "acknowledged by carol: on it" in document
    assert len(pages(hooks["devops"].bodies)) == 1  # nobody was paged twice
    late = devora("incident", "note", run.id, "found the cause")
    assert late.returncode == 0 and "postmortem is already written" in late.stdout
    assert "found the cause" not in postmortem(store, run.id)
    assert devora("incident", "postmortem", run.id).returncode == 0
    assert "| note (" in postmortem(store, run.id)
    assert "found the cause |" in postmortem(store, run.id)


def test_a_killed_escalation_resumes_without_paging_a_level_twice(
    devora: Devora,
    store: Store,
    app: HealthApp,
    hooks: dict[str, Receiver],
    project: IncidentProject,
) -> None:
    project.levels = [(["devops"], 0.04), (["backend"], 0.5)]  # 2.4 s, then 30 s
    project.write()
    process = devora.start(*DECLARE, "search is down")
    try:
        wait_for(lambda: pages(hooks["devops"].bodies), timeout=30)
        run_id = wait_for_run(store)
        wait_for(lambda: any("page" in e.data for e in store.events(run_id)), timeout=60)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        process.kill()
    assert only_run(store).status is RunStatus.RUNNING  # its owner died mid-escalation
    resumed = devora.start("resume", run_id)
    try:
        wait_for(lambda: pages(hooks["backend"].bodies), timeout=30)
        acked = devora("incident", "ack", run_id, "--by", "erin")
        assert acked.returncode == 0, acked.stderr
        code, out, err = finish(resumed)
    finally:
        resumed.kill()
    assert code == 0, out + err
    assert len(pages(hooks["devops"].bodies)) == 1  # level 1 was not paged again
    assert len(pages(hooks["backend"].bodies)) == 1  # level 2 was, when its time came
    run = only_run(store)
    assert run.status is RunStatus.SUCCEEDED and app.healthy
    assert run.outputs is not None and run.outputs["levels_paged"] == 2


def test_a_risky_command_waits_for_an_approval(
    devora: Devora,
    store: Store,
    app: HealthApp,
    hooks: dict[str, Receiver],
    project: IncidentProject,
) -> None:
    project.risky_restart = True
    project.write()
    process = devora.start(*DECLARE, "API answers 503")
    try:
        wait_for(lambda: pages(hooks["devops"].bodies), timeout=30)
        run_id = wait_for_run(store)
        assert devora("incident", "ack", run_id, "--by", "bob").returncode == 0
        code, out, err = finish(process)
    finally:
        process.kill()
    assert code == 3, out + err
    assert f"approve: devora approve {run_id} mitigate" in out
    assert not app.healthy  # the risky restart has not run
    wait_for(lambda: [b for b in hooks["devops"].bodies if b["event"] == "approval.needed"])
    approved = devora("approve", run_id, "mitigate")
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert app.healthy
    logs = [e.message or "" for e in store.events(run_id) if e.step_id == "mitigate"]
    assert sum(message.startswith("ran status") for message in logs) == 1  # not run twice
    assert f"restart approved by {os_account()}" in logs
    document = postmortem(store, run_id)
    assert "`restart` ran at" in document and f"approved by {os_account()}" in document
    assert "waiting for approval: run risky runbook command 'restart'" in document


def test_an_incident_on_postgresql(
    tmp_path: Path,
    postgres_url: str,
    app: HealthApp,
    hooks: dict[str, Receiver],
    project: IncidentProject,
) -> None:
    """Pages, a live ack from another process and the notes, with the store on PostgreSQL."""
    from tests.engine.conftest import pg_schema

    with pg_schema(postgres_url) as url:
        devora = Devora(home=tmp_path / ".devora", database_url=url)
        with open_store(url=url) as store:
            process = devora.start(*DECLARE, "API answers 503")
            try:
                wait_for(lambda: pages(hooks["devops"].bodies), timeout=30)
                run_id = wait_for_run(store)
                assert devora("incident", "note", run_id, "pool empty").returncode == 0
                assert devora("incident", "ack", run_id, "--by", "bob").returncode == 0
                code, out, err = finish(process)
            finally:
                process.kill()
            assert code == 0, out + err
            assert only_run(store).status is RunStatus.SUCCEEDED and app.healthy
            document = postmortem(store, run_id)
            assert "pool empty" in document and "acknowledged by bob" in document
        assert not (tmp_path / ".devora" / "devora.db").exists()


def test_the_severity_classified_from_signals_picks_who_is_paged(
    devora: Devora,
    store: Store,
    hooks: dict[str, Receiver],
    project: IncidentProject,
) -> None:
    project.extra = (
        "[incident.escalation.SEV1]\n"
        'levels = [{ squads = ["devops", "backend"], ack_minutes = 0.01 }]\n'
    )
    project.write()
    declared = devora(
        "incident", "declare", "--service", "api", "--security-breach", "tokens leaked"
    )
    assert declared.returncode == 3, declared.stdout + declared.stderr  # waits for an ack
    for squad in ("devops", "backend"):
        [page] = pages(hooks[squad].bodies)
        assert page["status"] == "SEV1" and "[SEV1 P1]" in page["message"]
    run = only_run(store)
    assert run.summary["severity"] == "SEV1" and run.summary["priority"] == "P1"
    triage = [e.message or "" for e in store.events(run.id) if "triage" in e.data]
    assert triage == ["triaged SEV1 (P1): security breach → SEV1"]  # SEV1 cannot go higher
