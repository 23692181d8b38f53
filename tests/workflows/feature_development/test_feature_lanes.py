"""feature-development's implement step with backend and frontend tasks: two lanes on
branches of their own, in parallel, merged into the run's branch; a conflict becomes a task
for a person; and a crash between two tasks resumes without re-running the finished one."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.cli.harness import Devora, finished_event
from tests.llm.harness import model_env
from tests.llm.scripted_server import Reply, openai_reply
from tests.tools.bisect.history import git, user_state
from tests.workflows.feature_development.conftest import (
    ACCEPTANCE,
    ACCEPTANCE_FILE,
    CART_WITH_DISCOUNT,
    DESIGN,
    PLAN,
    PRD,
    REQUEST,
    UI_DESIGN,
    UI_MARKER,
    RoutedServer,
    answer,
    make_project,
    no_model,
    routed_server,
    writes,
)

pytestmark = pytest.mark.slow

VIEW = 'def label(amount):\n    return f"{amount:.2f} EUR"\n'
# The frontend's take on the same lines of cart.py as the backend's discount.
CART_ROUNDED = "def total(prices, discount=0):\n    return round(sum(prices), 2)\n"
LANES = {
    "tasks": [
        {"id": "B1", "title": "discount parameter", "squad": "backend",
         "files": ["src/shop/cart.py"], "depends_on": []},
        {"id": "F1", "title": "price label", "squad": "frontend",
         "files": ["src/shop/view.py"], "depends_on": []},
    ]
}  # fmt: skip


@contextmanager
def routed(
    replies: list[Reply], lanes: dict[str, list[Reply]], *, ui: bool = True
) -> Iterator[RoutedServer]:
    """Each lane's coding agent answered from its own script (found by its task's id), and
    the UI design (asked in parallel with the API's) from its own when the plan needs one."""
    routes = {f"Implement task {task} ": script for task, script in lanes.items()}
    if ui:
        routes[UI_MARKER] = [answer(UI_DESIGN)]
    with routed_server(replies, routes) as server:
        yield server


def lane_script(call: str, path: str, content: str) -> list[Reply]:
    return [writes(call, path, content), openai_reply(f"{path} written; the tests pass.")]


def documents(plan: dict[str, Any]) -> list[Reply]:
    return [answer(PRD), answer(plan), answer(DESIGN)]


def qa_tests() -> list[Reply]:
    return [writes("q1", ACCEPTANCE_FILE, ACCEPTANCE), openai_reply("one test per criterion.")]


def waiting_step(devora: Devora) -> str:
    [task] = json.loads(devora("tasks", "--json").stdout)
    return str(task["step_id"])


def git_exit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                          cwd=repo, capture_output=True, text=True, check=False)  # fmt: skip


def branches(repo: Path) -> list[str]:
    return git(repo, "branch", "--list", "--format=%(refname:short)", "devora/*").split()


def status(devora: Devora, run_id: str) -> dict[str, Any]:
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert isinstance(shown, dict)
    return shown


def started(devora: Devora, repo: Path, env: dict[str, str]) -> str:
    first = devora("run", "feature-development", str(repo), "--request", REQUEST, "--json",
                   timeout=600, **env)  # fmt: skip
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
    return str(finished_event(first)["run_id"])


def step_logs(devora: Devora, run_id: str) -> str:
    shown = devora("logs", run_id, "--json")
    return "\n".join(
        str(json.loads(line).get("message")) for line in shown.stdout.splitlines() if line
    )


def test_backend_and_frontend_lanes_are_merged(devora: Devora, tmp_path: Path) -> None:
    repo = make_project(tmp_path / "shop")
    before = user_state(repo)
    lanes = {"B1": lane_script("b1", "src/shop/cart.py", CART_WITH_DISCOUNT),
             "F1": lane_script("f1", "src/shop/view.py", VIEW)}  # fmt: skip
    with routed(documents(LANES) + qa_tests(), lanes) as server:
        env = no_model() | model_env(server)
        run_id = started(devora, repo, env)
        approved = devora("approve", run_id, "approve_design", timeout=900, **env)
        assert approved.returncode == 3, approved.stdout[-3000:] + approved.stderr[-3000:]
        assert waiting_step(devora) == "review"
        lane_branches = [f"devora/feature-{run_id}-backend", f"devora/feature-{run_id}-frontend"]
        assert sorted(branches(repo)) == sorted([f"devora/feature-{run_id}", *lane_branches])
        kept = devora("approve", run_id, "review", timeout=600, **env)
        assert kept.returncode == 0, kept.stdout[-3000:] + kept.stderr[-3000:]
    assert server.remaining == 0
    branch = f"devora/feature-{run_id}"
    assert git(repo, "show", f"{branch}:src/shop/cart.py") == CART_WITH_DISCOUNT
    assert git(repo, "show", f"{branch}:src/shop/view.py") == VIEW
    parents = git(repo, "log", "--merges", "--format=%s", branch).splitlines()
    assert parents == [f"merge feature-{run_id}-frontend", f"merge feature-{run_id}-backend"]
    logs = step_logs(devora, run_id)
    assert f"in parallel: backend on {lane_branches[0]}, frontend on {lane_branches[1]}" in logs
    assert f"merged {lane_branches[0]}, {lane_branches[1]}: passed: 1 passed, 0 failed" in logs
    assert branches(repo) == [branch]  # the lanes went with the review
    assert len(git(repo, "worktree", "list").splitlines()) == 1
    assert user_state(repo) == before


