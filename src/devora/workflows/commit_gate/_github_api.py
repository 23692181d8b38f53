"""Posting a comment through GitHub's REST API (or any server speaking it: GITHUB_API_URL)."""

from __future__ import annotations

import os

import httpx

from devora.errors import StepError
from devora.secrets import redact

__all__ = ["DEFAULT_API_URL", "GitHubAPIError", "api_url", "comment_url", "post_comment"]

DEFAULT_API_URL = "https://api.github.com"


class GitHubAPIError(StepError):
    """GitHub refused the comment, or could not be reached."""

    code = "github_api"
    retryable = True

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        super().__init__(
            f"GitHub did not take the comment ({url}): {redact(problem)}",
            hint="check the token's permission (issues/pull requests: write) and GITHUB_API_URL",
        )


def api_url(configured: str | None = None) -> str:
    """The API's base URL: the configuration, else $GITHUB_API_URL, else api.github.com."""
    return (configured or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")


def comment_url(base: str, repository: str, *, pull_request: int | None, sha: str) -> str:
    """Where the comment goes: the pull request's conversation, else the commit."""
    if pull_request is not None:
        return f"{base}/repos/{repository}/issues/{pull_request}/comments"
    return f"{base}/repos/{repository}/commits/{sha}/comments"


async def post_comment(url: str, token: str, body: str, *, time_limit: float = 30.0) -> str:
    """POST the comment; its html_url (or API url) as GitHub answers it."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "devora",
    }
    try:
        async with httpx.AsyncClient(timeout=time_limit) as client:
            response = await client.post(url, json={"body": body}, headers=headers)
    except httpx.HTTPError as exc:
        raise GitHubAPIError(url, str(exc) or type(exc).__name__) from exc
    if response.status_code >= 300:
        raise GitHubAPIError(url, f"HTTP {response.status_code}: {response.text[:300]}")
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    location = answer.get("html_url") or answer.get("url") if isinstance(answer, dict) else None
    return str(location or url)
