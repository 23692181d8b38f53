"""bug-resolution's other candidates and endings through the CLI: the coding agent (a
scripted OpenAI-compatible server) fed the tests that rejected its previous attempt, a
person's commit when no model is configured, a dry-run, and a rejected approval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.harness import Devora, assert_one_clear_error, finished_event
from tests.llm.harness import model_env
from tests.llm.scripted_server import Reply, ScriptedServer, openai_reply, scripted_server
from tests.tools.bisect.history import git, user_state
from tests.workflows.bug_resolution.conftest import TEST_ID, make_history, no_model
from tests.workflows.bug_resolution.test_bug_resolution import commit_of, report

pytestmark = pytest.mark.slow

MUL_TEST = "tests/test_mul.py::test_mul"
# The bug is in the root commit: no commit to revert, bisection says it was always there.
ALWAYS_BAD = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n"
FIXED = ALWAYS_BAD.replace("a - b", "a + b")
# Fixes add, breaks mul: FAIL_TO_PASS holds, PASS_TO_PASS does not.
BREAKS_MUL = FIXED.replace("a * b", "a + b")
MUL = "from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n"
REVIEW = json.dumps({"comment": "add adds again; mul untouched", "concerns": []})


def always_bad_history(root: Path) -> Path:
    """A project whose add was wrong from its first commit (12 commits)."""
    first = {"src/calc.py": ALWAYS_BAD, "tests/test_mul.py": MUL}
    return make_history(root, 12, 1, extra={1: first})


def devora_branches(repo: Path) -> list[str]:
    return git(repo, "branch", "--list", "--format=%(refname:short)", "devora/*").split()


def state(repo: Path) -> tuple[object, ...]:
    """The user's state, the devora branches and the worktrees."""
    return (*user_state(repo), devora_branches(repo), git(repo, "worktree", "list", "--porcelain"))


def status(devora: Devora, run_id: str) -> dict[str, Any]:
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert isinstance(shown, dict)
    return shown


def writes(call: str, content: str) -> Reply:
    return openai_reply(
        tool_calls=[(call, "write_file", {"path": "src/calc.py", "content": content})]
    )


def user_messages(server: ScriptedServer, request: int) -> str:
    messages = server.received[request].body["messages"]
    return "\n".join(str(m.get("content")) for m in messages if m["role"] == "user")


def test_the_agent_is_told_which_test_its_first_attempt_broke(
    devora: Devora, tmp_path: Path
) -> None:
    repo = always_bad_history(tmp_path / "repo")
    before = user_state(repo)
    replies = [
        writes("c1", BREAKS_MUL),
        openai_reply("add adds now."),
        writes("c2", FIXED),
        openai_reply("add adds now; mul kept."),
        openai_reply(REVIEW),  # the qa squad's review comment
    ]
    with scripted_server(replies) as server:
        env = no_model() | model_env(server)
        first = devora("run", "bug-resolution", str(repo), "--test", TEST_ID, "--repeat", "2",
                       "--json", timeout=600, **env)  # fmt: skip
        assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
        run_id = finished_event(first)["run_id"]
        approved = devora("approve", run_id, "review", timeout=600, **env)
        assert approved.returncode == 0, approved.stdout[-3000:] + approved.stderr[-3000:]

    assert server.remaining == 0 and len(server.received) == 5
    assert "every commit tried" in user_messages(server, 0)
    assert MUL_TEST not in user_messages(server, 0)
    second = user_messages(server, 2)  # attempt 2's task
    assert "Your previous attempt was rejected" in second and MUL_TEST in second
    data = report(devora, run_id)
    assert data["bisect"]["always_bad"] is True and data["bisect"]["culprit"] is None
    one, two = data["fix"]["candidates"]
    assert (one["label"], two["label"]) == ("agent-1", "agent-2")
    assert one["judgement"]["fail_to_pass_passed"] == 2
    assert one["judgement"]["pass_to_pass_broken"] == {MUL_TEST: "failed"}
    assert MUL_TEST in one["rejected_because"] and two["rejected_because"] is None
    assert data["comment"]["comment"] == json.loads(REVIEW)["comment"]
    branch = f"devora/fix-{run_id}"
    assert git(repo, "show", f"{branch}:src/calc.py") == FIXED
    assert devora_branches(repo) == [branch]
    assert len(git(repo, "worktree", "list").splitlines()) == 1
    assert user_state(repo) == before


def person_commits(repo: Path, tmp_path: Path, content: str) -> str:
    """A person's fix on a branch of their own, made in a worktree of their own."""
    where = tmp_path / "my-fix"
    git(repo, "worktree", "add", "-q", "-b", "my-fix", str(where), "HEAD")
    (where / "src" / "calc.py").write_text(content)
    git(where, "commit", "-q", "-am", "fix add")
    commit = git(where, "rev-parse", "HEAD").strip()
    git(repo, "worktree", "remove", str(where))
    return commit


