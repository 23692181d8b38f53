"""Bad inputs to feature-development: one clear error, exit 2, and no run recorded; the
documents' validation and the request parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from devora.workflows.feature_development import FeaturePlan, Prd
from devora.workflows.feature_development._inputs import read_request
from tests.cli.harness import Devora, assert_one_clear_error, no_runs
from tests.tools.bisect.history import git
from tests.workflows.feature_development.conftest import PRD, REQUEST, make_project, no_model


def run(devora: Devora, *args: str) -> object:
    return devora("run", "feature-development", *args, timeout=120, **no_model())


def test_a_request_file_that_does_not_exist(devora: Devora, tmp_path: Path) -> None:
    repo = make_project(tmp_path / "shop")
    result = run(devora, str(repo), "--request", str(tmp_path / "missing.md"))
    assert_one_clear_error(result, "request", "missing.md does not exist")
    assert no_runs(devora)


def test_an_empty_request(devora: Devora, tmp_path: Path) -> None:
    repo = make_project(tmp_path / "shop")
    (tmp_path / "empty.md").write_text("  \n")
    assert_one_clear_error(run(devora, str(repo), "--request", str(tmp_path / "empty.md")),
                           "request", "is empty")  # fmt: skip
    assert_one_clear_error(run(devora, str(repo), "--request", " "), "request", "empty")
    assert no_runs(devora)


def test_a_folder_that_is_not_a_git_repository(devora: Devora, tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    result = run(devora, str(tmp_path / "plain"), "--request", REQUEST)
    assert_one_clear_error(result, "not a git repository")
    assert no_runs(devora)


def test_a_folder_inside_the_repository(devora: Devora, tmp_path: Path) -> None:
    repo = make_project(tmp_path / "shop")
    result = run(devora, str(repo / "src"), "--request", REQUEST)
    assert_one_clear_error(result, "not its root", f"feature-development {repo}")
    assert no_runs(devora)


def test_a_repository_without_a_commit(devora: Devora, tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    git(tmp_path / "new", "init", "-q")
    assert_one_clear_error(run(devora, str(tmp_path / "new"), "--request", REQUEST),
                           "has no commit yet")  # fmt: skip
    assert no_runs(devora)


def test_an_environment_without_a_deploy_command(devora: Devora, tmp_path: Path) -> None:
    config = '[feature_development.deploy]\nstaging = ["true"]\nqa = ["true"]\n'
    repo = make_project(tmp_path / "shop", config)
    result = run(devora, str(repo), "--request", REQUEST, "--environment", "production")
    assert_one_clear_error(result, "'production' has no deploy command", "qa, staging")
    assert no_runs(devora)


def test_a_deploy_command_that_is_not_a_list(devora: Devora, tmp_path: Path) -> None:
    repo = make_project(tmp_path / "shop", '[feature_development.deploy]\nstaging = "make"\n')
    result = run(devora, str(repo), "--request", REQUEST)
    assert_one_clear_error(result, "devora.toml", "deploy.staging")
    assert no_runs(devora)


def test_documents_are_validated() -> None:
    Prd.model_validate(PRD)
    twice = dict(PRD, acceptance_criteria=[PRD["acceptance_criteria"][0]] * 2)  # type: ignore[index]
    with pytest.raises(ValidationError, match="ids repeat: ac1"):
        Prd.model_validate(twice)
    clash = json.loads(json.dumps(PRD))
    clash["acceptance_criteria"][1]["id"] = "AC1_b"
    with pytest.raises(ValidationError, match="clash"):
        Prd.model_validate(clash)
    task = {"title": "t", "squad": "backend"}
    with pytest.raises(ValidationError, match="unknown task"):
        FeaturePlan.model_validate({"tasks": [dict(task, id="a", depends_on=["b"])]})
    with pytest.raises(ValidationError, match="cycle: a, b"):
        FeaturePlan.model_validate({"tasks": [dict(task, id="a", depends_on=["b"]),
                                              dict(task, id="b", depends_on=["a"])]})  # fmt: skip
    with pytest.raises(ValidationError, match="squad"):
        FeaturePlan.model_validate({"tasks": [dict(task, id="a", squad="marketing")]})


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 7), max_size=3), min_size=1, max_size=8))
def test_the_plan_orders_tasks_after_what_they_need(needs: list[list[int]]) -> None:
    # Task i may only need earlier tasks (a DAG); given shuffled, they come out in order.
    tasks = [{"id": f"t{i}", "title": "x", "squad": "backend",
              "depends_on": sorted({f"t{n % i}" for n in wanted} if i else set())}
             for i, wanted in enumerate(needs)]  # fmt: skip
    ordered = FeaturePlan.model_validate({"tasks": list(reversed(tasks))}).ordered()
    seen: set[str] = set()
    for task in ordered:
        assert set(task.depends_on) <= seen
        seen.add(task.id)
    assert len(ordered) == len(tasks)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
@example("~0")  # no such user: expanduser() raised RuntimeError (found by this test)
@example("~nosuchuser/request.md")
def test_a_request_is_text_or_a_clear_refusal(text: str) -> None:
    try:
        read = read_request(text)
    except ValueError as error:
        assert "request" in str(error)
    else:
        assert read and read == read.strip()
