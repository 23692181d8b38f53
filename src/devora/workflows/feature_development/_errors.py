"""The errors a feature development is refused with before it starts."""

from __future__ import annotations

from collections.abc import Sequence

from devora.errors import UsageError

__all__ = ["NoCommitError", "NotRepositoryRootError", "UnknownEnvironmentError"]


class NotRepositoryRootError(UsageError):
    """PATH is inside a repository but not its root (the run's branch is the whole repo's)."""

    code = "not_repository_root"

    def __init__(self, path: str, root: str) -> None:
        self.path = path
        self.root = root
        super().__init__(
            f"{path} is inside the git repository {root}, not its root",
            hint=f"run `devora run feature-development {root} --request ...`",
        )


class NoCommitError(UsageError):
    """The repository has no commit yet: there is no base to build the feature on."""

    code = "no_commit"

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"the git repository {path} has no commit yet",
            hint="commit the project first (git add -A && git commit -m 'first')",
        )


class UnknownEnvironmentError(UsageError):
    """--environment names no environment of [feature_development.deploy]."""

    code = "unknown_environment"

    def __init__(self, environment: str, known: Sequence[str]) -> None:
        self.environment = environment
        self.known = list(known)
        super().__init__(
            f"environment {environment!r} has no deploy command; configured: "
            + ", ".join(sorted(known)),
            hint="give --environment one of them, or add it to [feature_development.deploy]",
        )
