"""The public names of devora.llm and devora.agents: one sorted list each, all importable."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("package", ["devora.llm", "devora.agents"])
def test_all_is_sorted_and_complete(package: str) -> None:
    module = importlib.import_module(package)
    names = list(module.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    for name in names:
        assert getattr(module, name) is not None
    public = {n for n in vars(module) if not n.startswith("_") and n[0].isalpha()}
    submodules = {n for n in public if isinstance(getattr(module, n), type(importlib))}
    assert public - submodules == set(names)
