"""Structured answers: ask, validate against a pydantic model, re-ask with the error."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from devora.llm._errors import StructuredOutputError
from devora.llm._messages import Message
from devora.llm._provider import Provider

__all__ = ["complete_structured", "extract_json"]

M = TypeVar("M", bound=BaseModel)

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)\n?```", re.DOTALL)


def extract_json(text: str) -> str:
    """The JSON in an answer: inside a ```json fence if there is one, else the outermost {...}."""
    fenced = _FENCE.search(text)
    if fenced:
        return fenced.group(1).strip()
    stripped = text.strip()
    start, end = stripped.find("{"), stripped.rfind("}")
    if start != -1 and end > start:
        return stripped[start : end + 1]
    return stripped


def _instructions(output_model: type[BaseModel]) -> str:
    schema = json.dumps(output_model.model_json_schema(), indent=None)
    return "Answer with one JSON object, and nothing else, that fits this JSON schema:\n" + schema


async def complete_structured(
    provider: Provider,
    messages: Sequence[Message],
    output_model: type[M],
    max_attempts: int = 3,
) -> M:
    """Ask until the answer validates against `output_model`, at most `max_attempts` times."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    conversation = [Message.system(_instructions(output_model)), *messages]
    schema = output_model.model_json_schema()
    last_error = "no answer"
    for _ in range(max_attempts):
        completion = await provider.complete(conversation, schema=schema)
        try:
            return output_model.model_validate_json(extract_json(completion.text))
        except ValidationError as error:
            last_error = _describe(error)
        conversation += [
            completion.as_message(),
            Message.user(
                "Your answer does not fit the schema: "
                f"{last_error}\nAnswer again with only the corrected JSON object."
            ),
        ]
    raise StructuredOutputError(output_model.__name__, max_attempts, last_error)


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "(root)"
        problems.append(f"{where}: {item['msg']}")
    return "; ".join(problems)
