"""--changed: `git diff -U0` read into changed lines, on real repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gate_projects import git

from devora.tools import Finding, Level
from devora.tools.git import NotAGitRepositoryError, parse_diff_zero
from devora.workflows.quality_gate import BaseRefError, ChangedLines, changed_lines


def finding(file: str | None, line: int | None, end_line: int | None = None) -> Finding:
    return Finding(
        tool="ruff", rule="F401", level=Level.ERROR, message="m", file=file, line=line,
        end_line=end_line,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("".join(f"line{n}\n" for n in range(1, 11)), "utf-8")
    (root / "pkg" / "gone.py").write_text("x\n", encoding="utf-8")
    (root / "pyproject.toml").write_text("[project]\nname = 'r'\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    return root


def test_parse_hunks_of_a_real_diff(repo: Path) -> None:
    a = repo / "pkg" / "a.py"
    lines = a.read_text("utf-8").splitlines()
    lines[1] = "changed2"  # line 2 changed
    del lines[4]  # old line 5 deleted (a deletion adds no line)
    lines[6:6] = ["new-a", "new-b"]  # two lines added after what is now line 6
    a.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (repo / "pkg" / "gone.py").unlink()
    (repo / "pkg" / "with space.py").write_text("s\n", encoding="utf-8")
    git(repo, "add", "-A")
    diff = git(repo, "diff", "-U0", "--cached", "HEAD")
    assert parse_diff_zero(diff) == {"pkg/a.py": ((2, 2), (7, 8)), "pkg/with space.py": ((1, 1),)}


async def test_changed_lines_of_the_work_tree_staged_unstaged_and_untracked(repo: Path) -> None:
    a = repo / "pkg" / "a.py"
    a.write_text(a.read_text("utf-8").replace("line3\n", "LINE3\n"), encoding="utf-8")
    git(repo, "add", "pkg/a.py")
    a.write_text(a.read_text("utf-8").replace("line9\n", "LINE9\n"), encoding="utf-8")
    (repo / "pkg" / "new.py").write_text("n\n", encoding="utf-8")
    changed = await changed_lines(repo, "HEAD")
    assert changed.files["pkg/a.py"] == ((3, 3), (9, 9))
    assert changed.covers(finding("pkg/new.py", 500))  # untracked: every line is new
    assert changed.commit == git(repo, "rev-parse", "HEAD").strip()


async def test_a_project_in_a_subdirectory_gets_paths_relative_to_itself(repo: Path) -> None:
    (repo / "pkg" / "a.py").write_text("only\n", encoding="utf-8")
    changed = await changed_lines(repo / "pkg", "HEAD")
    assert set(changed.files) == {"a.py"}


async def test_base_is_compared_from_its_merge_base(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "pkg" / "a.py").write_text("feature\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "feature work")
    git(repo, "checkout", "-q", "main")
    (repo / "pkg" / "gone.py").write_text("main moved on\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "main work")
    git(repo, "checkout", "-q", "feature")
    changed = await changed_lines(repo, "main")
    # Only the feature branch's own change: main's later commit is not "new code" here.
    assert set(changed.files) == {"pkg/a.py"}


def test_covers() -> None:
    changed = ChangedLines(base="HEAD", commit="c", files={"a.py": ((3, 4),)})
    assert changed.covers(finding("a.py", 3))
    assert changed.covers(finding("a.py", 1, end_line=3))  # a finding spanning a new line
    assert not changed.covers(finding("a.py", 5))
    assert not changed.covers(finding("b.py", 3))
    assert changed.covers(finding("a.py", None))  # about the changed file as a whole
    assert changed.covers(finding(None, None))  # about the whole project
    assert changed.line_count == 2


async def test_not_a_git_repository(tmp_path: Path) -> None:
    with pytest.raises(NotAGitRepositoryError) as caught:
        await changed_lines(tmp_path, "HEAD")
    assert caught.value.exit_code == 2
    assert "git init" in str(caught.value.hint)


async def test_unknown_base_and_no_commits_yet(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(BaseRefError, match="--base nope is not a commit"):
        await changed_lines(repo, "nope")
    with pytest.raises(BaseRefError):
        await changed_lines(repo, "--output=/tmp/x")  # never read as an option
    empty = tmp_path / "empty"
    empty.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=empty, check=True)
    with pytest.raises(BaseRefError, match="without commits"):
        await changed_lines(empty, "HEAD")


async def test_repository_prefix(repo: Path, tmp_path: Path) -> None:
    from devora.workflows.quality_gate._changed import repository_prefix

    assert await repository_prefix(repo / "pkg") == (str(repo), "pkg/")
    assert await repository_prefix(repo) == (str(repo), "")
    outside = tmp_path / "outside"
    outside.mkdir()
    assert await repository_prefix(outside) is None


def test_changed_lines_that_look_like_headers_are_content(repo: Path) -> None:
    a = repo / "pkg" / "a.py"
    text = a.read_text("utf-8").replace("line2\n", "-- old\n").replace("line4\n", "x\fy\n")
    a.write_text(text + "++ b/evil.py\n@@ -1 +1,99 @@\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "tricky")
    a.write_text(text.replace("-- old\n", "++ new\n") + "++ b/evil.py\n", encoding="utf-8")
    diff = git(repo, "diff", "-U0", "HEAD~1")
    # Against the first commit: line 2 and line 4 changed, two lines added at the end.
    assert parse_diff_zero(diff) == {"pkg/a.py": ((2, 2), (4, 4), (11, 11))}
    assert "evil.py" not in str(parse_diff_zero(git(repo, "diff", "-U0", "HEAD")))
