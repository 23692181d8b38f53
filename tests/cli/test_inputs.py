"""Command-line words to workflow inputs: positional values, --options and flags."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from devora.cli._inputs import workflow_arguments
from devora.errors import UsageError


class Inputs(BaseModel):
    path: str = "."
    fix: bool = False
    data_loss: bool | None = None
    base: str | None = None


def parse(*words: str) -> dict[str, object]:
    return workflow_arguments("gate", ("path",), Inputs.model_fields, list(words))


def test_positional_options_and_flags() -> None:
    assert parse("src", "--fix", "--base", "main") == {"path": "src", "fix": True, "base": "main"}
    assert parse("--base=v1.0", "--no-fix") == {"base": "v1.0", "fix": False}


def test_optional_booleans_are_flags_too() -> None:
    assert parse("--data-loss") == {"data_loss": True}
    assert parse("--no-data-loss") == {"data_loss": False}


def test_errors_name_the_problem() -> None:
    with pytest.raises(UsageError, match="unknown option --fxi"):
        parse("--fxi")
    with pytest.raises(UsageError, match="--base needs a value"):
        parse("--base")
    with pytest.raises(UsageError, match="too many arguments"):
        parse("a", "b")
