"""Real git repositories with real histories, built in a tmp dir, for the metrics and the
refactoring tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

GITIGNORE = "__pycache__/\n.pytest_cache/\n.mypy_cache/\n.coverage\ncoverage.json\n"


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` with a test identity; its stdout."""
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


class History:
    """A repository that grows one commit at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        git(root, "init", "-q", "-b", "main")
        (root / ".gitignore").write_text(GITIGNORE)

    def commit(self, message: str, files: dict[str, str], *, author: str = "test") -> str:
        """Write `files` (relative path → text) and commit them (and .gitignore)."""
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        git(self.root, "add", "--", ".gitignore", *files)
        git(
            self.root,
            "-c",
            f"user.email={author}@example.com",
            "commit",
            "-q",
            "-m",
            message,
        )
        return git(self.root, "rev-parse", "HEAD").strip()

    def state(self) -> tuple[str, str]:
        """`git status --porcelain` and `git stash list`: what a run must leave as it was."""
        return (
            git(self.root, "status", "--porcelain", "--untracked-files=all"),
            git(self.root, "stash", "list"),
        )


def branchy(name: str, branches: int, *, extra: str = "") -> str:
    """A function with `branches` if-branches (cyclomatic complexity branches + 1)."""
    body = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(branches))
    return f"def {name}(x):\n{extra}{body}    return -1\n"


DUPLICATED = "".join(
    f"    total += value * {i}\n    total -= {i} // 2\n" for i in range(5)
)  # 10 lines


def radon_complexities(root: Path) -> dict[tuple[str, str, int], int]:
    """`radon cc -j` run on root: (file, Class.function, line) -> complexity, classes left out."""
    output = subprocess.run(
        [str(Path(sys.executable).parent / "radon"), "cc", "-j", "."],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return {
        (file, (f"{b['classname']}." if b.get("classname") else "") + b["name"], b["lineno"]):
        b["complexity"]
        for file, blocks in json.loads(output).items()
        for b in blocks
        if b["type"] != "class"
    }  # fmt: skip
