"""The release package's public names, and the workflow's shape as issue 5 describes it."""

from __future__ import annotations

import devora.workflows.release as package
from devora.workflows import command_line, resolve_workflow


def test_public_names_are_sorted_unique_and_defined() -> None:
    names = package.__all__
    assert names == sorted(names) and len(set(names)) == len(names)
    assert [name for name in names if not hasattr(package, name)] == []


def test_the_built_in_name_resolves_to_six_steps_owned_by_the_named_squads() -> None:
    workflow = resolve_workflow("release")
    assert workflow is package.release
    assert [step.id for step in workflow.steps] == [
        "validate",
        "version",
        "changelog",
        "quality",
        "tag",
        "publish",
    ]
    assert {step.squad for step in workflow.steps} == {"qa", "documentation", "devops"}
    undone = {step.id for step in workflow.steps if step.compensate is not None}
    assert undone == {"changelog", "tag", "publish"}
    assert command_line(workflow).positional == ("path",)
