"""Machines that die: 100 steps over 3 workers, a worker killed mid-step, a coordinator
killed mid-run, a broker restarted mid-run; side effects counted outside the store.

Tests that kill a worker or the broker start their own; the others share three workers
per broker for the module. A killed worker's message goes back to the broker, so those
tests run on Redis and RabbitMQ; a coordinator's death involves no message, so those run
on Redis only.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devora.store import Phase, StepStatus, open_store, read_lease, step_lease_key
from tests.executors.conftest import DISTRIBUTED, Cluster, machine_broker, shared_cluster

both_brokers = pytest.mark.parametrize("three_workers", ["redis", "rabbitmq"], indirect=True)
redis_only = pytest.mark.parametrize("three_workers", ["redis"], indirect=True)


@pytest.fixture(scope="module")
def three_workers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_url: str
) -> Iterator[Cluster]:
    """Three workers (two processes each) on one broker, for the module's tests."""
    tmp = tmp_path_factory.mktemp(f"workers-{request.param}")
    with (
        machine_broker(request.param) as broker,
        shared_cluster(tmp, postgres_url, broker, 3, 2) as cluster,
    ):
        yield cluster


@pytest.fixture
def workers(three_workers: Cluster, tmp_path: Path) -> Iterator[Cluster]:
    """The shared workers, with this test's side-effect files and its own settings."""
    three_workers.serve_test(tmp_path)
    env = dict(three_workers.env)
    yield three_workers
    three_workers.env = env


