"""bug-resolution on a real published project nobody here wrote: the six 1.16.0 sdist from
PyPI, committed as a 30-commit history, with a behaviour change injected in commit 16."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.harness import Devora, finished_event
from tests.tools.bisect.history import git, user_state
from tests.workflows.bug_resolution.conftest import no_model, with_venv
from tests.workflows.bug_resolution.test_bug_candidates import devora_branches, waiting_task
from tests.workflows.bug_resolution.test_bug_resolution import report

pytestmark = pytest.mark.slow

COMMITS = 30
BAD_AT = 16
TEST_ID = "test_six.py::test_byte2int"
RIGHT = "    byte2int = operator.itemgetter(0)\n"
WRONG = "    byte2int = operator.itemgetter(-1)\n"  # the last byte: b"\x03\x04" -> 4
FIRST = ("six.py", "test_six.py", "setup.py", "setup.cfg")


def commit(root: Path, number: int, message: str) -> None:
    git(root, "add", "-A")
    when = f"{1_700_000_000 + number * 3600} +0000"
    subprocess.run(
        ["git", "-c", "user.name=Six", "-c", "user.email=six@example.com", "commit", "-q",
         "-m", message],
        cwd=root, check=True, env={"PATH": "/usr/bin:/bin", "GIT_AUTHOR_DATE": when,
                                   "GIT_COMMITTER_DATE": when, "GIT_CONFIG_NOSYSTEM": "1",
                                   "GIT_CONFIG_GLOBAL": "/dev/null"},
    )  # fmt: skip


def six_history(sdist: Path, root: Path) -> Path:
    """The sdist's files committed over COMMITS commits; commit BAD_AT breaks byte2int."""
    files = sorted(p.relative_to(sdist).as_posix() for p in sdist.rglob("*") if p.is_file())
    later = [name for name in files if name not in FIRST]
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text(".venv\n__pycache__/\n")
    number = 0

    def add(*names: str, message: str) -> None:
        nonlocal number
        for name in names:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes((sdist / name).read_bytes())
        number += 1
        commit(root, number, message)

    add(*FIRST, message="six: the module and its tests")
    while number < COMMITS:
        if number + 1 == BAD_AT:
            six = root / "six.py"
            text = six.read_text(encoding="utf-8")
            assert text.count(RIGHT) == 1
            six.write_text(text.replace(RIGHT, WRONG), encoding="utf-8")
            number += 1
            commit(root, number, "six: byte2int on a py3 bytes object")
        elif later:
            add(later.pop(0), message=f"add {files[len(files) - len(later) - 1]}")
        else:
            with (root / "CHANGES").open("a", encoding="utf-8") as changes:
                changes.write(f"\n- release note {number + 1}\n")
            number += 1
            commit(root, number, f"CHANGES: note {number}")
    return with_venv(root)


def pytest_verdict(root: Path, test_id: str) -> int:
    """pytest's own exit status for one test id, run by hand in root."""
    return subprocess.run(
        [str(root / ".venv/bin/python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", test_id],
        cwd=root, capture_output=True, text=True, timeout=300,
    ).returncode  # fmt: skip


def test_bisect_names_the_injected_commit_and_its_revert_passes(
    devora: Devora, sdist: Path, tmp_path: Path
) -> None:
    repo = six_history(sdist, tmp_path / "six")
    assert int(git(repo, "rev-list", "--count", "HEAD")) == COMMITS
    injected = git(repo, "rev-list", "--reverse", "HEAD").split()[BAD_AT - 1]
    assert pytest_verdict(repo, TEST_ID) == 1  # pytest itself: the test fails at HEAD
    before = user_state(repo)
    env = no_model()

    first = devora("run", "bug-resolution", str(repo), "--test", TEST_ID, "--repeat", "2",
                   "--json", timeout=900, **env)  # fmt: skip
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
    run_id = finished_event(first)["run_id"]
    assert waiting_task(devora, run_id, "approval")["step_id"] == "review"
    approved = devora("approve", run_id, "review", timeout=900, **env)
    assert approved.returncode == 0, approved.stdout[-3000:] + approved.stderr[-3000:]

    data = report(devora, run_id)
    assert data["reproduction"]["status"] == "reproduced"  # as pytest said
    assert data["bisect"]["culprit"]["hash"] == injected
    [revert] = data["fix"]["candidates"]
    assert revert["kind"] == "revert" and revert["rejected_because"] is None
    evidence = data["evidence"]
    assert evidence["fail_to_pass_passed"] == evidence["fail_to_pass_runs"] == 2
    assert evidence["pass_to_pass_broken"] == {} and evidence["pass_to_pass_checked"] > 100
    branch = f"devora/fix-{run_id}"
    assert devora_branches(repo) == [branch]
    assert user_state(repo) == before
    fixed = tmp_path / "fixed"
    git(repo, "worktree", "add", "-q", "--detach", str(fixed), branch)
    with_venv(fixed)
    assert pytest_verdict(fixed, TEST_ID) == 0  # pytest itself: the revert fixes it
    assert (fixed / "six.py").read_text(encoding="utf-8").count(RIGHT) == 1
