"""LLM providers through the official SDKs: retries, structured output, usage, budget, redaction."""

from devora.llm._anthropic import AnthropicProvider
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
from devora.llm._openai import OpenAIProvider
from devora.llm._provider import LogSink, Provider, ProviderOptions
from devora.llm._redact import MASK, Redactor, redact
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
from devora.llm._usage import Budget, ModelUsage, Price, PriceTable, Usage, price_for

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
    "parse_retry_after",
    "price_for",
    "provider_key_variables",
    "redact",
    "resolve_model",
]
