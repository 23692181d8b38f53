"""feature-development without a model: every agent step is a task for a person, answered
with `devora complete` (validated against its schema), through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.harness import Devora, assert_one_clear_error, finished_event
from tests.tools.bisect.history import git, user_state
from tests.workflows.feature_development.conftest import (
    ACCEPTANCE,
    ACCEPTANCE_FILE,
    CART_WITH_DISCOUNT,
    DESIGN,
    PLAN,
    PRD,
    REQUEST,
    make_project,
    no_model,
)

pytestmark = pytest.mark.slow


def waiting(devora: Devora, run_id: str) -> dict[str, Any]:
    shown = devora("tasks", "--json")
    assert shown.returncode == 0, shown.stderr[-2000:]
    [task] = json.loads(shown.stdout)
    assert task["run_id"] == run_id
    assert isinstance(task, dict)
    return task


def complete(devora: Devora, tmp_path: Path, run_id: str, step: str, payload: Any) -> Any:
    file = tmp_path / f"{step}.json"
    file.write_text(json.dumps(payload))
    return devora("complete", run_id, step, "--output", str(file), timeout=900, **no_model())


def commit_in_own_worktree(repo: Path, where: Path, start: str, files: dict[str, str]) -> str:
    """A person's commit on a branch of their own, started at `start`."""
    git(repo, "worktree", "add", "-q", "-b", where.name, str(where), start)
    for name, text in files.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_text(text)
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", where.name)
    commit = git(where, "rev-parse", "HEAD").strip()
    git(repo, "worktree", "remove", str(where))
    return commit


def test_a_chain_of_people_produces_the_same_artifacts(devora: Devora, tmp_path: Path) -> None:
    repo = make_project(tmp_path / "shop")
    env = no_model()
    first = devora("run", "feature-development", str(repo), "--request", REQUEST, "--json",
                   timeout=600, **env)  # fmt: skip
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
    run_id = finished_event(first)["run_id"]
    task = waiting(devora, run_id)
    assert (task["step_id"], task["squad"], task["kind"]) == ("analyze", "business", "input")
    assert "takes a percentage off" in task["prompt"] and "DEVORA_MODEL" in task["prompt"]
    assert "acceptance_criteria" in task["output_schema"]["required"]

    no_criteria = {k: v for k, v in PRD.items() if k != "acceptance_criteria"}
    refused = complete(devora, tmp_path, run_id, "analyze", no_criteria)
    assert_one_clear_error(refused, "acceptance_criteria")
    assert waiting(devora, run_id)["step_id"] == "analyze"  # nothing recorded

    for step, payload in (("analyze", PRD), ("plan", PLAN), ("design_api", DESIGN)):
        done = complete(devora, tmp_path, run_id, step, payload)
        assert done.returncode == 3, done.stdout[-3000:] + done.stderr[-3000:]
    assert waiting(devora, run_id)["kind"] == "approval"
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert shown["steps"]["design_ui"]["status"] == "succeeded"  # not needed: said why
    design_md = (devora.home / "artifacts" / run_id / "design.md").read_text()
    assert "## Components (frontend)\n\n- not needed: no front end: no UI package" in design_md
    approved = devora("approve", run_id, "approve_design", timeout=600, **env)
    assert approved.returncode == 3, approved.stdout[-3000:] + approved.stderr[-3000:]
    task = waiting(devora, run_id)
    assert (task["step_id"], task["squad"]) == ("implement", "backend")

    base = git(repo, "rev-parse", "HEAD").strip()
    change = commit_in_own_worktree(repo, tmp_path / "my-feature", base,
                                    {"src/shop/cart.py": CART_WITH_DISCOUNT})  # fmt: skip
    done = complete(devora, tmp_path, run_id, "implement", {"commit": change, "summary": "x"})
    assert done.returncode == 3, done.stdout[-3000:] + done.stderr[-3000:]
    task = waiting(devora, run_id)
    assert (task["step_id"], task["squad"]) == ("test", "qa")
    assert "test_ac1" in task["prompt"]

    branch = f"devora/feature-{run_id}"
    tests = commit_in_own_worktree(repo, tmp_path / "my-tests", branch,
                                   {ACCEPTANCE_FILE: ACCEPTANCE})  # fmt: skip
    mapping = {"AC1": [f"{ACCEPTANCE_FILE}::test_ac1_discount_applied"],
               "AC2": [f"{ACCEPTANCE_FILE}::test_ac2_discount_out_of_range"]}  # fmt: skip
    done = complete(devora, tmp_path, run_id, "test", {"commit": tests, "tests": mapping})
    assert done.returncode == 3, done.stdout[-3000:] + done.stderr[-3000:]
    task = waiting(devora, run_id)
    assert (task["step_id"], task["kind"]) == ("review", "approval")
    kept = devora("approve", run_id, "review", timeout=600, **env)
    assert kept.returncode == 0, kept.stdout[-3000:] + kept.stderr[-3000:]

    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert shown["outputs"]["proven"] is True
    assert shown["outputs"]["deploy"] == "not run: no deploy command configured for staging"
    assert shown["steps"]["deploy"]["status"] == "skipped"
    assert git(repo, "rev-parse", branch).strip() == tests
    folder = devora.home / "artifacts" / run_id
    names = {p.name for p in folder.iterdir()}
    assert {"PRD.md", "plan.md", "design.md", "test-report.md", "feature.patch", "gate.json",
            "migration-check.json"} <= names  # fmt: skip
    report = json.loads((folder / "test-report.json").read_text())
    assert all(c["before"][t] == "failed" and c["after"][t] == "passed"
               for c in report["criteria"] for t in c["tests"])  # fmt: skip
    assert user_state(repo)[2].strip() == base


