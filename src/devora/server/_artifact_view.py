"""An artifact as the dashboard shows it inline: Markdown rendered with escaping, HTML for a
sandboxed frame, JSON and text as text. Nothing from the file runs in the dashboard's page."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

__all__ = ["ArtifactPreview", "preview_artifact"]

MAX_PREVIEW = 2_000_000  # bytes shown inline; bigger files are downloaded


class ArtifactPreview(BaseModel):
    """What the page shows: `html` (safe to insert) for Markdown, `document` for a frame."""

    name: str
    kind: Literal["markdown", "html", "text", "too_big"]
    html: str | None = None
    document: str | None = None
    text: str | None = None


def _markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    # Raw HTML in the source is shown as text, and links are limited to safe schemes
    # (markdown-it refuses javascript:, vbscript:, file: and data: other than images).
    renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    return str(renderer.render(text))


def preview_artifact(name: str, path: Path, media_type: str) -> ArtifactPreview:
    """The inline form of the artifact at `path` (already checked to lie in the run's folder)."""
    if path.stat().st_size > MAX_PREVIEW:
        return ArtifactPreview(name=name, kind="too_big")
    text = path.read_text(encoding="utf-8", errors="replace")
    suffix = path.suffix.lower()
    if media_type == "text/markdown" or suffix in (".md", ".markdown"):
        return ArtifactPreview(name=name, kind="markdown", html=_markdown(text))
    if media_type == "text/html" or suffix in (".html", ".htm"):
        return ArtifactPreview(name=name, kind="html", document=text)
    return ArtifactPreview(name=name, kind="text", text=text)
