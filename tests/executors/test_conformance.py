"""One conformance suite, run on both executors: the engine's behaviours, whoever runs steps.

Each test starts real `devora` processes on PostgreSQL; with the celery executor, steps
run on two `devora worker` processes (started once for the module) through a real broker.
Every behaviour runs on local and on Celery with Redis; RabbitMQ runs the behaviours whose
messages differ (one step after another, a fan-out, retried attempts, a run suspended and
resumed by another process). Conditions, skips and compensations are decided by the
coordinator, whichever broker carries the steps.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from devora.store import Phase, RunRecord, StepStatus, open_store
from tests.conftest import scratch_postgres_database
from tests.executors.conftest import DISTRIBUTED, TOYS, Cluster, machine_broker, shared_cluster

EXECUTORS = ["local", "celery-redis", "celery-rabbitmq"]
every_executor = pytest.mark.parametrize("executor_runs", EXECUTORS, indirect=True)
# Decided by the coordinator whatever the broker (see the module's docstring).
local_and_redis = pytest.mark.parametrize("executor_runs", EXECUTORS[:2], indirect=True)


class Runs:
    """Runs workflows with one executor and reads what the store recorded."""

    def __init__(self, cluster: Cluster, database_url: str) -> None:
        self.cluster = cluster
        self.store = open_store(url=database_url, home=cluster.tmp / ".devora")

    def run(self, target: str, *inputs: str, expect: int = 0) -> RunRecord:
        args = [x for item in inputs for x in ("--input", item)]
        done = self.cluster.devora("run", target, *args, "--json")
        assert done.returncode == expect, done.stdout[-3000:] + done.stderr[-3000:]
        return self.last_run()

    def last_run(self) -> RunRecord:
        return self.store.list_runs(top_level_only=True, limit=1)[0]

    def statuses(self, run_id: str) -> dict[str, list[str]]:
        seen: dict[str, list[str]] = {}
        for record in self.store.attempts(run_id, Phase.RUN):
            seen.setdefault(record.step_id, []).append(record.status.value)
        return seen


@pytest.fixture(scope="module")
def executor_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_url: str
) -> Iterator[Runs]:
    """One executor for the module's tests: local, or two Celery workers on one broker."""
    executor, _, broker_kind = request.param.partition("-")
    tmp = tmp_path_factory.mktemp(request.param)
    with contextlib.ExitStack() as stack:
        if broker_kind:
            broker = stack.enter_context(machine_broker(broker_kind))
            cluster = stack.enter_context(shared_cluster(tmp, postgres_url, broker, 2, 2))
        else:
            database = stack.enter_context(scratch_postgres_database(postgres_url))
            cluster = Cluster(tmp, database, "redis://127.0.0.1:6379/12")
        cluster.env["DEVORA_EXECUTOR"] = executor
        runs = Runs(cluster, cluster.env["DEVORA_DATABASE_URL"])
        stack.callback(runs.store.close)
        yield runs


@pytest.fixture
def runs(executor_runs: Runs, tmp_path: Path) -> Runs:
    """The module's executor, counting this test's steps in this test's files."""
    executor_runs.cluster.serve_test(tmp_path)
    return executor_runs


@every_executor
def test_a_chain_runs_each_step_once_with_the_outputs_it_needs(runs: Runs) -> None:
    run = runs.run(f"{TOYS}:chain", "seed=3")
    assert run.status.value == "succeeded"
    assert run.outputs == {"last": {"total": 92, "side": "side-3"}}
    assert runs.cluster.counts() == {"first": 1, "second": 1, "side": 1, "slow": 1, "last": 1}


@local_and_redis
def test_a_step_reads_the_steps_it_needs_directly_or_not(runs: Runs) -> None:
    run = runs.run(f"{DISTRIBUTED}:ancestry")
    assert run.status.value == "succeeded"
    assert run.outputs == {"last": {"first": "one", "seen": ["first", "middle"]}}


