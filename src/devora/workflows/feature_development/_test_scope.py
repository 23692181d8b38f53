"""What the test step may change: test files only, by the project's test layout.

A path is a test file when it lies under a folder of the project's pytest `testpaths`
(pyproject.toml, pytest.ini, tox.ini or setup.cfg), under a folder named `tests`, `test`,
`__tests__`, `spec` or `specs`, or when its name is a test's: `test_*.py`, `*_test.py`,
`conftest.py`, `*.test.<js|ts|…>`, `*.spec.<js|ts|…>`. Anything else the change touches
(the code under test, pyproject.toml, a fixture outside the tests) is refused with the list
of those files."""

from __future__ import annotations

import configparser
import tomllib
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from devora.errors import StepError
from devora.tools.git import git_output

__all__ = ["OutsideTestsError", "check_test_change", "configured_test_folders", "is_test_file"]

_FOLDERS = frozenset({"tests", "test", "__tests__", "spec", "specs"})
_SCRIPTS = ["js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts"]
_NAMES = (
    "test_*.py",
    "*_test.py",
    "conftest.py",
    *(f"*.test.{ext}" for ext in _SCRIPTS),
    *(f"*.spec.{ext}" for ext in _SCRIPTS),
)


class OutsideTestsError(StepError):
    """The acceptance tests' change touches files that are not tests."""

    code = "outside_tests"

    def __init__(self, who: str, files: list[str], commit: str) -> None:
        self.files = files
        self.commit = commit
        shown = ", ".join(files[:20]) + (f" and {len(files) - 20} more" if len(files) > 20 else "")
        super().__init__(
            f"the acceptance tests by {who} change {len(files)} file(s) that are not tests "
            f"(at {commit[:12]}): {shown}",
            hint="the test step may only add or change test files (under tests/, test_*.py, "
            "*_test.py, conftest.py, *.test.ts…); the code under test is the implement step's",
        )


def configured_test_folders(root: Path) -> list[str]:
    """The project's pytest `testpaths` (relative folders), from its configuration files."""
    found: list[str] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            options = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            options = {}
        paths = options.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("testpaths")
        found += [paths] if isinstance(paths, str) else [str(p) for p in paths or []]
    for name, section in (("pytest.ini", "pytest"), ("tox.ini", "pytest"),
                          ("setup.cfg", "tool:pytest")):  # fmt: skip
        if not (root / name).is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(root / name, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        found += parser.get(section, "testpaths", fallback="").split()
    folders = [PurePosixPath(p).as_posix().strip("/") for p in found]
    return [f for f in folders if f and f != "." and ".." not in PurePosixPath(f).parts]


def is_test_file(path: str, folders: list[str]) -> bool:
    """`path` (relative, as git names it) is a test file of a project with these testpaths."""
    pure = PurePosixPath(path)
    if any(path.startswith(folder + "/") for folder in folders):
        return True
    if any(part in _FOLDERS for part in pure.parts[:-1]):
        return True
    return any(fnmatch(pure.name, pattern) for pattern in _NAMES)


async def check_test_change(root: Path, worktree: Path, base: str, who: str) -> list[str]:
    """The files changed in `worktree` since `base` (committed or not); refused with
    OutsideTestsError when one is not a test file."""
    changed = await git_output(worktree, ["diff", "--name-only", "--no-renames", base])
    files = sorted(set(changed.splitlines()))
    folders = configured_test_folders(root)
    outside = [name for name in files if not is_test_file(name, folders)]
    if outside:
        head = (await git_output(worktree, ["rev-parse", "HEAD"])).strip()
        raise OutsideTestsError(who, outside, head)
    return files