def waiting_task(devora: Devora, run_id: str, kind: str = "input") -> dict[str, Any]:
    shown = devora("tasks", "--json")
    assert shown.returncode == 0, shown.stderr[-2000:]
    [task] = json.loads(shown.stdout)
    assert (task["run_id"], task["kind"]) == (run_id, kind)
    assert isinstance(task, dict)
    return task


@pytest.mark.parametrize(
    ("content", "accepted"), [(FIXED, True), (BREAKS_MUL, False)], ids=["fixed", "breaks-mul"]
)
def test_without_a_model_a_person_gives_the_fix(
    devora: Devora, tmp_path: Path, content: str, accepted: bool
) -> None:
    repo = always_bad_history(tmp_path / "repo")
    env = no_model()
    first = devora("run", "bug-resolution", str(repo), "--test", TEST_ID, "--repeat", "2",
                   "--json", timeout=600, **env)  # fmt: skip
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
    run_id = finished_event(first)["run_id"]
    task = waiting_task(devora, run_id)
    assert (task["step_id"], task["squad"]) == ("fix_backend", "backend")
    assert TEST_ID in task["prompt"] and "every commit tried" in task["prompt"]
    assert "add" in task["prompt"]  # the localized suspects
    assert task["output_schema"]["required"] == ["commit"]

    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"summary": "no commit given"}))
    refused = devora("complete", run_id, "fix_backend", "--output", str(wrong), timeout=120, **env)
    assert_one_clear_error(refused, "commit")
    assert waiting_task(devora, run_id)["step_id"] == "fix_backend"  # nothing recorded

    before = state(repo)
    answer = tmp_path / "fix.json"
    commit = person_commits(repo, tmp_path, content)
    answer.write_text(json.dumps({"commit": commit, "summary": "add adds"}))
    done = devora("complete", run_id, "fix_backend", "--output", str(answer), timeout=600,
                  **env)  # fmt: skip
    branch = f"devora/fix-{run_id}"
    if not accepted:
        assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
        error = status(devora, run_id)["error"]
        assert "no candidate fix passed" in error["message"] and MUL_TEST in error["message"]
        [human] = report(devora, run_id)["fix"]["candidates"]
        assert human["judgement"]["pass_to_pass_broken"] == {MUL_TEST: "failed"}
        assert state(repo)[:4] == before[:4]  # only the person's own branch is left
        assert devora_branches(repo) == []
        return
    assert done.returncode == 3, done.stdout[-3000:] + done.stderr[-3000:]
    assert waiting_task(devora, run_id, "approval")["step_id"] == "review"
    approved = devora("approve", run_id, "review", timeout=600, **env)
    assert approved.returncode == 0, approved.stdout[-3000:] + approved.stderr[-3000:]
    data = report(devora, run_id)
    [human] = data["fix"]["candidates"]
    assert human["kind"] == "human" and human["summary"] == "add adds"
    evidence = data["evidence"]
    assert evidence["fail_to_pass_passed"] == 2 and evidence["pass_to_pass_broken"] == {}
    assert git(repo, "rev-parse", branch).strip() == commit
    assert devora_branches(repo) == [branch]
    assert len(git(repo, "worktree", "list").splitlines()) == 1


def test_a_dry_run_plans_and_changes_nothing(devora: Devora, tmp_path: Path) -> None:
    repo = make_history(tmp_path / "repo", 30, 20)
    before = (*state(repo), git(repo, "for-each-ref"))
    result = devora("run", "bug-resolution", str(repo), "--test", TEST_ID, "--repeat", "2",
                    "--dry-run", "--json", timeout=600, **no_model())  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    finished = finished_event(result)
    assert finished["data"]["status"] == "succeeded"
    plans = finished["data"]["plans"]
    assert f"revert {commit_of(repo, 20)[:12]}" in json.dumps(plans["fix_backend"])
    assert "review" not in plans  # nothing to review: no fix was made
    assert (*state(repo), git(repo, "for-each-ref")) == before
    assert not list(devora.home.glob("worktrees/*"))


