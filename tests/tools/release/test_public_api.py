"""The package's public names: one sorted list, every name importable and documented."""

from __future__ import annotations

import importlib
import pkgutil

import devora.tools.release as release


def test_all_is_sorted_and_complete() -> None:
    assert release.__all__ == sorted(release.__all__, key=lambda n: (not n.isupper(), n))
    for name in release.__all__:
        assert hasattr(release, name), name


def test_every_private_module_declares_all_and_is_re_exported() -> None:
    for info in pkgutil.iter_modules(release.__path__):
        assert info.name.startswith("_"), f"{info.name} should be private"
        module = importlib.import_module(f"devora.tools.release.{info.name}")
        for name in module.__all__:
            assert name in release.__all__, f"{info.name}.{name} is not re-exported"


def test_public_callables_have_docstrings() -> None:
    for name in release.__all__:
        value = getattr(release, name)
        if callable(value):
            assert value.__doc__, f"{name} has no docstring"
