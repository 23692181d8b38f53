"""Turning `-i key=value` options and an inputs file into a mapping of raw inputs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

from devora.errors import InputsFileError, UsageError
from devora.workflows import check_input_shape as _check_shape
from devora.workflows._input_shape import MAX_INPUT_DEPTH as MAX_DEPTH

__all__ = ["collect_inputs", "positional_inputs", "workflow_arguments"]


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
    _check_shape(raw)
    return raw


def _parse_value(value: str) -> Any:
    """JSON when it reads as a JSON list or object; otherwise the string (pydantic coerces)."""
    stripped = value.strip()
    if stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return value
        except RecursionError as exc:
            raise UsageError(
                f"an input value is nested more than {MAX_DEPTH} levels deep",
                hint="give a flatter value, or put it in an --inputs file",
            ) from exc
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
        except RecursionError as exc:
            raise InputsFileError(str(path), f"nested more than {MAX_DEPTH} levels deep") from exc
        except json.JSONDecodeError as exc:
            raise InputsFileError(
                str(path), f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from exc
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except RecursionError as exc:
            raise InputsFileError(str(path), f"nested more than {MAX_DEPTH} levels deep") from exc
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


def workflow_arguments(
    workflow: str,
    positional: Sequence[str],
    fields: Mapping[str, Any],
    tokens: Sequence[str],
) -> dict[str, Any]:
    """Inputs from the words after the workflow name: positional values and --input-name options.

    `--fix` sets a boolean input `fix` to true (`--no-fix` to false); `--report-dir DIR`
    sets `report_dir`. Positional values fill the workflow's positional inputs in order.
    """
    values: list[str] = []
    inputs: dict[str, Any] = {}
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if not token.startswith("--") or token == "--":  # nosec B105 - not a password
            values.append(token)
            continue
        name, has_value, value = token[2:].partition("=")
        field_name = name.replace("-", "_")
        negated = field_name.startswith("no_") and field_name[3:] in fields
        if negated:
            field_name = field_name[3:]
        if field_name not in fields:
            known = ", ".join("--" + f.replace("_", "-") for f in fields) or "none"
            raise UsageError(
                f"unknown option {token} for workflow {workflow!r}",
                hint=f"its inputs as options: {known}; `devora show {workflow}` describes them",
            )
        if has_value:
            inputs[field_name] = _parse_value(value)
        elif _is_bool(fields[field_name]):
            inputs[field_name] = not negated
        elif index < len(tokens):
            inputs[field_name] = _parse_value(tokens[index])
            index += 1
        else:
            raise UsageError(f"option {token} needs a value", hint=f"{token} VALUE")
    inputs.update(positional_inputs(workflow, positional, values))
    _check_shape(inputs)
    return inputs


def _is_bool(field: Any) -> bool:
    """A flag: `bool`, or `bool | None` (unset unless the flag is given)."""
    annotation = getattr(field, "annotation", None)
    if annotation is bool:
        return True
    members = set(get_args(annotation)) if get_origin(annotation) in (Union, UnionType) else set()
    return bool(members) and members <= {bool, type(None)}


def positional_inputs(workflow: str, names: Sequence[str], values: Sequence[str]) -> dict[str, Any]:
    """Map positional command-line values onto the workflow's positional inputs."""
    if len(values) > len(names):
        takes = f"takes {', '.join(n.upper() for n in names)}" if names else "takes no arguments"
        raise UsageError(
            f"too many arguments for workflow {workflow!r}: {' '.join(values)}",
            hint=f"{workflow} {takes}; pass other inputs with -i NAME=VALUE",
        )
    return {name: _parse_value(value) for name, value in zip(names, values, strict=False)}
