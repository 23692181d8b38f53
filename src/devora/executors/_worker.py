"""A Celery worker process serving some squads' queues, and its watch for orphaned runs.

`devora worker` (cli._worker) gives this module what runs a step (the engine's durable
path) and what resumes a run whose coordinator died; this module runs them under Celery.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
from collections.abc import Callable, Sequence
from typing import Any

from devora.executors._celery_app import DEFAULT_QUEUE, Performer, queue_for, set_performer

__all__ = ["queues_for", "start_orphan_watch", "start_worker"]


def queues_for(squads: Sequence[str]) -> list[str]:
    """The queues a worker serving `squads` consumes (every squad's, and the default, when
    no squad is named)."""
    return [queue_for(squad) for squad in squads]


def start_orphan_watch(target: Callable[[int], None]) -> multiprocessing.process.BaseProcess:
    """Start `target(parent pid)` in a fresh process that ends when this one does.

    A fresh interpreter (spawn), not a fork: Celery forks its pool from this process, and
    a forked copy of a live database connection would break it.
    """
    process = multiprocessing.get_context("spawn").Process(
        target=target, args=(os.getpid(),), name="devora-orphan-watch", daemon=True
    )
    process.start()
    return process


def start_worker(
    app: Any,
    performer: Performer,
    *,
    queues: Sequence[str],
    concurrency: int,
    loglevel: str = "WARNING",
) -> None:
    """Serve `queues` with `concurrency` pool processes until stopped (blocks)."""
    set_performer(performer)
    app.worker_main(
        [
            "worker",
            f"--loglevel={loglevel}",
            f"--concurrency={concurrency}",
            f"--queues={','.join(queues or [DEFAULT_QUEUE])}",
            f"--hostname=devora-{os.getpid()}@{socket.gethostname()}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )
