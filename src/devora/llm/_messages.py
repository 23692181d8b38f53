"""Provider-neutral conversation data: messages, tool calls, tool specs, completions."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Completion", "Message", "Role", "ToolCall", "ToolSpec"]


class Role(StrEnum):
    """Who speaks in a conversation."""

    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


class ToolCall(BaseModel):
    """The model asks for one tool to be run with these arguments."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    arguments_error: str | None = Field(
        default=None, description="why the model's arguments could not be parsed, if they could not"
    )


class Message(BaseModel):
    """One turn of a conversation."""

    model_config = ConfigDict(frozen=True)

    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = Field(default=None, description="for role=tool: the call answered")

    @classmethod
    def system(cls, content: str) -> Message:
        """A system message."""
        return cls(role=Role.SYSTEM, content=content)

    @classmethod
    def user(cls, content: str) -> Message:
        """A user message."""
        return cls(role=Role.USER, content=content)

    @classmethod
    def assistant(cls, content: str, tool_calls: tuple[ToolCall, ...] = ()) -> Message:
        """An assistant message, possibly asking for tools."""
        return cls(role=Role.ASSISTANT, content=content, tool_calls=tool_calls)

    @classmethod
    def tool(cls, tool_call_id: str, content: str) -> Message:
        """The result of a tool call, handed back to the model."""
        return cls(role=Role.TOOL, content=content, tool_call_id=tool_call_id)


class ToolSpec(BaseModel):
    """A tool the model may call: its name, what it does, and its JSON-schema parameters."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    parameters: dict[str, Any]


class Completion(BaseModel):
    """One answer of the model, with the tokens it cost."""

    model_config = ConfigDict(frozen=True)

    model: str
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    input_tokens: int = 0
    output_tokens: int = 0
    stop_reason: str | None = None

    def as_message(self) -> Message:
        """The answer as an assistant message to append to the conversation."""
        return Message.assistant(self.text, self.tool_calls)
