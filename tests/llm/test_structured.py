"""Structured output: validated against the model, re-asked with the error, bounded."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field

from devora.llm import Message, Provider, StructuredOutputError, complete_structured, extract_json

from .harness import APIS, provider_for, reply
from .scripted_server import scripted_server


class Triage(BaseModel):
    """What a bug-triage step expects back."""

    severity: int = Field(ge=1, le=4)
    component: str
    duplicate: bool = False


VALID = '{"severity": 2, "component": "store"}'


@pytest.mark.parametrize("api", APIS)
async def test_valid_answer_is_parsed(api: str) -> None:
    with scripted_server([reply(api, VALID)]) as server:
        async with provider_for(server, api) as provider:
            result = await provider_complete(provider)
    assert result == Triage(severity=2, component="store")
    sent = json.dumps(server.received[0].body)
    assert "severity" in sent  # the schema was part of the prompt


@pytest.mark.parametrize("api", APIS)
async def test_invalid_json_then_valid_answer(api: str) -> None:
    script = [reply(api, "Sure! severity two, the store."), reply(api, f"```json\n{VALID}\n```")]
    with scripted_server(script) as server:
        async with provider_for(server, api) as provider:
            result = await provider_complete(provider)
    assert result.component == "store"
    assert provider.usage.calls == 2
    retry_prompt = json.dumps(server.received[1].body["messages"][-1])
    assert "does not fit the schema" in retry_prompt and "Invalid JSON" in retry_prompt


@pytest.mark.parametrize("api", APIS)
async def test_gives_up_after_max_attempts_with_the_last_validation_error(api: str) -> None:
    script = [
        reply(api, '{"severity": 9, "component": "ui"}'),
        reply(api, '{"severity": 3}'),
    ]
    with scripted_server(script) as server:
        async with provider_for(server, api) as provider:
            with pytest.raises(StructuredOutputError) as caught:
                await provider_complete(provider, max_attempts=2)
    error = caught.value
    assert error.attempts == 2
    assert error.last_error == "component: Field required"
    assert "Triage after 2 attempt(s)" in error.message and "component" in error.message
    first_retry = json.dumps(server.received[1].body["messages"][-1])
    assert "severity: Input should be less than or equal to 4" in first_retry


async def provider_complete(provider: Provider, max_attempts: int = 3) -> Triage:
    """Ask the triage question through complete_structured."""
    return await complete_structured(
        provider, [Message.user("triage: the store loses runs")], Triage, max_attempts
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', '{"a": 1}'),
        ('{"a": 1} -- hope this helps', '{"a": 1}'),
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('Here you go:\n```\n{"a": 1}\n```\nanything else?', '{"a": 1}'),
        ('The answer is {"a": {"b": 2}} as asked.', '{"a": {"b": 2}}'),
        ("no json here", "no json here"),
    ],
)
def test_extract_json(text: str, expected: str) -> None:
    assert extract_json(text) == expected
