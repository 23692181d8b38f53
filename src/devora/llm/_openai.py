"""The OpenAI-compatible provider (OpenAI, OpenRouter, Ollama, vLLM) through the `openai` SDK."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import openai

from devora.llm._errors import ProviderError, ProviderTimeoutError
from devora.llm._messages import Completion, Message, Role, ToolCall, ToolSpec
from devora.llm._provider import Provider, ProviderOptions
from devora.llm._spec import ModelTarget
from devora.llm._translate import status_error, unreachable_error

__all__ = ["OpenAIProvider", "parse_tool_arguments", "to_openai_messages"]


class OpenAIProvider(Provider):
    """A chat-completions endpoint through `openai.AsyncOpenAI`, with our retry policy."""

    def __init__(self, target: ModelTarget, options: ProviderOptions | None = None) -> None:
        super().__init__(target, options)
        self._client = openai.AsyncOpenAI(
            api_key=target.api_key,
            base_url=target.base_url,
            timeout=self.options.request_timeout,
            max_retries=0,  # the retry policy is ours, so it is observable and honours Retry-After
        )

    async def aclose(self) -> None:
        """Close the SDK client; safe twice."""
        await self._client.close()

    async def _send(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        schema: Mapping[str, Any] | None = None,
    ) -> Completion:
        request: dict[str, Any] = {
            "model": self.target.model,
            "messages": to_openai_messages(messages),
        }
        # OpenAI's own API refuses max_tokens for its reasoning models; the compatible
        # servers (OpenRouter, Ollama, vLLM) all take max_tokens.
        limit = "max_completion_tokens" if self.target.provider == "openai" else "max_tokens"
        request[limit] = self.options.max_output_tokens
        if tools:
            request["tools"] = [_tool_payload(tool) for tool in tools]
        mode = self.options.structured_output
        if schema is not None and mode == "json_schema":
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": dict(schema)},
            }
        elif schema is not None and mode == "json_object":
            request["response_format"] = {"type": "json_object", "schema": dict(schema)}
        if self.options.temperature is not None:
            request["temperature"] = self.options.temperature
        name = self.target.provider
        try:
            response = await self._client.chat.completions.create(**request)
        except openai.APITimeoutError as error:
            raise ProviderTimeoutError(name, self.options.request_timeout) from error
        except openai.APIStatusError as error:
            raise status_error(
                name, error.status_code, dict(error.response.headers), _detail(error)
            ) from error
        except openai.APIConnectionError as error:
            raise unreachable_error(name, self.target.base_url, str(error)) from error
        except openai.OpenAIError as error:
            raise ProviderError(name, str(error)) from error
        if not response.choices:
            raise ProviderError(name, "the answer has no choices", retryable=True)
        choice = response.choices[0]
        message = choice.message
        calls = tuple(
            _tool_call(call.id, call.function.name, call.function.arguments)
            for call in (message.tool_calls or ())
            if call.type == "function"
        )
        usage = response.usage
        return Completion(
            model=response.model or self.target.model,
            text=message.content or "",
            tool_calls=calls,
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            stop_reason=choice.finish_reason,
        )


def to_openai_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Our messages in the chat-completions format."""
    payload: list[dict[str, Any]] = []
    for message in messages:
        if message.role is Role.TOOL:
            payload.append(
                {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
            )
        elif message.role is Role.ASSISTANT and message.tool_calls:
            payload.append(
                {
                    "role": "assistant",
                    "content": message.content or None,
                    "tool_calls": [
                        {
                            "id": call.id,
                            "type": "function",
                            "function": {
                                "name": call.name,
                                "arguments": json.dumps(call.arguments),
                            },
                        }
                        for call in message.tool_calls
                    ],
                }
            )
        else:
            payload.append({"role": message.role.value, "content": message.content})
    return payload


def parse_tool_arguments(raw: str | None) -> tuple[dict[str, Any], str | None]:
    """Arguments JSON as a dict, or an empty dict and the reason it is not one."""
    if not raw or not raw.strip():
        return {}, None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        return {}, f"arguments are not valid JSON ({error})"
    if not isinstance(value, dict):
        return {}, "arguments must be a JSON object"
    return value, None


def _tool_call(call_id: str, name: str, raw_arguments: str | None) -> ToolCall:
    arguments, problem = parse_tool_arguments(raw_arguments)
    return ToolCall(id=call_id, name=name, arguments=arguments, arguments_error=problem)


def _tool_payload(tool: ToolSpec) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": tool.parameters,
        },
    }


def _detail(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        return json.dumps(body)[:500]
    return error.message