@every_executor
def test_fan_out_and_needs(runs: Runs) -> None:
    run = runs.run(f"{TOYS}:many")
    assert run.status.value == "succeeded"
    statuses = runs.statuses(run.id)
    assert set(statuses) == {"start", "sync", *(f"leaf{i}" for i in range(5))}
    assert all(s == ["succeeded"] for s in statuses.values())
    events = runs.store.events(run.id)
    started = {e.step_id: e.seq for e in events if e.kind.value == "step.started"}
    start_done = next(
        e.seq for e in events if e.kind.value == "step.finished" and e.step_id == "start"
    )
    assert all(started[f"leaf{i}"] > start_done for i in range(5))  # needs held
    assert any(e.kind.value == "step.log" and e.step_id == "sync" for e in events)


@every_executor
def test_retries_record_every_attempt(runs: Runs) -> None:
    run = runs.run(f"{TOYS}:retrying", "failures=2")
    assert run.status.value == "succeeded"
    assert runs.statuses(run.id) == {"flaky": ["retried", "retried", "succeeded"]}
    assert runs.cluster.counts() == {"flaky": 3}


@local_and_redis
def test_retries_spent_fail_the_run(runs: Runs) -> None:
    run = runs.run(f"{TOYS}:retrying", "failures=5", expect=1)
    assert run.status.value == "failed"
    assert run.error is not None and "attempt 3 failed" in json.dumps(run.error)


@local_and_redis
def test_a_failure_compensates_in_reverse_completion_order(runs: Runs) -> None:
    run = runs.run(f"{TOYS}:saga", expect=1)
    assert run.status.value == "rolled_back"
    lines = runs.cluster.counter.read_text().split()
    assert lines == ["write_a", "write_b", "undo_b", "undo_a"]
    compensated = runs.store.attempts(run.id, Phase.COMPENSATE)
    assert [r.step_id for r in compensated] == ["write_b", "write_a"]
    assert {r.status for r in compensated} == {StepStatus.COMPENSATED}


@local_and_redis
def test_false_conditions_skip_and_skips_propagate(runs: Runs) -> None:
    run = runs.run(f"{DISTRIBUTED}:skipping")
    assert run.status.value == "succeeded"
    assert runs.statuses(run.id) == {
        "a": ["succeeded"],
        "b": ["skipped"],
        "c": ["skipped"],
        "d": ["succeeded"],
    }
    assert runs.cluster.counts() == {"a": 1, "d": 1}


@every_executor
def test_approvals_and_inputs_suspend_then_resume(runs: Runs) -> None:
    waiting = runs.run(f"{TOYS}:gated", expect=3)
    assert waiting.status.value == "waiting"
    approved = runs.cluster.devora("approve", waiting.id, "deploy")
    assert approved.returncode == 3, approved.stdout + approved.stderr  # now waits for notes
    notes = runs.cluster.tmp / "notes.json"
    notes.write_text(json.dumps({"text": "fixed it", "reviewers": 2}))
    completed = runs.cluster.devora("complete", waiting.id, "release_notes", "--output", str(notes))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    run = runs.store.get_run(waiting.id)
    assert run.status.value == "succeeded"
    assert run.outputs == {"release_notes": "fixed it (2 reviewers)"}
    assert runs.cluster.counts() == {"prepare": 1, "deploy": 1, "release_notes": 1}


@local_and_redis
def test_figures_set_by_steps_make_the_run_summary(runs: Runs) -> None:
    run = runs.run(f"{DISTRIBUTED}:figures")
    assert run.status.value == "succeeded"
    finished = [
        (e.seq, e.step_id, e.data.get("summary"))
        for e in runs.store.events(run.id)
        if e.kind.value == "step.finished"
    ]
    assert run.summary == {"a": 1, "b": 2, "c": 3}, finished  # parallel steps, none lost
