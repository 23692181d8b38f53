"""The Celery executor, coordinator side: steps go to workers, results come from the store.

The coordinator holds the run's lease (renewed while it lives; its journal writes carry
the fencing token). It sends each ready step to its squad's queue and waits for the
result the worker commits: PostgreSQL's NOTIFY wakes it at the commit, and a poll every
second catches what a lost notification would hide. A step whose message was lost (a
broker restarted empty, a worker machine gone) has no live claim in the store: it is
sent again, and a duplicate that finds the result committed is not run again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import Any, ClassVar

import sqlalchemy as sa

from devora.executors._base import Executor, StepDriver, StepLike
from devora.executors._celery_app import STEP_TASK, celery_app, check_broker, queue_for
from devora.executors._errors import CeleryNeedsPostgresError
from devora.store import (
    RESULTS_CHANNEL,
    AttemptRecord,
    EventKind,
    Fence,
    Lease,
    LeaseLostError,
    Phase,
    StepStatus,
    Store,
    acquire_lease,
    mask_url,
    read_lease,
    release_lease,
    renew_lease,
    run_lease_key,
    step_lease_key,
)

__all__ = ["CeleryExecutor"]

_log = logging.getLogger("devora.executors.celery")
# Events of a step running on a worker, shown to this process's subscribers when committed.
_WORKER_EVENTS = frozenset(
    {
        EventKind.STEP_LOG,
        EventKind.STEP_RETRY_SCHEDULED,
        EventKind.STEP_FINISHED,
        EventKind.STEP_WAITING,
        EventKind.ARTIFACT_ADDED,
    }
)


class CeleryExecutor(Executor):
    """Steps run on `devora worker` processes, through a Redis or RabbitMQ broker."""

    name: ClassVar[str] = "celery"

    def __init__(
        self,
        store: Store,
        broker_url: str,
        *,
        lease_seconds: float = 15.0,
        redispatch_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        visibility_timeout: float = 3600.0,
        check: bool = True,
    ) -> None:
        if store.is_sqlite:
            raise CeleryNeedsPostgresError(mask_url(store.url))
        self.store = store
        self.broker_url = broker_url
        self.lease_seconds = lease_seconds
        self.redispatch_seconds = redispatch_seconds
        self.poll_seconds = poll_seconds
        self.app = celery_app(broker_url, visibility_timeout=visibility_timeout)
        if check:
            check_broker(self.app, broker_url)
        self._watches: dict[str, _RunWatch] = {}
        self._broker_answers = True  # the last send succeeded: send from the loop

    @contextlib.asynccontextmanager
    async def coordinate(self, driver: StepDriver) -> AsyncIterator[Fence | None]:
        """Hold the run's lease (taking it over: the engine has made this process the
        run's owner), and watch the store for the results of its steps."""
        take = functools.partial(
            acquire_lease,
            self.store,
            run_lease_key(driver.run_id),
            driver.owner,
            self.lease_seconds,
            take_over=True,
        )
        lease = await self.store.call(take)
        assert lease is not None
        watch = _RunWatch(self, driver, lease)
        await watch.start()
        self._watches[driver.run_id] = watch
        try:
            yield Fence(lease.key, lease.token)
        finally:
            del self._watches[driver.run_id]
            await watch.stop()
            with contextlib.suppress(Exception):  # the lease expires by itself anyway
                await self.store.call(release_lease, self.store, watch.lease)

    def run_step(
        self, driver: StepDriver, step: StepLike, attempt: int, ctx: Any
    ) -> Awaitable[Any]:
        """Send the step to its squad's queue; its outcome once it is committed."""
        return self._run_remotely(driver, step, attempt)

    async def _run_remotely(self, driver: StepDriver, step: StepLike, attempt: int) -> Any:
        watch = self._watches[driver.run_id]
        expected = watch.expect(step, attempt)
        if not await self._send(driver.run_id, step, attempt):
            expected.check_at = time.time()  # the broker is away: try again at the next look
        try:
            record = await expected.result
        finally:
            watch.expected.pop(step.id, None)
        return await driver.adopt(step, record)

    async def _send(self, run_id: str, step: StepLike, attempt: int) -> bool:
        """Publish the step's message: from the loop while the broker answers, from a
        thread (with retries) once a send failed, until one succeeds again.

        A send takes about a millisecond of CPU; a hop to a thread and back took three more
        on a busy machine, on every step of a chain. A broker that is away must not stall
        the loop, which renews the run's lease: one try (bounded by the connection
        timeout), then threads.
        """
        if self._broker_answers:
            self._broker_answers = self.send(run_id, step, attempt, retry=False)
            if self._broker_answers:
                return True
        sent = await asyncio.to_thread(self.send, run_id, step, attempt)
        self._broker_answers = sent
        return sent

    def send(self, run_id: str, step: StepLike, attempt: int, *, retry: bool = True) -> bool:
        """Publish the step's message; False (logged) when the broker refused it."""
        try:
            self.app.send_task(
                STEP_TASK,
                args=[run_id, step.id, attempt],
                queue=queue_for(step.squad),
                retry=retry,
                retry_policy={"max_retries": 2, "interval_start": 0.2},
            )
        except Exception as exc:
            if not retry:  # tried once from the loop: a thread tries again with retries
                _log.info("cannot send step %s of run %s at once: %s", step.id, run_id, exc)
                return False
            _log.warning("cannot send step %s of run %s (will retry): %s", step.id, run_id, exc)
            return False
        return True

    async def aclose(self) -> None:
        """Close the connections to the broker; safe to call twice."""
        with contextlib.suppress(Exception):
            self.app.close()


