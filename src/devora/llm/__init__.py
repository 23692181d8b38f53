"""LLM providers through the official SDKs: retries, structured output, usage, budget, redaction.

A model is named `provider:model`; the key is read from the environment, never from a file:

    openai:gpt-4o-mini                       OPENAI_API_KEY
    openrouter:anthropic/claude-3.5-sonnet   OPENROUTER_API_KEY  (https://openrouter.ai/api/v1)
    ollama:llama3.1                          no key              (http://127.0.0.1:11434/v1)
    anthropic:claude-3-5-haiku-latest        ANTHROPIC_API_KEY

Any other OpenAI-compatible server (vLLM, LM Studio...) is `name:model` with a `base_url`
(and a `key_variable` when it wants a key)::

    prices = {"gpt-4o-mini": Price(0.15, 0.60)}  # $ per million input / output tokens
    options = ProviderOptions(budget=Budget(max_cost=0.50), prices=prices, on_log=ctx.log)
    async with open_provider("openai:gpt-4o-mini", options) as provider:
        verdict = await complete_structured(provider, [Message.user(prompt)], Verdict)

Retries (429, 5xx, timeouts; Retry-After honoured) are Devora's, not the SDK's, so each one is
reported through `on_retry` and the step log.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from devora.llm._errors import (
    BudgetExceeded,
    MissingAPIKeyError,
    ModelSpecError,
    PriceMissingError,
    ProviderError,
    ProviderTimeoutError,
    StructuredOutputError,
)
from devora.llm._factory import open_provider
from devora.llm._messages import Completion, Message, Role, ToolCall, ToolSpec
from devora.llm._provider import LogSink, Provider, ProviderOptions
from devora.llm._retry import RetryNotice, RetryPolicy, call_with_retries, parse_retry_after
from devora.llm._spec import (
    KNOWN_PROVIDERS,
    Api,
    ModelTarget,
    ProviderPreset,
    provider_key_variables,
    resolve_model,
)
from devora.llm._structured import complete_structured, extract_json
from devora.llm._usage import (
    Budget,
    ModelUsage,
    Price,
    PriceTable,
    Usage,
    parse_price_table,
    price_for,
)
from devora.secrets import MASK, Redactor, redact

if _TYPE_CHECKING:
    from devora.llm._anthropic import AnthropicProvider
    from devora.llm._openai import OpenAIProvider

__all__ = [
    "KNOWN_PROVIDERS",
    "MASK",
    "AnthropicProvider",
    "Api",
    "Budget",
    "BudgetExceeded",
    "Completion",
    "LogSink",
    "Message",
    "MissingAPIKeyError",
    "ModelSpecError",
    "ModelTarget",
    "ModelUsage",
    "OpenAIProvider",
    "Price",
    "PriceMissingError",
    "PriceTable",
    "Provider",
    "ProviderError",
    "ProviderOptions",
    "ProviderPreset",
    "ProviderTimeoutError",
    "Redactor",
    "RetryNotice",
    "RetryPolicy",
    "Role",
    "StructuredOutputError",
    "ToolCall",
    "ToolSpec",
    "Usage",
    "call_with_retries",
    "complete_structured",
    "extract_json",
    "open_provider",
    "parse_price_table",
    "parse_retry_after",
    "price_for",
    "provider_key_variables",
    "redact",
    "resolve_model",
]


def __getattr__(name: str) -> object:
    # The SDKs are an extra (devora[llm]): load them when a provider is asked for, not before.
    if name == "OpenAIProvider":
        from devora.llm._factory import load_provider_class

        return load_provider_class(Api.OPENAI)
    if name == "AnthropicProvider":
        from devora.llm._factory import load_provider_class

        return load_provider_class(Api.ANTHROPIC)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
