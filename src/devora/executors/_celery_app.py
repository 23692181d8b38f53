"""The Celery application Devora's coordinators send to and its workers consume.

The broker only wakes workers: a message names a step (run, step, attempt) and nothing
else; the worker reads everything from the store, journals the result there, and the
message is acknowledged after that commit (`acks_late`). A worker process that dies
mid-step has its message requeued (`reject_on_worker_lost`); a redelivered step whose
result is committed is not run again (engine._remote).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devora.executors._errors import BrokerUnreachableError, CeleryNotInstalledError
from devora.store import mask_url

__all__ = [
    "DEFAULT_QUEUE",
    "STEP_TASK",
    "Performer",
    "celery_app",
    "check_broker",
    "queue_for",
    "set_performer",
]

STEP_TASK = "devora.step"
DEFAULT_QUEUE = "devora.default"

# Runs one step in a worker (engine._remote.perform_step behind it): run id, step id,
# attempt -> what was done. Installed by `devora worker` before the pool starts.
Performer = Callable[[str, str, int], str]
_performer: Performer | None = None


def set_performer(performer: Performer) -> None:
    """Install what this worker process runs for each step message."""
    global _performer
    _performer = performer


def queue_for(squad: str | None) -> str:
    """The queue of a squad's steps (so a machine can serve some squads only)."""
    return f"devora.{squad}" if squad else DEFAULT_QUEUE


def _perform(run_id: str, step_id: str, attempt: int) -> str:
    if _performer is None:
        raise RuntimeError("this process runs no Devora steps: start it with `devora worker`")
    return _performer(run_id, step_id, attempt)


def celery_app(broker_url: str, *, visibility_timeout: float = 3600.0) -> Any:
    """A Celery app on `broker_url` with Devora's one task and its delivery guarantees."""
    try:
        from celery import Celery  # type: ignore[import-untyped]
    except ImportError as exc:
        raise CeleryNotInstalledError() from exc
    app = Celery("devora", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,  # acknowledged after the result is committed
        task_reject_on_worker_lost=True,  # a killed pool process requeues its message
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,  # a busy worker does not sit on others' steps
        task_ignore_result=True,  # results live in the store, not in a result backend
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=DEFAULT_QUEUE,
        broker_connection_retry_on_startup=True,
        # Redis redelivers an unacknowledged message after this; a step that runs longer
        # is redelivered while it runs, and its live claim stops a second run.
        broker_transport_options={"visibility_timeout": visibility_timeout},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    app.task(name=STEP_TASK, ignore_result=True)(_perform)
    return app


def check_broker(app: Any, url: str) -> None:
    """BrokerUnreachableError unless the broker answers now (within a few seconds)."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=5)
    except Exception as exc:
        raise BrokerUnreachableError(mask_url(url), str(exc) or type(exc).__name__) from exc
