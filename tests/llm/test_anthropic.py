"""Anthropic specifics: the system prompt, tool_use and tool_result blocks, empty turns."""

from __future__ import annotations

from devora.llm import Message, ToolCall
from devora.llm._anthropic import to_anthropic_messages


def test_systems_are_joined_and_parallel_tool_results_share_one_user_turn() -> None:
    calls = (
        ToolCall(id="t1", name="read_file", arguments={"path": "a"}),
        ToolCall(id="t2", name="read_file", arguments={"path": "b"}),
    )
    system, conversation = to_anthropic_messages(
        [
            Message.system("one"),
            Message.user("go"),
            Message.system("two"),
            Message.assistant("reading", calls),
            Message.tool("t1", "A"),
            Message.tool("t2", "B"),
            Message.user("and now?"),
        ]
    )
    assert system == "one\n\ntwo"
    assert conversation == [
        {"role": "user", "content": [{"type": "text", "text": "go"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "reading"},
                {"type": "tool_use", "id": "t1", "name": "read_file", "input": {"path": "a"}},
                {"type": "tool_use", "id": "t2", "name": "read_file", "input": {"path": "b"}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "A"},
                {"type": "tool_result", "tool_use_id": "t2", "content": "B"},
                {"type": "text", "text": "and now?"},
            ],
        },
    ]


def test_an_empty_answer_is_not_sent_as_an_empty_turn() -> None:
    _, conversation = to_anthropic_messages([Message.user("q"), Message.assistant("")])
    assert conversation[1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "(empty answer)"}],
    }
