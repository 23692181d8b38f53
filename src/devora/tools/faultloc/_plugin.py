"""The pytest plugin that names coverage's dynamic context after each test's node id.

coverage's own `dynamic_context = test_function` names a context after the test
function's qualified name, which parametrized tests share; this one uses pytest's node id,
so the spectrum speaks the same test ids as the test run.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PLUGIN_MODULE", "write_plugin"]

PLUGIN_MODULE = "devora_faultloc_contexts"
_SOURCE = """
import coverage
import pytest


def _switch(context):
    current = coverage.Coverage.current()
    if current is not None:
        current.switch_context(context)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _switch(item.nodeid)
    yield
    _switch("")
"""


def write_plugin(directory: Path) -> Path:
    """Write the plugin module into `directory` (put it on PYTHONPATH); return its path."""
    path = directory / f"{PLUGIN_MODULE}.py"
    path.write_text(_SOURCE, encoding="utf-8")
    return path
