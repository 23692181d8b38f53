"""OpenAI-compatible specifics: parameters per server, tool-call arguments, message shapes."""

from __future__ import annotations

from devora.llm import Message, ToolCall, open_provider
from devora.llm._openai import parse_tool_arguments, to_openai_messages

from .harness import TEST_KEY
from .scripted_server import openai_reply, scripted_server


async def test_compatible_servers_get_max_tokens() -> None:
    with scripted_server([openai_reply("hi")]) as server:
        provider = open_provider(
            "openrouter:meta-llama/llama-3.1-8b-instruct",
            base_url=f"{server.url}/v1",
            env={"OPENROUTER_API_KEY": TEST_KEY},
        )
        async with provider:
            await provider.complete([Message.user("hi")])
    body = server.received[0].body
    assert body["max_tokens"] == 4096 and "max_completion_tokens" not in body
    assert body["model"] == "meta-llama/llama-3.1-8b-instruct"


async def test_ollama_works_without_a_key() -> None:
    with scripted_server([openai_reply("hi from llama")]) as server:
        async with open_provider("ollama:llama3.1", base_url=f"{server.url}/v1", env={}) as p:
            assert (await p.complete([Message.user("hi")])).text == "hi from llama"


async def test_unparseable_tool_arguments_are_kept_as_an_error_for_the_agent() -> None:
    script = [openai_reply(tool_calls=[("c1", "read_file", '{"path": "a.py"')])]
    with scripted_server(script) as server:
        provider = open_provider(
            "openai:gpt-4o-mini", base_url=f"{server.url}/v1", env={"OPENAI_API_KEY": TEST_KEY}
        )
        async with provider:
            completion = await provider.complete([Message.user("read")])
    (call,) = completion.tool_calls
    assert call.arguments == {}
    assert call.arguments_error is not None and "not valid JSON" in call.arguments_error


def test_parse_tool_arguments() -> None:
    assert parse_tool_arguments('{"a": 1}') == ({"a": 1}, None)
    assert parse_tool_arguments("") == ({}, None)
    assert parse_tool_arguments("[1]") == ({}, "arguments must be a JSON object")


def test_message_shapes() -> None:
    call = ToolCall(id="c1", name="list_files", arguments={})
    payload = to_openai_messages(
        [
            Message.system("s"),
            Message.user("u"),
            Message.assistant("", (call,)),
            Message.tool("c1", "a.py"),
        ]
    )
    assert payload == [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "u"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "list_files", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "a.py"},
    ]
