"""Turning an HTTP failure from either SDK into a ProviderError, in one place."""

from __future__ import annotations

from collections.abc import Mapping

from devora.llm._errors import ProviderError
from devora.llm._retry import parse_retry_after

__all__ = ["status_error", "unreachable_error"]

_MAX_BODY = 500


def status_error(
    provider: str, status: int, headers: Mapping[str, str], detail: str
) -> ProviderError:
    """A ProviderError for an HTTP error answer; 408, 409, 429 and 5xx are retryable."""
    retryable = status in (408, 409, 429) or status >= 500
    return ProviderError(
        provider,
        detail[:_MAX_BODY] or "no detail",
        status=status,
        retryable=retryable,
        retry_after=parse_retry_after(headers) if retryable else None,
    )


def unreachable_error(provider: str, base_url: str | None, detail: str) -> ProviderError:
    """A ProviderError for a server that cannot be reached (not retried: usually not running)."""
    return ProviderError(
        provider,
        f"cannot reach {base_url}: {detail}",
        hint="check the base URL and that the server is running (for Ollama: `ollama serve`)",
    )
