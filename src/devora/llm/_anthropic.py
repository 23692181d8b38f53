"""The Anthropic provider through the `anthropic` SDK (messages API, tool_use blocks)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import anthropic

from devora.llm._errors import ProviderError, ProviderTimeoutError
from devora.llm._messages import Completion, Message, Role, ToolCall, ToolSpec
from devora.llm._provider import Provider, ProviderOptions
from devora.llm._spec import ModelTarget
from devora.llm._translate import status_error, unreachable_error

__all__ = ["AnthropicProvider", "to_anthropic_messages"]


class AnthropicProvider(Provider):
    """Claude through `anthropic.AsyncAnthropic`, with our retry policy."""

    def __init__(self, target: ModelTarget, options: ProviderOptions | None = None) -> None:
        super().__init__(target, options)
        self._client = anthropic.AsyncAnthropic(
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
        schema: Mapping[str, Any] | None = None,  # Anthropic's API has no schema option
    ) -> Completion:
        system, conversation = to_anthropic_messages(messages)
        request: dict[str, Any] = {
            "model": self.target.model,
            "messages": conversation,
            "max_tokens": self.options.max_output_tokens,
        }
        if system:
            request["system"] = system
        if tools:
            request["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in tools
            ]
        if self.options.temperature is not None:
            request["temperature"] = self.options.temperature
        name = self.target.provider
        try:
            response = await self._client.messages.create(**request)
        except anthropic.APITimeoutError as error:
            raise ProviderTimeoutError(name, self.options.request_timeout) from error
        except anthropic.APIStatusError as error:
            raise status_error(
                name, error.status_code, dict(error.response.headers), _detail(error)
            ) from error
        except anthropic.APIConnectionError as error:
            raise unreachable_error(name, self.target.base_url, str(error)) from error
        except anthropic.AnthropicError as error:
            raise ProviderError(name, str(error)) from error
        texts: list[str] = []
        calls: list[ToolCall] = []
        for block in response.content:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "tool_use":
                arguments = block.input if isinstance(block.input, dict) else {}
                problem = None if isinstance(block.input, dict) else "input must be an object"
                calls.append(
                    ToolCall(
                        id=block.id, name=block.name, arguments=arguments, arguments_error=problem
                    )
                )
        return Completion(
            model=response.model or self.target.model,
            text="".join(texts),
            tool_calls=tuple(calls),
            input_tokens=response.usage.input_tokens,
            output_tokens=response.usage.output_tokens,
            stop_reason=response.stop_reason,
        )


def to_anthropic_messages(messages: Sequence[Message]) -> tuple[str, list[dict[str, Any]]]:
    """The system prompt, and our other messages as Anthropic content blocks."""
    system = "\n\n".join(m.content for m in messages if m.role is Role.SYSTEM)
    conversation: list[dict[str, Any]] = []
    for message in messages:
        if message.role is Role.SYSTEM:
            continue
        if message.role is Role.TOOL:
            _append_user_block(
                conversation,
                {
                    "type": "tool_result",
                    "tool_use_id": message.tool_call_id,
                    "content": message.content,
                },
            )
        elif message.role is Role.ASSISTANT:
            blocks: list[dict[str, Any]] = []
            if message.content:
                blocks.append({"type": "text", "text": message.content})
            blocks.extend(
                {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
                for c in message.tool_calls
            )
            if not blocks:
                # The API refuses an empty turn; an empty answer is still part of the story.
                blocks.append({"type": "text", "text": "(empty answer)"})
            conversation.append({"role": "assistant", "content": blocks})
        else:
            _append_user_block(conversation, {"type": "text", "text": message.content})
    return system, conversation


def _append_user_block(conversation: list[dict[str, Any]], block: dict[str, Any]) -> None:
    # Turns alternate: tool results and text that follow each other travel in one user turn.
    last = conversation[-1] if conversation else None
    if last is not None and last["role"] == "user":
        last["content"].append(block)
    else:
        conversation.append({"role": "user", "content": [block]})


def _detail(error: anthropic.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        return json.dumps(body)[:500]
    return error.message
