"""Devora on Celery against plain Celery: per-step time and throughput, 1, 2 and 4 workers.

In one run, on the same broker (Redis, then RabbitMQ), with the same Celery settings
(`acks_late`, `reject_on_worker_lost`, prefetch 1, prefork pool, one process per worker):

- `chain`: N no-op steps, each needing the one before (per-step latency: a dependent is
  sent only once its predecessor's result is back). Plain Celery: the caller sends a
  no-op task and waits for its result (Redis result backend) before sending the next.
- `fan`: N independent no-op steps (throughput). Plain Celery: N tasks sent at once, then
  every result awaited.

Devora's coordinator runs in this process (no CLI start-up is timed) against
`devora worker --concurrency 1` processes; plain Celery's workers are this file run with
`--plain-worker`. Both sets of workers stay up while rounds alternate (plain, Devora,
Devora, plain, ...); the figure is the median of `--rounds` after one warm-up round.

    .venv/bin/python benchmarks/distributed.py [--rounds 5] [--chain 40] [--fan 200]
    .venv/bin/python benchmarks/distributed.py --brokers redis --workers 1,2 --json

Needs PostgreSQL (DEVORA_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@
127.0.0.1:5432/test: a scratch database is made and dropped), Redis and RabbitMQ.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # this checkout's code, also in a worktree

from devora.engine import Step, StepContext, Workflow  # noqa: E402
from tests.conftest import scratch_postgres_database  # noqa: E402

DEVORA = str(Path(sys.executable).with_name("devora"))
POSTGRES_URL = os.environ.get(
    "DEVORA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BROKERS = {
    "redis": os.environ.get("DEVORA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
    "rabbitmq": os.environ.get("DEVORA_BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//"),
}
RESULT_BACKEND = os.environ.get("DEVORA_BENCH_RESULT_BACKEND", "redis://127.0.0.1:6379/8")
PLAIN_TASK = "plain.noop"
PLAIN_QUEUE = "plain"
TARGET = 1.3


# -- the workloads, as Devora workflows (workers import this file by path) -----------------


class Width(BaseModel):
    n: int = 40


def noop(ctx: StepContext[Width]) -> int:
    return 0


def _chain(n: int) -> Workflow:
    steps = [Step("s0", noop)]
    steps += [Step(f"s{i}", noop, needs=[f"s{i - 1}"]) for i in range(1, n)]
    return Workflow(name=f"chain{n}", inputs=Width, steps=steps)


def _fan(n: int) -> Workflow:
    steps = [Step(f"s{i}", noop) for i in range(n)]
    return Workflow(name=f"fan{n}", inputs=Width, concurrency=n, steps=steps)


CHAIN_STEPS = int(os.environ.get("DEVORA_BENCH_CHAIN", "40"))
FAN_STEPS = int(os.environ.get("DEVORA_BENCH_FAN", "200"))
chain = _chain(CHAIN_STEPS)
fan = _fan(FAN_STEPS)


# -- plain Celery ----------------------------------------------------------------------------


def plain_app(broker_url: str) -> Any:
    """Devora's own Celery settings, with a result backend and one no-op task."""
    from devora.executors._celery_app import celery_app

    app = celery_app(broker_url)
    app.conf.update(result_backend=RESULT_BACKEND, task_ignore_result=False)
    app.task(name=PLAIN_TASK, ignore_result=False)(plain_noop)
    return app


def plain_noop() -> int:
    """The plain Celery task: does nothing, like the workflows' steps."""
    return 0


