"""Executor fixtures: real brokers, PostgreSQL, `devora worker` processes.

Starting workers is most of the suite's time, so a module starts one set per broker and
its tests share it (`shared_cluster`): each test has its own runs (ids) and its own
side-effect files (the workers' $TOY_COUNTER and $TOY_PIDS are symlinks, pointed at the
test's tmp dir before it starts). Tests that kill workers or the broker start their own
(`cluster`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import require, scratch_postgres_database
from tests.engine.conftest import any_store  # noqa: F401 (a fixture the lease tests use)

ROOT = Path(__file__).resolve().parents[2]
DEVORA = str(Path(sys.executable).with_name("devora"))
TOYS = ROOT / "tests" / "engine" / "toy_workflows.py"
DISTRIBUTED = ROOT / "tests" / "executors" / "toy_distributed.py"
REDIS_URL = os.environ.get("DEVORA_TEST_REDIS_URL", "redis://127.0.0.1:6379")
RABBITMQ_URL = os.environ.get("DEVORA_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def port_open(host: str, port: int) -> bool:
    """True when something listens on host:port."""
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _redis_slot() -> int:
    """A database number of its own for each pytest-xdist worker (gw0..gw3), else random."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker[2:].isdigit() else uuid.uuid4().int


@contextlib.contextmanager
def machine_broker(kind: str) -> Iterator[str]:
    """The machine's Redis (a database number for these tests) or its RabbitMQ, in a
    virtual host of its own when `rabbitmqctl` can make one (workers of other test
    sessions or benchmarks on the machine then cannot take these tests' messages)."""
    if kind == "redis":
        require(port_open("127.0.0.1", 6379), f"Redis is not reachable at {REDIS_URL}")
        yield f"{REDIS_URL}/{11 + _redis_slot() % 4}"
        return
    require(port_open("127.0.0.1", 5672), f"RabbitMQ is not reachable at {RABBITMQ_URL}")
    ctl = shutil.which("rabbitmqctl")
    vhost = f"devora_t_{uuid.uuid4().hex[:10]}"

    def rabbitmqctl(*args: str) -> bool:
        assert ctl is not None
        done = subprocess.run([ctl, *args], capture_output=True, timeout=60, check=False)
        return done.returncode == 0

    if ctl is None or not rabbitmqctl("add_vhost", vhost):
        yield RABBITMQ_URL  # a RabbitMQ of its own (CI's service): its default vhost
        return
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield "/".join(RABBITMQ_URL.split("/", 3)[:3]) + "/" + vhost
    finally:
        rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(params=["redis", "rabbitmq"])
def broker_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The machine's Redis, then its RabbitMQ."""
    with machine_broker(request.param) as url:
        yield url


