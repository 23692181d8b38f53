"""What a feature development is given: the repository, the request (a file or its text),
and the environment to deploy to."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from devora.workflows._project_paths import git_work_tree

__all__ = ["FeatureInputs", "read_request"]

MAX_REQUEST_CHARS = 50_000
# A request that is one word ending like a file name is taken for a file, and must exist.
_FILE_LIKE = re.compile(r"^\S+\.(md|txt|rst|markdown|json|yaml|yml)$|^\S*/\S*$", re.IGNORECASE)


def read_request(value: str) -> str:
    """The request's text: a file's content when `value` names one, else `value` itself."""
    text = value.strip()
    if not text:
        raise ValueError("the request is empty: give a file or the feature in words")
    try:
        candidate = Path(text).expanduser()
    except RuntimeError:  # "~someone" naming no user: not a file of theirs, then
        candidate = Path(text)
    if "\n" not in text and candidate.is_file():
        try:
            content = candidate.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"request file {value} cannot be read: {error}") from error
        if not content:
            raise ValueError(f"request file {value} is empty")
        text = content
    elif _FILE_LIKE.match(text):
        raise ValueError(f"request file {value} does not exist")
    if len(text) > MAX_REQUEST_CHARS:
        raise ValueError(f"the request has {len(text)} characters; at most {MAX_REQUEST_CHARS}")
    return text


class FeatureInputs(BaseModel):
    """The feature to develop: where, what, and where it is deployed."""

    path: str = Field(default=".", description="the git repository to change")
    request: str = Field(description="the feature request: a file (.md, .txt) or its text")
    environment: str = Field(
        default="staging",
        description="where `deploy` deploys: an environment of feature_development.deploy",
    )

    @field_validator("path")
    @classmethod
    def _a_git_work_tree(cls, value: str) -> str:
        return git_work_tree(value)

    @field_validator("request")
    @classmethod
    def _request_text(cls, value: str) -> str:
        # The text is recorded with the run, so a resumed run reads the request it started with.
        return read_request(value)

    @field_validator("environment")
    @classmethod
    def _environment_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", value):
            raise ValueError(f"environment {value!r}: letters, digits, '.', '_' and '-' only")
        return value
