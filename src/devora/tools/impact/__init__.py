"""Test impact analysis: per-test coverage recorded on a full run, tests selected on a change.

    impact = TestImpact(...)            # from a run under the devora_impact pytest plugin
    selection = select_tests(impact, changed, added, deleted, skeleton)
    selection.reused                    # passed tests nothing they executed changed

A change inside function bodies re-runs only the tests that executed a line of a changed
function (function_change compares the file as it was with the file now).

The plugin (`plugin_directory()` on PYTHONPATH, `-p devora_impact`) runs in the project's
own environment: each test in its own coverage context, each outcome written down.
"""

from pathlib import Path

from devora.tools.impact._configuration import configuration_files
from devora.tools.impact._coverage_data import (
    context_name,
    executed_files,
    forget_coverage,
    forget_files,
    lines_by_context,
    lines_outside_tests,
    move_lines,
)
from devora.tools.impact._functions import FunctionChange, function_change
from devora.tools.impact._selection import (
    FunctionImpact,
    TestImpact,
    TestSelection,
    select_tests,
)
from devora.tools.impact._skeleton import function_body_lines, module_skeleton, skeletons_of

__all__ = [
    "PLUGIN",
    "FunctionChange",
    "FunctionImpact",
    "TestImpact",
    "TestSelection",
    "configuration_files",
    "context_name",
    "executed_files",
    "forget_coverage",
    "forget_files",
    "function_body_lines",
    "function_change",
    "lines_by_context",
    "lines_outside_tests",
    "module_skeleton",
    "move_lines",
    "plugin_directory",
    "plugin_file",
    "select_tests",
    "skeletons_of",
]

PLUGIN = "devora_impact"


def plugin_directory() -> Path:
    """The folder holding the pytest plugin module, for the tests' PYTHONPATH."""
    return Path(__file__).resolve().parent / "plugin"


def plugin_file() -> Path:
    """The plugin module itself (coverage measures it: it is left out of the figures)."""
    return plugin_directory() / f"{PLUGIN}.py"
