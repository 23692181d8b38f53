"""Turning `-i key=value` options and an inputs file into a mapping of raw inputs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devora.errors import InputsFileError, UsageError

__all__ = ["collect_inputs"]


def collect_inputs(pairs: Sequence[str], inputs_file: Path | None) -> dict[str, Any]:
    """Inputs from the file first, then `-i` pairs (which win)."""
    raw: dict[str, Any] = {}
    if inputs_file is not None:
        raw.update(_read_inputs_file(inputs_file))
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(
                f"bad input {pair!r}: expected NAME=VALUE",
                hint="for example: -i version=1.2.0 -i dry=true",
            )
        raw[key] = _parse_value(value)
    return raw


def _parse_value(value: str) -> Any:
    """JSON when it reads as a JSON list or object; otherwise the string (pydantic coerces)."""
    stripped = value.strip()
    if stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return value
    return value


def _read_inputs_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputsFileError(str(path), "no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputsFileError(str(path), str(exc)) from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputsFileError(
                str(path), f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from exc
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise InputsFileError(str(path), f"invalid YAML{where}: {problem}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputsFileError(str(path), f"expected a mapping, found {type(data).__name__}")
    return {str(k): v for k, v in data.items()}
