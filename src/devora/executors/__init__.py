"""Where steps run: the local asyncio executor (the default) or Celery workers.

The Celery executor (`devora.executors.celery`) is imported only when configured, so a
plain `devora` never imports Celery.
"""

from devora.executors._base import Executor, StepDriver, StepLike
from devora.executors._celery_app import DEFAULT_QUEUE, queue_for
from devora.executors._choose import executor_from_config
from devora.executors._errors import (
    BrokerNotConfiguredError,
    BrokerUnreachableError,
    CeleryNeedsPostgresError,
    CeleryNotInstalledError,
)
from devora.executors._local import LocalExecutor

__all__ = [
    "DEFAULT_QUEUE",
    "BrokerNotConfiguredError",
    "BrokerUnreachableError",
    "CeleryNeedsPostgresError",
    "CeleryNotInstalledError",
    "Executor",
    "LocalExecutor",
    "StepDriver",
    "StepLike",
    "executor_from_config",
    "queue_for",
]
