"""kill -9 a run at many points, resume it: completed steps are reused, the result is equal."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from devora.store import StepStatus, open_store
from tests.cli.harness import TOYS, Devora, json_lines, wait_for

CHAIN = f"{TOYS}:chain"
pytestmark = pytest.mark.slow


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    return Devora(home=tmp_path / ".devora", counter=tmp_path / "counter")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The outputs of the chain workflow run without any interruption."""
    base = tmp_path_factory.mktemp("reference")
    reference = Devora(home=base / ".devora")
    finished = reference("run", CHAIN, "-i", "seed=4", "--json")
    assert finished.returncode == 0, finished.stderr
    last = json_lines(finished.stdout)[-1]
    assert last["kind"] == "run.finished" and last["data"]["status"] == "succeeded"
    outputs: dict[str, object] = last["data"]["outputs"]
    return outputs


def committed_steps(devora: Devora, run_id: str) -> set[str]:
    with open_store(home=devora.home) as store:
        return {a.step_id for a in store.attempts(run_id) if a.status is StepStatus.SUCCEEDED}


@pytest.mark.parametrize(
    ("point", "step"),
    [
        ("after_commit", "first"),
        ("before_commit", "second"),
        ("in_step", "slow"),
        ("after_commit", "side"),
        ("before_commit", "last"),
    ],
)
def test_fault_point_crash_then_resume(
    devora: Devora, uninterrupted: dict[str, object], point: str, step: str
) -> None:
    crashed = devora("run", CHAIN, "-i", "seed=4", "--json", DEVORA_CRASH_AT=f"{point}:{step}")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    run_id = json_lines(crashed.stdout)[0]["run_id"]
    before = devora.ran()
    recorded = committed_steps(devora, run_id)
    with open_store(home=devora.home) as store:
        assert store.get_run(run_id).status.value == "running"

    resumed = devora("resume", run_id, "--json")
    assert resumed.returncode == 0, resumed.stderr
    last = json_lines(resumed.stdout)[-1]
    assert last["kind"] == "run.finished" and last["run_id"] == run_id
    assert last["data"]["status"] == "succeeded"
    assert last["data"]["outputs"] == uninterrupted
    rerun = devora.ran()[len(before) :]
    assert not recorded & set(rerun), f"committed steps ran again: {recorded & set(rerun)}"
    assert sorted(set(devora.ran())) == ["first", "last", "second", "side", "slow"]
    if point == "after_commit":
        assert step in recorded and step not in rerun
    if point == "before_commit":
        assert step not in recorded and rerun.count(step) == 1


@pytest.mark.parametrize("after", ["first", "second"])
def test_external_kill_9_while_a_step_runs(
    devora: Devora, uninterrupted: dict[str, object], after: str
) -> None:
    process = devora.start("run", CHAIN, "-i", "seed=4", "--json", TOY_SLOW="30")
    try:
        first_line = process.stdout.readline() if process.stdout else ""
        run_id = json_lines(first_line)[0]["run_id"]
        wait_for(lambda: after in committed_steps(devora, run_id))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    recorded = committed_steps(devora, run_id)
    before = devora.ran()
    resumed = devora("resume", run_id, "--json", TOY_SLOW="0")
    assert resumed.returncode == 0, resumed.stderr
    assert json_lines(resumed.stdout)[-1]["data"]["outputs"] == uninterrupted
    rerun = devora.ran()[len(before) :]
    assert not recorded & set(rerun)


def test_ctrl_c_cancels_and_resume_finishes(
    devora: Devora, uninterrupted: dict[str, object]
) -> None:
    process = devora.start("run", CHAIN, "-i", "seed=4", "--json", TOY_SLOW="30")
    try:
        run_id = json_lines(process.stdout.readline() if process.stdout else "")[0]["run_id"]
        wait_for(lambda: "slow" in devora.ran())
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and f"devora resume {run_id}" in stderr
    with open_store(home=devora.home) as store:
        assert store.get_run(run_id).status.value == "cancelled"
    before = devora.ran()
    resumed = devora("resume", run_id, "--json", TOY_SLOW="0")
    assert resumed.returncode == 0, resumed.stderr
    assert json_lines(resumed.stdout)[-1]["data"]["outputs"] == uninterrupted
    assert devora.ran()[len(before) :] == ["slow", "last"]


def test_cancel_from_another_process(devora: Devora) -> None:
    process = devora.start("run", CHAIN, "--json", TOY_SLOW="30")
    try:
        run_id = json_lines(process.stdout.readline() if process.stdout else "")[0]["run_id"]
        wait_for(lambda: "slow" in devora.ran())
        cancelled = devora("cancel", run_id)
        assert cancelled.returncode == 0, cancelled.stderr
        assert "cancel requested" in cancelled.stdout
        process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 4
    with open_store(home=devora.home) as store:
        run = store.get_run(run_id)
        assert run.status.value == "cancelled" and not run.cancel_requested


def test_crash_and_resume_on_postgresql(
    tmp_path: Path, postgres_url: str, uninterrupted: dict[str, object]
) -> None:
    """The same durability on PostgreSQL (DEVORA_DATABASE_URL), one schema for this test."""
    from tests.engine.conftest import pg_schema

    with pg_schema(postgres_url) as url:
        devora = Devora(home=tmp_path / ".devora", database_url=url, counter=tmp_path / "n")
        crashed = devora(
            "run", CHAIN, "-i", "seed=4", "--json", DEVORA_CRASH_AT="after_commit:second"
        )
        assert crashed.returncode == -signal.SIGKILL, crashed.stderr
        run_id = json_lines(crashed.stdout)[0]["run_id"]
        before = devora.ran()
        resumed = devora("resume", run_id, "--json")
        assert resumed.returncode == 0, resumed.stderr
        assert json_lines(resumed.stdout)[-1]["data"]["outputs"] == uninterrupted
        assert "first" not in devora.ran()[len(before) :]
        assert "second" not in devora.ran()[len(before) :]
        assert not (tmp_path / ".devora" / "devora.db").exists()
