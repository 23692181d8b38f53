"""What a codemod changed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["CodemodResult"]


class CodemodResult(BaseModel):
    """The files a codemod rewrote (relative to the root) and how many edits it made."""

    model_config = ConfigDict(frozen=True)

    codemod: str
    description: str
    changed_files: tuple[str, ...]
    edits: int
