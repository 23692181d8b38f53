"""From a model spec to a ready provider."""

from __future__ import annotations

from collections.abc import Mapping

from devora.llm._anthropic import AnthropicProvider
from devora.llm._openai import OpenAIProvider
from devora.llm._provider import Provider, ProviderOptions
from devora.llm._spec import Api, resolve_model

__all__ = ["open_provider"]


def open_provider(
    spec: str,
    options: ProviderOptions | None = None,
    *,
    base_url: str | None = None,
    key_variable: str | None = None,
    api: Api | None = None,
    env: Mapping[str, str] | None = None,
) -> Provider:
    """The provider for `provider:model` (an async context manager that closes its client)."""
    target = resolve_model(spec, base_url=base_url, key_variable=key_variable, api=api, env=env)
    if target.api is Api.ANTHROPIC:
        return AnthropicProvider(target, options)
    return OpenAIProvider(target, options)
