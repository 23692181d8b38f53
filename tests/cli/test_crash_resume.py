"""kill -9 a run at many points, resume it: completed steps are reused, the result is equal."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devora.store import Phase, StepStatus, open_store
from tests.cli.harness import TOYS, Devora, finished_event, json_lines, wait_for
from tests.engine.conftest import pg_schema

CHAIN = f"{TOYS}:chain"
DURABLE = f"{TOYS}:durable"
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
    # The slow step sleeps 120 s: the run must end long before that, however busy the
    # machine (two full-suite runs at load 7-10 took over 20 s to end after the signal).
    # Started with SIGINT ignored, as a test runner's worker or a background job starts it
    # (Python then installs no KeyboardInterrupt handler): Ctrl-C must still cancel.
    process = subprocess.Popen(
        devora.argv("run", CHAIN, "-i", "seed=4", "--json"),
        env=devora.env(TOY_SLOW="120"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=devora.home.parent,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        run_id = json_lines(process.stdout.readline() if process.stdout else "")[0]["run_id"]
        wait_for(lambda: "slow" in devora.ran())
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
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


# -- the matrix: every fault point x every attempt state x both stores ------------------


@dataclass
class Driven:
    """A durable-toy run driven to its end, through at most one crash."""

    run_id: str
    finished: dict[str, Any]
    crashes: int
    committed: set[str]  # what was committed when the process died
    rerun: list[str]  # what really ran after the crash

    @property
    def ending(self) -> tuple[Any, ...]:
        data = self.finished["data"]
        return data["status"], data.get("outputs"), (data.get("error") or {}).get("message")


def committed_work(devora: Devora, run_id: str) -> set[str]:
    """Steps whose success, and compensations whose end, the store holds."""
    with open_store(url=devora.database_url, home=devora.home) as store:
        assert store.get_run(run_id).status.value == "running"
        return {
            a.step_id if a.phase is Phase.RUN else f"undo_{a.step_id}"
            for a in store.attempts(run_id)
            if a.status in (StepStatus.SUCCEEDED, StepStatus.COMPENSATED)
        }


def drive(devora: Devora, *, fail: bool, crash: str | None = None) -> Driven:
    """Run the durable toy; after a crash resume it, and approve what waits, to the end."""
    env = {"DEVORA_CRASH_AT": crash} if crash else {}
    result = devora("run", DURABLE, "-i", f"fail={str(fail).lower()}", "--json", **env)
    run_id = json_lines(result.stdout)[0]["run_id"]
    crashes, committed, ran_before = 0, set[str](), list[str]()
    for _ in range(5):
        if result.returncode == -signal.SIGKILL:
            crashes += 1
            committed, ran_before, env = committed_work(devora, run_id), devora.ran(), {}
            result = devora("resume", run_id, "--json")
        elif result.returncode == 3:
            approved = devora("approve", run_id, "ship", "--no-resume")
            assert approved.returncode == 0, approved.stderr
            result = devora("resume", run_id, "--json", **env)
        else:
            break
    assert result.returncode in (0, 1), (result.returncode, result.stderr[-2000:])
    return Driven(
        run_id, finished_event(result), crashes, committed, devora.ran()[len(ran_before) :]
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, tuple[Driven, set[str]]]:
    """The durable toy's ending and the work it did, uninterrupted, succeeding and failing."""
    endings = {}
    for fail in (False, True):
        base = tmp_path_factory.mktemp(f"durable-{fail}")
        devora = Devora(home=base / ".devora", counter=base / "counter")
        endings[fail] = (drive(devora, fail=fail), set(devora.ran()))
    assert endings[False][0].ending[0] == "succeeded"
    assert endings[True][0].ending[0] == "rolled_back"
    assert {"undo_plain", "undo_flaky", "undo_sluggish"} <= endings[True][1]
    return endings


@pytest.fixture(params=["sqlite", "postgresql"])
def any_devora(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Devora]:
    """A `devora` command on a fresh SQLite store, then on a fresh PostgreSQL schema."""
    home, counter = tmp_path / ".devora", tmp_path / "counter"
    if request.param == "sqlite":
        yield Devora(home=home, counter=counter)
        return
    with pg_schema(request.getfixturevalue("postgres_url")) as url:
        yield Devora(home=home, database_url=url, counter=counter)


MATRIX = [
    # first attempt
    ("first", "before_commit:plain"),
    ("first", "after_commit:plain"),
    ("first", "in_step:plain"),
    # failed, then retried (attempt 1 fails, attempt 2 succeeds)
    ("retried", "before_commit:flaky@1"),
    ("retried", "after_commit:flaky@1"),
    ("retried", "in_step:flaky@2"),
    ("retried", "before_commit:flaky@2"),
    ("retried", "after_commit:flaky@2"),
    # timed out, then retried
    ("timed_out", "after_commit:sluggish@1"),
    ("timed_out", "in_step:sluggish@2"),
    ("timed_out", "before_commit:sluggish@2"),
    ("timed_out", "after_commit:sluggish@2"),
    # compensating (the run fails at `explode`; flaky's compensation is its attempt 3)
    ("compensating", "after_commit:explode"),
    ("compensating", "before_commit:flaky@3"),
    ("compensating", "after_commit:flaky@3"),
    ("compensating", "in_step:flaky@3"),
    # waiting for a human (the gate records attempt 1; the approved step runs attempt 2)
    ("waiting", "before_commit:ship@1"),
    ("waiting", "after_commit:ship@1"),
    ("waiting", "in_step:ship@2"),
    ("waiting", "before_commit:ship@2"),
]


@pytest.mark.parametrize(("state", "crash"), MATRIX, ids=[f"{s}-{c}" for s, c in MATRIX])
def test_a_crash_at_any_point_resumes_to_the_uninterrupted_ending(
    any_devora: Devora,
    reference: dict[bool, tuple[Driven, set[str]]],
    state: str,
    crash: str,
) -> None:
    fail = state == "compensating"
    expected, expected_work = reference[fail]
    driven = drive(any_devora, fail=fail, crash=crash)
    assert driven.crashes == 1, f"the fault point {crash} was never reached"
    assert driven.ending == expected.ending
    assert set(any_devora.ran()) == expected_work
    again = driven.committed & set(driven.rerun)
    assert not again, f"committed work ran again after the crash: {again}"


def test_two_resumes_of_one_run_at_once_one_wins(
    any_devora: Devora, uninterrupted: dict[str, object]
) -> None:
    crashed = any_devora(
        "run", CHAIN, "-i", "seed=4", "--json", DEVORA_CRASH_AT="after_commit:second"
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    run_id = json_lines(crashed.stdout)[0]["run_id"]
    before = any_devora.ran()
    resumers = [any_devora.start("resume", run_id, "--json", TOY_SLOW="2") for _ in range(2)]
    try:
        outputs = [process.communicate(timeout=60) for process in resumers]
        ended = [(p.returncode, out, err) for p, (out, err) in zip(resumers, outputs, strict=True)]
    finally:
        for process in resumers:
            if process.poll() is None:
                process.kill()
    assert sorted(code for code, _, _ in ended) == [0, 2], [e[0::2] for e in ended]
    (_, won, _), (_, _, lost) = sorted(ended, key=lambda e: e[0])
    assert json_lines(won)[-1]["data"]["outputs"] == uninterrupted
    assert "Error:" in lost and "Hint:" in lost and "Traceback" not in lost, lost
    assert f"run {run_id} is" in lost
    assert any_devora.ran()[len(before) :] == ["slow", "last"]
