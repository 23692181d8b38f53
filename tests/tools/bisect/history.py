"""Real git histories for bisection tests, built in one `git fast-import` (fast for 1,000s).

Commit i (1-based) writes `counter.txt` = i and `src/calc.py`, whose `add` is right before
`bad_at` and wrong from it on; commits in `untestable` also hold a file `BROKEN`, which the
reproducers here answer with exit 125. Tags are put on the commits `tags` names.
"""

from __future__ import annotations

import subprocess
from collections.abc import Collection, Mapping
from pathlib import Path

__all__ = ["REPRODUCER", "build_history", "git", "user_state"]

GOOD = "def add(a, b):\n    return a + b\n"
BAD = "def add(a, b):\n    return a - b\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n"
# A command reproducer: 125 on a broken commit, else the test's verdict.
REPRODUCER = (
    "import pathlib, sys\n"
    "if pathlib.Path('BROKEN').exists(): sys.exit(125)\n"
    "sys.path.insert(0, 'src')\n"
    "from calc import add\n"
    "sys.exit(0 if add(2, 2) == 4 else 1)\n"
)


def git(root: Path, *args: str) -> str:
    """The stdout of a git command in root (checked)."""
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout


def _blob(path: str, text: str) -> bytes:
    data = text.encode()
    return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"


def build_history(
    root: Path,
    commits: int,
    *,
    bad_at: int | None,
    untestable: Collection[int] = (),
    tags: Mapping[str, int] | None = None,
    extra: Mapping[int, Mapping[str, str]] | None = None,
    counter: bool = True,
) -> Path:
    """A repository at root with `commits` commits on main, checked out clean.

    Without `counter`, commit i adds `history/i.txt` instead of rewriting counter.txt, so
    that any commit can be reverted without a conflict."""
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    stream = bytearray()
    for i in range(1, commits + 1):
        message = f"commit {i}\n".encode()
        stream += f"commit refs/heads/main\nmark :{i}\n".encode()
        stream += f"author A{i % 3} <a@example.com> {1_700_000_000 + i} +0000\n".encode()
        stream += f"committer T <t@t> {1_700_000_000 + i} +0000\n".encode()
        stream += f"data {len(message)}\n".encode() + message
        if i > 1:
            stream += f"from :{i - 1}\n".encode()
        stream += _blob("counter.txt" if counter else f"history/{i}.txt", f"{i}\n")
        if i == 1:
            stream += _blob("tests/test_calc.py", TEST) + _blob("check.py", REPRODUCER)
        if i == 1 or i == bad_at:
            stream += _blob("src/calc.py", BAD if i == bad_at else GOOD)
        if i in untestable:
            stream += _blob("BROKEN", "cannot build\n")
        elif i - 1 in untestable:
            stream += b"D BROKEN\n"
        for path, text in (extra or {}).get(i, {}).items():
            stream += _blob(path, text)
        stream += b"\n"
    for name, i in (tags or {}).items():
        stream += f"reset refs/tags/{name}\nfrom :{i}\n\n".encode()
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    git(root, "checkout", "-q", "-f", "main")
    return root


def user_state(root: Path) -> tuple[str, str, str]:
    """What the user sees: status, stash list and HEAD (compared before and after)."""
    return (
        git(root, "status", "--porcelain"),
        git(root, "stash", "list"),
        git(root, "rev-parse", "HEAD"),
    )
