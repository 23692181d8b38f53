"""The public names of devora.llm and devora.agents: one sorted list each, all importable."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

import pytest

from devora.errors import ToolNotInstalledError
from devora.llm import open_provider


@pytest.mark.parametrize("package", ["devora.llm", "devora.agents"])
def test_all_is_sorted_and_complete(package: str) -> None:
    module = importlib.import_module(package)
    names = list(module.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    for name in names:
        assert getattr(module, name) is not None
    public = {n for n in vars(module) if not n.startswith("_") and n[0].isalpha()}
    assert {n for n in public if not isinstance(getattr(module, n), ModuleType)} <= set(names)


def test_a_missing_sdk_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if devora was installed without the [llm] extra: importing the SDK fails.
    monkeypatch.setitem(sys.modules, "anthropic", None)
    monkeypatch.delitem(sys.modules, "devora.llm._anthropic", raising=False)
    with pytest.raises(ToolNotInstalledError) as caught:
        open_provider("anthropic:claude-3-5-haiku-latest", env={"ANTHROPIC_API_KEY": "k"})
    assert "anthropic Python package is not installed" in caught.value.message
    assert caught.value.hint == "install it: pip install 'devora[llm]'"
