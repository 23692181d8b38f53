"""Real git repositories for the release tests, built with the git command line."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

# The shared rule (skip locally, fail in CI) lives in tests/conftest.py, importable as
# tests.conftest when tests/ is a package and as conftest when it is not.
try:
    from tests.conftest import require, require_executable
except ImportError:  # pragma: no cover - depends on how pytest roots the tests
    from conftest import require, require_executable  # type: ignore[no-redef,import-not-found,unused-ignore]

__all__ = [
    "GitFixture",
    "init_bare",
    "init_repo",
    "make_rejecting_remote",
    "remote_refs",
    "require",
    "require_executable",
]


def _git(cwd: Path, *args: str, input_text: str | None = None) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=input_text,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


class GitFixture:
    """A working tree made for one test, with a local identity and no signing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._counter = 0

    def git(self, *args: str, input_text: str | None = None) -> str:
        """Run git in the repository and return its stdout (fails the test on error)."""
        return _git(self.path, *args, input_text=input_text)

    def write(self, relative: str, text: str) -> Path:
        """Write a file in the working tree."""
        file = self.path / relative
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
        return file

    def commit(self, message: str, files: dict[str, str] | None = None) -> str:
        """Commit files (default: one new file) with a full message; return the hash."""
        self._counter += 1
        for relative, text in (files or {f"change-{self._counter}.txt": message}).items():
            self.write(relative, text)
            self.git("add", "--", relative)
        self.git("commit", "--quiet", "--cleanup=verbatim", "-F", "-", input_text=message)
        return self.head()

    def tag(self, name: str, *, annotated: bool = True) -> None:
        """Tag HEAD."""
        if annotated:
            self.git("tag", "-a", "-m", f"release {name}", name)
        else:
            self.git("tag", name)

    def head(self) -> str:
        """The hash of HEAD."""
        return self.git("rev-parse", "HEAD").strip()

    def tags(self) -> list[str]:
        """Local tag names."""
        return self.git("tag", "--list").split()

    def add_remote(self, name: str, url: Path) -> None:
        """Add a remote."""
        self.git("remote", "add", name, str(url))


def init_repo(path: Path, *, branch: str = "main") -> GitFixture:
    """A new repository with user.name/email set in its own config."""
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "--quiet", f"--initial-branch={branch}")
    for key, value in [
        ("user.name", "Devora Test"),
        ("user.email", "test@devora.invalid"),
        ("commit.gpgsign", "false"),
        ("tag.gpgsign", "false"),
    ]:
        _git(path, "config", key, value)
    return GitFixture(path)


def init_bare(path: Path) -> Path:
    """A bare repository on disk to push to."""
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "--quiet", "--bare")
    return path


def make_rejecting_remote(path: Path) -> Path:
    """A bare repository whose pre-receive hook refuses every push."""
    init_bare(path)
    hook = path / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'releases are frozen' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def remote_refs(path: Path) -> dict[str, str]:
    """The refs of a (bare) repository: name -> hash."""
    output = _git(path, "for-each-ref", "--format=%(refname) %(objectname)")
    return {name: sha for name, sha in (line.split(" ", 1) for line in output.splitlines())}


ISOLATED_GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
