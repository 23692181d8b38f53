"""The executors' errors: a broker that cannot be reached, a store Celery cannot share."""

from __future__ import annotations

from devora.errors import EnvironmentProblem, UsageError

__all__ = [
    "BrokerNotConfiguredError",
    "BrokerUnreachableError",
    "CeleryNeedsPostgresError",
    "CeleryNotInstalledError",
]


class BrokerUnreachableError(EnvironmentProblem):
    """The Celery broker (Redis or RabbitMQ) does not answer."""

    code = "broker_unreachable"

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        self.problem = problem
        super().__init__(
            f"cannot reach the Celery broker at {url}: {problem}",
            hint="start Redis or RabbitMQ, or fix DEVORA_BROKER_URL ([celery] broker_url); "
            "nothing was started",
        )


class CeleryNeedsPostgresError(UsageError):
    """The celery executor was asked for with a store its workers cannot share."""

    code = "celery_needs_postgres"

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"the celery executor needs a PostgreSQL store shared by every worker, not {url}",
            hint="set DEVORA_DATABASE_URL=postgresql://... on the coordinator and the workers, "
            'or use executor = "local"',
        )


class CeleryNotInstalledError(EnvironmentProblem):
    """The celery executor was asked for and Celery is not installed."""

    code = "celery_missing"

    def __init__(self) -> None:
        super().__init__(
            "the celery executor needs Celery, which is not installed",
            hint="pip install 'devora[celery]'",
        )


class BrokerNotConfiguredError(UsageError):
    """The celery executor was asked for without a broker URL."""

    code = "broker_missing"

    def __init__(self) -> None:
        super().__init__(
            "the celery executor needs a broker URL",
            hint="set DEVORA_BROKER_URL=redis://host:6379/0 (or amqp://...), "
            "or broker_url under [celery] in devora.toml",
        )