@both_brokers
def test_a_hundred_steps_fan_out_over_three_workers(workers: Cluster) -> None:
    cluster = workers
    logged = [len(log.read_text()) for log in cluster.logs]
    # Not a failover test: the run's lease gets the default 15 s, not the cluster's 3 s. A
    # full suite run twice over at once stalled this coordinator's renewal past 3 s, a
    # worker took the run over, and the coordinator's write was refused, as it must be.
    cluster.env = {**cluster.env, "DEVORA_LEASE_SECONDS": "15"}
    done = cluster.devora("run", f"{DISTRIBUTED}:fan100", "--json", timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + cluster.worker_logs()
    counts = cluster.counts()
    assert counts == {**{f"leaf{i}": 1 for i in range(100)}, "total": 1}
    with open_store(url=cluster.env["DEVORA_DATABASE_URL"], home=cluster.tmp) as store:
        run = store.list_runs(limit=1)[0]
        assert run.outputs == {"total": sum(range(100))}
    served = [
        log.read_text()[n:].count("devora.step[")
        for log, n in zip(cluster.logs, logged, strict=True)
    ]
    assert sum(1 for n in served if n > 0) >= 2, served  # the work was shared


def test_a_worker_killed_mid_step_the_step_completes_once_elsewhere(cluster: Cluster) -> None:
    cluster.start_worker(concurrency=1)
    cluster.start_worker(concurrency=1)
    coordinator = cluster.start("run", f"{DISTRIBUTED}:napping", "--input", "seconds=3")
    cluster.wait_for(cluster.pids.exists, 60, "the nap step to start")
    victim = int(cluster.pids.read_text().split()[0])
    os.kill(victim, signal.SIGKILL)  # the pool process running the step, mid-step
    output, _ = coordinator.communicate(timeout=120)
    assert coordinator.returncode == 0, output[-3000:] + cluster.worker_logs()
    assert cluster.counts() == {"before": 1, "nap": 1, "after": 1}  # completed exactly once
    runners = [int(p) for p in cluster.pids.read_text().split()]
    assert len(runners) == 2 and runners[1] != victim  # started twice, finished elsewhere
    with open_store(url=cluster.env["DEVORA_DATABASE_URL"], home=cluster.tmp) as store:
        run = store.list_runs(limit=1)[0]
        assert run.status.value == "succeeded"
        naps = [r for r in store.attempts(run.id, Phase.RUN) if r.step_id == "nap"]
        assert [r.status for r in naps] == [StepStatus.SUCCEEDED]


def test_a_whole_worker_killed_its_step_is_sent_again(cluster: Cluster) -> None:
    first = cluster.start_worker(concurrency=1)
    coordinator = cluster.start("run", f"{DISTRIBUTED}:napping", "--input", "seconds=3")
    cluster.wait_for(cluster.pids.exists, 60, "the nap step to start")
    os.killpg(first.pid, signal.SIGKILL)  # the machine is gone: worker, pool, watch
    cluster.start_worker(concurrency=1)
    output, _ = coordinator.communicate(timeout=120)
    assert coordinator.returncode == 0, output[-3000:] + cluster.worker_logs()
    assert cluster.counts() == {"before": 1, "nap": 1, "after": 1}


@redis_only
def test_a_cancelled_run_stops_its_step_on_the_worker(workers: Cluster) -> None:
    cluster = workers
    # Long enough that `devora cancel` lands before the step's end on a loaded machine (a
    # 6 s doze once finished first there).
    doze = 15
    coordinator = cluster.start("run", f"{DISTRIBUTED}:dozing", "--input", f"seconds={doze}")
    cluster.wait_for(cluster.pids.exists, 60, "the doze step to start on a worker")
    started = time.monotonic()
    with open_store(url=cluster.env["DEVORA_DATABASE_URL"], home=cluster.tmp) as store:
        run_id = store.list_runs(limit=1)[0].id
        cancelled = cluster.devora("cancel", run_id)
        assert cancelled.returncode == 0, cancelled.stdout + cancelled.stderr
        output, _ = coordinator.communicate(timeout=60)
        assert coordinator.returncode == 4, output[-3000:]  # cancelled
        assert store.get_run(run_id).status.value == "cancelled"
        claim = step_lease_key(run_id, "run", "doze", 1)
        cluster.wait_for(lambda: read_lease(store, claim) is None, 5, "the worker to stop")
        assert time.monotonic() - started < doze  # stopped, not finished
        time.sleep(max(0.0, started + doze + 1 - time.monotonic()))  # past its natural end
        assert "doze" not in cluster.counts()
        assert store.attempts(run_id) == []  # nothing committed: a resume runs it again
    resumed = cluster.devora("resume", run_id, timeout=120)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + cluster.worker_logs()
    assert cluster.counts() == {"doze": 1}


@redis_only
def test_a_coordinator_killed_mid_run_is_replaced_by_a_worker(workers: Cluster) -> None:
    cluster = workers
    coordinator = cluster.start("run", f"{DISTRIBUTED}:napping", "--input", "seconds=2")
    cluster.wait_for(lambda: cluster.counts().get("before") == 1, 60, "the first step")
    cluster.wait_for(cluster.pids.exists, 60, "the nap step to start")
    os.killpg(coordinator.pid, signal.SIGKILL)
    coordinator.wait(timeout=10)
    with open_store(url=cluster.env["DEVORA_DATABASE_URL"], home=cluster.tmp) as store:
        run_id = store.list_runs(limit=1)[0].id

        def finished() -> bool:
            return store.get_run(run_id).status.value == "succeeded"

        cluster.wait_for(finished, 90, "a worker to take the run over and finish it")
        run = store.get_run(run_id)
        assert run.outputs == {"after": "ready-napped-done"}
        resumed = [e for e in store.events(run_id) if e.kind.value == "run.resumed"]
        assert len(resumed) == 1
    counts = cluster.counts()
    assert counts["before"] == 1 and counts["after"] == 1  # completed steps never ran again
    assert counts["nap"] in (1, 2)  # in flight when the coordinator died: may run again


@redis_only
def test_a_coordinator_killed_mid_run_is_resumed_by_devora_resume(workers: Cluster) -> None:
    cluster = workers
    cluster.env["DEVORA_LEASE_SECONDS"] = "60"  # no worker takes it over first
    coordinator = cluster.start("run", f"{DISTRIBUTED}:napping", "--input", "seconds=2")
    cluster.wait_for(lambda: cluster.counts().get("before") == 1, 60, "the first step")
    # Killed while `nap` runs on a worker: the run cannot have ended by itself yet (killed
    # after `nap` had finished, the coordinator sometimes finished the run first).
    cluster.wait_for(cluster.pids.exists, 60, "the nap step to start")
    os.killpg(coordinator.pid, signal.SIGKILL)
    assert coordinator.wait(timeout=10) == -signal.SIGKILL  # it died mid-run
    with open_store(url=cluster.env["DEVORA_DATABASE_URL"], home=cluster.tmp) as store:
        run_id = store.list_runs(limit=1)[0].id
        assert store.get_run(run_id).status.value == "running"
        resumed = cluster.devora("resume", run_id, timeout=120)
        assert resumed.returncode == 0, (
            resumed.stdout[-3000:] + resumed.stderr + cluster.worker_logs()
        )
        assert store.get_run(run_id).outputs == {"after": "ready-napped-done"}
        resumes = [e for e in store.events(run_id) if e.kind.value == "run.resumed"]
        assert len(resumes) == 1  # devora resume's, no worker's
    # `before` completed before the kill and was reused; `nap`, in flight, finished once
    # (the resumed coordinator's message for it found the first worker's live claim).
    assert cluster.counts() == {"before": 1, "nap": 1, "after": 1}


def test_the_broker_restarted_mid_run_the_run_still_finishes(
    tmp_path: Path, pg_url: str, redis_server: Callable[[], None]
) -> None:
    cluster = Cluster(tmp_path, pg_url, redis_server.url)  # type: ignore[attr-defined]
    try:
        cluster.start_worker(concurrency=1)
        coordinator = cluster.start("run", f"{DISTRIBUTED}:napping", "--input", "seconds=2")
        cluster.wait_for(cluster.pids.exists, 60, "the nap step to start")
        redis_server()  # restarted while the step runs and its result is awaited
        output, _ = coordinator.communicate(timeout=180)
        assert coordinator.returncode == 0, output[-3000:] + cluster.worker_logs()
        counts = cluster.counts()
        assert counts["before"] == 1 and counts["after"] == 1 and counts["nap"] >= 1
    finally:
        cluster.stop()
