"""feature-development with its agents on a scripted OpenAI-compatible server: the whole
run through the CLI — PRD, plan, design approved, the change, acceptance tests really failing
on the base and passing on the change, the gate, the review, the deploy — and the endings
that must leave nothing behind."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.harness import Devora, finished_event
from tests.llm.harness import model_env
from tests.llm.scripted_server import Reply, ScriptedServer, openai_reply, scripted_server
from tests.tools.bisect.history import git, user_state
from tests.workflows.feature_development.conftest import (
    ACCEPTANCE,
    ACCEPTANCE_FILE,
    CART_WITH_DISCOUNT,
    REQUEST,
    make_project,
    no_model,
    scripted_feature,
    writes,
)

pytestmark = pytest.mark.slow

DEPLOY = (
    "import sys, pathlib\n"
    "pathlib.Path(sys.argv[1]).write_text(' '.join(sys.argv[2:]) + '\\n')\n"
    "sys.exit(0 if 'fail' not in sys.argv else 1)\n"
)


def deploy_config(marker: Path, check: str = "ok") -> str:
    py = json.dumps(sys.executable)
    return (
        "[feature_development.deploy]\n"
        f'staging = [{py}, "deploy.py", "{marker}", "deployed", "{{branch}}", "{{environment}}"]\n'
        "[feature_development.check]\n"
        f'staging = [{py}, "deploy.py", "{marker}.check", "{check}"]\n'
        "[feature_development.rollback]\n"
        f'staging = [{py}, "deploy.py", "{marker}", "rolled", "back"]\n'
    )


def devora_branches(repo: Path) -> list[str]:
    return git(repo, "branch", "--list", "--format=%(refname:short)", "devora/*").split()


def artifacts(devora: Devora, run_id: str) -> dict[str, Path]:
    folder = devora.home / "artifacts" / run_id
    return {path.name: path for path in folder.iterdir()} if folder.is_dir() else {}


def status(devora: Devora, run_id: str) -> dict[str, Any]:
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert isinstance(shown, dict)
    return shown


CHEAT = "def total(prices, discount=0):\n    return 10\n"  # makes AC1 pass, breaks the rest


def cheating_tests(times: int) -> list[Reply]:
    """The qa agent's attempts, each changing the code under test beside its tests; then
    (when it is asked again) tests alone."""
    replies = scripted_feature()[:5]
    for attempt in range(times):
        replies += [writes(f"t{attempt}", ACCEPTANCE_FILE, ACCEPTANCE),
                    writes(f"x{attempt}", "src/shop/cart.py", CHEAT),
                    openai_reply("tests pass now.")]  # fmt: skip
    return replies + scripted_feature()[5:]


def qa_prompts(server: ScriptedServer) -> list[str]:
    """The opening of each conversation of the qa agent, in order (turns repeat it)."""
    asked = [json.dumps(r.body["messages"][:2]) for r in server.received]
    return list(dict.fromkeys(a for a in asked if "Write the acceptance tests" in a))


def test_request_to_deployed_feature(devora: Devora, tmp_path: Path) -> None:
    marker = tmp_path / "deployed.txt"
    repo = make_project(tmp_path / "shop", deploy_config(marker), {"deploy.py": DEPLOY})
    request = tmp_path / "request.md"
    request.write_text(REQUEST)
    before = user_state(repo)
    # The qa agent's first attempt also changes cart.py: refused, undone, asked again.
    with scripted_server(cheating_tests(1)) as server:
        env = no_model() | model_env(server)
        first = devora("run", "feature-development", str(repo), "--request", str(request),
                       "--json", timeout=600, **env)  # fmt: skip
        assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
        run_id = finished_event(first)["run_id"]
        made = artifacts(devora, run_id)
        assert {"PRD.md", "plan.md", "design.md"} <= set(made)
        prd = made["PRD.md"].read_text()
        assert "- **AC1**\n  - Given prices 10 and 10\n  - When a 50% discount" in prd
        assert not devora_branches(repo)  # no code before the design is approved
        steps = [devora("approve", run_id, s, timeout=900, **env) for s in ("approve_design",)]
        assert steps[0].returncode == 3, steps[0].stdout[-3000:] + steps[0].stderr[-3000:]
        reviewed = devora("approve", run_id, "review", timeout=600, **env)
        assert reviewed.returncode == 3, reviewed.stdout[-3000:] + reviewed.stderr[-3000:]
        assert not marker.exists()  # the deploy waits for devops
        deployed = devora("approve", run_id, "deploy", timeout=600, **env)
        assert deployed.returncode == 0, deployed.stdout[-3000:] + deployed.stderr[-3000:]
    assert server.remaining == 0
    # The analyze prompt carries the request and the repository map.
    analyze_prompt = json.dumps(server.received[0].body["messages"])
    assert "takes a percentage off" in analyze_prompt and "def total(prices)" in analyze_prompt
    branch = f"devora/feature-{run_id}"
    assert marker.read_text() == f"deployed {branch} staging\n"
    assert Path(f"{marker}.check").read_text() == "ok\n"
    assert git(repo, "show", f"{branch}:src/shop/cart.py") == CART_WITH_DISCOUNT  # not CHEAT
    [_, again] = qa_prompts(server)
    assert "Your previous attempt was refused and undone" in again
    assert "change 1 file(s) that are not tests" in again and "src/shop/cart.py" in again
    assert devora_branches(repo) == [branch]
    assert len(git(repo, "worktree", "list").splitlines()) == 1
    assert user_state(repo) == before
    made = artifacts(devora, run_id)
    report = json.loads(made["test-report.json"].read_text())
    rows = {c["criterion"]: c for c in report["criteria"]}
    ac1 = f"{ACCEPTANCE_FILE}::test_ac1_discount_applied"
    assert rows["AC1"]["tests"] == [ac1]
    assert rows["AC1"]["before"][ac1] == "failed" and rows["AC1"]["after"][ac1] == "passed"
    assert report["broken"] == [] and report["baseline"]["passed"] == [
        "tests/test_cart.py::test_total"
    ]
    assert "src/shop/cart.py" in made["feature.patch"].read_text()
    assert "gate.json" in made
    outputs = status(devora, run_id)["outputs"]
    assert outputs["proven"] is True and outputs["deploy"] == "deployed to staging"
    assert outputs["branch"] == branch


def test_a_failing_check_after_the_deploy_rolls_it_back(devora: Devora, tmp_path: Path) -> None:
    marker = tmp_path / "deployed.txt"
    config = deploy_config(marker, check="fail")
    repo = make_project(tmp_path / "shop", config, {"deploy.py": DEPLOY})
    before = user_state(repo)
    with scripted_server(scripted_feature()) as server:
        env = no_model() | model_env(server)
        first = devora("run", "feature-development", str(repo), "--request", REQUEST,
                       "--json", timeout=600, **env)  # fmt: skip
        run_id = finished_event(first)["run_id"]
        for step in ("approve_design", "review"):
            assert devora("approve", run_id, step, timeout=900, **env).returncode == 3
        done = devora("approve", run_id, "deploy", timeout=600, **env)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    shown = status(devora, run_id)
    assert shown["status"] == "rolled_back"
    assert "the check command exited 1" in shown["error"]["message"]
    assert marker.read_text() == "rolled back\n"  # the deploy's compensation ran
    assert devora_branches(repo) == [] and len(git(repo, "worktree", "list").splitlines()) == 1
    assert user_state(repo) == before


def test_a_test_that_already_passes_on_the_base_proves_nothing(
    devora: Devora, tmp_path: Path
) -> None:
    repo = make_project(tmp_path / "shop")
    before = user_state(repo)
    proves_nothing = (
        "from shop.cart import total\n\n\ndef test_ac1_total():\n    assert total([10]) == 10\n"
        "\n\ndef test_ac2_total():\n    assert total([]) == 0\n"
    )
    with scripted_server(scripted_feature(proves_nothing)) as server:
        env = no_model() | model_env(server)
        first = devora("run", "feature-development", str(repo), "--request", REQUEST,
                       "--json", timeout=600, **env)  # fmt: skip
        run_id = finished_event(first)["run_id"]
        done = devora("approve", run_id, "approve_design", timeout=900, **env)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    shown = status(devora, run_id)
    assert shown["status"] == "rolled_back" and shown["steps"]["test"]["status"] == "failed"
    assert "AC1: before" in shown["error"]["message"]
    report = artifacts(devora, run_id)["test-report.md"].read_text()
    assert "| AC1 | `tests/test_discount.py::test_ac1_total` | passed | passed | no |" in report
    assert "verdict: not proven" in report
    assert devora_branches(repo) == [] and len(git(repo, "worktree", "list").splitlines()) == 1
    assert user_state(repo) == before


def test_tests_that_change_the_code_twice_are_refused(devora: Devora, tmp_path: Path) -> None:
    repo = make_project(tmp_path / "shop")
    before = user_state(repo)
    with scripted_server(cheating_tests(2)[:-2]) as server:
        env = no_model() | model_env(server)
        first = devora("run", "feature-development", str(repo), "--request", REQUEST,
                       "--json", timeout=600, **env)  # fmt: skip
        run_id = finished_event(first)["run_id"]
        done = devora("approve", run_id, "approve_design", timeout=900, **env)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert server.remaining == 0 and len(qa_prompts(server)) == 2
    shown = status(devora, run_id)
    assert shown["status"] == "rolled_back" and shown["steps"]["test"]["status"] == "failed"
    error = shown["error"]
    assert error["type"].endswith("._test_scope.OutsideTestsError"), error
    assert "by the qa agent change 1 file(s) that are not tests" in error["message"]
    assert error["message"].endswith(": src/shop/cart.py") and "test files" in error["hint"]
    assert "test-report.md" not in artifacts(devora, run_id)  # nothing was run as proof
    assert devora_branches(repo) == [] and len(git(repo, "worktree", "list").splitlines()) == 1
    assert user_state(repo) == before


def test_a_dry_run_shows_the_plan_and_changes_nothing(devora: Devora, tmp_path: Path) -> None:
    marker = tmp_path / "deployed.txt"
    repo = make_project(tmp_path / "shop", deploy_config(marker), {"deploy.py": DEPLOY})
    before = (*user_state(repo), git(repo, "for-each-ref"))
    with scripted_server(scripted_feature()[:3]) as server:
        env = no_model() | model_env(server)
        result = devora("run", "feature-development", str(repo), "--request", REQUEST,
                        "--dry-run", "--json", timeout=600, **env)  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    finished = finished_event(result)
    assert finished["data"]["status"] == "succeeded"
    planned = json.dumps(finished["data"]["plans"]["implement"])
    run_id = finished["run_id"]
    assert f"devora/feature-{run_id}" in planned
    assert "deploy to staging:" in planned and "deployed {branch} {environment}" in planned
    assert "roll back staging:" in planned and "rolled back" in planned  # its compensation
    assert (*user_state(repo), git(repo, "for-each-ref")) == before
    assert not marker.exists() and not list(devora.home.glob("worktrees/*"))


def test_a_rejected_review_removes_the_branch(devora: Devora, tmp_path: Path) -> None:
    repo = make_project(tmp_path / "shop")
    before = user_state(repo)
    with scripted_server(scripted_feature()) as server:
        env = no_model() | model_env(server)
        first = devora("run", "feature-development", str(repo), "--request", REQUEST,
                       "--json", timeout=600, **env)  # fmt: skip
        run_id = finished_event(first)["run_id"]
        assert devora("approve", run_id, "approve_design", timeout=900, **env).returncode == 3
        assert devora_branches(repo) == [f"devora/feature-{run_id}"]
        rejected = devora("reject", run_id, "review", "--comment", "not this way",
                          timeout=600, **env)  # fmt: skip
    assert rejected.returncode == 1, rejected.stdout[-3000:] + rejected.stderr[-3000:]
    assert status(devora, run_id)["status"] == "rolled_back"
    assert devora_branches(repo) == [] and len(git(repo, "worktree", "list").splitlines()) == 1
    assert user_state(repo) == before