def test_a_persons_commit_not_built_on_the_base_is_refused(devora: Devora, tmp_path: Path) -> None:
    repo = make_project(tmp_path / "shop")
    first = devora("run", "feature-development", str(repo), "--request", REQUEST, "--json",
                   timeout=600, **no_model())  # fmt: skip
    run_id = finished_event(first)["run_id"]
    for step, payload in (("analyze", PRD), ("plan", PLAN), ("design_api", DESIGN)):
        assert complete(devora, tmp_path, run_id, step, payload).returncode == 3
    assert devora("approve", run_id, "approve_design", timeout=600, **no_model()).returncode == 3
    git(repo, "checkout", "-q", "--orphan", "elsewhere")
    git(repo, "commit", "-q", "-m", "unrelated")
    stranger = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "main")
    done = complete(devora, tmp_path, run_id, "implement", {"commit": stranger})
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert "does not descend from the run's base" in shown["error"]["message"]
    assert git(repo, "branch", "--list", "devora/*") == ""


def test_a_persons_tests_that_change_the_code_under_test_are_refused_naming_the_files(
    devora: Devora, tmp_path: Path
) -> None:
    repo = make_project(tmp_path / "shop")
    env = no_model()
    first = devora("run", "feature-development", str(repo), "--request", REQUEST, "--json",
                   timeout=600, **env)  # fmt: skip
    run_id = finished_event(first)["run_id"]
    for step, payload in (("analyze", PRD), ("plan", PLAN), ("design_api", DESIGN)):
        assert complete(devora, tmp_path, run_id, step, payload).returncode == 3
    assert devora("approve", run_id, "approve_design", timeout=600, **env).returncode == 3
    base = git(repo, "rev-parse", "HEAD").strip()
    before = user_state(repo)
    change = commit_in_own_worktree(repo, tmp_path / "my-feature", base,
                                    {"src/shop/cart.py": CART_WITH_DISCOUNT})  # fmt: skip
    assert complete(devora, tmp_path, run_id, "implement", {"commit": change}).returncode == 3
    assert waiting(devora, run_id)["step_id"] == "test"

    # The tests come with an edit of the code under test and of the project's configuration.
    branch = f"devora/feature-{run_id}"
    tests = commit_in_own_worktree(repo, tmp_path / "my-tests", branch, {
        ACCEPTANCE_FILE: ACCEPTANCE,
        "src/shop/cart.py": CART_WITH_DISCOUNT + "\n\nEXTRA = 1\n",
        "pyproject.toml": '[project]\nname = "shop"\nversion = "0.2"\n',
    })  # fmt: skip
    mapping = {"AC1": [f"{ACCEPTANCE_FILE}::test_ac1_discount_applied"],
               "AC2": [f"{ACCEPTANCE_FILE}::test_ac2_discount_out_of_range"]}  # fmt: skip
    done = complete(devora, tmp_path, run_id, "test", {"commit": tests, "tests": mapping})

    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert shown["status"] in ("failed", "rolled_back"), shown["status"]
    assert shown["steps"]["test"]["status"] == "failed"
    assert "review" not in shown["steps"]  # never reached
    message = shown["error"]["message"]
    assert shown["error"]["step"] == "test"
    assert "the acceptance tests by a person change 2 file(s) that are not tests" in message
    assert f"(at {tests[:12]})" in message
    assert message.endswith("pyproject.toml, src/shop/cart.py"), message
    assert ACCEPTANCE_FILE not in message
    assert "test step may only add or change test files" in shown["error"]["hint"]
    assert not (devora.home / "artifacts" / run_id / "test-report.md").exists()  # not run
    assert user_state(repo) == before  # the person's repository is as it was
    assert git(repo, "branch", "--list", "devora/*") == ""  # rolled back: the branch is gone
    assert git(repo, "rev-parse", "my-tests").strip() == tests  # the person's own commit stays
