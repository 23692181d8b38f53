"""A structured answer's schema sent to the API as `structured_output` says: not at all by
default, as OpenAI's json_schema, or as llama-cpp-python's json_object with a schema."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from devora.llm import Message, ProviderOptions, complete_structured

from .harness import provider_for, reply
from .scripted_server import scripted_server


class Answer(BaseModel):
    """A tiny structured answer."""

    name: str
    count: int


SCHEMA = Answer.model_json_schema()


@pytest.mark.parametrize(
    ("mode", "sent"),
    [
        ("prompt", None),
        (
            "json_schema",
            {"type": "json_schema", "json_schema": {"name": "answer", "schema": SCHEMA}},
        ),
        ("json_object", {"type": "json_object", "schema": SCHEMA}),
    ],
)
async def test_the_schema_reaches_the_api_as_configured(mode: str, sent: object) -> None:
    options = ProviderOptions(structured_output=mode)  # type: ignore[arg-type]
    with scripted_server([reply("openai", '{"name": "a", "count": 2}')]) as server:
        async with provider_for(server, "openai", options) as provider:
            got = await complete_structured(provider, [Message.user("count")], Answer)
    assert got == Answer(name="a", count=2)
    assert server.received[0].body.get("response_format") == sent


async def test_anthropic_keeps_the_schema_in_the_prompt_only() -> None:
    options = ProviderOptions(structured_output="json_schema")
    with scripted_server([reply("anthropic", '{"name": "a", "count": 2}')]) as server:
        async with provider_for(server, "anthropic", options) as provider:
            await complete_structured(provider, [Message.user("count")], Answer)
    body = server.received[0].body
    assert "response_format" not in body and "count" in str(body["system"])
