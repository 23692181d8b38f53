"""The provider base class: one request in `_send`; retries, budget, usage and transcript here."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from devora.llm._errors import PriceMissingError
from devora.llm._messages import Completion, Message, ToolSpec
from devora.llm._retry import RetryNotice, RetryPolicy, call_with_retries
from devora.llm._spec import ModelTarget, provider_key_variables
from devora.llm._usage import Budget, PriceTable, Usage, price_for
from devora.secrets import Redactor

__all__ = ["LogSink", "Provider", "ProviderOptions"]

LogSink = Callable[[str], None]


@dataclass
class ProviderOptions:
    """How a provider behaves around each request; share `usage` across a run's providers."""

    request_timeout: float = 120.0
    max_output_tokens: int = 4096
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    usage: Usage = field(default_factory=Usage)
    budget: Budget = field(default_factory=Budget)
    prices: PriceTable = field(default_factory=dict)
    on_log: LogSink | None = None
    on_retry: Callable[[RetryNotice], None] | None = None
    redactor: Redactor = field(default_factory=lambda: Redactor(provider_key_variables()))
    temperature: float | None = None
    # How a structured answer's JSON schema reaches the model besides the prompt: "prompt"
    # (only there), "json_schema" (OpenAI's response_format: OpenAI, Ollama, vLLM,
    # llama-server) or "json_object" (response_format json_object with a schema, as
    # llama-cpp-python's server constrains its output).
    structured_output: Literal["prompt", "json_schema", "json_object"] = "prompt"


class Provider(ABC):
    """A chat model behind an API; subclasses implement one request, `_send`."""

    def __init__(self, target: ModelTarget, options: ProviderOptions | None = None) -> None:
        self.target = target
        self.options = options or ProviderOptions()
        self.usage = self.options.usage
        self._price = price_for(self.options.prices, target.spec, target.model)
        if self.options.budget.max_cost is not None and self._price is None:
            raise PriceMissingError(target.spec)
        key = target.api_key if target.key_variable else ""  # Ollama's placeholder is no secret
        self._redact = self.options.redactor.with_secrets(key)
        self._seen: tuple[Message, ...] = ()

    def redact(self, text: str) -> str:
        """`text` with this provider's key and the configured secrets masked."""
        return self._redact(text)

    @property
    def model(self) -> str:
        """The model name sent to the API."""
        return self.target.model

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        schema: Mapping[str, Any] | None = None,
    ) -> Completion:
        """Ask the model once (with retries), count usage, check the budget, log the exchange.

        `schema`: the JSON schema the answer should fit, sent to the API as the options'
        `structured_output` says (by default, not sent)."""
        budget = self.options.budget
        budget.check_before(self.usage)
        self._log_prompt(messages)
        completion = await call_with_retries(
            lambda: self._send(messages, tools, schema),
            self.options.retry,
            on_retry=self._report_retry,
        )
        self.usage.add(
            self.target.spec, completion.input_tokens, completion.output_tokens, self._price
        )
        self._log_completion(completion)
        self._seen = (*messages, completion.as_message())
        budget.check_after(self.usage)
        return completion

    @abstractmethod
    async def _send(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        schema: Mapping[str, Any] | None = None,
    ) -> Completion:
        """Send one request; translate every SDK error into a ProviderError."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release the HTTP client; safe to call twice."""

    async def __aenter__(self) -> Provider:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _report_retry(self, notice: RetryNotice) -> None:
        self._emit(f"llm {self.target.spec} {notice}")
        if self.options.on_retry is not None:
            self.options.on_retry(notice)

    def _log_prompt(self, messages: Sequence[Message]) -> None:
        # Only what is new since the last exchange, so a long tool loop logs each turn once.
        start = 0
        if tuple(messages[: len(self._seen)]) == self._seen:
            start = len(self._seen)
        for message in messages[start:]:
            self._emit_message("prompt", message)

    def _log_completion(self, completion: Completion) -> None:
        self._emit_message("response", completion.as_message())
        cost = ""
        if self._price is not None:
            dollars = self._price.cost(completion.input_tokens, completion.output_tokens)
            cost = f" cost=${dollars:.6f}"
        self._emit(
            f"usage {self.target.spec}: input={completion.input_tokens} "
            f"output={completion.output_tokens}{cost}"
        )

    def _emit_message(self, direction: str, message: Message) -> None:
        head = f"{direction} {message.role.value}"
        if message.tool_call_id:
            head += f" [{message.tool_call_id}]"
        if message.content:
            self._emit(f"{head}: {message.content}")
        for call in message.tool_calls:
            arguments = json.dumps(call.arguments, ensure_ascii=False)
            self._emit(f"{head} tool call [{call.id}] {call.name}({arguments})")

    def _emit(self, text: str) -> None:
        sink = self.options.on_log
        if sink is None:
            return
        first, *rest = self._redact(text).splitlines() or [""]
        sink(first)
        for line in rest:
            sink(f"  {line}")