class Cluster:
    """`devora worker` processes and `devora` commands sharing one store and one broker."""

    def __init__(self, tmp: Path, database_url: str, broker_url: str) -> None:
        self.tmp = tmp
        self.links = tmp / "side-effects"
        self.links.mkdir(exist_ok=True)
        self.serve_test(tmp)
        self.env = {
            **os.environ,
            "DEVORA_DATABASE_URL": database_url,
            "DEVORA_BROKER_URL": broker_url,
            "DEVORA_EXECUTOR": "celery",
            "DEVORA_HOME": str(tmp / ".devora"),
            "DEVORA_LEASE_SECONDS": "3",
            "DEVORA_REDISPATCH_SECONDS": "3",
            "TOY_COUNTER": str(self.links / "counter"),
            "TOY_PIDS": str(self.links / "pids"),
            "PYTHONPATH": str(ROOT),
        }
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def serve_test(self, tmp: Path) -> None:
        """From now on, steps count themselves (and say where they ran) in `tmp`."""
        self.counter = tmp / "counter"
        self.pids = tmp / "pids"
        for name, target in (("counter", self.counter), ("pids", self.pids)):
            fresh = self.links / f"{name}.new"
            fresh.unlink(missing_ok=True)
            fresh.symlink_to(target)
            fresh.replace(self.links / name)  # atomic: a step writes to one test's file

    def start_worker(self, *args: str, concurrency: int = 2) -> subprocess.Popen[bytes]:
        """Start a worker and wait until it consumes."""
        log = self.tmp / f"worker{len(self.workers)}.log"
        with log.open("wb") as output:
            worker = subprocess.Popen(
                [DEVORA, "worker", "--concurrency", str(concurrency), "--loglevel", "INFO", *args],
                env=self.env,
                cwd=self.tmp,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.workers.append(worker)
        self.logs.append(log)
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        return worker

    def devora(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a devora command to its end (a command still going at `timeout` fails the
        test with the end of what it printed and the workers' logs)."""
        try:
            return subprocess.run(
                [DEVORA, *args], env=self.env, cwd=self.tmp, capture_output=True, text=True,
                timeout=timeout,
            )  # fmt: skip
        except subprocess.TimeoutExpired as late:
            printed = [_text(late.stdout)[-6000:], _text(late.stderr)[-3000:]]
            raise AssertionError(
                f"devora {' '.join(args)} still going after {timeout} s; it printed:\n"
                + "\n".join(printed)
                + f"\n{self.worker_logs()}"
            ) from None

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start a devora command (a coordinator) without waiting for it."""
        return subprocess.Popen(
            [DEVORA, *args], env=self.env, cwd=self.tmp, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip

    def counts(self) -> dict[str, int]:
        """How often each step really ran (lines in the counter file)."""
        if not self.counter.exists():
            return {}
        seen: dict[str, int] = {}
        for line in self.counter.read_text().split():
            seen[line] = seen.get(line, 0) + 1
        return seen

    def wait_for(self, condition: Callable[[], bool], seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}\n{self.worker_logs()}")
            time.sleep(0.1)

    def worker_logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-5000:]}" for log in self.logs)

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)


@pytest.fixture
def cluster(tmp_path: Path, pg_url: str, broker_url: str) -> Iterator[Cluster]:
    """Workers and commands of this test alone, on a database of their own and a real
    broker (for tests that kill workers)."""
    group = Cluster(tmp_path, pg_url, broker_url)
    purge(broker_url)
    yield group
    group.stop()
    purge(broker_url)


@contextlib.contextmanager
def shared_cluster(
    tmp: Path, postgres_url: str, broker_url: str, workers: int, concurrency: int
) -> Iterator[Cluster]:
    """`workers` running workers on a database of their own, for a module's tests."""
    with scratch_postgres_database(postgres_url) as database_url:
        group = Cluster(tmp, database_url, broker_url)
        purge(broker_url)
        try:
            for _ in range(workers):
                group.start_worker(concurrency=concurrency)
            yield group
        finally:
            group.stop()
            purge(broker_url)


def purge(broker_url: str) -> None:
    """Empty Devora's queues, so no test sees another's messages."""
    from devora.executors._celery_app import celery_app

    app = celery_app(broker_url)
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for squad in ("default", "qa", "business", "frontend", "backend", "data", "devops",
                      "performance", "documentation"):  # fmt: skip
            try:
                channel.queue_purge(f"devora.{squad}")
            except Exception:  # a queue not declared yet has nothing to purge
                channel = connection.channel()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """A private redis-server on its own port (restartable); yields a restart function."""
    binary = shutil.which("redis-server")
    require(binary is not None, "redis-server is not installed (apt-get install redis-server)")
    assert binary is not None
    port = free_port()
    data = tmp_path / "redis"
    data.mkdir()
    argv = [binary, "--port", str(port), "--dir", str(data), "--save", "", "--appendonly", "yes"]
    server: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        server.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL))
        deadline = time.monotonic() + 20
        while not port_open("127.0.0.1", port):
            assert time.monotonic() < deadline, "private redis-server did not start"
            time.sleep(0.05)

    def restart() -> None:
        server[-1].terminate()
        server[-1].wait(timeout=20)
        start()

    start()
    restart.url = f"redis://127.0.0.1:{port}/0"  # type: ignore[attr-defined]
    yield restart
    server[-1].terminate()
    server[-1].wait(timeout=20)


def _text(output: str | bytes | None) -> str:
    """A timed-out command's output (bytes, whatever `text` asked)."""
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output or ""