@dataclass(slots=True)
class _Expected:
    step: StepLike
    attempt: int
    result: asyncio.Future[AttemptRecord]
    check_at: float
    wait: float


class _RunWatch:
    """One coordinated run: its lease renewal, and the results its steps commit."""

    def __init__(self, executor: CeleryExecutor, driver: StepDriver, lease: Lease) -> None:
        self.executor = executor
        self.store = executor.store
        self.driver = driver
        self.lease = lease
        self.expected: dict[str, _Expected] = {}
        self.last_seq = 0
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.last_seq = await self.store.call(self.store.last_seq, self.driver.run_id)
        self._tasks = [
            asyncio.create_task(self._renew()),
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._collect_forever()),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._fail(asyncio.CancelledError())

    def expect(self, step: StepLike, attempt: int) -> _Expected:
        wait = self.executor.redispatch_seconds
        expected = _Expected(
            step, attempt, asyncio.get_running_loop().create_future(), time.time() + wait, wait
        )
        self.expected[step.id] = expected
        return expected

    def _fail(self, error: BaseException) -> None:
        for expected in self.expected.values():
            if not expected.result.done():
                expected.result.set_exception(error)

    async def _renew(self) -> None:
        seconds = self.executor.lease_seconds
        while True:
            await asyncio.sleep(seconds / 3)
            try:
                self.lease = await self.store.call(renew_lease, self.store, self.lease, seconds)
            except LeaseLostError as lost:
                # Another process took the run over: stop waiting; our writes are refused.
                self._fail(lost)
                return
            except Exception as exc:  # the store is down for a moment: try again soon
                _log.warning("cannot renew the lease of run %s: %s", self.driver.run_id, exc)

    async def _listen(self) -> None:
        """Wake the collector when a worker's commit is announced (PostgreSQL NOTIFY)."""
        import psycopg

        conninfo = (
            sa.engine.make_url(self.store.url)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
        run_id = self.driver.run_id
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    conninfo, autocommit=True, connect_timeout=5
                ) as connection:
                    await connection.execute(f"LISTEN {RESULTS_CHANNEL}")
                    self._wake.set()  # what was committed before we listened
                    async for note in connection.notifies():
                        if note.payload == run_id:
                            self._wake.set()
            except psycopg.Error as exc:
                _log.warning("listening for step results failed (polling meanwhile): %s", exc)
                await asyncio.sleep(self.executor.poll_seconds)

    async def _collect_forever(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.executor.poll_seconds):
                    await self._wake.wait()
            self._wake.clear()
            if not self.expected:
                continue
            try:
                await self._collect()
                await self._send_lost_steps()
            except Exception as exc:  # the store or broker is down for a moment
                _log.warning("collecting step results of %s failed: %s", self.driver.run_id, exc)

    async def _collect(self) -> None:
        """Hand each expected step its committed result; show its workers' events."""
        events, records = await self.store.call(self.store.news, self.driver.run_id, self.last_seq)
        if not events:
            return
        for event in events:
            if event.step_id in self.expected and event.kind in _WORKER_EVENTS:
                self.driver.publish(event)
        seen = events[-1].seq
        for record in records:
            expected = self.expected.get(record.step_id)
            if (
                expected is not None
                # Committed after the events just read: its event (and the figures in
                # it) is shown first, at the next look.
                and record.seq <= seen
                and record.attempt >= expected.attempt
                and record.status is not StepStatus.RETRIED
                and not expected.result.done()
            ):
                expected.result.set_result(record)
        self.last_seq = max(self.last_seq, seen)

    async def _send_lost_steps(self) -> None:
        """Send again the steps that no live worker holds long after they were sent."""
        now = time.time()
        for expected in list(self.expected.values()):
            if expected.check_at > now or expected.result.done():
                continue
            key = step_lease_key(
                self.driver.run_id, Phase.RUN.value, expected.step.id, expected.attempt
            )
            held = await self.store.call(read_lease, self.store, key)
            if held is None or held.expired:
                _log.info("step %s of run %s sent again", expected.step.id, self.driver.run_id)
                await asyncio.to_thread(
                    self.executor.send, self.driver.run_id, expected.step, expected.attempt
                )
                expected.wait = min(expected.wait * 2, 600.0)
            expected.check_at = now + expected.wait
