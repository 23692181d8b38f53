"""Test helpers: a provider of either API aimed at a ScriptedServer; replies in its dialect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from devora.llm import Provider, ProviderOptions, RetryPolicy, open_provider

from .scripted_server import Reply, ScriptedServer, anthropic_reply, openai_reply

APIS = ("openai", "anthropic")


class HasUrl(Protocol):
    """A ScriptedServer, or anything else with a root URL."""

    @property
    def url(self) -> str: ...


TEST_KEY = "sk-test-0123456789abcdef"

FAST_RETRIES = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2, jitter=0)


def provider_for(server: HasUrl, api: str, options: ProviderOptions | None = None) -> Provider:
    """A provider of `api` talking to the scripted server, with a fake key in a fake env."""
    if api == "openai":
        return open_provider(
            "openai:gpt-4o-mini",
            options,
            base_url=f"{server.url}/v1",
            env={"OPENAI_API_KEY": TEST_KEY},
        )
    return open_provider(
        "anthropic:claude-3-5-haiku-latest",
        options,
        base_url=server.url,
        env={"ANTHROPIC_API_KEY": TEST_KEY},
    )


def reply(
    api: str,
    text: str | None = None,
    *,
    tool_calls: Sequence[tuple[str, str, dict[str, Any]]] = (),
    tokens: tuple[int, int] = (10, 5),
) -> Reply:
    """A successful answer in the dialect of `api`."""
    if api == "openai":
        return openai_reply(
            text, tool_calls=tool_calls, prompt_tokens=tokens[0], completion_tokens=tokens[1]
        )
    return anthropic_reply(
        text, tool_calls=tool_calls, input_tokens=tokens[0], output_tokens=tokens[1]
    )


def model_env(server: HasUrl) -> dict[str, str]:
    """The environment that points `devora` at a scripted OpenAI-compatible server."""
    return {
        "DEVORA_MODEL": "openai:gpt-4o-mini",
        "DEVORA_LLM_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": TEST_KEY,
    }


def serve(servers: list[ScriptedServer], *replies: Reply) -> dict[str, str]:
    """Start a scripted server (stopped by the `scripted` fixture) and return its model env."""
    server = ScriptedServer(list(replies)).start()
    servers.append(server)
    return model_env(server)
