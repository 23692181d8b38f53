"""Bad input for incidents: each is one clear error, and none leaves a run half-made."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from incident_service import HealthApp, IncidentProject, closed_port_url, pages

from devora.store import RunStatus, Store
from tests.cli.harness import Devora, wait_for
from tests.notify.receiver import Receiver

FAILING = (
    "import sys; print('switching new-checkout off'); print('flag service refused: 403'); "
    "sys.exit(3)"
)


def test_a_severity_that_does_not_exist_is_refused(
    devora: Devora, store: Store, project: IncidentProject
) -> None:
    result = devora("incident", "declare", "--service", "api", "--severity", "SEV5", "down")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "severity: Input should be 'SEV1', 'SEV2', 'SEV3' or 'SEV4'" in result.stderr
    assert "devora incident declare --help" in result.stderr
    assert store.list_runs() == []


def test_a_service_without_a_runbook_is_refused(
    devora: Devora, store: Store, project: IncidentProject
) -> None:
    result = devora("incident", "declare", "--service", "billing", "--severity", "SEV2", "down")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "service 'billing' has no runbook (services with one: api)" in result.stderr
    assert "[incident.services.billing]" in result.stderr  # the hint says what to add
    assert store.list_runs() == []


def test_run_incident_response_with_an_unknown_service_fails_at_declare(
    devora: Devora, store: Store, project: IncidentProject
) -> None:
    result = devora("run", "incident-response", "down", "--service", "billing")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "service 'billing' has no runbook" in result.stdout
    [run] = store.list_runs()
    assert run.status is RunStatus.FAILED and run.error is not None
    assert run.error["step"] == "declare"


def test_an_invalid_escalation_policy_names_the_key(
    devora: Devora, store: Store, project: IncidentProject
) -> None:
    project.levels = [(["devops", "marketing"], 1)]
    project.write()
    result = devora("incident", "declare", "--service", "api", "--severity", "SEV2", "down")
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        "devora.toml" in result.stderr
        and "incident.escalation.SEV2.levels.0.squads" in result.stderr
    )
    assert "unknown squad 'marketing'" in result.stderr
    assert store.list_runs() == []


def test_an_unreachable_health_url_times_out_with_a_clear_error(
    devora: Devora,
    store: Store,
    app: HealthApp,
    hooks: dict[str, Receiver],
    project: IncidentProject,
) -> None:
    project.health_url = closed_port_url()
    project.health_timeout = 1.5
    project.write()
    process = devora.start("incident", "declare", "--service", "api", "--severity", "SEV2", "down")
    try:
        wait_for(lambda: pages(hooks["devops"].bodies), timeout=30)
        wait_for(lambda: store.list_runs(), timeout=60)
        [run] = store.list_runs()
        assert devora("incident", "ack", run.id, "--by", "bob").returncode == 0
        out, err = process.communicate(timeout=40)
    finally:
        process.kill()
    assert process.returncode == 1, out + err
    assert f"{project.health_url} was not healthy 2 times in a row within 1.5s" in out
    assert "ConnectError" in out
    [run] = store.list_runs()
    assert run.status is RunStatus.FAILED and run.error is not None
    assert run.error["step"] == "resolve"
    rewritten = devora("incident", "postmortem", run.id)
    assert rewritten.returncode == 0, rewritten.stdout + rewritten.stderr
    [artifact] = [a for a in store.artifacts(run.id) if a.name == "postmortem.md"]
    assert artifact.path in rewritten.stdout.replace("\n", "")
    document = Path(artifact.path).read_text(encoding="utf-8")
    assert "Not resolved by Devora: step resolve failed: " in document
    assert "| Time to resolve | not reached |" in document
    assert "Devora's run stopped before the end" in document
    assert "`restart` ran at" in document and "Acknowledged by bob" in document
    assert "written after the run by `devora incident postmortem`" in document
    wait_for(lambda: [b for b in hooks["devops"].bodies if b["event"] == "run.failed"])


def test_ack_and_note_refuse_a_run_that_is_not_an_incident(
    devora: Devora, store: Store, project: IncidentProject
) -> None:
    from tests.cli.harness import TOYS

    ran = devora("run", f"{TOYS}:chain")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    [run] = store.list_runs()
    for command in (("ack", run.id), ("note", run.id, "text")):
        result = devora("incident", *command)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "not an incident" in result.stderr


def test_a_dry_run_pages_nobody_and_runs_nothing(
    devora: Devora,
    store: Store,
    app: HealthApp,
    hooks: dict[str, Receiver],
    project: IncidentProject,
) -> None:
    result = devora(
        "run", "incident-response", "down", "--service", "api", "--severity", "sev1", "--dry-run"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SEV1 (P1): would page devops" in result.stdout
    assert "after a devops approval" not in result.stdout
    assert "run restart:" in result.stdout
    assert hooks["devops"].bodies == [] and hooks["backend"].bodies == []
    assert not app.healthy


def test_a_runbook_command_that_fails_stops_the_runbook_with_its_output(
    devora: Devora,
    store: Store,
    app: HealthApp,
    hooks: dict[str, Receiver],
    project: IncidentProject,
) -> None:
    project.extra = (
        "[[incident.services.api.runbook]]\n"
        'name = "flag-off"\n'
        f"argv = {json.dumps([sys.executable, '-c', FAILING])}\n"
        "\n[[incident.services.api.runbook]]\n"
        'name = "page-vendor"\n'
        'argv = ["devora-no-such-program-xyz"]\n'
    )
    project.write()
    process = devora.start("incident", "declare", "--service", "api", "--severity", "SEV2", "down")
    try:
        wait_for(lambda: pages(hooks["devops"].bodies), timeout=30)
        wait_for(lambda: store.list_runs(), timeout=60)
        [run] = store.list_runs()
        assert devora("incident", "ack", run.id, "--by", "bob").returncode == 0
        out, err = process.communicate(timeout=40)
    finally:
        process.kill()
    assert process.returncode == 1, out + err
    assert "runbook command 'flag-off'" in out and "exited with 3" in out
    assert "flag service refused: 403" in out  # its last output
    [run] = store.list_runs()
    assert run.error is not None and run.error["step"] == "mitigate"
    logs = [e.message or "" for e in store.events(run.id) if e.step_id == "mitigate"]
    assert [m.split(" (")[0] for m in logs if m.startswith("ran ")] == [
        "ran status",
        "ran restart",
        "ran flag-off",
    ]  # in order, and page-vendor never ran


def test_a_runbook_program_that_is_not_installed_is_named(tmp_path: Path) -> None:
    from devora.workflows.incident import RunbookCommand, RunbookCommandError, run_command

    command = RunbookCommand(name="page-vendor", argv=["devora-no-such-program-xyz"])
    with pytest.raises(RunbookCommandError, match="cannot start: No such file or directory"):
        asyncio.run(run_command(command, tmp_path))
    slow = RunbookCommand(
        name="slow", argv=[sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5
    )
    with pytest.raises(RunbookCommandError, match=r"timed out after 0.5s"):
        asyncio.run(run_command(slow, tmp_path))


def test_a_command_output_is_kept_with_its_secrets_masked(tmp_path: Path) -> None:
    from devora.workflows.incident import RunbookCommand, run_command

    script = "print('rolled back'); print('API_TOKEN=abcd1234efgh'); print('key sk-abcdefghijkl')"
    command = RunbookCommand(name="rollback", argv=[sys.executable, "-c", script])
    run = asyncio.run(run_command(command, tmp_path))
    assert run.exit_code == 0
    assert run.output.splitlines() == ["rolled back", "API_TOKEN=[REDACTED]", "key [REDACTED]"]
