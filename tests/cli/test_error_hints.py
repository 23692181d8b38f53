"""Every DevoraError, built as its raisers build it, has a hint and a documented exit code.

The classes are found, not listed: every module of devora is imported and every subclass
of DevoraError is constructed from its own signature, so a new error without a hint fails.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

import pytest

import devora
from devora.errors import DevoraError

DOCUMENTED_EXIT_CODES = {1, 2, 4, 5, 130}  # docs/cli.md: failed, bad input, cancelled, env, Ctrl-C


def _all_error_classes() -> list[type[DevoraError]]:
    for module in pkgutil.walk_packages(devora.__path__, "devora."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: set[type[DevoraError]] = set()
    pending = [DevoraError]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _sample(annotation: Any) -> Any:
    """A plausible value for a parameter of this type."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    if "tuple[str, str]" in text:
        return [("field", "is wrong")]
    if text.startswith(("Sequence", "list", "tuple")) or "Sequence[" in text:
        # Strings where the items are strings; no items of a type this cannot build.
        return ["a", "b"] if "[str" in text or "[" not in text else []
    if text in ("int", "int | None"):
        return 3
    if text in ("float", "float | None"):
        return 1.5
    if text == "bool":
        return False
    if "Path" in text:
        return Path("some/file.txt")
    return "value"


def _build(cls: type[DevoraError]) -> DevoraError:
    """Construct the error with its required parameters only, as most raisers do."""
    signature = inspect.signature(cls.__init__)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, parameter in list(signature.parameters.items())[1:]:
        if parameter.default is not inspect.Parameter.empty:
            continue
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        value = _sample(parameter.annotation)
        if parameter.kind is parameter.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            args.append(value)
    return cls(*args, **kwargs)


ERROR_CLASSES = _all_error_classes()


def test_the_scan_finds_the_errors_of_every_layer() -> None:
    modules = {cls.__module__.split(".")[1] for cls in ERROR_CLASSES}
    assert {"errors", "config", "tools", "workflows", "llm", "agents"} <= modules
    assert len(ERROR_CLASSES) > 40


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__qualname__)
def test_every_error_has_a_hint_and_a_documented_exit_code(cls: type[DevoraError]) -> None:
    error = _build(cls)
    assert error.message.strip(), cls
    assert isinstance(error.hint, str) and error.hint.strip(), f"{cls.__qualname__} has no hint"
    assert error.exit_code in DOCUMENTED_EXIT_CODES, cls


def test_an_explicit_hint_wins_over_the_default() -> None:
    assert DevoraError("x", hint="do y").hint == "do y"
    assert DevoraError("x").hint == DevoraError.default_hint