def test_a_merge_conflict_is_a_task_for_a_person(devora: Devora, tmp_path: Path) -> None:
    repo = make_project(tmp_path / "shop")
    lanes = {"B1": lane_script("b1", "src/shop/cart.py", CART_WITH_DISCOUNT),
             "F1": lane_script("f1", "src/shop/cart.py", CART_ROUNDED)}  # fmt: skip
    with routed(documents(LANES) + qa_tests(), lanes) as server:
        env = no_model() | model_env(server)
        run_id = started(devora, repo, env)
        waits = devora("approve", run_id, "approve_design", timeout=900, **env)
        assert waits.returncode == 3, waits.stdout[-3000:] + waits.stderr[-3000:]
        [task] = json.loads(devora("tasks", "--json").stdout)
        assert (task["step_id"], task["kind"]) == ("implement", "input")
        assert "conflicts in: src/shop/cart.py" in task["prompt"]
        assert "does not pick a side" in task["prompt"]
        branch = f"devora/feature-{run_id}"
        # Nothing was picked: the run's branch holds no version of the conflicting lines.
        assert git(repo, "show", f"{branch}:src/shop/cart.py") != CART_ROUNDED
        git(repo, "switch", "-q", "-c", "my-merge", f"{branch}-backend")
        merged = git_exit(repo, "merge", f"{branch}-frontend")
        assert merged.returncode == 1 and "CONFLICT" in merged.stdout
        (repo / "src/shop/cart.py").write_text(CART_WITH_DISCOUNT)
        git(repo, "commit", "-q", "-am", "resolved")
        resolution = git(repo, "rev-parse", "HEAD").strip()
        git(repo, "switch", "-q", "main")
        file = tmp_path / "merge.json"
        file.write_text(json.dumps({"commit": resolution}))
        done = devora("complete", run_id, "implement", "--output", str(file), timeout=900, **env)
        assert done.returncode == 3, done.stdout[-3000:] + done.stderr[-3000:]
    assert server.remaining == 0
    assert waiting_step(devora) == "review"
    assert git_exit(repo, "merge-base", "--is-ancestor", resolution, branch).returncode == 0
    assert git(repo, "show", f"{branch}:src/shop/cart.py") == CART_WITH_DISCOUNT
    assert "a person merged the lanes" in step_logs(devora, run_id)


def test_a_crash_between_tasks_resumes_at_the_unfinished_one(
    devora: Devora, tmp_path: Path
) -> None:
    repo = make_project(tmp_path / "shop")
    two = {"tasks": [PLAN["tasks"][0] | {"id": "B1"},
                     {"id": "B2", "title": "document it", "squad": "backend",
                      "files": ["README.md"], "depends_on": ["B1"]}]}  # fmt: skip
    lanes = {"B1": lane_script("b1", "src/shop/cart.py", CART_WITH_DISCOUNT),
             "B2": lane_script("b2", "README.md", "total(prices, discount)\n")}  # fmt: skip
    with routed(documents(two) + qa_tests(), lanes, ui=False) as server:
        env = no_model() | model_env(server)
        run_id = started(devora, repo, env)
        crashed = devora("approve", run_id, "approve_design", timeout=900,
                         DEVORA_CRASH_AT="in_step:implement.B2", **env)  # fmt: skip
        assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-3000:]
        assert status(devora, run_id)["status"] == "running"
        b1_asked = len(server.received)
        resumed = devora("resume", run_id, "--json", timeout=900, **env)
        assert resumed.returncode == 3, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert server.remaining == 0
    later = [json.dumps(r.body["messages"][:2]) for r in server.received[b1_asked:]]
    assert not any("Implement task B1 " in opening for opening in later)  # not run again
    assert any("Implement task B2 " in opening for opening in later)
    logs = step_logs(devora, run_id)
    assert "task B1 (backend): done before at" in logs and "(recorded before)" in logs
    branch = f"devora/feature-{run_id}"
    assert git(repo, "show", f"{branch}:src/shop/cart.py") == CART_WITH_DISCOUNT
    assert git(repo, "show", f"{branch}:README.md") == "total(prices, discount)\n"
    subjects = git(repo, "log", "--format=%s", f"main..{branch}").splitlines()
    assert len(subjects) == 3, subjects  # B1, B2, the acceptance tests: nothing done twice
