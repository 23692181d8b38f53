"""The migration package's public names, and the workflow's shape as issue 5 describes it."""

from __future__ import annotations

import devora.workflows.migration as package
from devora.workflows import resolve_workflow


def test_public_names_are_sorted_unique_and_defined() -> None:
    names = package.__all__
    assert names == sorted(names) and len(set(names)) == len(names)
    assert [name for name in names if not hasattr(package, name)] == []


def test_the_built_in_name_resolves_to_the_steps_and_the_rollback() -> None:
    workflow = resolve_workflow("migration")
    assert workflow is package.migration
    assert [step.id for step in workflow.steps] == [
        "analyze",
        "backup",
        "dry_run",
        "apply",
        "verify",
    ]
    assert {step.squad for step in workflow.steps} == {"data", "devops"}
    apply = workflow.step("apply")
    assert apply.compensate is not None  # the rollback: downgrade or restore
    assert [s.id for s in workflow.steps if s.side_effects] == ["backup", "dry_run", "apply"]
