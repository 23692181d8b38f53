"""The quality gate on a pushed commit or a pull request (GitHub webhooks start it)."""

from devora.workflows.commit_gate._github_api import (
    DEFAULT_API_URL,
    GitHubAPIError,
    api_url,
    comment_url,
    post_comment,
)
from devora.workflows.commit_gate._workflow import NO_COMMIT, CommitGateInputs, commit_gate

__all__ = [
    "DEFAULT_API_URL",
    "NO_COMMIT",
    "CommitGateInputs",
    "GitHubAPIError",
    "api_url",
    "comment_url",
    "commit_gate",
    "post_comment",
]