def serve_plain(broker_url: str) -> None:
    """A plain Celery worker: one prefork process, the flags `devora worker` uses."""
    plain_app(broker_url).worker_main(
        [
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            f"--queues={PLAIN_QUEUE}",
            f"--hostname=plain-{os.getpid()}@bench",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


def plain_chain(app: Any, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        app.send_task(PLAIN_TASK, queue=PLAIN_QUEUE).get(timeout=120)
    return time.perf_counter() - started


def plain_fan(app: Any, n: int) -> float:
    started = time.perf_counter()
    results = [app.send_task(PLAIN_TASK, queue=PLAIN_QUEUE) for _ in range(n)]
    for result in results:
        result.get(timeout=120)
    return time.perf_counter() - started


# -- the machinery -----------------------------------------------------------------------------


class Workers:
    """Worker processes of one kind, started one at a time and stopped together."""

    def __init__(self, argv: list[str], env: dict[str, str], logs: Path) -> None:
        self.argv = argv
        self.env = env
        self.logs = logs
        self.processes: list[subprocess.Popen[bytes]] = []

    def grow_to(self, count: int) -> None:
        while len(self.processes) < count:
            log = self.logs / f"{Path(self.argv[1]).stem}-{uuid.uuid4().hex[:6]}.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    self.argv, env=self.env, stdout=output, stderr=subprocess.STDOUT,
                    start_new_session=True, cwd=self.logs,
                )  # fmt: skip
            deadline = time.monotonic() + 90
            while b" ready." not in log.read_bytes():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"a worker did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.1)
            self.processes.append(process)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)
        self.processes.clear()


class CpuMeter:
    """CPU seconds (user + system) spent so far by one side: this process, its workers'
    process trees, and (Devora) the PostgreSQL backends connected to the scratch database.

    A busy machine stretches wall time by waiting, but hardly the CPU a step needs: this
    figure says what a step costs when the cores are shared. Redis (both sides' broker,
    and plain Celery's result backend) is counted on neither side.
    """

    def __init__(self, workers: Workers, database_url: str | None = None) -> None:
        self.workers = workers
        self.database_url = database_url

    def read(self) -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        spent = usage.ru_utime + usage.ru_stime
        roots = {process.pid for process in self.workers.processes}
        return spent + sum(_cpu_of(pid) for pid in _descendants(roots) | self._backends())

    def _backends(self) -> set[int]:
        if self.database_url is None:
            return set()
        import psycopg

        url = self.database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
        return {int(row[0]) for row in rows}


def _descendants(roots: set[int]) -> set[int]:
    """`roots` and every process below them."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents[int(entry)] = int(_stat_fields(int(entry))[1])
    found = set(roots)
    grew = True
    while grew:
        below = {pid for pid, parent in parents.items() if parent in found} - found
        grew = bool(below)
        found |= below
    return found


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name: state, ppid, ... (fields 3 on)."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a live process has spent; 0 when it is gone."""
    try:
        fields = _stat_fields(pid)
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def purge(app: Any) -> None:
    with app.connection_for_write() as connection:
        for queue in ("devora.default", PLAIN_QUEUE):
            channel = connection.channel()
            with contextlib.suppress(Exception):  # not declared yet: nothing to purge
                channel.queue_purge(queue)


class DevoraSide:
    """Devora's coordinator in this process, on the scratch store and the broker."""

    def __init__(self, database_url: str, broker_url: str, home: Path) -> None:
        from devora.engine import Engine
        from devora.engine._loader import load_workflow_file
        from devora.executors._celery import CeleryExecutor
        from devora.store import open_store

        self.store = open_store(url=database_url, home=home)
        self.executor = CeleryExecutor(self.store, broker_url)
        self.engine = Engine(self.store, executor=self.executor)
        self.workflows = {
            "chain": load_workflow_file(f"{Path(__file__).resolve()}:chain"),
            "fan": load_workflow_file(f"{Path(__file__).resolve()}:fan"),
        }

    def time(self, workload: str) -> float:
        started = time.perf_counter()
        result = asyncio.run(self.engine.run(self.workflows[workload]))
        elapsed = time.perf_counter() - started
        if result.status.value != "succeeded":
            raise SystemExit(f"the {workload} run ended {result.status.value}: {result.error}")
        return elapsed

    def commit_seconds(self, times: int = 20) -> list[float]:
        """How long one durable (synchronous) commit of this store takes now: the floor of
        a step's cost, since a worker commits each result so before acknowledging it."""
        from devora.store import acquire_lease, release_lease, renew_lease

        lease = acquire_lease(self.store, "run:bench-commit-probe", "bench", 60)
        assert lease is not None
        spent = []
        for _ in range(times):
            started = time.perf_counter()
            lease = renew_lease(self.store, lease, 60)  # a run lease's commit waits for the disk
            spent.append(time.perf_counter() - started)
        release_lease(self.store, lease)
        return spent

    def close(self) -> None:
        asyncio.run(self.executor.aclose())
        self.store.close()


def measure(
    broker: str, broker_url: str, database_url: str, args: argparse.Namespace
) -> dict[str, Any]:
    """Every worker count on one broker; medians of interleaved rounds."""
    home = Path(tempfile.mkdtemp(prefix="devora-bench-"))
    env = {
        **os.environ,
        "DEVORA_DATABASE_URL": database_url,
        "DEVORA_BROKER_URL": broker_url,
        "DEVORA_EXECUTOR": "celery",
        "DEVORA_HOME": str(home / ".devora"),
        "DEVORA_BENCH_CHAIN": str(args.chain),
        "DEVORA_BENCH_FAN": str(args.fan),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    app = plain_app(broker_url)
    purge(app)
    devora_workers = Workers(
        [DEVORA, "worker", "--concurrency", "1", "--loglevel", "INFO"], env, home
    )
    plain_workers = Workers(
        [sys.executable, str(Path(__file__).resolve()), "--plain-worker", broker_url], env, home
    )
    devora = DevoraSide(database_url, broker_url, home)
    sizes = {"chain": args.chain, "fan": args.fan}
    plain_runs: dict[str, Callable[[Any, int], float]] = {"chain": plain_chain, "fan": plain_fan}
    meters = {
        "devora": CpuMeter(devora_workers, database_url),
        "plain": CpuMeter(plain_workers),
    }
    figures: dict[str, Any] = {}
    try:
        for count in args.workers:
            devora_workers.grow_to(count)
            plain_workers.grow_to(count)
            times: dict[str, dict[str, list[float]]] = {
                w: {"devora": [], "plain": []} for w in sizes
            }
            cpu: dict[str, dict[str, list[float]]] = {w: {"devora": [], "plain": []} for w in sizes}
            commits: list[float] = []
            for round_ in range(args.rounds + 1):  # round 0 warms every process up
                for workload, n in sizes.items():
                    order = ["plain", "devora"] if round_ % 2 else ["devora", "plain"]
                    for side in order:
                        cpu_before = meters[side].read()
                        elapsed = (
                            devora.time(workload)
                            if side == "devora"
                            else plain_runs[workload](app, n)
                        )
                        if round_:
                            times[workload][side].append(elapsed)
                            cpu[workload][side].append(meters[side].read() - cpu_before)
                if round_:
                    commits += devora.commit_seconds()
            commit_ms = round(statistics.median(commits) * 1000, 2)
            figures[str(count)] = {
                w: {
                    **summarize(times[w], sizes[w]),
                    **summarize_cpu(cpu[w], sizes[w]),
                    "commit_ms": commit_ms,
                    "load_average": round(os.getloadavg()[0], 1),
                }
                for w in sizes
            }
            print(f"  {broker}, {count} worker(s): done", file=sys.stderr)
    finally:
        devora.close()
        devora_workers.stop()
        plain_workers.stop()
        app.close()
    return figures


@contextlib.contextmanager
def broker_url_for(kind: str) -> Iterator[str]:
    """The broker's URL; on the machine's RabbitMQ, a virtual host of its own (the tests'
    workers, when they run meanwhile, must not take the benchmark's messages)."""
    if kind == "rabbitmq" and "DEVORA_BENCH_RABBITMQ_URL" not in os.environ:
        from tests.executors.conftest import machine_broker

        with machine_broker("rabbitmq") as url:
            yield url
    else:
        yield BROKERS[kind]


def summarize(times: dict[str, list[float]], n: int) -> dict[str, float]:
    devora = statistics.median(times["devora"])
    plain = statistics.median(times["plain"])
    return {
        "devora_ms_per_step": round(devora / n * 1000, 2),
        "plain_ms_per_step": round(plain / n * 1000, 2),
        "overhead_ms_per_step": round((devora - plain) / n * 1000, 2),
        "devora_steps_per_s": round(n / devora, 1),
        "plain_steps_per_s": round(n / plain, 1),
        "ratio": round(devora / plain, 2),
    }


def summarize_cpu(cpu: dict[str, list[float]], n: int) -> dict[str, float]:
    devora = statistics.median(cpu["devora"])
    plain = statistics.median(cpu["plain"])
    return {
        "devora_cpu_ms_per_step": round(devora / n * 1000, 2),
        "plain_cpu_ms_per_step": round(plain / n * 1000, 2),
        "cpu_ratio": round(devora / plain, 2) if plain else float("nan"),
    }


def table(results: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"chain: {args.chain} dependent no-op steps; fan: {args.fan} independent ones; "
        f"median of {args.rounds} rounds; target: Devora <= {TARGET}x plain Celery per step",
        "",
        f"{'broker':9} {'workers':>7} {'workload':8} {'Devora ms/step':>15} "
        f"{'plain ms/step':>14} {'Devora steps/s':>15} {'plain steps/s':>14} {'ratio':>6} "
        f"{'commit ms':>9} {'CPU ms/step D/p':>15} {'load':>5}",
    ]
    for broker, by_count in results.items():
        for count, by_workload in by_count.items():
            for workload, f in by_workload.items():
                lines.append(
                    f"{broker:9} {count:>7} {workload:8} {f['devora_ms_per_step']:>15.2f} "
                    f"{f['plain_ms_per_step']:>14.2f} {f['devora_steps_per_s']:>15.1f} "
                    f"{f['plain_steps_per_s']:>14.1f} {f['ratio']:>5.2f}x "
                    f"{f['commit_ms']:>9.2f} "
                    f"{f['devora_cpu_ms_per_step']:>7.2f}/{f['plain_cpu_ms_per_step']:<7.2f} "
                    f"{f['load_average']:>5.1f}"
                )
    lines += [
        "",
        "commit ms: one durable commit of the store, timed between the rounds (median); each",
        "step's result is committed so on its worker before the message is acknowledged.",
        "CPU ms/step D/p: CPU spent per step by Devora (coordinator, workers, their PostgreSQL",
        "backends) / plain Celery (caller, workers); Redis on neither. load: 1-minute average",
        "when the worker count's rounds ended.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chain", type=int, default=40)
    parser.add_argument("--fan", type=int, default=200)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--brokers", default="redis,rabbitmq")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--plain-worker", metavar="BROKER_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_worker:
        serve_plain(args.plain_worker)
        return
    args.workers = [int(w) for w in args.workers.split(",")]
    os.environ["DEVORA_BENCH_CHAIN"] = str(args.chain)
    os.environ["DEVORA_BENCH_FAN"] = str(args.fan)
    results: dict[str, Any] = {}
    with scratch_postgres_database(POSTGRES_URL) as database_url:
        for broker in args.brokers.split(","):
            with broker_url_for(broker) as broker_url:
                results[broker] = measure(broker, broker_url, database_url, args)
            print(table({broker: results[broker]}, args), file=sys.stderr)  # as it goes
    ratios = [f["ratio"] for c in results.values() for w in c.values() for f in w.values()]
    if args.json:
        print(
            json.dumps(
                {
                    "chain_steps": args.chain,
                    "fan_steps": args.fan,
                    "rounds": args.rounds,
                    "results": results,
                    "target_ratio": TARGET,
                    "worst_ratio": max(ratios),
                    "target_met": max(ratios) <= TARGET,
                },
                indent=2,
            )
        )
    else:
        print(table(results, args))
        verdict = "met" if max(ratios) <= TARGET else "missed"
        print(f"\nworst ratio {max(ratios):.2f}x: target {verdict}")


if __name__ == "__main__":
    main()
