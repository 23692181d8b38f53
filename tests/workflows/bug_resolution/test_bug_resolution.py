"""bug-resolution end to end through the CLI, on real 200+ commit histories and real pytest."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.harness import Devora, assert_one_clear_error, finished_event, no_runs
from tests.tools.bisect.history import git, user_state
from tests.workflows.bug_resolution.conftest import TEST_ID, make_history, no_model

pytestmark = pytest.mark.slow

COMMITS = 210
BAD_AT = 137


def artifacts(devora: Devora, run_id: str) -> Path:
    """The run's own artifacts (not its quality gate child's, <run-id>.gate)."""
    [found] = devora.home.rglob(f"{run_id}/report.json")
    return found.parent


def report(devora: Devora, run_id: str) -> dict[str, Any]:
    data = json.loads((artifacts(devora, run_id) / "report.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def commit_of(root: Path, number: int) -> str:
    return git(root, "rev-list", "--reverse", "main").split()[number - 1]


def test_reproduced_bisected_reverted_approved_and_kept(devora: Devora, tmp_path: Path) -> None:
    repo = make_history(tmp_path / "repo", COMMITS, BAD_AT)
    (repo / "notes.txt").write_text("the user's untracked file\n")
    before = user_state(repo)
    env = no_model()

    first = devora("run", "bug-resolution", str(repo), "--test", TEST_ID, "--json",
                   timeout=600, **env)  # fmt: skip
    waiting = finished_event(first)
    assert first.returncode == 3, first.stderr[-3000:]
    run_id = waiting["run_id"]
    approved = devora("approve", run_id, "review", timeout=600, **env)
    assert approved.returncode == 0, approved.stdout[-3000:] + approved.stderr[-3000:]

    data = report(devora, run_id)
    assert data["reproduction"]["status"] == "reproduced"
    assert data["reproduction"]["failed"] == 3
    assert data["bisect"]["culprit"]["hash"] == commit_of(repo, BAD_AT)
    assert data["localization"]["suspects"][0]["function"] == "add"
    [revert] = data["fix"]["candidates"]
    assert revert["kind"] == "revert" and revert["rejected_because"] is None
    evidence = data["evidence"]
    assert evidence["fail_to_pass_passed"] == evidence["fail_to_pass_runs"] == 3
    assert evidence["pass_to_pass_checked"] == 2 and evidence["pass_to_pass_broken"] == {}
    branch = f"devora/fix-{run_id}"
    assert data["kept"]["branch"] == branch
    assert "return a + b" in git(repo, "show", f"{branch}:src/calc.py")
    assert git(repo, "log", "-1", "--format=%s", branch).startswith('Revert "commit 137"')
    markdown = (artifacts(devora, run_id) / "report.md").read_text(encoding="utf-8")
    assert "**reproduced**" in markdown and "Revert" in markdown
    assert (artifacts(devora, run_id) / "fix.patch").read_text().count("+    return a + b") == 1
    assert user_state(repo) == before
    # Only the kept branch remains: candidate branches and worktrees are gone.
    assert git(repo, "branch", "--list", "devora/*").split() == [branch]
    assert len(git(repo, "worktree", "list").splitlines()) == 1


def test_not_reproduced_fails_with_the_evidence(devora: Devora, tmp_path: Path) -> None:
    repo = make_history(tmp_path / "repo", 5, None)
    before = user_state(repo)
    result = devora("run", "bug-resolution", str(repo), "--command",
                    f"{sys.executable} check.py", timeout=300, **no_model())  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:]
    assert "not reproduced" in result.stdout
    assert "passed 3 of 3 runs" in result.stdout and "exit code 0" in result.stdout
    assert user_state(repo) == before


def test_a_flaky_reproducer_is_reported_flaky(devora: Devora, tmp_path: Path) -> None:
    repo = make_history(tmp_path / "repo", 12, None)
    state = tmp_path / "count"
    script = tmp_path / "flaky.py"
    script.write_text(
        "import pathlib, sys\n"
        f"p = pathlib.Path({str(state)!r})\n"
        "n = int(p.read_text()) if p.exists() else 0\n"
        "p.write_text(str(n + 1))\n"
        "sys.exit(n % 2)\n"
    )
    result = devora("run", "bug-resolution", str(repo), "--command",
                    f"{sys.executable} {script}", "--json", timeout=300, **no_model())  # fmt: skip
    logs = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    said = [
        e["message"] for e in logs if e.get("step_id") == "reproduce" and e["kind"] == "step.log"
    ]
    assert any("flaky (1 failed, 2 passed)" in line for line in said), said


@pytest.mark.parametrize(
    ("case", "fragment", "code"),
    [
        ("not a repository", "not a git repository", 2),
        ("dirty tree", "uncommitted changes", 2),
        ("unknown test", "no such test", 2),
        ("tool missing", "no-such-tool-xyz", 5),
        ("good missing", "names no commit", 2),
        ("good already bad", "the bug already exists at --good", 2),
    ],
)
def test_bad_input_is_one_clear_error_and_no_run(
    devora: Devora, tmp_path: Path, case: str, fragment: str, code: int
) -> None:
    repo = make_history(tmp_path / "repo", 8, 5)
    args = [str(repo), "--test", TEST_ID]
    if case == "not a repository":
        plain = tmp_path / "plain"
        plain.mkdir()
        args = [str(plain), "--test", TEST_ID]
    elif case == "dirty tree":
        (repo / "src" / "calc.py").write_text("def add(a, b):\n    return 0\n")
    elif case == "unknown test":
        args = [str(repo), "--test", "tests/test_calc.py::test_nothing"]
    elif case == "tool missing":
        args = [str(repo), "--command", "no-such-tool-xyz --run"]
    elif case == "good missing":
        args += ["--good", "v9.9"]
    else:
        args += ["--good", commit_of(repo, 6)]
    before = user_state(repo)
    result = devora("run", "bug-resolution", *args, timeout=300, **no_model())
    assert_one_clear_error(result, fragment, code=code)
    assert no_runs(devora)
    assert user_state(repo) == before
