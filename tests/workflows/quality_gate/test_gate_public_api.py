"""The package's public API: sorted, complete, documented; the workflow as the registry names it."""

from __future__ import annotations

import inspect
import pickle

import devora.workflows.quality_gate as gate
from devora.workflows import command_line, resolve_workflow
from devora.workflows.quality_gate import GateConfigError, GateFailedError


def test_all_is_sorted_unique_and_importable() -> None:
    names = gate.__all__
    assert len(set(names)) == len(names)
    constants = [n for n in names if n.isupper()]
    others = [n for n in names if not n.isupper()]
    assert constants == sorted(constants)
    classes = [n for n in others if n[0].isupper()]
    functions = [n for n in others if n[0].islower()]
    assert classes == sorted(classes) and functions == sorted(functions)
    assert [name for name in names if not hasattr(gate, name)] == []


def test_public_functions_and_classes_have_docstrings() -> None:
    for name in gate.__all__:
        value = getattr(gate, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert (value.__doc__ or "").strip(), name


def test_the_registry_resolves_quality_gate() -> None:
    workflow = resolve_workflow("quality-gate")
    assert workflow is gate.quality_gate
    assert command_line(workflow).positional == ("path",)
    assert [step.id for step in workflow.steps] == [
        "detect",
        "typecheck",
        "lint",
        "test",
        "security",
        "performance",
        "autofix",
        "agent_fix",
        "report",
        "verdict",
    ]
    assert {step.squad for step in workflow.steps} == {"qa"}
    assert workflow.by_id["autofix"].side_effects and workflow.by_id["agent_fix"].side_effects


def test_errors_pickle_with_their_fields() -> None:
    from pathlib import Path

    error = GateFailedError(42, 80, ["score 42 is under the threshold 80"])
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.score, copy.reasons, str(copy)) == (42, error.reasons, str(error))
    config_error = GateConfigError(Path("devora.toml"), [("threshold", "too high")])
    assert pickle.loads(pickle.dumps(config_error)).problems == (("threshold", "too high"),)
