"""Approvals are not self-declared: the approver is the OS account, checked against the
approvers recorded when the run started, whatever the current directory's config says."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from devora.squads import os_account
from devora.store import open_store
from tests.cli.harness import TOYS, Devora, json_lines


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    return Devora(home=tmp_path / "project" / ".devora")


def _start_gated(devora: Devora, config: str) -> str:
    """A gated toy run waiting for the devops approval, started under `config`."""
    devora.home.parent.mkdir(parents=True, exist_ok=True)
    (devora.home.parent / "devora.toml").write_text(config, encoding="utf-8")
    started = devora("run", f"{TOYS}:gated", "--json")
    assert started.returncode == 3, started.stderr
    return str(json_lines(started.stdout)[-1]["run_id"])


def _answers(devora: Devora, run_id: str) -> dict[str, object]:
    with open_store(home=devora.home) as store:
        return {step: answer.answered_by for step, answer in store.answers(run_id).items()}


def _devora_in(devora: Devora, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        devora.argv(*args),
        env=devora.env(),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_by_cannot_name_someone_else(devora: Devora) -> None:
    run_id = _start_gated(devora, '[squads.devops]\napprovers = ["alice"]\n')
    refused = devora("approve", run_id, "deploy", "--by", "alice")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "--by alice: you are" in refused.stderr and "Hint:" in refused.stderr
    assert _answers(devora, run_id) == {}  # nothing recorded


def test_an_account_not_among_the_recorded_approvers_is_refused(devora: Devora) -> None:
    run_id = _start_gated(devora, '[squads.devops]\napprovers = ["alice"]\n')
    refused = devora("approve", run_id, "deploy")
    assert refused.returncode == 2
    assert f"{os_account()} is not an approver of the devops squad" in refused.stderr
    assert "Hint:" in refused.stderr and "Traceback" not in refused.stderr
    assert _answers(devora, run_id) == {}


def test_a_config_in_another_directory_does_not_change_who_may_approve(
    devora: Devora, tmp_path: Path
) -> None:
    run_id = _start_gated(devora, '[squads.devops]\napprovers = ["alice"]\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    me = os_account()
    (elsewhere / "devora.toml").write_text(
        f'[squads.devops]\napprovers = ["{me}", "mallory"]\n[approvers]\nalice = "{me}"\n'
    )
    refused = _devora_in(devora, elsewhere, "approve", run_id, "deploy")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "not an approver" in refused.stderr
    assert _answers(devora, run_id) == {}


def test_the_os_account_mapped_to_an_approver_approves(devora: Devora, tmp_path: Path) -> None:
    config = f'[squads.devops]\napprovers = ["alice"]\n[approvers]\nalice = "{os_account()}"\n'
    run_id = _start_gated(devora, config)
    (devora.home.parent / "devora.toml").write_text("")  # later edits do not matter
    approved = devora("approve", run_id, "deploy")
    assert approved.returncode == 3, approved.stderr  # on to the next waiting step
    assert "by alice" in approved.stdout
    assert _answers(devora, run_id) == {"deploy#approval": "alice"}


def test_without_approvers_anyone_may_approve_as_themselves(devora: Devora) -> None:
    run_id = _start_gated(devora, "")
    approved = devora("approve", run_id, "deploy", "--by", os_account())
    assert approved.returncode == 3, approved.stderr
    assert _answers(devora, run_id) == {"deploy#approval": os_account()}