def test_a_rejected_fix_leaves_nothing_behind(devora: Devora, tmp_path: Path) -> None:
    repo = make_history(tmp_path / "repo", 30, 20)
    before = state(repo)
    env = no_model()
    first = devora("run", "bug-resolution", str(repo), "--test", TEST_ID, "--repeat", "2",
                   "--json", timeout=600, **env)  # fmt: skip
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
    run_id = finished_event(first)["run_id"]
    assert devora_branches(repo) == [f"devora/fix-{run_id}-revert"]

    rejected = devora("reject", run_id, "review", "--comment", "not this way", timeout=600,
                      **env)  # fmt: skip
    assert rejected.returncode == 1, rejected.stdout[-3000:] + rejected.stderr[-3000:]
    shown = status(devora, run_id)
    assert shown["status"] == "rolled_back", shown
    assert "not this way" in json.dumps(shown["error"]), shown["error"]
    assert {k: v["status"] for k, v in shown["compensations"].items()} == {
        "fix_backend": "compensated"
    }
    assert state(repo) == before
    assert not list(devora.home.glob("worktrees/*"))


ISSUE = "add(2, 2) gives 0 since the last release; it should give 4.\n"
ISSUE_TEST = "from calc import add\n\n\ndef test_add_two_and_two():\n    assert add(2, 2) == 4\n"


def test_with_a_model_the_agent_writes_the_reproducer_for_an_issue(
    devora: Devora, tmp_path: Path
) -> None:
    repo = make_history(tmp_path / "repo", 30, 20)
    issue = tmp_path / "issue.md"
    issue.write_text(ISSUE)
    before = user_state(repo)
    write_test = {"path": "tests/test_issue.py", "content": ISSUE_TEST}
    replies = [
        openai_reply(tool_calls=[("c1", "write_file", write_test)]),
        openai_reply("tests/test_issue.py fails on add(2, 2)."),
        openai_reply(REVIEW),
    ]
    with scripted_server(replies) as server:
        env = no_model() | model_env(server)
        first = devora("run", "bug-resolution", str(repo), "--issue", str(issue), "--repeat", "2",
                       "--json", timeout=600, **env)  # fmt: skip
        assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
        run_id = finished_event(first)["run_id"]
        assert ISSUE in user_messages(server, 0)
        approved = devora("approve", run_id, "review", timeout=600, **env)
        assert approved.returncode == 0, approved.stdout[-3000:] + approved.stderr[-3000:]

    data = report(devora, run_id)
    assert data["reproduction"]["reproducer"]["test_ids"] == ["tests/test_issue.py"]
    assert data["reproduction"]["status"] == "reproduced"
    assert data["bisect"]["culprit"]["hash"] == commit_of(repo, 20)
    branch = f"devora/fix-{run_id}"
    assert git(repo, "show", f"{branch}:tests/test_issue.py") == ISSUE_TEST
    assert "return a + b" in git(repo, "show", f"{branch}:src/calc.py")
    assert devora_branches(repo) == [branch]
    assert len(git(repo, "worktree", "list").splitlines()) == 1
    assert user_state(repo) == before


def test_without_a_model_a_person_writes_the_reproducer(devora: Devora, tmp_path: Path) -> None:
    repo = make_history(tmp_path / "repo", 30, 20)
    issue = tmp_path / "issue.md"
    issue.write_text(ISSUE)
    env = no_model()
    first = devora("run", "bug-resolution", str(repo), "--issue", str(issue), "--repeat", "2",
                   "--json", timeout=600, **env)  # fmt: skip
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
    run_id = finished_event(first)["run_id"]
    task = waiting_task(devora, run_id)
    assert (task["step_id"], task["squad"]) == ("reproduce", "qa")
    assert ISSUE in task["prompt"]
    assert sorted(task["output_schema"]["required"]) == ["commit", "test"]

    where = tmp_path / "my-test"
    git(repo, "worktree", "add", "-q", "-b", "issue-test", str(where), "HEAD")
    (where / "tests" / "test_issue.py").write_text(ISSUE_TEST)
    git(where, "add", "tests/test_issue.py")
    git(where, "commit", "-q", "-m", "a failing test for the issue")
    commit = git(where, "rev-parse", "HEAD").strip()
    git(repo, "worktree", "remove", str(where))
    answer = tmp_path / "reproducer.json"
    test_id = "tests/test_issue.py::test_add_two_and_two"
    answer.write_text(json.dumps({"commit": commit, "test": [test_id]}))
    done = devora("complete", run_id, "reproduce", "--output", str(answer), timeout=600,
                  **env)  # fmt: skip
    assert done.returncode == 3, done.stdout[-3000:] + done.stderr[-3000:]
    assert waiting_task(devora, run_id, "approval")["step_id"] == "review"
    shown = status(devora, run_id)
    assert shown["steps"]["culprit"]["status"] == "succeeded"
    logs = devora("logs", run_id).stdout
    assert f"pytest {test_id}: reproduced (2 failed, 0 passed)" in logs
    assert "candidate revert: accepted" in logs
