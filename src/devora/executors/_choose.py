"""The executor a configuration asks for, checked before any run is recorded."""

from __future__ import annotations

from devora.config import DevoraConfig
from devora.executors._base import Executor
from devora.executors._errors import BrokerNotConfiguredError
from devora.executors._local import LocalExecutor
from devora.store import Store

__all__ = ["executor_from_config"]


def executor_from_config(config: DevoraConfig, store: Store) -> Executor:
    """`local`, or `celery` on the configured broker (reachable, with a PostgreSQL store)."""
    if config.executor == "local":
        return LocalExecutor()
    settings = config.celery
    if not settings.broker_url:
        raise BrokerNotConfiguredError()
    from devora.executors._celery import CeleryExecutor

    return CeleryExecutor(
        store,
        settings.broker_url,
        lease_seconds=settings.lease_seconds,
        redispatch_seconds=settings.redispatch_seconds,
        visibility_timeout=settings.visibility_timeout,
    )
