"""What is checked before a feature-development run is recorded: the repository's root and
first commit, the configuration, and the deploy environment."""

from __future__ import annotations

from pathlib import Path

from devora.tools.git import NotAGitRepositoryError, run_git
from devora.workflows.feature_development._config import load_feature_config
from devora.workflows.feature_development._errors import (
    NoCommitError,
    NotRepositoryRootError,
    UnknownEnvironmentError,
)
from devora.workflows.feature_development._inputs import FeatureInputs

__all__ = ["preflight"]


async def preflight(inputs: FeatureInputs) -> None:
    """Raise the one error that makes this run impossible, before it is recorded."""
    path = Path(inputs.path)
    found = await run_git(path, ["rev-parse", "--show-toplevel"], check=False)
    if found.returncode != 0:
        raise NotAGitRepositoryError(path, "not a git repository")
    top = Path(found.stdout.strip())
    if top != path:  # both resolved: the input's validator resolves PATH
        raise NotRepositoryRootError(str(path), str(top))
    head = await run_git(path, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], check=False)
    if head.returncode != 0:
        raise NoCommitError(str(path))
    config = load_feature_config(path)
    if config.deploy and inputs.environment not in config.deploy:
        raise UnknownEnvironmentError(inputs.environment, list(config.deploy))
