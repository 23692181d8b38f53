"""Read a product spec from YAML or JSON, with the file:line of anything wrong in it.

The text is composed into YAML nodes first (JSON is read by `json` and located through
the same nodes): every key and item keeps the line it was written on, so a pydantic error
at `entities[2].fields[0].type` or a reserved name found later points at that line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from devora.errors import DevoraError
from devora.workflows.saas_mvp._errors import SpecError
from devora.workflows.saas_mvp._spec import FieldType, ProductSpec, SpecProblem, check_spec

__all__ = ["load_spec", "parse_spec"]

Key = tuple[str | int, ...]
Locations = dict[Key, tuple[int, int]]
_MAX_BYTES = 1_000_000


def load_spec(path: Path) -> ProductSpec:
    """The validated spec in `path` (`.json` is JSON, anything else YAML); SpecError if not."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SpecError(source, f"cannot read the spec: {error.strerror or error}") from error
    if len(raw) > _MAX_BYTES:
        raise SpecError(source, f"the spec is larger than {_MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpecError(source, f"the spec is not UTF-8 text ({error.reason})") from error
    return parse_spec(text, source, json_format=path.suffix.lower() == ".json")


def parse_spec(text: str, source: str = "<spec>", *, json_format: bool = False) -> ProductSpec:
    """The validated spec written in `text`; errors name `source` and the line."""
    data, locations = _read_json(text, source) if json_format else _read_yaml(text, source)
    try:
        spec = ProductSpec.model_validate(data)
    except ValidationError as error:
        # A misspelt key is the cause of the "missing" error beside it: report it first.
        errors = error.errors(include_url=False)
        first = min(errors, key=lambda e: e["type"] != "extra_forbidden")
        key = tuple(first["loc"])
        raise _located(source, key, _explain(first), data, locations, text) from None
    try:
        check_spec(spec)
    except SpecProblem as problem:
        raise _located(source, problem.path, problem.problem, data, locations, text) from None
    return spec


def _read_yaml(text: str, source: str) -> tuple[Any, Locations]:
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)  # its reader refuses control characters already
        node = loader.get_single_node()
        if node is None:
            raise SpecError(source, "the spec is empty", line=1)
        locations: Locations = {}
        _walk(node, (), locations, source, set())
        return loader.construct_document(node), locations
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(str(p) for p in (error.context, error.problem) if p) or "bad YAML"
        raise SpecError(
            source,
            f"not valid YAML: {problem}",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError) as error:
        # A timestamp like 2024-13-45 fails in its constructor; a too-deep nesting recurses.
        raise SpecError(source, f"not valid YAML: {type(error).__name__}: {error}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _walk(node: yaml.Node, key: Key, out: Locations, source: str, seen: set[int]) -> None:
    """Record where each key and item starts; a key written twice in a mapping is an error."""
    if id(node) in seen:
        return  # an alias: its node was walked where it was anchored
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        names: set[str] = set()
        for key_node, value_node in node.value:
            name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            mark = key_node.start_mark
            if isinstance(key_node, yaml.ScalarNode) and name in names:
                raise SpecError(
                    source,
                    f"key {name!r} is written twice",
                    field=_dotted((*key, name)),
                    line=mark.line + 1,
                    column=mark.column + 1,
                )
            names.add(name)
            out[(*key, name)] = (mark.line + 1, mark.column + 1)
            _walk(value_node, (*key, name), out, source, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out[(*key, index)] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _walk(item, (*key, index), out, source, seen)
    out.setdefault(key, (node.start_mark.line + 1, node.start_mark.column + 1))


def _read_json(text: str, source: str) -> tuple[Any, Locations]:
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as duplicate:
        line = _line_of_key(text, duplicate.key, last=True)
        raise SpecError(
            source, f"key {duplicate.key!r} is written twice", field=duplicate.key, line=line
        ) from None
    except json.JSONDecodeError as error:
        raise SpecError(
            source, f"not valid JSON: {error.msg}", line=error.lineno, column=error.colno
        ) from None
    except (RecursionError, ValueError) as error:
        raise SpecError(source, f"not valid JSON: {error}") from None
    try:
        # The same nodes locate JSON keys; a JSON text YAML 1.1 cannot read is located by search.
        _, locations = _read_yaml(text, source)
    except SpecError:
        locations = {}
    return data, locations


class _DuplicateKey(DevoraError):
    """A key written twice in one mapping (turned into a SpecError with its line)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the key {key!r} is written twice")
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _line_of_key(text: str, key: str, *, last: bool = False) -> int | None:
    found = [m.start() for m in re.finditer(re.escape(json.dumps(key)) + r"\s*:", text)]
    if not found:
        return None
    return text.count("\n", 0, found[-1] if last else found[0]) + 1


def _located(
    source: str, key: Key, problem: str, data: Any, locations: Locations, text: str
) -> SpecError:
    line: int | None = None
    column: int | None = None
    for size in range(len(key), -1, -1):
        if key[:size] in locations:
            line, column = locations[key[:size]]
            break
    if line is None:
        names = [part for part in key if isinstance(part, str)]
        line = _line_of_key(text, names[-1]) if names else None
    return SpecError(source, problem, field=_named(key, data), line=line, column=column)


def _explain(error: Any) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "enum" and error["loc"][-1:] == ("type",):
        known = ", ".join(t.value for t in FieldType)
        return f"unknown field type {value!r} (known types: {known})"
    if kind == "extra_forbidden":
        return "unknown key (check its spelling in docs/saas-mvp.md)"
    if kind == "string_pattern_mismatch":
        field = error["loc"][-1] if error["loc"] else ""
        shape = "a letter, then letters and digits" if field == "entity" else ""
        return f"{value!r} is not a valid name {shape}".rstrip() + (
            ": entity names are CamelCase (Invoice, OrderLine); field, relation, role and "
            "plan names are snake_case (due_date)"
        )
    return str(error["msg"]).removeprefix("Value error, ")


def _named(key: Key, data: Any) -> str:
    """`entities[2].fields[0].type` with names where items have one: entities[Invoice]..."""
    parts: list[str] = []
    node = data
    for part in key:
        item = None
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            item = node[part]
            name = item.get("name") if isinstance(item, dict) else None
            parts.append(f"[{name}]" if isinstance(name, str) and name else f"[{part}]")
        else:
            if isinstance(node, dict):
                item = node.get(part)
            parts.append(f".{part}" if parts else str(part))
        node = item
    return "".join(parts) or "(the spec)"


def _dotted(key: Key) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(key)
    )
